"""Packaging: where an installed package finds the project, and what the API needs installed.

``pip install .`` puts ``backend`` in site-packages, away from ``contracts/``, ``node_modules/``
and ``scripts/solc``: the project root is a setting. scikit-learn is the ``train`` extra: the API
must import, start and score without it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend import settings as settings_module
from backend.settings import Settings

LOCAL_PATHS = {
    "data_dir": "data",
    "deployments_dir": "deployments",
    "models_dir": "models",
    "artifacts_dir": "artifacts",
    "contracts_dir": "contracts",
    "node_modules_dir": "node_modules",
}


def test_every_local_path_defaults_to_a_place_under_the_project_root(tmp_path: Path) -> None:
    settings = Settings(project_root=tmp_path)
    for field, name in LOCAL_PATHS.items():
        assert getattr(settings, field) == tmp_path / name, field


def test_a_path_set_on_its_own_wins_over_the_project_root(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SCF_PROJECT_ROOT", str(tmp_path / "checkout"))
    monkeypatch.setenv("SCF_ARTIFACTS_DIR", str(tmp_path / "elsewhere"))
    settings = Settings()
    assert settings.artifacts_dir == tmp_path / "elsewhere"
    assert settings.contracts_dir == tmp_path / "checkout" / "contracts"


def test_the_source_checkout_is_the_default_root() -> None:
    root = Path(__file__).resolve().parent.parent
    assert settings_module.default_project_root() == root
    assert Settings().artifacts_dir == root / "artifacts"  # apart from Python's build/


def test_installed_away_from_a_checkout_the_root_is_the_working_directory(
    tmp_path, monkeypatch
) -> None:
    site_packages = tmp_path / "site-packages"
    (site_packages / "backend").mkdir(parents=True)
    monkeypatch.setattr(settings_module, "SOURCE_ROOT", site_packages)
    monkeypatch.chdir(tmp_path)
    assert settings_module.default_project_root() == tmp_path


# Run in a fresh interpreter: this one has imported scikit-learn already (the models fixture).
WITHOUT_SKLEARN = textwrap.dedent(
    """
    import importlib.abc
    import sys

    class NoScikitLearn(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "sklearn" or name.startswith("sklearn."):
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, NoScikitLearn())

    from eth_account import Account
    from fastapi.testclient import TestClient

    import backend.cli  # what `scf serve` imports
    from backend.app import create_app
    from backend.chain.compiler import compile_contracts
    from backend.chain.contracts import Ledger
    from backend.chain.node import connect
    from backend.db import make_engine
    from backend.migrations import upgrade
    from backend.services import Services
    from backend.settings import DEVELOPMENT_OPERATOR_KEY, Settings

    rpc_url, database_url, models_dir = sys.argv[1:4]
    upgrade(database_url)
    ledger = Ledger.deploy_new(
        connect(rpc_url), compile_contracts(), Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    )
    services = Services(Settings(models_dir=models_dir), make_engine(database_url), ledger)
    with TestClient(create_app(services)) as client:
        for path in ("/healthz", "/ledger", "/openapi.json", "/metrics"):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.status_code, answer.text)
    assessment = services.models.latest().assess_record({}, thin=True)
    assert 0.0 < assessment.pd < 1.0, assessment
    assert "sklearn" not in sys.modules
    print("served without scikit-learn", assessment.grade)
    """
)


@pytest.mark.chain
def test_the_api_imports_serves_and_scores_without_scikit_learn(anvil, models_dir, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'api.db'}"
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_SKLEARN, anvil.url, database_url, str(models_dir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "served without scikit-learn" in done.stdout


def test_the_block_itself_works() -> None:
    """The import hook really refuses scikit-learn (else the test above proves nothing)."""
    probe = WITHOUT_SKLEARN.split("from eth_account")[0] + "import sklearn\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode != 0
    assert "No module named 'sklearn' (blocked)" in done.stderr
