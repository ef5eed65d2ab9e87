"""Building an indexer from settings: the chain, the deployment, the database."""

from __future__ import annotations

from sqlalchemy import Engine

from backend.chain.compiler import load_artifacts
from backend.chain.deploy import Deployment, load_deployment
from backend.indexer.indexer import BatchCallback, Indexer
from backend.indexer.rpc import JsonRpc
from backend.settings import Settings


def build_indexer(
    settings: Settings,
    engine: Engine,
    rpc_url: str,
    deployment: Deployment | None = None,
    on_batch: BatchCallback | None = None,
) -> Indexer:
    rpc = JsonRpc(rpc_url, settings.rpc_timeout_seconds, retries=settings.rpc_read_retries)
    artifacts = load_artifacts()
    if deployment is None:
        chain_id = int(rpc.call("eth_chainId", []), 16)
        deployment = load_deployment(settings.deployments_dir, chain_id)
    deployment.check_current(artifacts)
    return Indexer(
        engine,
        rpc,
        deployment,
        artifacts,
        confirmation_depth=settings.confirmation_depth,
        final_depth=settings.final_depth,
        max_range=settings.indexer_max_range,
        on_batch=on_batch,
    )
