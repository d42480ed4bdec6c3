"""Auto Scaling groups through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
AMI = "ami-12c6146b"  # any image ID: the emulator loads no default AMIs (server.py)
GATE = """
    import pytest

    @pytest.mark.aws_output(autoscaling_group="asg")
    def test_healthy(autoscaling_group):
        assert autoscaling_group.healthy
"""


def make_group(emu: Any, desired: int = 2) -> None:
    ec2 = emu.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": AMI, "InstanceType": "t3.micro"})
    emu.client("autoscaling").create_auto_scaling_group(
        AutoScalingGroupName="web", LaunchTemplate={"LaunchTemplateName": "web"},
        MinSize=0, MaxSize=4, DesiredCapacity=desired, VPCZoneIdentifier=subnet)


def run(pytester: pytest.Pytester, write_outputs: Any, name: str = "web") -> pytest.RunResult:
    write_outputs({"asg": name})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_a_full_group_passes(pytester, write_outputs, aws_env) -> None:
    make_group(aws_env)
    run(pytester, write_outputs).assert_outcomes(passed=1)


def test_unhealthy_instance(pytester, write_outputs, aws_env) -> None:
    make_group(aws_env)
    instance = aws_env.client("autoscaling").describe_auto_scaling_groups(
        AutoScalingGroupNames=["web"])["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
    aws_env.client("autoscaling").set_instance_health(InstanceId=instance, HealthStatus="Unhealthy")
    result = run(pytester, write_outputs)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "Auto Scaling group web in us-east-1 has 1 of 2 instances InService and Healthy",
        "*aws autoscaling describe-scaling-activities --auto-scaling-group-name web *"])


def test_suspended_processes(pytester, write_outputs, aws_env) -> None:
    make_group(aws_env)
    aws_env.client("autoscaling").suspend_processes(AutoScalingGroupName="web",
                                                    ScalingProcesses=["HealthCheck"])
    result = run(pytester, write_outputs)
    result.stdout.fnmatch_lines([
        "Auto Scaling group web in us-east-1 has suspended processes: HealthCheck",
        "*aws autoscaling resume-processes --auto-scaling-group-name web --region us-east-1"])


def test_missing(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, "nothing").stdout.fnmatch_lines(
        ["Auto Scaling group nothing does not exist in us-east-1*"])
