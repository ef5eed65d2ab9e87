"""``scf oracle``: telemetry from the MQTT broker to signed attestations in the outbox.

Each message is validated (backend/attestations/telemetry.py) and classified: *accepted*;
*out_of_order* (an older seq than one already seen: still summed, a period's sum does not depend
on order); *duplicate* (a seq seen before, or a trade already delivered: dropped); *late* (for a
period already attested: dropped, the chain attests a period once); *malformed* (logged and
dropped); *unknown_device* (not a device this oracle registered, or disputed); *not_party* (a
delivery of a trade whose parties did not appoint this oracle). Every outcome is counted in
``scf_oracle_messages_total``.

A device's period closes once the device reports a reading past its end plus the grace time, or
once the device was quiet for ``quiet_seconds`` after that time passed; closed periods are signed
with the oracle's key and queued, all of them in one outbox row (one ``attestBatch``), with their
raw messages stored under the data hash they commit to. Deliveries are queued in the same round.

The broker may go away: the oracle reconnects with the supervisor's backoff and subscribes again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from backend.attestations import telemetry
from backend.attestations.models import ACTIVE, CarrierAppointment, Device, TelemetryRecord
from backend.attestations.service import queue_attestations
from backend.attestations.telemetry import DELIVERING, Malformed, Period, Reading
from backend.attestations.typed_data import Delivery, DeviceKind, Production
from backend.chain.attestations import SignedAttestation, sign_attestation
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Domain
from backend.workers import metrics
from backend.workers.supervisor import Backoff

logger = logging.getLogger(__name__)

MAX_FUTURE_SECONDS = 300  # a reading from further ahead than the chain would take is malformed
MAX_ITEMS_PER_BATCH = 100
SEEN_PER_DEVICE = 10_000  # seqs remembered per device to recognise duplicates


@dataclass(frozen=True)
class OracleConfig:
    host: str = "127.0.0.1"
    port: int = 1883
    period_seconds: int = 3_600
    grace_seconds: int = 60
    quiet_seconds: float = 5.0
    client_id: str = "scf-oracle"
    keepalive: int = 10


@dataclass
class _DeviceState:
    kind: DeviceKind
    closed_until: int  # end of the last period queued for attestation
    seen: dict[int, None] = field(default_factory=dict)  # insertion-ordered set of seqs
    max_seq: int = -1
    watermark: int = 0  # latest reading time
    heard_at: float = 0.0
    open: dict[int, Period] = field(default_factory=dict)  # by period start


class Oracle:
    """The oracle's state and its MQTT connection. :meth:`handle` and :meth:`flush` need no
    broker (tests and the bench drive them directly); :meth:`run` adds the broker."""

    def __init__(
        self,
        engine: Engine,
        signer: Signer,
        domain: Domain,
        config: OracleConfig | None = None,
        clock: Any = time.time,
    ) -> None:
        self.engine = engine
        self.signer = signer
        self.domain = domain
        self.config = config or OracleConfig()
        self.clock = clock
        self.counts: Counter[str] = Counter()
        self.queued: Counter[str] = Counter()
        self.reconnects = 0
        self._devices: dict[str, _DeviceState | None] = {}
        self._deliveries: list[tuple[Reading, str]] = []
        self._delivered: set[str] = set()
        self._client: mqtt.Client | None = None
        self._connected = False
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        return self._connected

    # ─────────────────────────────────────────────────────── messages

    def handle(self, topic_name: str, body: bytes) -> str:
        """Classify one message and keep what counts; returns (and counts) its outcome."""
        with self._lock:
            try:
                outcome = self._classify(telemetry.parse(topic_name, body))
            except Malformed as reason:
                logger.warning("oracle.malformed topic=%s reason=%s", topic_name[:120], reason)
                outcome = "malformed"
            except Exception:  # never let one message stop the service
                logger.exception("oracle.message_failed topic=%s", topic_name[:120])
                outcome = "malformed"
        self.counts[outcome] += 1
        metrics.ORACLE_MESSAGES.labels(outcome).inc()
        return outcome

    def _classify(self, reading: Reading) -> str:
        state = self._device(reading.device_id)
        if state is None:
            return "unknown_device"
        if state.kind != reading.kind:
            raise Malformed("bad_topic", f"device {reading.device_id} is a {state.kind.slug}")
        if reading.ts > self.clock() + MAX_FUTURE_SECONDS:
            raise Malformed("future", f"reading at {reading.ts} is in the future")
        if reading.seq in state.seen:
            return "duplicate"
        if reading.kind in DELIVERING:
            return self._delivery(state, reading)
        period = self.config.period_seconds
        start = reading.ts - reading.ts % period
        if start < state.closed_until:
            return "late"
        self._remember(state, reading)
        if start not in state.open:
            state.open[start] = Period(reading.device_id, start, start + period)
        state.open[start].add(reading)
        outcome = "out_of_order" if reading.seq < state.max_seq else "accepted"
        state.max_seq = max(state.max_seq, reading.seq)
        state.watermark = max(state.watermark, reading.ts)
        state.heard_at = self.clock()
        return outcome

    def _delivery(self, state: _DeviceState, reading: Reading) -> str:
        trade_id = reading.values["trade_id"]
        if trade_id in self._delivered:
            return "duplicate"
        with Session(self.engine) as session:
            appointed = session.get(CarrierAppointment, (trade_id, self.signer.address))
        if appointed is None:
            return "not_party"
        self._remember(state, reading)
        self._delivered.add(trade_id)
        self._deliveries.append((reading, reading.device_id))
        return "accepted"

    def _remember(self, state: _DeviceState, reading: Reading) -> None:
        state.seen[reading.seq] = None
        if len(state.seen) > SEEN_PER_DEVICE:
            del state.seen[next(iter(state.seen))]

    def _device(self, device_id: str) -> _DeviceState | None:
        """This oracle's active device, from the indexed registry (a miss is looked up again)."""
        state = self._devices.get(device_id)
        if state is not None:
            return state
        with Session(self.engine) as session:
            row = session.get(Device, device_id)
            if row is None or row.oracle != self.signer.address or row.status != ACTIVE:
                return None
            closed_until = session.exec(
                select(func.max(TelemetryRecord.period_end)).where(
                    TelemetryRecord.device_id == device_id
                )
            ).one()
        state = _DeviceState(DeviceKind(row.kind), int(closed_until or 0))
        self._devices[device_id] = state
        return state

    # ─────────────────────────────────────────────────────── attesting

    def flush(self) -> int:
        """Sign and queue every closed period and pending delivery; returns how many."""
        with self._lock:
            closed = self._closed_periods()
            deliveries, self._deliveries = self._deliveries, []
        items: list[tuple[SignedAttestation, TelemetryRecord]] = []
        for period in closed:
            items.append(self._production(period))
        for reading, device_id in deliveries:
            items.append(self._delivery_item(reading, device_id))
        for start in range(0, len(items), MAX_ITEMS_PER_BATCH):
            self._queue(items[start : start + MAX_ITEMS_PER_BATCH])
        return len(items)

    def _closed_periods(self) -> list[Period]:
        now, grace = self.clock(), self.config.grace_seconds
        closed = []
        for state in self._devices.values():
            if state is None:
                continue
            quiet = now - state.heard_at >= self.config.quiet_seconds
            for start in sorted(state.open):
                period = state.open[start]
                due = period.end + grace
                if state.watermark < due and not (quiet and now >= due):
                    break  # periods close in order
                closed.append(state.open.pop(start))
                state.closed_until = period.end
        return closed

    def _production(self, period: Period) -> tuple[SignedAttestation, TelemetryRecord]:
        digest = telemetry.data_hash(period.device_id, period.raw)
        attestation = Production(
            bytes.fromhex(period.device_id[2:]), period.start, period.end, period.units,
            period.running_seconds, period.energy_wh, digest,
        )  # fmt: skip
        record = self._record(digest, period.device_id, period.start, period.end, period.raw)
        return sign_attestation(self.signer, attestation, self.domain), record

    def _delivery_item(
        self, reading: Reading, device_id: str
    ) -> tuple[SignedAttestation, TelemetryRecord]:
        digest = telemetry.data_hash(device_id, [reading.raw])
        attestation = Delivery(
            bytes.fromhex(reading.values["trade_id"][2:]), reading.ts,
            telemetry.place_hash(reading.values["place"]), reading.values["quantity"], digest,
        )  # fmt: skip
        record = self._record(digest, device_id, reading.ts, reading.ts, [reading.raw])
        return sign_attestation(self.signer, attestation, self.domain), record

    def _record(
        self, digest: bytes, device_id: str, start: int, end: int, raw: list[dict[str, Any]]
    ) -> TelemetryRecord:
        document = telemetry.canonical(device_id, raw)["messages"]
        return TelemetryRecord(
            data_hash="0x" + digest.hex(), device_id=device_id, period_start=start,
            period_end=end, raw=document, created_at=time.time(),
        )  # fmt: skip

    def _queue(self, items: list[tuple[SignedAttestation, TelemetryRecord]]) -> None:
        """The raw data and the outbox row in one transaction: what is attested is kept."""
        with Session(self.engine) as session:
            for _, record in items:
                session.merge(record)
            queue_attestations(session, self.signer.address, self.domain, [i for i, _ in items])
            session.commit()
        for item, _ in items:
            kind = "production" if isinstance(item.attestation, Production) else "delivery"
            self.queued[kind] += 1
            metrics.ORACLE_ATTESTATIONS.labels(kind).inc()
        logger.info("oracle.queued attestations=%d", len(items))

    # ─────────────────────────────────────────────────────── the broker

    def run(self, stop: threading.Event, backoff: Backoff | None = None) -> None:
        """Until ``stop``: connect (retrying with backoff), receive, attest what closed."""
        backoff = backoff or Backoff(initial=0.5, maximum=10.0)
        failures = 0
        while not stop.is_set():
            if not self._connected and not self._connect():
                failures += 1
                stop.wait(backoff.delay(failures))
                continue
            failures = 0
            assert self._client is not None
            rc = self._client.loop(timeout=0.2)
            if rc != mqtt.MQTT_ERR_SUCCESS:
                self._lost(f"loop rc={rc}")
            self.flush()
        self.flush()
        if self._client is not None:
            self._client.disconnect()
        metrics.ORACLE_CONNECTED.set(0)

    def _connect(self) -> bool:
        try:
            if self._client is None:
                self._client = self._new_client()
                self._client.connect(self.config.host, self.config.port, self.config.keepalive)
            else:
                self._client.reconnect()
        except OSError as error:
            logger.warning("oracle.broker_unreachable host=%s port=%d error=%s",
                           self.config.host, self.config.port, error)  # fmt: skip
            return False
        self._connected = True
        metrics.ORACLE_CONNECTED.set(1)
        return True

    def _lost(self, why: str) -> None:
        logger.warning("oracle.broker_lost %s", why)
        self._connected = False
        self.reconnects += 1
        metrics.ORACLE_RECONNECTS.inc()
        metrics.ORACLE_CONNECTED.set(0)

    def _new_client(self) -> mqtt.Client:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.config.client_id)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        return client

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _p: Any
    ) -> None:
        if reason.is_failure:
            self._lost(f"connect refused: {reason}")
            return
        client.subscribe(telemetry.TOPIC_FILTER, qos=1)  # again after every reconnect
        logger.info("oracle.subscribed filter=%s", telemetry.TOPIC_FILTER)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.handle(message.topic, bytes(message.payload))
