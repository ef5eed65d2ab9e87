"""Figures from industrial-internet attestations (contracts/AttestationLedger.sol): what machines
and carriers vouch for, against what the firm invoices.

Only what was on chain by T counts (attestations by ``attested_time``, devices by
``registered_time``), and nothing from a device its firm had disputed by T. Windows are
``(T - days, T]`` on business times (a period by its end, a delivery by its time, an invoice by
``issued_at``). A firm without devices or carriers gets zeros and ``None`` ratios, and no flag:
the policy does not penalise it (backend/decisions/policy.py).

===================== ==============================================================================
figure                definition
===================== ==============================================================================
attested_deliveries   verified invoices sold in the last 365 d whose delivery an oracle attested:
                      ``share`` (by amount), ``attested_amount``, ``amount``, ``attested``,
                      ``invoices``
production_consistency invoiced quantity against attested output over the last 365 d:
                      ``unit_value`` (median amount per delivered unit over the firm's invoices
                      with an attested delivery, any time by T), ``invoiced_units`` (365 d sales /
                      unit_value), ``attested_units`` (units its production devices were attested
                      to make), ``ratio`` = invoiced / attested units, ``devices``; ``flag`` when
                      the firm has production devices, invoices and either no attested output or a
                      ratio above 2 (:data:`CONSISTENCY_FLAG_RATIO`): it sells far more than it
                      makes, a fraud signal
capacity_utilisation  attested units / (rated capacity x attested hours) of its production devices
                      over the last 90 d: ``utilisation``, ``monthly`` (three thirty-day buckets,
                      newest first; None without attested periods), ``trend`` (newest minus
                      oldest bucket with periods), ``devices``
attested_coverage     ``share`` of the last 365 d sales (by amount) covered by an attested fact:
                      its delivery was attested, or the seller's devices were attested producing
                      in the 30 d before it was issued; ``covered_amount``, ``by_delivery``,
                      ``by_production``, ``amount``
===================== ==============================================================================
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy import Connection, select

from backend.attestations.models import DeliveryAttestation, Device, ProductionAttestation
from backend.attestations.telemetry import PRODUCING
from backend.credit.figure import Figure, ratio, within
from backend.credit.queries import FirmHistory, TradeRow
from backend.db import table_of
from backend.enums import DAY

DEVICES = table_of(Device)
PRODUCTION = table_of(ProductionAttestation)
DELIVERIES = table_of(DeliveryAttestation)
CONSISTENCY_FLAG_RATIO = 2.0
SALES_DAYS, UTILISATION_DAYS, COVER_DAYS = 365, 90, 30
PRODUCING_KINDS = sorted(int(kind) for kind in PRODUCING)


@dataclass(frozen=True, slots=True)
class _Period:
    device_id: str
    start: int
    end: int
    units: int
    capacity: int  # units per hour
    event_id: int


@dataclass(frozen=True, slots=True)
class _Delivered:
    trade_id: str
    quantity: int
    event_id: int


def _devices(connection: Connection, firm: str, as_of: int) -> dict[str, tuple[int, int, int]]:
    """The firm's production devices registered by T and not disputed by T:
    id -> (rated capacity, kind, registration event)."""
    rows = connection.execute(
        select(
            DEVICES.c.device_id,
            DEVICES.c.rated_capacity,
            DEVICES.c.kind,
            DEVICES.c.event_id,
            DEVICES.c.disputed_time,
        ).where(DEVICES.c.firm == firm, DEVICES.c.registered_time <= as_of)  # fmt: skip
    ).all()
    return {
        row.device_id: (row.rated_capacity, row.kind, row.event_id)
        for row in rows
        if row.kind in PRODUCING_KINDS and (row.disputed_time is None or row.disputed_time > as_of)
    }


def _periods(connection: Connection, firm: str, as_of: int, devices: dict) -> list[_Period]:
    rows = connection.execute(
        select(
            PRODUCTION.c.device_id,
            PRODUCTION.c.period_start,
            PRODUCTION.c.period_end,
            PRODUCTION.c.units,
            PRODUCTION.c.event_id,
        ).where(  # fmt: skip
            PRODUCTION.c.firm == firm,
            PRODUCTION.c.attested_time <= as_of,
            PRODUCTION.c.period_end > as_of - SALES_DAYS * DAY,
        )
    ).all()
    return [
        _Period(
            r.device_id, r.period_start, r.period_end, r.units, devices[r.device_id][0], r.event_id
        )  # fmt: skip
        for r in rows
        if r.device_id in devices
    ]


def _deliveries(connection: Connection, trade_ids: list[str], as_of: int) -> dict[str, _Delivered]:
    """The first attested delivery of each of these trades, by T."""
    found: dict[str, _Delivered] = {}
    for start in range(0, len(trade_ids), 500):
        chunk = trade_ids[start : start + 500]
        rows = connection.execute(
            select(DELIVERIES.c.trade_id, DELIVERIES.c.quantity, DELIVERIES.c.event_id)
            .where(DELIVERIES.c.trade_id.in_(chunk), DELIVERIES.c.attested_time <= as_of)
            .order_by(DELIVERIES.c.event_id)
        ).all()
        for row in rows:
            found.setdefault(row.trade_id, _Delivered(row.trade_id, row.quantity, row.event_id))
    return found


def figures(connection: Connection, history: FirmHistory) -> dict[str, Figure]:
    firm, as_of = history.firm, history.as_of
    invoices = [t for t in history.trades if t.seller == firm and t.is_verified_invoice(as_of)]
    sales = [t for t in invoices if within(t.issued_at, as_of, SALES_DAYS)]
    delivered = _deliveries(connection, [t.trade_id for t in invoices], as_of)
    devices = _devices(connection, firm, as_of)
    periods = _periods(connection, firm, as_of, devices) if devices else []
    return {
        "attested_deliveries": _attested_deliveries(sales, delivered),
        "production_consistency": _consistency(invoices, sales, delivered, periods, devices, as_of),
        "capacity_utilisation": _utilisation(periods, devices, as_of),
        "attested_coverage": _coverage(sales, delivered, periods),
    }


def _trade_events(trades: list[TradeRow]) -> set[int]:
    return {t.event_id for t in trades}


def _attested_deliveries(sales: list[TradeRow], delivered: dict[str, _Delivered]) -> Figure:
    attested = [t for t in sales if t.trade_id in delivered]
    amount, attested_amount = sum(t.amount for t in sales), sum(t.amount for t in attested)
    value = {
        "share": ratio(attested_amount, amount),
        "attested_amount": attested_amount,
        "amount": amount,
        "attested": len(attested),
        "invoices": len(sales),
    }
    evidence = _trade_events(attested) | {delivered[t.trade_id].event_id for t in attested}
    return Figure(value, frozenset(evidence))


def _consistency(
    invoices: list[TradeRow],
    sales: list[TradeRow],
    delivered: dict[str, _Delivered],
    periods: list[_Period],
    devices: dict[str, tuple[int, int, int]],
    as_of: int,
) -> Figure:
    priced = [
        (t.amount / delivered[t.trade_id].quantity) for t in invoices if t.trade_id in delivered
    ]
    unit_value = statistics.median(priced) if priced else None
    amount = sum(t.amount for t in sales)
    invoiced_units = None if unit_value is None else round(amount / unit_value)
    output = [p for p in periods if within(p.end, as_of, SALES_DAYS)]
    attested_units = sum(p.units for p in output)
    consistency = None if invoiced_units is None else ratio(invoiced_units, attested_units)
    flag = (
        bool(devices)
        and amount > 0
        and (
            attested_units == 0
            or (consistency is not None and consistency > CONSISTENCY_FLAG_RATIO)
        )
    )
    value = {
        "flag": flag,
        "ratio": consistency,
        "invoiced_units": invoiced_units,
        "attested_units": attested_units,
        "unit_value": unit_value,
        "amount": amount,
        "devices": len(devices),
    }
    evidence = {p.event_id for p in output} | {d[2] for d in devices.values()}
    evidence |= {delivered[t.trade_id].event_id for t in invoices if t.trade_id in delivered}
    if flag:
        evidence |= _trade_events(sales)
    return Figure(value, frozenset(evidence))


def _bucket_utilisation(periods: list[_Period]) -> float | None:
    possible = sum(p.capacity * (p.end - p.start) for p in periods)  # unit-seconds at capacity
    return None if possible == 0 else sum(p.units for p in periods) * 3_600 / possible


def _utilisation(
    periods: list[_Period], devices: dict[str, tuple[int, int, int]], as_of: int
) -> Figure:
    recent = [p for p in periods if within(p.end, as_of, UTILISATION_DAYS)]
    monthly = [
        _bucket_utilisation(
            [p for p in recent if within(p.end, as_of - k * COVER_DAYS * DAY, COVER_DAYS)]
        )
        for k in range(UTILISATION_DAYS // COVER_DAYS)
    ]
    known = [u for u in monthly if u is not None]
    value = {
        "utilisation": _bucket_utilisation(recent),
        "monthly": monthly,
        "trend": known[0] - known[-1] if len(known) >= 2 else None,
        "devices": len(devices),
    }
    return Figure(value, frozenset({p.event_id for p in recent}))


def _coverage(
    sales: list[TradeRow], delivered: dict[str, _Delivered], periods: list[_Period]
) -> Figure:
    producing = sorted((p.start, p.end, p.event_id) for p in periods if p.units > 0)
    by_delivery, by_production, evidence = [], [], set()
    for trade in sales:
        if trade.trade_id in delivered:
            by_delivery.append(trade)
            evidence.add(delivered[trade.trade_id].event_id)
            continue
        made = [
            event
            for start, end, event in producing
            if trade.issued_at - COVER_DAYS * DAY < end and start <= trade.issued_at
        ]
        if made:  # the latest such period is its evidence
            by_production.append(trade)
            evidence.add(made[-1])
    covered = by_delivery + by_production
    amount, covered_amount = sum(t.amount for t in sales), sum(t.amount for t in covered)
    value = {
        "share": ratio(covered_amount, amount),
        "covered_amount": covered_amount,
        "by_delivery": len(by_delivery),
        "by_production": len(by_production),
        "amount": amount,
    }
    return Figure(value, frozenset(evidence | _trade_events(covered)))
