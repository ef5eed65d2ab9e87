"""The attestation characteristics: neutral for firms without devices, compared with and without on
held-out families in the model card, served only when the data says they help."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from backend.scoring.attested import AttestationPlan, AttestationResult, card_section
from backend.scoring.features import ATTESTATION_SPECS, FEATURE_SPECS
from backend.scoring.scorecard import FeatureSpec, Scorecard
from backend.scoring.training import TrainingResult, model_card, served_worlds, train

SEED = 3
PLAN = AttestationPlan(SEED, 150, ("anchor", "payment-driven"))


@pytest.fixture(scope="module")
def trained() -> TrainingResult:
    return train(SEED, 360, german=False, attestations=PLAN)


@pytest.fixture(scope="module")
def compared(trained: TrainingResult) -> AttestationResult:
    assert trained.attestations is not None
    return trained.attestations


def test_firms_without_devices_get_the_populations_average_points(
    compared: AttestationResult,
) -> None:
    worlds = list(compared.worlds.values())
    specs = FEATURE_SPECS + ATTESTATION_SPECS
    X = {s.name: np.concatenate([w.X[s.name] for w in worlds]) for s in specs}
    y = np.concatenate([w.y for w in worlds])
    model = Scorecard(specs, l2=0.02, free_auto_signs=True).fit(X, y)
    kept = [s.name for s in ATTESTATION_SPECS if s.name in model.features_]
    assert kept, model.dropped_features_
    for name in kept:
        missing = np.isnan(X[name])
        assert 0.2 < missing.mean() < 0.8  # half the suppliers have no devices
        points = model.points_[name][model.binnings_[name].bin_index(X[name])]
        assert points[missing][0] == pytest.approx(points.mean(), abs=1e-9), name
        assert points[~missing].std() > 0  # the ones with devices are priced by their figures


def test_the_model_card_compares_with_and_without_attestations(trained: TrainingResult) -> None:
    card = model_card(trained)
    section = card[card.index("## Attestations") : card.index("## The worlds")]
    assert "true-positive rate at a 5% false-alarm rate" in section
    for name in PLAN.families:
        assert f"| {name} | " in section
    assert "Mean AUC lift" in section and "150 firms" in section


def test_the_served_model_carries_them_only_when_they_help(
    trained: TrainingResult, compared: AttestationResult
) -> None:
    names = {spec.name for spec in trained.model.features}
    attested = {s.name for s in ATTESTATION_SPECS}
    assert (attested <= names) == compared.helps
    worse = tuple(
        dataclasses.replace(f, with_attestations=dataclasses.replace(f.with_attestations, auc=0.0))
        for f in compared.families
    )
    refused = dataclasses.replace(compared, families=worse)
    assert not refused.helps
    assert served_worlds([], refused) == ([], FEATURE_SPECS)
    assert "keeps the characteristics without attestations" in "\n".join(card_section(refused))


def test_a_neutral_missing_bin_is_stored_and_earlier_specs_keep_their_form() -> None:
    plain, neutral = FeatureSpec("x", "numeric", "ascending"), ATTESTATION_SPECS[0]
    assert "neutral_missing" not in plain.to_dict()  # earlier models keep their content hash
    assert FeatureSpec.from_dict(neutral.to_dict()) == neutral and neutral.neutral_missing
