"""Credit decisions: asked for by a bank with the firm's consent, stored, anchored on chain, and
re-scored on every read so that anyone with access can see the decision still holds.

The decision row and the outbox item that anchors its hash in ``DecisionLog`` are written in the
request's transaction: a decision the API answered is never lost, and the relayer anchors it
even after a crash.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from backend.auth.errors import Forbidden, NoConsent, RoleNotAllowed
from backend.auth.readers import active_consent, bank_may_read
from backend.auth.service import Principal
from backend.auth.standing import is_active_bank, require_active_bank
from backend.decisions.errors import DecisionNotFound
from backend.decisions.models import CreditDecision
from backend.decisions.policy import DecisionPolicy, decide
from backend.decisions.schemas import (
    Anchor,
    Decision,
    DecisionCreate,
    DecisionPage,
    DecisionSummary,
    Verification,
)
from backend.decisions.snapshot import (
    DecisionRequest,
    canonical_json,
    content_hash,
    snapshot_view,
    take_snapshot,
)
from backend.enums import ConsentScope, OutboxKind, OutboxStatus, Role
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import Accepted, enqueue
from backend.relayer.status import FINAL_PUBLIC, RECORDED_PUBLIC, submission_status
from backend.scoring.store import ModelUnavailable
from backend.services import Services


def decision_hash(decision_id: str, snapshot_hash: str, result: dict[str, Any]) -> str:
    """What is anchored: the id, the snapshot's hash and the whole result."""
    return content_hash(
        {"decision_id": decision_id, "snapshot_hash": snapshot_hash, "result": result}
    )


def request_decision(
    session: Session, services: Services, principal: Principal, body: DecisionCreate
) -> Decision:
    """Decide on ``body`` for the calling bank, store the decision and queue its anchor."""
    _require_bank_with_consent(session, services, principal, body.firm)
    model = services.models.latest()
    ids = None if body.receivable_ids is None else tuple(body.receivable_ids)
    request = DecisionRequest(body.firm, principal.address, body.amount, body.tenor_days, ids)
    snapshot = take_snapshot(services.engine, request, DecisionPolicy())
    result = decide(snapshot, model)
    decision_id = "0x" + secrets.token_hex(32)
    snapshot_hash = content_hash(snapshot)
    row = CreditDecision(
        decision_id=decision_id,
        bank=request.bank,
        firm=request.firm,
        amount=request.amount,
        tenor_days=request.tenor_days,
        outcome=result["outcome"],
        model_version=result["model_version"],
        as_of=snapshot["as_of"],
        snapshot=snapshot,
        snapshot_hash=snapshot_hash,
        result=result,
        decision_hash=decision_hash(decision_id, snapshot_hash, result),
        created_at=int(time.time()),
    )
    session.add(row)
    payload = {
        "decision_id": decision_id,
        "bank": row.bank,
        "firm": row.firm,
        "decision_hash": row.decision_hash,
    }
    enqueue(
        session,
        principal,
        [Accepted(decision_id, OutboxKind.ANCHOR_DECISION, f"decision:{decision_id}", payload)],
    )
    return _view(row, Anchor(status=OutboxStatus.QUEUED, tx_hash=None, block_number=None))


def read_decision(
    session: Session, services: Services, principal: Principal, decision_id: str
) -> Decision:
    """The stored decision, its snapshot, and the audit checks run now."""
    row = session.get(CreditDecision, decision_id)
    if row is None:
        raise DecisionNotFound(decision_id)
    if not (principal.operator or principal.address in (row.bank, row.firm)):
        raise Forbidden("a decision is read by the bank that asked for it, its firm, the operator")
    if not principal.operator and principal.address != row.firm:
        require_active_bank(session, principal.address)  # the bank that asked, in standing now
    anchor, mined = _anchor(session, services, decision_id)
    view = _view(row, anchor)
    view.snapshot = snapshot_view(
        row.snapshot,
        row.result.get("obligors", {}),
        lambda obligor: _may_read_record(session, principal, obligor),
    )
    # Verification is of the stored snapshot, whole.
    view.verification = verify(services, row, anchor, relayer_saw_it_mined=mined)
    return view


def _may_read_record(session: Session, principal: Principal, firm: str) -> bool:
    """Whether ``principal`` may read ``firm``'s whole credit record (as its credit profile)."""
    if principal.operator or principal.address == firm:
        return True
    return is_active_bank(session, principal.address) and bank_may_read(
        session, principal.address, firm, ConsentScope.CREDIT_PROFILE
    )


