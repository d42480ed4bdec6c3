"""``awshealth policy`` on every example gate, proved on the emulator (IAM enforced per
action and resource ARN): the healthy gate passes with 0 inconclusive as an IAM user that
holds only its generated policy, and without one statement exactly the tests that
statement names become inconclusive, each naming a missing action, the hint naming the
statement. One statement per example here (to stay fast): the one the most tests need;
``benchmarks/prove_policy.py`` removes every statement of every example in turn."""

from __future__ import annotations

import re

import pytest

from pytest_awshealth.emulator.stacks import EXAMPLES as NAMES, get_stack
from pytest_awshealth.policy import Policy, Statement
from tests.demo_runs import EXAMPLES, inconclusive, provision, verdicts
from tests.test_policy import collect_policy, run_as

#: Actions that read stored data: a gate whose tests read none must not hold them.
DATA_READS = frozenset({"s3:GetObject", "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:Query"})


def needed_most(policy: Policy) -> Statement:
    """The statement the most tests need (ties: the first Sid)."""
    return min(policy.statements, key=lambda s: (-len(s.tests), s.sid))


def tail(nodeid: str) -> str:
    return nodeid.split("::")[-1]


@pytest.mark.parametrize("name", NAMES)
def test_example_gate_passes_with_its_policy_and_its_main_statement_is_needed(
        pytester, aws_env, api_stub, monkeypatch, name) -> None:
    stack = get_stack(name)
    outputs = str(stack.write_outputs(provision(aws_env, api_stub, name), pytester.path))
    gate = str(EXAMPLES / name)
    policy = collect_policy(pytester, gate, "--aws-outputs", outputs).policy

    result = run_as(pytester, monkeypatch, aws_env, "ci", policy, gate, "--aws-outputs", outputs)
    assert result.ret == 0, result.stdout.str()
    assert inconclusive(result) == []
    assert set(verdicts(result).values()) == {"PASSED"}

    statement = needed_most(policy)
    result = run_as(pytester, monkeypatch, aws_env, "ci-without", policy.without(statement.sid),
                    gate, "--aws-outputs", outputs, "--aws-inconclusive", "warn")
    out = result.stdout.str()
    assert inconclusive(result) == sorted(tail(t) for t in statement.tests), (statement.sid, out)
    assert set(verdicts(result).values()) <= {"PASSED", "INCONCLUSIVE"}
    reasons = re.findall(r"^INCONCLUSIVE \S+ - (.*)$", out, re.MULTILINE)
    assert len(reasons) == len(statement.tests) and all(
        any(action in line for action in statement.actions) for line in reasons), reasons
    assert f'"Sid": "{statement.sid}", "Effect": "Allow"' in out


def test_mantissa_policy_is_small_and_reads_no_data(pytester, write_outputs) -> None:
    """Fewer than 40 actions, none that reads stored data (no Mantissa test reads any:
    the rules check lists object keys, s3:ListBucket)."""
    sample = EXAMPLES / "mantissa_log" / get_stack("mantissa_log").outputs_file
    policy = collect_policy(pytester, str(EXAMPLES / "mantissa_log"), "--aws-outputs",
                            str(sample)).policy
    assert len(policy.actions) < 40, policy.actions
    assert not DATA_READS & set(policy.actions)
