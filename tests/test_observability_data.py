"""CloudWatch alarms and metrics, log checks, and the Lambda and DynamoDB data handles:
each probe healthy and broken, with the hint the broken case carries."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from pytest_awshealth.clients import AwsContext
from pytest_awshealth.emulator.stacks import log_recent, put_datapoint
from pytest_awshealth.errors import ResourceNotFound
from pytest_awshealth.resources.awslambda import LambdaFunction
from pytest_awshealth.resources.cloudwatch import CloudWatch
from pytest_awshealth.resources.dynamodb import DynamoTable
from pytest_awshealth.resources.logs import LogGroup

REGION = "us-east-1"
ACCOUNT = "123456789012"
RULE_ARN = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly"
SECRET = "sk-live-7f3a9c2e1b"  # a value planted where it must never be logged
TABLE = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")


# ----------------------------------------------------------------------------- helpers


def run(pytester: pytest.Pytester, outputs: dict[str, str], body: str, *args: str):
    (pytester.path / "outputs.json").write_text(json.dumps(outputs))
    pytester.makepyfile(body)
    return pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", *args)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def make_function(emu: Any, name: str, **extra: Any) -> str:
    iam = emu.client("iam")
    try:
        role = iam.get_role(RoleName="fn-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    return emu.client("lambda").create_function(
        FunctionName=name, Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": _zip()}, **extra)["FunctionArn"]


def put_alarm(emu: Any, name: str, state: str = "OK", reason: str = "Threshold Crossed") -> None:
    cloudwatch = emu.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
        Dimensions=[{"Name": "FunctionName", "Value": "api"}], Period=60,
        EvaluationPeriods=1, Threshold=0, ComparisonOperator="GreaterThanThreshold")
    if state != "OK":  # moto never evaluates alarms; they start OK
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)


def set_gsi_status(emu: Any, table: str, index: str, status: str) -> None:
    """moto creates every index ACTIVE; real ones are CREATING while they backfill."""
    for gsi in emu.backend("dynamodb").tables[table].global_indexes:
        if gsi.name == index:
            gsi.status = status
            return
    raise KeyError(index)


@pytest.fixture(scope="module")
def context(emulator: Any) -> AwsContext:
    """One boto3 session for this module's direct handle tests (sessions are slow to make)."""
    return AwsContext(region=REGION, endpoint_url=emulator.url)


@pytest.fixture
def handle(aws_env: Any, context: AwsContext):
    """``handle(DynamoTable, "name")``: a handle on the wiped emulator."""
    def make(cls: type, name: str) -> Any:
        return cls(name, aws=context)
    return make


# ----------------------------------------------------------------------------- CloudWatch


def test_alarms_in_alarm(pytester: pytest.Pytester, aws_env: Any) -> None:
    put_alarm(aws_env, "shop-api-errors")
    put_alarm(aws_env, "shop-api-latency", "INSUFFICIENT_DATA")
    put_alarm(aws_env, "billing-errors", "ALARM", "1 datapoint [4.0] > threshold 0.0")
    put_alarm(aws_env, "billing-dlq")
    result = run(pytester, {"shop": "shop-", "billing": "billing-", "typo": "shp-"}, """
        import pytest
        @pytest.mark.aws_output(cloudwatch=["shop", "billing", "typo"])
        def test_quiet(cloudwatch):
            assert not cloudwatch.alarms_in_alarm
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "CloudWatch alarms billing-errors in us-east-1 are in ALARM",
        "*aws cloudwatch describe-alarms --alarm-name-prefix billing- --state-value ALARM --region us-east-1*",
        "*aws cloudwatch describe-alarm-history --alarm-name billing-errors --history-item-type StateUpdate*",
        "No CloudWatch alarm whose name starts with shp- exists in us-east-1 (account 123456789012)",
    ])


def test_alarm_state(pytester: pytest.Pytester, aws_env: Any) -> None:
    put_alarm(aws_env, "shop-api-errors")
    put_alarm(aws_env, "shop-dlq-depth", "ALARM", "1 datapoint [12.0] > threshold 0.0")
    result = run(pytester, {}, """
        def test_ok(aws):
            assert aws.cloudwatch("shop-").alarm_state("shop-api-errors") == "OK"
        def test_dlq(aws):
            assert aws.cloudwatch("shop-").alarm_state("shop-dlq-depth") == "OK"
        def test_gone(aws):
            assert aws.cloudwatch("shop-").alarm_state("shop-gone") == "OK"
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "CloudWatch alarm shop-dlq-depth in us-east-1 is ALARM: 1 datapoint [[]12.0[]] > threshold 0.0",
        "*aws cloudwatch describe-alarm-history --alarm-name shop-dlq-depth*",
        "No CloudWatch alarm whose name starts with shop-gone exists in us-east-1*",
    ])


