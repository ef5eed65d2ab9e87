"""The published models of the credit profile (backend/credit/schemas.py) against records of a
simulated ledger: every figure the computation produces, each key named, typed, none dropped."""

from __future__ import annotations

import pytest

from backend.credit.record import FIGURES
from backend.credit.schemas import CreditProfile, Figures
from backend.sim.world import apply_events, build_world, migrated_engine, records_at, world_events
from tests.credit.schema_check import assert_fits_models


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Every scored firm's record JSON of a small simulated world, receivables included."""
    world = build_world(120, seed=8)
    engine = migrated_engine(tmp_path_factory.mktemp("schemas") / "sim.sqlite")
    try:
        apply_events(engine, world_events(world, world.as_of, receivables=True))
        firms = [world.addresses[i] for i in world.scored]
        return [view.to_json() for view in records_at(engine, firms, world.as_of)]
    finally:
        engine.dispose()


def test_the_figures_model_names_every_figure_of_the_record_in_its_order() -> None:
    assert tuple(Figures.model_fields) == FIGURES


def test_every_record_of_a_simulated_ledger_fits_the_published_models(simulated) -> None:
    assert len(simulated) > 50
    for record in simulated:
        assert_fits_models(record)
    # the world exercises the nullable fields both ways
    rates = {record["figures"]["sales_growth"]["rate"] is None for record in simulated}
    assert rates == {True, False}


def test_a_key_the_models_do_not_name_fails_the_check(simulated) -> None:
    record = simulated[0]
    grown = {**record, "figures": {**record["figures"], "tenure": {"days": 3, "weeks": 0}}}
    with pytest.raises(AssertionError, match="tenure.weeks: dropped"):
        assert_fits_models(grown)


def test_a_value_of_another_type_fails_the_check(simulated) -> None:
    record = simulated[0]
    changed = {**record, "figures": {**record["figures"], "tenure": {"days": "3"}}}
    with pytest.raises(AssertionError, match="days: '3' became 3"):
        assert_fits_models(changed)


def test_a_record_without_figures_publishes_none_of_them(simulated) -> None:
    absent = {**simulated[0], "available": False, "reason": "not registered", "figures": {}}
    published = CreditProfile.model_validate({**absent, "evidence": {}})
    assert published.model_dump(exclude_unset=True)["figures"] == {}
