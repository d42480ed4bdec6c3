"""Every example gate: healthy passes, each break fails exactly its checks with its hint,
xdist gives the serial verdicts, and the committed files agree with the tests."""

from __future__ import annotations

import re

import pytest

from demo_runs import EXAMPLES, demo, failed, verdicts
from pytest_awshealth.emulator.stacks import EXAMPLES as NAMES, get_stack

BREAKS = [(name, b) for name in NAMES for b in get_stack(name).breaks]


@pytest.mark.parametrize("name", NAMES)
def test_healthy_stack_passes(pytester, name) -> None:
    result = demo(pytester, name, "-rA")
    assert result.ret == 0, result.stdout.str()
    found = verdicts(result)
    assert found and set(found.values()) == {"PASSED"}
    result.stdout.fnmatch_lines([f"awshealth demo: {name} on moto at http://127.0.0.1:*",
                                 f"*{len(found)} passed*"])


@pytest.mark.parametrize(("name", "broken"), BREAKS, ids=[f"{n}-{b}" for n, b in BREAKS])
def test_each_break_fails_exactly_its_checks(pytester, name, broken) -> None:
    expected = get_stack(name).breaks[broken]
    result = demo(pytester, name, "--break", broken, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert failed(result) == sorted(expected.fails)
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


@pytest.mark.parametrize("name", NAMES)
def test_breaks_are_many_and_show_distinct_hints(name) -> None:
    breaks = get_stack(name).breaks.values()
    titles = [b.hint[0] for b in breaks]
    assert len(titles) >= 5 and len(set(titles)) == len(titles)


@pytest.mark.parametrize("name", NAMES)
def test_xdist_gives_the_same_verdicts_as_serial(pytester, name) -> None:
    stack = get_stack(name)
    breaks = ",".join(list(stack.breaks)[:4])
    serial = verdicts(demo(pytester, name, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, name, "--break", breaks, "-rA", "-n", "2"))
    assert parallel == serial
    expected = {t for b in breaks.split(",") for t in stack.breaks[b].fails}
    assert {t for t, v in serial.items() if v == "FAILED"} == expected


@pytest.mark.parametrize("name", NAMES)
def test_committed_sample_outputs_bind_every_test(pytester, name) -> None:
    """Collection checks every ``aws_output`` binding against the sample file (no AWS call)."""
    sample = EXAMPLES / name / get_stack(name).outputs_file
    result = pytester.runpytest_inprocess("--aws-outputs", str(sample), str(EXAMPLES / name),
                                          "--collect-only", "-q", "-p", "no:xdist")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*tests collected*"])


@pytest.mark.parametrize("name", NAMES)
def test_checks_table_names_every_test(name) -> None:
    """CHECKS.md maps the guide's commands to tests; every test of the example is in it."""
    checks = (EXAMPLES / name / "CHECKS.md").read_text()
    source = (EXAMPLES / name / f"test_{name}.py").read_text()
    tests = re.findall(r"^def (test_\w+)", source, re.MULTILINE)
    listed = set(re.findall(r"`(test_\w+)", checks))
    assert tests and [t for t in tests if t not in listed] == []