def test_metric_sum(pytester: pytest.Pytester, aws_env: Any) -> None:
    put_datapoint(aws_env, "Shop", "FailedOrders", {"Service": "checkout"}, 3)
    put_datapoint(aws_env, "Shop", "FailedOrders", {"Service": "checkout"}, 4, minutes_ago=5)
    put_datapoint(aws_env, "Shop", "FailedOrders", {"Service": "checkout"}, 50, minutes_ago=90)
    result = run(pytester, {}, """
        def test_sum(aws):
            assert aws.cloudwatch("shop-").metric_sum("Shop", "FailedOrders", {"Service": "checkout"}) == 7
        def test_other(aws):
            assert aws.cloudwatch("shop-").metric_sum("Shop", "FailedOrders", {"Service": "cart"}) == 0
        def test_threshold(aws):
            cw = aws.cloudwatch("shop-")
            assert cw.metric_sum("Shop", "FailedOrders", {"Service": "checkout"}, minutes=15, period=60) < 5
    """)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "CloudWatch metric Shop FailedOrders (Name=Service,Value=checkout) in us-east-1 summed to 7 "
        "over the last 15 min*",
        "*aws cloudwatch get-metric-statistics --namespace Shop --metric-name FailedOrders "
        "--dimensions Name=Service,Value=checkout --start-time $(date -u -d '15 minutes ago' +%FT%TZ) "
        "--end-time $(date -u +%FT%TZ) --period 60 --statistics Sum --region us-east-1",
    ])


def test_metric_period_must_be_whole_minutes(aws_env: Any, handle: Any) -> None:
    with pytest.raises(ValueError, match="multiple of 60"):
        handle(CloudWatch, "x").metric_sum("Shop", "FailedOrders", {}, period=90)


# ----------------------------------------------------------------------------- Lambda metrics


