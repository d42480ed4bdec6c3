"""The Thera Pipeline example: healthy passes, each break fails exactly its checks with its
hint, xdist gives the same verdicts, and the committed sample outputs match the demo's."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from pytest_awshealth.emulator.stacks import get_stack, thera_pipeline
from pytest_awshealth.outputs import load_outputs

NAME = "thera_pipeline"
STACK = get_stack(NAME)
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / NAME
TESTS = 99
REAL_DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/thera-pipeline-prod-schedule-dlq"


def demo(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run ``python -m pytest_awshealth demo`` in a subprocess (moto state is per process)."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", NAME,
                        *args, timeout=300)


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED, from ``-rA`` short summary lines."""
    found = re.findall(r"^(PASSED|FAILED) \S*::(\S+)", result.stdout.str(), re.MULTILINE)
    return {test: verdict for verdict, test in found}


def test_healthy_stack_passes(pytester) -> None:
    result = demo(pytester, "-q", "--outputs-dir", "out")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines([f"awshealth demo: {NAME} on moto at http://127.0.0.1:*",
                                 f"*{TESTS} passed*"])
    written = json.loads((pytester.path / "out" / STACK.outputs_file).read_text())
    assert written["Stacks"][0]["StackName"] == "thera-pipeline-prod"


@pytest.mark.parametrize("name", list(STACK.breaks))
def test_each_break_fails_exactly_its_checks(pytester, name) -> None:
    expected = STACK.breaks[name]
    result = demo(pytester, "--break", name, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()
    failed = sorted(t for t, v in verdicts(result).items() if v == "FAILED")
    assert failed == sorted(expected.fails)
    assert len(verdicts(result)) == TESTS
    result.stdout.fnmatch_lines(["*awshealth remediation*", *expected.hint])


def test_breaks_show_distinct_hints() -> None:
    titles = [b.hint[0] for b in STACK.breaks.values()]
    assert len(set(titles)) == len(titles)


def test_xdist_gives_the_same_verdicts_as_serial(pytester) -> None:
    breaks = "rule,timeout,api_key,stack"
    serial = verdicts(demo(pytester, "--break", breaks, "-rA", "-p", "no:xdist"))
    parallel = verdicts(demo(pytester, "--break", breaks, "-rA", "-n", "2"))
    assert len(serial) == TESTS
    assert parallel == serial
    expected = {t for b in breaks.split(",") for t in STACK.breaks[b].fails}
    assert {t for t, v in serial.items() if v == "FAILED"} == expected


def test_committed_sample_outputs_match_the_stack() -> None:
    """examples/thera_pipeline/stack-outputs.json has the demo's keys and values (the DLQ
    URL in its real AWS form)."""
    sample = load_outputs([EXAMPLE / STACK.outputs_file])
    deployment = SimpleNamespace(names={"dlq_url": REAL_DLQ_URL})
    assert sample.fmt == "cloudformation"
    assert dict(sample) == thera_pipeline.output_values(deployment)  # type: ignore[arg-type]
    assert sample.resolve("DailyStateMachineArn").stack == "thera-pipeline-prod"
