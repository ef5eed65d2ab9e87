"""The attack campaign: an external attacker's probes, at volume, against a live stack.

Starts its own stack (a local anvil through the project's helper; SQLite by default, a fresh
PostgreSQL database with ``--postgres``; ``scf serve`` in a subprocess on a free port: API, relayer
and indexer), sets up firms, trades and receivables on the chain, then runs attack families and
prints, per family, attempts / refused / wrongly accepted / 5xx / crashes, and a total line.

    .venv/bin/python scripts/attack.py            # every family, default volume (<= 5 min)
    .venv/bin/python scripts/attack.py --quick    # fewer attempts (<= 1 min)
    .venv/bin/python scripts/attack.py --families double_financing_chain,signatures --json

Every attempt is either refused or wrongly accepted (attempts == refused + wrongly accepted). A
refusal is a 4xx (or a connection the server closed) after which nothing changed: the outbox has
no new row and the chain state the attempt aimed at reads the same through the contracts;
otherwise the attempt counts as wrongly accepted. A 5xx is counted among the refused (or wrongly
accepted, if something changed) and on its own; a server that dies is a crash (it is restarted).
The exit code is non-zero when anything was wrongly accepted, answered 5xx or crashed.

Other engineers fix some classes in parallel (nesting crash, suspended readers, documents, invoice
identity): on a branch without those fixes their families show wrongly accepted counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from eth_account import Account  # noqa: E402
from eth_account.messages import encode_defunct  # noqa: E402
from sqlalchemy import Engine, func  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402
from web3 import Web3  # noqa: E402

from backend.chain.anvil import Anvil, free_port  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.contracts import Ledger  # noqa: E402
from backend.chain.deploy import save_deployment  # noqa: E402
from backend.db import make_engine  # noqa: E402
from backend.enums import ConsentScope, OutboxStatus, Role  # noqa: E402
from backend.indexer.models import IndexerCursor  # noqa: E402
from backend.migrations import upgrade  # noqa: E402
from backend.relayer.models import OutboxItem  # noqa: E402
from backend.sdk.client import trade_json  # noqa: E402
from backend.sdk.signer import Signer  # noqa: E402
from backend.sdk.typed_data import (  # noqa: E402
    Consent,
    Domain,
    Finance,
    Payment,
    RevokeConsent,
    Settle,
    Split,
    Trade,
)
from backend.settings import DEVELOPMENT_OPERATOR_KEY  # noqa: E402
from tests.factories import (  # noqa: E402
    DAY,
    chain_now,
    issue_confirmed,
    make_invoice,
    new_credit_code,
    sign_both,
)

ROOT = Path(__file__).resolve().parent.parent
# anvil's second development account: the campaign's own registry operator, so that its chain
# writes never share a nonce with the relayer (which holds the first).
CAMPAIGN_ADMIN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
POSTGRES_ADMIN_URL = os.environ.get(
    "SCF_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def hex32(raw: bytes) -> str:
    return "0x" + raw.hex()


# ─────────────────────────────────────────────────────────────── counting


@dataclass
class Tally:
    family: str
    attempts: int = 0
    refused: int = 0
    wrongly_accepted: int = 0
    server_errors: int = 0
    crashes: int = 0
    seconds: float = 0.0
    wrong: Counter[str] = field(default_factory=Counter)
    fates: Counter[str] = field(default_factory=Counter)  # what became of accepted attacks

    def as_json(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "attempts": self.attempts,
            "refused": self.refused,
            "wrongly_accepted": self.wrongly_accepted,
            "5xx": self.server_errors,
            "crashes": self.crashes,
            "seconds": round(self.seconds, 1),
            "wrongly_accepted_by_probe": dict(self.wrong),
            "fates": dict(self.fates),
        }


# ─────────────────────────────────────────────────────────────── the stack


@dataclass
class Firm:
    signer: Signer
    headers: dict[str, str]

    @property
    def address(self) -> str:
        return self.signer.address


class Stack:
    """anvil + database + ``scf serve`` (API, relayer, indexer) in a subprocess, and what the
    campaign needs to watch them: its own registry operator, the database, an HTTP client."""

    def __init__(self, workdir: Path, postgres: bool) -> None:
        self.workdir = workdir
        self.postgres = postgres
        self.stack = contextlib.ExitStack()
        self.server: subprocess.Popen[bytes] | None = None
        self.crashes = 0

    # lifecycle

    def __enter__(self) -> Stack:
        anvil = self.stack.enter_context(Anvil())
        self.w3 = Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 60}))
        artifacts = compile_contracts()
        operator = Ledger.deploy_new(self.w3, artifacts, Account.from_key(DEVELOPMENT_OPERATOR_KEY))
        admin = Account.from_key(CAMPAIGN_ADMIN_KEY)
        registry = operator.registry.contract
        operator.transactor.send(
            registry.functions.grantRole(registry.functions.OPERATOR_ROLE().call(), admin.address)
        )
        self.ledger = Ledger(self.w3, operator.deployment, artifacts, admin)
        save_deployment(operator.deployment, self.workdir / "deployments")
        self.database_url = self._database()
        upgrade(self.database_url)
        self.engine: Engine = make_engine(self.database_url)
        self.stack.callback(self.engine.dispose)
        self.port = free_port()
        self.env = os.environ | {
            "SCF_RPC_URL": anvil.url,
            "SCF_DATA_DIR": str(self.workdir / "data"),
            "SCF_DEPLOYMENTS_DIR": str(self.workdir / "deployments"),
            "SCF_MODELS_DIR": str(self.workdir / "models"),
            "SCF_DATABASE_URL": self.database_url,
            "SCF_RATE_LIMIT_PER_SECOND": "1000000",
            "SCF_RATE_LIMIT_BURST": "10000000",
            "SCF_INDEXER_POLL_SECONDS": "0.05",
            "SCF_RELAYER_MAX_WAIT_SECONDS": "0.02",
        }
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=60)
        self.stack.callback(self.http.close)
        self.stack.callback(self._stop_server)
        self.start_server()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def _database(self) -> str:
        if not self.postgres:
            return f"sqlite:///{self.workdir / 'scf.db'}"
        name = f"scf_attack_{uuid.uuid4().hex[:12]}"
        admin = POSTGRES_ADMIN_URL.replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        self.stack.callback(drop)
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def start_server(self) -> None:
        log = open(self.workdir / "serve.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen(
            [str(Path(sys.executable).parent / "scf"), "serve", "--port", str(self.port)],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"scf serve exited ({self.server.returncode}); see serve.log")
            with contextlib.suppress(httpx.HTTPError):
                if self.http.get("/healthz").status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError("scf serve did not answer within 120 s")

    def _stop_server(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()

    def alive(self) -> bool:
        return self.server is not None and self.server.poll() is None

    def restart_if_dead(self) -> bool:
        """True (and the server restarted) when it had died."""
        if self.alive():
            return False
        self.crashes += 1
        self.start_server()
        return True

    # firms and waiting

    def firm(self, roles: Role = Role.SUPPLIER) -> Firm:
        signer = Signer.create()
        from backend.firms.credit_code import credit_code_hash

        self.ledger.registry.register(signer.address, roles, credit_code_hash(new_credit_code()))
        return Firm(signer, self.sign_in(signer))

    def sign_in(self, signer: Signer) -> dict[str, str]:
        challenge = self.http.post("/auth/challenge", json={"address": signer.address})
        challenge.raise_for_status()
        message = challenge.json()["message"]
        signature = signer.account.sign_message(encode_defunct(text=message)).signature
        token = self.http.post(
            "/auth/token", json={"message": message, "signature": hex32(bytes(signature))}
        )
        token.raise_for_status()
        return {"Authorization": f"Bearer {token.json()['access_token']}"}

    def indexed(self, timeout: float = 60) -> None:
        """Wait until the indexer reached the chain's head."""
        head = self.w3.eth.block_number
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with Session(self.engine) as session:
                last = session.exec(select(func.max(IndexerCursor.last_block))).one()
            if last is not None and last >= head:
                return
            time.sleep(0.05)
        raise RuntimeError(f"the indexer did not reach block {head}")

    def settled(self, timeout: float = 60) -> None:
        """Wait until the relayer sent everything queued, then until it is indexed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.outbox_rows(OutboxStatus.QUEUED, OutboxStatus.SUBMITTED):
                self.indexed()
                return
            time.sleep(0.05)
        raise RuntimeError("the relayer did not empty the outbox")

    def outbox_rows(self, *statuses: str) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).select_from(OutboxItem)
            if statuses:
                query = query.where(col(OutboxItem.status).in_(statuses))
            return int(session.exec(query).one())

    def row(self, row_id: str) -> OutboxItem | None:
        with Session(self.engine) as session:
            return session.get(OutboxItem, row_id)

    # one attempt

    def attempt(
        self,
        tally: Tally,
        probe: str,
        send: Callable[[], httpx.Response | None],
        *,
        state: Callable[[], object] = lambda: None,
        accepted: Callable[[httpx.Response], bool] = lambda r: r.status_code < 400,
    ) -> httpx.Response | None:
        """Send one attack; count it refused (4xx and nothing changed) or wrongly accepted."""
        before = (self.outbox_rows(), state())
        try:
            response = send()
        except httpx.TransportError:
            response = None  # the server closed the connection (or died: checked below)
        tally.attempts += 1
        if self.restart_if_dead():
            tally.crashes += 1
        if response is not None and response.status_code >= 500:
            tally.server_errors += 1
        if response is not None and accepted(response):
            tally.wrongly_accepted += 1
            tally.wrong[probe] += 1
        elif (self.outbox_rows(), state()) != before:
            tally.wrongly_accepted += 1
            tally.wrong[f"{probe} (changed state)"] += 1
        else:
            tally.refused += 1
        return response


# ─────────────────────────────────────────────────────────────── request bodies


def trade_body(trade: Trade, seller_signature: bytes, buyer_signature: bytes) -> dict[str, Any]:
    return {
        "trade": trade_json(trade),
        "seller_signature": hex32(seller_signature),
        "buyer_signature": hex32(buyer_signature),
    }


def split_body(message: Split, signature: bytes) -> dict[str, Any]:
    return {
        "to": list(message.to),
        "amounts": list(message.amounts),
        "nonce": message.nonce,
        "holder_signature": hex32(signature),
    }


def finance_body(terms: Finance, holder_signature: bytes, bank_signature: bytes) -> dict[str, Any]:
    return {
        "bank": terms.bank,
        "advance": terms.advance,
        "rate_bps": terms.rate_bps,
        "deadline": terms.deadline,
        "nonce": terms.nonce,
        "holder_signature": hex32(holder_signature),
        "bank_signature": hex32(bank_signature),
    }


def settle_body(settlement: Settle, signature: bytes) -> dict[str, Any]:
    return {
        "amount": settlement.amount,
        "paid_at": settlement.paid_at,
        "pay_ref": hex32(settlement.pay_ref),
        "holder_signature": hex32(signature),
    }


def payment_body(payment: Payment, signature: bytes) -> dict[str, Any]:
    return {
        "trade_id": hex32(payment.trade_id),
        "amount": payment.amount,
        "paid_at": payment.paid_at,
        "pay_ref": hex32(payment.pay_ref),
        "payee_signature": hex32(signature),
    }


def consent_body(consent: Consent, signature: bytes) -> dict[str, Any]:
    return {
        "consent": {
            "firm": consent.firm,
            "bank": consent.bank,
            "scope": int(consent.scope),
            "expires_at": consent.expires_at,
            "nonce": consent.nonce,
        },
        "signature": hex32(signature),
    }


def high_s(signature: bytes) -> bytes:
    """The same signature's twin (n - s, v flipped): valid for ecrecover, refused by OZ ECDSA."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64]), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32) + bytes([55 - v])


