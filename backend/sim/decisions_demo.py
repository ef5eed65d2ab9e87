"""The demo's third act: a bank decides on two suppliers through the API.

The API, the relayer and the indexer run against the demo's chain and a throw-away SQLite
database; the bank and the suppliers use the Python client over HTTP. Each supplier consents to
the bank's decisions; the bank asks for a decision on each (one with a trading history, one with
too little), the relayer anchors both in ``DecisionLog``, and the bank reads them back verified:
the stored snapshot re-scored with the stored model version, the hash checked on chain.
"""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table

from backend.app import create_app
from backend.chain.anvil import free_port
from backend.chain.contracts import Ledger
from backend.db import make_engine
from backend.enums import DAY, ConsentScope, Role
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.migrations import upgrade
from backend.money import format_money
from backend.relayer.relayer import Relayer
from backend.scoring.cli import QUICK_FIRMS
from backend.scoring.store import latest_model_path, load_model
from backend.scoring.training import train, write_model
from backend.sdk.client import LedgerClient
from backend.services import Services
from backend.settings import Settings, get_settings
from backend.sim.demo_firms import DemoFirm, register_demo_firm
from backend.sim.receivables_demo import CNY, Book, confirmed_receivable

DEMO_MODEL_SEED = 1
SERVER_START_SECONDS = 20.0


def ensure_model(directory: Path, console: Console) -> str:
    """The installed model's version; trains one (``scf model train --seed 1 --quick``) if there
    is none, or none this version can read (an older format)."""
    try:
        path = latest_model_path(directory)
        load_model(path)
        return path.stem
    except FileNotFoundError:
        console.print(f"no scoring model in {directory}: training one (seed {DEMO_MODEL_SEED})...")
    except ValueError as error:
        console.print(f"{error}; training one (seed {DEMO_MODEL_SEED})...")
    result = train(DEMO_MODEL_SEED, QUICK_FIRMS, german=False, evaluate=False)
    write_model(result, directory)
    return result.version


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """The app behind a real HTTP server on a free local port, in a thread."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="demo-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the demo's API server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def run_decisions(console: Console, ledger: Ledger, rpc_url: str, firms: list[DemoFirm]) -> None:
    settings = get_settings()
    version = ensure_model(settings.models_dir, console)
    console.print(f"scoring model {version} ({settings.models_dir})")
    with demo_services(settings, ledger, "demo.db") as services:
        relayer = Relayer(services.engine, ledger, JsonRpc(rpc_url))
        indexer = Indexer(services.engine, JsonRpc(rpc_url), ledger.deployment, ledger.artifacts)
        with serving(create_app(services)) as base_url:
            _decide(console, ledger, base_url, relayer, indexer, firms)


@contextmanager
def demo_services(settings: Settings, ledger: Ledger, database: str) -> Iterator[Services]:
    """The API's services over a fresh, migrated SQLite ``database`` in a temporary directory
    (gone afterwards), on ``ledger``."""
    with tempfile.TemporaryDirectory() as data:
        url = f"sqlite:///{Path(data) / database}"
        upgrade(url)
        engine = make_engine(url)
        try:
            yield Services(settings.model_copy(update={"database_url": url}), engine, ledger)
        finally:
            engine.dispose()


def _client(base_url: str, firm: DemoFirm) -> LedgerClient:
    client = LedgerClient(base_url, firm.signer)
    client.sign_in()
    return client


def _decide(
    console: Console,
    ledger: Ledger,
    base_url: str,
    relayer: Relayer,
    indexer: Indexer,
    firms: list[DemoFirm],
) -> None:
    bank_firm = next(firm for firm in firms if firm.name.startswith("Bank"))
    applicants = [firms[1], firms[5]]  # a tier-1 supplier with history; a tier-3 with little
    # The receivables the tier-1 supplier held are all split, financed or settled by now, and
    # the first core enterprise has defaulted on one (its grade gives no advance). A second core
    # enterprise, new to the ledger, confirms an invoice: what the bank can lend against.
    second_core = register_demo_firm(
        ledger, "Core: Eastern Grid Equipment", Role.CORE, "scf-demo-second-core", len(firms)
    )
    confirmed_receivable(ledger, applicants[0], second_core, 1_200_000_00, Book(names={}))
    bank = _client(base_url, bank_firm)
    expires = int(ledger.w3.eth.get_block("latest")["timestamp"]) + 90 * DAY
    for firm in applicants:
        _client(base_url, firm).grant_consent(
            bank_firm.signer.address, ConsentScope.DECISIONS, expires, nonce=0
        )
    relayer.run_once()
    indexer.sync()
    asked = [
        bank.request_decision(firm.signer.address, amount, 60)
        for firm, amount in zip(applicants, (300_000_00, 50_000_00), strict=True)
    ]
    relayer.run_once()  # anchors both decisions in DecisionLog
    indexer.sync()  # an anchor counts (verifies) once the indexer has it
    for firm, made in zip(applicants, asked, strict=True):
        console.print(_decision_table(firm.name, bank.decision(made["decision_id"])))


def _money(minor: int, currency: int | None = None) -> str:
    return format_money(minor, CNY if currency is None else currency)


def _receivables(by_grade: dict[str, int]) -> str:
    held = [
        f"{_money(amount)} owed by obligors graded {grade}" for grade, amount in by_grade.items()
    ]
    return ", ".join(held) or "none confirmed and held"


def _obligors(obligors: dict[str, dict[str, Any]]) -> str:
    graded = [
        f"{address[:10]}… {o['grade']}" + ("" if o["rated"] else " (unrated: thin file)")
        for address, o in obligors.items()
    ]
    return ", ".join(graded) or "-"


def _decision_table(name: str, decision: dict[str, Any]) -> Table:
    table = Table(title=f"Credit decision on {name}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    limit, check = decision["limit"], decision["verification"]
    pd = "-" if decision["pd"] is None else f"{decision['pd']:.2%} (grade {decision['grade']})"
    reasons = [f"{r['feature']} (-{r['points_lost']:.1f} points)" for r in decision["reasons"]]
    why = [r["message"] for r in decision["decision_reasons"]]
    rows = [
        (
            "asked",
            f"{_money(decision['amount'], decision.get('currency'))} for "
            f"{decision['tenor_days']} days",
        ),
        ("outcome", decision["outcome"].upper()),
        ("PD", pd),
        ("history", decision["history"]),
        ("receivables", _receivables(decision["receivables_by_obligor_grade"])),
        ("obligors", _obligors(decision["obligors"])),
        ("limit", f"{_money(limit['amount'], decision.get('currency'))}, {_rule(limit)}"),
        ("rate", f"{decision['rate_bps'] / 100:.2f}% a year"),
        ("score reasons", ", ".join(reasons) or "-"),
        ("decision reasons", "; ".join(why) or "-"),
        ("model", decision["model_version"]),
        ("snapshot hash", decision["snapshot_hash"]),
        ("anchored", f"{decision['anchor']['status']} in tx {decision['anchor']['tx_hash']}"),
        ("verification", check["message"]),
    ]
    for label, value in rows:
        table.add_row(label, str(value))
    return table


def _rule(limit: dict[str, Any]) -> str:
    """What set the limit, for people: the explanation names the amount in minor units (it is
    part of the anchored decision, so its text stays), and the line shows it as money already."""
    _, found, rule = limit["explanation"].partition(" is set by ")
    return f"set by {rule}" if found else limit["explanation"]
