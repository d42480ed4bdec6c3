"""``Emulator.snapshot`` / ``restore``: moto's resources come back as they were, over HTTP,
each restore from an unchanged copy; the states the emulator produces survive a restore and
can still be changed after it; what cannot be copied is refused."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from pytest_awshealth.emulator import Emulator, HttpStub
from pytest_awshealth.emulator.stacks import create_function, lambda_role


def test_restore_brings_back_what_a_test_changed_each_time(aws_env: Emulator) -> None:
    dynamodb, s3 = aws_env.client("dynamodb"), aws_env.client("s3")
    dynamodb.create_table(TableName="orders", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    s3.create_bucket(Bucket="data")
    s3.put_object(Bucket="data", Key="k", Body=b"payload")
    saved = aws_env.snapshot()
    for _ in range(2):  # the second restore is from the same, unchanged copy
        dynamodb.delete_table(TableName="orders")
        s3.delete_object(Bucket="data", Key="k")
        dynamodb.create_table(TableName="extra", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        aws_env.restore(saved)
        assert dynamodb.list_tables()["TableNames"] == ["orders"]
        assert s3.get_object(Bucket="data", Key="k")["Body"].read() == b"payload"


def test_restored_backends_keep_working(aws_env: Emulator) -> None:
    """What moto keeps in locks, conditions, weak mappings and defaultdict subclasses:
    SQS queues (a Condition), Lambda's function index (a WeakValueDictionary), SSM
    parameters (moto's ParameterDict)."""
    sqs, ssm = aws_env.client("sqs"), aws_env.client("ssm")
    queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    arn = create_function(aws_env, "worker", lambda_role(aws_env, "worker-role"))
    ssm.put_parameter(Name="/app/flag", Value="on", Type="String")
    aws_env.restore(aws_env.snapshot())
    sqs.send_message(QueueUrl=queue, MessageBody="hello")
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == "hello"
    assert ssm.get_parameter(Name="/app/flag")["Parameter"]["Value"] == "on"
    from moto.awslambda.utils import get_backend  # the one serving (see set_lambda_state)

    # moto keeps functions by name, and weakly by ARN: both must find the same copy
    stored = get_backend(aws_env.account_id, aws_env.region)._lambdas
    latest = stored._functions["worker"]["latest"]
    assert stored._arns[latest.function_arn] is latest and latest.function_arn.startswith(arn)
    functions = aws_env.client("lambda")
    functions.delete_function(FunctionName="worker")
    assert functions.list_functions()["Functions"] == []


def test_emulator_states_survive_a_restore_and_still_change(aws_env: Emulator) -> None:
    """A state set through the emulator lives in the copied objects, so a restored copy
    reports it, and setting it again changes the copy, not the snapshot."""
    aws_env.client("dynamodb").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    aws_env.set_table_status("t", "UPDATING")
    saved = aws_env.snapshot()

    def status() -> str:
        return aws_env.client("dynamodb").describe_table(TableName="t")["Table"]["TableStatus"]

    aws_env.restore(saved)
    assert status() == "UPDATING"
    aws_env.set_table_status("t", "CREATING")
    assert status() == "CREATING"
    aws_env.restore(saved)
    assert status() == "UPDATING"


def test_target_health_set_after_a_restore_is_reported(aws_env: Emulator) -> None:
    ec2, elbv2 = aws_env.client("ec2"), aws_env.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc,
                                      TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.0.5"}])
    aws_env.set_target_health(group, "10.0.0.5", "draining")
    saved = aws_env.snapshot()

    def state() -> str:
        described = elbv2.describe_target_health(TargetGroupArn=group)
        return described["TargetHealthDescriptions"][0]["TargetHealth"]["State"]

    aws_env.restore(saved)
    assert state() == "draining"
    aws_env.set_target_health(group, "10.0.0.5", "unhealthy")
    assert state() == "unhealthy"
    aws_env.restore(saved)
    assert state() == "draining"


def test_snapshot_refuses_the_emulator_s_own_layers_and_restore_clears_them(
        aws_env: Emulator) -> None:
    aws_env.deny("s3", None)
    aws_env.answer("rds", "DescribePendingMaintenanceActions", {"PendingMaintenanceActions": []})
    with pytest.raises(ValueError, match="clear these first: faults, answers$"):
        aws_env.snapshot()
    aws_env.clear_faults()
    aws_env.client("s3").create_bucket(Bucket="kept")
    saved = aws_env.snapshot()
    aws_env.deny("s3", None)
    aws_env.restore(saved)
    assert [b["Name"] for b in aws_env.client("s3").list_buckets()["Buckets"]] == ["kept"]


def test_route53_check_statuses_are_part_of_the_snapshot(aws_env: Emulator) -> None:
    route53 = aws_env.client("route53")
    check = route53.create_health_check(CallerReference="r", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "example.com", "Port": 443,
        "ResourcePath": "/health"})["HealthCheck"]["Id"]
    aws_env.set_health_check_status(check, "Failure: HTTP Status Code 503")
    saved = aws_env.snapshot()
    aws_env.reset()
    aws_env.restore(saved)
    observed = route53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
    assert observed[0]["StatusReport"]["Status"] == "Failure: HTTP Status Code 503"


def test_http_stub_restores_its_routes_and_forgets_calls() -> None:
    import urllib.error
    import urllib.request

    with HttpStub() as stub:
        stub.route("/health", 200, {"status": "ok"})
        saved = stub.snapshot()
        stub.route("/health", 503, "down")
        with pytest.raises(urllib.error.HTTPError, match="503"):
            urllib.request.urlopen(stub.url + "/health")
        assert [call.path for call in stub.calls] == ["/health"]
        stub.restore(saved)
        assert stub.calls == []
        with urllib.request.urlopen(stub.url + "/health") as answer:
            assert json.loads(answer.read()) == {"status": "ok"}


def test_a_denied_call_after_restore_is_denied(aws_env: Emulator) -> None:
    """Faults set after a restore apply to the restored resources as to any."""
    aws_env.client("s3").create_bucket(Bucket="denied-after-restore")
    aws_env.restore(aws_env.snapshot())
    aws_env.deny("s3", None)
    with pytest.raises(ClientError, match="AccessDenied"):
        aws_env.client("s3").list_objects_v2(Bucket="denied-after-restore")
