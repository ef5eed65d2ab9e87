"""Device telemetry over MQTT: one topic and one JSON payload per device kind, validated, and
aggregated per device and period into what an oracle attests.

Topic ``scf/v1/telemetry/{kind}/{device_id}``: ``kind`` a DeviceKind slug (``production-line``,
``machine-tool``, ``furnace``, ``energy-meter``, ``vehicle``, ``warehouse-scanner``), ``device_id``
the device's 0x-hex id (keccak256 of its identifier). Every payload carries ``seq`` (the device's
message counter: a repeated seq is a duplicate) and ``ts`` (Unix seconds of the reading).

- production-line, machine-tool, furnace: ``units`` (pieces made since the previous message),
  ``running_s`` (seconds the device ran since then), ``energy_wh`` (Wh used since then);
- energy-meter: ``energy_wh`` (and ``running_s``, optional);
- vehicle, warehouse-scanner: a delivery: ``trade_id`` (0x-hex 32 bytes), ``quantity`` (pieces
  handed over), ``place`` (where, free text; attested as its keccak256).

All counts are non-negative JSON integers. Anything else is malformed (logged, counted, dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from eth_utils import keccak

from backend.attestations.typed_data import DeviceKind

TOPIC_PREFIX = "scf/v1/telemetry"
TOPIC_FILTER = f"{TOPIC_PREFIX}/+/+"
PRODUCING = {DeviceKind.PRODUCTION_LINE, DeviceKind.MACHINE_TOOL, DeviceKind.FURNACE}
DELIVERING = {DeviceKind.VEHICLE, DeviceKind.WAREHOUSE_SCANNER}
MAX_COUNT = 2**53 - 1
MAX_RUNNING_S = 86_400
_HEX32 = re.compile(r"^0x[0-9a-f]{64}$")
FIELDS: dict[str, tuple[str, ...]] = {
    "production": ("units", "running_s", "energy_wh"),
    "energy": ("energy_wh",),
    "delivery": ("trade_id", "quantity", "place"),
}


class Malformed(ValueError):
    """A message the oracle drops; ``reason`` is the metric label."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def topic(kind: DeviceKind, device_id: bytes) -> str:
    return f"{TOPIC_PREFIX}/{kind.slug}/0x{device_id.hex()}"


@dataclass(frozen=True)
class Reading:
    """One validated message."""

    kind: DeviceKind
    device_id: str  # 0x-hex
    seq: int
    ts: int
    values: dict[str, Any]
    raw: dict[str, Any]  # the payload as received, kept off chain


def _count(
    payload: dict[str, Any], name: str, *, required: bool = True, top: int = MAX_COUNT
) -> int:
    value = payload.get(name, None if required else 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        raise Malformed("bad_field", f"{name} must be an integer from 0 to {top}")
    return value


def parse(topic_name: str, body: bytes) -> Reading:
    """The message as a reading, or :class:`Malformed` saying why not."""
    parts = topic_name.split("/")
    if len(parts) != 5 or "/".join(parts[:3]) != TOPIC_PREFIX:
        raise Malformed("bad_topic", topic_name)
    try:
        kind = DeviceKind.from_slug(parts[3])
    except KeyError:
        raise Malformed("bad_topic", f"unknown device kind {parts[3]!r}") from None
    device_id = parts[4].lower()
    if not _HEX32.fullmatch(device_id):
        raise Malformed("bad_topic", "the device id must be 0x and 64 hex digits")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Malformed("bad_json", "the payload is not JSON") from None
    if not isinstance(payload, dict):
        raise Malformed("bad_json", "the payload must be a JSON object")
    seq, ts = _count(payload, "seq"), _count(payload, "ts")
    values: dict[str, Any]
    if kind in PRODUCING:
        values = {
            "units": _count(payload, "units"),
            "running_s": _count(payload, "running_s", top=MAX_RUNNING_S),
            "energy_wh": _count(payload, "energy_wh"),
        }
    elif kind == DeviceKind.ENERGY_METER:
        values = {
            "units": 0,
            "running_s": _count(payload, "running_s", required=False, top=MAX_RUNNING_S),
            "energy_wh": _count(payload, "energy_wh"),
        }
    else:
        trade_id, place = payload.get("trade_id"), payload.get("place")
        if not isinstance(trade_id, str) or not _HEX32.fullmatch(trade_id.lower()):
            raise Malformed("bad_field", "trade_id must be 0x and 64 hex digits")
        if not isinstance(place, str) or not 0 < len(place) <= 200:
            raise Malformed("bad_field", "place must be a string of 1 to 200 characters")
        quantity = _count(payload, "quantity")
        if quantity == 0:
            raise Malformed("bad_field", "a delivery of nothing")
        values = {"trade_id": trade_id.lower(), "quantity": quantity, "place": place}
    return Reading(kind, device_id, seq, ts, values, payload)


def canonical(device_id: str, raw: list[dict[str, Any]]) -> dict[str, Any]:
    """The document an attestation commits to: the device and its raw messages in seq order."""
    return {"device_id": device_id, "messages": sorted(raw, key=lambda message: message["seq"])}


def data_hash(device_id: str, raw: list[dict[str, Any]]) -> bytes:
    """keccak256 of :func:`canonical` as JSON with sorted keys and no spaces; the oracle keeps the
    document (``telemetry_record``), so anyone can check a dispute against the chain."""
    return keccak(orjson.dumps(canonical(device_id, raw), option=orjson.OPT_SORT_KEYS))


def place_hash(place: str) -> bytes:
    return keccak(text=place)


@dataclass
class Period:
    """The readings of one device in one period, summed."""

    device_id: str
    start: int
    end: int
    units: int = 0
    running_s: int = 0
    energy_wh: int = 0
    raw: list[dict[str, Any]] = field(default_factory=list)

    def add(self, reading: Reading) -> None:
        self.units += reading.values["units"]
        self.running_s += reading.values["running_s"]
        self.energy_wh += reading.values["energy_wh"]
        self.raw.append(reading.raw)

    @property
    def running_seconds(self) -> int:
        # A device runs at most the whole period; readings straddling its edge are not split.
        return min(self.running_s, self.end - self.start)
