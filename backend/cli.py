"""The ``scf`` command."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

import typer
from eth_account import Account
from rich.console import Console

from backend.chain.compiler import ContractCompileError, compile_contracts
from backend.chain.contracts import Ledger
from backend.chain.deploy import deploy_ledger, save_deployment
from backend.chain.node import chain
from backend.chain.transactor import Transactor
from backend.credit.cli import credit_app
from backend.errors import LedgerError
from backend.limits import restore_recursion_limit
from backend.scoring.cli import model_app, score_command
from backend.settings import Settings, get_settings
from backend.workers.errors import FatalError

if TYPE_CHECKING:
    from backend.services import Services

# Exit codes of `scf index` and `scf serve`: 1 a refused request or a failed start, 2 another
# process holds the leader lock, 3 a worker stopped on a fatal error (deep reorg, lost lock...).
EXIT_LOCK_HELD = 2
EXIT_FATAL = 3

app = typer.Typer(help="scf-ledger: supply-chain finance ledger", no_args_is_help=True)
db_app = typer.Typer(help="the database schema", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(credit_app, name="credit")
app.add_typer(model_app, name="model")
app.command("score", help="score every cached credit record (same as `scf model score`)")(
    score_command
)
console = Console(width=None if Console().is_terminal else 130)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="log progress")) -> None:
    restore_recursion_limit()  # web3 (py_ecc) raised it to 100,000: see backend/limits.py
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )


@app.command("compile")
def compile_command(force: bool = typer.Option(False, help="ignore the artifact cache")) -> None:
    """Compile the contracts (cached by a hash of the sources)."""
    try:
        artifacts = compile_contracts(force=force)
    except ContractCompileError as error:
        console.print(f"[red]compile failed[/red]\n{error.message}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"compiled {len(artifacts)} contracts")


@app.command()
def deploy() -> None:
    """Deploy the ledger contracts; writes deployments/<chainId>.json.

    Without SCF_RPC_URL this deploys to the local anvil whose state lives in the data directory.
    """
    settings = get_settings()
    artifacts = compile_contracts()
    operator = Account.from_key(settings.operator_key)
    with chain(settings) as w3:
        transactor = Transactor.for_contracts(w3, operator, artifacts)
        deployment = deploy_ledger(transactor, artifacts)
        Ledger(w3, deployment, artifacts, operator)  # checks the deployment is usable
        path = save_deployment(deployment, settings.deployments_dir)
    for name, deployed in deployment.contracts.items():
        console.print(f"{name:<14} {deployed.address}  block {deployed.block}")
    console.print(f"wrote {path}")


@app.command()
def demo(
    seed: int = typer.Option(7, help="seed of the simulated supply chain"),
    serve: bool = typer.Option(
        False, "--serve", help="then keep the API and the console up on the demo's chain"
    ),
    host: str = typer.Option("127.0.0.1", help="with --serve: address to listen on"),
    port: int = typer.Option(8000, help="with --serve: port to listen on"),
) -> None:
    """Run the end-to-end demo on a throw-away local anvil (with --serve, then the console)."""
    import signal

    from backend.sim.demo import run_demo

    if serve:
        signal.signal(signal.SIGTERM, _exit_cleanly)  # anvil and the workers stop cleanly
    try:
        run_demo(console, seed=seed, serve=(host, port) if serve else None)
    except LedgerError as error:
        console.print(f"[red]demo failed:[/red] {error.message}")
        raise typer.Exit(1) from None


@app.command("openapi")
def openapi_command() -> None:
    """Print the API's OpenAPI document (JSON; the console's client is generated from it)."""
    import json

    from backend.app import openapi_document

    print(json.dumps(openapi_document(), indent=1, sort_keys=True))  # noqa: T201


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Create or migrate the schema (SQLite by default; SCF_DATABASE_URL for PostgreSQL)."""
    from backend.migrations import upgrade

    url = get_settings().effective_database_url
    upgrade(url, revision)
    console.print(f"database at revision {revision}: {_redacted(url)}")


