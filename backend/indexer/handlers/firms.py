"""FirmRegistry events."""

from __future__ import annotations

from backend.db import table_of
from backend.enums import FirmStatus
from backend.firms.models import Firm
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.handlers.rows import copied, record
from backend.indexer.store import Store

FIRMS = table_of(Firm)


@handles("FirmRegistry:FirmRegistered")
def handle_firm_registered(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, "roles", "creditCodeHash", "registeredAt")
    row |= {"address": args["firm"], "status": FirmStatus.ACTIVE}
    record(store, FIRMS, event, row | {"registered_block": event.block_number})
    store.touch(args["firm"])


@handles("FirmRegistry:FirmRolesChanged")
def handle_firm_roles_changed(store: Store, event: DecodedEvent) -> None:
    firm = event.args["firm"]
    store.update(FIRMS, {"address": firm}, {"roles": event.args["roles"]}, block=event.block_number)
    store.touch(firm)


@handles("FirmRegistry:FirmSuspended")
def handle_firm_suspended(store: Store, event: DecodedEvent) -> None:
    firm = event.args["firm"]
    store.update(
        FIRMS, {"address": firm}, {"status": FirmStatus.SUSPENDED}, block=event.block_number
    )
    store.touch(firm)


@handles("FirmRegistry:FirmReactivated")
def handle_firm_reactivated(store: Store, event: DecodedEvent) -> None:
    firm = event.args["firm"]
    store.update(FIRMS, {"address": firm}, {"status": FirmStatus.ACTIVE}, block=event.block_number)
    store.touch(firm)
