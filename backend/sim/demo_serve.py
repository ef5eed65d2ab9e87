"""``scf demo --serve``: after the demo, the whole service stays up on the demo's chain, so that a
person can sign in to the console as a demo firm.

Each demo firm a person would play (the tier-1 supplier, the core enterprise, the bank, the
operator) gets an encrypted JSON keystore (Web3 Secret Storage v3) and a password, printed with
the URL and listed in ``firms.json`` beside the keystores (the browser tests read it).
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_typing import HexStr
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from backend.chain.contracts import Ledger
from backend.chain.deploy import save_deployment
from backend.settings import get_settings
from backend.sim.demo_firms import DemoFirm, directory_entry

# scrypt with N = 2^14 (geth's "light" setting): the page decrypts it in about a second, where
# the standard N = 2^18 takes tens of seconds in a browser. Demo keys only.
DEMO_KEYSTORE_ITERATIONS = 2**14


@dataclass(frozen=True)
class DemoLogin:
    role: str
    name: str
    address: str
    keystore: Path
    password: str


def write_logins(directory: Path, players: list[tuple[str, str, str]]) -> list[DemoLogin]:
    """A keystore file and a fresh password per (role, name, private key) in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    logins = []
    for role, name, key in players:
        password = secrets.token_urlsafe(9)
        keystore = Account.encrypt(
            HexStr(key), password, kdf="scrypt", iterations=DEMO_KEYSTORE_ITERATIONS
        )
        path = directory / f"{role}.json"
        path.write_text(json.dumps(keystore))
        address = Account.from_key(key).address
        logins.append(DemoLogin(role, name, address, path, password))
    manifest = [{**login.__dict__, "keystore": str(login.keystore)} for login in logins]
    (directory / "firms.json").write_text(json.dumps(manifest, indent=2))
    return logins


def demo_players(firms: list[DemoFirm], operator_key: str) -> list[tuple[str, str, str]]:
    """Who a person plays: the demo's tier-1 supplier, core enterprise and bank, and the
    operator."""
    core, tier1 = firms[0], firms[1]
    bank = next(firm for firm in firms if firm.name.startswith("Bank"))
    return [
        ("sme", tier1.name, _key(tier1)),
        ("core", core.name, _key(core)),
        ("bank", bank.name, _key(bank)),
        ("operator", "Operator", operator_key),
    ]


def _key(firm: DemoFirm) -> str:
    return "0x" + bytes(firm.signer.account.key).hex()


def serve_demo(
    console: Console, ledger: Ledger, node_url: str, firms: list[DemoFirm], host: str, port: int
) -> None:
    """The API, relayer and indexer on the demo's chain (a fresh SQLite database under the data
    directory's ``demo/``) until Ctrl-C or SIGTERM."""
    from backend.app import create_app
    from backend.runtime import Workers, running
    from backend.server import api_server

    base = get_settings()
    data = base.data_dir / "demo"
    shutil.rmtree(data, ignore_errors=True)  # the demo's chain is new on every run
    save_deployment(ledger.deployment, data / "deployments")
    settings = base.model_copy(
        update={
            "rpc_url": node_url,
            "data_dir": data,
            "deployments_dir": data / "deployments",
            "database_url": None,
        }
    )
    logins = write_logins(data / "keystores", demo_players(firms, base.operator_key))
    with running(settings, Workers()) as services:
        with Session(services.engine) as session:  # the names a person picks firms by
            session.add_all(directory_entry(firm, int(time.time())) for firm in firms)
            session.commit()
        server = api_server(create_app(services), host, port)
        assert services.supervisor is not None
        services.supervisor.on_fatal(lambda: setattr(server, "should_exit", True))
        _print_logins(console, f"http://{host}:{port}/", logins)
        server.run()


def _print_logins(console: Console, url: str, logins: list[DemoLogin]) -> None:
    table = Table(title=f"The console: {url}  (sign in with a keystore file and its password)")
    for column in ("role", "firm", "address", "keystore", "password"):
        table.add_column(column, overflow="fold")
    for login in logins:
        table.add_row(login.role, login.name, login.address, str(login.keystore), login.password)
    console.print(table)
    console.print(f"console ready at {url}  (Ctrl-C stops)", highlight=False)