@app.command()
def index(
    follow: bool = typer.Option(False, "--follow", help="keep indexing new blocks"),
    wait: float = typer.Option(0.0, help="seconds to wait for another indexer's lock"),
) -> None:
    """Index the chain into the database (one-shot, or --follow)."""
    import signal
    import threading

    from backend.credit.cache import DeferredRefresh
    from backend.credit.snapshot import NetworkJob
    from backend.db import make_engine
    from backend.indexer.lock import IndexerLockHeld, writer_lock
    from backend.indexer.service import build_indexer
    from backend.migrations import upgrade

    settings = get_settings()
    url = settings.effective_database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with chain(settings) as w3, writer_lock(engine, wait_seconds=wait) as lease:
            rpc_url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
            credit = DeferredRefresh(engine, settings.record_max_age_s)
            job = NetworkJob(engine, settings.network_interval_s, settings.base_currency)
            indexer = build_indexer(settings, engine, rpc_url, on_batch=credit.collect)
            indexer.fence = lease.check  # a lost lock stops it before its next write

            def after_sync(block: int) -> None:
                credit.flush(block)
                job.step()  # at most once per interval

            if not follow:
                progress = indexer.sync()
                credit.flush(progress.to_block)
                job.run_once()
                console.print(
                    f"indexed blocks {progress.from_block}..{progress.to_block}: "
                    f"{progress.events} events"
                )
                return
            stop = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
            indexer.follow(stop, settings.indexer_poll_seconds, after_sync)
    except IndexerLockHeld as error:
        console.print(f"[yellow]{error.message}[/yellow]")
        raise typer.Exit(EXIT_LOCK_HELD) from None
    except LedgerError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    except FatalError as error:
        _fatal("scf index", error)
    finally:
        engine.dispose()


