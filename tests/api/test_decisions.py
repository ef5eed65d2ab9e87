"""Credit decisions over HTTP on a real chain: asked for with consent, stored, anchored in
DecisionLog by the relayer, and reproduced and verified on read."""

from __future__ import annotations

import json
import os

import pytest
from eth_utils import keccak
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session

from backend.app import create_app
from backend.credit.record import FIGURES
from backend.decisions.models import CreditDecision
from backend.decisions.policy import decide
from backend.enums import ConsentScope, Role
from backend.relayer.models import OutboxItem
from backend.scoring.store import load_model
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment, RevokeConsent
from backend.services import Services
from backend.settings import DEVELOPMENT_OPERATOR_KEY, Settings
from tests.api.conformance import assert_keeps_to_schema
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.factories import DAY, chain_now, create_firm, issue_confirmed, make_invoice, sign_both

pytestmark = pytest.mark.chain

DECISIONS = ConsentScope.CREDIT_PROFILE | ConsentScope.DECISIONS


def _paid_invoice(ledger, seller, buyer, amount: int) -> None:
    """An invoice due a month ago, recorded and paid two days early (a payment experience)."""
    now = chain_now(ledger)
    invoice = make_invoice(
        ledger, seller, buyer, amount=amount, issued_at=now - 90 * DAY, due_at=now - 30 * DAY
    )
    ledger.trades.record(sign_both(ledger, invoice, seller, buyer))
    payment = Payment(invoice.trade_id(ledger.trades.domain), amount, now - 32 * DAY)
    ledger.trades.record_payment(
        invoice, payment, seller.sign_payment(payment, ledger.trades.domain)
    )


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """An SME paid by two core buyers (4 experiences), holding two confirmed receivables, a bank
    with its consent for decisions, and a bank without."""
    sme = create_firm(ledger)
    cores = [create_firm(ledger, Role.CORE) for _ in range(2)]
    bank, other_bank = create_firm(ledger, Role.BANK), create_firm(ledger, Role.BANK)
    for i in range(4):
        _paid_invoice(ledger, sme, cores[i % 2], 2_000_000 + i)
    receivables = [issue_confirmed(ledger, sme, core)[1] for core in cores]
    headers = {
        name: sign_in(client, signer)
        for name, signer in (("sme", sme), ("bank", bank), ("other_bank", other_bank))
    }
    headers["operator"] = sign_in(client, Signer.from_key(DEVELOPMENT_OPERATOR_KEY))
    granted = client.post(
        "/consents", json=grant_body(ledger, sme, bank, scope=DECISIONS), headers=headers["sme"]
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    return {
        "sme": sme,
        "bank": bank,
        "other_bank": other_bank,
        "headers": headers,
        "consent_id": granted.json()["subject"],
        "receivable_ids": ["0x" + r.receivable_id.hex() for r in receivables],
    }


def ask(client, world, who="bank", **fields):
    body = {"firm": world["sme"].address, "amount": 1_500_000, "tenor_days": 60, **fields}
    return client.post("/credit-decisions", json=body, headers=world["headers"][who])


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def counts(engine) -> tuple[int, int]:
    with Session(engine) as session:
        decisions = session.exec(select(func.count()).select_from(CreditDecision)).one()
        anchors = session.exec(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.kind == "anchor_decision")  # type: ignore[arg-type]
        ).one()
    return decisions[0], anchors[0]


