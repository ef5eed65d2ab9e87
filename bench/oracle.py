"""Oracle throughput: telemetry messages ingested per second over a real MQTT broker, and
attestations landed per second through the outbox and the relayer, with the gas per attestation
in a batch against its floor (bench/gas.py's PRODUCTION_FLOOR).

Run: ``.venv/bin/python bench/oracle.py [--devices 20] [--readings 300]``. Printed, never
asserted. The broker is a mosquitto this bench starts on a free port (so no other user of the
machine's broker is disturbed) and stops. The baseline, in the same run, is the same messages
handed to the oracle directly (no broker): the ratio says what MQTT delivery costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson  # noqa: E402
from eth_account import Account  # noqa: E402
from gas import PRODUCTION_FLOOR, register  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from backend.attestations import telemetry  # noqa: E402
from backend.attestations.models import ProductionAttestation  # noqa: E402
from backend.attestations.oracle import Oracle, OracleConfig  # noqa: E402
from backend.attestations.typed_data import Device, DeviceKind  # noqa: E402
from backend.chain.anvil import Anvil  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.contracts import Ledger, Role  # noqa: E402
from backend.chain.node import connect  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.indexer.indexer import Indexer  # noqa: E402
from backend.indexer.rpc import JsonRpc  # noqa: E402
from backend.migrations import upgrade  # noqa: E402
from backend.relayer.models import OutboxItem  # noqa: E402
from backend.relayer.relayer import Relayer  # noqa: E402
from backend.settings import DEVELOPMENT_OPERATOR_KEY  # noqa: E402
from tests.mqtt import OwnBroker, Publisher  # noqa: E402

PERIOD, STEP = 60, 10  # six readings per attested period


def messages(devices: list[Device], readings: int, base: int) -> list[tuple[str, bytes]]:
    out = []
    for device in devices:
        topic = telemetry.topic(device.kind, device.device_id)
        for seq in range(readings):
            body = {
                "seq": seq,
                "ts": base + seq * STEP,
                "units": 7,
                "running_s": STEP,
                "energy_wh": 90,
            }
            out.append((topic, orjson.dumps(body)))
    return out


def setup(ledger: Ledger, count: int):
    (oracle,) = register(ledger, 1, Role.ORACLE)
    (maker,) = register(ledger, 1, Role.SUPPLIER)
    domain = ledger.attestations.domain
    devices = []
    for _ in range(count):
        device = Device(os.urandom(32), maker.address, DeviceKind.PRODUCTION_LINE, 100)
        ledger.attestations.register_device(
            device, oracle.address, oracle.sign_digest(device.digest(domain))
        )
        devices.append(device)
    return oracle, devices


def direct_rate(engine, oracle, domain, stream) -> float:
    """The baseline: the same messages handed to a fresh oracle's handle() directly."""
    service = Oracle(engine, oracle, domain, OracleConfig(period_seconds=PERIOD))
    started = time.perf_counter()
    for topic, body in stream:
        service.handle(topic, body)
    return len(stream) / (time.perf_counter() - started)


def mqtt_rate(engine, oracle, domain, stream, port: int) -> tuple[float, Oracle]:
    config = OracleConfig(
        "127.0.0.1", port, PERIOD, grace_seconds=5, quiet_seconds=0.5, client_id="bench-oracle"
    )
    service = Oracle(engine, oracle, domain, config)
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), daemon=True)
    thread.start()
    while not service.connected:
        time.sleep(0.01)
    time.sleep(0.5)  # its subscription
    publisher = Publisher("127.0.0.1", port)
    started = time.perf_counter()
    for topic, body in stream:
        publisher.client.publish(topic, body, qos=1)
    while sum(service.counts.values()) < len(stream):
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    publisher.close()
    expected = len(stream) // (PERIOD // STEP)
    while sum(service.queued.values()) < expected:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    return len(stream) / elapsed, service


def land(engine, ledger, rpc_url: str) -> tuple[float, int, int]:
    """Relay every queued attestation batch; (attestations per second, landed, gas per item)."""
    relayer = Relayer(engine, ledger, JsonRpc(rpc_url), batch_size=100)
    with Session(engine) as session:
        rows = session.exec(select(func.count()).select_from(OutboxItem)).one()
    started, recorded = time.perf_counter(), 0
    while recorded < rows:
        recorded += relayer.run_once().recorded
    elapsed = time.perf_counter() - started
    Indexer(engine, JsonRpc(rpc_url), ledger.deployment, ledger.artifacts).sync()
    with Session(engine) as session:
        landed = session.exec(select(func.count()).select_from(ProductionAttestation)).one()
        hashes = session.exec(select(OutboxItem.tx_hash)).all()
    gas = sum(ledger.w3.eth.get_transaction_receipt(h)["gasUsed"] for h in set(hashes))
    return landed / elapsed, landed, gas // max(landed, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--readings", type=int, default=300)
    args = parser.parse_args()
    broker = OwnBroker()
    if reason := OwnBroker.unavailable():
        sys.exit(f"bench/oracle.py needs mosquitto: {reason}")
    broker.start()
    try:
        with Anvil() as node, tempfile.TemporaryDirectory() as data:
            ledger = Ledger.deploy_new(
                connect(node.url), compile_contracts(), Account.from_key(DEVELOPMENT_OPERATOR_KEY)
            )
            url = f"sqlite:///{Path(data) / 'bench.db'}"
            upgrade(url)
            engine = make_engine(url)
            oracle, devices = setup(ledger, args.devices)
            Indexer(engine, JsonRpc(node.url), ledger.deployment, ledger.artifacts).sync()
            now = int(ledger.w3.eth.get_block("latest")["timestamp"])
            base = now - now % PERIOD - (args.readings * STEP // PERIOD + 2) * PERIOD
            stream = messages(devices, args.readings, base)
            domain = ledger.attestations.domain
            baseline = direct_rate(engine, oracle, domain, stream)
            rate, service = mqtt_rate(engine, oracle, domain, stream, broker.port)
            landed_rate, landed, gas = land(engine, ledger, node.url)
    finally:
        broker.stop()
    table = Table(
        title=f"Oracle: {len(stream):,} readings of {args.devices} devices, {PERIOD} s periods"
    )
    for column in ("measure", "value", "baseline", "ratio"):
        table.add_column(column, justify="right")
    table.add_row(
        "messages/s ingested over MQTT",
        f"{rate:,.0f}",
        f"{baseline:,.0f} (direct)",
        f"{rate / baseline:.2f}",
    )
    table.add_row("attestations queued", f"{sum(service.queued.values()):,}", "-", "-")
    table.add_row("attestations/s landed (relayer)", f"{landed_rate:,.1f}", "-", "-")
    table.add_row("attestations landed (indexed)", f"{landed:,}", "-", "-")
    table.add_row(
        "gas per attestation in a batch",
        f"{gas:,}",
        f"{PRODUCTION_FLOOR:,} (floor)",
        f"{gas / PRODUCTION_FLOOR:.2f}",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
