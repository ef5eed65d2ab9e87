"""Credit records of a scripted history on a real chain, indexed by the real indexer, against
numbers computed by hand (the arithmetic is in the comments; amounts in fen)."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from sqlalchemy import select

from backend.credit.network import weighted_pagerank
from backend.credit.queries import EVENTS
from backend.credit.record import FIGURES, compute_record
from tests.credit.history import History
from tests.credit.schema_check import assert_fits_models

pytestmark = pytest.mark.chain


@pytest.fixture(scope="module")
def engine(indexed_scripted):
    """The scripted history, indexed once per module and database (these tests only read)."""
    return indexed_scripted


@pytest.fixture(scope="module")
def history(scripted) -> History:
    return scripted.history


@pytest.fixture(scope="module")
def records(engine, history):
    with engine.connect() as connection:
        return {
            name: compute_record(connection, signer.address, history.as_of)
            for name, signer in history.firms.items()
        }


def test_volumes_growth_and_volatility_count_only_invoices_verified_by_t(records):
    s = records["S"].figures
    # Sales (S seller, verified invoices) issued in (T-365d, T]: s1 1,000,000 (T-10d),
    # s6 500,000 (T-9d), s2 2,000,000 (T-45d), s7 300,000 (T-32d, proposed then confirmed),
    # s3 1,000,000 (T-100d), s4 4,000,000 (T-200d) = 8,800,000 in 6. Not the order or the
    # delivery, not the rejected or pending proposals, not late_sale (verified at T+2d).
    assert s["sales_365d"] == {"amount": 8_800_000, "count": 6}
    # Within 90 days: s1 + s6 + s2 + s7 = 1,000,000 + 500,000 + 2,000,000 + 300,000.
    assert s["sales_90d"] == {"amount": 3_800_000, "count": 4}
    # Purchases: p1b 2,000,000 (T-20d), p2 1,200,000 (T-80d); p1a 600,000 (T-160d) in 365 d only.
    assert s["purchases_90d"] == {"amount": 3_200_000, "count": 2}
    assert s["purchases_365d"] == {"amount": 3_800_000, "count": 3}
    # Prior year (T-730d, T-365d]: s5 2,000,000 (T-500d). Growth 8.8M / 2.0M - 1 = 3.4.
    assert s["sales_growth"] == {"rate": pytest.approx(3.4), "last_365d": 8_800_000,
                                 "prior_365d": 2_000_000}  # fmt: skip
    # 30-day buckets, newest first: [0,30d): s1+s6 = 1.5M; [30,60d): s2+s7 = 2.3M;
    # [90,120d): s3 = 1.0M; [180,210d): s4 = 4.0M.
    monthly = [1_500_000, 2_300_000, 0, 1_000_000, 0, 0, 4_000_000, 0, 0, 0, 0, 0]
    assert s["sales_volatility"]["monthly"] == monthly
    # mean = 8.8M / 12 = 733,333.3; population variance = 24.54e12 / 12 - mean^2 = 1.5072e12
    assert s["sales_volatility"]["cv"] == pytest.approx(
        statistics.pstdev(monthly) / (8_800_000 / 12)
    )
    assert s["sales_volatility"]["cv"] == pytest.approx(1.674, abs=1e-3)


def test_buyers_concentration_and_core_share_use_roles_as_of_t(records):
    s = records["S"].figures
    # By buyer: C1 5.0M (s1 + s4), C2 2.3M (s2 + s7), C3 1.0M, Y 0.5M; total 8.8M.
    # HHI = (5.0^2 + 2.3^2 + 1.0^2 + 0.5^2) / 8.8^2 = 31.54 / 77.44.
    assert s["buyer_concentration"] == {
        "buyers": 4,
        "hhi": pytest.approx(31.54 / 77.44),
        "top_buyer_share": pytest.approx(5.0 / 8.8),
        "single_buyer": False,
    }
    # CORE at T: C1 (registered so), C2 (made CORE at B+299d); C3 only at T+4d. 7.3M / 8.8M.
    assert s["core_buyer_share"] == {
        "share": pytest.approx(7.3 / 8.8),
        "core_amount": 7_300_000,
        "amount": 8_800_000,
    }


def test_tenure_and_disputes(records):
    s = records["S"].figures
    assert s["tenure"] == {"days": 400}
    # S as seller by T: 6 recorded invoices (s1..s6) + order + delivery + 4 proposals (s7
    # confirmed, rejected, pending, late_answer) = 12; late_sale came after T. Rejected by T: 1
    # (late_answer was rejected at T+1d).
    disputes = s["disputes"]
    assert {k: disputes[k] for k in ("rejected", "trades", "rate")} == {
        "rejected": 1, "trades": 12, "rate": pytest.approx(1 / 12)
    }  # fmt: skip
    assert disputes["trades_90d"] <= disputes["trades_180d"] <= disputes["trades"]


def test_paydex_of_how_s_pays_its_suppliers(records):
    payer = records["S"].figures["paydex_as_payer"]
    # p1a 600,000 paid 10 d early (T-140d vs due T-130d): score 85 (halfway 90 -> 80)
    # p2 800,000 paid 15 d late (T-35d vs T-50d): 70
    # p2 remainder 400,000 unpaid at T, due T-50d: 50 d beyond terms: 50 - 20/30 * 10 = 43.33
    #   (the remainder's payment at T-1d reached the chain at T+3d: unpaid at T)
    # p1b 2,000,000 paid 25 d early (T-15d vs due T+10d): 95 (halfway 100 -> 90)
    index = (600_000 * 85 + 800_000 * 70 + 400_000 * (50 - 20 / 3) + 2_000_000 * 95) / 3_800_000
    days = (600_000 * -10 + 800_000 * 15 + 400_000 * 50 + 2_000_000 * -25) / 3_800_000
    assert payer == {
        "index": pytest.approx(index),
        "days_beyond_terms": pytest.approx(days),
        "experiences": 4,
        "counterparties": 2,
        "amount": 3_800_000,
        "reason": None,
    }
    assert index == pytest.approx(82.719, abs=1e-3) and days == pytest.approx(-6.316, abs=1e-3)


def test_paydex_of_how_s_is_paid(records):
    payee = records["S"].figures["paydex_as_payee"]
    # s4 4,000,000 paid 0.5 d late: 80 - 0.5/15 * 10 = 79.667; s3 1,000,000 22 d late: 60;
    # s2 2,000,000 on the day: 80; s1 1,000,000 22 d early: 90 + 2/10 * 10 = 92;
    # s7 300,000 unpaid, due T-2d: 2 d beyond terms: 80 - 2/15 * 10 = 78.667.
    # s5 was paid 470 d ago (outside the 365 d window) and in full: no experience.
    scores = [(4_000_000, 80 - 1 / 3), (1_000_000, 60), (2_000_000, 80), (1_000_000, 92),
              (300_000, 80 - 4 / 3)]  # fmt: skip
    index = sum(a * s for a, s in scores) / 8_300_000
    assert payee["index"] == pytest.approx(index)
    # Days beyond terms: (4M * 0.5 + 1M * 22 + 2M * 0 - 1M * 22 + 0.3M * 2) / 8.3M = 2.6 / 8.3
    assert payee["days_beyond_terms"] == pytest.approx(2.6 / 8.3)
    assert (payee["experiences"], payee["counterparties"], payee["amount"]) == (5, 3, 8_300_000)


def test_paydex_needs_three_experiences_from_two_counterparties(records):
    # P1 was paid twice, both times by S: 2 experiences from 1 counterparty.
    p1 = records["P1"].figures["paydex_as_payee"]
    assert p1["index"] is None and p1["days_beyond_terms"] is None
    assert p1["reason"] == "insufficient experiences: 2 from 1 counterparties"
    # Y owes S 500,000, due only at T+21d: no experience at all.
    y = records["Y"].figures["paydex_as_payer"]
    assert y["reason"] == "insufficient experiences: 0 from 0 counterparties"


def test_circular_trading_flags_the_ring_and_not_the_chain_of_supply(records, history):
    a, b, c = (history.address(n) for n in ("RA", "RB", "RC"))
    ring = records["RA"].figures["circular_trading"]
    # RA -> RB 1,000,000, RB -> RC 1,050,000, RC -> RA 980,000: 1,050,000 / 980,000 = 1.07
    assert ring["flag"] is True
    assert [(r["members"], r["amounts"]) for r in ring["rings"]] == [
        ([a, b, c], [1_000_000, 1_050_000, 980_000])
    ]
    ids = {history.trade_id(k) for k in ("ring_ab", "ring_bc", "ring_ca")}
    assert set(ring["rings"][0]["trade_ids"]) == ids
    assert ring["count"] == 1
    assert records["RB"].figures["circular_trading"]["rings"][0]["members"] == [b, c, a]
    # T3 -> T2 -> T1 -> C1 is a chain with similar amounts but no cycle; D1 <-> D2 is a cycle
    # of 1,000,000 and 2,000,000 (ratio 2 > 1.25); S trades with everyone in no cycle.
    for name in ("T3", "T2", "T1", "C1", "D1", "D2", "S"):
        assert records[name].figures["circular_trading"] == {
            "flag": False,
            "count": 0,
            "rings": [],
        }, name


def test_volume_spikes(records):
    # P1: last 30 d 2,000,000 (p1b) vs 600,000 (p1a, T-160d) over the 11 buckets before:
    # 2,000,000 * 11 = 22,000,000 > 3 * 600,000.
    assert records["P1"].figures["volume_spike"] == {
        "flag": True, "last_30d": 2_000_000, "prior_330d": 600_000,
        "ratio": pytest.approx(22_000_000 / 600_000),
    }  # fmt: skip
    # S: 1,500,000 * 11 = 16,500,000 < 3 * 7,300,000 = 21,900,000: no spike.
    assert records["S"].figures["volume_spike"]["flag"] is False
    assert records["S"].figures["volume_spike"]["ratio"] == pytest.approx(16.5 / 7.3)
    # Z: 100,000 after 11 empty buckets, registered 400 d ago: a spike. Y: the same with 10 d
    # of tenure: a new firm, not a spike.
    assert records["Z"].figures["volume_spike"]["flag"] is True
    assert records["Z"].figures["volume_spike"]["ratio"] is None
    assert records["Y"].figures["volume_spike"]["flag"] is False


def test_young_counterparties(records):
    # S's trades recorded in (T-365d, T]: s4, p1a, s3, p2, s2, s7, p1b, rejected, order,
    # delivery, s1, s6, pending, late_answer = 14. Young: s6, recorded 2 d after Y registered.
    # (s5 was recorded a day after C1 registered, but 399 d ago.)
    assert records["S"].figures["young_counterparties"] == {
        "count": 1, "trades": 14, "share": pytest.approx(1 / 14),
    }  # fmt: skip


def test_network_rank_is_pagerank_over_the_365_day_invoice_graph(records, history):
    f = history.address
    # buyer -> seller, summed per pair, verified invoices issued in (T-365d, T]:
    edges = {
        (f("C1"), f("S")): 5_000_000,  # s1 + s4 (s5 is older; late_sale came after T)
        (f("C2"), f("S")): 2_300_000,  # s2 + s7
        (f("C3"), f("S")): 1_000_000,
        (f("Y"), f("S")): 500_000,
        (f("S"), f("P1")): 2_600_000,  # p1a + p1b
        (f("S"), f("P2")): 1_200_000,
        (f("RB"), f("RA")): 1_000_000, (f("RC"), f("RB")): 1_050_000,
        (f("RA"), f("RC")): 980_000,
        (f("T2"), f("T3")): 500_000, (f("T1"), f("T2")): 520_000,
        (f("C1"), f("T1")): 510_000,
        (f("D2"), f("D1")): 1_000_000, (f("D1"), f("D2")): 2_000_000,
        (f("C1"), f("Z")): 100_000, (f("C1"), f("Y")): 50_000,
    }  # fmt: skip
    ranks = weighted_pagerank(edges)
    assert len(ranks) == 16
    for name in ("S", "C1", "RA", "T3"):
        assert records[name].figures["network_rank"] == {
            "value": pytest.approx(ranks[f(name)] * 16, rel=1e-9),
            "firms": 16,
        }
    # S is paid by four buyers, the largest of them the best-connected firm: above average.
    assert records["S"].figures["network_rank"]["value"] > 1.0


def test_a_firm_not_registered_by_t_has_no_record(engine, history):
    with engine.connect() as connection:
        young = compute_record(connection, history.address("Y"), history.as_of - 11 * 86_400)
        stranger = compute_record(connection, "0x" + "12" * 20, history.as_of)
    assert young.available is False and young.figures == {}
    assert "not registered" in (young.reason or "")
    assert stranger.to_json()["available"] is False


def test_every_figure_cites_only_chain_events_on_chain_by_t(engine, records, history):
    s = records["S"]
    assert set(s.figures) == set(FIGURES) == set(s.evidence)
    cited = {event for ids in s.evidence.values() for event in ids}
    with engine.connect() as connection:
        query = select(EVENTS.c.id, EVENTS.c.block_time).where(EVENTS.c.id.in_(cited))
        times = dict(connection.execute(query).all())
    assert set(times) == cited
    assert max(times.values()) <= history.as_of
    # 6 sales in 365 d, s7 by two events (proposed, confirmed): 7 events.
    assert len(s.evidence["sales_365d"]) == 7
    # The rejected proposal by its proposal and its rejection; late_answer only by its proposal.
    assert len(s.evidence["disputes"]) == 12 + 1 + 1  # 12 trades, s7's and rejected's answers


def test_payment_delays_show_from_the_first_experience_with_recent_windows(records):
    payer = records["S"].figures["payment_delays_as_payer"]
    # The same four experiences as the PAYDEX (none paid more than 365 d ago); in the last 90 d:
    # p2 (paid T-35d), its open remainder and p1b (T-15d); p1a (T-140d) only in the 180 d window.
    days = (600_000 * -10 + 800_000 * 15 + 400_000 * 50 + 2_000_000 * -25) / 3_800_000
    recent = (800_000 * 15 + 400_000 * 50 + 2_000_000 * -25) / 3_200_000
    assert payer["days_beyond_terms"] == pytest.approx(days)
    assert payer["days_beyond_terms_180d"] == pytest.approx(days)
    assert payer["days_beyond_terms_90d"] == pytest.approx(recent)
    assert (payer["experiences"], payer["experiences_90d"], payer["experiences_180d"]) == (4, 3, 4)
    assert payer["late_share"] == pytest.approx(1_200_000 / 3_800_000)
    # By thirty-day bucket, newest first, from p1a's (paid T-140d: bucket 4): bucket 0 holds the
    # open remainder (at T) and p1b, bucket 1 p2 (T-35d), buckets 2 and 3 nothing.
    newest = (400_000 * 50 + 2_000_000 * -25) / 2_400_000
    assert payer["monthly"] == [pytest.approx(newest), pytest.approx(15.0), None, None,
                                pytest.approx(-10.0)]  # fmt: skip
    # P1: 2 experiences from 1 counterparty: no PAYDEX, but its delay is shown, with its count.
    p1 = records["P1"].figures
    assert p1["paydex_as_payee"]["index"] is None
    assert p1["payment_delays_as_payee"]["experiences"] == 2
    assert p1["payment_delays_as_payee"]["days_beyond_terms"] is not None


def test_sales_trend_covers_the_months_since_the_first_sale(records):
    trend = records["S"].figures["sales_trend"]
    # Thirty-day buckets from the first sale's (s5, paid 470 d ago, so sold in the 17th bucket
    # back) to the one ending at T; the newest 12 are the volatility's buckets.
    monthly = records["S"].figures["sales_volatility"]["monthly"]
    assert trend["months"] == 17 and trend["monthly"][:12] == monthly
    assert trend["monthly"][-1] > 0 and sum(trend["monthly"][12:]) == trend["monthly"][-1]
    covered = trend["monthly"][::-1]
    slope = np.polyfit(np.arange(len(covered)), np.array(covered, dtype=float), 1)[0]
    assert trend["slope"] == pytest.approx(slope / np.mean(covered))
    assert trend["cv"] == pytest.approx(np.std(covered) / np.mean(covered))
    assert records["P1"].figures["sales_trend"]["slope"] is None or (
        records["P1"].figures["sales_trend"]["months"] >= 3
    )


def test_size_and_tenure_are_placed_in_the_ledger_population(records):
    sales = {n: r.figures["sales_365d"]["amount"] for n, r in records.items() if r.available}
    sellers = sorted(a for a in sales.values() if a > 0)
    s = records["S"].figures["size_relative"]
    below = sum(a < sales["S"] for a in sellers)
    level = sum(a == sales["S"] for a in sellers)
    assert s["sellers"] == len(sellers) and s["amount"] == sales["S"]
    assert s["percentile"] == pytest.approx((below + level / 2) / len(sellers))
    assert s["log_ratio_to_median"] == pytest.approx(
        np.log(sales["S"] / np.median(sellers)), abs=1e-6
    )
    tenure = {n: r.figures["tenure"]["days"] for n, r in records.items() if r.available}
    shorter = sum(t < tenure["S"] for t in tenure.values())
    place = records["S"].figures["tenure_relative"]
    assert place["firms"] >= len(tenure)
    assert 0.0 < place["percentile"] <= 1.0 and shorter / place["firms"] <= place["percentile"]


def test_every_record_of_the_scripted_history_fits_the_published_models(records):
    """Rings, spikes, thin and thick files: each record's JSON comes back from the models of
    backend/credit/schemas.py key for key (a new key in a figure fails here)."""
    for record in records.values():
        assert_fits_models(record)
