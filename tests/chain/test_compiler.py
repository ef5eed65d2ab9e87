"""The solc-js compiler path: OpenZeppelin imports, errors by file and line, the cache."""

from __future__ import annotations

import pytest

from backend.chain import compiler
from backend.chain.compiler import ContractCompileError, compile_contracts, compile_sources

BROKEN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
// ─── a banner of multi-byte characters, as the ledger's sources have ───

contract Broken {
    function f() external pure returns (uint256) {
        return undefinedThing;
    }
}
"""


def test_compile_error_names_file_line_and_message():
    with pytest.raises(ContractCompileError) as raised:
        compile_sources({"contracts/Broken.sol": BROKEN})
    message = raised.value.message
    assert message.startswith("contracts/Broken.sol:7: DeclarationError:")
    assert "Undeclared identifier" in message


def test_openzeppelin_imports_resolve_from_node_modules():
    source = (
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.24;\n"
        'import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";\n'
        "contract UsesNonces is Nonces {}\n"
    )
    output = compile_sources({"contracts/UsesNonces.sol": source})
    assert "UsesNonces" in output["contracts"]["contracts/UsesNonces.sol"]


def test_artifacts_are_cached_by_source_hash(monkeypatch):
    first = compile_contracts()

    def must_not_compile(*_arguments):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(compiler, "compile_sources", must_not_compile)
    assert compile_contracts() == first
    assert {"FirmRegistry", "TradeLedger"} <= set(first)
    assert all(a.bytecode for a in first.values() if not a.name.startswith("I"))


def test_the_source_hash_changes_with_any_source(tmp_path):
    node_modules = compiler.get_settings().node_modules_dir
    base = {"contracts/A.sol": "contract A {}"}
    changed = {"contracts/A.sol": "contract A { }"}
    assert compiler.sources_hash(base, node_modules) != compiler.sources_hash(changed, node_modules)