@app.command()
def oracle(
    key: str = typer.Option(None, help="the oracle's private key (default: SCF_ORACLE_KEY)"),
    period: int = typer.Option(
        None, help="seconds per attested period (SCF_ORACLE_PERIOD_SECONDS)"
    ),
    grace: int = typer.Option(60, help="seconds a period waits for late readings"),
) -> None:
    """Subscribe to device telemetry over MQTT and attest it (see backend/attestations)."""
    import signal
    import threading

    from backend.attestations.oracle import Oracle, OracleConfig
    from backend.attestations.telemetry import TOPIC_PREFIX
    from backend.chain.deploy import load_deployment
    from backend.db import make_engine
    from backend.migrations import upgrade
    from backend.sdk.signer import Signer
    from backend.sdk.typed_data import Domain

    settings = get_settings()
    private_key = key or settings.oracle_key
    if not private_key:
        console.print("[red]scf oracle needs the oracle's key: --key or SCF_ORACLE_KEY[/red]")
        raise typer.Exit(2)
    url = settings.effective_database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with chain(settings) as w3:
            deployment = load_deployment(settings.deployments_dir, w3.eth.chain_id)
            deployment.check_current(compile_contracts())
            domain = Domain(w3.eth.chain_id, deployment.address("AttestationLedger"))
        config = OracleConfig(
            settings.mqtt_host, settings.mqtt_port, period or settings.oracle_period_seconds, grace
        )
        service = Oracle(engine, Signer.from_key(private_key), domain, config)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        console.print(
            f"oracle {service.signer.address} on mqtt://{config.host}:{config.port} "
            f"topics {TOPIC_PREFIX}/{{kind}}/{{device_id}}"
        )
        service.run(stop)
        console.print(f"messages {dict(service.counts)}; queued {dict(service.queued)}")
    except LedgerError as error:
        console.print(f"[red]{error.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    api: bool = typer.Option(True, "--api/--no-api", help="serve the HTTP API"),
    relayer: bool = typer.Option(True, "--relayer/--no-relayer", help="run the relayer"),
    indexer: bool = typer.Option(True, "--indexer/--no-indexer", help="run the indexer"),
    workers: int = typer.Option(
        1, min=1, help="API worker processes; above 1 the relayer and indexer run in the parent"
    ),
    http: str = typer.Option("httptools", help="HTTP parser: httptools or h11"),
    loop: str = typer.Option("uvloop", help="event loop: uvloop or asyncio"),
) -> None:
    """Run the API with the relayer and the indexer (each can run in its own process).

    Workers are supervised: a retryable failure backs off and resumes; a fatal one stops the
    process with exit code 3 and one line on stderr (`scf serve: fatal: <worker>: <why>`). Exit
    code 2: another process holds the relayer or indexer lock (after SCF_LEADER_WAIT_SECONDS).
    """
    import signal

    from backend.indexer.lock import IndexerLockHeld
    from backend.runtime import Workers, running

    if http not in ("httptools", "h11") or loop not in ("uvloop", "asyncio"):
        console.print("[red]--http is httptools or h11; --loop is uvloop or asyncio[/red]")
        raise typer.Exit(1)
    settings = _serve_settings(workers if api else 1)
    # SIGTERM ends the process through the normal exit path, so anvil and workers stop cleanly
    # (uvicorn re-raises the signal it caught once it has shut down).
    signal.signal(signal.SIGTERM, _exit_cleanly)
    # With API worker processes, this process runs only the relayer and the indexer.
    parts = Workers(api=api and workers == 1, relayer=relayer, indexer=indexer)
    try:
        with running(settings, parts) as services:
            supervisor = services.supervisor
            assert supervisor is not None
            console.print(
                f"chain {services.chain_id}, ledger at block {services.deployment.deploy_block}"
            )
            if api:
                _serve_api(services, host, port, workers, http, loop)
            else:
                console.print("running without the API; stop with Ctrl-C")
                try:
                    supervisor.stop.wait()
                except KeyboardInterrupt:
                    pass
            failure = supervisor.failure
    except IndexerLockHeld as error:
        print(f"scf serve: {error.message}", file=sys.stderr)  # noqa: T201
        raise typer.Exit(EXIT_LOCK_HELD) from None
    if failure is not None:  # the workers and locks are released by now
        _fatal("scf serve", failure)


def _serve_settings(workers: int) -> Settings:
    """The settings of ``scf serve``; with API worker processes, ``SCF_API_WORKERS`` tells each
    process how many share the database (its pool's share)."""
    import os

    if workers > 1:
        os.environ["SCF_API_WORKERS"] = str(workers)
        get_settings.cache_clear()
    return get_settings()


def _serve_api(
    services: Services, host: str, port: int, workers: int, http: Any, loop: Any
) -> None:
    """The API in this process, or in ``workers`` processes supervised from here: they reach
    the node this process uses (a local anvil included) through ``SCF_RPC_URL``."""
    import os

    from backend.app import create_app
    from backend.server import api_server, api_workers, print_announcement

    supervisor = services.supervisor
    assert supervisor is not None
    if workers == 1:
        server = api_server(create_app(services), host, port, http, loop)
        supervisor.on_fatal(lambda: setattr(server, "should_exit", True))
        server.run()
        return
    os.environ["SCF_RPC_URL"] = str(services.w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    processes = api_workers(host, port, workers, http, loop)  # its socket listens already
    print_announcement(host, port)
    supervisor.on_fatal(processes.should_exit.set)
    processes.run()


def _fatal(command: str, error: FatalError) -> None:
    """One line on stderr, then exit code 3."""
    print(f"{command}: fatal: {error.message}", file=sys.stderr)  # noqa: T201
    raise typer.Exit(EXIT_FATAL)


def _exit_cleanly(*_: object) -> None:
    raise SystemExit(0)