def test_a_decision_is_stored_anchored_and_reproduced(
    ledger, client, relayer, indexer, services, models_dir, world
):
    answer = ask(client, world)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["outcome"] in ("approve", "decline", "refer")
    assert made["bank"] == world["bank"].address and made["firm"] == world["sme"].address
    assert made["policy"] == "scorecard", made["history"]  # 4 experiences from 2 buyers
    assert made["grade"] and 0 < made["pd"] < 1 and made["rate_bps"] > 0
    assert made["anchor"]["status"] == "queued"
    assert counts(services.engine) == (1, 1)

    relayer.run_once()
    read = client.get(f"/credit-decisions/{made['decision_id']}", headers=world["headers"]["bank"])
    # Mined, but not yet indexed: the API says no more than the indexed chain does.
    assert read.json()["anchor"]["status"] == "submitted"
    assert read.json()["verification"]["status"] == "anchor_pending"
    indexer.sync()
    read = client.get(f"/credit-decisions/{made['decision_id']}", headers=world["headers"]["bank"])
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["anchor"]["status"] == "recorded" and body["anchor"]["tx_hash"]
    assert body["anchor"]["confirmations"] >= 1 and body["anchor"]["reorgs"] == 0
    assert body["verification"] == {
        "snapshot_hash_matches": True,
        "reproduced": True,
        "decision_hash_matches": True,
        "on_chain": True,
        "on_chain_hash": made["decision_hash"],
        "anchored_at": body["verification"]["anchored_at"],
        "status": "verified",
        "message": "verified: the snapshot re-scores to this decision and its hash is anchored "
        "on chain",
    }
    # The same checks done here, independently of the service's code paths, on the snapshot
    # whole (the operator's view: the bank sees the obligors' records only with their consent).
    snapshot = client.get(
        f"/credit-decisions/{made['decision_id']}", headers=world["headers"]["operator"]
    ).json()["snapshot"]
    assert "0x" + keccak(canonical(snapshot)).hex() == body["snapshot_hash"]
    model = load_model(models_dir / f"{body['model_version']}.json")
    result = decide(snapshot, model)
    assert {key: body[key] for key in result} == json.loads(canonical(result))
    anchored_hash = (
        "0x"
        + keccak(
            canonical(
                {
                    "decision_id": made["decision_id"],
                    "snapshot_hash": made["snapshot_hash"],
                    "result": result,
                }
            )
        ).hex()
    )
    on_chain = ledger.decisions.anchored(bytes.fromhex(made["decision_id"][2:]))
    assert on_chain is not None
    assert "0x" + on_chain.decision_hash.hex() == anchored_hash == made["decision_hash"]
    assert (on_chain.bank, on_chain.firm) == (world["bank"].address, world["sme"].address)
    # The snapshot's record is the credit profile the bank can read at the same time.
    profile = client.get(
        f"/firms/{world['sme'].address}/credit-profile?as_of={snapshot['as_of']}",
        headers=world["headers"]["bank"],
    ).json()
    assert snapshot["record"]["figures"] == profile["figures"]
    held = sorted(r["receivable_id"] for r in snapshot["receivables"])
    assert held == sorted(world["receivable_ids"])


def test_a_tampered_decision_does_not_verify(client, relayer, indexer, services, world):
    made = ask(client, world).json()
    relayer.run_once()
    indexer.sync()
    with Session(services.engine) as session:
        row = session.get(CreditDecision, made["decision_id"])
        assert row is not None
        result = dict(row.result, rate_bps=row.result["rate_bps"] - 1)
        session.exec(
            update(CreditDecision)  # type: ignore[call-overload]
            .where(CreditDecision.decision_id == made["decision_id"])
            .values(result=result)
        )
        session.commit()
    body = client.get(
        f"/credit-decisions/{made['decision_id']}", headers=world["headers"]["bank"]
    ).json()
    check = body["verification"]
    assert body["rate_bps"] == made["rate_bps"] - 1
    assert check["snapshot_hash_matches"] is True
    assert check["reproduced"] is False
    assert check["decision_hash_matches"] is False
    assert check["on_chain"] is True  # the anchor is the original; the stored hash still is
    assert check["status"] == "mismatch"
    assert check["message"].startswith("does not verify")


