"""The checks every signed submission passes before it is queued: who submits it, the standing
of the firms it names, their signatures, and the signer's next nonce.

Whatever the contract would refuse for these reasons is refused here first (a 4xx, nothing
written); `SubmissionChecks` caches a request's standing lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, NamedTuple

from fastapi import Depends
from pydantic import BaseModel
from sqlmodel import Session, col, select

from backend.auth import errors
from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.service import Principal
from backend.chain.node import ChainUnavailable
from backend.enums import TRADER, FirmStatus, OutboxStatus, Role
from backend.errors import LedgerError, responses
from backend.firms.models import Firm
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import Accepted, DuplicateSubmission, enqueue
from backend.schemas import SubmissionAccepted, hex_bytes
from backend.sdk.verify import recover_address
from backend.services import Services

#: What anything queued for the relayer may be refused for, whatever it is: the caller's sign-in,
#: a duplicate of a submission already queued, the node.
RELAYED: tuple[type[LedgerError], ...] = (*errors.SIGNED_IN, DuplicateSubmission, ChainUnavailable)


class Caller(NamedTuple):
    """A signed-in request's unit of work, in the order every service function takes it first
    (``service.settle(*caller, ...)``)."""

    session: Session
    services: Services
    principal: Principal


def current_caller(principal: PrincipalDep, services: ServicesDep, session: SessionDep) -> Caller:
    return Caller(session, services, principal)


CallerDep = Annotated[Caller, Depends(current_caller)]


def accepted(
    *refusals: type[LedgerError], model: type[BaseModel] = SubmissionAccepted
) -> dict[str, Any]:
    """The route keywords of a relayed submission, ``@router.post(path, **accepted(...))``:
    answered 202 with ``model`` (the queued id), documented with what it may be refused for."""
    return {"status_code": 202, "response_model": model, "responses": responses(*refusals)}


def queue(session: Session, principal: Principal, accepted: Accepted) -> SubmissionAccepted:
    """Queue one checked submission for the relayer: what its 202 answers."""
    (row_id,) = enqueue(session, principal, [accepted])
    return SubmissionAccepted(id=row_id, subject=accepted.subject, status=OutboxStatus.QUEUED)


class SubmissionChecks:
    """The authorization checks of one request, with its standing lookups cached."""

    def __init__(self, session: Session, services: Services, principal: Principal) -> None:
        self.session = session
        self.services = services
        self.principal = principal
        self._standing: dict[str, tuple[FirmStatus, Role]] = {}

    def standing(self, address: str) -> tuple[FirmStatus, Role]:
        """From the indexed firms; from the chain when the index does not (yet) have it active."""
        if address not in self._standing:
            row = self.session.get(Firm, address)
            if row is not None and row.status == FirmStatus.ACTIVE:
                self._standing[address] = (FirmStatus(row.status), Role(row.roles))
            else:
                chain = self.services.ledger.registry.standing(address)
                self._standing[address] = (chain.status, chain.roles)
        return self._standing[address]

    def is_active(self, address: str, role: Role | None = None) -> bool:
        """Whether ``address`` is an active registered firm (holding ``role``, if named)."""
        status, roles = self.standing(address)
        return status == FirmStatus.ACTIVE and (role is None or bool(roles & role))

    def require_active(self, address: str) -> None:
        if not self.is_active(address):
            raise errors.FirmNotActive(address)

    def require_bank(self, address: str) -> None:
        if not self.is_active(address, Role.BANK):
            raise errors.NotABank(address)

    def require_trader(self, address: str) -> None:
        self.require_active(address)
        if not self.is_active(address, TRADER):
            raise errors.RoleNotAllowed(
                f"{address} is not a supplier or core enterprise", address=address
            )

    def require_party(self, *parties: str) -> None:
        if not self.principal.operator and self.principal.address not in parties:
            raise errors.NotAParty("only a party to the trade (or the operator) may submit this")

    def require_signature(self, signer: str, digest: bytes, signature: str, role: str) -> None:
        """An EOA's signature of ``digest``, else the approval of the signer's ERC-1271 wallet as
        the ledger's own bounded static check decides."""
        raw = hex_bytes(signature)
        if recover_address(digest, raw) == signer or self.services.ledger.trades.verify_signature(
            signer, digest, raw
        ):
            return
        raise errors.InvalidSignature(signer, role)


def signed_nonce(payload: dict[str, Any]) -> int | None:
    """The signer's ledger nonce an outbox payload spends (a consent keeps it in its body)."""
    value = payload.get("nonce", (payload.get("consent") or {}).get("nonce"))
    return None if value is None else int(value)


def check_next_nonce(
    session: Session,
    signer: str,
    kinds: Sequence[str],
    on_chain: Callable[[], int],
    nonce: int,
) -> None:
    """The nonce must be the signer's next one, each nonce counted once whether the chain has
    spent it, the outbox still carries it, or both (a transaction mined but not yet marked):
    ``max(chain's next nonce, highest nonce of the signer's rows in flight + 1)``.

    The outbox is read before the chain: a row the relayer marks in between was mined before it
    was marked, so the chain read that follows sees its nonce spent."""
    pending = [
        signed_nonce(item.payload)
        for item in session.exec(
            select(OutboxItem).where(
                OutboxItem.nonce_signer == signer,
                col(OutboxItem.kind).in_(list(kinds)),
                col(OutboxItem.status).in_([OutboxStatus.QUEUED, OutboxStatus.SUBMITTED]),
            )
        )
    ]
    highest = max((n for n in pending if n is not None), default=-1)
    expected = max(on_chain(), highest + 1)
    if nonce != expected:
        raise errors.InvalidNonce(signer, nonce, expected)
