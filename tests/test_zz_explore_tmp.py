import re, json, os
import pytest
from pytest_awshealth.emulator.stacks import EXAMPLES as NAMES, get_stack
from tests.demo_runs import EXAMPLES, inconclusive, verdicts
from tests.test_policy import collect_policy, run_as, ACCOUNT

@pytest.mark.parametrize("name", NAMES)
def test_explore(pytester, aws_env, api_stub, monkeypatch, name):
    stack = get_stack(name)
    dep = stack.deploy(aws_env, api_stub)
    outputs = str(stack.write_outputs(dep, pytester.path))
    gate = str(EXAMPLES / name)
    policy = collect_policy(pytester, gate, "--aws-outputs", outputs).policy
    print("\n=====", name, len(policy.statements), "statements", len(policy.actions), "actions")
    print(json.dumps(policy.document(ACCOUNT, aws_env.region), indent=1))
    result = run_as(pytester, monkeypatch, aws_env, "ci", policy, gate, "--aws-outputs", outputs, "--aws-inconclusive", "warn")
    out = result.stdout.str()
    print("ret", result.ret, "inconclusive", inconclusive(result))
    for line in re.findall(r"^(?:INCONCLUSIVE|FAILED) .*$", out, re.MULTILINE):
        print("  ", line[:400])
