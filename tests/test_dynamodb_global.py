"""The DynamoDB global table handle against the emulator (replicas added to moto's
DescribeTable answer): healthy, a failed replica, no replicas, slow replication, settling."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.resources.dynamodb_global import DynamoGlobalTable

TABLE = dict(BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(dynamo_global_table=["good", "failed", "local"])
    def test_healthy(dynamo_global_table):
        assert dynamo_global_table.healthy
    def test_regions(dynamo_global_table):
        assert dynamo_global_table.replica_regions == ["eu-west-1", "us-east-1"]
    def test_europe(dynamo_global_table):
        assert dynamo_global_table.replica_active("eu-west-1")
    def test_replication_is_quick(dynamo_global_table):
        assert dynamo_global_table.replication_latency_ms("eu-west-1", minutes=15) < 1500
"""


def global_table(emulator, name: str, latency_ms: float = 0, **replicas: str) -> None:
    """A table with ``replicas`` (region with underscores -> ReplicaStatus) in its answer."""
    emulator.client("dynamodb").create_table(TableName=name, **TABLE)
    if replicas:
        emulator.amend_answer("dynamodb", "DescribeTable", {"Table": {
            "GlobalTableVersion": "2019.11.21",
            "Replicas": [{"RegionName": region.replace("_", "-"), "ReplicaStatus": status}
                         for region, status in replicas.items()]}}, when={"TableName": name})
    if latency_ms:
        put_datapoint(emulator, "AWS/DynamoDB", "ReplicationLatency",
                      {"TableName": name, "ReceivingRegion": "eu-west-1"}, latency_ms)


def test_replicas_decide_health_and_each_problem_has_its_hint(pytester, aws_env) -> None:
    global_table(aws_env, "orders", 800, us_east_1="ACTIVE", eu_west_1="ACTIVE")
    global_table(aws_env, "carts", 4000, us_east_1="ACTIVE", eu_west_1="CREATION_FAILED")
    global_table(aws_env, "sessions")
    result = run_checks(pytester, {"good": "orders", "failed": "carts", "local": "sessions"},
                        CHECKS, "-rA")
    result.assert_outcomes(passed=6, failed=6)
    assert failed(result) == [
        "test_europe[failed]", "test_europe[local]", "test_healthy[failed]",
        "test_healthy[local]", "test_regions[local]", "test_replication_is_quick[failed]"]
    result.stdout.fnmatch_lines([
        "DynamoDB global table carts in us-east-1: replicas not ACTIVE: eu-west-1 (CREATION_FAILED)",
        "*the replica failed to create (CREATION_FAILED)*",
        "*aws dynamodb describe-table --table-name carts --region eu-west-1 *",
        "*aws dynamodb update-table --table-name carts --region us-east-1 --replica-updates "
        "'[[]{\"Delete\":{\"RegionName\":\"eu-west-1\"}}[]]', then create it again",
        "DynamoDB global table sessions in us-east-1: has no replicas (it is not a global table)",
        "*aws dynamodb update-table --table-name sessions --region us-east-1 --replica-updates "
        "'[[]{\"Create\":{\"RegionName\":\"eu-west-1\"}}[]]'   # a missing replica",
        "DynamoDB global table carts: writes in us-east-1 reached eu-west-1 after 4000 ms "
        "(Average of the worst 5-minute period in the last 15 min)",
        "*--metric-name ReplicationLatency --dimensions Name=TableName,Value=carts "
        "Name=ReceivingRegion,Value=eu-west-1 *",
    ])


def test_creating_replica_is_transitional_and_table_probes_still_apply(pytester, aws_env) -> None:
    global_table(aws_env, "orders", us_east_1="ACTIVE", ap_south_1="CREATING")
    result = run_checks(pytester, {"table": "orders"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(dynamo_global_table="table")
        def test_healthy(dynamo_global_table):
            assert dynamo_global_table.healthy
        def test_version_and_pitr(dynamo_global_table):
            assert dynamo_global_table.global_table_version == "2019.11.21"
            assert dynamo_global_table.pitr_enabled
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "DynamoDB global table orders in us-east-1: replicas not ACTIVE: ap-south-1 (CREATING)",
        "CREATING is a transitional state: pass --aws-settle SECONDS*",
        "DynamoDB table orders in us-east-1 does not have point-in-time recovery enabled",
        "*aws dynamodb update-continuous-backups --table-name orders --region us-east-1 *",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    global_table(aws_env, "orders", us_east_1="ACTIVE", eu_west_1="ACTIVE")
    assert_probes_read_what_they_declare(
        aws_env, DynamoGlobalTable, "orders", metric=("ReplicationLatency",),
        gsi_active=("by_user",), replica_active=("eu-west-1",),
        replication_latency_ms=("eu-west-1",))
