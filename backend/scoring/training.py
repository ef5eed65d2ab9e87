"""Training a scorecard on many simulated worlds, judged on whole families it has not seen.

``train(seed, n_firms)`` draws worlds from every family of :mod:`backend.sim.families` (each world
written through the real indexer and read back as credit records at T, :func:`simulate`), then:

- **held-out families** (leave one family out): for each family, a scorecard and a challenger are
  fitted on every world of the *other* families and judged on every world of this one: rows of a
  world it was trained on are never used to judge it;
- **in distribution**: one scorecard fitted on 70% of the firms of every world, judged on the other
  30% (the figure a single-simulator model card would show), side by side;
- **the served model**: fitted on every world; its level model (how a population's raw mean PD
  moves with its default rate, :mod:`backend.scoring.calibration`) is fitted across the worlds,
  and its PDs are calibrated to the stated central tendency over the training population.

Each world is judged as one ledger, over all its suppliers (thin files included, with their
margin): expected AUC of the served PDs over the oracle's (the true PDs, :func:`expected_auc`),
Gini, KS and Brier against the world's outcomes, mean PD against the mean true PD under each way
of setting the level without outcomes (as trained, central tendency, ledger-informed), and, when
the world has at least 50 defaults, the same after recalibration on them (mean PD against the
realised rate, observed against expected per grade with 95% binomial bands); PSI of its raw
log-odds against the training population's. Families report the mean (and worst) over worlds.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backend.scoring import calibration as cal
from backend.scoring.attested import (
    WORLD_INDEX,
    AttestationPlan,
    AttestationResult,
    card_section,
    compare,
)
from backend.scoring.challenger import (
    CHALLENGER_PARAMS,
    Challenger,
    challenger_pd,
    fit_challenger,
)
from backend.scoring.features import ATTESTATION_SPECS, FEATURE_SPECS, FEATURES
from backend.scoring.german_credit import CrossValidation, cross_validated_auc, stratified_folds
from backend.scoring.grades import pd_band
from backend.scoring.metrics import (
    GradeCalibration,
    brier,
    calibration_by_grade,
    expected_auc,
    gini,
    ks,
    psi_from_shares,
)
from backend.scoring.monitoring import REFERENCE_KEY, reference_of
from backend.scoring.scorecard import FeatureSpec, Scorecard
from backend.scoring.store import LATEST
from backend.sim.families import FAMILIES, FAMILY_NAMES, world_params, world_seed
from backend.sim.world import Dataset, WorldParams, simulate

logger = logging.getLogger(__name__)

DEFAULT_FIRMS = 7_200
#: Ridge penalty of the supply-chain scorecard's regression. Characteristics that describe the same
#: behaviour (buyers, HHI and network rank; delays over the whole history and the last 180 days)
#: are strongly correlated; with a near-zero penalty the sign-constrained fit gives one of them a
#: negative weight and drops it, which says more about the sample than about the behaviour. A
#: ridge penalty shares the weight among them (and shrinks towards robustness on unseen worlds).
SUPPLY_CHAIN_L2 = 0.02
FIRMS_PER_WORLD = 600  # a plan aims at worlds of about this many firms
MAX_WORLDS_PER_FAMILY = 4
MIN_FIRMS_PER_WORLD = 60
HOLDOUT_FOLDS = 10
HOLDOUT_OF_FOLDS = 3  # 3 of 10 folds: a 30% in-distribution holdout
PUBLISHED_GERMAN_AUC = 0.789
TARGET_ORACLE_RATIO = 0.95
TARGET_LEVEL_FACTOR = 1.5
TARGET_RECALIBRATED = 0.15


# ─────────────────────────────────────────────────────────────── the worlds


@dataclass(frozen=True)
class Plan:
    """Which worlds a training run draws: ``worlds_per_family`` worlds of ``firms_per_world``
    firms from every family, all from ``seed``."""

    seed: int
    worlds_per_family: int
    firms_per_world: int
    families: tuple[str, ...] = FAMILY_NAMES

    @property
    def n_firms(self) -> int:
        return self.worlds_per_family * self.firms_per_world * len(self.families)


def plan_for(seed: int, n_firms: int) -> Plan:
    """About ``n_firms`` firms in all, spread over every family in worlds of ~600 firms."""
    families = len(FAMILY_NAMES)
    worlds = int(np.clip(n_firms // (families * FIRMS_PER_WORLD), 1, MAX_WORLDS_PER_FAMILY))
    per_world = max(MIN_FIRMS_PER_WORLD, n_firms // (families * worlds))
    return Plan(seed, worlds, per_world)


@dataclass(frozen=True, eq=False)
class World:
    family: str
    index: int
    data: Dataset

    @property
    def params(self) -> WorldParams:
        return self.data.params

    @property
    def suppliers(self) -> NDArray[np.bool_]:
        mask: NDArray[np.bool_] = self.data.tier >= 1
        return mask


def simulate_worlds(plan: Plan, workers: int | None = None) -> list[World]:
    worlds = []
    for name in plan.families:
        for index in range(plan.worlds_per_family):
            params = world_params(name, plan.seed, index)
            data = simulate(
                plan.firms_per_world, world_seed(name, plan.seed, index), workers=workers,
                params=params,
            )  # fmt: skip
            logger.info(
                "training.world family=%s index=%d firms=%d events=%d seconds=%.1f",
                name, index, data.y.size, data.events, data.seconds,
            )  # fmt: skip
            worlds.append(World(name, index, data))
    return worlds


def holdout_mask(y: NDArray[Any], seed: int) -> NDArray[np.bool_]:
    """A stratified 30% holdout, drawn from ``seed`` (independently of the world's draws)."""
    folds = stratified_folds(y, HOLDOUT_FOLDS, np.random.default_rng([seed, 7]))
    mask: NDArray[np.bool_] = folds < HOLDOUT_OF_FOLDS
    return mask


def _rows(X: dict[str, NDArray[np.float64]], mask: NDArray[np.bool_]) -> dict[str, Any]:
    return {name: column[mask] for name, column in X.items()}


def _pooled(
    parts: Sequence[tuple[World, NDArray[np.bool_]]], specs: Sequence[FeatureSpec] = FEATURE_SPECS
) -> tuple[dict[str, Any], Any, Any]:
    X = {spec.name: np.concatenate([w.data.X[spec.name][m] for w, m in parts]) for spec in specs}
    y = np.concatenate([w.data.y[m] for w, m in parts])
    thin = np.concatenate([w.data.thin[m] for w, m in parts])
    return X, y, thin


# ─────────────────────────────────────────────────────────────── fitting


@dataclass(frozen=True, eq=False)
class Fitted:
    model: Scorecard
    challenger: Challenger | None
    worlds: int
    firms: int


def fit(
    parts: Sequence[tuple[World, NDArray[np.bool_]]],
    seed: int,
    central_tendency: float = cal.DEFAULT_CENTRAL_TENDENCY,
    challenger: bool = True,
    specs: Sequence[FeatureSpec] = FEATURE_SPECS,
) -> Fitted:
    """Scorecard on the pooled rows, its level model across the worlds, calibrated to the
    central tendency over the pooled population; the challenger on the same rows."""
    X, y, thin = _pooled(parts, specs)
    raw_model = Scorecard(specs, l2=SUPPLY_CHAIN_L2, free_auto_signs=True).fit(X, y)
    raws = [raw_model.raw_logit(_rows(w.data.X, m)) for w, m in parts]
    rates = [float(w.data.true_pd[m].mean()) for w, m in parts]
    levels = cal.fit_level_model(raws, rates)
    raw = raw_model.raw_logit(X)
    offset = cal.margins(raw_model, thin, raw.size)
    calibration = cal.to_central_tendency(raw, central_tendency, offset)
    model = raw_model.calibrated(
        calibration,
        **{cal.LEVEL_KEY: levels.to_dict(), REFERENCE_KEY: reference_of(raw)},
        training={"worlds": len(parts), "firms": int(y.size), "default_rate": float(y.mean())},
    )
    trees = fit_challenger(X, y, seed) if challenger else None
    return Fitted(model, trees, len(parts), int(y.size))


# ─────────────────────────────────────────────────────────────── judging a world


@dataclass(frozen=True)
class Recalibrated:
    """A world's PDs after recalibration on its own realised defaults."""

    defaults: int
    realised: float
    mean_pd: float
    grades: tuple[GradeCalibration, ...]

    @property
    def level_error(self) -> float:
        return self.mean_pd / self.realised - 1.0

    @property
    def grades_in_band(self) -> int:
        return sum(g.observed_in_band for g in self.grades)


@dataclass(frozen=True)
class WorldResult:
    family: str
    index: int
    suppliers: int
    thin_share: float
    thin_true_pd: float
    thick_true_pd: float
    base_rate: float  # mean true PD of the suppliers
    realised: float  # their default rate
    ratio: float  # expected AUC of the served PDs / the oracle's, all suppliers
    ratio_thick: float  # the same over suppliers that are not thin files
    challenger_ratio: float
    auc_gap: float  # the oracle's expected AUC - the scorecard's
    gini: float
    ks: float
    brier: float
    challenger_brier: float
    oracle_brier: float
    mean_pd: dict[str, float]  # as_trained, central_tendency, ledger_level
    psi: float
    recalibrated: Recalibrated | None = None

    def factor(self, how: str) -> float:
        """Mean PD over mean true PD (over 1: too high), under a way of setting the level."""
        return self.mean_pd[how] / self.base_rate


LEVELS = ("as_trained", cal.METHOD_CENTRAL, cal.METHOD_LEDGER)


def judge(
    fitted: Fitted,
    world: World,
    rows: NDArray[np.bool_],
    central_tendency: float = cal.DEFAULT_CENTRAL_TENDENCY,
) -> WorldResult:
    """Judge ``fitted`` on ``rows`` of ``world`` as one ledger (see the module docstring)."""
    model, data = fitted.model, world.data
    X, y, thin = _rows(data.X, rows), data.y[rows], data.thin[rows]
    true_pd, suppliers = data.true_pd[rows], world.suppliers[rows]
    raw = model.raw_logit(X)
    offset = cal.margins(model, thin, raw.size)
    calibrations = {
        "as_trained": model.calibration_,
        cal.METHOD_CENTRAL: cal.to_central_tendency(raw, central_tendency, offset),
        cal.METHOD_LEDGER: cal.to_ledger_level(model, raw, central_tendency, offset),
    }
    pds = {how: cal.served_pd(model, raw, c, thin) for how, c in calibrations.items()}
    served = pds["as_trained"][suppliers]
    p, outcome = true_pd[suppliers], y[suppliers]
    thin_s = thin[suppliers]
    oracle = expected_auc(p, p)
    trees = (
        challenger_pd(fitted.challenger, X)[suppliers]
        if fitted.challenger is not None
        else np.full(served.size, float("nan"))
    )
    both = 0 < outcome.sum() < outcome.size
    reference = model.extra_[REFERENCE_KEY]
    edges = np.array(reference["edges"])
    counts = np.bincount(np.searchsorted(edges, raw, side="right"), minlength=edges.size + 1)
    recalibrated = None
    if int(y.sum()) >= cal.MIN_DEFAULTS:
        refit = cal.from_outcomes(raw, y, offset)
        after = cal.served_pd(model, raw, refit, thin)[suppliers]
        recalibrated = Recalibrated(
            defaults=int(outcome.sum()),
            realised=float(outcome.mean()),
            mean_pd=float(after.mean()),
            grades=calibration_by_grade(outcome, after),
        )
    return WorldResult(
        family=world.family,
        index=world.index,
        suppliers=int(suppliers.sum()),
        thin_share=float(thin_s.mean()),
        thin_true_pd=float(p[thin_s].mean()) if thin_s.any() else float("nan"),
        thick_true_pd=float(p[~thin_s].mean()) if (~thin_s).any() else float("nan"),
        base_rate=float(p.mean()),
        realised=float(outcome.mean()),
        ratio=expected_auc(p, served) / oracle,
        ratio_thick=(
            expected_auc(p[~thin_s], served[~thin_s]) / expected_auc(p[~thin_s], p[~thin_s])
            if (~thin_s).sum() >= 2
            else float("nan")
        ),  # fmt: skip
        challenger_ratio=(
            expected_auc(p, trees) / oracle if fitted.challenger is not None else float("nan")
        ),
        auc_gap=oracle - expected_auc(p, served),
        gini=gini(outcome, served) if both else float("nan"),
        ks=ks(outcome, served) if both else float("nan"),
        brier=brier(outcome, served),
        challenger_brier=brier(outcome, trees) if fitted.challenger is not None else float("nan"),
        oracle_brier=brier(outcome, p),
        mean_pd={how: float(pd[suppliers].mean()) for how, pd in pds.items()},
        psi=psi_from_shares(reference["shares"], counts / raw.size),
        recalibrated=recalibrated,
    )


# ─────────────────────────────────────────────────────────────── the run


@dataclass(frozen=True, eq=False)
class FamilyResult:
    name: str
    description: str
    held_out: tuple[WorldResult, ...]
    in_distribution: tuple[WorldResult, ...]
    trained_on: tuple[str, ...] = ()  # the families of the worlds the held-out model was fitted on

    def mean(self, attribute: str, held_out: bool = True) -> float:
        results = self.held_out if held_out else self.in_distribution
        return float(np.nanmean([getattr(r, attribute) for r in results]))

    def worst_ratio(self) -> float:
        return min(r.ratio for r in self.held_out)

    def factors(self, how: str) -> list[float]:
        return [r.factor(how) for r in self.held_out]

    def recalibrated(self) -> list[WorldResult]:
        return [r for r in self.held_out if r.recalibrated is not None]

    def meets(self) -> dict[str, bool | None]:
        """Which targets this held-out family meets (None: not measurable, too few defaults)."""
        recalibrated = self.recalibrated()
        return {
            "ranking": self.worst_ratio() >= TARGET_ORACLE_RATIO,
            "level": all(
                1 / TARGET_LEVEL_FACTOR <= f <= TARGET_LEVEL_FACTOR
                for f in self.factors(cal.METHOD_LEDGER)
            ),
            "recalibrated": None
            if not recalibrated
            else all(
                abs(r.recalibrated.level_error) <= TARGET_RECALIBRATED  # type: ignore[union-attr]
                and r.recalibrated.grades_in_band == len(r.recalibrated.grades)  # type: ignore[union-attr]
                for r in recalibrated
            ),
        }


@dataclass(frozen=True, eq=False)
class TrainingResult:
    model: Scorecard
    challenger_model: Challenger | None
    plan: Plan
    worlds: tuple[World, ...]
    families: tuple[FamilyResult, ...]
    german: CrossValidation
    simulate_seconds: float
    seconds: float
    central_tendency: float = cal.DEFAULT_CENTRAL_TENDENCY
    notes: dict[str, Any] = field(default_factory=dict)
    attestations: AttestationResult | None = None

    @property
    def version(self) -> str:
        return str(self.model.model_version_)

    @property
    def n_firms(self) -> int:
        return sum(w.data.y.size for w in self.worlds)

    def held_out(self) -> list[WorldResult]:
        return [r for f in self.families for r in f.held_out]


def train(
    seed: int,
    n_firms: int = DEFAULT_FIRMS,
    german: bool = True,
    central_tendency: float = cal.DEFAULT_CENTRAL_TENDENCY,
    evaluate: bool = True,
    workers: int | None = None,
    attestations: AttestationPlan | None = None,
) -> TrainingResult:
    """Simulate the plan's worlds, judge on held-out families and in distribution, fit the served
    model on every world; deterministic in ``seed`` and ``n_firms``. With ``attestations`` (and
    ``evaluate``), also compare the scorecard with and without the attestation characteristics
    (:mod:`backend.scoring.attested`)."""
    started = time.perf_counter()
    plan = plan_for(seed, n_firms)
    worlds = simulate_worlds(plan, workers)
    simulated = time.perf_counter() - started
    families = []
    if evaluate:
        holdouts = {
            id(w): holdout_mask(w.data.y, world_seed(w.family, seed, w.index)) for w in worlds
        }
        inside = fit([(w, ~holdouts[id(w)]) for w in worlds], seed, central_tendency, False)
        for entry in FAMILIES:
            own = [w for w in worlds if w.family == entry.name]
            others = [
                (w, np.ones(w.data.y.size, dtype=bool)) for w in worlds if w.family != entry.name
            ]
            fold = fit(others, seed, central_tendency)
            everyone = [
                judge(fold, w, np.ones(w.data.y.size, dtype=bool), central_tendency) for w in own
            ]
            seen = [judge(inside, w, holdouts[id(w)], central_tendency) for w in own]
            trained_on = tuple(sorted({w.family for w, _ in others}))
            families.append(
                FamilyResult(
                    entry.name, entry.description, tuple(everyone), tuple(seen), trained_on
                )
            )
    compared = compare(attestations) if evaluate and attestations else None
    served, specs = served_worlds(worlds, compared)
    final = fit([(w, np.ones(w.data.y.size, dtype=bool)) for w in served], seed,
                central_tendency, False, specs)  # fmt: skip
    return TrainingResult(
        model=final.model,
        challenger_model=final.challenger,
        plan=plan,
        worlds=tuple(worlds),
        families=tuple(families),
        german=cross_validated_auc() if german else CrossValidation(aucs=()),
        simulate_seconds=simulated,
        seconds=time.perf_counter() - started,
        central_tendency=central_tendency,
        attestations=compared,
    )


def served_worlds(
    worlds: list[World], compared: AttestationResult | None
) -> tuple[list[World], tuple[FeatureSpec, ...]]:
    """The worlds and characteristics of the served model: with the attestation characteristics
    (and the attestation worlds that carry them) when the held-out comparison says they help."""
    if compared is None or not compared.helps:
        return worlds, FEATURE_SPECS
    extra = [World(name, WORLD_INDEX, data) for name, data in compared.worlds.items()]
    return worlds + extra, FEATURE_SPECS + ATTESTATION_SPECS


def model_json(model: Scorecard) -> str:
    """The stored model: canonical key order, so the same model is the same bytes."""
    return json.dumps(model.to_dict(), sort_keys=True, indent=1, allow_nan=False) + "\n"


def write_model(result: TrainingResult, directory: Path) -> tuple[Path, Path]:
    """Write ``<version>.json`` and ``<version>.md``; point ``LATEST`` at the version."""
    return write_files(result.model, model_card(result), directory)


def write_files(model: Scorecard, card: str, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    version = str(model.model_version_)
    json_path = directory / f"{version}.json"
    card_path = directory / f"{version}.md"
    json_path.write_text(model_json(model), encoding="utf-8")
    card_path.write_text(card, encoding="utf-8")
    (directory / LATEST).write_text(version + "\n", encoding="utf-8")
    return json_path, card_path


# ─────────────────────────────────────────────────────────────── the model card


def _f(value: float, digits: int = 3) -> str:
    return "-" if value != value else f"{value:.{digits}f}"  # NaN: not measurable


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**not met**")


# The model card's tables: their columns, and each column's alignment (l or r).
_SUMMARY_COLUMNS = (
    "held-out family | worlds | suppliers | thin files | mean true PD | expected AUC / "
    "oracle (mean, worst) | same, thick files only | challenger / oracle | in distribution / "
    "oracle | ranking ≥ 0.95"
)
_SUMMARY_ALIGN = "lrrrrrrrrl"

_DISCRIMINATION_COLUMNS = (
    "family | Gini held out | Gini in distribution | KS held out | KS in distribution | "
    "Brier held out | Brier in distribution | Brier challenger | Brier oracle | PSI held out "
    "| PSI in distribution"
)
_DISCRIMINATION_ALIGN = "lrrrrrrrrrr"

_RECALIBRATION_COLUMNS = (
    "family | world | defaults | realised rate | mean PD after `calibrate` | error | "
    "grades with the observed rate in its 95% band"
)
_RECALIBRATION_ALIGN = "lrrrrrl"

_GRADES_COLUMNS = (
    "grade | PD band | firms | defaults | observed rate | mean PD | 95% binomial band of the "
    "rate | observed in band"
)
_GRADES_ALIGN = "llrrrrll"


def _table(head: str, align: str, rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table: ``head`` the column titles (`` | `` between them), ``align`` a letter
    a column (``l`` left, ``r`` right), then a line a row of cells."""
    separator = " | ".join("---:" if a == "r" else "---" for a in align)
    return [f"| {head} |", f"| {separator} |", *[_cells(row) for row in rows]]


def _cells(row: Iterable[object]) -> str:
    return "|" + "".join(f" {cell} |" if cell != "" else " |" for cell in row)


def summary_rows(result: TrainingResult) -> list[str]:
    rows = (
        (fam.name, len(fam.held_out), sum(r.suppliers for r in fam.held_out),
         f"{fam.mean('thin_share'):.0%}", f"{fam.mean('base_rate'):.2%}",
         f"{fam.mean('ratio'):.3f}, {fam.worst_ratio():.3f}", _f(fam.mean("ratio_thick")),
         f"{fam.mean('challenger_ratio'):.3f}", f"{fam.mean('ratio', held_out=False):.3f}",
         _verdict(fam.meets()["ranking"]))
        for fam in result.families
    )  # fmt: skip
    return _table(_SUMMARY_COLUMNS, _SUMMARY_ALIGN, rows)


def _discrimination_rows(result: TrainingResult) -> list[str]:
    three, four = "{:.3f}".format, "{:.4f}".format

    def both(fam: FamilyResult, metric: str, show: Callable[[float], str]) -> tuple[str, str]:
        """The metric held out and in distribution."""
        return show(fam.mean(metric)), show(fam.mean(metric, False))

    rows = (
        (fam.name, *both(fam, "gini", _f), *both(fam, "ks", _f), *both(fam, "brier", four),
         four(fam.mean("challenger_brier")), four(fam.mean("oracle_brier")),
         *both(fam, "psi", three))
        for fam in result.families
    )  # fmt: skip
    return _table(_DISCRIMINATION_COLUMNS, _DISCRIMINATION_ALIGN, rows)


def _level_rows(result: TrainingResult) -> list[str]:
    rows = [
        "| family | world | mean true PD | thin files' true PD | others' | as trained | "
        "central tendency | ledger-informed | within 1.5× (ledger-informed) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for fam in result.families:
        for r in fam.held_out:
            factors = [r.factor(how) for how in LEVELS]
            ok = 1 / TARGET_LEVEL_FACTOR <= factors[2] <= TARGET_LEVEL_FACTOR
            rows.append(
                f"| {fam.name} | {r.index} | {r.base_rate:.2%} | {_f(r.thin_true_pd * 100, 2)}% | "
                f"{_f(r.thick_true_pd * 100, 2)}% | "
                + " | ".join(
                    f"{r.mean_pd[how]:.2%} (×{f:.2f})"
                    for how, f in zip(LEVELS, factors, strict=True)
                )
                + f" | {'yes' if ok else '**no**'} |"
            )
    return rows


def _recalibration_rows(result: TrainingResult) -> list[str]:
    rows: list[tuple[object, ...]] = []
    for fam in result.families:
        for r in fam.held_out:
            c = r.recalibrated
            if c is None:
                not_refitted = f"fewer than {cal.MIN_DEFAULTS} defaults: not refitted"
                rows.append((fam.name, r.index, round(r.realised * r.suppliers),
                             f"{r.realised:.2%}", not_refitted, "", ""))  # fmt: skip
                continue
            outside = [g.grade for g in c.grades if not g.observed_in_band]
            in_band = f"{c.grades_in_band} of {len(c.grades)}" + (
                f" (outside: {', '.join(outside)})" if outside else ""
            )
            rows.append((fam.name, r.index, c.defaults, f"{c.realised:.2%}", f"{c.mean_pd:.2%}",
                         f"{c.level_error:+.1%}", in_band))  # fmt: skip
    return _table(_RECALIBRATION_COLUMNS, _RECALIBRATION_ALIGN, rows)


def _grade_rows(result: TrainingResult) -> list[str]:
    pooled: dict[str, list[GradeCalibration]] = {}
    for r in result.held_out():
        if r.recalibrated is not None:
            for g in r.recalibrated.grades:
                pooled.setdefault(g.grade, []).append(g)
    rows = []
    for grade, items in pooled.items():
        low, high = pd_band(grade)
        n = sum(g.n for g in items)
        defaults = sum(g.defaults for g in items)
        mean = sum(g.mean_pd * g.n for g in items) / n
        inside = sum(g.observed_in_band for g in items)
        rows.append((grade, f"({low:.2%}, {high:.2%}]", n, defaults, f"{defaults / n:.2%}",
                     f"{mean:.2%}", "per world", f"{inside} of {len(items)} worlds"))  # fmt: skip
    return _table(_GRADES_COLUMNS, _GRADES_ALIGN, rows)


def _feature_rows(model: Scorecard) -> list[str]:
    specs = {spec.name for spec in model.features}
    sources = {feature.name: feature for feature in FEATURES if feature.name in specs}
    rows = [
        "| characteristic | from the credit record | direction | IV | coefficient | status |",
        "| --- | --- | --- | ---: | ---: | --- |",
    ]
    kept = dict(zip(model.features_, model.coef_, strict=True))
    for name, feature in sources.items():
        iv = model.iv_.get(name, float("nan"))
        coefficient = f"{kept[name]:.3f}" if name in kept else "-"
        status = "kept" if name in kept else f"dropped: {model.dropped_features_.get(name, '?')}"
        rows.append(
            f"| {name} | `{feature.source}` | {feature.monotonic} | {iv:.3f} | {coefficient} | "
            f"{status} |"
        )
    return rows


def _points_rows(model: Scorecard) -> list[str]:
    rows = ["| characteristic | bin | points |", "| --- | --- | ---: |"]
    for name, bins in model.points_table().items():
        rows += [f"| {name} | {label} | {points:.1f} |" for label, points in bins]
    return rows


def _world_rows(result: TrainingResult) -> list[str]:
    rows = [
        "| family | world | firms | events | amounts × | months | tiers | single-buyer share | "
        "terms (d) | base rate | visible level | noise | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |",
    ]
    for w in result.worlds:
        p = w.params
        rows.append(
            f"| {w.family} | {w.index} | {w.data.y.size} | {w.data.events} | "
            f"{p.amount_scale:.3g} | "
            f"{p.history_months} | {p.supplier_tiers} | {p.single_buyer_share:.2f} | "
            f"{p.terms_days} ± {p.terms_spread} | {p.base_rate:.1%} | {p.visible_level:.2f} | "
            f"{p.noise:.2f} | {w.data.seconds:.1f} |"
        )
    return rows


def targets(result: TrainingResult) -> dict[str, dict[str, bool | None]]:
    return {fam.name: fam.meets() for fam in result.families}


def model_card(result: TrainingResult) -> str:
    """The model card in Markdown: held-out families against in-distribution, levels with and
    without outcomes, stability, German credit, characteristics and points."""
    model, plan = result.model, result.plan
    levels = cal.level_model_of(model)
    german = result.german
    german_line = (
        f"{german.mean:.4f} ± {german.std:.4f} over {len(german.aucs)} folds "
        f"(published WOE + logistic regression: {PUBLISHED_GERMAN_AUC})"
        if german.aucs
        else "not run"
    )
    p = CHALLENGER_PARAMS
    met = targets(result)
    lines = [
        f"# Model card: {result.version}",
        "",
        "12-month probability of default of a supplier or core enterprise from its credit record "
        "(binned characteristics, WOE, sign-constrained logistic regression, points scaling: "
        f"{model.points0:g} points at good:bad odds {model.odds0:g}, {model.pdo:g} points to "
        f"double the odds; PD floor {model.pd_floor:.2%}; thin files: odds × "
        f"{np.exp(model.thin_file_margin):.2f}).",
        "",
        "## Data: many worlds, judged on families they were not trained on",
        "",
        f"- {len(result.worlds)} simulated worlds, {plan.worlds_per_family} from each of "
        f"{len(plan.families)} families (`backend.sim.families`), {plan.firms_per_world} firms "
        f"each, {result.n_firms} firms in all, seed {plan.seed}; every world written through the "
        "indexer handlers and read back as credit records at T (label: default in (T, T + 365 d]).",
        "- Held out: for each family, the scorecard and the challenger are fitted on every world "
        "of the other families and judged on every world of this one. In distribution: fitted on "
        "70% of the firms of every world, judged on the other 30%.",
        "- Each world is judged as one ledger over **all its suppliers, thin files included** "
        "(with their margin). Expected AUC: the AUC the PDs are expected to reach when outcomes "
        "are drawn from the true PDs (no outcome noise); the oracle ranks by the true PDs.",
        f"- Simulation {result.simulate_seconds:.0f} s; whole run {result.seconds:.0f} s.",
        "",
        "## Ranking on held-out families",
        "",
        *(
            []
            if result.families
            else [
                "**Not evaluated** (`--quick`): no held-out family was judged; the tables below "
                "are empty. Run `scf model train` without `--quick` for the figures.",
                "",
            ]
        ),  # fmt: skip
        *summary_rows(result),
        "",
        "## Discrimination, accuracy and stability, held out against in distribution",
        "",
        *_discrimination_rows(result),
        "",
        "Challenger: gradient-boosted trees (scikit-learn `HistGradientBoostingClassifier`, "
        f"{p['max_iter']} trees of at most {p['max_leaf_nodes']} leaves, learning rate "
        f"{p['learning_rate']:g}, monotone constraints from the scorecard's directions) on the "
        "same characteristics and rows; reported, not served (the scorecard is explainable: "
        "points per bin and reason codes). PSI: of each world's raw log-odds against the training "
        "population's deciles (> 0.25: a major shift; a scoring run above it says so).",
        "",
        "## Level without outcomes: mean PD against mean true PD",
        "",
        f"Stated central tendency: {result.central_tendency:.0%} (policy parameter; "
        "`--central-tendency`). *As trained*: the served model, calibrated to it over the training "
        "population. *Central tendency*: intercept set on the world's own population so that its "
        "mean PD is the central tendency (what `scf model calibrate` does with "
        "`--level central`). *Ledger-informed* (the default of `scf model calibrate` without "
        "outcomes): the level moved from the central tendency by how the population's raw mean PD "
        "(its payment delays, disputes, ... as of T) differs from the training worlds' average, "
        f"with the slope learned across the training worlds (beta "
        f"{levels.beta if levels else 0:.2f} over {levels.worlds if levels else 0} worlds).",
        "",
        *_level_rows(result),
        "",
        "One fixed central tendency cannot be within 1.5× of base rates that range from 2% to 15%: "
        "a 6% level is 3× too high for a 2% world and 2.5× too low for a 15% one. The "
        "ledger-informed level closes that gap only as far as a world's risk shows in its "
        "population's behaviour before any default (each world draws how much, 0 to 100%).",
        "",
        "## Level with outcomes: after `scf model calibrate` on the world's realised defaults",
        "",
        *_recalibration_rows(result),
        "",
        "Grades pooled over the recalibrated worlds (each world's band is tested on its own):",
        "",
        *_grade_rows(result),
        "",
        "## Targets (every held-out family)",
        "",
        "| family | ranking ≥ 0.95 × oracle | mean PD within 1.5× (ledger-informed) | after "
        "calibrate: mean PD ±15% and every grade in band |",
        "| --- | --- | --- | --- |",
        *[
            f"| {name} | {_verdict(m['ranking'])} | {_verdict(m['level'])} | "
            f"{_verdict(m['recalibrated'])} |"
            for name, m in met.items()
        ],
        "",
        "## German credit benchmark",
        "",
        f"Same scorecard pipeline, 5 × 5 repeated stratified cross-validation AUC: {german_line}.",
        "",
        *card_section(result.attestations),
        "## The worlds",
        "",
        *_world_rows(result),
        "",
        "## Characteristics (served model)",
        "",
        *_feature_rows(model),
        "",
        f"Calibration of the served model: {cal.describe(model.calibration_)}.",
        "",
        "## Points",
        "",
        *_points_rows(model),
        "",
        "## Reproducing",
        "",
        f"`scf model train --seed {plan.seed} --firms {plan.n_firms}` writes the same "
        f"`{result.version}.json` byte for byte (the version is a hash of the model's content); "
        "timings in this card differ between runs.",
        "",
    ]
    return "\n".join(lines)
