"""The service's on-chain enums are the contracts' own: same names, same numbers, in the Solidity
sources and in the compiled ABIs (``artifacts/contracts.json``), so the two cannot drift."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path

import pytest

from backend import enums
from backend.chain.compiler import load_artifacts
from backend.enums import (
    ConsentScope,
    DeviceKind,
    DeviceStatus,
    FirmStatus,
    ReceivableStatus,
    Role,
    TradeKind,
    TradeStatus,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "contracts").rglob("*.sol"))
#: Solidity ``enum`` -> the Python enum that mirrors it.
SOLIDITY_ENUMS: dict[str, type[Enum]] = {
    "IFirmRegistry.FirmStatus": FirmStatus,
    "ITradeLedger.TradeKind": TradeKind,
    "ITradeLedger.TradeStatus": TradeStatus,
    "IReceivableLedger.ReceivableStatus": ReceivableStatus,
    "IAttestationLedger.DeviceKind": DeviceKind,
    "IAttestationLedger.DeviceStatus": DeviceStatus,
}
#: Solidity constants (``<contract>.<prefix>NAME``) -> the Python flag that mirrors them.
SOLIDITY_FLAGS: dict[tuple[str, str], type[Enum]] = {
    ("Roles", ""): Role,
    ("ConsentRegistry", "SCOPE_"): ConsentScope,
}
_ENUM = re.compile(r"\benum\s+(\w+)\s*\{([^}]*)\}")
_CONTRACT = re.compile(r"\b(?:contract|interface|library)\s+(\w+)")
_CONSTANT = re.compile(
    r"\buint\d+\s+(?:internal|public|private)?\s*constant\s+(\w+)\s*=\s*(\d+)\s*;"
)


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


def solidity_enums() -> dict[str, list[str]]:
    """``Contract.Enum`` -> its members in order, from every source file."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        text = re.sub(r"//[^\n]*", "", path.read_text())
        contract = _CONTRACT.search(text)
        assert contract is not None, path
        for name, body in _ENUM.findall(text):
            found[f"{contract.group(1)}.{name}"] = [m.strip() for m in body.split(",") if m.strip()]
    return found


def solidity_constants(contract: str) -> dict[str, int]:
    text = (ROOT / "contracts" / f"{contract}.sol").read_text()
    return {name: int(value) for name, value in _CONSTANT.findall(text)}


def abi_enum_types() -> set[str]:
    """Every ``enum X.Y`` an ABI names (inputs, outputs, event and error arguments, nested)."""
    found: set[str] = set()

    def walk(parameter: dict) -> None:
        internal = parameter.get("internalType", "")
        if internal.startswith("enum "):
            assert parameter["type"] == "uint8", parameter
            found.add(internal.removeprefix("enum "))
        for child in parameter.get("components", []):
            walk(child)

    for artifact in load_artifacts().values():
        for item in artifact.abi:
            for parameter in item.get("inputs", []) + item.get("outputs", []):
                walk(parameter)
    return found


@pytest.mark.parametrize("solidity_name", sorted(SOLIDITY_ENUMS))
def test_each_enum_has_the_contracts_members_in_their_order(solidity_name: str) -> None:
    members = solidity_enums()[solidity_name]
    python = SOLIDITY_ENUMS[solidity_name]
    assert [(m.name, m.value) for m in python] == [  # type: ignore[attr-defined]
        (_upper_snake(name), number) for number, name in enumerate(members)
    ]


def test_every_solidity_enum_has_its_python_mirror() -> None:
    assert set(solidity_enums()) == set(SOLIDITY_ENUMS)


def test_every_enum_the_abis_name_is_mirrored() -> None:
    assert abi_enum_types() <= set(SOLIDITY_ENUMS)
    assert abi_enum_types(), "the ABIs name no enum: are the compiled artifacts stale?"


@pytest.mark.parametrize(("contract", "prefix"), sorted(SOLIDITY_FLAGS))
def test_each_flag_has_the_contracts_constants(contract: str, prefix: str) -> None:
    constants = solidity_constants(contract)
    flag = SOLIDITY_FLAGS[(contract, prefix)]
    single_bits = {
        name.removeprefix(prefix): value
        for name, value in constants.items()
        if name.startswith(prefix) and value & (value - 1) == 0
    }
    assert {m.name: m.value for m in flag} == single_bits  # type: ignore[attr-defined]


def test_the_shared_constants_are_the_contracts() -> None:
    assert enums.TRADER == Role.SUPPLIER | Role.CORE
    ledger = solidity_constants("TradeLedger")
    assert "MAX_CLOCK_SKEW" not in ledger  # "5 minutes": a Solidity time unit, read below
    source = (ROOT / "contracts" / "TradeLedger.sol").read_text()
    assert re.search(r"MAX_CLOCK_SKEW\s*=\s*5 minutes;", source)
    assert enums.MAX_CLOCK_SKEW == 5 * 60
    assert enums.DAY == 24 * 60 * 60


def test_the_parser_reads_an_enum_and_its_members() -> None:
    text = "interface I { enum Colour { Red, DarkGreen } }"
    assert _ENUM.findall(text) == [("Colour", " Red, DarkGreen ")]
    assert _upper_snake("DarkGreen") == "DARK_GREEN"