def test_a_bank_without_consent_for_decisions_gets_403_and_nothing_is_written(
    ledger, client, relayer, indexer, services, world
):
    refused = ask(client, world, who="other_bank")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "no_consent"
    # A consent to read the profile is not a consent to decide.
    granted = client.post(
        "/consents",
        json=grant_body(ledger, world["sme"], world["other_bank"], nonce=1),
        headers=world["headers"]["sme"],
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    assert ask(client, world, who="other_bank").status_code == 403
    not_a_bank = ask(client, world, who="sme")
    assert (not_a_bank.status_code, not_a_bank.json()["error"]["code"]) == (
        403,
        "role_not_allowed",
    )
    assert ask(client, world, who="operator").status_code == 403
    assert client.post("/credit-decisions", json={}).status_code == 401
    assert counts(services.engine) == (0, 0)


def test_after_revocation_no_new_decision_but_the_old_one_stays_readable(ledger, client, world):
    made = ask(client, world).json()
    revoke = RevokeConsent(bytes.fromhex(world["consent_id"][2:]), 1)
    body = {
        "nonce": 1,
        "signature": "0x" + world["sme"].sign_digest(revoke.digest(ledger.consents.domain)).hex(),
    }
    revoked = client.post(
        f"/consents/{world['consent_id']}/revoke", json=body, headers=world["headers"]["sme"]
    )
    assert revoked.status_code == 202, revoked.text
    assert ask(client, world).status_code == 403
    path = f"/credit-decisions/{made['decision_id']}"
    assert client.get(path, headers=world["headers"]["bank"]).status_code == 200


def test_a_suspended_firm_is_declined_from_the_indexed_registry(ledger, client, indexer, world):
    ledger.registry.suspend(world["sme"].address)
    indexer.sync()
    made = ask(client, world)
    assert made.status_code == 201, made.text
    assert made.json()["outcome"] == "decline"
    assert "firm_not_active" in [r["code"] for r in made.json()["decision_reasons"]]


def test_who_reads_a_decision(client, world):
    made = ask(client, world).json()
    path = f"/credit-decisions/{made['decision_id']}"
    headers = world["headers"]
    assert client.get(path, headers=headers["bank"]).status_code == 200
    assert client.get(path, headers=headers["sme"]).status_code == 200
    assert client.get(path, headers=headers["operator"]).status_code == 200
    assert client.get(path, headers=headers["other_bank"]).status_code == 403
    assert client.get(path).status_code == 401
    missing = client.get(f"/credit-decisions/0x{os.urandom(32).hex()}", headers=headers["bank"])
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


def test_each_caller_lists_the_decisions_it_may_read(ledger, client, relayer, indexer, world):
    made = [ask(client, world, amount=1_000 + i).json()["decision_id"] for i in range(3)]
    # A second firm, with its own consent to the same bank: the bank sees both firms' decisions.
    other = create_firm(ledger)
    granted = client.post(
        "/consents",
        json=grant_body(ledger, other, world["bank"], scope=DECISIONS),
        headers=sign_in(client, other),
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    body = {"firm": other.address, "amount": 1_000, "tenor_days": 30}
    elsewhere = client.post("/credit-decisions", json=body, headers=world["headers"]["bank"])
    assert elsewhere.status_code == 201, elsewhere.text
    headers = world["headers"]

    def listed(who, query=""):
        answer = client.get(f"/credit-decisions{query}", headers=headers[who])
        assert answer.status_code == 200, answer.text
        return answer.json()

    everything = listed("bank")
    assert everything["count"] == 4
    assert {d["decision_id"] for d in everything["data"]} == {
        *made,
        elsewhere.json()["decision_id"],
    }
    about_sme = listed("bank", f"?firm={world['sme'].address}")
    assert {d["decision_id"] for d in about_sme["data"]} == set(made)
    assert all(d["bank"] == world["bank"].address for d in about_sme["data"])
    assert listed("sme")["count"] == 3  # the firm sees the decisions about itself
    assert listed("other_bank")["count"] == 0
    assert listed("operator")["count"] == 4
    page = listed("bank", "?offset=1&limit=2")
    assert (page["count"], len(page["data"])) == (4, 2)
    assert client.get("/credit-decisions").status_code == 401
    assert client.get("/credit-decisions?limit=0", headers=headers["bank"]).status_code == 422
    assert client.get("/credit-decisions?limit=201", headers=headers["bank"]).status_code == 422


def test_named_receivables_limit_what_the_decision_lends_against(client, services, world):
    first = world["receivable_ids"][0]
    made = ask(client, world, receivable_ids=[first])
    assert made.status_code == 201, made.text
    read = client.get(
        f"/credit-decisions/{made.json()['decision_id']}", headers=world["headers"]["bank"]
    ).json()
    assert [r["receivable_id"] for r in read["snapshot"]["receivables"]] == [first]
    assert read["receivable_ids"] == [first]
    unknown = ask(client, world, receivable_ids=["0x" + os.urandom(32).hex()])
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (
        422,
        "receivable_not_eligible",
    )
    assert ask(client, world, receivable_ids=[first, first]).status_code == 422
    assert counts(services.engine) == (1, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"amount": -5},
        {"amount": 2**63},
        {"tenor_days": 0},
        {"tenor_days": 3_651},
        {"firm": "0x1234"},
        {"receivable_ids": []},
    ],
)
def test_bad_requests_are_refused_with_422(client, services, world, change):
    answer = ask(client, world, **change)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"]
    assert counts(services.engine) == (0, 0)


