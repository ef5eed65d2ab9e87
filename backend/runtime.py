"""`scf serve`: the API, the relayer and the indexer in one process (or any of them alone).

Without ``SCF_RPC_URL`` a local anvil starts with its state in the data directory; the ledger is
deployed on the first start and the deployment reused on the next: the chain's embedded default,
as SQLite is the database's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from eth_account import Account
from web3 import Web3

from backend.chain.compiler import Artifact, load_artifacts
from backend.chain.contracts import Ledger
from backend.chain.deploy import (
    Deployment,
    DeploymentError,
    deploy_ledger,
    load_deployment,
    save_deployment,
)
from backend.chain.node import chain
from backend.chain.transactor import Transactor
from backend.credit.service import DeferredRefresh
from backend.db import make_engine
from backend.indexer.indexer import Indexer
from backend.indexer.lock import writer_lock
from backend.indexer.rpc import JsonRpc
from backend.migrations import upgrade
from backend.relayer.relayer import Relayer
from backend.services import Services
from backend.settings import Settings

logger = logging.getLogger(__name__)


def ensure_deployment(settings: Settings, w3: Web3, artifacts: dict[str, Artifact]) -> Deployment:
    """The recorded deployment when the chain still has it and the sources match; else deploy."""
    try:
        deployment = load_deployment(settings.deployments_dir, w3.eth.chain_id)
        deployment.check_current(artifacts)
        if all(w3.eth.get_code(c.address) for c in deployment.contracts.values()):  # type: ignore[arg-type]
            return deployment
    except DeploymentError as reason:
        logger.info("serve.deploy reason=%s", reason.message)
    operator = Account.from_key(settings.operator_key)
    transactor = Transactor.for_contracts(w3, operator, artifacts)
    deployment = deploy_ledger(transactor, artifacts)
    save_deployment(deployment, settings.deployments_dir)
    return deployment


@dataclass
class Roles:
    api: bool = True
    relayer: bool = True
    indexer: bool = True


@contextmanager
def running(settings: Settings, roles: Roles) -> Iterator[Services]:
    """Chain, database, and the background workers asked for; stopped cleanly on exit."""
    with ExitStack() as stack:
        w3 = stack.enter_context(chain(settings))
        artifacts = load_artifacts()
        deployment = ensure_deployment(settings, w3, artifacts)
        url = settings.effective_database_url
        upgrade(url)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        ledger = Ledger(w3, deployment, artifacts, Account.from_key(settings.operator_key))
        services = Services(settings, engine, ledger)
        rpc_url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        stop = threading.Event()
        workers: list[threading.Thread] = []
        if roles.relayer:
            relayer = Relayer(
                engine,
                ledger,
                JsonRpc(rpc_url),
                batch_size=settings.relayer_batch_size,
                max_wait=settings.relayer_max_wait_seconds,
                final_depth=settings.final_depth,
            )
            workers.append(_worker("relayer", stack, engine, lambda: relayer.follow(stop)))
        if roles.indexer:
            credit = DeferredRefresh(engine)
            indexer = Indexer(
                engine,
                JsonRpc(rpc_url),
                deployment,
                artifacts,
                confirmation_depth=settings.confirmation_depth,
                final_depth=settings.final_depth,
                max_range=settings.indexer_max_range,
                on_batch=credit.collect,
            )
            workers.append(
                _worker(
                    "indexer",
                    stack,
                    engine,
                    lambda: indexer.follow(stop, settings.indexer_poll_seconds, credit.flush),
                )
            )
        for worker in workers:
            worker.start()
        try:
            yield services
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=30)


def _worker(
    name: str, stack: ExitStack, engine: object, body: Callable[[], None]
) -> threading.Thread:
    """A daemon thread that holds the leader lock for ``name`` while it runs ``body``."""
    stack.enter_context(writer_lock(engine, wait_seconds=0.0, name=name))  # type: ignore[arg-type]

    def run() -> None:
        try:
            body()
        except Exception:
            logger.exception("serve.worker.crashed worker=%s", name)

    return threading.Thread(target=run, name=name, daemon=True)
