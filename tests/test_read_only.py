"""The gates only read: every AWS operation an example makes is a read, except those a
test asks for explicitly (running an Athena query, invoking a function)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pytest_awshealth.emulator.stacks import available, get_stack
from pytest_awshealth.iam_actions import ACTIONS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
READ = re.compile(r"^(Admin)?(Describe|Get|List|Head|Filter|Select|Lookup|Search|Simulate)")
ASKED_FOR_BY_TESTS = {"StartQueryExecution", "Invoke", "StopQueryExecution"}

RECORDER = """
import json
from pathlib import Path

import botocore.client

calls = []
make_api_call = botocore.client.BaseClient._make_api_call

def recording(self, operation_name, api_params):  # every call, the prefetch's included
    calls.append([self.meta.service_model.service_name, operation_name])
    return make_api_call(self, operation_name, api_params)

botocore.client.BaseClient._make_api_call = recording

def pytest_unconfigure(config):
    botocore.client.BaseClient._make_api_call = make_api_call
    Path("operations.json").write_text(json.dumps(calls))
"""


@pytest.mark.parametrize("name", available())
def test_example_gate_makes_only_reads(pytester, aws_env, api_stub, name) -> None:
    stack = get_stack(name)
    deployment = stack.deploy(aws_env, api_stub)
    outputs = stack.write_outputs(deployment, pytester.path)
    for test_file in (EXAMPLES / name).glob("test_*.py"):
        shutil.copy(test_file, pytester.path / test_file.name)
    pytester.makeconftest(RECORDER)
    result = pytester.runpytest("--aws-outputs", str(outputs), "-p", "no:xdist")
    assert result.ret == 0, result.stdout.str()
    recorded = json.loads((pytester.path / "operations.json").read_text())
    assert recorded, "the gate made no AWS call at all"
    operations = [op for _, op in recorded]
    writes = sorted({op for op in operations if not READ.match(op)} - ASKED_FOR_BY_TESTS)
    assert writes == []
    # every operation a gate makes has its IAM action in the table (for AccessDenied hints)
    assert sorted({tuple(call) for call in recorded} - set(ACTIONS)) == []