def test_lambda_errors_and_throttles(pytester: pytest.Pytester, aws_env: Any) -> None:
    for name in ("good-fn", "bad-fn"):
        make_function(aws_env, name)
    put_datapoint(aws_env, "AWS/Lambda", "Errors", {"FunctionName": "good-fn"}, 0)
    put_datapoint(aws_env, "AWS/Lambda", "Errors", {"FunctionName": "bad-fn"}, 3)
    put_datapoint(aws_env, "AWS/Lambda", "Throttles", {"FunctionName": "bad-fn"}, 2)
    result = run(pytester, {"good": "good-fn", "bad": "bad-fn", "gone": "gone-fn"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(lambda_fn=["good", "bad"])
        def test_errors(lambda_fn):
            assert lambda_fn.errors(minutes=15) == 0
        def test_throttles(lambda_fn):
            assert lambda_fn.throttles(minutes=15) == 0
        @pytest.mark.aws_output(lambda_fn="gone")
        def test_missing_is_not_error_free(lambda_fn):
            assert lambda_fn.errors() == 0
    """)
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 reported 3 errors in the last 15 min",
        "*aws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Errors "
        "--dimensions Name=FunctionName,Value=bad-fn --start-time*--statistics Sum --region us-east-1",
        "*aws logs filter-log-events --log-group-name /aws/lambda/bad-fn*Task timed out*",
        "*aws lambda update-function-configuration --function-name bad-fn --region us-east-1 --timeout 30*",
        "*aws lambda update-function-configuration --function-name bad-fn --region us-east-1 --memory-size 1024*",
    ])
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 was throttled 2 times in the last 15 min",
        "*--metric-name Throttles --dimensions Name=FunctionName,Value=bad-fn*",
        "*aws lambda put-function-concurrency --function-name bad-fn --region us-east-1 "
        "--reserved-concurrent-executions 50",
        "*--quota-code L-B99A9384*",
    ])
    result.stdout.fnmatch_lines(["Lambda function gone-fn does not exist in us-east-1*"])


# ----------------------------------------------------------------------------- Lambda config


def _lambda_pair(emu: Any) -> dict[str, str]:
    """good-fn: traced, layered, reserved, invokable by the rule, trigger enabled;
    bad-fn: none of that."""
    lam = emu.client("lambda")
    layer = lam.publish_layer_version(LayerName="deps", Content={"ZipFile": _zip()})
    make_function(emu, "good-fn", TracingConfig={"Mode": "Active"},
                  Layers=[layer["LayerVersionArn"]])
    make_function(emu, "bad-fn")
    lam.put_function_concurrency(FunctionName="good-fn", ReservedConcurrentExecutions=10)
    lam.put_function_concurrency(FunctionName="bad-fn", ReservedConcurrentExecutions=0)
    lam.add_permission(FunctionName="good-fn", StatementId="nightly", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=RULE_ARN)
    sqs = emu.client("sqs")
    mappings = {}
    for name, enabled in (("good-fn", True), ("bad-fn", False)):
        url = sqs.create_queue(QueueName=f"{name}-jobs")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        mappings[name] = lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=name, Enabled=enabled)["UUID"]
    return mappings


def test_lambda_configuration_probes(pytester: pytest.Pytester, aws_env: Any) -> None:
    mappings = _lambda_pair(aws_env)
    result = run(pytester, {"good": "good-fn", "bad": "bad-fn"}, f"""
        import pytest
        pytestmark = pytest.mark.aws_output(lambda_fn=["good", "bad"])
        def test_tracing(lambda_fn):
            assert lambda_fn.tracing_mode == "Active"
        def test_layers(lambda_fn):
            assert any(":layer:deps:" in arn for arn in lambda_fn.layers)
        def test_concurrency(lambda_fn):
            assert lambda_fn.reserved_concurrency != 0
        def test_permission(lambda_fn):
            assert lambda_fn.allows_invoke_by("events.amazonaws.com", source_arn="{RULE_ARN}")
        def test_trigger(lambda_fn):
            assert lambda_fn.event_sources_enabled
    """)
    result.assert_outcomes(passed=5, failed=5)
    fn = "--function-name bad-fn --region us-east-1"
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 does not have the expected X-Ray tracing mode",
        f"*aws lambda update-function-configuration {fn} --tracing-config Mode=Active",
    ])
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 does not use the expected layers",
        f"*aws lambda update-function-configuration {fn} --layers <layer-version-arn>*",
    ])
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 has unexpected reserved concurrency*",
        f"*aws lambda get-function-concurrency {fn}",
        f"*aws lambda put-function-concurrency {fn} --reserved-concurrent-executions 50",
        f"*aws lambda delete-function-concurrency {fn}*",
    ])
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 does not allow events.amazonaws.com to invoke it",
        f"*aws lambda get-policy {fn} --query Policy --output text",
        f"*aws lambda add-permission {fn} --statement-id allow-invoke --action lambda:InvokeFunction "
        f"--principal events.amazonaws.com --source-arn {RULE_ARN}",
    ])
    result.stdout.fnmatch_lines([
        "Lambda function bad-fn in us-east-1 has no enabled event source mapping",
        f"*aws lambda list-event-source-mappings {fn}*",
        f"*aws lambda update-event-source-mapping --uuid {mappings['bad-fn']} --enabled --region us-east-1",
    ])
    assert "good-fn in us-east-1" not in result.stdout.str()


def test_one_disabled_trigger_of_two_is_named(pytester: pytest.Pytester, aws_env: Any) -> None:
    make_function(aws_env, "two-fn")
    lam, sqs = aws_env.client("lambda"), aws_env.client("sqs")
    uuids = []
    for queue, enabled in (("on-jobs", True), ("off-jobs", False)):
        url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        uuids.append(lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName="two-fn", Enabled=enabled)["UUID"])
    result = run(pytester, {"fn": "two-fn"}, """
        import pytest
        @pytest.mark.aws_output(lambda_fn="fn")
        def test_trigger(lambda_fn):
            assert lambda_fn.event_sources_enabled
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"Lambda function two-fn in us-east-1 has 1 of 2 event source mappings not Enabled "
        f"({uuids[1]} Disabled)",
        f"*aws lambda update-event-source-mapping --uuid {uuids[1]} --enabled --region us-east-1"])


