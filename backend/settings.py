"""Settings of the service, from the environment (prefix ``SCF_``) or a ``.env`` file.

This is the only module that reads the environment. ``get_settings()`` returns one cached instance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.enums import Environment

#: The source checkout this package was imported from (an editable install, or running from the
#: tree). Installed into site-packages, its parent is no project: see ``default_project_root``.
SOURCE_ROOT = Path(__file__).resolve().parent.parent


def default_project_root() -> Path:
    """The source checkout when ``backend`` is imported from one, else the working directory.

    The project root holds what no wheel ships: ``contracts/``, ``node_modules/`` (anvil, solc-js,
    OpenZeppelin) and ``scripts/solc``; local state (``data/``, ``deployments/``, ``models/``) and
    compiled ``artifacts/`` go under it unless their own settings say otherwise.
    """
    if (SOURCE_ROOT / "contracts").is_dir() and (SOURCE_ROOT / "pyproject.toml").is_file():
        return SOURCE_ROOT
    return Path.cwd()


def _under_root(name: str) -> Any:
    """A default of ``project_root / name``, read from the already validated ``project_root``."""
    return lambda data: data["project_root"] / name


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
    # Declared first: the paths below default to places under it.
    project_root: Path = Field(
        default_factory=default_project_root,
        description="the checkout holding contracts/, node_modules/ and scripts/solc "
        "(default: the source checkout, else the working directory)",
    )
    data_dir: Path = Field(default_factory=_under_root("data"), description="local state")
    deployments_dir: Path = Field(
        default_factory=_under_root("deployments"), description="deployments/<chainId>.json files"
    )
    models_dir: Path = Field(
        default_factory=_under_root("models"),
        description="trained scoring models (scf model train --out)",
    )
    artifacts_dir: Path = Field(
        default_factory=_under_root("artifacts"),
        description="compiled contract artifacts (apart from Python's build/)",
    )
    contracts_dir: Path = Field(
        default_factory=_under_root("contracts"), description="Solidity sources"
    )
    node_modules_dir: Path = Field(
        default_factory=_under_root("node_modules"),
        description="npm packages: anvil, solc-js, OpenZeppelin",
    )
    anvil_block_time: float | None = Field(
        None, description="seconds between anvil blocks; empty mines on every transaction"
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; empty is SQLite in the data directory (scf.db)"
    )
    oracle_key: str | None = Field(
        None, description="private key of the oracle `scf oracle` signs attestations for"
    )
    mqtt_host: str = Field("127.0.0.1", description="the MQTT broker `scf oracle` subscribes to")
    mqtt_port: int = Field(1883, ge=1, le=65_535, description="its port")
    oracle_period_seconds: int = Field(
        3_600, ge=60, description="the period an oracle sums a device's telemetry over"
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
    redis_url: str | None = Field(
        None,
        description="Redis URL (redis://host:port/db) shared by every API worker's rate limits; "
        "empty keeps them in each process's memory",
    )
    api_workers: int = Field(
        1, ge=1, description="API worker processes (`scf serve --workers` sets it for them)"
    )
    db_max_connections: int = Field(
        100,
        gt=0,
        description="connections the database accepts (PostgreSQL's max_connections): the "
        "processes' pools share it",
    )
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
    base_currency: int = Field(
        156,
        ge=0,
        le=999,
        description="ISO 4217 numeric code of the currency credit records are scored in (156 "
        "CNY); other currencies are listed beside it, never added to it",
    )
    network_interval_s: float = Field(
        60.0,
        gt=0,
        description="the network figures (PageRank, population) are recomputed by a background "
        "job at most this often, and only when blocks were indexed since",
    )
    record_max_age_s: float = Field(
        3_600.0,
        gt=0,
        description="a stored credit record older than this (chain time) is refreshed by the "
        "indexer's next cycle even without events of its firm (100 per cycle, oldest first)",
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
