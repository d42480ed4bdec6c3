"""The ``awshealth demo`` command line: the default example, pass-through arguments, bad
input. Every example's healthy run and breaks are in test_examples.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from demo_runs import demo_subprocess, failed, run_gate
from pytest_awshealth.cli import main
from pytest_awshealth.emulator.stacks import get_stack


def test_break_ttl_names_table_and_command(pytester, aws_env, api_stub) -> None:
    result = run_gate(pytester, aws_env, api_stub, "mantissa_log", breaks=("ttl",))
    result.assert_outcomes(passed=19, failed=1)
    result.stdout.fnmatch_lines([
        "DynamoDB table mantissa-log-state in us-east-1 does not have TTL enabled",
        "*aws dynamodb update-time-to-live --table-name mantissa-log-state --region us-east-1 "
        '--time-to-live-specification "Enabled=true, AttributeName=ttl"'])


@demo_subprocess
def test_mantissa_is_the_default_example_and_arguments_pass_through(pytester) -> None:
    """The one real ``awshealth demo`` run of the default example (mantissa_log)."""
    result = pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--break", "rule",
                          "-rA", "--junitxml", "demo.xml", "--outputs-dir", "out", timeout=300)
    assert result.ret == 1, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["awshealth demo: mantissa_log on moto at *, broken: rule; *",
                                 "*1 failed, 19 passed*"])
    assert failed(result) == sorted(get_stack("mantissa_log").breaks["rule"].fails)
    junit = (pytester.path / "demo.xml").read_text()
    assert "aws events enable-rule --name mantissa-log-detection-schedule" in junit
    outputs = (pytester.path / "out" / "terraform-outputs.json").read_text()
    assert '"state_table_name": {' in outputs and '"sensitive": true' in outputs


def test_unknown_break_is_one_clear_error(capsys) -> None:
    assert main(["demo", "--example", "mantissa_log", "--break", "ttl,nope"]) == 2
    assert capsys.readouterr().err.startswith(
        "awshealth: error: unknown break(s) nope for mantissa_log; choose from ttl, ")


def test_unknown_example_is_one_clear_error(capsys) -> None:
    assert main(["demo", "--example", "nope"]) == 2
    assert capsys.readouterr().err.startswith(
        "awshealth: error: unknown example 'nope'; choose from ")


def test_missing_examples_dir_is_one_clear_error(capsys, tmp_path) -> None:
    assert main(["demo", "--examples-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"awshealth: error: example tests not found at "
                                       f"{tmp_path / 'mantissa_log'}; pass --examples-dir\n")


def test_list_breaks(capsys) -> None:
    assert main(["demo", "--example", "sake_sensei", "--list-breaks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("ecs  ") for line in lines)
    assert any(line.startswith("health_check  ") for line in lines)
    assert len(lines) == len(get_stack("sake_sensei").breaks)


def test_console_script_help(pytester) -> None:
    result = pytester.run(Path(sys.executable).with_name("awshealth"), "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["usage: awshealth*", "*demo*"])


@pytest.mark.parametrize("argv", [[], ["--help"]])
def test_help_without_a_command(capsys, argv) -> None:
    if argv:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    else:
        assert main(argv) == 0
    assert "demo" in capsys.readouterr().out


def test_a_conftest_above_the_examples_stays_out(pytester, aws_env, capsys) -> None:
    """Installed in a venv inside a project, the examples sit below the project's own
    conftest.py; the demo must not load it. In-process (``aws_env`` wipes the moto state
    the demo's own emulator shares); the real command runs once above."""
    import shutil

    from demo_runs import EXAMPLES

    pytester.makeconftest('raise RuntimeError("the project conftest was loaded")')
    shutil.copytree(EXAMPLES / "mantissa_log", pytester.path / "examples" / "mantissa_log")
    code = main(["demo", "-q", "--examples-dir", str(pytester.path / "examples")])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "20 passed" in out
