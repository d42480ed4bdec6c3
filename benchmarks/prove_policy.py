"""Prove ``awshealth policy`` on every example gate: enough, and every statement needed.

    python benchmarks/prove_policy.py [--example NAME ...] [-v]

For each example: provision its healthy stack on the embedded emulator (IAM enforced per
action and resource ARN, ``pytest_awshealth/emulator/iam_enforcer.py``), compute the
policy of its test module with its outputs, and run the gate in-process as an IAM user
holding only that policy: it must pass with 0 inconclusive. Then remove each statement
in turn and run again as a new user: exactly the tests the statement names must be
inconclusive, each naming one of its actions, the hint must name the statement, and no
test may fail. Prints one row per example and exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
QUIET = ["-p", "no:cacheprovider", "-p", "no:xdist", "-W",
         "ignore::pytest.PytestAssertRewriteWarning"]


class Verdicts:
    """A plugin keeping each test's verdict and, for an inconclusive one, its report text."""

    def __init__(self) -> None:
        self.verdicts: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from pytest_awshealth.verdicts import verdict_of

        verdict = verdict_of(report)
        if verdict is None or (report.when != "call" and verdict == "healthy"):
            return
        if self.verdicts.get(report.nodeid) in (None, "healthy"):
            self.verdicts[report.nodeid] = verdict
            self.texts[report.nodeid] = report.longreprtext

    def with_verdict(self, verdict: str) -> list[str]:
        return sorted(t for t, v in self.verdicts.items() if v == verdict)


@dataclass
class Row:
    example: str
    statements: int = 0
    actions: int = 0
    runs: int = 0
    mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


def pytest_main(args: list[str], plugins: list[Any]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = pytest.main(args, plugins=plugins)
    return int(code), out.getvalue()


def policy_of(gate: str, outputs: str) -> Any:
    from pytest_awshealth.policy import PolicyCollector

    collector = PolicyCollector("json", ACCOUNT)
    code, text = pytest_main([gate, "--aws-outputs", outputs, "--collect-only", "-q", *QUIET],
                             [collector])
    if code != 0 or collector.policy is None:
        raise SystemExit(f"collecting {gate} failed ({code}):\n{text}")
    return collector.policy


def run_as(emulator: Any, user: str, policy: Any, gate: str, outputs: str) -> tuple[int, Verdicts, str]:
    os.environ.update(emulator.iam_user(user, policy.document(ACCOUNT, emulator.region)))
    found = Verdicts()
    code, text = pytest_main([gate, "--aws-outputs", outputs, "-rA", "--aws-inconclusive", "warn",
                              *QUIET], [found])
    return code, found, text


def prove(example: str, emulator: Any, api: Any, directory: Path, verbose: bool) -> Row:
    from pytest_awshealth.emulator.stacks import get_stack

    row, start = Row(example), time.perf_counter()
    stack = get_stack(example)
    emulator.reset()
    outputs = str(stack.write_outputs(stack.deploy(emulator, api), directory))
    gate = str(ROOT / "examples" / example)
    policy = policy_of(gate, outputs)
    row.statements, row.actions = len(policy.statements), len(policy.actions)

    code, found, text = run_as(emulator, f"{example}-all", policy, gate, outputs)
    row.runs += 1
    if code != 0 or found.with_verdict("inconclusive") or found.with_verdict("broken"):
        row.mismatches.append(f"full policy: exit {code}, inconclusive "
                              f"{found.with_verdict('inconclusive')}, broken "
                              f"{found.with_verdict('broken')}")
    for number, statement in enumerate(policy.statements):
        code, found, text = run_as(emulator, f"{example}-{number}", policy.without(statement.sid),
                                   gate, outputs)
        row.runs += 1
        problem = mismatch(statement, found, text)
        if problem:
            row.mismatches.append(f"without {statement.sid}: {problem}")
        if verbose:
            print(f"  {example} without {statement.sid}: {problem or 'ok'}", file=sys.stderr)
    row.seconds = time.perf_counter() - start
    return row


def mismatch(statement: Any, found: Verdicts, text: str) -> Optional[str]:
    """What differs from: exactly the statement's tests inconclusive, each naming one of
    its actions, the hint naming the statement, nothing failing."""
    expected = sorted(statement.tests)
    got = found.with_verdict("inconclusive")
    problems = []
    if got != expected:
        extra, missing = sorted(set(got) - set(expected)), sorted(set(expected) - set(got))
        problems.append(f"inconclusive +{_short(extra)} -{_short(missing)}")
    broken = found.with_verdict("broken")
    if broken:
        problems.append(f"broken {_short(broken)}")
    silent = [t for t in got if not any(a in found.texts.get(t, "") for a in statement.actions)]
    if silent:
        problems.append(f"no action named by {_short(silent)}")
    if got and f'"Sid": "{statement.sid}", "Effect": "Allow"' not in text:
        problems.append("the hint does not name the statement")
    return "; ".join(problems) or None


def _short(nodeids: list[str]) -> list[str]:
    return [n.split("::", 1)[-1] for n in nodeids]


def main() -> int:
    from pytest_awshealth.emulator import Emulator, HttpStub
    from pytest_awshealth.emulator.stacks import EXAMPLES

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", action="append", choices=EXAMPLES)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    rows = []
    with Emulator() as emulator, HttpStub() as api, tempfile.TemporaryDirectory() as tmp:
        for name in ("AWSHEALTH_OUTPUTS", *emulator.ENV_TO_UNSET):
            os.environ.pop(name, None)
        os.environ.update(emulator.env())
        for example in args.example or EXAMPLES:
            rows.append(prove(example, emulator, api, Path(tmp), args.verbose))
    print(f"{'example':<16} {'statements':>10} {'actions':>8} {'runs':>5} {'mismatches':>10} "
          f"{'seconds':>8}")
    for row in rows:
        print(f"{row.example:<16} {row.statements:>10} {row.actions:>8} {row.runs:>5} "
              f"{len(row.mismatches):>10} {row.seconds:>8.1f}")
    for row in rows:
        for problem in row.mismatches:
            print(f"MISMATCH {row.example}: {problem}")
    return 1 if any(row.mismatches for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
