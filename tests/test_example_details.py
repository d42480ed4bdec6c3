"""What is particular to each example: the real format of its outputs file, the committed
sample matching the demo, and secrets staying out of reports."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from demo_runs import EXAMPLES, run_gate
from pytest_awshealth.emulator.stacks import get_stack
from pytest_awshealth.examples.sake_sensei.stack import STACKS, logical_id
from pytest_awshealth.examples.thera_pipeline import stack as thera_pipeline
from pytest_awshealth.outputs import load_outputs

FORMATS = {"mantissa_log": "terraform", "agent_runtime": "terraform", "sake_sensei": "cdk",
           "iracing_stats": "cdk", "thera_pipeline": "cloudformation"}


@pytest.mark.parametrize(("name", "fmt"), FORMATS.items())
def test_demo_writes_outputs_in_the_systems_real_format(tmp_path, aws_env, api_stub, name,
                                                        fmt) -> None:
    stack = get_stack(name)
    written = stack.write_outputs(stack.deploy(aws_env, api_stub), tmp_path)
    assert load_outputs([written]).fmt == fmt
    assert load_outputs([EXAMPLES / name / stack.outputs_file]).fmt == fmt


@pytest.mark.parametrize("name", ["mantissa_log", "agent_runtime"])
def test_terraform_examples_mark_a_sensitive_output(name) -> None:
    sample = json.loads((EXAMPLES / name / get_stack(name).outputs_file).read_text())
    assert any(entry["sensitive"] for entry in sample.values())
    assert load_outputs([EXAMPLES / name / get_stack(name).outputs_file]).sensitive_values


def test_sake_sensei_cdk_outputs_carry_logical_id_hashes(tmp_path, aws_env, api_stub) -> None:
    stack = get_stack("sake_sensei")
    written = json.loads(stack.write_outputs(stack.deploy(aws_env, api_stub), tmp_path).read_text())
    assert sorted(written) == sorted(STACKS)
    storage = written["SakeSenseiStorageStack"]
    assert storage[logical_id("SakeSenseiStorageStack", "UsersTableName")] == "SakeSensei-Users"
    assert all(re.fullmatch(r"[A-Za-z]+[0-9A-F]{8}", key)
               for values in written.values() for key in values)


def test_iracing_cdk_sample_resolves_short_names() -> None:
    outputs = load_outputs([EXAMPLES / "iracing_stats" / "cdk-outputs.json"])
    assert outputs.resolve("ApiEndpoint").stack == "IRacingStatsStack-prod"
    url = outputs["ApiEndpoint"]
    assert url.startswith("https://") and ".execute-api.us-east-1.amazonaws.com/prod" in url


def test_thera_sample_matches_the_stack() -> None:
    """stack-outputs.json has the demo's keys and values (the DLQ URL in its AWS form)."""
    sample = load_outputs([EXAMPLES / "thera_pipeline" / "stack-outputs.json"])
    dlq = "https://sqs.us-east-1.amazonaws.com/123456789012/thera-pipeline-prod-schedule-dlq"
    assert dict(sample) == thera_pipeline.output_values(SimpleNamespace(names={"dlq_url": dlq}))
    assert sample.resolve("DailyStateMachineArn").stack == "thera-pipeline-prod"


def test_iracing_leaked_credentials_stay_out_of_the_report(pytester, aws_env, api_stub) -> None:
    result = run_gate(pytester, aws_env, api_stub, "iracing_stats", "-l", "-vv", breaks=("leak",))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    text = result.stdout.str() + result.stderr.str()
    assert "fsa_7Qm2xK9vT4pLw8Rn3Zc6" not in text and "Pit-Lane-Limiter-42" not in text
