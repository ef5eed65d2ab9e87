"""From a credit record to the scorecard's numeric characteristics.

Each characteristic reads one figure of :class:`~backend.credit.record.CreditRecordView` and
declares its monotone direction ("ascending": the bad rate rises with the value; "auto": the data
chooses, as for concentration, whose effect differs between supply chains). A figure that is not
there, or is None (no payment experience yet, fewer than 3 months of sales...), is NaN: the
scorecard bins missing values on their own and prices them from the data, instead of guessing.

The characteristics are chosen to travel between ledgers: no absolute amount (size and tenure are
percentiles in the ledger's own population), a sales trend that works on a few months, payment
delays in days beyond terms (the same unit whatever the terms or the currency) from the first
experience, recent against long-run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backend.credit.record import CreditRecordView
from backend.scoring.binning import Monotonic
from backend.scoring.risk import is_thin_file
from backend.scoring.scorecard import FeatureSpec

Figures = Mapping[str, Mapping[str, Any]]
NAN = math.nan


def _get(figures: Figures, figure: str, field: str) -> float:
    value = figures.get(figure, {}).get(field)
    return NAN if value is None else float(value)


def _log_amount(figures: Figures, figure: str) -> float:
    value = figures.get(figure, {}).get("amount")
    return NAN if value is None else math.log1p(max(0.0, float(value)))


def _late_share(figures: Figures) -> float:
    record = figures.get("repayment_record", {})
    on_time, late = record.get("on_time"), record.get("late")
    if on_time is None or late is None or on_time + late == 0:
        return NAN
    return float(late) / float(on_time + late)


@dataclass(frozen=True)
class Feature:
    """A characteristic: its name, its direction and how it is read from the figures."""

    name: str
    monotonic: Monotonic
    read: Callable[[Figures], float]
    source: str
    neutral_missing: bool = False

    @property
    def spec(self) -> FeatureSpec:
        return FeatureSpec(self.name, "numeric", self.monotonic, self.neutral_missing)


class _Field:
    """Reads ``figures[figure][field]`` (NaN when absent or None); a class, not a lambda, so that
    :func:`feature_matrix` can read a whole column without one call per value."""

    __slots__ = ("figure", "field")

    def __init__(self, figure: str, field: str) -> None:
        self.figure, self.field = figure, field

    def __call__(self, figures: Figures) -> float:
        return _get(figures, self.figure, self.field)


def _field(figure: str, field: str) -> Callable[[Figures], float]:
    return _Field(figure, field)


_EMPTY: Mapping[str, Any] = {}


def _column(feature: Feature, all_figures: list[Figures]) -> NDArray[np.float64]:
    read = feature.read
    if isinstance(read, _Field):
        figure, field = read.figure, read.field
        values = [f.get(figure, _EMPTY).get(field) for f in all_figures]
        return np.array([NAN if v is None else v for v in values], dtype=np.float64)
    return np.array([read(f) for f in all_figures], dtype=np.float64)


BASE_FEATURES: tuple[Feature, ...] = (
    Feature(
        "tenure_percentile",
        "descending",
        _field("tenure_relative", "percentile"),
        "tenure_relative.percentile",
    ),  # fmt: skip
    Feature(
        "size_percentile",
        "descending",
        _field("size_relative", "percentile"),
        "size_relative.percentile",
    ),  # fmt: skip
    Feature("sales_trend", "descending", _field("sales_trend", "slope"), "sales_trend.slope"),
    Feature("sales_trend_cv", "ascending", _field("sales_trend", "cv"), "sales_trend.cv"),
    Feature(
        "buyers",
        "descending",
        _field("buyer_concentration", "buyers"),
        "buyer_concentration.buyers",
    ),  # fmt: skip
    Feature("buyer_hhi", "auto", _field("buyer_concentration", "hhi"), "buyer_concentration.hhi"),
    Feature(
        "core_buyer_share",
        "descending",
        _field("core_buyer_share", "share"),
        "core_buyer_share.share",
    ),  # fmt: skip
    Feature("dispute_rate", "ascending", _field("disputes", "rate"), "disputes.rate"),
    Feature(
        "dispute_rate_180d", "ascending", _field("disputes", "rate_180d"), "disputes.rate_180d"
    ),  # fmt: skip
    Feature(
        "dbt_as_payer",
        "ascending",
        _field("payment_delays_as_payer", "days_beyond_terms"),
        "payment_delays_as_payer.days_beyond_terms",
    ),  # fmt: skip
    Feature(
        "dbt_as_payer_180d",
        "ascending",
        _field("payment_delays_as_payer", "days_beyond_terms_180d"),
        "payment_delays_as_payer.days_beyond_terms_180d",
    ),  # fmt: skip
    Feature(
        "late_share_as_payer",
        "ascending",
        _field("payment_delays_as_payer", "late_share"),
        "payment_delays_as_payer.late_share",
    ),  # fmt: skip
    Feature(
        "dbt_as_payee",
        "ascending",
        _field("payment_delays_as_payee", "days_beyond_terms"),
        "payment_delays_as_payee.days_beyond_terms",
    ),  # fmt: skip
    Feature(
        "repayment_late_share", "ascending", _late_share, "repayment_record.late / (on_time + late)"
    ),  # fmt: skip
    Feature(
        "young_counterparty_share",
        "ascending",
        _field("young_counterparties", "share"),
        "young_counterparties.share",
    ),  # fmt: skip
    Feature("network_rank", "auto", _field("network_rank", "value"), "network_rank.value"),
)


class _Attested:
    """Reads an attested figure of a firm that operates production devices; NaN for one without
    (the scorecard's neutral missing bin: not having devices is not penalised). A flagged firm
    whose devices attested no output at all has no ratio: it reads as :data:`NO_OUTPUT_RATIO`."""

    __slots__ = ("figure", "field")

    def __init__(self, figure: str, field: str) -> None:
        self.figure, self.field = figure, field

    def __call__(self, figures: Figures) -> float:
        consistency = figures.get("production_consistency", _EMPTY)
        if not consistency.get("devices"):
            return NAN
        value = _get(figures, self.figure, self.field)
        if self.field == "ratio" and value != value and consistency.get("flag"):
            return NO_OUTPUT_RATIO
        return value


NO_OUTPUT_RATIO = 100.0


def _attested(name: str, monotonic: Monotonic, figure: str, field: str) -> Feature:
    return Feature(name, monotonic, _Attested(figure, field), f"{figure}.{field}", True)


#: The attestation characteristics (backend/credit/attested.py): what a firm's machines and
#: carriers vouch for. Missing (no devices) is neutral.
ATTESTATION_FEATURES: tuple[Feature, ...] = (
    _attested("production_consistency", "ascending", "production_consistency", "ratio"),
    _attested("capacity_utilisation", "descending", "capacity_utilisation", "utilisation"),
    _attested("utilisation_trend", "descending", "capacity_utilisation", "trend"),
    _attested("attested_coverage", "descending", "attested_coverage", "share"),
)
#: Every characteristic a record is read into; a scorecard scores those its model names.
FEATURES: tuple[Feature, ...] = BASE_FEATURES + ATTESTATION_FEATURES
FEATURE_NAMES: tuple[str, ...] = tuple(feature.name for feature in FEATURES)
#: The base characteristics' specs; the attested ones join them in the served scorecard only when
#: the model card's "Attestations" comparison says they help (backend/scoring/attested.py).
FEATURE_SPECS: tuple[FeatureSpec, ...] = tuple(feature.spec for feature in BASE_FEATURES)
ATTESTATION_SPECS: tuple[FeatureSpec, ...] = tuple(f.spec for f in ATTESTATION_FEATURES)


def figures_of(record: CreditRecordView | Mapping[str, Any]) -> Figures:
    """The figures of a view, or of its JSON (``to_json()``, as the cache stores it)."""
    if isinstance(record, CreditRecordView):
        return record.figures
    figures: Figures = record.get("figures", {})
    return figures


def feature_vector(record: CreditRecordView | Mapping[str, Any]) -> dict[str, float]:
    """``{feature: value}`` of one record; NaN where the figure is missing."""
    figures = figures_of(record)
    return {feature.name: feature.read(figures) for feature in FEATURES}


def feature_matrix(
    records: Iterable[CreditRecordView | Mapping[str, Any]],
) -> dict[str, NDArray[np.float64]]:
    """Columns ``{feature: array}`` for many records, in the order given."""
    all_figures = [figures_of(record) for record in records]
    return {feature.name: _column(feature, all_figures) for feature in FEATURES}


def history_counts(figures: Figures) -> tuple[int, int]:
    """(payment experiences, counterparties) for the thin-file rule.

    Experiences: how the firm paid its suppliers plus how it was paid. Counterparties: the most
    distinct firms any one of those views saw (a lower bound of all of them, so that a firm is
    never taken for thicker than it is).
    """

    def count(figure: str, field: str) -> int:
        return int(figures.get(figure, {}).get(field) or 0)

    views = ("paydex_as_payer", "paydex_as_payee")
    experiences = sum(count(name, "experiences") for name in views)
    counterparties = max(
        count("paydex_as_payer", "counterparties"),
        count("paydex_as_payee", "counterparties"),
        count("buyer_concentration", "buyers"),
    )
    return experiences, counterparties


def is_thin(record: CreditRecordView | Mapping[str, Any]) -> bool:
    """The thin-file rule of :func:`backend.scoring.risk.is_thin_file` on a record."""
    return is_thin_file(*history_counts(figures_of(record)))


def thin_files(records: Iterable[CreditRecordView | Mapping[str, Any]]) -> NDArray[np.bool_]:
    """Which records are thin files (the decision rule's definition), in the order given."""
    return np.array([is_thin(record) for record in records], dtype=bool)
