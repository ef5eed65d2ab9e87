"""The oracle: telemetry classified and summed per device and period, signed, queued, relayed and
indexed; over the real MQTT broker (skipped, with the reason, when none answers), including an
outage of a broker of the test's own."""

from __future__ import annotations

import threading
import uuid

import orjson
import pytest
from sqlmodel import Session, select

from backend.attestations import telemetry
from backend.attestations.models import ProductionAttestation, TelemetryRecord
from backend.attestations.oracle import Oracle, OracleConfig
from backend.attestations.typed_data import DeviceKind
from backend.credit.record import compute_record
from backend.workers import metrics
from tests.mqtt import BROKER, OwnBroker, Publisher, broker_unavailable, wait_until

pytestmark = pytest.mark.chain

PERIOD = 60


def _config(port: int = BROKER[1]) -> OracleConfig:
    client_id = f"oracle-test-{uuid.uuid4().hex[:8]}"
    return OracleConfig(
        BROKER[0], port, PERIOD, grace_seconds=5, quiet_seconds=0.3, client_id=client_id
    )


def _oracle(engine, ledger, plant, port: int = BROKER[1]) -> Oracle:
    return Oracle(engine, plant["oracle"], ledger.attestations.domain, _config(port))


def _line_topic(plant) -> str:
    return telemetry.topic(DeviceKind.PRODUCTION_LINE, plant["line"].device_id)


def _base(ledger) -> int:
    """The start of a period a few periods back by the chain's clock."""
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    return now - now % PERIOD - 10 * PERIOD


def _reading(seq: int, ts: int, units: int = 10) -> bytes:
    return orjson.dumps({"seq": seq, "ts": ts, "units": units, "running_s": 20, "energy_wh": 300})


def _production(engine) -> list[ProductionAttestation]:
    with Session(engine) as session:
        return list(
            session.exec(select(ProductionAttestation).order_by(ProductionAttestation.period_start))
        )


# ─────────────────────────────────────────────────────────────── without a broker


def test_messages_are_classified_and_periods_summed(engine, ledger, relayer, indexer, plant):
    oracle = _oracle(engine, ledger, plant)
    topic, base = _line_topic(plant), _base(ledger)
    outcomes = [
        oracle.handle(topic, _reading(1, base + 5, units=10)),
        oracle.handle(topic, _reading(3, base + 40, units=30)),
        oracle.handle(topic, _reading(2, base + 20, units=20)),  # out of order: still summed
        oracle.handle(topic, _reading(3, base + 40, units=30)),  # the same seq again
        oracle.handle(topic, b"{not json"),
        oracle.handle(
            topic,
            orjson.dumps({"seq": 4, "ts": base + 50, "units": -1, "running_s": 1, "energy_wh": 1}),
        ),
        oracle.handle("scf/v1/telemetry/toaster/0x" + "00" * 32, _reading(5, base)),
        oracle.handle(
            telemetry.topic(DeviceKind.FURNACE, plant["line"].device_id), _reading(6, base)
        ),
        oracle.handle(telemetry.topic(DeviceKind.FURNACE, b"\x01" * 32), _reading(1, base)),
        oracle.handle(topic, _reading(7, base + PERIOD + 10, units=5)),  # closes the first period
    ]
    assert outcomes == [
        "accepted", "accepted", "out_of_order", "duplicate", "malformed", "malformed",
        "malformed", "malformed", "unknown_device", "accepted",
    ]  # fmt: skip
    assert oracle.flush() == 1
    assert oracle.handle(topic, _reading(8, base + 30)) == "late"  # its period is attested
    relayer.run_once()
    indexer.sync()
    (first,) = _production(engine)
    figures = (first.period_start, first.period_end, first.units, first.running_seconds)
    assert figures == (base, base + PERIOD, 60, 60)
    assert first.energy_wh == 900
    with Session(engine) as session:
        record = session.get(TelemetryRecord, first.data_hash)
    assert [m["seq"] for m in record.raw] == [1, 2, 3]
    assert "0x" + telemetry.data_hash(record.device_id, record.raw).hex() == first.data_hash


def test_a_restarted_oracle_does_not_attest_a_period_again(engine, ledger, relayer, indexer, plant):
    topic, base = _line_topic(plant), _base(ledger)
    first = _oracle(engine, ledger, plant)
    first.handle(topic, _reading(1, base + 5))
    first.handle(topic, _reading(2, base + PERIOD + 10))
    assert first.flush() == 1
    again = _oracle(engine, ledger, plant)  # a new process: what was queued is in the database
    assert again.handle(topic, _reading(3, base + 30)) == "late"
    assert again.handle(topic, _reading(4, base + PERIOD + 20)) == "accepted"


