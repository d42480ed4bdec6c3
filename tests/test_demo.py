"""The demo: healthy, each break, pass-through arguments, and xdist giving the same verdicts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from pytest_awshealth.emulator.stacks import get_stack

MANTISSA = get_stack("mantissa_log")


def demo(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run ``python -m pytest_awshealth demo`` in a subprocess (moto state is per process)."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.M)
    return {test: verdict for verdict, test in found}


def test_healthy_demo_passes(pytester) -> None:
    result = demo(pytester, "-q")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["awshealth demo: mantissa_log on moto at http://127.0.0.1:*",
                                 "*20 passed*"])


@pytest.mark.parametrize("name", list(MANTISSA.breaks))
def test_each_break_fails_exactly_its_checks(pytester, name) -> None:
    expected = MANTISSA.breaks[name]
    result = demo(pytester, "--break", name, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    failed = sorted(t for t, v in verdicts(result).items() if v == "FAILED")
    assert failed == sorted(expected.fails)
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


def test_break_ttl_names_table_and_command(pytester) -> None:
    result = demo(pytester, "--break", "ttl")
    result.assert_outcomes(passed=19, failed=1)
    result.stdout.fnmatch_lines([
        "DynamoDB table mantissa-log-state in us-east-1 does not have TTL enabled",
        "*aws dynamodb update-time-to-live --table-name mantissa-log-state --region us-east-1 "
        '--time-to-live-specification "Enabled=true, AttributeName=ttl"'])


def test_xdist_gives_the_same_verdicts_as_serial(pytester) -> None:
    breaks = "ttl,rule,api,secret"
    serial = verdicts(demo(pytester, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, "--break", breaks, "-rA", "-n", "2"))
    assert len(serial) == 20
    assert parallel == serial


def test_arguments_pass_through_to_pytest(pytester) -> None:
    result = demo(pytester, "--break", "rule", "--junitxml", "demo.xml", "--outputs-dir", "out")
    assert result.ret == 1
    junit = (pytester.path / "demo.xml").read_text()
    assert "aws events enable-rule --name mantissa-log-detection-schedule" in junit
    outputs = (pytester.path / "out" / "terraform-outputs.json").read_text()
    assert '"state_table_name": {' in outputs and '"sensitive": true' in outputs


def test_unknown_break_is_one_clear_error(pytester) -> None:
    result = demo(pytester, "--break", "ttl,nope")
    assert result.ret == 2
    result.stderr.fnmatch_lines(["awshealth: error: unknown break(s) nope for mantissa_log; choose from ttl, *"])


def test_list_breaks(pytester) -> None:
    result = demo(pytester, "--list-breaks")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ttl *TTL disabled on the state table*"])


def test_console_script_help(pytester) -> None:
    result = pytester.run(Path(sys.executable).with_name("awshealth"), "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["usage: awshealth*", "*demo*"])
