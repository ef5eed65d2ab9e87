"""Compiles the Solidity sources with solc-js, through py-solc-x and ``scripts/solc``.

No native ``solc`` is available offline, so py-solc-x drives a small solc-compatible Node wrapper
around solc-js (``scripts/solc``) that resolves ``@openzeppelin/...`` from ``node_modules``. All
three are found under the project root (``SCF_PROJECT_ROOT``), never inside site-packages.
Artifacts are cached in ``artifacts/contracts.json`` (``SCF_ARTIFACTS_DIR``) by a hash of
everything that affects the output: the sources, the compiler settings, the solc-js and
OpenZeppelin versions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solcx
from solcx.exceptions import SolcError

from backend.errors import LedgerError
from backend.settings import Settings, get_settings

logger = logging.getLogger(__name__)

ARTIFACTS_NAME = "contracts.json"
COMPILER_SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 10_000},
    "evmVersion": "cancun",
    "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
}


def solc_wrapper(settings: Settings) -> Path:
    """The solc front end; it finds ``node_modules`` beside its own ``scripts/`` directory."""
    return settings.project_root / "scripts" / "solc"


class ContractCompileError(LedgerError, code="contract_compile_error", status=500):
    """The Solidity sources do not compile; the message lists file:line: compiler message."""


@dataclass(frozen=True)
class Artifact:
    name: str
    source: str
    abi: list[dict[str, Any]]
    bytecode: str

    @property
    def abi_hash(self) -> str:
        canonical = json.dumps(self.abi, sort_keys=True, separators=(",", ":"))
        return "0x" + hashlib.sha256(canonical.encode()).hexdigest()


def source_files(contracts_dir: Path) -> dict[str, str]:
    """Every ``.sol`` file under ``contracts_dir``, keyed by its path relative to the project."""
    root = contracts_dir.parent
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted(contracts_dir.rglob("*.sol"))
    }


def _package_version(node_modules: Path, package: str) -> str:
    manifest = node_modules / package / "package.json"
    return str(json.loads(manifest.read_text())["version"])


def sources_hash(sources: dict[str, str], node_modules: Path) -> str:
    digest = hashlib.sha256()
    fingerprint = {
        "sources": sources,
        "settings": COMPILER_SETTINGS,
        "solc": _package_version(node_modules, "solc"),
        "openzeppelin": _package_version(node_modules, "@openzeppelin/contracts"),
    }
    digest.update(json.dumps(fingerprint, sort_keys=True).encode())
    return digest.hexdigest()


def compile_contracts(*, force: bool = False) -> dict[str, Artifact]:
    """Compile (or load from the cache) and return the artifacts keyed by contract name."""
    settings = get_settings()
    sources = source_files(settings.contracts_dir)
    wanted_hash = sources_hash(sources, settings.node_modules_dir)
    cache = settings.artifacts_dir / ARTIFACTS_NAME
    if not force and cache.exists():
        cached = json.loads(cache.read_text())
        if cached.get("sources_hash") == wanted_hash:
            return _artifacts_from_json(cached["contracts"])

    logger.info("compiler.start sources=%d", len(sources))
    output = compile_sources(sources, solc_wrapper(settings))
    contracts = {
        name: {"source": source, "abi": data["abi"], "bytecode": data["evm"]["bytecode"]["object"]}
        for source, by_name in output["contracts"].items()
        if not source.startswith("@")
        for name, data in by_name.items()
    }
    settings.artifacts_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(".tmp")
    temporary.write_text(json.dumps({"sources_hash": wanted_hash, "contracts": contracts}))
    temporary.replace(cache)
    logger.info("compiler.done contracts=%d", len(contracts))
    return _artifacts_from_json(contracts)


def load_artifacts() -> dict[str, Artifact]:
    """The compiled artifacts, compiling first when the sources changed."""
    return compile_contracts()


def _artifacts_from_json(contracts: dict[str, dict[str, Any]]) -> dict[str, Artifact]:
    return {
        name: Artifact(name=name, source=data["source"], abi=data["abi"], bytecode=data["bytecode"])
        for name, data in contracts.items()
    }


def compile_sources(sources: dict[str, str], solc: Path | None = None) -> dict[str, Any]:
    standard_input = {
        "language": "Solidity",
        "sources": {path: {"content": content} for path, content in sources.items()},
        "settings": COMPILER_SETTINGS,
    }
    try:
        output: dict[str, Any] = solcx.compile_standard(
            standard_input,
            solc_binary=solc or solc_wrapper(get_settings()),
            allow_empty=True,
        )
    except SolcError as error:
        raise ContractCompileError(_describe_errors(error, sources)) from None
    problems = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if problems:
        raise ContractCompileError(format_compiler_errors(problems, sources))
    return output


def _describe_errors(error: SolcError, sources: dict[str, str]) -> str:
    try:
        problems = json.loads(error.stdout_data or "")["errors"]
    except (TypeError, ValueError, KeyError):
        return str(error)
    return format_compiler_errors([e for e in problems if e.get("severity") == "error"], sources)


def format_compiler_errors(problems: list[dict[str, Any]], sources: dict[str, str]) -> str:
    """One ``file:line: message`` line per compiler error."""
    lines = []
    for problem in problems:
        location = problem.get("sourceLocation") or {}
        path = location.get("file", "<unknown>")
        # solc's offsets count bytes of UTF-8, not characters.
        text = sources.get(path, "").encode()
        line = text.count(b"\n", 0, max(location.get("start", 0), 0)) + 1
        lines.append(f"{path}:{line}: {problem.get('type', 'Error')}: {problem['message']}")
    return "\n".join(lines)
