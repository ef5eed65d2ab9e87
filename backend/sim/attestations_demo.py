"""The demo's fourth act: machines vouch for a supplier's invoices.

An industrial-internet platform (an oracle) registers the battery maker's two production lines;
a device simulator publishes their telemetry over MQTT (the real broker on SCF_MQTT_HOST:PORT);
``scf oracle``'s service sums it per line and day, signs and queues the attestations, the relayer
lands them, the indexer reads them into the credit record, and the bank asks for a decision
again: the attested figures, and what they changed. Without a broker, the act says so and is
skipped (the demo still exits 0).
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import numpy as np
import orjson
import paho.mqtt.client as mqtt
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from backend.app import create_app
from backend.attestations import telemetry
from backend.attestations.oracle import Oracle, OracleConfig
from backend.attestations.typed_data import Device, DeviceKind, device_id
from backend.chain.contracts import Ledger, Role
from backend.credit.cache import refresh_records
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.relayer.relayer import Relayer
from backend.settings import get_settings
from backend.sim import factory
from backend.sim.decisions_demo import _client, _money, demo_services, serving
from backend.sim.demo_firms import DemoFirm, register_demo_firm
from backend.trades.models import Trade

DAY = 86_400
READINGS_PER_DAY = 4
LINES = (("BSY-LINE-01", 40), ("BSY-LINE-02", 25))  # identifier, rated packs per hour
INVOICE = 2
MAKER_HEALTH = 1.0  # the battery maker's latent health: a sound firm
MAKER_SEED = 17
MAINTENANCE_LOAD = 0.4  # share of its usual output a line makes on a maintenance day


def broker_unavailable(host: str, port: int) -> str | None:
    import socket

    try:
        with socket.create_connection((host, port), timeout=2):
            return None
    except OSError as error:
        return f"no MQTT broker answers at {host}:{port} ({error})"


def run_attestations(console: Console, ledger: Ledger, rpc_url: str, firms: list[DemoFirm]) -> None:
    settings = get_settings()
    if reason := broker_unavailable(settings.mqtt_host, settings.mqtt_port):
        console.print(f"[yellow]act skipped: {reason}; start one (mosquitto -d) to see it[/yellow]")
        return
    maker, bank_firm = firms[1], next(f for f in firms if f.name.startswith("Bank"))
    oracle = register_demo_firm(
        ledger, "Oracle: Rootcloud IIoT platform", Role.ORACLE, "scf-demo-oracle", len(firms) + 1
    )
    devices = _register_lines(ledger, oracle, maker)
    with demo_services(settings, ledger, "attest.db") as services:
        engine = services.engine
        relayer = Relayer(engine, ledger, JsonRpc(rpc_url))
        # Each batch refreshes the records of the firms it touched (as the serving indexer
        # does per cycle): a read serves the stored record, never recomputes it.
        indexer = Indexer(
            engine,
            JsonRpc(rpc_url),
            ledger.deployment,
            ledger.artifacts,
            on_batch=refresh_records,
        )
        indexer.sync()
        with serving(create_app(services)) as base_url:
            bank = _client(base_url, bank_firm)
            before = bank.decision(
                bank.request_decision(maker.signer.address, 300_000_00, 60)["decision_id"]
            )
            counts = _attest(console, ledger, engine, oracle, devices, maker, settings)
            relayer.run_once()
            indexer.sync()
            after = bank.decision(
                bank.request_decision(maker.signer.address, 300_000_00, 60)["decision_id"]
            )
            profile = _client(base_url, maker).credit_profile(maker.signer.address)
        console.print(f"oracle messages: {counts}")
        console.print(_figures_table(maker.name, profile["figures"]))
        console.print(_change_table(before, after))


def _register_lines(ledger: Ledger, oracle: DemoFirm, maker: DemoFirm) -> list[Device]:
    domain = ledger.attestations.domain
    devices = []
    for identifier, capacity in LINES:
        device = Device(
            device_id(identifier), maker.signer.address, DeviceKind.PRODUCTION_LINE, capacity
        )
        signature = oracle.signer.sign_digest(device.digest(domain))
        ledger.attestations.register_device(device, oracle.signer.address, signature)
        devices.append(device)
    return devices


def _window(engine: Any, maker: DemoFirm) -> tuple[int, int]:
    """From 30 days before the maker's first invoice to its last: what the lines made then."""
    with Session(engine) as session:
        issued = session.exec(
            select(Trade.issued_at).where(
                Trade.seller == maker.signer.address, Trade.kind == INVOICE
            )
        ).all()
    first, last = min(issued) - 30 * DAY, max(issued) + DAY
    return first - first % DAY, last - last % DAY


