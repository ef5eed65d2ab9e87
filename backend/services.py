"""What the API's requests need, built once per process: settings, database, chain, relayer."""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_account import Account
from sqlalchemy import Engine
from web3 import Web3

from backend.chain.compiler import Artifact
from backend.chain.contracts import Ledger
from backend.chain.deploy import Deployment
from backend.ratelimit import RateLimiter
from backend.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: Engine
    w3: Web3
    deployment: Deployment
    artifacts: dict[str, Artifact]
    rate_limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.rate_limiter = RateLimiter(
            self.settings.rate_limit_per_second, self.settings.rate_limit_burst
        )
        self.ledger = Ledger(
            self.w3, self.deployment, self.artifacts, Account.from_key(self.settings.operator_key)
        )

    @property
    def chain_id(self) -> int:
        return self.deployment.chain_id
