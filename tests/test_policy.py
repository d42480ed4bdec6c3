"""awshealth policy: the least-privilege policy a gate needs, and the proof on the emulator
(IAM enforced per action and resource ARN) that it is enough and that each statement is
needed by exactly the checks it names."""

from __future__ import annotations

import json
import re

import pytest

from pytest_awshealth.iam_resources import OPERATIONS
from pytest_awshealth.policy import Policy, PolicyCollector, render, render_statement
from pytest_awshealth.usage import EVERY, probes_used
from tests.demo_runs import inconclusive, verdicts

ACCOUNT = "123456789012"
SID = re.compile(r"^[A-Za-z0-9]+$")

DYNAMO_TESTS = """
import pytest

TABLES = ["orders_table", "users_table"]


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"


@pytest.mark.aws_output(dynamo_table="orders_table")
def test_ttl(dynamo_table):
    assert dynamo_table.ttl_enabled


@pytest.mark.aws_output(dynamo_table="users_table")
def test_backups(dynamo_table):
    assert dynamo_table.has_backups


@pytest.mark.aws_output(dynamo_table="orders_table")
def test_not_throttled(dynamo_table):
    assert dynamo_table.throttled_requests(minutes=15) == 0


def test_made_by_name(aws):
    table = aws.dynamo_table("audit")
    assert table.pitr_enabled
"""


def create_tables(emulator) -> None:
    client = emulator.client("dynamodb")
    for name in ("orders", "users", "audit"):
        client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    client.update_time_to_live(TableName="orders", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    client.create_backup(TableName="users", BackupName="nightly")
    client.update_continuous_backups(TableName="audit", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})


def collect_policy(pytester: pytest.Pytester, *args: str, fmt: str = "json") -> PolicyCollector:
    """The policy of the tests ``args`` select, as ``awshealth policy`` computes it."""
    collector = PolicyCollector(fmt, ACCOUNT)
    result = pytester.runpytest_inprocess("--collect-only", "-q", "-p", "no:cacheprovider",
                                          *args, plugins=[collector])
    assert result.ret == 0, result.stdout.str()
    assert collector.policy is not None
    return collector


def run_as(pytester, monkeypatch, emulator, name: str, policy: Policy, *args: str):
    """Run the gate as a new IAM user that holds only ``policy``."""
    credentials = emulator.iam_user(name, policy.document(ACCOUNT, emulator.region))
    for variable, value in credentials.items():
        monkeypatch.setenv(variable, value)
    return pytester.runpytest_inprocess("-rA", "-p", "no:cacheprovider", "-p", "no:xdist", *args)


def test_probes_used_names_the_attributes_each_handle_fixture_reads(pytester) -> None:
    pytester.makepyfile(test_x="""
        import pytest

        def helper(table):
            return table.ttl_enabled

        @pytest.mark.aws_output(dynamo_table="t", lambda_fn="f")
        def test_a(dynamo_table, lambda_fn):
            assert dynamo_table.status == "ACTIVE" and helper(dynamo_table)
            assert not lambda_fn.log_group.errors("ERROR")

        @pytest.mark.aws_output(dynamo_table="t")
        def test_b(dynamo_table):
            keep = [dynamo_table]
            assert keep
    """)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    used = {item.name: probes_used(item) for item in items}
    assert used["test_a"] == {"dynamo_table": {"status", "ttl_enabled"},
                              "lambda_fn": {"log_group"}}
    assert used["test_b"] == {"dynamo_table": {EVERY}}  # stored away: every probe counts