def test_lambda_configuration_values(aws_env: Any, handle: Any) -> None:
    mappings = _lambda_pair(aws_env)
    good, bad = handle(LambdaFunction, "good-fn"), handle(LambdaFunction, "bad-fn")
    assert (good.tracing_mode, bad.tracing_mode) == ("Active", "PassThrough")
    assert good.layers == [f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:deps:1"] and bad.layers == []
    assert (good.reserved_concurrency, bad.reserved_concurrency) == (10, 0)
    [mapping] = bad.event_source_mappings
    assert mapping["uuid"] == mappings["bad-fn"] and mapping["state"] == "Disabled"
    assert mapping["source_arn"] == f"arn:aws:sqs:{REGION}:{ACCOUNT}:bad-fn-jobs"
    make_function(aws_env, "plain-fn")
    plain = handle(LambdaFunction, "plain-fn")
    assert plain.reserved_concurrency is None
    assert plain.event_source_mappings == [] and not plain.event_sources_enabled


def test_allows_invoke_by(aws_env: Any, handle: Any) -> None:
    make_function(aws_env, "fn")
    make_function(aws_env, "no-policy-fn")
    lam = aws_env.client("lambda")
    lam.add_permission(FunctionName="fn", StatementId="rule", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=RULE_ARN)
    lam.add_permission(FunctionName="fn", StatementId="acct", Action="lambda:*",
                       Principal="210987654321")
    fn = handle(LambdaFunction, f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn")
    assert fn.name == "fn"
    assert fn.allows_invoke_by("events.amazonaws.com")
    assert fn.allows_invoke_by("events.amazonaws.com", source_arn=RULE_ARN)
    assert not fn.allows_invoke_by("events.amazonaws.com", source_arn=RULE_ARN + "-other")
    assert not fn.allows_invoke_by("apigateway.amazonaws.com")
    assert fn.allows_invoke_by("210987654321")
    assert fn.allows_invoke_by("arn:aws:iam::210987654321:root")
    assert not handle(LambdaFunction, "no-policy-fn").allows_invoke_by("events.amazonaws.com")
    with pytest.raises(ResourceNotFound):  # no function is not the same as no policy
        handle(LambdaFunction, "gone-fn").allows_invoke_by("events.amazonaws.com")


def test_configuration_properties_share_one_call(aws_env: Any) -> None:
    make_function(aws_env, "fn", TracingConfig={"Mode": "Active"})
    fn = LambdaFunction("fn", aws=AwsContext(region=REGION))  # a client of its own for the hook
    calls: list[str] = []
    fn.client.meta.events.register("before-call.lambda.GetFunctionConfiguration",
                                   lambda **_: calls.append("GetFunctionConfiguration"))
    assert fn.tracing_mode == "Active"
    assert fn.layers == []
    assert fn.memory_mb == 128 and fn.timeout_s == 3 and fn.status == "Active"
    assert calls == ["GetFunctionConfiguration"]


# ----------------------------------------------------------------------------- Logs


def test_no_lines_matching(pytester: pytest.Pytester, aws_env: Any) -> None:
    log_recent(aws_env, "/aws/lambda/good-fn", "START RequestId: 1", "INFO done", "END RequestId: 1")
    log_recent(aws_env, "/aws/lambda/bad-fn", "START RequestId: 2",
               "2026-01-01T00:00:00Z 2 Task timed out after 3.00 seconds")
    log_recent(aws_env, "/aws/lambda/old-fn", "Task timed out after 3.00 seconds", minutes_ago=30)
    result = run(pytester, {"good": "/aws/lambda/good-fn", "bad": "/aws/lambda/bad-fn",
                            "old": "/aws/lambda/old-fn"}, """
        import pytest
        @pytest.mark.aws_output(log_group=["good", "bad", "old"])
        def test_no_timeouts(log_group):
            assert log_group.no_lines_matching('"Task timed out"', minutes=15)
    """)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        'Log group /aws/lambda/bad-fn in us-east-1 has lines matching "Task timed out" in the last 15 min',
        "*aws logs filter-log-events --log-group-name /aws/lambda/bad-fn --filter-pattern "
        "'\"Task timed out\"' --start-time $(($(date +%s) - 15 * 60))000 --region us-east-1",
        "*aws logs tail /aws/lambda/bad-fn --since 15m --log-stream-names '2026/01/01/[[]$LATEST[]]*' --region us-east-1",
    ])


