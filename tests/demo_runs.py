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
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.MULTILINE)
    return {test: verdict for verdict, test in found}


def failed(result: pytest.RunResult) -> list[str]:
    return sorted(test for test, verdict in verdicts(result).items() if verdict == "FAILED")
