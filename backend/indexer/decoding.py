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


WORD = 64  # hex digits of one 32-byte ABI word
Reader = Callable[[str], Any]


def _word_reader(abi_type: str, start: int) -> Reader | None:
    """How to read a static value from the word at hex offset ``start`` of a ``0x…`` string
    (a topic, or a log's whole data, so that no word is sliced out before it is read); None if
    the type is not static."""
    end = start + WORD
    if abi_type == "address":
        return lambda hex_string: checksum(hex_string[end - 40 : end])
    if abi_type == "bool":
        return lambda hex_string: int(hex_string[start:end], 16) != 0
    if abi_type.startswith("uint"):
        return lambda hex_string: int(hex_string[start:end], 16)
    if abi_type.startswith("int"):
        bits = 256

        def signed(hex_string: str) -> int:
            value = int(hex_string[start:end], 16)
            return value - (1 << bits) if value >= 1 << (bits - 1) else value

        return signed
    if abi_type == "bytes32":
        return lambda hex_string: "0x" + hex_string[start:end]
    return None


def _topic_reader(abi_type: str) -> Reader:
    """A bytes32 topic is its own value, and so is the hash an indexed dynamic value is kept as."""
    reader = None if abi_type == "bytes32" else _word_reader(abi_type, 2)
    return reader or _same


def _same(topic: str) -> str:
    return topic


@dataclass(frozen=True)
class EventSpec:
    contract: str
    name: str
    topic_names: tuple[str, ...]
    topic_readers: tuple[Reader, ...]
    data_names: tuple[str, ...]
    data_types: tuple[str, ...]
    data_readers: tuple[tuple[str, Reader], ...] | None  # None: decode with eth-abi

    def decode(self, topics: list[str], data: str) -> dict[str, Any]:
        args = {
            name: read(topic)
            for name, read, topic in zip(
                self.topic_names, self.topic_readers, topics[1:], strict=True
            )
        }
        if self.data_readers is not None:
            for name, read in self.data_readers:
                args[name] = read(data)
        else:
            values = abi_decode(list(self.data_types), bytes.fromhex(data[2:]))
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
    readers = [_word_reader(item["type"], 2 + WORD * n) for n, item in enumerate(data)]
    static = all(reader is not None for reader in readers)
    return EventSpec(
        contract=contract,
        name=entry["name"],
        topic_names=tuple(i["name"] for i in indexed),
        topic_readers=tuple(_topic_reader(i["type"]) for i in indexed),
        data_names=tuple(i["name"] for i in data),
        data_types=tuple(i["type"] for i in data),
        data_readers=(
            tuple((i["name"], r) for i, r in zip(data, readers, strict=True) if r is not None)
            if static
            else None
        ),
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
