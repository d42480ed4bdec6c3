"""Running ``awshealth demo`` in a subprocess (moto's state is per process) and reading
its verdicts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def demo(pytester: pytest.Pytester, example: str, *args: str) -> pytest.RunResult:
    """``python -m pytest_awshealth demo --example EXAMPLE ARGS...``."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", example,
                        *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED/INCONCLUSIVE, from ``-rA`` short summary lines (and the
    inconclusive summary's ``INCONCLUSIVE <nodeid> - <reason>`` lines)."""
    found = re.findall(r"^(PASSED|FAILED|INCONCLUSIVE) \S*::(\S+)", result.stdout.str(),
                       re.MULTILINE)
    return {test: verdict for verdict, test in found}


def failed(result: pytest.RunResult) -> list[str]:
    return sorted(test for test, verdict in verdicts(result).items() if verdict == "FAILED")


def inconclusive(result: pytest.RunResult) -> list[str]:
    return sorted(test for test, verdict in verdicts(result).items() if verdict == "INCONCLUSIVE")


def run_gate(pytester: pytest.Pytester, aws_env, api_stub, example: str, *args: str,
             breaks: tuple[str, ...] = ()) -> pytest.RunResult:
    """Provision ``example`` (with ``breaks``) on this process's emulator and run its gate
    in-process; ``aws_env`` and ``api_stub`` are the conftest fixtures. ``-n 2`` works too
    (workers inherit the emulator's environment)."""
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    deployment = stack.deploy(aws_env, api_stub, breaks)
    outputs = stack.write_outputs(deployment, pytester.path)
    return pytester.runpytest_inprocess(str(EXAMPLES / example), "--aws-outputs", str(outputs),
                                        "-p", "no:cacheprovider", *args)
