"""Prove ``awshealth policy`` on every example gate: enough, and every statement needed.

    python benchmarks/prove_policy.py [--example NAME ...] [-v]

For each example: provision its healthy stack on the embedded emulator (IAM enforced per
action and resource ARN, ``pytest_awshealth/emulator/iam_enforcer.py``), compute the
policy of its test module with its outputs, and run the gate in-process as an IAM user
holding only that policy: it must pass with 0 inconclusive. Then remove each statement
in turn and run again as a new user: exactly the tests the statement names must be
inconclusive, each naming one of its actions, the hint must name the statement, and no
test may fail. Prints one row per example and exits 1 on any mismatch.

Some reads happen only in some states (the tasks ECS stopped, the operations of a Cloud
Map service without instances): a healthy stack never makes them. A statement whose tests
are not all inconclusive on the healthy stack is tried on the example's breaks too, each
against its own deploy's policy (resource IDs change): a test needs it when, on some
break, it (or another case of the same parametrized test, which makes the same read on
another of the statement's resources) is inconclusive without the statement and not with
the whole policy. The breaks run with ``--aws-settle 1``: a read that only tells whether a
failing state is still converging is needed then. The union over the healthy stack and
the breaks must be exactly the statement's tests. Each example runs in a process of its
own (its own emulator), two at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
QUIET = ["-p", "no:cacheprovider", "-p", "no:xdist", "-W",
         "ignore::pytest.PytestAssertRewriteWarning"]
#: The breaks run with a settle time: a read made only to tell "not yet" (a Cloud Map
#: registration in flight) is then needed, as a check that cannot tell is inconclusive.
SETTLE = ("--aws-settle", "1")


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


def run_as(emulator: Any, user: str, policy: Any, gate: str, outputs: str,
           *args: str) -> tuple[int, Verdicts, str]:
    os.environ.update(emulator.iam_user(user, policy.document(ACCOUNT, emulator.region)))
    found = Verdicts()
    code, text = pytest_main([gate, "--aws-outputs", outputs, "-rA", "--aws-inconclusive", "warn",
                              *QUIET, *args], [found])
    return code, found, text


def deploy(example: str, emulator: Any, api: Any, directory: Path,
           breaks: tuple[str, ...] = ()) -> str:
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    emulator.reset()
    return str(stack.write_outputs(stack.deploy(emulator, api, breaks), directory))


def prove(example: str, emulator: Any, api: Any, directory: Path, verbose: bool) -> Row:
    from pytest_awshealth.emulator.stacks import get_stack

    row, start = Row(example), time.perf_counter()
    outputs = deploy(example, emulator, api, directory)
    gate = str(ROOT / "examples" / example)
    policy = policy_of(gate, outputs)
    row.statements, row.actions = len(policy.statements), len(policy.actions)

    code, found, text = run_as(emulator, f"{example}-all", policy, gate, outputs)
    row.runs += 1
    if code != 0 or found.with_verdict("inconclusive") or found.with_verdict("broken"):
        row.mismatches.append(f"full policy: exit {code}, inconclusive "
                              f"{found.with_verdict('inconclusive')}, broken "
                              f"{found.with_verdict('broken')}")
    unproven = {}
    for number, statement in enumerate(policy.statements):
        code, found, text = run_as(emulator, f"{example}-{number}", policy.without(statement.sid),
                                   gate, outputs)
        row.runs += 1
        problem, missing = mismatch(statement, found, text)
        if problem:
            row.mismatches.append(f"without {statement.sid}: {problem}")
        elif missing:
            unproven[statement.sid] = (statement, set(missing))
        if verbose:
            state = problem or (f"{len(missing)} not shown on the healthy stack" if missing
                                else "ok")
            print(f"  {example} without {statement.sid}: {state}", file=sys.stderr)
    users = 0
    for broken in get_stack(example).breaks if unproven else ():
        outputs = deploy(example, emulator, api, directory, (broken,))
        # this deploy's own policy: resource IDs (Cloud Map's srv-...) are new each deploy
        deployed = policy_of(gate, outputs)
        users += 1
        code, whole, _ = run_as(emulator, f"{example}-{broken}", deployed, gate, outputs, *SETTLE)
        row.runs += 1
        for sid, (statement, missing) in list(unproven.items()):
            users += 1
            code, found, text = run_as(emulator, f"{example}-{broken}-{users}",
                                       deployed.without(sid), gate, outputs, *SETTLE)
            row.runs += 1
            needing = set(found.with_verdict("inconclusive")) - set(
                whole.with_verdict("inconclusive"))
            outside = needing - set(statement.tests)
            if outside:
                row.mismatches.append(f"without {sid}, break {broken}: inconclusive "
                                      f"{_short(sorted(outside))} it does not name")
            # a break shows one case of a parametrized test; its other cases make the same
            # read on another resource of the statement's
            shown = {_function(t) for t in needing}
            missing -= {t for t in missing if _function(t) in shown}
            if not missing:
                del unproven[sid]
                if verbose:
                    print(f"  {example} without {sid}: shown with break {broken}", file=sys.stderr)
        if not unproven:
            break
    for sid, (statement, missing) in unproven.items():
        row.mismatches.append(f"without {sid}: never inconclusive (healthy stack, every "
                              f"break): {_short(sorted(missing))}")
    row.seconds = time.perf_counter() - start
    return row


def mismatch(statement: Any, found: Verdicts, text: str) -> tuple[Optional[str], list[str]]:
    """(what differs from: only the statement's tests inconclusive, each naming one of
    its actions, the hint naming the statement, nothing failing; the statement's tests
    that stayed conclusive, for the breaks to show)."""
    expected = sorted(statement.tests)
    got = found.with_verdict("inconclusive")
    problems = []
    extra = sorted(set(got) - set(expected))
    if extra:
        problems.append(f"inconclusive but not named: {_short(extra)}")
    broken = found.with_verdict("broken")
    if broken:
        problems.append(f"broken {_short(broken)}")
    silent = [t for t in got if not any(a in found.texts.get(t, "") for a in statement.actions)]
    if silent:
        problems.append(f"no action named by {_short(silent)}")
    if got and f'"Sid": "{statement.sid}", "Effect": "Allow"' not in text:
        problems.append("the hint does not name the statement")
    return "; ".join(problems) or None, sorted(set(expected) - set(got))


def _function(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def _short(nodeids: list[str]) -> list[str]:
    return [n.split("::", 1)[-1] for n in nodeids]


def main() -> int:
    from pytest_awshealth.emulator.stacks import EXAMPLES

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--example", action="append", choices=EXAMPLES)
    parser.add_argument("--jobs", type=int, default=2, help="examples proved at a time")
    parser.add_argument("--row", help=argparse.SUPPRESS)  # one example, its row as JSON
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.row:
        print(json.dumps(asdict(prove_alone(args.row, args.verbose))))
        return 0
    rows = run_examples(args.example or list(EXAMPLES), args.jobs, args.verbose)
    print(f"{'example':<16} {'statements':>10} {'actions':>8} {'runs':>5} {'mismatches':>10} "
          f"{'seconds':>8}")
    for row in rows:
        print(f"{row.example:<16} {row.statements:>10} {row.actions:>8} {row.runs:>5} "
              f"{len(row.mismatches):>10} {row.seconds:>8.1f}")
    for row in rows:
        for problem in row.mismatches:
            print(f"MISMATCH {row.example}: {problem}")
    return 1 if any(row.mismatches for row in rows) else 0


def prove_alone(example: str, verbose: bool) -> Row:
    """One example on an emulator of this process's own."""
    from pytest_awshealth.emulator import Emulator, HttpStub

    with Emulator() as emulator, HttpStub() as api, tempfile.TemporaryDirectory() as tmp:
        for name in ("AWSHEALTH_OUTPUTS", *emulator.ENV_TO_UNSET):
            os.environ.pop(name, None)
        os.environ.update(emulator.env())
        return prove(example, emulator, api, Path(tmp), verbose)


def run_examples(examples: list[str], jobs: int, verbose: bool) -> list[Row]:
    """Each example in a process of its own, ``jobs`` at a time, rows in ``examples`` order."""
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    def one(example: str) -> Row:
        command = [sys.executable, __file__, "--row", example] + (["-v"] if verbose else [])
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        if done.returncode != 0:
            return Row(example, mismatches=[f"the proof itself failed (exit {done.returncode})"])
        return Row(**json.loads(done.stdout.strip().splitlines()[-1]))

    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        return list(pool.map(one, examples))


if __name__ == "__main__":
    sys.exit(main())
