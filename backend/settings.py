"""Settings of the service, from the environment (prefix ``SCF_``) or a ``.env`` file.

This is the only module that reads the environment. ``get_settings()`` returns one cached instance.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# anvil's first well-known development key (mnemonic "test test ... junk"). It is public: accepted
# only in development, where the operator of a local chain needs some key.
DEVELOPMENT_OPERATOR_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


class Settings(BaseSettings):
    """Everything configurable, with embedded defaults that run on one machine."""

    model_config = SettingsConfigDict(env_prefix="SCF_", env_file=".env", extra="ignore")

    environment: str = Field("development", description="development | test | production")
    rpc_url: str | None = Field(
        None, description="JSON-RPC URL of the EVM node; empty starts a local anvil"
    )
    operator_key: str = Field(
        DEVELOPMENT_OPERATOR_KEY,
        description="private key of the operator (registry admin, relayer)",
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="where local state is kept")
    deployments_dir: Path = Field(
        PROJECT_ROOT / "deployments", description="deployments/<chainId>.json files"
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
        5_000, ge=1, description="most blocks one eth_getLogs call asks for"
    )
    indexer_poll_seconds: float = Field(1.0, gt=0, description="follow mode: wait between polls")

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'scf.db'}"

    def check_safe(self) -> None:
        """Refuse the public development key anywhere but development."""
        if self.environment != "development" and self.operator_key == DEVELOPMENT_OPERATOR_KEY:
            raise ValueError(
                "SCF_OPERATOR_KEY is the public anvil development key; set a real key "
                f"for environment {self.environment!r}"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.check_safe()
    return settings
