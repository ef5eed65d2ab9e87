"""What the API's requests need, built once per process: settings, database, the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from web3 import Web3

from backend.chain.compiler import Artifact
from backend.chain.contracts import Ledger
from backend.chain.deploy import Deployment
from backend.ratelimit import Limiter, rate_limiter
from backend.scoring.store import ModelStore
from backend.settings import Settings
from backend.workers.supervisor import Supervisor


@dataclass
class Services:
    """One ledger (and so one nonce counter for the operator's account) per process."""

    settings: Settings
    engine: Engine
    ledger: Ledger
    supervisor: Supervisor | None = None  # the background workers run in this process, if any
    rate_limiter: Limiter = field(init=False)
    models: ModelStore = field(init=False)

    def __post_init__(self) -> None:
        self.models = ModelStore(self.settings.models_dir)
        self.rate_limiter = rate_limiter(self.settings)

    @property
    def w3(self) -> Web3:
        return self.ledger.w3

    @property
    def deployment(self) -> Deployment:
        return self.ledger.deployment

    @property
    def artifacts(self) -> dict[str, Artifact]:
        return self.ledger.artifacts

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id
