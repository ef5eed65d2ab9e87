"""ConsentRegistry events."""

from __future__ import annotations

from backend.consents.models import Consent
from backend.db import table_of
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.handlers.rows import copied, record
from backend.indexer.store import Store

CONSENTS = table_of(Consent)
ZERO_ID = "0x" + "00" * 32


@handles("ConsentRegistry:ConsentGranted")
def handle_consent_granted(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, "consentId", "firm", "bank", "scope", "expiresAt")
    row |= {"granted_time": event.block_time, "revoked_time": None, "replaced_by": None}
    record(store, CONSENTS, event, row)
    replaced = args.get("replaces", ZERO_ID)
    if replaced != ZERO_ID:
        store.update(
            CONSENTS,
            {"consent_id": replaced},
            {"replaced_by": args["consentId"]},
            block=event.block_number,
        )


@handles("ConsentRegistry:ConsentRevoked")
def handle_consent_revoked(store: Store, event: DecodedEvent) -> None:
    store.update(
        CONSENTS,
        {"consent_id": event.args["consentId"]},
        {"revoked_time": event.block_time},
        block=event.block_number,
    )
