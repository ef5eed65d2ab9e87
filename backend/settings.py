"""Settings of the service, from the environment (prefix ``SCF_``) or a ``.env`` file.

This is the only module that reads the environment. ``get_settings()`` returns one cached instance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.enums import Environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# anvil's first well-known development key (mnemonic "test test ... junk"). It is public: accepted
# only in development, where the operator of a local chain needs some key.
DEVELOPMENT_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


# Public placeholders, refused outside development.
DEVELOPMENT_AUTH_SECRET = "development-only-secret-change-me"
DEVELOPMENT_DOCUMENT_KEY = "00" * 32


class Settings(BaseSettings):
    """Everything configurable, with embedded defaults that run on one machine."""

    model_config = SettingsConfigDict(env_prefix="SCF_", env_file=".env", extra="ignore")

    environment: Environment = Field(
        Environment.DEVELOPMENT, description="development | test | production"
    )
    rpc_url: str | None = Field(
        None, description="JSON-RPC URL of the EVM node; empty starts a local anvil"
    )
    public_rpc_url: str | None = Field(
        None,
        description="JSON-RPC URL browsers read the chain from (GET /ledger); empty: rpc_url",
    )
    operator_key: str = Field(
        DEVELOPMENT_OPERATOR_KEY,
        description="private key of the operator (registry admin, relayer)",
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="where local state is kept")
    deployments_dir: Path = Field(
        PROJECT_ROOT / "deployments", description="deployments/<chainId>.json files"
    )
    models_dir: Path = Field(
        PROJECT_ROOT / "models", description="trained scoring models (scf model train --out)"
    )
    build_dir: Path = Field(PROJECT_ROOT / "build", description="compiled contract artifacts")
    contracts_dir: Path = Field(PROJECT_ROOT / "contracts", description="Solidity sources")
    node_modules_dir: Path = Field(
        PROJECT_ROOT / "node_modules", description="npm packages: anvil, solc-js, OpenZeppelin"
    )
    anvil_block_time: float | None = Field(
        None, description="seconds between anvil blocks; empty mines on every transaction"
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; empty is SQLite in the data directory (scf.db)"
    )
    confirmation_depth: int = Field(
        0, ge=0, description="blocks behind the head the indexer stays (0: index the head)"
    )
    final_depth: int = Field(
        64, ge=1, description="a reorg deeper than this many blocks stops the indexer"
    )
    indexer_max_range: int = Field(
        5_000, ge=1, description="most blocks one eth_getLogs call, and one write, covers"
    )
    indexer_poll_seconds: float = Field(1.0, gt=0, description="follow mode: wait between polls")
    auth_secret: str = Field(
        DEVELOPMENT_AUTH_SECRET, description="HMAC secret of the API's bearer tokens"
    )
    auth_token_seconds: int = Field(900, gt=0, description="lifetime of a bearer token")
    auth_challenge_seconds: int = Field(300, gt=0, description="lifetime of a sign-in challenge")
    api_domain: str = Field("localhost", description="domain named in sign-in messages")
    api_uri: str = Field("http://localhost:8000", description="URI named in sign-in messages")
    max_body_bytes: int = Field(2_000_000, gt=0, description="largest request body accepted")
    max_batch_items: int = Field(1_000, gt=0, description="most trades in one batch request")
    rate_limit_per_second: float = Field(50.0, gt=0, description="requests per principal")
    rate_limit_burst: int = Field(200, gt=0, description="burst allowance per principal")
    relayer_batch_size: int = Field(
        100,
        gt=0,
        le=150,
        description="most trades in one transaction (nodes refuse transactions over 128 KiB; "
        "a trade is ~640 bytes of calldata)",
    )
    relayer_max_wait_seconds: float = Field(
        0.2, ge=0, description="longest a queued item waits for its batch to fill"
    )
    rpc_timeout_seconds: float = Field(
        30.0, gt=0, description="timeout of each JSON-RPC request to the node"
    )
    rpc_read_retries: int = Field(
        2,
        ge=0,
        description="a read the node did not answer is tried again this many times (never a send)",
    )
    worker_backoff_initial_seconds: float = Field(
        0.5, gt=0, description="a failed worker's first pause before it runs again (doubling)"
    )
    worker_backoff_max_seconds: float = Field(
        30.0, gt=0, description="the longest pause between a failed worker's attempts"
    )
    worker_max_unknown_failures: int = Field(
        5, ge=1, description="an unclassified worker error this many times in a row is fatal"
    )
    leader_wait_seconds: float = Field(
        0.0,
        ge=0,
        description="how long `scf serve` waits for another process's relayer or "
        "indexer lock before it exits (code 2)",
    )
    ready_max_lag_blocks: int = Field(
        50, ge=0, description="/readyz: most blocks the indexer may lag the node's head"
    )
    ready_max_queue_age_seconds: float = Field(
        300.0, gt=0, description="/readyz: oldest a queued submission may be"
    )
    ready_timeout_seconds: float = Field(
        2.0, gt=0, description="/readyz: timeout of its database and node checks"
    )
    document_key: str = Field(
        DEVELOPMENT_DOCUMENT_KEY, description="AES-256-GCM key (64 hex digits) for documents"
    )

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'scf.db'}"

    def check_safe(self) -> None:
        """Refuse the public development placeholders anywhere but development."""
        if self.environment == Environment.DEVELOPMENT:
            return
        placeholders = {
            "SCF_OPERATOR_KEY": self.operator_key == DEVELOPMENT_OPERATOR_KEY,
            "SCF_AUTH_SECRET": self.auth_secret == DEVELOPMENT_AUTH_SECRET,
            "SCF_DOCUMENT_KEY": self.document_key == DEVELOPMENT_DOCUMENT_KEY,
        }
        unsafe = [name for name, is_placeholder in placeholders.items() if is_placeholder]
        if unsafe:
            raise ValueError(
                f"{', '.join(unsafe)} still the public development placeholder; set real "
                f"values for environment {self.environment.value!r}"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.check_safe()
    return settings