def test_policy_of_dynamodb_checks_is_scoped_to_their_tables(pytester, write_outputs) -> None:
    pytester.makepyfile(test_tables=DYNAMO_TESTS)
    outputs = write_outputs({"orders_table": "orders", "users_table": "users"})
    policy = collect_policy(pytester, "--aws-outputs", outputs, "--aws-region", "eu-west-1").policy
    document = policy.document()
    by_sid = {s["Sid"]: (s["Action"], s["Resource"]) for s in document["Statement"]}
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/"
    # each action on exactly the tables some test reads it for
    assert by_sid == {
        "DynamodbDescribeContinuousBackups": (["dynamodb:DescribeContinuousBackups"],
                                              [f"{table}audit"]),
        "DynamodbDescribeTimeToLive": (["dynamodb:DescribeTimeToLive"], [f"{table}orders"]),
        "DynamodbDescribeTable": (["dynamodb:DescribeTable"],
                                  [f"{table}orders", f"{table}users"]),
        # no resource-level permissions for these: AWS requires "*"
        "DynamodbListBackups": (["dynamodb:ListBackups"], "*"),
        "CloudwatchRead": (["cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"], "*")}
    assert all(SID.match(s["Sid"]) for s in document["Statement"])
    assert not {"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query"} & set(policy.actions)


def test_dynamodb_gate_passes_with_its_policy_and_each_statement_is_needed(
        pytester, aws_env, monkeypatch, write_outputs) -> None:
    create_tables(aws_env)
    pytester.makepyfile(test_tables=DYNAMO_TESTS)
    outputs = write_outputs({"orders_table": "orders", "users_table": "users"})
    policy = collect_policy(pytester, "--aws-outputs", outputs).policy
    result = run_as(pytester, monkeypatch, aws_env, "ci", policy, "--aws-outputs", outputs)
    assert result.ret == 0, result.stdout.str()
    assert inconclusive(result) == []
    for number, statement in enumerate(policy.statements):
        result = run_as(pytester, monkeypatch, aws_env, f"ci{number}", policy.without(statement.sid),
                        "--aws-outputs", outputs, "--aws-inconclusive", "warn")
        needing = sorted(nodeid.split("::")[-1] for nodeid in statement.tests)
        assert inconclusive(result) == needing, (statement.sid, result.stdout.str())
        assert set(verdicts(result).values()) <= {"PASSED", "INCONCLUSIVE"}
        lines = re.findall(r"^INCONCLUSIVE \S+ - (.*)$", result.stdout.str(), re.MULTILINE)
        assert len(lines) == len(needing) and all(
            any(action in line for action in statement.actions) for line in lines), lines
        # the hint names the statement to add, as awshealth policy writes it
        assert f'"Sid": "{statement.sid}", "Effect": "Allow"' in result.stdout.str()


def test_formats_say_the_same(pytester, write_outputs) -> None:
    pytester.makepyfile(test_tables=DYNAMO_TESTS)
    outputs = write_outputs({"orders_table": "orders", "users_table": "users"})
    policy = collect_policy(pytester, "--aws-outputs", outputs, "-k", "test_ttl",
                            "--aws-region", "us-east-1").policy
    assert policy.actions == ["dynamodb:DescribeTimeToLive"]
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    assert json.loads(render(policy, "json"))["Statement"][0]["Resource"] == [arn]
    terraform = render(policy, "terraform")
    assert 'data "aws_iam_policy_document" "awshealth" {' in terraform
    assert '    actions   = ["dynamodb:DescribeTimeToLive"]' in terraform
    assert f'    resources = ["{arn}"]' in terraform
    cdk = render(policy, "cdk")
    assert "from aws_cdk import aws_iam as iam" in cdk
    assert f'        resources=["{arn}"],' in cdk
    assert render_statement(policy.statements[0], "json") == json.dumps(
        policy.document()["Statement"][0])


