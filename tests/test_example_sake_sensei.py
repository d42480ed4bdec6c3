"""The Sake Sensei example: healthy passes, each break fails exactly its checks with its
hint, xdist gives the serial verdicts, and the committed sample outputs bind every test."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from pytest_awshealth.emulator.stacks import get_stack
from pytest_awshealth.emulator.stacks.sake_sensei import STACKS, logical_id
from pytest_awshealth.outputs import load_outputs

NAME = "sake_sensei"
STACK = get_stack(NAME)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / NAME


def demo(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run ``python -m pytest_awshealth demo --example sake_sensei`` in a subprocess."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", NAME,
                        *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.MULTILINE)
    return {test: verdict for verdict, test in found}


def test_healthy_stack_passes_with_cdk_shaped_outputs(pytester) -> None:
    result = demo(pytester, "-rA", "--outputs-dir", "out")
    assert result.ret == 0, result.stdout.str()
    found = verdicts(result)
    assert found and set(found.values()) == {"PASSED"}
    result.stdout.fnmatch_lines(["awshealth demo: sake_sensei on moto at http://127.0.0.1:*",
                                 f"*{len(found)} passed*"])
    written = json.loads((pytester.path / "out" / "cdk-outputs.json").read_text())
    assert sorted(written) == sorted(STACKS)
    storage = written["SakeSenseiStorageStack"]
    assert storage[logical_id("SakeSenseiStorageStack", "UsersTableName")] == "SakeSensei-Users"
    assert all(re.fullmatch(r"[A-Za-z]+[0-9A-F]{8}", key)
               for values in written.values() for key in values)


@pytest.mark.parametrize("name", list(STACK.breaks))
def test_each_break_fails_exactly_its_checks(pytester, name) -> None:
    expected = STACK.breaks[name]
    result = demo(pytester, "--break", name, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    failed = sorted(t for t, v in verdicts(result).items() if v == "FAILED")
    assert failed == sorted(expected.fails)
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


def test_breaks_have_distinct_hints() -> None:
    titles = [b.hint[0] for b in STACK.breaks.values()]
    assert len(STACK.breaks) >= 5 and len(set(titles)) == len(titles)


def test_xdist_gives_the_same_verdicts_as_serial(pytester) -> None:
    breaks = "ecs,pitr,user,stack"
    serial = verdicts(demo(pytester, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, "--break", breaks, "-rA", "-n", "2"))
    assert sorted(t for t, v in serial.items() if v == "FAILED") == sorted(
        {t for b in breaks.split(",") for t in STACK.breaks[b].fails})
    assert parallel == serial


def test_committed_sample_has_every_bound_output() -> None:
    """Each output the example binds resolves in the sample cdk-outputs.json next to it."""
    outputs = load_outputs([EXAMPLE / "cdk-outputs.json"])
    source = (EXAMPLE / f"test_{NAME}.py").read_text()
    keys = set(re.findall(r'"([A-Z][A-Za-z]+(?:Name|Id|Arn|URL))"', source))
    assert {"ServiceArn", "UserPoolId", "UsersTableName", "ServiceURL"} <= keys
    for key in keys:
        assert outputs[key]


def test_checks_table_names_every_test() -> None:
    """CHECKS.md maps the guide's commands to tests; every test of the example is in it."""
    checks = (EXAMPLE / "CHECKS.md").read_text()
    tests = re.findall(r"^def (test_\w+)", (EXAMPLE / f"test_{NAME}.py").read_text(), re.MULTILINE)
    assert [t for t in tests if f"`{t}`" not in checks] == []
    assert "not applicable" in checks.lower()