def terms_for(stack: Stack, receivable_id: bytes, bank: str, advance: int, nonce: int) -> Finance:
    return Finance(receivable_id, bank, advance, 500, int(time.time()) + DAY, nonce)


# ─────────────────────────────────────────────────────────────── families


@dataclass
class FinancedWorld:
    seller: Firm
    core: Firm
    tier2: Firm
    bank: Firm
    bank2: Firm
    financed: bytes  # financed by ``bank``, held by it
    parent: bytes  # split into two children: ``child`` (financed by ``bank``) and another
    child: bytes
    amount: int
    first_financing: tuple[Finance, bytes, bytes]  # of ``financed``: terms, both signatures


def financed_world(stack: Stack) -> FinancedWorld:
    seller, core, tier2 = stack.firm(), stack.firm(Role.CORE), stack.firm()
    bank, bank2 = stack.firm(Role.BANK), stack.firm(Role.BANK)
    ledger, domain = stack.ledger, stack.ledger.receivables.domain
    _, financed = issue_confirmed(ledger, seller.signer, core.signer)
    terms = terms_for(stack, financed.receivable_id, bank.address, financed.amount // 2, 0)
    first = (
        terms,
        seller.signer.sign_finance(terms, domain),
        bank.signer.sign_finance(terms, domain),
    )
    ledger.receivables.finance(*first)
    _, parent = issue_confirmed(ledger, seller.signer, core.signer)
    half = parent.amount // 2
    split = Split(parent.receivable_id, (tier2.address, seller.address), (half, half), 1)
    child = ledger.receivables.split(split, seller.signer.sign_split(split, domain)).children[0]
    terms = terms_for(stack, child.receivable_id, bank.address, half // 2, 0)
    ledger.receivables.finance(
        terms, tier2.signer.sign_finance(terms, domain), bank.signer.sign_finance(terms, domain)
    )
    stack.indexed()
    return FinancedWorld(
        seller,
        core,
        tier2,
        bank,
        bank2,
        financed.receivable_id,
        parent.receivable_id,
        child.receivable_id,
        financed.amount,
        first,
    )


def receivable_state(stack: Stack, *ids: bytes) -> Callable[[], object]:
    def read() -> object:
        return [
            (r.holder, int(r.status), r.financed) for r in stack.ledger.receivables.receivables(ids)
        ]

    return read


def double_financing_chain(stack: Stack, tally: Tally, n: int) -> None:
    """Second financings sent straight to ReceivableLedger, with valid signatures: of a financed
    receivable by its new holder (the bank) to another bank, by its old holder, of a split parent,
    of a financed child, and the first financing replayed. Most are eth_calls (which cannot
    change state: the state is compared around each real transaction and over the whole run);
    every 25th is a real transaction."""
    world = financed_world(stack)
    ledger, domain = stack.ledger, stack.ledger.receivables.domain
    nonces = {
        f.address: ledger.receivables.nonce(f.address)
        for f in (world.bank, world.seller, world.tier2)
    }
    cases = [
        ("refinance_by_bank", world.financed, world.bank),
        ("refinance_by_old_holder", world.financed, world.seller),
        ("finance_split_parent", world.parent, world.seller),
        ("refinance_child", world.child, world.tier2),
        ("replay_first_financing", world.financed, world.seller),
    ]
    state = receivable_state(stack, world.financed, world.parent, world.child)
    initial = state()
    for index in range(n):
        probe, rid, holder = cases[index % len(cases)]
        if probe == "replay_first_financing":
            terms, holder_signature, bank_signature = world.first_financing
        else:
            terms = terms_for(
                stack, rid, world.bank2.address, 1_000 + index, nonces[holder.address]
            )
            holder_signature = holder.signer.sign_finance(terms, domain)
            bank_signature = world.bank2.signer.sign_finance(terms, domain)
        call = ledger.receivables.contract.functions.finance(
            terms.as_tuple(), holder_signature, bank_signature
        )
        real = index % 25 == 0
        before = state() if real else initial
        tally.attempts += 1
        try:
            if real:
                ledger.transactor.send(call, gas=400_000)
            else:
                call.call({"from": ledger.transactor.address})
        except Exception:  # a revert, decoded or not: refused
            if not real or state() == before:
                tally.refused += 1
            else:
                tally.wrongly_accepted += 1
                tally.wrong[f"{probe} (changed state)"] += 1
            continue
        tally.wrongly_accepted += 1
        tally.wrong[probe] += 1
    if state() != initial:
        tally.wrong["the receivables changed over the run"] += 1
        tally.wrongly_accepted += 1
        tally.refused -= 1


def double_financing_api(stack: Stack, tally: Tally, n: int) -> None:
    """Second financings through the API: of a financed receivable (by the bank holding it, by its
    old holder), of a split parent, of a financed child; and, for a confirmed receivable whose
    valid financing was just accepted, competing financings by another bank."""
    world = financed_world(stack)
    domain = stack.ledger.receivables.domain
    _, fresh = issue_confirmed(stack.ledger, world.seller.signer, world.core.signer)
    stack.indexed()
    terms = terms_for(stack, fresh.receivable_id, world.bank.address, 1_000, 2)
    first = stack.http.post(
        f"/receivables/{hex32(fresh.receivable_id)}/finance",
        json=finance_body(
            terms,
            world.seller.signer.sign_finance(terms, domain),
            world.bank.signer.sign_finance(terms, domain),
        ),
        headers=world.bank.headers,
    )
    if first.status_code != 202:
        raise RuntimeError(f"the valid first financing was refused: {first.text}")
    nonce = stack.ledger.receivables.nonce
    cases = [
        ("refinance_by_bank", world.financed, world.bank, world.bank2),
        ("refinance_by_old_holder", world.financed, world.seller, world.bank2),
        ("finance_split_parent", world.parent, world.seller, world.bank2),
        ("refinance_child", world.child, world.tier2, world.bank2),
        ("compete_with_accepted_financing", fresh.receivable_id, world.seller, world.bank2),
    ]
    # The first financing of ``fresh`` is on its way to the chain meanwhile: its state is
    # checked once at the end (still the first bank's), not around each attempt.
    state = receivable_state(stack, world.financed, world.parent, world.child)
    for index in range(n):
        probe, rid, holder, bank = cases[index % len(cases)]
        signed_nonce = nonce(holder.address) + (1 if rid == fresh.receivable_id else 0)
        terms = terms_for(stack, rid, bank.address, 1_000 + index, signed_nonce)
        body = finance_body(
            terms,
            holder.signer.sign_finance(terms, domain),
            bank.signer.sign_finance(terms, domain),
        )
        who = (holder if index % 2 else bank).headers
        stack.attempt(
            tally,
            probe,
            lambda rid=rid, body=body, who=who: stack.http.post(
                f"/receivables/{hex32(rid)}/finance", json=body, headers=who
            ),
            state=state,
        )
    stack.settled()
    (after,) = stack.ledger.receivables.receivables([fresh.receivable_id])
    if after.holder != world.bank.address:
        tally.wrongly_accepted += 1
        tally.refused -= 1
        tally.wrong["compete_with_accepted_financing (another bank won)"] += 1


def duplicate_documents(stack: Stack, tally: Tally, n: int) -> None:
    """A recorded trade's document again: in a new trade, the same body replayed, in a batch."""
    seller, core = stack.firm(), stack.firm(Role.CORE)
    domain = stack.ledger.trades.domain
    recorded = make_invoice(stack.ledger, seller.signer, core.signer)
    stack.ledger.trades.record(sign_both(stack.ledger, recorded, seller.signer, core.signer))
    queued = make_invoice(stack.ledger, seller.signer, core.signer)
    accepted = stack.http.post(
        "/trades",
        json=trade_body(
            queued, seller.signer.sign_trade(queued, domain), core.signer.sign_trade(queued, domain)
        ),
        headers=seller.headers,
    )
    if accepted.status_code != 202:
        raise RuntimeError(accepted.text)
    stack.indexed()

    def same_document(original: Trade, index: int) -> dict[str, Any]:
        other = Trade(**{**original.__dict__, "amount": original.amount + 1 + index})
        return trade_body(
            other, seller.signer.sign_trade(other, domain), core.signer.sign_trade(other, domain)
        )

    replay = trade_body(
        recorded,
        seller.signer.sign_trade(recorded, domain),
        core.signer.sign_trade(recorded, domain),
    )

    def batch_accepted(response: httpx.Response) -> bool:
        return response.status_code < 400 and response.json().get("accepted", 0) > 0

    def state() -> object:  # the queued trade's document is on its way: the outbox shows it
        return stack.ledger.trades.contract.functions.tradeOfDocument(recorded.doc_hash).call()

    for index in range(n):
        variant = index % 4
        original = recorded if index % 8 < 4 else queued
        body = same_document(original, index)
        path, probe, check = "/trades", "same_document_new_trade", None
        if variant == 1:
            body, probe = replay, "replayed_trade"
        elif variant == 2:
            body = {"items": [body, same_document(original, index + 10_000)]}
            path, probe, check = "/trades/batch", "same_document_in_batch", batch_accepted
        elif variant == 3:
            del body["buyer_signature"]
            probe = "same_document_proposal"
        stack.attempt(
            tally,
            probe,
            lambda path=path, body=body: stack.http.post(path, json=body, headers=seller.headers),
            state=state,
            **({"accepted": check} if check else {}),
        )
    stack.settled()


def duplicate_invoice(stack: Stack, tally: Tally, n: int) -> None:
    """The same invoice (parties, amount, dates) under new document bytes: the classic double
    financing of one invoice. Refused only where the ledger keeps an invoice identity."""
    seller, core = stack.firm(), stack.firm(Role.CORE)
    domain = stack.ledger.trades.domain
    recorded = make_invoice(stack.ledger, seller.signer, core.signer)
    stack.ledger.trades.record(sign_both(stack.ledger, recorded, seller.signer, core.signer))
    stack.indexed()
    for _ in range(n):
        copy = Trade(**{**recorded.__dict__, "doc_hash": secrets.token_bytes(32)})
        body = trade_body(
            copy, seller.signer.sign_trade(copy, domain), core.signer.sign_trade(copy, domain)
        )
        stack.attempt(
            tally,
            "same_invoice_new_document",
            lambda body=body: stack.http.post("/trades", json=body, headers=seller.headers),
        )
    stack.settled()


def signatures(stack: Stack, tally: Tally, n: int) -> None:
    """Bad signatures on trades, splits, financings, payments and consents: another signer's,
    another domain's (chain id, verifying contract), high-s twins, garbage bytes, the wrong
    party's; and valid payloads replayed once used."""
    seller, core, tier2, bank = (
        stack.firm(),
        stack.firm(Role.CORE),
        stack.firm(),
        stack.firm(Role.BANK),
    )
    stranger = Signer.create()
    ledger = stack.ledger
    trades_domain, receivables_domain = ledger.trades.domain, ledger.receivables.domain
    paid_invoice = make_invoice(ledger, seller.signer, core.signer)
    ledger.trades.record(sign_both(ledger, paid_invoice, seller.signer, core.signer))
    _, held = issue_confirmed(ledger, seller.signer, core.signer)
    stack.indexed()
    rid = held.receivable_id
    held_state = receivable_state(stack, rid)

    def state() -> object:
        return (
            held_state(),
            ledger.receivables.nonce(seller.address),
            ledger.consents.nonce(seller.address),
            ledger.trades.contract.functions.paidAmount(
                paid_invoice.trade_id(trades_domain)
            ).call(),
        )

    other_contract = Domain(trades_domain.chain_id, receivables_domain.verifying_contract)

    def variants(
        sign: Callable[[Signer, Domain], bytes], right: Signer, wrong: Signer, domain: Domain
    ) -> list[tuple[str, bytes]]:
        foreign = (
            Domain(domain.chain_id, other_contract.verifying_contract)
            if (domain.verifying_contract != other_contract.verifying_contract)
            else Domain(domain.chain_id, trades_domain.verifying_contract)
        )
        return [
            ("wrong_signer", sign(stranger, domain)),
            ("other_chain_id", sign(right, Domain(domain.chain_id + 1, domain.verifying_contract))),
            ("other_contract", sign(right, foreign)),
            ("high_s", high_s(sign(right, domain))),
            ("garbage", secrets.token_bytes(secrets.choice([0, 1, 32, 64, 65, 66, 130]))),
            ("wrong_role", sign(wrong, domain)),
        ]

    def trade_target(index: int) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        trade = make_invoice(ledger, seller.signer, core.signer)
        good_buyer = core.signer.sign_trade(trade, trades_domain)
        out = []
        for name, bad in variants(
            lambda s, d: s.sign_trade(trade, d), seller.signer, core.signer, trades_domain
        ):
            out.append(
                (
                    f"trade_seller_{name}",
                    "/trades",
                    trade_body(trade, bad, good_buyer),
                    seller.headers,
                )
            )
        return out

    def split_target(index: int) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        message = Split(
            rid, (tier2.address,), (held.amount,), ledger.receivables.nonce(seller.address)
        )
        return [
            (
                f"split_{name}",
                f"/receivables/{hex32(rid)}/split",
                split_body(message, bad),
                seller.headers,
            )
            for name, bad in variants(
                lambda s, d: s.sign_split(message, d),
                seller.signer,
                core.signer,
                receivables_domain,
            )
        ]

    def finance_target(index: int) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        terms = terms_for(stack, rid, bank.address, 1_000, ledger.receivables.nonce(seller.address))
        holder_ok = seller.signer.sign_finance(terms, receivables_domain)
        return [
            (
                f"finance_bank_{name}",
                f"/receivables/{hex32(rid)}/finance",
                finance_body(terms, holder_ok, bad),
                bank.headers,
            )
            for name, bad in variants(
                lambda s, d: s.sign_finance(terms, d),
                bank.signer,
                seller.signer,
                receivables_domain,
            )
        ]

    def payment_target(index: int) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        payment = Payment(
            paid_invoice.trade_id(trades_domain),
            1 + index,
            int(time.time()) - 60,
            secrets.token_bytes(32),
        )
        return [
            (f"payment_{name}", "/payments", payment_body(payment, bad), seller.headers)
            for name, bad in variants(
                lambda s, d: s.sign_digest(payment.payment_id(d)),
                seller.signer,
                core.signer,
                trades_domain,
            )
        ]

    def consent_target(index: int) -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        consent = Consent(
            seller.address,
            bank.address,
            ConsentScope.CREDIT_PROFILE,
            int(time.time()) + DAY,
            ledger.consents.nonce(seller.address),
        )
        return [
            (f"consent_{name}", "/consents", consent_body(consent, bad), seller.headers)
            for name, bad in variants(
                lambda s, d: s.sign_digest(consent.consent_id(d)),
                seller.signer,
                bank.signer,
                ledger.consents.domain,
            )
        ]

    targets = [trade_target, split_target, finance_target, payment_target, consent_target]
    sent = 0
    round_index = 0
    while sent < n:
        for target in targets:
            for probe, path, body, headers in target(round_index):
                if sent >= n:
                    break
                stack.attempt(
                    tally,
                    probe,
                    lambda path=path, body=body, headers=headers: stack.http.post(
                        path, json=body, headers=headers
                    ),
                    state=state,
                )
                sent += 1
        round_index += 1
    stack.settled()


def access_matrix(stack: Stack, tally: Tally, n: int) -> None:
    """Every endpoint that reads or moves a firm's records x who must not: no token, another
    firm, a bank without consent, a bank after revocation, a suspended bank, a bank whose BANK
    role was removed (the last three had the firm's consent; their tokens predate the change)."""
    sme, core = stack.firm(), stack.firm(Role.CORE)
    stranger = stack.firm()
    no_consent, revoked, suspended, demoted = (stack.firm(Role.BANK) for _ in range(4))
    ledger = stack.ledger
    invoice, held = issue_confirmed(ledger, sme.signer, core.signer)
    trade_id = hex32(invoice.trade_id(ledger.trades.domain))
    rid = hex32(held.receivable_id)
    stack.indexed()
    consent_ids = {}
    for nonce, bank in enumerate((revoked, suspended, demoted)):
        consent = Consent(sme.address, bank.address, ConsentScope(7), int(time.time()) + DAY, nonce)
        answer = stack.http.post(
            "/consents",
            json=consent_body(
                consent, sme.signer.sign_digest(consent.consent_id(ledger.consents.domain))
            ),
            headers=sme.headers,
        )
        if answer.status_code != 202:
            raise RuntimeError(answer.text)
        consent_ids[bank.address] = answer.json()["subject"]
    stack.settled()
    cid = consent_ids[revoked.address]
    revoke = RevokeConsent(bytes.fromhex(cid[2:]), 3)
    answer = stack.http.post(
        f"/consents/{cid}/revoke",
        json={
            "nonce": 3,
            "signature": hex32(sme.signer.sign_revoke_consent(revoke, ledger.consents.domain)),
        },
        headers=sme.headers,
    )
    if answer.status_code != 202:
        raise RuntimeError(answer.text)
    ledger.registry.suspend(suspended.address)
    ledger.registry.set_roles(demoted.address, Role.SUPPLIER)
    stack.settled()

    def endpoints(attacker: Firm | None) -> list[tuple[str, str, str, dict[str, Any] | None]]:
        signer = attacker.signer if attacker else Signer.create()
        split = Split(held.receivable_id, (signer.address,), (held.amount,), 0)
        revoke_other = RevokeConsent(bytes.fromhex(consent_ids[suspended.address][2:]), 4)
        return [
            ("read_trade", "GET", f"/trades/{trade_id}", None),
            ("read_receivable", "GET", f"/receivables/{rid}", None),
            ("credit_profile", "GET", f"/firms/{sme.address}/credit-profile", None),
            (
                "profile_evidence",
                "GET",
                f"/firms/{sme.address}/credit-profile/evidence/sales_365d",
                None,
            ),
            ("trade_evidence", "GET", f"/evidence/trade/{trade_id}", None),
            ("document", "GET", f"/documents/{hex32(invoice.doc_hash)}", None),
            (
                "ask_decision",
                "POST",
                "/credit-decisions",
                {"firm": sme.address, "amount": 1_000_000, "tenor_days": 60},
            ),
            (
                "move_receivable",
                "POST",
                f"/receivables/{rid}/split",
                split_body(split, signer.sign_split(split, ledger.receivables.domain)),
            ),
            (
                "revoke_their_consent",
                "POST",
                f"/consents/{consent_ids[suspended.address]}/revoke",
                {
                    "nonce": 4,
                    "signature": hex32(
                        signer.sign_revoke_consent(revoke_other, ledger.consents.domain)
                    ),
                },
            ),
        ]

    attackers: list[tuple[str, Firm | None]] = [
        ("no_token", None),
        ("other_firm", stranger),
        ("bank_without_consent", no_consent),
        ("bank_after_revocation", revoked),
        ("suspended_bank", suspended),
        ("bank_role_removed", demoted),
    ]
    held_state = receivable_state(stack, held.receivable_id)
    consent_of_suspended = bytes.fromhex(consent_ids[suspended.address][2:])

    def state() -> object:
        return held_state(), ledger.consents.contract.functions.isActive(
            consent_of_suspended
        ).call()

    def refused_unless_leaks(response: httpx.Response) -> bool:
        # A 503 model_unavailable passed every access check: it counts as accepted.
        return response.status_code < 400 or (
            response.status_code == 503 and "model_unavailable" in response.text
        )

    sent = 0
    while sent < n:
        for who, attacker in attackers:
            headers = attacker.headers if attacker else {}
            for name, method, path, body in endpoints(attacker):
                if sent >= n:
                    return
                stack.attempt(
                    tally,
                    f"{who}:{name}",
                    lambda method=method, path=path, body=body, headers=headers: stack.http.request(
                        method, path, json=body, headers=headers
                    ),
                    state=state,
                    accepted=refused_unless_leaks,
                )
                sent += 1


def bodies(stack: Stack, tally: Tally, n: int) -> None:
    """Bodies and headers no client sends: 70,000 nested ``[`` (and ``{``), a body beyond the
    limit, a huge header, very many headers."""
    seller = stack.firm()
    json_headers = {**seller.headers, "Content-Type": "application/json"}
    cases: list[tuple[str, Callable[[], httpx.Response]]] = [
        (
            "nested_arrays",
            lambda: stack.http.post("/trades", content=b"[" * 70_000, headers=json_headers),
        ),
        (
            "nested_objects",
            lambda: stack.http.post("/trades", content=b'{"a":' * 70_000, headers=json_headers),
        ),
        (
            "nested_in_field",
            lambda: stack.http.post(
                "/trades", content=b'{"trade":' + b"[" * 70_000, headers=json_headers
            ),
        ),
        (
            "oversized_body",
            lambda: stack.http.post(
                "/trades", content=b'{"x":"' + b"a" * 3_000_000 + b'"}', headers=json_headers
            ),
        ),
        ("oversized_header", lambda: stack.http.get("/healthz", headers={"X-Big": "a" * 200_000})),
        (
            "many_headers",
            lambda: stack.http.get("/healthz", headers={f"X-H{i}": "v" for i in range(500)}),
        ),
    ]

    def accepted(response: httpx.Response) -> bool:
        return response.status_code < 400 and response.request.url.path != "/healthz"

    for index in range(n):
        probe, send = cases[index % len(cases)]
        if probe in ("oversized_header", "many_headers"):
            stack.attempt(tally, probe, send, accepted=lambda r: r.status_code < 400)
        else:
            stack.attempt(tally, probe, send, accepted=accepted)


def chain_refused(stack: Stack, tally: Tally, n: int) -> None:
    """What the API once accepted and the chain then refused: each preflight rule broken, n times.
    An answer 2xx counts as wrongly accepted (its outbox row is then followed: failed on chain,
    or recorded, which would be worse)."""
    ledger, domain = stack.ledger, stack.ledger.receivables.domain
    core, tier2 = stack.firm(Role.CORE), stack.firm()
    both = stack.firm(Role.SUPPLIER | Role.BANK)
    _, own = issue_confirmed(ledger, both.signer, core.signer)
    seller = stack.firm()
    paid = make_invoice(ledger, seller.signer, core.signer)
    ledger.trades.record(sign_both(ledger, paid, seller.signer, core.signer))
    payment = Payment(paid.trade_id(ledger.trades.domain), 1_000, chain_now(ledger) - 60)
    ledger.trades.record_payment(
        paid, payment, seller.signer.sign_payment(payment, ledger.trades.domain)
    )
    holder, bank = stack.firm(), stack.firm(Role.BANK)
    _, frozen = issue_confirmed(ledger, holder.signer, core.signer)
    suspended_seller = stack.firm()
    orphan = make_invoice(ledger, suspended_seller.signer, core.signer)
    ledger.trades.record(sign_both(ledger, orphan, suspended_seller.signer, core.signer))
    sme, bad_bank = stack.firm(), stack.firm(Role.BANK)
    consent = Consent(
        sme.address, bad_bank.address, ConsentScope.DECISIONS, int(time.time()) + DAY, 0
    )
    granted = stack.http.post(
        "/consents",
        json=consent_body(
            consent, sme.signer.sign_digest(consent.consent_id(ledger.consents.domain))
        ),
        headers=sme.headers,
    )
    if granted.status_code != 202:
        raise RuntimeError(granted.text)
    _, busy = issue_confirmed(ledger, tier2.signer, core.signer)
    stack.settled()
    ledger.registry.suspend(holder.address)
    ledger.registry.suspend(suspended_seller.address)
    ledger.registry.suspend(bad_bank.address)
    stack.indexed()
    transfer = Split(busy.receivable_id, (core.address,), (busy.amount,), 0)
    first = stack.http.post(
        f"/receivables/{hex32(busy.receivable_id)}/split",
        json=split_body(transfer, tier2.signer.sign_split(transfer, domain)),
        headers=tier2.headers,
    )
    if first.status_code != 202:
        raise RuntimeError(first.text)

    def now_settle(receivable: Any, signer: Signer) -> dict[str, Any]:
        settlement = Settle(receivable.receivable_id, receivable.amount, int(time.time()) - 60)
        return settle_body(settlement, signer.sign_settle(settlement, domain))

    def rules() -> list[tuple[str, str, dict[str, Any], dict[str, str]]]:
        self_terms = terms_for(stack, own.receivable_id, both.address, 1_000, 0)
        frozen_split = Split(frozen.receivable_id, (tier2.address,), (frozen.amount,), 0)
        frozen_terms = terms_for(stack, frozen.receivable_id, bank.address, 1_000, 0)
        return [
            (
                "self_finance",
                f"/receivables/{hex32(own.receivable_id)}/finance",
                finance_body(
                    self_terms,
                    both.signer.sign_finance(self_terms, domain),
                    both.signer.sign_finance(self_terms, domain),
                ),
                both.headers,
            ),
            (
                "issue_from_paid_invoice",
                "/receivables",
                {"trade_id": hex32(paid.trade_id(ledger.trades.domain))},
                seller.headers,
            ),
            (
                "issue_by_suspended_seller",
                "/receivables",
                {"trade_id": hex32(orphan.trade_id(ledger.trades.domain))},
                suspended_seller.headers,
            ),
            (
                "suspended_holder_split",
                f"/receivables/{hex32(frozen.receivable_id)}/split",
                split_body(frozen_split, holder.signer.sign_split(frozen_split, domain)),
                holder.headers,
            ),
            (
                "suspended_holder_finance",
                f"/receivables/{hex32(frozen.receivable_id)}/finance",
                finance_body(
                    frozen_terms,
                    holder.signer.sign_finance(frozen_terms, domain),
                    bank.signer.sign_finance(frozen_terms, domain),
                ),
                bank.headers,
            ),
            (
                "suspended_holder_settle",
                f"/receivables/{hex32(frozen.receivable_id)}/settle",
                now_settle(frozen, holder.signer),
                holder.headers,
            ),
            (
                "suspended_bank_decision",
                "/credit-decisions",
                {"firm": sme.address, "amount": 1_000_000, "tenor_days": 60},
                bad_bank.headers,
            ),
            (
                "settle_while_transfer_in_flight",
                f"/receivables/{hex32(busy.receivable_id)}/settle",
                now_settle(busy, tier2.signer),
                tier2.headers,
            ),
        ]

    followed: list[tuple[str, str]] = []

    def accepted(response: httpx.Response) -> bool:
        return response.status_code < 400 or (
            response.status_code == 503 and "model_unavailable" in response.text
        )

    for _ in range(n):
        for probe, path, body, headers in rules():
            answer = stack.attempt(
                tally,
                probe,
                lambda path=path, body=body, headers=headers: stack.http.post(
                    path, json=body, headers=headers
                ),
                accepted=accepted,
            )
            if answer is not None and answer.status_code < 300:
                row_id = answer.json().get("id") or answer.json().get("decision_id")
                followed.append((probe, str(row_id)))
    stack.settled()
    for probe, row_id in followed:
        row = stack.row(row_id)
        outcome = (
            "unknown"
            if row is None
            else ("failed on chain" if row.status == OutboxStatus.FAILED else row.status)
        )
        tally.fates[f"{probe}: {outcome}"] += 1


FAMILIES: dict[str, tuple[Callable[[Stack, Tally, int], None], int, int]] = {
    # name: (function, default attempts, --quick attempts)
    "double_financing_chain": (double_financing_chain, 400, 40),
    "double_financing_api": (double_financing_api, 600, 60),
    "duplicate_documents": (duplicate_documents, 200, 20),
    "duplicate_invoice": (duplicate_invoice, 20, 4),
    "signatures": (signatures, 300, 60),
    "access_matrix": (access_matrix, 540, 54),
    "bodies": (bodies, 12, 6),
    "chain_refused": (chain_refused, 5, 1),
}


def run(names: list[str], quick: bool, postgres: bool) -> list[Tally]:
    tallies = []
    with (
        tempfile.TemporaryDirectory(prefix="scf-attack-") as workdir,
        Stack(Path(workdir), postgres) as stack,
    ):
        for name in names:
            function, default, fewer = FAMILIES[name]
            tally = Tally(name)
            started = time.monotonic()
            try:
                function(stack, tally, fewer if quick else default)
            except Exception:
                traceback.print_exc()
                tally.crashes += 1
                tally.fates["campaign error (see the traceback)"] += 1
                stack.restart_if_dead()
            tally.seconds = time.monotonic() - started
            tallies.append(tally)
            print_line(tally)
    return tallies


def print_line(tally: Tally) -> None:
    print(
        f"{tally.family:24} attempts {tally.attempts:5}  refused {tally.refused:5}  "
        f"wrongly accepted {tally.wrongly_accepted:4}  5xx {tally.server_errors:3}  "
        f"crashes {tally.crashes:2}  ({tally.seconds:.1f} s)",
        flush=True,
    )
    for probe, count in sorted(tally.wrong.items()):
        print(f"    wrongly accepted: {probe} x{count}", flush=True)
    for fate, count in sorted(tally.fates.items()):
        print(f"    then: {fate} x{count}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer attempts (<= 1 minute)")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--families", help="comma-separated subset: " + ", ".join(FAMILIES))
    parser.add_argument("--json", action="store_true", help="also print the tallies as JSON")
    args = parser.parse_args()
    names = args.families.split(",") if args.families else list(FAMILIES)
    unknown = [name for name in names if name not in FAMILIES]
    if unknown:
        parser.error(f"unknown families: {', '.join(unknown)}")
    started = time.monotonic()
    tallies = run(names, args.quick, args.postgres)
    total = Tally("TOTAL")
    for tally in tallies:
        for name in ("attempts", "refused", "wrongly_accepted", "server_errors", "crashes"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    total.seconds = time.monotonic() - started
    print_line(total)
    if args.json:
        print(json.dumps([t.as_json() for t in [*tallies, total]]))
    return 1 if total.wrongly_accepted or total.server_errors or total.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