def test_unknown_account_and_region_are_placeholders_each_format_fills(
        pytester, write_outputs, monkeypatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCOUNT_ID", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(pytester.path / "none"))
    pytester.makepyfile(test_tables=DYNAMO_TESTS)
    outputs = write_outputs({"orders_table": "orders", "users_table": "users"})
    collector = PolicyCollector("json")
    pytester.runpytest_inprocess("--collect-only", "-p", "no:cacheprovider", "--aws-outputs",
                                 outputs, "-k", "test_ttl", plugins=[collector])
    assert collector.policy is not None
    assert "arn:aws:dynamodb:REGION:ACCOUNT:table/orders" in render(collector.policy, "json")
    assert ("${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
            in render(collector.policy, "terraform"))
    assert 'f"arn:aws:dynamodb:{Aws.REGION}:{Aws.ACCOUNT_ID}:table/orders"' in render(
        collector.policy, "cdk")
    assert collector.notes[0].startswith("account and region not known")


# ------------------------------------------------------ the enforcer names what the policy does

SPECIAL = {"athena:workgroup", "glue:catalog", "s3:object"}  # named in code, not by one parameter
SCOPED = sorted({(service, operation, kind) for (service, operation), kinds in OPERATIONS.items()
                 for kind in kinds if kind not in SPECIAL and not kind.startswith("ecs:")
                 and service != "apigateway"})


@pytest.mark.parametrize(("service", "operation", "kind"), SCOPED,
                         ids=[f"{s}.{o}" for s, o, _ in SCOPED])
def test_every_scoped_operation_is_enforced_on_the_arn_the_policy_names(
        service, operation, kind) -> None:
    """The enforcer reads the resource from the request parameter that names it, and builds
    the ARN the policy's resource type does: a type without its parameter would authorise
    on ``*`` and hide a policy scoped to the wrong ARN."""
    from pytest_awshealth.emulator.iam_enforcer import NAMES, Call, resources_of
    from pytest_awshealth.iam_resources import TYPES

    template = TYPES[kind][0]
    named = "{name}" in template
    assert NAMES.get(kind) or not named, f"{kind}: no request parameter names it (NAMES)"
    params = {NAMES[kind][0]: "sample-name"} if named else {}
    expected = template.format_map({"partition": "aws", "region": "eu-west-1", "account": ACCOUNT,
                                    "name": "sample-name", "cluster": "*"})
    assert expected in resources_of(Call(service, operation, params, "eu-west-1"), ACCOUNT)


RDS_CHECK = """
    import pytest
    @pytest.mark.aws_output(rds_instance="db")
    def test_available(rds_instance):
        assert rds_instance.healthy
"""


def test_a_grant_scoped_to_another_db_instance_is_denied(pytester, aws_env, monkeypatch,
                                                          write_outputs) -> None:
    """The policy scopes rds:DescribeDBInstances to the instance's ARN; under enforcement,
    that ARN passes and another instance's leaves the check inconclusive, naming the action."""
    aws_env.client("rds").create_db_instance(
        DBInstanceIdentifier="orders-db", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin_user", MasterUserPassword="correct-horse-9", AllocatedStorage=20)
    pytester.makepyfile(test_rds_grant=RDS_CHECK)
    outputs = write_outputs({"db": "orders-db"})
    policy = collect_policy(pytester, "--aws-outputs", outputs).policy
    document = policy.document(ACCOUNT, aws_env.region)
    rds = next(s for s in document["Statement"] if s["Action"] == ["rds:DescribeDBInstances"])
    assert rds["Resource"] == [f"arn:aws:rds:{aws_env.region}:{ACCOUNT}:db:orders-db"]
    result = run_as(pytester, monkeypatch, aws_env, "ci", policy, "--aws-outputs", outputs)
    assert result.ret == 0, result.stdout.str()
    rds["Resource"] = [f"arn:aws:rds:{aws_env.region}:{ACCOUNT}:db:other-db"]
    credentials = aws_env.iam_user("ci-other", document)
    for variable, value in credentials.items():
        monkeypatch.setenv(variable, value)
    result = pytester.runpytest_inprocess("-rA", "-p", "no:xdist", "--aws-outputs", outputs,
                                          "--aws-inconclusive", "warn")
    assert inconclusive(result) == ["test_available"], result.stdout.str()
    result.stdout.fnmatch_lines(["*rds:DescribeDBInstances*"])