# ─────────────────────────────────────────────────────────────── over the broker


def _running(oracle: Oracle):
    stop = threading.Event()
    thread = threading.Thread(target=oracle.run, args=(stop,), daemon=True)
    thread.start()
    wait_until(lambda: oracle.connected, what="the oracle to connect")
    return stop, thread


def test_a_published_reading_becomes_an_on_chain_attestation(
    engine, ledger, relayer, indexer, plant
):
    if reason := broker_unavailable():
        pytest.skip(reason)
    oracle = _oracle(engine, ledger, plant)
    stop, thread = _running(oracle)
    publisher = Publisher(*BROKER)
    topic, base = _line_topic(plant), _base(ledger)
    malformed_before = (
        metrics.REGISTRY.get_sample_value("scf_oracle_messages_total", {"outcome": "malformed"})
        or 0
    )
    try:
        for seq, offset in ((1, 5), (2, 25), (2, 25), (3, 45)):
            publisher.publish(topic, _reading(seq, base + offset, units=40))
        publisher.publish(topic, b"\xff garbage")
        publisher.publish(topic, _reading(4, base + PERIOD + 30, units=7))
        wait_until(lambda: oracle.queued["production"] >= 2, what="both periods to be queued")
        publisher.publish(topic, _reading(5, base + 10))  # too late: its period is attested
        wait_until(lambda: oracle.counts["late"] == 1, what="the late reading")
    finally:
        publisher.close()
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert (oracle.counts["accepted"], oracle.counts["duplicate"], oracle.counts["malformed"]) == (
        4,
        1,
        1,
    )
    malformed_after = metrics.REGISTRY.get_sample_value(
        "scf_oracle_messages_total", {"outcome": "malformed"}
    )
    assert malformed_after == malformed_before + 1
    relayer.run_once()
    indexer.sync()
    assert [(p.period_start, p.units) for p in _production(engine)] == [
        (base, 120),
        (base + PERIOD, 7),
    ]
    device = ledger.attestations.device(plant["line"].device_id)
    assert device.attested_until == base + 2 * PERIOD
    with engine.connect() as connection:  # and into the maker's credit record
        now = int(ledger.w3.eth.get_block("latest")["timestamp"])
        figures = compute_record(connection, plant["maker"].address, now).figures
    assert figures["production_consistency"]["attested_units"] == 127
    # 127 units in two minutes of a line rated 100 an hour: 127 x 3,600 / (100 x 120)
    assert figures["capacity_utilisation"]["utilisation"] == pytest.approx(127 * 3_600 / 12_000)


def test_the_oracle_rides_out_a_broker_restart(engine, ledger, relayer, indexer, plant):
    if reason := OwnBroker.unavailable():
        pytest.skip(reason)
    broker = OwnBroker()
    broker.start()
    oracle = _oracle(engine, ledger, plant, port=broker.port)
    stop, thread = _running(oracle)
    topic, base = _line_topic(plant), _base(ledger)
    try:
        publisher = Publisher("127.0.0.1", broker.port)
        publisher.publish(topic, _reading(1, base + 5, units=11))
        wait_until(lambda: oracle.counts["accepted"] == 1, what="the first reading")
        publisher.close()
        broker.stop()
        wait_until(lambda: not oracle.connected, what="the oracle to notice the outage")
        broker.start()
        wait_until(lambda: oracle.connected, timeout=60, what="the oracle to reconnect")
        publisher = Publisher("127.0.0.1", broker.port)
        # Subscribed again: a reading published after the restart arrives.
        wait_until(
            lambda: _delivered(publisher, topic, base, oracle),
            timeout=30,
            what="a reading after the restart",
        )
        publisher.close()
        wait_until(lambda: oracle.queued["production"] >= 2, what="both periods to be queued")
    finally:
        stop.set()
        thread.join(timeout=10)
        broker.stop()
    assert oracle.reconnects >= 1
    relayer.run_once()
    indexer.sync()
    first, second = _production(engine)
    assert first.units == 11 and second.units >= 22


_next_seq = iter(range(2, 10_000))


def _delivered(publisher: Publisher, topic: str, base: int, oracle: Oracle) -> bool:
    """Publish one more reading of the second period (the first closed while the broker was
    away: the device was quiet); true once the oracle took one after it reconnected (its
    subscription is renewed a moment after the connection)."""
    publisher.publish(topic, _reading(next(_next_seq), base + PERIOD + 30, units=22))
    return oracle.counts["accepted"] >= 2
