"""What the attestation characteristics add to the scorecard, judged on held-out families.

Worlds with a factory floor (:mod:`backend.sim.factory`: a share of the suppliers operate devices
whose output follows their health, some of them frauds that invoice far more than they make), one
per family. For each family, two scorecards are fitted on the worlds of the *other* families, one
with the characteristics of :data:`~backend.scoring.features.FEATURE_SPECS` only and one with the
attestation characteristics too (their missing bin neutral), and both are judged on this family's
world:

- **AUC**: expected AUC against the true PDs (:func:`~backend.scoring.metrics.expected_auc`) over
  all the suppliers, over the device operators and over the firms without devices (the ones the
  attested characteristics must not hurt), and the realised AUC against the world's outcomes;
- **fraud detection at a fixed false-alarm rate**: among the device operators, the share of the
  frauds whose score is above the 95th percentile of the honest operators' scores (true positive
  rate at a 5% false-positive rate); and the production-consistency flag alone (its own rates).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backend.scoring.features import ATTESTATION_SPECS, FEATURE_SPECS
from backend.scoring.metrics import auc, expected_auc
from backend.scoring.scorecard import FeatureSpec, Scorecard
from backend.sim.families import FAMILY_NAMES, world_params, world_seed
from backend.sim.world import Dataset, simulate

logger = logging.getLogger(__name__)

FALSE_ALARM_RATE = 0.05
DEVICE_SHARE, FRAUD_SHARE = 0.5, 0.1
#: The world index of the attestation worlds: one no training plan draws (at most 4 a family).
WORLD_INDEX = 4
#: Include the attested characteristics in the served model only if they lift the mean held-out
#: AUC and cost the firms without devices no more than this in any held-out family.
NO_DEVICE_TOLERANCE = 0.005
SERVED_WITH = (
    "The served model is therefore fitted with them, on the training worlds and these worlds "
    "together (every firm without devices, all of the training worlds' among them, in their "
    "neutral missing bin)."
)
SERVED_WITHOUT = (
    "The served model therefore keeps the characteristics without attestations; a firm's "
    "attested figures act through the decision policy only (limits, the consistency flag)."
)
L2 = 0.02  # the supply-chain scorecard's ridge penalty (backend.scoring.training.SUPPLY_CHAIN_L2)


@dataclass(frozen=True)
class AttestationPlan:
    seed: int
    firms_per_world: int = 400
    families: tuple[str, ...] = FAMILY_NAMES
    device_share: float = DEVICE_SHARE
    fraud_share: float = FRAUD_SHARE


@dataclass(frozen=True)
class Judged:
    """One scorecard on one held-out world."""

    auc: float  # expected AUC, all suppliers
    auc_devices: float
    auc_no_devices: float
    realised_auc: float
    fraud_tpr: float  # frauds flagged at a 5% false-alarm rate among honest operators


@dataclass(frozen=True)
class FamilyComparison:
    family: str
    suppliers: int
    operators: int
    frauds: int
    without: Judged
    with_attestations: Judged
    flag_tpr: float  # share of frauds with the production-consistency flag
    flag_fpr: float  # share of honest operators with it

    @property
    def lift(self) -> float:
        return self.with_attestations.auc - self.without.auc


@dataclass(frozen=True)
class AttestationResult:
    plan: AttestationPlan
    families: tuple[FamilyComparison, ...]
    seconds: float
    worlds: dict[str, Dataset] = dataclasses.field(default_factory=dict, repr=False)

    @property
    def mean_lift(self) -> float:
        return float(np.mean([f.lift for f in self.families]))

    @property
    def helps(self) -> bool:
        """The data's verdict: a positive mean lift, and no family's firms without devices ranked
        worse by more than :data:`NO_DEVICE_TOLERANCE`."""
        return self.mean_lift > 0 and all(
            f.with_attestations.auc_no_devices - f.without.auc_no_devices >= -NO_DEVICE_TOLERANCE
            for f in self.families
        )


def simulate_attestation_worlds(plan: AttestationPlan) -> dict[str, Dataset]:
    worlds = {}
    for name in plan.families:
        params = dataclasses.replace(
            world_params(name, plan.seed, WORLD_INDEX),
            device_share=plan.device_share,
            fraud_share=plan.fraud_share,
        )
        seed = world_seed(name, plan.seed, WORLD_INDEX)
        worlds[name] = simulate(plan.firms_per_world, seed, params=params)
        logger.info("attested.world family=%s events=%d", name, worlds[name].events)
    return worlds


def _fit(worlds: Sequence[Dataset], specs: Sequence[FeatureSpec]) -> Scorecard:
    X = {s.name: np.concatenate([w.X[s.name] for w in worlds]) for s in specs}
    y = np.concatenate([w.y for w in worlds])
    return Scorecard(specs, l2=L2, free_auto_signs=True).fit(X, y)


def fraud_tpr(score: NDArray[np.float64], fraud: NDArray[np.bool_]) -> float:
    """Share of the frauds scored above the (1 - 5%) quantile of the others' scores."""
    if not fraud.any() or fraud.all():
        return float("nan")
    threshold = np.quantile(score[~fraud], 1.0 - FALSE_ALARM_RATE)
    return float((score[fraud] > threshold).mean())