def test_value_absent_never_reveals_the_value(pytester: pytest.Pytester, aws_env: Any) -> None:
    log_recent(aws_env, "/app/clean", "starting", "token accepted for user 42")
    log_recent(aws_env, "/app/leaky", "starting", f"calling api with key={SECRET}",
               json.dumps({"headers": {"x-api-key": SECRET}}))
    result = run(pytester, {"clean": "/app/clean", "leaky": "/app/leaky"}, f"""
        import pytest
        SECRET = "{SECRET}"
        @pytest.mark.aws_output(log_group=["clean", "leaky"])
        def test_secret_not_logged(log_group):
            assert log_group.value_absent(SECRET)
        @pytest.mark.aws_output(log_group="leaky")
        def test_explicit_message(log_group):
            found = log_group.value_absent(SECRET, minutes=10)
            assert found, f"leaked: {{SECRET}}"
        def test_too_short(aws):
            aws.log_group("/app/clean").value_absent("abc")
    """, "-vv", "-rA", "--junitxml=report.xml")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([
        "Log group /app/leaky in us-east-1 contains a value that must never be logged "
        "(in 2 line(s) of the last 60 min; streams: 2026/01/01/[[]$LATEST[]]*)",
        "*aws logs filter-log-events --log-group-name /app/leaky --log-stream-names '2026/01/01/[[]$LATEST[]]*' "
        "--filter-pattern '\"<the value>\"'*",
        "*rotate the exposed secret now*",
        "*aws logs delete-log-stream --log-group-name /app/leaky --log-stream-name <stream>*",
        "*(in 2 line(s) of the last 10 min*",
        "*ValueError: value_absent needs a string of at least 4 characters*",
    ])
    report = (pytester.path / "report.xml").read_text()
    for text in (result.stdout.str(), result.stderr.str(), report):
        assert SECRET not in text
    assert "***" in result.stdout.str()


def test_value_absent_records_only_the_verdict(aws_env: Any, handle: Any) -> None:
    from pytest_awshealth.probes import recording

    log_recent(aws_env, "/app/leaky", f"key={SECRET}")
    group = handle(LogGroup, "/app/leaky")
    with recording() as records:
        found = group.value_absent(SECRET)
    assert not found and found.lines == 1 and found.streams[0].startswith("2026/01/01/[$LATEST]")
    assert [(r.hint, r.value, r.healthy) for r in records] == [
        ("logs.group.value_absent", False, False)]
    assert SECRET not in repr(records) and SECRET not in repr(group.hint_context())
    assert SECRET in group.aws.redactor
    with pytest.raises(ResourceNotFound) as missing:
        handle(LogGroup, "/app/gone").value_absent(SECRET)
    assert SECRET not in str(missing.value)


