"""Every example gate: healthy passes (reading each thing once, writing nothing), each
break fails exactly its checks with its hint, the committed files agree with the tests,
and the ``awshealth demo`` command runs each example for real once. That xdist gives the
serial verdicts, every break at once, is in test_prefetch.py
(``test_example_verdicts_do_not_depend_on_prefetch``).

Gates run in-process on this worker's emulator (``run_gate``, or ``deploy`` then ``gate``);
one real subprocess per example (``test_demo_command_runs_the_example``, and test_demo.py
for the default one)."""

from __future__ import annotations

import json
import re

import pytest

from demo_runs import (EXAMPLES, CallRecorder, demo, demo_subprocess, deploy, failed, gate,
                       run_gate, suspect_checks, verdicts)
from pytest_awshealth.emulator.stacks import EXAMPLES as NAMES, get_stack
from pytest_awshealth.iam_actions import ACTIONS

BREAKS = [(name, b) for name in NAMES for b in get_stack(name).breaks]
#: The example ``awshealth demo`` runs without --example: test_demo.py runs it for real.
DEFAULT_EXAMPLE = "mantissa_log"


#: What a read looks like; the writes a test asks for explicitly (an Athena query, an invoke).
READ = re.compile(r"^(Admin)?(Describe|Get|List|Head|Filter|Select|Lookup|Search|Simulate)")
ASKED_FOR_BY_TESTS = {"StartQueryExecution", "Invoke", "StopQueryExecution"}


@pytest.mark.parametrize("name", NAMES)
def test_healthy_stack_passes_reading_at_most_once_per_check(pytester, aws_env, api_stub,
                                                             name) -> None:
    """All pass, and the session (its prefetch included) makes at most one AWS call per
    check, no identical read twice, and only reads, except what a test asks for; every
    operation it makes has its IAM action in the table (for AccessDenied hints)."""
    recorder = CallRecorder()
    result = run_gate(pytester, aws_env, api_stub, name, "-rA", plugins=(recorder,))
    assert result.ret == 0, result.stdout.str()
    found = verdicts(result)
    assert found and set(found.values()) == {"PASSED"}
    result.stdout.fnmatch_lines([f"*{len(found)} passed*"])
    assert recorder.repeated() == {}
    assert 0 < len(recorder.calls) <= len(found), json.dumps(recorder.calls, indent=1)
    operations = {(service, operation) for service, operation, _ in recorder.calls}
    assert sorted({op for _, op in operations if not READ.match(op)} - ASKED_FOR_BY_TESTS) == []
    assert sorted(operations - set(ACTIONS)) == []


@pytest.mark.parametrize(("name", "broken"), BREAKS, ids=[f"{n}-{b}" for n, b in BREAKS])
def test_each_break_fails_exactly_its_checks(pytester, aws_env, api_stub, name, broken) -> None:
    """The break's checks fail, with its hint, and every other check that some break fails
    passes. The checks no break fails pass on the healthy stack (above) and with every
    break at once (test_prefetch.py), so they are not run again for each break."""
    stack = get_stack(name)
    expected = stack.breaks[broken]
    suspects = suspect_checks(name)
    outputs = deploy(pytester, aws_env, api_stub, name, (broken,))
    result = gate(pytester, name, outputs, "-rA", checks=suspects)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    assert verdicts(result) == {check: "FAILED" if check in expected.fails else "PASSED"
                                for check in suspects}, result.stdout.str()
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


@demo_subprocess
@pytest.mark.parametrize("name", [n for n in NAMES if n != DEFAULT_EXAMPLE])
def test_demo_command_runs_the_example(pytester, name) -> None:
    """The real command: its own process and emulator, the example from the package."""
    stack = get_stack(name)
    broken = next(iter(stack.breaks))
    result = demo(pytester, name, "--break", broken, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines([
        f"awshealth demo: {name} on moto at http://127.0.0.1:*, broken: {broken}; outputs: *"
        f"{stack.outputs_file}", "*awshealth remediation*", *stack.breaks[broken].hint])
    assert failed(result) == sorted(stack.breaks[broken].fails)
    assert set(verdicts(result).values()) == {"PASSED", "FAILED"}


@pytest.mark.parametrize("name", NAMES)
def test_breaks_are_many_and_show_distinct_hints(name) -> None:
    breaks = get_stack(name).breaks.values()
    titles = [b.hint[0] for b in breaks]
    assert len(titles) >= 5 and len(set(titles)) == len(titles)


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


def test_every_example_folder_has_a_stack_and_a_gate() -> None:
    folders = sorted(p.name for p in EXAMPLES.iterdir() if (p / "CHECKS.md").is_file())
    assert list(NAMES) == folders
    for name in NAMES:
        assert (EXAMPLES / name / "stack.py").is_file() and (EXAMPLES / name / f"test_{name}.py").is_file()
        assert get_stack(name).name == name
