"""No domain imports another domain's service: what domains share (authorization, the outbox,
the enums, the errors) lives in the shared kit, so a domain's service is its own business."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[1] / "backend"
#: The business domains: each owns its service; they may read each other's models and schemas.
DOMAINS = (
    "consents",
    "credit",
    "decisions",
    "documents",
    "evidence",
    "firms",
    "receivables",
    "trades",
)


def imported_modules(path: Path) -> set[str]:
    """Every ``backend...`` module a file imports, whether at the top or inside a function."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return {module for module in modules if module.startswith("backend.")}


def foreign_services(domain: str) -> list[str]:
    """``file -> module`` for each import of another domain's service by ``domain``'s files."""
    found = []
    for path in sorted((BACKEND / domain).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            parts = module.split(".")
            if len(parts) >= 3 and parts[1] in DOMAINS and parts[1] != domain:
                if parts[2] == "service":
                    found.append(f"{path.relative_to(BACKEND.parent)} -> {module}")
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_domain_imports_another_domains_service(domain: str) -> None:
    assert foreign_services(domain) == []


def test_the_check_sees_an_import_of_another_domains_service(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "from backend.trades.service import TradeChecks\n"
        "def f():\n    from backend.consents import service\n"
    )
    assert imported_modules(module) >= {
        "backend.trades.service",
        "backend.consents.service",
    }
