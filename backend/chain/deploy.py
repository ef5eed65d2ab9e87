"""Deploys the ledger contracts and records where: ``deployments/<chainId>.json``.

Python code finds contracts through that file (addresses, deploy block) and the compiler output
(ABIs); a deployment whose ABI hashes no longer match the compiled sources is refused as stale.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from backend.chain.compiler import Artifact
from backend.chain.transactor import Transactor
from backend.errors import LedgerError

logger = logging.getLogger(__name__)


class DeploymentError(LedgerError, code="deployment_error", status=503):
    """No deployment is recorded for the chain, or it was made from other sources than these."""


@dataclass(frozen=True)
class DeployedContract:
    """Where one contract is, the hash of the ABI it was deployed with, and its deploy block."""

    address: str
    abi_hash: str
    block: int


@dataclass(frozen=True)
class Deployment:
    """The ledger's contracts on one chain, as ``deployments/<chainId>.json`` records them."""

    chain_id: int
    deploy_block: int
    contracts: dict[str, DeployedContract]

    def address(self, name: str) -> str:
        return self.contracts[name].address

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        return cls(
            chain_id=int(data["chain_id"]),
            deploy_block=int(data["deploy_block"]),
            contracts={k: DeployedContract(**v) for k, v in data["contracts"].items()},
        )

    def check_current(self, artifacts: dict[str, Artifact]) -> None:
        """Refuse a deployment made from other sources than the ones compiled now."""
        stale = [
            name
            for name, deployed in self.contracts.items()
            if name not in artifacts or artifacts[name].abi_hash != deployed.abi_hash
        ]
        # A deployment made before a contract joined the ledger lacks it: stale too.
        stale += [name for name, _ in LEDGER_CONTRACTS if name not in self.contracts]
        if stale:
            raise DeploymentError(
                f"deployment on chain {self.chain_id} is stale for {', '.join(stale)}: "
                "the contracts changed since; run `scf deploy` again"
            )


# Deployment order and constructor arguments, by name of what was deployed before.
ConstructorArgs = Callable[[str, dict[str, str]], list[Any]]
LEDGER_CONTRACTS: list[tuple[str, ConstructorArgs]] = [
    ("FirmRegistry", lambda operator, _: [operator]),
    ("TradeLedger", lambda _, deployed: [deployed["FirmRegistry"]]),
    ("ConsentRegistry", lambda _, deployed: [deployed["FirmRegistry"]]),
    ("DecisionLog", lambda operator, deployed: [deployed["FirmRegistry"], operator]),
    (
        "ReceivableLedger",
        lambda operator, deployed: [deployed["FirmRegistry"], deployed["TradeLedger"], operator],
    ),
    ("AttestationLedger", lambda _, deployed: [deployed["FirmRegistry"], deployed["TradeLedger"]]),
]


def deploy_ledger(transactor: Transactor, artifacts: dict[str, Artifact]) -> Deployment:
    """Deploy every ledger contract in order; return where they are."""
    addresses: dict[str, str] = {}
    contracts: dict[str, DeployedContract] = {}
    for name, constructor_args in LEDGER_CONTRACTS:
        artifact = artifacts[name]
        receipt = transactor.deploy(
            artifact.abi, artifact.bytecode, *constructor_args(transactor.address, addresses)
        )
        address = str(receipt["contractAddress"])
        addresses[name] = address
        contracts[name] = DeployedContract(address, artifact.abi_hash, int(receipt["blockNumber"]))
        logger.info("deploy.contract name=%s address=%s gas=%d", name, address, receipt["gasUsed"])
    # The trade ledger refuses trade-level payments on an invoice that became a receivable.
    trade_ledger = transactor.w3.eth.contract(
        address=to_checksum_address(addresses["TradeLedger"]), abi=artifacts["TradeLedger"].abi
    )
    transactor.send(trade_ledger.functions.bindReceivableLedger(addresses["ReceivableLedger"]))
    first_block = min(c.block for c in contracts.values())
    return Deployment(
        chain_id=transactor.w3.eth.chain_id, deploy_block=first_block, contracts=contracts
    )


def deployment_path(deployments_dir: Path, chain_id: int) -> Path:
    return deployments_dir / f"{chain_id}.json"


def save_deployment(deployment: Deployment, deployments_dir: Path) -> Path:
    deployments_dir.mkdir(parents=True, exist_ok=True)
    path = deployment_path(deployments_dir, deployment.chain_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(deployment.to_json(), indent=2) + "\n")
    temporary.replace(path)
    return path


def load_deployment(deployments_dir: Path, chain_id: int) -> Deployment:
    path = deployment_path(deployments_dir, chain_id)
    if not path.exists():
        raise DeploymentError(f"no deployment for chain {chain_id} at {path}; run `scf deploy`")
    return Deployment.from_json(json.loads(path.read_text()))
