"""AWS Batch compute environments and job queues through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    @pytest.mark.aws_output(batch_compute_environment="env")
    def test_env(batch_compute_environment):
        assert batch_compute_environment.healthy

    @pytest.mark.aws_output(batch_job_queue="queue")
    def test_queue(batch_job_queue):
        assert batch_job_queue.healthy
"""


def make_batch(emu: Any, state: str = "ENABLED") -> None:
    iam = emu.client("iam")
    role = iam.create_role(RoleName="batch", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    batch = emu.client("batch")
    env = batch.create_compute_environment(computeEnvironmentName="jobs", type="UNMANAGED",
                                           state=state, serviceRole=role)["computeEnvironmentArn"]
    batch.create_job_queue(jobQueueName="work", state=state, priority=1,
                           computeEnvironmentOrder=[{"order": 1, "computeEnvironment": env}])


def run(pytester: pytest.Pytester, write_outputs: Any) -> pytest.RunResult:
    write_outputs({"env": "jobs", "queue": "work"})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_valid_and_enabled_pass(pytester, write_outputs, aws_env) -> None:
    make_batch(aws_env)
    run(pytester, write_outputs).assert_outcomes(passed=2)


def test_disabled_and_invalid(pytester, write_outputs, aws_env) -> None:
    make_batch(aws_env, state="DISABLED")
    # moto answers VALID for every environment: report what Batch says when the role is gone
    backend = aws_env.backend("batch")
    original = backend.describe_compute_environments

    def describe_compute_environments(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return [{**env, "status": "INVALID",
                 "statusReason": "CLIENT_ERROR - the service role does not exist"}
                for env in original(*args, **kwargs)]

    backend.describe_compute_environments = describe_compute_environments
    result = run(pytester, write_outputs)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        "Batch compute environment jobs in us-east-1 is not VALID (CLIENT_ERROR - the service role does not exist)",
        "Batch job queue work in us-east-1 is DISABLED: submitted jobs are refused",
        "*aws batch update-job-queue --job-queue work --state ENABLED --region us-east-1"])
