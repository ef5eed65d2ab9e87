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


Drawn = int | tuple[int, int]  # a fixed number, or drawn from [low, high)


@dataclass(frozen=True)
class Ranges:
    """What a family's worlds draw from (uniformly, the amount scale log-uniformly), in the
    order they draw it: ``carriers`` the ranges of the behaviours' carrier strengths that are
    not the default's."""

    amount_scale: tuple[float, float]
    history_months: tuple[int, int]
    supplier_tiers: Drawn
    buyers_rate: tuple[float, float]
    single_buyer_share: tuple[float, float]
    terms_days: Drawn
    terms_spread: int
    carriers: dict[str, tuple[float, float]]
    noise: tuple[float, float] = (0.8, 1.2)
    late_culture: tuple[float, float] | None = None

    def draw(self, rng: np.random.Generator) -> WorldParams:
        return WorldParams(
            amount_scale=_log_uniform(rng, *self.amount_scale),
            history_months=_number(rng, self.history_months),
            supplier_tiers=_number(rng, self.supplier_tiers),
            buyers_rate=_uniform(rng, self.buyers_rate),
            single_buyer_share=_uniform(rng, self.single_buyer_share),
            terms_days=_number(rng, self.terms_days),
            terms_spread=self.terms_spread,
            late_culture=0.0 if self.late_culture is None else _uniform(rng, self.late_culture),
            carriers=_carriers(rng, self.carriers),
            noise=_uniform(rng, self.noise),
            **_common(rng),
        )


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(*bounds))


def _number(rng: np.random.Generator, drawn: Drawn) -> int:
    return drawn if isinstance(drawn, int) else int(rng.integers(*drawn))


_PAYMENTS_WEAK = dict.fromkeys(("tenure", "size", "growth", "volatility", "buyers"), WEAK)
_SIZE_STRONG = dict.fromkeys(("tenure", "size", "growth", "buyers"), STRONG)
_PAYMENT_DRIVEN = _PAYMENTS_WEAK | {"lateness": STRONG, "disputes": STRONG}
_SIZE_DRIVEN = _SIZE_STRONG | {"lateness": (0.1, 0.4), "disputes": (0.1, 0.4)}

# Ranges(amount scale, months of history, tiers, buyers rate, single-buyer share, terms days,
#        terms spread, carriers, noise, late culture)
# fmt: off
FAMILIES: tuple[Family, ...] = tuple(
    Family(name, description, ranges.draw) for name, description, ranges in (
        ("anchor", "amounts x0.5-x2, 18-30 months, three tiers, terms 60 d",
         Ranges((0.5, 2.0), (18, 31), 3, (1.0, 1.6), (0.0, 0.1), 60, 0, {})),
        ("large-long", "amounts x10-x100, 30-36 months, terms 90 +- 15 d",
         Ranges((10.0, 100.0), (30, 37), (2, 4), (1.2, 2.2), (0.0, 0.1), 90, 15,
                {"size": (0.4, 1.0)})),
        ("small-short", "amounts x0.01-x0.1, 6-12 months, terms 30 d, noisier",
         Ranges((0.01, 0.1), (6, 13), (2, 4), (0.8, 1.4), (0.1, 0.3), 30, 5, {}, (1.0, 1.4))),
        ("concentrated", "single-buyer suppliers 50-80%, 1-2 tiers, terms 60-90 d",
         Ranges((0.3, 3.0), (12, 25), (1, 3), (0.3, 0.8), (0.5, 0.8), (60, 91), 20,
                {"buyers": (0.0, 0.6)})),
        ("payment-driven", "lateness and disputes carry health; slow payers",
         Ranges((1.0, 10.0), (12, 37), (2, 4), (0.8, 1.6), (0.0, 0.3), (30, 91), 10,
                _PAYMENT_DRIVEN, (0.8, 1.3), late_culture=(0.0, 10.0))),
        ("size-driven", "size, growth, tenure, buyers carry health; payments hardly",
         Ranges((0.05, 1.0), (9, 25), (2, 4), (0.8, 1.6), (0.0, 0.3), (30, 61), 10,
                _SIZE_DRIVEN, (0.8, 1.3))),
    )
)
# fmt: on
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
