"""A firm's credit record as of a Unix time T, computed from the indexed SQL tables.

Nothing after T is ever looked at: a row counts only if it was on chain by T (trades by
``recorded_time``, their verification or rejection by ``verified_time``/``rejected_time``,
payments by ``block_time``, receivable states by their last transition by T, financings by
``financed_time``, firms by ``registered_at``, roles by the last ``FirmRolesChanged`` by T).
Business times (``issued_at``, ``due_at``, ``paid_at``) only place things in windows: history is
often recorded late, so a trade issued before T but recorded after T does not count at T. Windows
are ``(T - days, T]``. Amounts are integers in minor units; only ratios are floats.

Amounts of different currencies are never added. The record is computed in one ``currency`` (the
ledger's base currency, ``SCF_BASE_CURRENCY``, ISO 4217 numeric, default 156 CNY; the firm table
carries none): every trade-based amount figure counts invoices in that currency only, and
``by_currency`` lists the other currencies' sales and purchases, each in its own currency.
Receivables carry no currency on chain or in their table: their figures count every receivable.

The network-wide inputs (PageRank, the population behind ``size_relative``/``tenure_relative``)
come from a :class:`~backend.credit.snapshot.NetworkFigures` as of some block: the served record
takes the snapshot the background job stored last (``network`` says which, or why there is none
yet); a record for a past ``as_of`` computes them for that time.

Every figure is a dict, listed here in the record's order:

===================== ==============================================================================
figure                definition
===================== ==============================================================================
tenure                ``days``: whole days since the firm registered (``registered_at``)
tenure_relative       ``percentile``: mid-rank of the tenure among all firms registered by T
                      (:mod:`backend.credit.population`), ``firms``
sales_90d             verified INVOICE trades with the firm as seller issued in the window:
sales_365d            ``amount``, ``count`` (orders and deliveries would double count the sale)
purchases_90d         the same with the firm as buyer
purchases_365d
size_relative         365 d sales against every seller's at T: ``percentile`` (mid-rank; 0
                      without sales), ``log_ratio_to_median``, ``median``, ``sellers``, ``amount``
sales_growth          ``rate`` = last 365 d sales / the 365 d before - 1 (None without prior
                      sales), ``last_365d``, ``prior_365d``
sales_trend           least-squares slope of the thirty-day sales buckets since the first sale
                      (at most 24) over their mean: ``slope`` (per month), ``cv``, ``months``,
                      ``monthly`` (newest first); None with fewer than 3 months
sales_volatility      ``cv``: population std / mean of the 12 thirty-day buckets of sales
                      (``monthly``, newest first); None when they are all zero
buyer_concentration   over 365 d sales: ``buyers``, ``hhi`` = sum of squared buyer shares,
                      ``top_buyer_share``, ``single_buyer``
core_buyer_share      ``share`` of 365 d sales made to firms holding CORE (role bit 2) at T,
                      ``core_amount``, ``amount``
receivables_held      receivables CONFIRMED at T and held by the firm at T: ``count``, ``amount``
receivables_owed      receivables the firm owes as obligor, CONFIRMED or FINANCED at T
disputes              ``rejected`` = trades proposed by the firm as seller and rejected by T,
                      ``trades`` = all trades it proposed or recorded as seller by T, ``rate``;
                      ``rate_90d``/``rate_180d`` over the trades recorded in those windows
financing_outstanding financings with the firm as borrower whose receivable is neither SETTLED
                      nor DEFAULTED at T: ``count``, ``advance``
repayment_record      receivables owed as obligor and SETTLED by T: ``on_time`` (late_days 0),
                      ``late``, ``amount``, ``avg_late_days`` (amount-weighted)
defaults_as_obligor   receivables owed as obligor DEFAULTED by T: ``count``, ``amount``
defaults_as_borrower  financings of the firm whose receivable DEFAULTED by T: ``count``,
                      ``amount``, ``advance``
paydex_as_payer       PAYDEX-style index of how the firm pays its suppliers (see
                      :mod:`backend.credit.paydex`): ``index``, ``days_beyond_terms``,
                      ``experiences``, ``counterparties``, ``amount``, ``reason``
paydex_as_payee       the same for how the firm's buyers pay it
payment_delays_as_    amount-weighted days beyond terms from the first experience: whole history
payer, _as_payee      (``days_beyond_terms``, ``experiences``, ``late_share``) and the last 90
                      and 180 d (``days_beyond_terms_90d``, ``experiences_90d``...);
                      ``monthly``: the same per thirty-day bucket (newest first, from the
                      first experience, at most 24; None for a month without experiences)
network_rank          ``value`` = weighted PageRank x ``firms`` in the 365 d invoice graph
                      (1.0 = average; None outside the graph)
circular_trading      ``flag``, ``count``, ``rings``: cycles of 2..4 firms through the firm among
                      the last 30 d verified invoices with similar amounts (max / min <= 1.25),
                      ``count`` of them, the first 10 (shortest first) listed, each with
                      ``members``, ``amounts``, ``trade_ids``; the evidence covers all
volume_spike          ``flag`` when the last 30 d sales exceed 3 x the average of the 11 buckets
                      before (that average > 0), or follow 11 empty buckets after > 330 d of
                      tenure; ``last_30d``, ``prior_330d``, ``ratio``
young_counterparties  trades recorded in the last 365 d whose counterparty registered < 7 days
                      before the trade was recorded: ``count``, ``trades``, ``share``
attested_deliveries,  what machines and carriers vouch for (:mod:`backend.credit.attested`)
production_consistency,
capacity_utilisation,
attested_coverage
by_currency           ``currencies``: for each other currency with verified invoices in the last
                      365 d, ``currency`` and its ``sales_90d``, ``sales_365d``, ``purchases_90d``,
                      ``purchases_365d`` (``amount``, ``count``)
===================== ==============================================================================

Each figure keeps the ids of the chain events it was computed from (``chain_event.id``), apart
from the figures, so that ``to_json()`` can include or omit them and ``evidence()`` can page them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from eth_utils import is_address, to_checksum_address
from sqlalchemy import Connection

from backend.credit import (
    attested,
    exposure,
    network,
    paydex,
    population,
    queries,
    snapshot,
    trading,
)
from backend.credit.figure import Figure
from backend.credit.snapshot import NetworkFigures
from backend.enums import DAY
from backend.errors import LedgerError
from backend.settings import get_settings

RECORD_VERSION = 5  # bump when a definition changes: cached records of other versions are stale

FIGURES: tuple[str, ...] = (
    "tenure",
    "tenure_relative",
    "sales_90d",
    "sales_365d",
    "purchases_90d",
    "purchases_365d",
    "size_relative",
    "sales_growth",
    "sales_trend",
    "sales_volatility",
    "buyer_concentration",
    "core_buyer_share",
    "receivables_held",
    "receivables_owed",
    "disputes",
    "financing_outstanding",
    "repayment_record",
    "defaults_as_obligor",
    "defaults_as_borrower",
    "paydex_as_payer",
    "paydex_as_payee",
    "payment_delays_as_payer",
    "payment_delays_as_payee",
    "network_rank",
    "circular_trading",
    "volume_spike",
    "young_counterparties",
    "attested_deliveries",
    "production_consistency",
    "capacity_utilisation",
    "attested_coverage",
    "by_currency",
)
GLOBAL_FIGURES = ("tenure_relative", "size_relative", "network_rank")  # from the network snapshot


class InvalidAddress(LedgerError, code="invalid_address", status=400):
    """Not a 20-byte hex address."""


@dataclass(frozen=True)
class CreditRecordView:
    """A firm's credit record at ``as_of``; ``available`` is False (with ``reason``) for a firm
    that was not registered by then, and then there are no figures."""

    firm: str
    as_of: int
    available: bool
    reason: str | None = None
    figures: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    evidence: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    currency: int | None = None  # the currency of every amount outside ``by_currency``
    network: Mapping[str, Any] | None = None  # the snapshot behind GLOBAL_FIGURES

    def to_json(self, include_evidence: bool = False) -> dict[str, Any]:
        """JSON-safe, with keys in a fixed order (figures in :data:`FIGURES` order)."""
        data: dict[str, Any] = {
            "version": RECORD_VERSION,
            "firm": self.firm,
            "as_of": self.as_of,
            "available": self.available,
            "reason": self.reason,
            "currency": self.currency,
            "network": None if self.network is None else dict(self.network),
            "figures": {
                name: copy.deepcopy(self.figures[name]) for name in FIGURES if name in self.figures
            },
        }
        if include_evidence:
            data["evidence"] = {
                name: list(self.evidence[name]) for name in FIGURES if name in self.evidence
            }
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreditRecordView:
        """The view back from ``to_json(include_evidence=True)`` (as the cache stores it)."""
        return cls(
            firm=data["firm"],
            as_of=int(data["as_of"]),
            available=bool(data["available"]),
            reason=data["reason"],
            figures=dict(data["figures"]),
            evidence={name: tuple(ids) for name, ids in data.get("evidence", {}).items()},
            currency=data.get("currency"),
            network=data.get("network"),
        )


def checksummed(firm: str) -> str:
    if not isinstance(firm, str) or not is_address(firm):
        raise InvalidAddress(f"{firm!r} is not an address")
    return str(to_checksum_address(firm))


def compute_record(
    connection: Connection,
    firm: str,
    as_of: int,
    *,
    network_figures: NetworkFigures | None | Literal["compute"] = "compute",
    currency: int | None = None,
    tallied: bool = False,
) -> CreditRecordView:
    """The credit record of ``firm`` as of Unix time ``as_of``, from rows on chain by then.

    ``network_figures``: the network snapshot to take the global figures from (None: there is
    none yet, they are null), or ``"compute"`` them for ``as_of`` from the whole ledger (a past
    ``as_of``, the training path and the tests' oracle). ``currency``: default the setting.
    ``tallied``: the volume figures from the tallies the indexer keeps, which count what is
    indexed: only for ``as_of`` the time of the indexer's cursor (the records it keeps).
    """
    firm = checksummed(firm)
    currency = get_settings().base_currency if currency is None else currency
    registration = queries.registration(connection, firm, as_of)
    if registration is None:
        return CreditRecordView(firm, as_of, False, f"{firm} was not registered by {as_of}")
    if network_figures == "compute":
        network_figures = snapshot.compute(connection, as_of, currency)
    history = queries.load_history(connection, registration, as_of, currency)
    ranks = None if network_figures is None else network_figures.ranks
    people = None if network_figures is None else network_figures.population
    computed: dict[str, Figure] = {
        "tenure": Figure(
            {"days": history.tenure_seconds // DAY}, frozenset({registration.event_id})
        ),
        **trading.figures(connection, history, tallied),
        **exposure.figures(connection, firm, as_of),
        **paydex.figures(history),
        **network.figures(connection, history, ranks, currency),
        **population.figures(history, people, currency),
        **attested.figures(connection, history),
    }
    assert set(computed) == set(FIGURES), set(computed) ^ set(FIGURES)
    return CreditRecordView(
        firm=firm,
        as_of=as_of,
        available=True,
        figures={name: computed[name].value for name in FIGURES},
        evidence={name: tuple(sorted(computed[name].evidence)) for name in FIGURES},
        currency=currency,
        network=snapshot.describe(network_figures),
    )