def test_retention(pytester: pytest.Pytester, aws_env: Any) -> None:
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="/app/kept")
    logs.put_retention_policy(logGroupName="/app/kept", retentionInDays=30)
    logs.create_log_group(logGroupName="/app/forever")
    result = run(pytester, {"kept": "/app/kept", "forever": "/app/forever"}, """
        import pytest
        @pytest.mark.aws_output(log_group=["kept", "forever"])
        def test_retention(log_group):
            assert log_group.retention_days
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "Log group /app/forever in us-east-1 keeps logs forever (no retention set)",
        "*aws logs put-retention-policy --log-group-name /app/forever --retention-in-days 30 --region us-east-1",
    ])


# ----------------------------------------------------------------------------- DynamoDB


def _table_pair(emu: Any) -> None:
    """good: PITR, stream, ACTIVE index, a backup, an item; bad: none of these."""
    ddb = emu.client("dynamodb")
    index = [{"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
              "Projection": {"ProjectionType": "ALL"}}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"},
                  {"AttributeName": "owner", "AttributeType": "S"}]
    ddb.create_table(TableName="good", AttributeDefinitions=attributes, GlobalSecondaryIndexes=index,
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                     **TABLE)
    ddb.create_table(TableName="bad", AttributeDefinitions=attributes, GlobalSecondaryIndexes=index,
                     **TABLE)
    set_gsi_status(emu, "bad", "by-owner", "CREATING")
    ddb.update_continuous_backups(TableName="good", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    ddb.create_backup(TableName="good", BackupName="good-nightly")
    ddb.put_item(TableName="good", Item={"pk": {"S": "a"}, "owner": {"S": "o"}})


def test_dynamo_data_probes(pytester: pytest.Pytester, aws_env: Any) -> None:
    _table_pair(aws_env)
    result = run(pytester, {"good": "good", "bad": "bad"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(dynamo_table=["good", "bad"])
        def test_pitr(dynamo_table):
            assert dynamo_table.pitr_enabled
        def test_stream(dynamo_table):
            assert dynamo_table.stream_enabled
            assert dynamo_table.stream_view_type == "NEW_AND_OLD_IMAGES"
        def test_index(dynamo_table):
            assert dynamo_table.gsi_active("by-owner")
        def test_all_indexes(dynamo_table):
            assert dynamo_table.all_gsis_active
        def test_backups(dynamo_table):
            assert dynamo_table.has_backups
        def test_items(dynamo_table):
            assert dynamo_table.item_count > 0
    """)
    result.assert_outcomes(passed=6, failed=6)
    table = "--table-name bad --region us-east-1"
    result.stdout.fnmatch_lines([
        "DynamoDB table bad in us-east-1 does not have point-in-time recovery enabled",
        f"*aws dynamodb describe-continuous-backups {table}",
        f"*aws dynamodb update-continuous-backups {table} "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",
    ])
    result.stdout.fnmatch_lines([
        "DynamoDB table bad in us-east-1 does not have the expected stream",
        f"*aws dynamodb update-table {table} --stream-specification "
        "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
    ])
    result.stdout.fnmatch_lines([
        "DynamoDB table bad in us-east-1: global secondary index by-owner is missing or not ACTIVE",
        f"*aws dynamodb describe-table {table} --query "
        "'Table.GlobalSecondaryIndexes[[]].[[]IndexName,IndexStatus,Backfilling[]]'",
        "*re-run the deploy that creates by-owner",
    ])
    result.stdout.fnmatch_lines([
        "DynamoDB table bad in us-east-1 has no on-demand backups",
        f"*aws dynamodb create-backup {table} --backup-name bad-manual",
    ])
    result.stdout.fnmatch_lines([
        "DynamoDB table bad in us-east-1 has an unexpected item count",
        "*refreshed only about every six hours*",
        f"*aws dynamodb scan {table} --select COUNT*",
    ])
    assert "table good in" not in result.stdout.str()


