"""`scf serve`: the API, the relayer and the indexer in one process (or any of them alone).

Without ``SCF_RPC_URL`` a local anvil starts with its state in the data directory; the ledger is
deployed on the first start and the deployment reused on the next: the chain's embedded default,
as SQLite is the database's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from eth_account import Account
from sqlalchemy import Engine
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
from backend.credit.cache import DeferredRefresh
from backend.db import make_engine
from backend.indexer.indexer import Indexer
from backend.indexer.lock import AdvisoryLease, Lease, writer_lock
from backend.indexer.rpc import JsonRpc
from backend.migrations import upgrade
from backend.relayer.relayer import Relayer
from backend.services import Services
from backend.settings import Settings
from backend.workers.errors import FatalError
from backend.workers.supervisor import Backoff, Supervisor, Worker

logger = logging.getLogger(__name__)

LEASE_CHECK_SECONDS = 1.0


class ChainMismatch(FatalError):
    """The node is not the deployment's chain (another chain id, or the contracts are gone)."""


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
class Workers:
    """Which parts this process runs (`scf serve --no-relayer` ...): not the contracts' roles."""

    api: bool = True
    relayer: bool = True
    indexer: bool = True


@contextmanager
def running(settings: Settings, workers: Workers) -> Iterator[Services]:
    """Chain, database, and the background workers asked for, supervised; stopped cleanly on exit.

    Each worker first takes its leader lock (waiting up to ``SCF_LEADER_WAIT_SECONDS``, else
    `IndexerLockHeld`); its writes are fenced by the lock's lease, and a watch over the lease
    makes losing it fatal. ``services.supervisor.failure`` says why the workers stopped, if one
    failed: the caller ends the process.
    """
    with ExitStack() as stack:
        w3 = stack.enter_context(chain(settings))
        artifacts = load_artifacts()
        deployment = ensure_deployment(settings, w3, artifacts)
        url = settings.effective_database_url
        upgrade(url)
        engine = make_engine(url)
        stack.callback(engine.dispose)
        ledger = Ledger(w3, deployment, artifacts, Account.from_key(settings.operator_key))
        supervisor = Supervisor(
            backoff=Backoff(
                settings.worker_backoff_initial_seconds, settings.worker_backoff_max_seconds
            ),
            max_unknown_failures=settings.worker_max_unknown_failures,
        )
        services = Services(settings, engine, ledger, supervisor=supervisor)
        rpc_url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]

        def rpc() -> JsonRpc:
            return JsonRpc(rpc_url, settings.rpc_timeout_seconds, retries=settings.rpc_read_retries)

        if workers.relayer:
            lease = _lead("relayer", stack, engine, settings, supervisor)
            relayer = Relayer(
                engine,
                ledger,
                rpc(),
                batch_size=settings.relayer_batch_size,
                max_wait=settings.relayer_max_wait_seconds,
                fence=lease.check,
                final_depth=settings.final_depth,
            )
            check = chain_check(rpc(), deployment)

            def check_and_resume() -> None:
                check()
                relayer.resume()

            worker = relayer.worker()
            worker.start = check_and_resume
            supervisor.add(worker)
        if workers.indexer:
            lease = _lead("indexer", stack, engine, settings, supervisor)
            credit = DeferredRefresh(engine)
            indexer = Indexer(
                engine,
                rpc(),
                deployment,
                artifacts,
                confirmation_depth=settings.confirmation_depth,
                final_depth=settings.final_depth,
                max_range=settings.indexer_max_range,
                on_batch=credit.collect,
                fence=lease.check,
            )
            worker = indexer.worker(settings.indexer_poll_seconds, credit.flush)
            worker.start = chain_check(rpc(), deployment)
            supervisor.add(worker)
        supervisor.start()
        try:
            yield services
        finally:
            supervisor.shutdown()


def _lead(
    name: str, stack: ExitStack, engine: Engine, settings: Settings, supervisor: Supervisor
) -> Lease:
    """Take the ``name`` leader lock for the life of ``stack``; watch it when it can be lost."""
    lease = stack.enter_context(
        writer_lock(engine, wait_seconds=settings.leader_wait_seconds, name=name)
    )
    if isinstance(lease, AdvisoryLease):

        def verify() -> float:
            lease.verify()
            return LEASE_CHECK_SECONDS

        supervisor.add(Worker(f"{name}-lease", step=verify))
    return lease


def chain_check(rpc: JsonRpc, deployment: Deployment) -> Callable[[], None]:
    """Before a worker (re)starts: the node is still the deployment's chain (fatal if not)."""

    def check() -> None:
        chain_id = int(rpc.call("eth_chainId", []), 16)
        if chain_id != deployment.chain_id:
            raise ChainMismatch(
                f"the node at {rpc.url} serves chain {chain_id}, the deployment is on chain "
                f"{deployment.chain_id}"
            )
        for name, contract in deployment.contracts.items():
            if rpc.call("eth_getCode", [contract.address, "latest"]) in (None, "0x", ""):
                raise ChainMismatch(
                    f"no code at {name}'s address {contract.address} on chain {chain_id}: the "
                    "node lost the deployment (or is another chain); redeploy and re-index"
                )

    return check