def list_decisions(
    session: Session, principal: Principal, firm: str | None, offset: int, limit: int
) -> DecisionPage:
    """The caller's decisions, newest first: a bank's own, those about a firm (to the firm
    itself), or all of them (to the operator); ``firm`` narrows to one firm."""
    query = select(CreditDecision)
    if not principal.operator:
        if principal.has(Role.BANK):
            require_active_bank(session, principal.address)
        about_me = col(CreditDecision.firm) == principal.address
        as_bank = is_active_bank(session, principal.address)
        mine = or_(col(CreditDecision.bank) == principal.address, about_me) if as_bank else about_me
        query = query.where(mine)
    if firm is not None:
        query = query.where(CreditDecision.firm == firm)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(CreditDecision.created_at).desc(), col(CreditDecision.decision_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return DecisionPage(
        total=total, offset=offset, limit=limit, decisions=[_summary(row) for row in rows]
    )


def _summary(row: CreditDecision) -> DecisionSummary:
    return DecisionSummary(
        decision_id=row.decision_id,
        bank=row.bank,
        firm=row.firm,
        amount=row.amount,
        tenor_days=row.tenor_days,
        outcome=row.outcome,
        limit=row.result["limit"]["amount"],
        rate_bps=row.result["rate_bps"],
        pd=row.result["pd"],
        grade=row.result["grade"],
        model_version=row.model_version,
        created_at=row.created_at,
    )


def verify(
    services: Services, row: CreditDecision, anchor: Anchor, *, relayer_saw_it_mined: bool = False
) -> Verification:
    """Re-hash the snapshot, re-score it with the stored model version, and read the anchor.

    The anchor counts only once the indexer has it in a canonical block; before that the
    verification says ``anchor_pending`` (or ``anchor_reorged`` when a reorg dropped it and it
    is being anchored again, or the relayer saw it mined and the chain no longer has it), which
    is not a mismatch."""
    snapshot_ok = content_hash(row.snapshot) == row.snapshot_hash
    try:
        rescored = decide(row.snapshot, services.models.get(row.model_version))
        reproduced: bool | None = canonical_json(rescored) == canonical_json(row.result)
    except ModelUnavailable:
        reproduced = None
    hash_ok = decision_hash(row.decision_id, row.snapshot_hash, row.result) == row.decision_hash
    anchored = services.ledger.decisions.anchored(bytes.fromhex(row.decision_id[2:]))
    on_chain_hash = None if anchored is None else "0x" + anchored.decision_hash.hex()
    indexed = anchor.status in (RECORDED_PUBLIC, FINAL_PUBLIC)
    matches = (
        anchored is not None
        and on_chain_hash == row.decision_hash
        and (anchored.bank, anchored.firm) == (row.bank, row.firm)
    )
    on_chain = matches and indexed
    checks = {
        "the snapshot's hash": snapshot_ok,
        "the re-scored result": reproduced is not False,
        "the decision hash": hash_ok,
        # An anchor not (or no longer) on chain is pending, not a mismatch; one on chain that
        # differs is.
        "the on-chain anchor": matches or anchored is None,
    }
    failed = [name for name, ok in checks.items() if not ok]
    status = (
        "mismatch"
        if failed
        else "verified"
        if on_chain
        else "anchor_reorged"
        if anchor.reorgs or (anchored is None and (indexed or relayer_saw_it_mined))
        else "anchor_pending"
    )
    return Verification(
        snapshot_hash_matches=snapshot_ok,
        reproduced=reproduced,
        decision_hash_matches=hash_ok,
        on_chain=on_chain,
        on_chain_hash=on_chain_hash,
        anchored_at=None if anchored is None else anchored.anchored_at,
        status=status,  # type: ignore[arg-type]
        message=_verdict(failed, reproduced, row.model_version, status, anchor),
    )


def _verdict(
    failed: list[str], reproduced: bool | None, model_version: str, status: str, anchor: Anchor
) -> str:
    if failed:
        return f"does not verify: {', '.join(failed)} differ(s) from the stored decision"
    if status == "anchor_reorged":
        return (
            "anchor reorged: the anchor left the canonical chain and is being anchored again "
            f"(anchor {anchor.status}); the stored decision itself checks out"
        )
    if status == "anchor_pending":
        return (
            f"anchor pending: the anchor is {anchor.status}, not yet in an indexed canonical "
            "block; the stored decision itself checks out"
        )
    if reproduced is None:
        return f"verified except re-scoring: model {model_version} is not installed here"
    return "verified: the snapshot re-scores to this decision and its hash is anchored on chain"


def _require_bank_with_consent(
    session: Session, services: Services, principal: Principal, firm: str
) -> None:
    if principal.operator or not principal.has(Role.BANK):
        raise RoleNotAllowed("only a bank asks for credit decisions")
    require_active_bank(session, principal.address)
    if active_consent(session, principal.address, firm, ConsentScope.DECISIONS) is None:
        raise NoConsent(f"{firm} has not given this bank an active consent for credit decisions")


def _anchor(session: Session, services: Services, decision_id: str) -> tuple[Anchor, bool]:
    """The anchor's public status, and whether the relayer saw its transaction mined."""
    item = session.exec(
        select(OutboxItem).where(
            OutboxItem.kind == OutboxKind.ANCHOR_DECISION, OutboxItem.subject == decision_id
        )
    ).first()
    if item is None:  # written with the decision; absent only if removed by hand
        return Anchor(status="missing", tx_hash=None, block_number=None), False
    state = submission_status(
        session, item, chain_id=services.chain_id, final_depth=services.settings.final_depth
    )
    anchor = Anchor(
        status=state.status,
        tx_hash=state.tx_hash,
        block_number=state.block_number,
        confirmations=state.confirmations,
        reorgs=state.reorgs,
    )
    return anchor, item.status in (OutboxStatus.RECORDED, OutboxStatus.FINAL)


def _view(row: CreditDecision, anchor: Anchor) -> Decision:
    request = row.snapshot["request"]
    return Decision(
        decision_id=row.decision_id,
        bank=row.bank,
        firm=row.firm,
        amount=row.amount,
        tenor_days=row.tenor_days,
        receivable_ids=request["receivable_ids"],
        created_at=row.created_at,
        as_of=row.as_of,
        snapshot_hash=row.snapshot_hash,
        decision_hash=row.decision_hash,
        anchor=anchor,
        **row.result,
    )
