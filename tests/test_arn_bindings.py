"""Outputs that name a resource by ARN, URI or id as deploy tools write them: each handle
takes the name from it and checks the resource in the region the ARN names (the gate's
region is us-east-1, the resources are in eu-west-1)."""

from __future__ import annotations

import pytest

ACCOUNT = "123456789012"
EU = "eu-west-1"


@pytest.fixture
def eu_stack(aws_env) -> dict[str, str]:
    """One healthy resource of each kind in eu-west-1, and the outputs naming them."""
    table = aws_env.client("dynamodb", EU).create_table(
        TableName="eu-state", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws_env.client("logs", EU).create_log_group(logGroupName="/ecs/app-api")
    repo = aws_env.client("ecr", EU).create_repository(repositoryName="team/app-web")
    aws_env.client("glue", EU).create_database(DatabaseInput={"Name": "app_db"})
    kms = aws_env.client("kms", EU)
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/app", TargetKeyId=key["KeyId"])
    secret = aws_env.client("secretsmanager", EU).create_secret(Name="app/db", SecretString="x")
    events = aws_env.client("events")
    events.create_event_bus(Name="app-bus")
    events.put_rule(Name="orders-created", EventBusName="app-bus",
                    EventPattern='{"source": ["app.orders"]}')
    return {
        "table_arn": table["TableDescription"]["TableArn"],
        "log_group_arn": f"arn:aws:logs:{EU}:{ACCOUNT}:log-group:/ecs/app-api:*",  # as Terraform
        "repository_arn": repo["repository"]["repositoryArn"],
        "repository_url": repo["repository"]["repositoryUri"] + ":v1",
        "database_arn": f"arn:aws:glue:{EU}:{ACCOUNT}:database/app_db",
        "alias_arn": f"arn:aws:kms:{EU}:{ACCOUNT}:alias/app",
        "secret_arn": secret["ARN"],
        "rule_id": "app-bus/orders-created",  # aws_cloudwatch_event_rule.id on a custom bus
    }


CHECKS = """
import pytest

@pytest.mark.aws_output(dynamo_table="table_arn")
def test_table(dynamo_table):
    assert dynamo_table.status == "ACTIVE"

@pytest.mark.aws_output(log_group="log_group_arn")
def test_log_group(log_group):
    assert log_group.exists and log_group.name == "/ecs/app-api"

@pytest.mark.aws_output(ecr_repository=["repository_arn", "repository_url"])
def test_repository(ecr_repository):
    assert ecr_repository.exists and ecr_repository.name == "team/app-web"

@pytest.mark.aws_output(glue_database="database_arn")
def test_database(glue_database):
    assert glue_database.exists

@pytest.mark.aws_output(kms_key="alias_arn")
def test_key(kms_key):
    assert kms_key.healthy

@pytest.mark.aws_output(secret="secret_arn")
def test_secret(secret):
    assert secret.healthy

@pytest.mark.aws_output(event_rule="rule_id")
def test_rule(event_rule):
    assert event_rule.exists and event_rule.event_bus == "app-bus"
"""


@pytest.mark.parametrize("xdist", [("-p", "no:xdist"), ("-n", "2")], ids=["serial", "xdist"])
def test_arns_uris_and_ids_name_the_resource_where_it_is(pytester, write_outputs, eu_stack,
                                                         xdist) -> None:
    write_outputs(eu_stack)
    pytester.makepyfile(CHECKS)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-region", "us-east-1",
                                *xdist)
    result.assert_outcomes(passed=8)


def test_a_deleted_resource_is_looked_for_in_its_own_region(pytester, write_outputs,
                                                            eu_stack, aws_env) -> None:
    aws_env.client("dynamodb", EU).delete_table(TableName="eu-state")
    write_outputs(eu_stack)
    pytester.makepyfile(CHECKS)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-region", "us-east-1",
                                "-p", "no:xdist", "-k", "test_table")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"DynamoDB table eu-state does not exist in {EU}*"])
