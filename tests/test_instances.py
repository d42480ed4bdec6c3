"""EC2 instances through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
AMI = "ami-12c6146b"  # any image ID: the emulator loads no default AMIs (server.py)
GATE = """
    import pytest

    @pytest.mark.aws_output(ec2_instance="instance_id")
    def test_healthy(ec2_instance):
        assert ec2_instance.healthy
"""


def make_instance(emu: Any) -> str:
    return emu.client("ec2").run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                           InstanceType="t3.micro")["Instances"][0]["InstanceId"]


def run(pytester: pytest.Pytester, write_outputs: Any, instance: str) -> pytest.RunResult:
    write_outputs({"instance_id": instance})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_running_instance_passes(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, make_instance(aws_env)).assert_outcomes(passed=1)


def test_stopped_instance(pytester, write_outputs, aws_env) -> None:
    instance = make_instance(aws_env)
    aws_env.client("ec2").stop_instances(InstanceIds=[instance])
    result = run(pytester, write_outputs, instance)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"EC2 instance {instance} in us-east-1 is not running",
                                 f"*aws ec2 start-instances --instance-ids {instance} --region us-east-1"])


def test_failing_status_check(pytester, write_outputs, aws_env) -> None:
    instance = make_instance(aws_env)
    aws_env.set_instance_checks(instance, instance="impaired")  # moto says ok
    result = run(pytester, write_outputs, instance)
    result.stdout.fnmatch_lines([f"EC2 instance {instance} in us-east-1 fails its status checks (system ok, instance impaired)"])
    assert result.ret == 1


def test_missing(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, "i-0123456789abcdef0").stdout.fnmatch_lines(
        ["EC2 instance i-0123456789abcdef0 does not exist in us-east-1*"])
