"""ABI decoding of raw logs without web3's per-log overhead.

Specs are built once from the compiled ABIs and the deployment: ``(address, topic0) -> spec``.
Our events' data are almost all static 32-byte words, which are sliced and converted directly;
anything dynamic (the ``bytes`` reason of ``TradeFailed``) goes through eth-abi.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from backend.chain.compiler import Artifact
from backend.chain.deploy import Deployment

EVENT_ID_SHIFT = 20  # event id = block_number << 20 | log_index


def event_id(block_number: int, log_index: int) -> int:
    return block_number << EVENT_ID_SHIFT | log_index


@lru_cache(maxsize=65_536)
def checksum(address_word: str) -> str:
    """Checksummed address from a 40-hex-digit string (cached: firms repeat endlessly)."""
    return to_checksum_address("0x" + address_word)


def _word_converter(abi_type: str) -> Callable[[str], Any] | None:
    """How to turn one 64-hex-digit word into a value, for static types; None if not static."""
    if abi_type == "address":
        return lambda word: checksum(word[24:])
    if abi_type.startswith("uint") or abi_type == "bool":
        return lambda word: int(word, 16) if abi_type != "bool" else int(word, 16) != 0
    if abi_type.startswith("int"):
        bits = 256

        def signed(word: str) -> int:
            value = int(word, 16)
            return value - (1 << bits) if value >= 1 << (bits - 1) else value

        return signed
    if abi_type == "bytes32":
        return lambda word: "0x" + word
    return None


@dataclass(frozen=True)
class EventSpec:
    contract: str
    name: str
    topic_names: tuple[str, ...]
    topic_converters: tuple[Callable[[str], Any], ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]
    data_converters: tuple[Callable[[str], Any], ...] | None  # None: decode with eth-abi

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        args = {
            name: convert(topic[2:])
            for name, convert, topic in zip(
                self.topic_names, self.topic_converters, topics[1:], strict=True
            )
        }
        payload = data[2:]
        if self.data_converters is not None:
            for position, (name, convert) in enumerate(
                zip(self.data_names, self.data_converters, strict=True)
            ):
                args[name] = convert(payload[position * 64 : (position + 1) * 64])
        else:
            values = abi_decode(list(self.data_types), bytes.fromhex(payload))
            for name, value in zip(self.data_names, values, strict=True):
                args[name] = _json_safe(value)
        return args


def _json_safe(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _spec(contract: str, entry: dict[str, Any]) -> EventSpec:
    indexed = [i for i in entry["inputs"] if i["indexed"]]
    data = [i for i in entry["inputs"] if not i["indexed"]]
    topic_converters = []
    for item in indexed:
        convert = _word_converter(item["type"])
        # An indexed dynamic value is stored as its hash: keep the hash.
        topic_converters.append(convert or (lambda word: "0x" + word))
    data_converters = [_word_converter(i["type"]) for i in data]
    static = all(c is not None for c in data_converters)
    return EventSpec(
        contract=contract,
        name=entry["name"],
        topic_names=tuple(i["name"] for i in indexed),
        topic_converters=tuple(topic_converters),
        data_names=tuple(i["name"] for i in data),
        data_types=tuple(i["type"] for i in data),
        data_converters=tuple(c for c in data_converters if c is not None) if static else None,
    )


def _signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"


class LogDecoder:
    """Decodes raw ``eth_getLogs`` entries of the deployed ledger contracts."""

    def __init__(self, deployment: Deployment, artifacts: dict[str, Artifact]) -> None:
        self._specs: dict[tuple[str, str], EventSpec] = {}
        self.addresses: list[str] = []
        for name, deployed in deployment.contracts.items():
            address = deployed.address.lower()
            self.addresses.append(address)
            for entry in artifacts[name].abi:
                if entry.get("type") == "event" and not entry.get("anonymous"):
                    topic0 = "0x" + keccak(text=_signature(entry)).hex()
                    self._specs[(address, topic0)] = _spec(name, entry)

    def spec_for(self, log: dict[str, Any]) -> EventSpec | None:
        topics = log["topics"]
        if not topics:
            return None
        return self._specs.get((log["address"].lower(), topics[0]))
