"""The example gates under injected throttling, serial and under xdist.

    python benchmarks/bench_faults.py [--example NAME ...] [--fractions 0 0.3 0.5]
                                      [--workers 0 4] [--seed 0] [--endpoints]

For each gate, fraction and worker count: wall time, exit code, failed checks (every
failure under throttling is a false failure: the stack is healthy), the AWS calls and
throttled retries the plugin counted, and the ratio of the throttled to the unthrottled
wall time. Default options of the plugin throughout (adaptive retries, 12 attempts for
throttling, 3 for others). The emulator throttles ``fraction`` of all requests to every
service, the same request at most 5 times in a row (``Emulator.throttle``).

``--endpoints`` instead runs the gates against a closed port and a black hole (a server
that accepts and never answers), default options, serial and ``-n 4``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"awshealth: (\d+) AWS calls?, (\d+) throttled")


@dataclass
class Run:
    example: str
    fraction: float
    workers: int
    seconds: float
    exit_code: int
    failed: int
    passed: int
    calls: int
    throttled: int


class Outcomes:
    """Counts passed/failed call reports (in the controller under xdist)."""

    def __init__(self) -> None:
        self.passed = self.failed = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                self.passed += report.when == "call"
            elif report.failed:
                self.failed += 1


def run_once(emulator: Any, api: Any, example: str, fraction: float, workers: int,
             seed: int, extra: list[str]) -> Run:
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    emulator.reset()  # moto's state is per process: one emulator, wiped per run
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(emulator.env())
        deployment = stack.deploy(emulator, api)
        outputs = stack.write_outputs(deployment, Path(tmp))
        if fraction:
            emulator.throttle(fraction=fraction, max_consecutive=5, seed=seed)
        args = [str(ROOT / "examples" / example), "--aws-outputs", str(outputs), "-q",
                "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning",
                *(["-n", str(workers)] if workers else ["-p", "no:xdist"]), *extra]
        outcomes = Outcomes()
        capture = Path(tmp) / "out.txt"
        start = time.perf_counter()
        with open(capture, "w") as out:
            saved = sys.stdout
            sys.stdout = out
            try:
                code = pytest.main(args, plugins=[outcomes])
            finally:
                sys.stdout = saved
        seconds = time.perf_counter() - start
        text = capture.read_text()
        found = SUMMARY.search(text)
        calls, throttled = (int(found.group(1)), int(found.group(2))) if found else (-1, -1)
        return Run(example, fraction, workers, seconds, int(code), outcomes.failed,
                   outcomes.passed, calls, throttled)


def main() -> None:
    from pytest_awshealth.emulator import Emulator, HttpStub
    from pytest_awshealth.emulator.stacks import EXAMPLES

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--example", nargs="*", default=list(EXAMPLES))
    parser.add_argument("--fractions", nargs="*", type=float, default=[0.0, 0.3, 0.5])
    parser.add_argument("--workers", nargs="*", type=int, default=[0, 4])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--endpoints", action="store_true",
                        help="closed port and black hole instead of throttling")
    parser.add_argument("--pytest-args", default="", help="extra options for every run, "
                        "e.g. \"--aws-retry-mode standard\"")
    args = parser.parse_args()
    totals: dict[tuple[int, float], float] = {}
    with Emulator() as emulator, HttpStub() as api:
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", *emulator.ENV_TO_UNSET):
            os.environ.pop(name, None)
        if args.endpoints:
            return run_endpoints(emulator, api, args)
        run_matrix(emulator, api, args, totals)
    print("\ntotal wall time of the gates:")
    for (workers, fraction), seconds in sorted(totals.items()):
        base = totals.get((workers, 0.0))
        ratio = f" ({seconds / base:.2f}x unthrottled)" if base and fraction else ""
        mode = f"-n {workers}" if workers else "serial"
        print(f"  {mode:6} {fraction:4.0%}: {seconds:7.2f} s{ratio}")


def run_endpoints(emulator: Any, api: Any, args: argparse.Namespace) -> None:
    from pytest_awshealth.emulator import BlackHole, closed_port_url

    print(f"{'gate':16} {'mode':6} {'endpoint':10} {'wall s':>7} {'exit':>4} {'failed':>6}")
    for workers in args.workers:
        for example in args.example:
            for label in ("closed", "black hole"):
                with BlackHole() as hole:
                    url = hole.url if label == "black hole" else closed_port_url()
                    run = run_once(emulator, api, example, 0.0, workers, args.seed,
                                   ["--aws-endpoint-url", url, *args.pytest_args.split()])
                mode = f"-n {workers}" if workers else "serial"
                print(f"{example:16} {mode:6} {label:10} {run.seconds:7.2f} {run.exit_code:4d} "
                      f"{run.failed:6d}", flush=True)


def run_matrix(emulator: Any, api: Any, args: argparse.Namespace,
               totals: dict[tuple[int, float], float]) -> None:
    print(f"{'gate':16} {'mode':6} {'throttle':>8} {'wall s':>7} {'ratio':>6} {'exit':>4} "
          f"{'passed':>6} {'failed':>6} {'calls':>6} {'throttled':>9}")
    for workers in args.workers:
        for example in args.example:
            base = None
            for fraction in args.fractions:
                run = run_once(emulator, api, example, fraction, workers, args.seed,
                               args.pytest_args.split())
                base = run.seconds if fraction == 0 else base
                ratio = f"{run.seconds / base:.2f}" if base else "-"
                totals[(workers, fraction)] = totals.get((workers, fraction), 0) + run.seconds
                mode = f"-n {workers}" if workers else "serial"
                print(f"{example:16} {mode:6} {fraction:8.0%} {run.seconds:7.2f} {ratio:>6} "
                      f"{run.exit_code:4d} {run.passed:6d} {run.failed:6d} {run.calls:6d} "
                      f"{run.throttled:9d}", flush=True)


if __name__ == "__main__":
    main()
