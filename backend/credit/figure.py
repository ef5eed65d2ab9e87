"""A computed figure: a JSON-native value and the chain events it was computed from."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.credit.queries import TradeRow
from backend.enums import DAY


@dataclass(frozen=True)
class Figure:
    """``value`` is a dict of JSON-native fields (ints for amounts, floats only for ratios)."""

    value: dict[str, Any]
    evidence: frozenset[int]


def evidence_of(trades: Iterable[TradeRow], as_of: int, *more: Iterable[int]) -> frozenset[int]:
    """The events behind ``trades`` at ``as_of`` plus any other event ids given."""
    ids = {event for trade in trades for event in trade.evidence(as_of)}
    for extra in more:
        ids.update(extra)
    return frozenset(ids)


BUCKET_DAYS = 30  # the monthly series of the record: thirty-day buckets back from as_of


def bucket_of(time: int, as_of: int, count: int) -> int | None:
    """The thirty-day bucket ``time`` falls in, newest first: bucket k holds the ages in
    ``[k*30d, (k+1)*30d)`` before ``as_of``; None outside the ``count`` buckets."""
    age = as_of - time
    if 0 <= age < count * BUCKET_DAYS * DAY:
        return age // (BUCKET_DAYS * DAY)
    return None


def within(time: int, as_of: int, days: int) -> bool:
    """``time`` in the window ``(as_of - days, as_of]``."""
    return as_of - days * DAY < time <= as_of


def ratio(numerator: int, denominator: int) -> float | None:
    """An exact integer ratio rounded once to a float; None when there is nothing to divide by."""
    return None if denominator == 0 else numerator / denominator


class RunningSums:
    """``(key, amount, count)`` rows sorted by key with running sums: the sums over the keys in
    any ``(lo, hi]`` in two binary searches (a firm's trades by issue time, its tallies by day)."""

    def __init__(self, rows: list[tuple[int, int, int]]) -> None:
        rows.sort()
        self.keys = [key for key, _, _ in rows]
        self.amounts = list(itertools.accumulate((a for _, a, _ in rows), initial=0))
        self.counts = list(itertools.accumulate((c for _, _, c in rows), initial=0))

    def between(self, lo: int, hi: int) -> tuple[int, int]:
        start, end = bisect.bisect_right(self.keys, lo), bisect.bisect_right(self.keys, hi)
        return self.amounts[end] - self.amounts[start], self.counts[end] - self.counts[start]