def _attest(console, ledger, engine, oracle, devices, maker, settings) -> dict[str, int]:
    start, end = _window(engine, maker)
    offset = int(ledger.w3.eth.get_block("latest")["timestamp"]) - time.time()  # the chain's clock
    config = OracleConfig(
        settings.mqtt_host,
        settings.mqtt_port,
        DAY,
        0,
        quiet_seconds=1.0,
        client_id=f"scf-demo-oracle-{uuid.uuid4().hex[:8]}",
    )
    service = Oracle(
        engine,
        oracle.signer,
        ledger.attestations.domain,
        config,
        clock=lambda: time.time() + offset,
    )
    stop = threading.Event()
    thread = threading.Thread(target=service.run, args=(stop,), name="demo-oracle", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not service.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        published = _publish(settings, devices, start, end)
        days = (end - start) // DAY
        console.print(
            f"device simulator: {published} readings of {len(devices)} lines over {days} days "
            f"on {telemetry.TOPIC_PREFIX}/production-line/<device id>"
        )
        deadline = time.monotonic() + 120
        while service.queued["production"] < days * len(devices) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=15)
    queued = service.queued["production"]
    console.print(f"oracle {oracle.signer.address} queued {queued} production attestations")
    return dict(service.counts)


def line_readings(line: int, start: int, end: int) -> list[dict[str, int]]:
    """Line ``line``'s readings every six hours from ``start`` to ``end``, from the simulator's
    own generator (:func:`backend.sim.factory.load`, the one the offline worlds attest): the maker
    is healthy, so its lines run steadily; output dips on the second line's maintenance days."""
    rng = np.random.default_rng([MAKER_SEED, line])
    capacity, step = LINES[line][1], DAY // READINGS_PER_DAY
    readings = []
    for seq, ts in enumerate(range(start, end, step)):
        load = factory.load(MAKER_HEALTH, noise=float(rng.standard_normal()))
        if line == 1 and (ts // DAY) % 10 == 0:
            load *= MAINTENANCE_LOAD
        units = int(capacity * step / factory.HOUR * load)
        readings.append({"seq": seq, "ts": ts, "units": units, "running_s": int(step * load),
                         "energy_wh": units * factory.ENERGY_WH_PER_UNIT})  # fmt: skip
    return readings


def _publish(settings: Any, devices: list[Device], start: int, end: int) -> int:
    """Every line's :func:`line_readings`, over the broker."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"scf-demo-devices-{uuid.uuid4().hex[:8]}"
    )
    client.connect(settings.mqtt_host, settings.mqtt_port)
    client.loop_start()
    sent = 0
    try:
        for index, device in enumerate(devices):
            for reading in line_readings(index, start, end):
                _send(client, device, orjson.dumps(reading))
                sent += 1
        # A message that is not telemetry, and the first reading again: dropped and counted.
        _send(client, devices[0], b"{oops")
        first = {"seq": 0, "ts": start, "units": 1, "running_s": 1, "energy_wh": 1}
        _send(client, devices[0], orjson.dumps(first))
    finally:
        client.loop_stop()
        client.disconnect()
    return sent


def _send(client: mqtt.Client, device: Device, body: bytes) -> None:
    topic = telemetry.topic(device.kind, device.device_id)
    client.publish(topic, body, qos=1).wait_for_publish(timeout=10)


def _figures_table(name: str, figures: dict[str, Any]) -> Table:
    table = Table(title=f"Attested figures of {name}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    coverage, consistency = figures["attested_coverage"], figures["production_consistency"]
    utilisation = figures["capacity_utilisation"]
    share = coverage["share"]
    table.add_row(
        "sales covered", "-" if share is None else f"{share:.0%} of {_money(coverage['amount'])}"
    )
    table.add_row(
        "attested output",
        f"{consistency['attested_units']:,} packs on {consistency['devices']} lines",
    )
    table.add_row("consistency flag", str(consistency["flag"]))
    u = utilisation["utilisation"]
    table.add_row("capacity utilisation (90 d)", "-" if u is None else f"{u:.0%}")
    return table


def _change_table(before: dict[str, Any], after: dict[str, Any]) -> Table:
    table = Table(title="What the attested facts changed", title_justify="left")
    for column in ("", "before", "after"):
        table.add_column(column)
    rows = [
        ("outcome", before["outcome"].upper(), after["outcome"].upper()),
        ("limit", _money(before["limit"]["amount"]), _money(after["limit"]["amount"])),
        ("binding", before["limit"]["binding"], after["limit"]["binding"]),
        (
            "sales covered",
            f"{before['attested']['coverage']:.0%}",
            f"{after['attested']['coverage']:.0%}",
        ),
        (
            "months of sales lent",
            f"{before['attested']['months_of_sales']:.2f}",
            f"{after['attested']['months_of_sales']:.2f}",
        ),
        (
            "receivables counted",
            f"x{before['attested']['receivables_factor']:.3f}",
            f"x{after['attested']['receivables_factor']:.3f}",
        ),
    ]
    for row in rows:
        table.add_row(*row)
    why = [
        "; ".join(r["message"] for r in decision["decision_reasons"]) or "-"
        for decision in (before, after)
    ]
    table.add_row("decision reasons", *why)
    return table
