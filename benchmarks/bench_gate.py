"""Benchmark the post-deploy gate: start-up cost, wall time, and AWS calls per check.

    python benchmarks/bench_gate.py [--example mantissa_log] [--runs 5]

Runs against the embedded emulator (moto on 127.0.0.1, ~5 ms per call), so the numbers
measure the plugin's own overhead and the number of AWS round trips, which is what a
real gate pays ~20-100 ms for each.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def import_cost() -> str:
    """Seconds to import the plugin, and whether boto3 came with it (it must not)."""
    code = ("import sys, time; t = time.perf_counter(); import pytest_awshealth.plugin; "
            "print(f'{time.perf_counter() - t:.3f}s', 'boto3 loaded' if 'boto3' in sys.modules "
            "else 'boto3 not loaded')")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


class CallCounter:
    """A pytest plugin counting the AWS API calls the gate makes."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.tests = 0

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from pytest_awshealth.state import STATE

        aws = session.config.stash[STATE].aws
        create = aws.client

        def counted_client(service: str, region: str | None = None):  # type: ignore[no-untyped-def]
            client = create(service, region)
            if client not in self._seen:
                self._seen.append(client)
                client.meta.events.register("before-call", self._count)
            return client

        self._seen: list = []
        aws.client = counted_client  # type: ignore[method-assign]

    def _count(self, model, **_: object) -> None:  # type: ignore[no-untyped-def]
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.tests += 1


def run_gate(example: str, runs: int) -> None:
    from pytest_awshealth.emulator import Emulator, HttpStub
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    with Emulator() as emulator, HttpStub() as api, tempfile.TemporaryDirectory() as tmp:
        deployment = stack.deploy(emulator, api)
        outputs = stack.write_outputs(deployment, Path(tmp))
        args = [str(ROOT / "examples" / example), "--aws-outputs", str(outputs), "-q",
                "-p", "no:cacheprovider", "-p", "no:xdist",
                "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "--aws-endpoint-url", emulator.url, "--aws-region", emulator.region]
        import os

        os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
        times, counter = [], CallCounter()
        for _ in range(runs):
            counter = CallCounter()
            start = time.perf_counter()
            code = pytest.main(args, plugins=[counter])
            times.append(time.perf_counter() - start)
            assert code == 0, f"gate failed with exit code {code}"
        total = sum(counter.calls.values())
        print(f"\n{example}: {counter.tests} checks, {total} AWS calls "
              f"({total / max(counter.tests, 1):.2f} per check)")
        print(f"  wall time in-process: median {statistics.median(times):.3f}s, "
              f"min {min(times):.3f}s over {runs} runs (first run includes client creation)")
        for name, count in counter.calls.most_common():
            print(f"  {count:3d}  {name}")


def run_demo_cli(example: str, extra: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest_awshealth", "demo", "--example", example, "-q",
                    *extra], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--example", default="mantissa_log")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"import pytest_awshealth.plugin: {import_cost()}")
    run_gate(args.example, args.runs)
    print(f"\nawshealth demo (new process, emulator start + provisioning + gate): "
          f"serial {run_demo_cli(args.example, ['-p', 'no:xdist']):.2f}s, "
          f"-n 2 {run_demo_cli(args.example, ['-n', '2']):.2f}s")


if __name__ == "__main__":
    main()
