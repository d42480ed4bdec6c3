"""The iRacing Drivers Stats example gate: healthy passes, each break fails exactly its
checks with its hint, and xdist gives the same verdicts as a serial run."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from pytest_awshealth.emulator.stacks import get_stack
from pytest_awshealth.outputs import load_outputs

NAME = "iracing_stats"
STACK = get_stack(NAME)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / NAME
TESTS = 51


def demo(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run ``python -m pytest_awshealth demo --example iracing_stats`` in a subprocess."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", NAME,
                        *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.MULTILINE)
    return {test: verdict for verdict, test in found}


def test_healthy_stack_passes(pytester: pytest.Pytester) -> None:
    result = demo(pytester, "-rA", "--outputs-dir", "out")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"awshealth demo: {NAME} on moto at http://127.0.0.1:*",
                                 f"*{TESTS} passed*"])
    assert set(verdicts(result).values()) == {"PASSED"}
    written = json.loads((pytester.path / "out" / "cdk-outputs.json").read_text())
    assert list(written) == ["IRacingStatsStack-prod"]
    assert re.fullmatch(r"ApiEndpoint[0-9A-F]{8}", next(iter(written["IRacingStatsStack-prod"])))


@pytest.mark.parametrize("name", list(STACK.breaks))
def test_each_break_fails_exactly_its_checks(pytester: pytest.Pytester, name: str) -> None:
    expected = STACK.breaks[name]
    result = demo(pytester, "--break", name, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    failed = sorted(t for t, v in verdicts(result).items() if v == "FAILED")
    assert failed == sorted(expected.fails)
    assert len(verdicts(result)) == TESTS
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


def test_breaks_have_distinct_hints() -> None:
    titles = [b.hint[0] for b in STACK.breaks.values()]
    assert len(STACK.breaks) >= 5 and len(set(titles)) == len(titles)


def test_xdist_gives_the_same_verdicts_as_serial(pytester: pytest.Pytester) -> None:
    breaks = "rollback,throttling,leak,cors"
    serial = verdicts(demo(pytester, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, "--break", breaks, "-rA", "-n", "2"))
    assert len(serial) == TESTS
    assert parallel == serial
    expected = {t for b in breaks.split(",") for t in STACK.breaks[b].fails}
    assert {t for t, v in serial.items() if v == "FAILED"} == expected


def test_leaked_secret_is_masked_in_the_report(pytester: pytest.Pytester) -> None:
    result = demo(pytester, "--break", "leak")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    text = result.stdout.str() + result.stderr.str()
    assert "fsa_7Qm2xK9vT4pLw8Rn3Zc6" not in text and "Pit-Lane-Limiter-42" not in text


def test_sample_outputs_file_is_cdk_format() -> None:
    outputs = load_outputs([EXAMPLE / "cdk-outputs.json"])
    assert outputs.fmt == "cdk"
    for key in ("ApiEndpoint", "RestApiId", "RestApiName", "AuthFunctionName",
                "CustIdFunctionName", "DriversFunctionName", "AuthTableName", "DriversTableName",
                "OAuthSecretName", "OAuthSecretArn", "AuthRoleArn", "CustIdRoleArn",
                "DriversRoleArn"):
        assert key in outputs, key
    assert outputs.resolve("ApiEndpoint").stack == "IRacingStatsStack-prod"
    url = outputs["ApiEndpoint"]
    assert url.startswith("https://") and ".execute-api.us-east-1.amazonaws.com/prod" in url


def test_checks_table_names_every_test() -> None:
    source = (EXAMPLE / f"test_{NAME}.py").read_text()
    table = (EXAMPLE / "CHECKS.md").read_text()
    for test in re.findall(r"^def (test_\w+)", source, re.MULTILINE):
        assert f"`{test}`" in table, test