def test_dynamo_data_values(aws_env: Any, handle: Any) -> None:
    _table_pair(aws_env)
    good, bad = handle(DynamoTable, "good"), handle(DynamoTable, "bad")
    assert good.pitr_enabled and not bad.pitr_enabled
    assert (good.stream_view_type, bad.stream_view_type) == ("NEW_AND_OLD_IMAGES", None)
    assert good.gsis == {"by-owner": "ACTIVE"} and bad.gsis == {"by-owner": "CREATING"}
    assert not good.gsi_active("by-name")
    assert good.backups == ["good-nightly"] and bad.backups == []
    assert good.item_count == 1
    arn = handle(DynamoTable, f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/good")
    assert arn.name == "good" and arn.pitr_enabled
    with pytest.raises(ResourceNotFound):  # DescribeContinuousBackups: TableNotFoundException
        handle(DynamoTable, "gone").pitr_enabled
    with pytest.raises(ResourceNotFound):  # ListBackups of an unknown table is just empty
        handle(DynamoTable, "gone").backups


def test_dynamo_throttles(pytester: pytest.Pytester, aws_env: Any) -> None:
    ddb = aws_env.client("dynamodb")
    for name in ("calm", "hot"):
        ddb.create_table(TableName=name, AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"}], **TABLE)
    for operation, count in (("PutItem", 4), ("Query", 1)):
        put_datapoint(aws_env, "AWS/DynamoDB", "ThrottledRequests",
                   {"TableName": "hot", "Operation": operation}, count)
    put_datapoint(aws_env, "AWS/DynamoDB", "ThrottledRequests", {"TableName": "calm", "Operation": "PutItem"},
               9, minutes_ago=120)
    put_datapoint(aws_env, "AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "hot"}, 6)
    put_datapoint(aws_env, "AWS/DynamoDB", "ReadThrottleEvents",
               {"TableName": "hot", "GlobalSecondaryIndexName": "by-owner"}, 2)
    result = run(pytester, {"calm": "calm", "hot": "hot"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(dynamo_table=["calm", "hot"])
        def test_requests(dynamo_table):
            assert dynamo_table.throttled_requests(minutes=15) == 0
        def test_events(dynamo_table):
            assert dynamo_table.throttle_events(minutes=15) == 0
    """)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "DynamoDB table hot in us-east-1 was throttled (ThrottledRequests: 5) in the last 15 min",
        "*aws cloudwatch list-metrics --namespace AWS/DynamoDB --metric-name ThrottledRequests "
        "--dimensions Name=TableName,Value=hot --region us-east-1",
        "*aws dynamodb update-table --table-name hot --region us-east-1 --billing-mode PAY_PER_REQUEST",
    ])
    result.stdout.fnmatch_lines([
        "DynamoDB table hot in us-east-1 was throttled "
        "(ReadThrottleEvents+WriteThrottleEvents: 8) in the last 15 min",
    ])


def test_metric_peaks_and_lambda_duration(pytester: pytest.Pytester, aws_env: Any) -> None:
    put_duration(aws_env, "slow-fn", 120, 480, 2900)
    put_duration(aws_env, "fast-fn", 40, 60)
    result = run(pytester, {"slow": "slow-fn", "fast": "fast-fn"}, """
        import pytest
        @pytest.mark.aws_output(lambda_fn=["fast", "slow"])
        def test_duration(lambda_fn, aws):
            assert lambda_fn.max_duration_ms() < 1000
        def test_peak(aws):
            cw = aws.cloudwatch("any")
            dims = {"FunctionName": "slow-fn"}
            assert cw.metric_peak("AWS/Lambda", "Duration", dims, "Average") == 1166.6666666666667
            assert cw.metric_peak("AWS/Lambda", "Duration", dims, "Maximum") == 2900
    """)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "Lambda function slow-fn in us-east-1 runs slower than the check allows (Maximum "
        "Duration peaked at 2900 ms in the last 60 min)",
        "*--period 300 --statistics Maximum --region us-east-1",
        "*aws lambda update-function-configuration --function-name slow-fn --region us-east-1 "
        "--memory-size 1024*"])


def test_metric_peak_of_minimum_is_the_lowest_period(pytester: pytest.Pytester, aws_env: Any) -> None:
    for value, minutes_ago in ((900, 2), (40, 12), (300, 22)):
        put_datapoint(aws_env, "AWS/ES", "FreeStorageSpace", {"DomainName": "logs"}, value,
                      minutes_ago=minutes_ago)
    result = run(pytester, {}, """
        def test_peaks(aws):
            cw, dims = aws.cloudwatch("any"), {"DomainName": "logs"}
            assert cw.metric_peak("AWS/ES", "FreeStorageSpace", dims, "Minimum") == 40
            assert cw.metric_peak("AWS/ES", "FreeStorageSpace", dims, "Maximum") == 900
    """)
    result.assert_outcomes(passed=1)


def put_duration(emu: Any, function: str, *millis: float) -> None:
    make_function(emu, function)
    for value in millis:
        put_datapoint(emu, "AWS/Lambda", "Duration", {"FunctionName": function}, value)
