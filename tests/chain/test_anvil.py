"""anvil lifecycle: starts on a free port, answers, stops without leaving a process behind."""

from __future__ import annotations

import os

import pytest
from eth_account import Account

from backend.chain.anvil import Anvil, AnvilError, anvil_binary, rpc_answers
from backend.chain.node import connect


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = open(f"/proc/{pid}/stat").read().split()[2] if os.path.exists(f"/proc/{pid}") else "X"
    return status != "Z"


def test_start_answers_and_stop_leaves_no_process():
    node = Anvil().start()
    pid = node.pid
    assert pid is not None and node.running and rpc_answers(node.url)
    node.stop()
    assert not node.running
    assert not _alive(pid)
    assert not rpc_answers(node.url)


def test_always_prunes_history():
    command = Anvil(port=1).command()
    assert command[command.index("--prune-history") + 1] == "256"
    assert command[0] == str(anvil_binary())


def test_state_file_persists_the_chain_across_restarts(tmp_path):
    state = tmp_path / "state.json"
    recipient = Account.create().address
    with Anvil(state_path=state) as node:
        w3 = connect(node.url)
        w3.provider.make_request("anvil_setBalance", [recipient, hex(12345)])
        w3.provider.make_request("evm_mine", [])
    assert state.exists()
    with Anvil(state_path=state) as node:
        assert connect(node.url).eth.get_balance(recipient) == 12345


def test_a_failed_start_reports_and_cleans_up():
    with Anvil() as first:
        clash = Anvil(port=first.port, startup_timeout=5)
        with pytest.raises(AnvilError, match="taken"):
            clash.start()
        assert not clash.running
