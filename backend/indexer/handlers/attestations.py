"""AttestationLedger events."""

from __future__ import annotations

from backend.attestations.models import (
    ACTIVE,
    DISPUTED,
    CarrierAppointment,
    DeliveryAttestation,
    Device,
    ProductionAttestation,
)
from backend.db import table_of
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.handlers.rows import copied, record
from backend.indexer.store import Store
from backend.trades.models import Trade

DEVICES = table_of(Device)
PRODUCTION = table_of(ProductionAttestation)
CARRIERS = table_of(CarrierAppointment)
DELIVERIES = table_of(DeliveryAttestation)
TRADES = table_of(Trade)
#: The arguments of ProductionAttested and DeliveryAttested their rows copy.
PRODUCTION_ARGS = (
    "attestationId deviceId firm oracle periodStart periodEnd units runningSeconds energyWh"
    " dataHash"
).split()
DELIVERY_ARGS = "attestationId tradeId oracle deliveredAt placeHash quantity dataHash".split()


@handles("AttestationLedger:DeviceRegistered")
def handle_device_registered(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, "deviceId", "firm", "oracle", "kind", "ratedCapacity")
    row |= {"status": ACTIVE, "registered_time": args["registeredAt"]}
    record(store, DEVICES, event, row | {"disputed_time": None, "dispute_reason": None})
    store.touch(args["firm"])


@handles("AttestationLedger:DeviceDisputed")
def handle_device_disputed(store: Store, event: DecodedEvent) -> None:
    args = event.args
    changes = {
        "status": DISPUTED,
        "disputed_time": args["disputedAt"],
        "dispute_reason": args["reason"],
    }
    store.update(DEVICES, {"device_id": args["deviceId"]}, changes, block=event.block_number)
    store.touch(args["firm"])


@handles("AttestationLedger:CarrierAppointed")
def handle_carrier_appointed(store: Store, event: DecodedEvent) -> None:
    args = event.args
    key = {"trade_id": args["tradeId"], "oracle": args["oracle"]}
    if store.get(CARRIERS, key) is not None:
        return  # the other party named the same carrier: the first appointment stands
    row = {**key, "party": args["party"], "appointed_time": event.block_time}
    record(store, CARRIERS, event, row)


@handles("AttestationLedger:ProductionAttested")
def handle_production_attested(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, *PRODUCTION_ARGS)
    record(store, PRODUCTION, event, row | {"attested_time": event.block_time})
    store.touch(args["firm"])


@handles("AttestationLedger:DeliveryAttested")
def handle_delivery_attested(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, *DELIVERY_ARGS)
    record(store, DELIVERIES, event, row | {"attested_time": event.block_time})
    trade = store.get(TRADES, {"trade_id": args["tradeId"]})
    if trade is not None:  # it is: a carrier is appointed for a verified trade only
        store.touch(trade["seller"], trade["buyer"])
