"""Trained scorecards by version, as ``scf model train`` writes them (``<version>.json`` and a
``LATEST`` pointer in one directory). Kept apart from training, so that serving a model does not
import the simulator or the challenger's scikit-learn.

Decisions are scored with the latest model and re-scored later with the version they name, so a
model file is never rewritten: its name is a hash of its content.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from backend.errors import LedgerError
from backend.scoring.scorecard import Scorecard

LATEST = "LATEST"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def latest_model_path(directory: Path) -> Path:
    """The model ``LATEST`` names, else the newest ``*.json`` in ``directory``."""
    pointer = directory / LATEST
    if pointer.exists():
        path = directory / f"{pointer.read_text(encoding='utf-8').strip()}.json"
        if path.exists():
            return path
    models = sorted(directory.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    if not models:
        raise FileNotFoundError(f"no model in {directory}; run `scf model train` first")
    return models[-1]


def load_model(path: Path) -> Scorecard:
    return Scorecard.from_dict(json.loads(path.read_text(encoding="utf-8")))


class ModelUnavailable(LedgerError, code="model_unavailable", status=503):
    """No trained scoring model is installed (run `scf model train`)."""


class ModelStore:
    """Loads each version once per process; thread-safe (the API serves from a thread pool)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._loaded: dict[str, Scorecard] = {}
        self._lock = threading.Lock()

    def latest(self) -> Scorecard:
        """The model ``LATEST`` names (else the newest file)."""
        try:
            path = latest_model_path(self.directory)
        except FileNotFoundError:
            raise ModelUnavailable(
                f"no scoring model in {self.directory}: train one with `scf model train --seed 1`"
            ) from None
        return self.get(path.stem)

    def get(self, version: str) -> Scorecard:
        """The model of ``version``; 503 when its file is not in the directory."""
        if not _VERSION.match(version):
            raise ModelUnavailable(f"{version!r} is not a model version")
        with self._lock:
            if version not in self._loaded:
                path = self.directory / f"{version}.json"
                if not path.is_file():
                    raise ModelUnavailable(f"model {version} is not in {self.directory}")
                self._loaded[version] = load_model(path)
            return self._loaded[version]
