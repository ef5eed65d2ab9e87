"""Families of simulated worlds: randomised world parameters, so a model learns supply chains and
not one simulator.

A family is a distribution over :class:`~backend.sim.world.WorldParams`: each world of a family
draws its own amount scale, months of history, tiers, buyers per supplier, concentration and
payment-term regime, base default rate (2% to 15% in every family), how strongly health drives
the PD, how much of the world's risk level shows in its behaviour, which behaviours carry the
latent health and how strongly, and noise. Families differ in the ranges, so that holding a whole
family out tests a model on supply chains unlike the ones it was trained on:

============== =================================================================================
family         what is particular
============== =================================================================================
anchor         amounts x0.5..x2, 18-30 months, three tiers, terms 60 d: the original, varied
large-long     amounts x10..x100, 30-36 months, terms 90 +- 15 d: big firms, long records
small-short    amounts x0.01..x0.1, 6-12 months, terms 30 d, more noise: a young ledger
concentrated   single-buyer suppliers common (50-80%), one or two tiers, terms 60-90 +- 20 d
payment-driven lateness and disputes carry the health, size and tenure hardly; slow payers
size-driven    size, growth, tenure and buyers carry the health, payments hardly; terms 30-60
============== =================================================================================

Everything is drawn from the seed: the same (family, seed) gives the same worlds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from backend.sim.world import BEHAVIOURS, WorldParams

Draw = Callable[[np.random.Generator], WorldParams]
STRONG, WEAK = (0.8, 1.5), (0.0, 0.3)


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    draw: Draw


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _carriers(
    rng: np.random.Generator, ranges: dict[str, tuple[float, float]]
) -> tuple[float, ...]:
    default = (0.6, 1.2)
    return tuple(round(float(rng.uniform(*ranges.get(b, default))), 3) for b in BEHAVIOURS)


def _common(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "base_rate": round(float(rng.uniform(0.02, 0.15)), 4),
        "pd_slope": round(float(rng.uniform(0.9, 1.6)), 3),
        "visible_level": round(float(rng.uniform(0.0, 1.0)), 3),
        "vendors": round(float(rng.uniform(0.05, 0.15)), 3),
    }


def _anchor(rng: np.random.Generator) -> WorldParams:
    return WorldParams(
        amount_scale=_log_uniform(rng, 0.5, 2.0),
        history_months=int(rng.integers(18, 31)),
        supplier_tiers=3,
        buyers_rate=float(rng.uniform(1.0, 1.6)),
        single_buyer_share=float(rng.uniform(0.0, 0.1)),
        terms_days=60,
        carriers=_carriers(rng, {}),
        noise=float(rng.uniform(0.8, 1.2)),
        **_common(rng),
    )


def _large_long(rng: np.random.Generator) -> WorldParams:
    return WorldParams(
        amount_scale=_log_uniform(rng, 10.0, 100.0),
        history_months=int(rng.integers(30, 37)),
        supplier_tiers=int(rng.integers(2, 4)),
        buyers_rate=float(rng.uniform(1.2, 2.2)),
        single_buyer_share=float(rng.uniform(0.0, 0.1)),
        terms_days=90,
        terms_spread=15,
        carriers=_carriers(rng, {"size": (0.4, 1.0)}),
        noise=float(rng.uniform(0.8, 1.2)),
        **_common(rng),
    )


def _small_short(rng: np.random.Generator) -> WorldParams:
    return WorldParams(
        amount_scale=_log_uniform(rng, 0.01, 0.1),
        history_months=int(rng.integers(6, 13)),
        supplier_tiers=int(rng.integers(2, 4)),
        buyers_rate=float(rng.uniform(0.8, 1.4)),
        single_buyer_share=float(rng.uniform(0.1, 0.3)),
        terms_days=30,
        terms_spread=5,
        carriers=_carriers(rng, {}),
        noise=float(rng.uniform(1.0, 1.4)),
        **_common(rng),
    )


def _concentrated(rng: np.random.Generator) -> WorldParams:
    return WorldParams(
        amount_scale=_log_uniform(rng, 0.3, 3.0),
        history_months=int(rng.integers(12, 25)),
        supplier_tiers=int(rng.integers(1, 3)),
        buyers_rate=float(rng.uniform(0.3, 0.8)),
        single_buyer_share=float(rng.uniform(0.5, 0.8)),
        terms_days=int(rng.integers(60, 91)),
        terms_spread=20,
        carriers=_carriers(rng, {"buyers": (0.0, 0.6)}),
        noise=float(rng.uniform(0.8, 1.2)),
        **_common(rng),
    )


def _payment_driven(rng: np.random.Generator) -> WorldParams:
    weak = dict.fromkeys(("tenure", "size", "growth", "volatility", "buyers"), WEAK)
    return WorldParams(
        amount_scale=_log_uniform(rng, 1.0, 10.0),
        history_months=int(rng.integers(12, 37)),
        supplier_tiers=int(rng.integers(2, 4)),
        buyers_rate=float(rng.uniform(0.8, 1.6)),
        single_buyer_share=float(rng.uniform(0.0, 0.3)),
        terms_days=int(rng.integers(30, 91)),
        terms_spread=10,
        late_culture=float(rng.uniform(0.0, 10.0)),
        carriers=_carriers(rng, {**weak, "lateness": STRONG, "disputes": STRONG}),
        noise=float(rng.uniform(0.8, 1.3)),
        **_common(rng),
    )


def _size_driven(rng: np.random.Generator) -> WorldParams:
    strong = dict.fromkeys(("tenure", "size", "growth", "buyers"), STRONG)
    return WorldParams(
        amount_scale=_log_uniform(rng, 0.05, 1.0),
        history_months=int(rng.integers(9, 25)),
        supplier_tiers=int(rng.integers(2, 4)),
        buyers_rate=float(rng.uniform(0.8, 1.6)),
        single_buyer_share=float(rng.uniform(0.0, 0.3)),
        terms_days=int(rng.integers(30, 61)),
        terms_spread=10,
        carriers=_carriers(rng, {**strong, "lateness": (0.1, 0.4), "disputes": (0.1, 0.4)}),
        noise=float(rng.uniform(0.8, 1.3)),
        **_common(rng),
    )


FAMILIES: tuple[Family, ...] = (
    Family("anchor", "amounts x0.5-x2, 18-30 months, three tiers, terms 60 d", _anchor),
    Family("large-long", "amounts x10-x100, 30-36 months, terms 90 +- 15 d", _large_long),
    Family("small-short", "amounts x0.01-x0.1, 6-12 months, terms 30 d, noisier", _small_short),
    Family(
        "concentrated", "single-buyer suppliers 50-80%, 1-2 tiers, terms 60-90 d", _concentrated
    ),
    Family("payment-driven", "lateness and disputes carry health; slow payers", _payment_driven),
    Family(
        "size-driven", "size, growth, tenure, buyers carry health; payments hardly", _size_driven
    ),
)
FAMILY_NAMES: tuple[str, ...] = tuple(family.name for family in FAMILIES)


def family(name: str) -> Family:
    for candidate in FAMILIES:
        if candidate.name == name:
            return candidate
    raise ValueError(f"unknown family {name!r}; expected one of {FAMILY_NAMES}")


def world_params(name: str, seed: int, index: int) -> WorldParams:
    """The parameters of world ``index`` of family ``name`` under ``seed``."""
    number = FAMILY_NAMES.index(name)
    return family(name).draw(np.random.default_rng([seed, 101, number, index]))


def world_seed(name: str, seed: int, index: int) -> int:
    """The seed of the world's own draws (firms, trading), distinct for every world."""
    return int(np.random.default_rng([seed, 202, FAMILY_NAMES.index(name), index]).integers(2**31))
