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
from backend.indexer.store import Store
from backend.trades.models import Trade

DEVICES = table_of(Device)
PRODUCTION = table_of(ProductionAttestation)
CARRIERS = table_of(CarrierAppointment)
DELIVERIES = table_of(DeliveryAttestation)
TRADES = table_of(Trade)


@handles("AttestationLedger:DeviceRegistered")
def handle_device_registered(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = {
        "device_id": args["deviceId"],
        "firm": args["firm"],
        "oracle": args["oracle"],
        "kind": args["kind"],
        "rated_capacity": args["ratedCapacity"],
        "status": ACTIVE,
        "registered_time": args["registeredAt"],
        "disputed_time": None,
        "dispute_reason": None,
        "event_id": event.id,
    }
    store.insert(DEVICES, row, block=event.block_number)
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
    row = {**key, "party": args["party"], "appointed_time": event.block_time, "event_id": event.id}
    store.insert(CARRIERS, row, block=event.block_number)


@handles("AttestationLedger:ProductionAttested")
def handle_production_attested(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = {
        "attestation_id": args["attestationId"],
        "device_id": args["deviceId"],
        "firm": args["firm"],
        "oracle": args["oracle"],
        "period_start": args["periodStart"],
        "period_end": args["periodEnd"],
        "units": args["units"],
        "running_seconds": args["runningSeconds"],
        "energy_wh": args["energyWh"],
        "data_hash": args["dataHash"],
        "attested_time": event.block_time,
        "event_id": event.id,
    }
    store.insert(PRODUCTION, row, block=event.block_number)
    store.touch(args["firm"])


@handles("AttestationLedger:DeliveryAttested")
def handle_delivery_attested(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = {
        "attestation_id": args["attestationId"],
        "trade_id": args["tradeId"],
        "oracle": args["oracle"],
        "delivered_at": args["deliveredAt"],
        "place_hash": args["placeHash"],
        "quantity": args["quantity"],
        "data_hash": args["dataHash"],
        "attested_time": event.block_time,
        "event_id": event.id,
    }
    store.insert(DELIVERIES, row, block=event.block_number)
    trade = store.get(TRADES, {"trade_id": args["tradeId"]})
    if trade is not None:  # it is: a carrier is appointed for a verified trade only
        store.touch(trade["seller"], trade["buyer"])
