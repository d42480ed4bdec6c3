"""The ``awshealth demo`` command line: the TTL story, pass-through arguments, bad input.
Every example's healthy run and breaks are in test_examples.py."""

from __future__ import annotations

import sys
from pathlib import Path


from demo_runs import demo


def test_break_ttl_names_table_and_command(pytester) -> None:
    result = demo(pytester, "mantissa_log", "--break", "ttl")
    result.assert_outcomes(passed=19, failed=1)
    result.stdout.fnmatch_lines([
        "DynamoDB table mantissa-log-state in us-east-1 does not have TTL enabled",
        "*aws dynamodb update-time-to-live --table-name mantissa-log-state --region us-east-1 "
        '--time-to-live-specification "Enabled=true, AttributeName=ttl"'])


def test_mantissa_is_the_default_example(pytester) -> None:
    result = pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "-q", timeout=300)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["awshealth demo: mantissa_log on moto at *", "*20 passed*"])


def test_arguments_pass_through_to_pytest(pytester) -> None:
    result = demo(pytester, "mantissa_log", "--break", "rule", "--junitxml", "demo.xml",
                  "--outputs-dir", "out")
    assert result.ret == 1
    junit = (pytester.path / "demo.xml").read_text()
    assert "aws events enable-rule --name mantissa-log-detection-schedule" in junit
    outputs = (pytester.path / "out" / "terraform-outputs.json").read_text()
    assert '"state_table_name": {' in outputs and '"sensitive": true' in outputs


def test_unknown_break_is_one_clear_error(pytester) -> None:
    result = demo(pytester, "mantissa_log", "--break", "ttl,nope")
    assert result.ret == 2
    result.stderr.fnmatch_lines(
        ["awshealth: error: unknown break(s) nope for mantissa_log; choose from ttl, *"])


def test_unknown_example_is_one_clear_error(pytester) -> None:
    result = demo(pytester, "nope")
    assert result.ret == 2
    result.stderr.fnmatch_lines(["awshealth: error: unknown example 'nope'; choose from *"])


def test_list_breaks(pytester) -> None:
    result = demo(pytester, "sake_sensei", "--list-breaks")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["ecs  *", "health_check  *"])


def test_console_script_help(pytester) -> None:
    result = pytester.run(Path(sys.executable).with_name("awshealth"), "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["usage: awshealth*", "*demo*"])
