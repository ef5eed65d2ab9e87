"""From a credit record to the scorecard's numeric characteristics.

Each characteristic reads one figure of :class:`~backend.credit.record.CreditRecordView` and
declares its monotone direction ("ascending": the bad rate rises with the value). A figure that
is not there, or is None (a thin file: no PAYDEX with fewer than 3 experiences, no growth without
prior sales...), is NaN: the scorecard bins missing values on their own and prices them from the
data, instead of guessing a value.
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

    @property
    def spec(self) -> FeatureSpec:
        return FeatureSpec(self.name, "numeric", self.monotonic)


def _field(figure: str, field: str) -> Callable[[Figures], float]:
    return lambda figures: _get(figures, figure, field)


FEATURES: tuple[Feature, ...] = (
    Feature("tenure_days", "descending", _field("tenure", "days"), "tenure.days"),
    Feature(
        "log_sales_365d",
        "descending",
        lambda f: _log_amount(f, "sales_365d"),
        "ln(1 + sales_365d.amount)",
    ),  # fmt: skip
    Feature("sales_growth", "descending", _field("sales_growth", "rate"), "sales_growth.rate"),
    Feature(
        "sales_volatility_cv", "ascending", _field("sales_volatility", "cv"), "sales_volatility.cv"
    ),  # fmt: skip
    Feature(
        "buyer_hhi", "ascending", _field("buyer_concentration", "hhi"), "buyer_concentration.hhi"
    ),  # fmt: skip
    Feature(
        "buyers",
        "descending",
        _field("buyer_concentration", "buyers"),
        "buyer_concentration.buyers",
    ),  # fmt: skip
    Feature(
        "core_buyer_share",
        "descending",
        _field("core_buyer_share", "share"),
        "core_buyer_share.share",
    ),  # fmt: skip
    Feature("dispute_rate", "ascending", _field("disputes", "rate"), "disputes.rate"),
    Feature(
        "paydex_as_payer", "descending", _field("paydex_as_payer", "index"), "paydex_as_payer.index"
    ),  # fmt: skip
    Feature(
        "paydex_as_payee", "descending", _field("paydex_as_payee", "index"), "paydex_as_payee.index"
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
FEATURE_NAMES: tuple[str, ...] = tuple(feature.name for feature in FEATURES)
FEATURE_SPECS: tuple[FeatureSpec, ...] = tuple(feature.spec for feature in FEATURES)


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
    rows = [feature_vector(record) for record in records]
    return {name: np.array([row[name] for row in rows], dtype=np.float64) for name in FEATURE_NAMES}
