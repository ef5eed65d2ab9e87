"""A long randomized campaign of the receivable ledger against its reference model.

Runs the Hypothesis state machine of ``tests/contracts/test_receivable_stateful.py`` (the same
rules, model and invariants as CI, where the run is short) on a throw-away local anvil, batch after
batch, until at least ``--steps`` steps were taken; then prints how many steps and examples ran,
how often each transition happened (``kind:ok``) or was refused (``kind:ErrorName``), and the
failures. A failure is shrunk by Hypothesis and printed; the campaign goes on with the next batch.

    .venv/bin/python scripts/receivable_campaign.py --steps 10000
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402

from backend.chain.anvil import Anvil  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.node import connect  # noqa: E402
from tests.contracts.test_receivable_stateful import ReceivableMachine, World  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000, help="steps to run at least")
    parser.add_argument("--steps-per-example", type=int, default=50)
    parser.add_argument("--examples-per-batch", type=int, default=20)
    arguments = parser.parse_args()

    machine_settings = settings(
        max_examples=arguments.examples_per_batch,
        stateful_step_count=arguments.steps_per_example,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    failures: list[str] = []
    started = time.monotonic()
    with Anvil() as node:
        world = World.build(connect(node.url), compile_contracts())
        ReceivableMachine.world = world
        batches = 0
        while ReceivableMachine.steps < arguments.steps:
            batches += 1
            try:
                run_state_machine_as_test(ReceivableMachine, settings=machine_settings)
            except Exception:  # a falsified property: keep it, run the next batch
                failures.append(traceback.format_exc())
                print(failures[-1], file=sys.stderr)
            print(f"batch {batches}: {ReceivableMachine.steps} steps, "
                  f"{ReceivableMachine.examples} examples, {len(failures)} failures",
                  file=sys.stderr)  # fmt: skip
        world.close()
    _print_summary(time.monotonic() - started, failures)
    return 1 if failures else 0


def _print_summary(seconds: float, failures: list[str]) -> None:
    stats = ReceivableMachine.stats
    print(f"steps:     {ReceivableMachine.steps}")
    print(f"examples:  {ReceivableMachine.examples}")
    print(f"failures:  {len(failures)}")
    print(f"time:      {seconds:.0f} s")
    kinds = sorted({key.split(":", 1)[0] for key in stats})
    print(f"\n{'operation':<22}{'ok':>7}{'refused':>9}  refusals by error")
    for kind in kinds:
        ok = stats.get(f"{kind}:ok", 0)
        refusals = {k.split(":", 1)[1]: v for k, v in stats.items()
                    if k.startswith(f"{kind}:") and not k.endswith(":ok")}  # fmt: skip
        shown = ", ".join(
            f"{name.removeprefix('ReceivableLedger')} {count}"
            for name, count in sorted(refusals.items(), key=lambda item: -item[1])
        )
        print(f"{kind:<22}{ok:>7}{sum(refusals.values()):>9}  {shown}")
    for number, failure in enumerate(failures, 1):
        print(f"\nfailure {number}:\n{failure}")


if __name__ == "__main__":
    sys.exit(main())