def _judge(model: Scorecard, world: Dataset) -> Judged:
    suppliers = world.tier >= 1
    score = model.raw_logit({n: c[suppliers] for n, c in world.X.items()})
    p, y = world.true_pd[suppliers], world.y[suppliers]
    operates, fraud = world.operates[suppliers], world.fraud[suppliers]
    return Judged(
        auc=expected_auc(p, score),
        auc_devices=expected_auc(p[operates], score[operates]),
        auc_no_devices=expected_auc(p[~operates], score[~operates]),
        realised_auc=auc(y, score) if 0 < y.sum() < y.size else float("nan"),
        fraud_tpr=fraud_tpr(score[operates], fraud[operates]),
    )


def compare(plan: AttestationPlan, worlds: dict[str, Dataset] | None = None) -> AttestationResult:
    import time

    started = time.perf_counter()
    worlds = worlds if worlds is not None else simulate_attestation_worlds(plan)
    families = []
    for name, world in worlds.items():
        others = [w for other, w in worlds.items() if other != name]
        without = _fit(others, FEATURE_SPECS)
        with_attestations = _fit(others, FEATURE_SPECS + ATTESTATION_SPECS)
        suppliers = world.tier >= 1
        operates, fraud = world.operates[suppliers], world.fraud[suppliers]
        flag = _flags(world)[suppliers]
        honest = operates & ~fraud
        families.append(
            FamilyComparison(
                family=name,
                suppliers=int(suppliers.sum()),
                operators=int(operates.sum()),
                frauds=int(fraud.sum()),
                without=_judge(without, world),
                with_attestations=_judge(with_attestations, world),
                flag_tpr=float(flag[fraud].mean()) if fraud.any() else float("nan"),
                flag_fpr=float(flag[honest].mean()) if honest.any() else float("nan"),
            )
        )
    return AttestationResult(plan, tuple(families), time.perf_counter() - started, worlds)


def _flags(world: Dataset) -> NDArray[np.bool_]:
    """The production-consistency flag: a ratio above 2, or devices with no attested output
    (the characteristic reads that as a ratio of 100)."""
    from backend.credit.attested import CONSISTENCY_FLAG_RATIO

    ratio = world.X["production_consistency"]
    flags: NDArray[np.bool_] = np.nan_to_num(ratio, nan=0.0) > CONSISTENCY_FLAG_RATIO
    return flags


# ─────────────────────────────────────────────────────────────── the card's section


def _f(value: float) -> str:
    return "-" if value != value else f"{value:.3f}"


def _pct(value: float) -> str:
    return "-" if value != value else f"{value:.0%}"


def card_section(result: AttestationResult | None) -> list[str]:
    """The model card's "Attestations" section (Markdown lines)."""
    lines = ["## Attestations", ""]
    if result is None:
        return lines + ["Not evaluated in this run (`--quick`, or `--attestation-firms 0`).", ""]
    plan = result.plan
    lines += [
        f"One world of {plan.firms_per_world} firms from each of {len(plan.families)} families "
        f"(world index {WORLD_INDEX}, seed {plan.seed}), {plan.device_share:.0%} of the suppliers "
        f"operating attested production lines (`backend.sim.factory`), {plan.fraud_share:.0%} of "
        "those frauds that invoice far more than they make. For each family, a scorecard without "
        "and one with the attestation characteristics (`production_consistency`, "
        "`capacity_utilisation`, `utilisation_trend`, `attested_coverage`; a firm without devices "
        "falls in their neutral missing bin, priced at the population's average points) are "
        "fitted on the other families' worlds and judged on this one. AUC: expected AUC against "
        "the true PDs (raw scores); realised: against the world's outcomes. Fraud detection: "
        f"among device operators, the share of frauds scored above the {1 - FALSE_ALARM_RATE:.0%} "
        f"quantile of the honest operators' scores (true-positive rate at a "
        f"{FALSE_ALARM_RATE:.0%} false-alarm rate); the flag: its own rates.",
        "",
        "| held-out family | suppliers | with devices | frauds | AUC without | AUC with | lift | "
        "operators without / with | no devices without / with | realised without / with | "
        "fraud TPR @5% FPR without / with | flag TPR / FPR |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in result.families:
        a, b = f.without, f.with_attestations
        lines.append(
            f"| {f.family} | {f.suppliers} | {f.operators} | {f.frauds} | {_f(a.auc)} | "
            f"{_f(b.auc)} | {f.lift:+.3f} | {_f(a.auc_devices)} / {_f(b.auc_devices)} | "
            f"{_f(a.auc_no_devices)} / {_f(b.auc_no_devices)} | {_f(a.realised_auc)} / "
            f"{_f(b.realised_auc)} | {_pct(a.fraud_tpr)} / {_pct(b.fraud_tpr)} | "
            f"{_pct(f.flag_tpr)} / {_pct(f.flag_fpr)} |"
        )
    verdict = (
        "they help on held-out families and do not hurt firms without devices"
        if result.helps
        else "they do not meet the rule (a positive mean lift, firms without devices no worse "
        f"than {NO_DEVICE_TOLERANCE} in AUC in every family)"
    )
    lines += [
        "",
        f"Mean AUC lift {result.mean_lift:+.3f}; run {result.seconds:.0f} s. The data's verdict: "
        f"{verdict}. {SERVED_WITH if result.helps else SERVED_WITHOUT}",
        "",
    ]
    return lines
