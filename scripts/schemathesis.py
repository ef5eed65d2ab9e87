"""Schemathesis (CLI, ``--checks all``) against a live stack, once per role.

Schemathesis 4 and pytest 9 conflict as a plugin, so its CLI runs from its own virtualenv,
``.venv-schemathesis`` (created on the first run, with the version pinned in pyproject's dev
extra). The stack is attack.py's (local anvil, SQLite or ``--postgres``, ``scf serve`` with the
API, relayer and indexer on a free port); one firm per role signs in (supplier, core, bank) and
the operator, and each token gets its own run. ``--checks all`` less ``positive_data_acceptance``,
which counts the API's 422s for business rules as schema failures; in its place
``scripts/schemathesis_hooks/scf_checks.py`` fails a schema-valid request that request
validation refuses (``invalid_request``), which is what a dishonest schema would cause:

    .venv/bin/python scripts/schemathesis.py [--max-examples 50] [--postgres] [--log DIR]

Prints each run's summary, then one line per role; the exit code is non-zero when a run failed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from attack import Stack  # noqa: E402

from backend.enums import Role  # noqa: E402
from backend.sdk.signer import Signer  # noqa: E402
from backend.settings import DEVELOPMENT_OPERATOR_KEY  # noqa: E402
from tests.factories import issue_confirmed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-schemathesis"
HOOKS = ROOT / "scripts" / "schemathesis_hooks"
VERSION = "4.32.5"  # as in pyproject.toml's dev extra


def ensure_venv() -> Path:
    binary = VENV / "bin" / "schemathesis"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "--quiet", f"schemathesis=={VERSION}"],
            check=True,
        )
    return binary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", default="2", help="schemathesis --workers")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis --seed")
    parser.add_argument("--log", type=Path, help="write each role's whole output to DIR/<role>.log")
    args = parser.parse_args()
    binary = ensure_venv()
    import tempfile

    summaries: list[tuple[str, int, str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="scf-schemathesis-") as workdir,
        Stack(Path(workdir), args.postgres) as stack,
    ):
        supplier, core, bank = stack.firm(), stack.firm(Role.CORE), stack.firm(Role.BANK)
        # Some records to read: a confirmed receivable of the supplier on the core enterprise.
        issue_confirmed(stack.ledger, supplier.signer, core.signer)
        stack.indexed()
        operator = stack.sign_in(Signer.from_key(DEVELOPMENT_OPERATOR_KEY))
        url = f"http://127.0.0.1:{stack.port}/openapi.json"
        for role, headers in (
            ("supplier", supplier.headers),
            ("core", core.headers),
            ("bank", bank.headers),
            ("operator", operator),
        ):
            started = time.monotonic()
            run = subprocess.run(
                [
                    str(binary),
                    "--no-color",
                    "run",
                    url,
                    "--checks",
                    "all",
                    # replaced by scf_checks.schema_valid_requests_pass_validation (see there)
                    "--exclude-checks",
                    "positive_data_acceptance",
                    "--continue-on-failure",
                    "--max-examples",
                    str(args.max_examples),
                    "--workers",
                    args.workers,
                    "-H",
                    f"Authorization: {headers['Authorization']}",
                    "--seed",
                    str(args.seed),
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(HOOKS), "SCHEMATHESIS_HOOKS": "scf_checks"},
                cwd=workdir,  # its .schemathesis/ reports go with the stack's temp directory
            )
            output = run.stdout + run.stderr
            if args.log is not None:  # the whole output: the summary below keeps its tail only
                args.log.mkdir(parents=True, exist_ok=True)
                (args.log / f"{role}.log").write_text(output)
            print(f"===== {role} (exit {run.returncode}, {time.monotonic() - started:.0f} s)")
            print(_summary(output), flush=True)
            summaries.append((role, run.returncode, _last_line(output)))
    print("=====")
    for role, code, line in summaries:
        print(f"{role:9} exit {code}  {line}")
    return 1 if any(code for _, code, _ in summaries) else 0


def _summary(output: str) -> str:
    """From the failures section on (or the whole output when there is none)."""
    match = re.search(r"^_+ ?FAILURES ?_+$|^=+ ?FAILURES ?=+$|^Failures?:?$", output, re.M)
    return output[match.start() :] if match else output[-6000:]


def _last_line(output: str) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


if __name__ == "__main__":
    sys.exit(main())
