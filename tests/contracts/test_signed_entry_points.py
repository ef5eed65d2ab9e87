"""The shared behaviour suite: each authorization property, stated once, on every signed entry
point of the ledger (``behaviours.ENTRY_POINTS``), in the manner of OpenZeppelin's
``shouldBehaveLikeNonces()``.

Every refusal is the named Solidity error, with the arguments that name the firm at fault, and
changes nothing the call would have changed (its ``observe`` reads the same before and after);
the valid call, sent after the refusal, still goes through. A batch's item (``recordTrades``,
``attestBatch``) is refused when the batch reports it failed, the valid item sent with it going
through. An entry point that lets a suspended firm act (by design, or a finding noted in
``behaviours``) is tested as it is.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import pytest

from backend.chain import reverts
from backend.chain.contracts import Ledger
from backend.enums import Role
from tests.contracts.behaviours import (
    ENTRY_POINTS,
    Attempt,
    EntryPoint,
    applying,
    standing_arguments,
)
from tests.factories import advance_time, chain_snapshot, create_firm

pytestmark = pytest.mark.chain


def refused(error_name: str, attempt: Attempt, message: Any, signature: bytes) -> dict[str, Any]:
    """The call reverts with ``error_name``, what it would change is unchanged; the arguments."""
    before = attempt.observe()
    with pytest.raises(getattr(reverts, error_name)) as raised:
        attempt.send(message, signature)
    assert attempt.observe() == before
    return raised.value.arguments


def accepted(attempt: Attempt) -> None:
    before = attempt.observe()
    attempt.send(attempt.message, attempt.signed())
    assert attempt.observe() != before


def entry_points(attribute: str | None = None, entries: list[EntryPoint] | None = None) -> Any:
    if entries is None:
        entries = list(ENTRY_POINTS) if attribute is None else applying(attribute)
    return pytest.mark.parametrize("entry", entries, ids=[entry.name for entry in entries])


def nonce_arguments(error_name: str, signer: str, nonce: int, expected: int) -> dict[str, Any]:
    """The arguments of either nonce error: this ledger's, or OpenZeppelin's ``Nonces``."""
    if error_name == "InvalidAccountNonce":
        return {"account": signer, "currentNonce": expected}
    return {"signer": signer, "nonce": nonce, "expected": expected}


@entry_points()
def test_the_valid_signed_call_goes_through_once(ledger: Ledger, entry: EntryPoint) -> None:
    attempt = entry.prepare(ledger)
    signature = attempt.signed()
    accepted(attempt)
    if entry.replayed is None:  # an idempotent call: the replay goes through, changing nothing
        before = attempt.observe()
        attempt.send(attempt.message, signature)
        assert attempt.observe() == before
        return
    refused(entry.replayed, attempt, attempt.message, signature)


@entry_points()
def test_a_signature_of_another_registered_firm_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    impostor = create_firm(ledger, Role.SUPPLIER | Role.CORE | Role.BANK)
    forged = attempt.sign(impostor, attempt.message)
    arguments = refused(entry.wrong_signer, attempt, attempt.message, forged)
    expected_signer = attempt.signer.address
    for party in ("holder", "obligor"):  # NotHolder / NotObligor name both firms
        if party in arguments:
            assert arguments[party] == expected_signer
            expected_signer = impostor.address
    assert arguments["signer"] == expected_signer
    accepted(attempt)


@entry_points()
def test_a_signature_of_no_one_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    for garbage in (os.urandom(65), b""):
        arguments = refused(entry.invalid_signature, attempt, attempt.message, garbage)
        assert arguments == {"signer": attempt.signer.address}
    accepted(attempt)


@entry_points("tamper")
def test_a_signed_field_changed_after_signing_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    changed = entry.tamper(attempt.message)
    assert changed != attempt.message
    refused(entry.tampered, attempt, changed, attempt.signed())
    accepted(attempt)


@entry_points("invalid_nonce")
def test_a_nonce_ahead_of_the_signers_next_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    nonce = attempt.message.nonce
    ahead = dataclasses.replace(attempt.message, nonce=nonce + 1)
    arguments = refused(entry.invalid_nonce, attempt, ahead, attempt.sign(attempt.signer, ahead))
    assert arguments == nonce_arguments(
        entry.invalid_nonce, attempt.signer.address, nonce + 1, nonce
    )
    accepted(attempt)


@entry_points("invalid_nonce")
def test_a_signature_whose_nonce_was_used_meanwhile_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    signature = attempt.signed()
    nonce = attempt.message.nonce
    assert attempt.spend_nonce is not None, f"{entry} has a nonce: say how to spend it"
    attempt.spend_nonce()
    arguments = refused(entry.invalid_nonce, attempt, attempt.message, signature)
    assert arguments == nonce_arguments(
        entry.invalid_nonce, attempt.signer.address, nonce, nonce + 1
    )


@entry_points(entries=applying("inactive"))
def test_a_suspended_signer_is_refused_until_reactivated(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    ledger.registry.suspend(attempt.signer.address)
    arguments = refused(entry.inactive, attempt, attempt.message, attempt.signed())
    assert arguments == standing_arguments(entry.inactive, attempt.signer.address)
    ledger.registry.reactivate(attempt.signer.address)
    accepted(attempt)


@entry_points(entries=[entry for entry in ENTRY_POINTS if entry.inactive is None])
def test_a_suspended_signer_may_still_make_the_calls_that_allow_it(ledger, entry) -> None:
    assert entry.why_suspended_may_act, f"{entry}: say why a suspended signer may act"
    attempt = entry.prepare(ledger)
    ledger.registry.suspend(attempt.signer.address)
    accepted(attempt)


@entry_points(entries=applying("inactive_counterparty"))
def test_a_suspended_counterparty_is_refused_until_reactivated(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    assert attempt.counterparties, f"{entry}: name the counterparty whose standing it checks"
    for counterparty in attempt.counterparties:
        ledger.registry.suspend(counterparty.address)
        arguments = refused(entry.inactive_counterparty, attempt, attempt.message, attempt.signed())
        assert arguments == standing_arguments(entry.inactive_counterparty, counterparty.address)
        ledger.registry.reactivate(counterparty.address)
    accepted(attempt)


@entry_points(entries=[entry for entry in ENTRY_POINTS if entry.inactive_counterparty is None])
def test_a_counterparty_whose_standing_is_not_checked_is_named(ledger, entry) -> None:
    """Entry points without the counterparty property either have no counterparty (settle,
    markDefault, revokeConsent) or say why (by design, or a finding): then the call goes
    through with every counterparty suspended."""
    attempt = entry.prepare(ledger)
    if not attempt.counterparties:
        return
    assert entry.why_suspended_may_act, f"{entry}: a counterparty's standing is unchecked: say why"
    for counterparty in attempt.counterparties:
        ledger.registry.suspend(counterparty.address)
    accepted(attempt)


@entry_points("expired")
def test_a_signed_call_past_its_deadline_is_refused(ledger, entry) -> None:
    attempt = entry.prepare(ledger)
    with chain_snapshot(ledger):  # the clock moves back for the other tests
        if entry.time_travel:
            advance_time(ledger, entry.time_travel)
        late = entry.expire(ledger, attempt.message)
        refused(entry.expired, attempt, late, attempt.sign(attempt.signer, late))
