"""Deeply nested JSON: one unauthenticated request used to crash the whole process (SIGSEGV)."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from backend.limits import MAX_JSON_DEPTH, SANE_RECURSION_LIMIT, json_depth_exceeds

pytestmark = pytest.mark.chain

ATTACK = b"[" * 70_000 + b"]" * 70_000  # 140 KB, under the body limit


def test_the_recursion_limit_is_sane_after_importing_the_app():
    code = (
        "import sys, json, backend.app\n"
        f"assert sys.getrecursionlimit() <= {SANE_RECURSION_LIMIT}, sys.getrecursionlimit()\n"
        "try:\n"
        "    json.loads('[' * 100000 + ']' * 100000)\n"
        "except RecursionError:\n"
        "    print('refused')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr.decode()[-2000:])  # -11: SIGSEGV
    assert done.stdout.strip() == b"refused"


def test_the_cli_lowers_the_recursion_limit_too():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from backend.cli import app\n"
        "CliRunner().invoke(app, ['compile'])\n"
        "print(sys.getrecursionlimit())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert int(done.stdout.split()[-1]) <= SANE_RECURSION_LIMIT


def test_nested_json_is_refused_and_the_server_keeps_answering(live_server):
    for path in ("/auth/challenge", "/auth/token", "/credit-decisions", "/trades/batch"):
        answer = httpx.post(
            f"{live_server.url}{path}",
            content=ATTACK,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
        assert answer.status_code == 400, (path, answer.text)
        assert answer.json()["error"]["code"] == "json_too_deep"
    # Without a content type FastAPI parses the body as JSON too.
    bare = httpx.post(f"{live_server.url}/auth/challenge", content=ATTACK, timeout=60)
    assert bare.json()["error"]["code"] == "json_too_deep"
    assert live_server.alive(), live_server.log.read_text()
    assert live_server.answers()
    # What nests no deeper than the limit is parsed, then validated as before.
    depth = MAX_JSON_DEPTH - 1
    allowed = httpx.post(
        f"{live_server.url}/auth/challenge",
        content='{"address":' + "[" * depth + "]" * depth + "}",
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert allowed.status_code == 422, allowed.text  # parsed, then refused as not an address


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("[]", False),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', False),
        ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), True),
        ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
        ('{"a":' * 12 + '[{"b":' * 10 + "1" + "}]" * 10 + "}" * 12, False),
        ('{"a":' * 12 + '[{"b":' * 10 + "[1]" + "}]" * 10 + "}" * 12, True),
        ('[{"k\\"[": 1}' + ",[]" * 5000 + "]", False),
    ],
)
def test_the_depth_scan(text, deep):
    assert json_depth_exceeds(text) is deep
