"""The agent_runtime example gate: healthy passes, each break fails exactly its checks with
its hint, and pytest-xdist gives the same verdicts as a serial run."""

from __future__ import annotations

import re
import sys

import pytest

from pytest_awshealth.emulator.stacks import get_stack

NAME = "agent_runtime"
STACK = get_stack(NAME)
TESTS = 39


def demo(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run ``python -m pytest_awshealth demo`` in a subprocess (moto state is per process)."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", NAME,
                        *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.MULTILINE)
    return {test: verdict for verdict, test in found}


def test_healthy_stack_passes(pytester: pytest.Pytester) -> None:
    result = demo(pytester, "-rA")
    assert result.ret == 0, result.stdout.str()
    assert set(verdicts(result).values()) == {"PASSED"}
    result.stdout.fnmatch_lines([f"awshealth demo: {NAME} on moto at http://127.0.0.1:*",
                                 f"*{TESTS} passed*"])


@pytest.mark.parametrize("name", list(STACK.breaks))
def test_each_break_fails_exactly_its_checks(pytester: pytest.Pytester, name: str) -> None:
    expected = STACK.breaks[name]
    result = demo(pytester, "--break", name, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    found = verdicts(result)
    assert len(found) == TESTS
    failed = sorted(t for t, v in found.items() if v == "FAILED")
    assert failed == sorted(expected.fails)
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


def test_xdist_gives_the_same_verdicts_as_serial(pytester: pytest.Pytester) -> None:
    breaks = "axon_pending,targets,throttled,log_group"
    serial = verdicts(demo(pytester, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, "--break", breaks, "-rA", "-n", "2"))
    assert len(serial) == TESTS
    assert parallel == serial
    expected = {t for b in breaks.split(",") for t in STACK.breaks[b].fails}
    assert {t for t, v in serial.items() if v == "FAILED"} == expected


def test_outputs_file_is_terraform_with_a_sensitive_output(pytester: pytest.Pytester) -> None:
    result = demo(pytester, "-q", "--outputs-dir", "out", "-k", "credentials")
    assert result.ret == 0, result.stdout.str()
    outputs = (pytester.path / "out" / "terraform-outputs.json").read_text()
    assert '"ecs_services": {' in outputs
    assert '"sensitive": true' in outputs