def test_an_unregistered_firm_has_given_no_consent(client, services, world):
    body = {"firm": Signer.create().address, "amount": 1, "tenor_days": 30}
    answer = client.post("/credit-decisions", json=body, headers=world["headers"]["bank"])
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "no_consent")
    assert counts(services.engine) == (0, 0)


def test_without_an_installed_model_the_api_says_so(ledger, engine, tmp_path, world):
    settings = Settings(models_dir=tmp_path / "empty", rate_limit_burst=10_000)
    with TestClient(create_app(Services(settings, engine, ledger))) as bare:
        headers = sign_in(bare, world["bank"])
        answer = bare.post(
            "/credit-decisions",
            json={"firm": world["sme"].address, "amount": 1, "tenor_days": 30},
            headers=headers,
        )
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "model_unavailable"
    assert "scf model train" in answer.json()["error"]["message"]
    assert counts(engine) == (0, 0)


def test_a_decision_names_its_currency_and_never_lends_against_another(
    ledger, client, indexer, world
):
    """The base currency (CNY, 156) by default; another currency refused; a USD receivable is
    refused when named and left out of what the decision lends against otherwise."""
    core = create_firm(ledger, Role.CORE)
    _, usd = issue_confirmed(ledger, world["sme"], core, currency=840, amount=777_777)
    indexer.sync()
    usd_id = "0x" + usd.receivable_id.hex()
    made = ask(client, world)
    assert made.status_code == 201, made.text
    assert made.json()["currency"] == 156
    read = client.get(
        f"/credit-decisions/{made.json()['decision_id']}", headers=world["headers"]["bank"]
    ).json()
    lent_against = {r["receivable_id"] for r in read["snapshot"]["receivables"]}
    assert lent_against == set(world["receivable_ids"])  # not the USD one
    assert read["snapshot"]["request"]["currency"] == 156
    listed = client.get("/credit-decisions", headers=world["headers"]["bank"]).json()
    assert listed["data"][0]["currency"] == 156
    assert ask(client, world, currency=156).status_code == 201
    other = ask(client, world, currency=840)
    assert (other.status_code, other.json()["error"]["code"]) == (422, "currency_not_supported")
    named = ask(client, world, receivable_ids=[world["receivable_ids"][0], usd_id])
    assert (named.status_code, named.json()["error"]["code"]) == (422, "currency_mismatch")
    assert ask(client, world, currency="156").status_code == 422  # a JSON integer only


def test_the_profile_its_evidence_and_the_decisions_keep_to_their_published_schemas(
    client, relayer, indexer, world
):
    """Real answers, not generated ones: Schemathesis' response check over the typed models of
    the credit profile (every figure), each figure's evidence page, and the decisions."""
    firm, headers = world["sme"].address, world["headers"]
    made = ask(client, world)
    assert made.status_code == 201, made.text
    assert_keeps_to_schema(made, "POST", "/credit-decisions")
    relayer.run_once()
    indexer.sync()
    decision = f"/credit-decisions/{made.json()['decision_id']}"
    for who in ("bank", "operator", "sme"):  # the snapshot's obligors cut or whole
        assert_keeps_to_schema(
            client.get(decision, headers=headers[who]), "GET", "/credit-decisions/{decision_id}"
        )
    assert_keeps_to_schema(
        client.get("/credit-decisions", headers=headers["bank"]), "GET", "/credit-decisions"
    )
    profile_path = "/firms/{address}/credit-profile"
    served = client.get(f"/firms/{firm}/credit-profile", headers=headers["bank"])
    assert set(served.json()["figures"]) == set(FIGURES)
    assert_keeps_to_schema(served, "GET", profile_path)
    as_of = served.json()["as_of"]
    past = client.get(f"/firms/{firm}/credit-profile?as_of={as_of}", headers=headers["bank"])
    assert_keeps_to_schema(past, "GET", profile_path)
    before = client.get(f"/firms/{firm}/credit-profile?as_of=1", headers=headers["bank"])
    assert before.json()["available"] is False and before.json()["figures"] == {}
    assert_keeps_to_schema(before, "GET", profile_path)
    events = 0
    for figure, link in served.json()["evidence"].items():
        page = client.get(link, headers=headers["bank"])
        assert page.status_code == 200 and page.json()["figure"] == figure
        assert_keeps_to_schema(page, "GET", profile_path + "/evidence/{figure}")
        events += len(page.json()["rows"])
    assert events > 0
