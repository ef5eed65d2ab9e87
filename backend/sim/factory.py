"""The simulator's factory floor: production lines whose telemetry follows a firm's latent health.

A share of the suppliers of a world (``WorldParams.device_share``) operate production lines that an
industrial-internet platform (one oracle firm) registered; the oracle attests each line's output
per :data:`PERIOD_DAYS`-day period and, for a share of the invoices (``delivery_share``), the
delivery of the goods. One generator, :func:`load`, gives a line's utilisation of its rated
capacity, for the offline worlds here and for the demo's MQTT telemetry
(:mod:`backend.sim.attestations_demo`):

- utilisation ``expit(LOAD_BASE + LOAD_SLOPE * h + own)`` (about 73% for an average firm; ``own``
  the firm's own level, :data:`LOAD_SPREAD`), with period-to-period noise;
- a firm that defaults at time D runs its lines down before it: from ``D - lead`` (lead 4 to 12
  months) utilisation, and so output, falls linearly to ``1 - depth`` of its level at D. What the
  model sees of it is only what was attested by T, so a firm defaulting soon after T shows most of
  its decline and one defaulting late shows little or none — no label leaks into T;
- a fraudulent firm (``fraud_share`` of the device operators; it carries a higher true PD,
  :data:`FRAUD_SHIFT` in log-odds) invoices far more than it produces: only a share
  (:data:`GENUINE`) of its invoices are goods it made (and only those have attested deliveries);
  its lines are sized for that real output, so its utilisation looks normal while the ratio of
  invoiced to attested units is far above 2 (the credit record's production-consistency flag).

Everything is drawn from generators of its own (``[seed, 3]`` for who operates devices and who
is a fraud, ``[seed, 4]`` for the telemetry), so a world without devices draws exactly what it
drew before they existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from backend.attestations.typed_data import DeviceKind
from backend.enums import DAY, Role

if TYPE_CHECKING:
    from backend.sim.world import World

HOUR = 3_600
PERIOD_DAYS = 15
LOAD_BASE, LOAD_SLOPE, LOAD_NOISE = 1.0, 0.6, 0.08
LOAD_SPREAD = 0.5  # firms' own utilisation level (their trade, their shifts), whatever their health
LEAD_DAYS = (120, 360)  # how long before its default a firm's output starts falling
DEPTH = (0.35, 0.65)  # how far it has fallen by the default
FRAUD_SHIFT = 2.5  # log-odds added to a fraudulent firm's true PD
GENUINE = (0.15, 0.35)  # share of a fraudulent firm's invoices that are goods it made
UNITS_PER_INVOICE = (2_000, 40_000)
ENERGY_WH_PER_UNIT = 900

Add = Callable[..., None]


@dataclass(frozen=True, slots=True)
class Sale:
    """An invoice of a seller, as the world issued it (disputed ones are not verified sales)."""

    number: int
    buyer: int
    issued: int
    amount: int
    trade_id: str


def load(health: float, decline: float = 1.0, noise: float = 0.0, own: float = 0.0) -> float:
    """Utilisation of a line of a firm of latent ``health`` (0..1): ``decline`` the share of its
    level left before a default (1: none), ``noise`` a standard normal draw, ``own`` the firm's
    own level in log-odds (what its trade runs at, unrelated to its health)."""
    level = float(expit(LOAD_BASE + LOAD_SLOPE * health + own)) * decline
    return float(np.clip(level * np.exp(LOAD_NOISE * noise), 0.0, 1.0))


def decline_at(when: int, default_time: int, lead: int, depth: float) -> float:
    """The share of its output level a firm defaulting at ``default_time`` (0: never) keeps."""
    if not default_time:
        return 1.0
    progress = (when - (default_time - lead)) / lead
    return 1.0 - depth * float(np.clip(progress, 0.0, 1.0))


def operators(seed: int, tier: NDArray[np.int64], device_share: float,
              fraud_share: float) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:  # fmt: skip
    """Which suppliers operate devices, and which of those are frauds (from ``[seed, 3]``)."""
    rng = np.random.default_rng([seed, 3])
    draws = rng.random((2, tier.size))
    operates = (tier >= 1) & (draws[0] < device_share)
    return operates, operates & (draws[1] < fraud_share)


def oracle_address(seed: int) -> str:
    from eth_utils import to_checksum_address

    return str(to_checksum_address(hashlib.sha256(f"{seed}:oracle".encode()).digest()[:20]))


def factory_events(world: World, add: Add, sales: dict[int, list[Sale]], hex_id: Callable[..., str],
                   horizon: int) -> None:  # fmt: skip
    """The oracle's registration, then every device operator's lines, their periods' production
    attestations and its attested deliveries, through ``add``."""
    rng = np.random.default_rng([world.seed, 4])
    oracle = oracle_address(world.seed)
    add(world.start, "FirmRegistry", "FirmRegistered", firm=oracle, roles=Role.ORACLE,
        creditCodeHash=hex_id(world.seed, "code", -1), registeredAt=world.start)  # fmt: skip
    counter = iter(range(1, 1 << 62))
    for firm in np.flatnonzero(world.operates):
        _firm_floor(world, int(firm), sales.get(int(firm), []), add, rng, oracle, hex_id,
                    counter, horizon)  # fmt: skip


def _firm_floor(world: World, firm: int, sales: list[Sale], add: Add, rng: np.random.Generator,
                oracle: str, hex_id: Callable[..., str], counter: Any,
                horizon: int) -> None:  # fmt: skip
    if not sales:
        return
    seed, address = world.seed, world.addresses[firm]
    fraud = bool(world.fraud[firm])
    genuine_share = float(rng.uniform(*GENUINE)) if fraud else 1.0
    genuine = [s for s in sales if rng.random() < genuine_share]
    price = float(np.median([s.amount for s in sales])) / float(
        np.exp(rng.uniform(*np.log(UNITS_PER_INVOICE)))
    )
    start = int(world.registered_at[firm]) + int(rng.integers(DAY, 30 * DAY))
    lines = 1 + int(rng.integers(0, 2))
    period = PERIOD_DAYS * DAY
    # Sized for the goods it really sells, at the firm's own typical load.
    made_units = sum(s.amount for s in genuine) / price
    periods = max(1.0, (horizon - start) / period)
    h, own = float(world.health[firm]), LOAD_SPREAD * float(rng.standard_normal())
    capacity = max(1, round(made_units / periods / (period / HOUR) / load(h, own=own) / lines))
    lead = int(rng.integers(*LEAD_DAYS)) * DAY
    depth = float(rng.uniform(*DEPTH))
    stopped = int(world.default_time[firm])
    for line in range(lines):
        device = hex_id(seed, "device", firm * 4 + line)
        add(start, "AttestationLedger", "DeviceRegistered", deviceId=device, firm=address,
            oracle=oracle, kind=int(DeviceKind.PRODUCTION_LINE), ratedCapacity=capacity,
            registeredAt=start)  # fmt: skip
        for begin in range(start, min(horizon, stopped or horizon), period):
            end = begin + period
            decline = decline_at(end, stopped, lead, depth)
            u = load(h, decline, float(rng.standard_normal()), own)
            units = int(capacity * (period / HOUR) * u)
            number = next(counter)
            add(end + int(rng.integers(HOUR, DAY)), "AttestationLedger", "ProductionAttested",
                attestationId=hex_id(seed, "production", number), deviceId=device, firm=address,
                oracle=oracle, periodStart=begin, periodEnd=end, units=units,
                runningSeconds=int(period * u), energyWh=units * ENERGY_WH_PER_UNIT,
                dataHash=hex_id(seed, "telemetry", number))  # fmt: skip
    for sale in genuine:
        if rng.random() < world.params.delivery_share and sale.issued >= start:
            _delivery(world, sale, price, add, rng, oracle, hex_id)


def _delivery(world: World, sale: Sale, price: float, add: Add, rng: np.random.Generator,
              oracle: str, hex_id: Callable[..., str]) -> None:  # fmt: skip
    """The buyer appoints the platform as carrier once the invoice is on chain (at most 3 days
    after issue), and the platform attests the delivery a little later."""
    appointed = sale.issued + 3 * DAY
    add(appointed, "AttestationLedger", "CarrierAppointed", tradeId=sale.trade_id, oracle=oracle,
        party=world.addresses[sale.buyer])  # fmt: skip
    quantity = max(1, round(sale.amount / price * rng.uniform(0.97, 1.03)))
    add(appointed + int(rng.integers(HOUR, 4 * DAY)), "AttestationLedger", "DeliveryAttested",
        attestationId=hex_id(world.seed, "delivery", sale.number), tradeId=sale.trade_id,
        oracle=oracle, deliveredAt=sale.issued, placeHash=hex_id(world.seed, "place", sale.buyer),
        quantity=quantity, dataHash=hex_id(world.seed, "delivery-data", sale.number))  # fmt: skip
