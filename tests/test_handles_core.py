"""The Mantissa Log handles, each healthy and broken, with the hint their failure carries."""

from __future__ import annotations

import json


from pytest_awshealth.emulator.stacks import create_function, lambda_role, log_recent

TABLE_SCHEMA = dict(BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])


def run(pytester, outputs: dict, body: str, *args: str):
    (pytester.path / "outputs.json").write_text(json.dumps(outputs))
    pytester.makepyfile(body)
    return pytester.runpytest("--aws-outputs", "outputs.json", *args)


def test_dynamo_table_ttl(pytester, aws_env) -> None:
    ddb = aws_env.client("dynamodb")
    for name in ("with-ttl", "no-ttl"):
        ddb.create_table(TableName=name, **TABLE_SCHEMA)
    ddb.update_time_to_live(TableName="with-ttl", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires"})
    result = run(pytester, {"good": "with-ttl", "bad": "no-ttl"}, """
        import pytest
        @pytest.mark.aws_output(dynamo_table=["good", "bad"])
        def test_ttl(dynamo_table):
            assert dynamo_table.exists and dynamo_table.status == "ACTIVE"
            assert dynamo_table.billing_mode == "PAY_PER_REQUEST"
            assert dynamo_table.ttl_enabled
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*awshealth remediation*",
        "DynamoDB table no-ttl in us-east-1 does not have TTL enabled",
        "Likely causes:", "*TTL was never enabled*",
        "*aws dynamodb describe-time-to-live --table-name no-ttl --region us-east-1",
        "Fix:",
        '*aws dynamodb update-time-to-live --table-name no-ttl --region us-east-1 '
        '--time-to-live-specification "Enabled=true, AttributeName=ttl"',
        "FAILED*test_ttl[[]bad[]] - no-ttl: does not have TTL*",
    ])


def test_missing_table_names_account_and_output(pytester, aws_env) -> None:
    result = run(pytester, {"state_table_name": "gone"}, """
        import pytest
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_exists(dynamo_table):
            assert dynamo_table.exists
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_ttl_of_missing(dynamo_table):
            assert dynamo_table.ttl_enabled
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "DynamoDB table gone does not exist in us-east-1 (account 123456789012)",
        "*output 'state_table_name' holds the wrong table name*",
        "*aws dynamodb list-tables --region us-east-1*",
    ])
    assert "botocore/client.py" not in result.stdout.str()


def test_s3_bucket_probes(pytester, aws_env) -> None:
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="logs")
    s3.put_object(Bucket="logs", Key="rules/a.yaml", Body=b"x")
    s3.put_bucket_policy(Bucket="logs", Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/cloudtrail/*"}]}))
    result = run(pytester, {"logs_bucket": "logs"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(s3_bucket="logs_bucket")
        def test_healthy(s3_bucket):
            assert s3_bucket.exists and s3_bucket.location == "us-east-1"
            assert s3_bucket.objects("rules/") == ["rules/a.yaml"]
            assert s3_bucket.policy_allows("cloudtrail.amazonaws.com", "s3:PutObject", "cloudtrail/*")
        def test_no_objects(s3_bucket):
            assert s3_bucket.objects("detections/")
        def test_policy_does_not_cover(s3_bucket):
            assert s3_bucket.policy_allows("cloudtrail.amazonaws.com", "s3:PutObject", "other/*")
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "S3 bucket logs has no objects under the expected prefix",
        "S3 bucket policy of logs does not allow the expected principal and action",
        "*aws s3api put-bucket-policy --bucket logs --policy file://bucket-policy.json",
    ])


def test_lambda_function_probes(pytester, aws_env) -> None:
    env = {"Variables": {"LLM_PROVIDER": "bedrock"}}
    create_function(aws_env, "fn-ok", lambda_role(aws_env, "r"), Environment=env)
    log_recent(aws_env, "/aws/lambda/fn-ok", "[INFO] done", minutes_ago=3)
    result = run(pytester, {"fn": "fn-ok", "gone": "fn-gone"}, """
        import pytest
        from datetime import timedelta
        @pytest.mark.aws_output(lambda_fn="fn")
        def test_healthy(lambda_fn):
            assert lambda_fn.status == "Active" and lambda_fn.runtime == "python3.11"
            assert (lambda_fn.memory_mb, lambda_fn.timeout_s) == (512, 300)
            assert lambda_fn.env_var_names == {"LLM_PROVIDER"}
            assert lambda_fn.last_activity_age < timedelta(minutes=10)
            assert lambda_fn.dry_run()
            assert lambda_fn.invoke({"ping": 1}).ok
        @pytest.mark.aws_output(lambda_fn="fn")
        def test_memory(lambda_fn):
            assert lambda_fn.memory_mb >= 1024
        @pytest.mark.aws_output(lambda_fn="gone")
        def test_missing(lambda_fn):
            assert lambda_fn.status == "Active"
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "Lambda function fn-ok in us-east-1 has an unexpected memory size",
        "*aws lambda update-function-configuration --function-name fn-ok --region us-east-1 --memory-size 1024",
        "Lambda function fn-gone does not exist in us-east-1 (account 123456789012)",
    ])


def test_event_rule_probes(pytester, aws_env) -> None:
    events = aws_env.client("events")
    events.put_rule(Name="on", ScheduleExpression="rate(5 minutes)", State="ENABLED")
    events.put_rule(Name="off", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    result = run(pytester, {"on": "on", "off": "off"}, """
        import pytest
        @pytest.mark.aws_output(event_rule=["on", "off"])
        def test_rule(event_rule):
            assert event_rule.schedule == "rate(5 minutes)"
            assert event_rule.enabled
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "EventBridge rule off in us-east-1 is DISABLED, so its targets never run",
        "*aws events enable-rule --name off --region us-east-1"])


def test_athena_probes(pytester, aws_env) -> None:
    athena = aws_env.client("athena")
    config = {"ResultConfiguration": {"OutputLocation": "s3://results/"}}
    athena.create_work_group(Name="wg", Configuration=config)
    athena.create_work_group(Name="wg-off", Configuration=config)
    aws_env.set_athena_workgroup_state("wg-off", "DISABLED")
    aws_env.client("glue").create_database(DatabaseInput={"Name": "db"})
    body = """
        import pytest
        @pytest.mark.aws_output(athena="wg")
        def test_query(athena):
            assert athena.exists and athena.enabled
            result = athena.query("SELECT 1", database="db", timeout=10)
            assert result.ok
        @pytest.mark.aws_output(athena="wg-off")
        def test_disabled(athena):
            assert athena.enabled
        @pytest.mark.aws_output(athena="missing")
        def test_missing(athena):
            assert athena.exists
    """
    result = run(pytester, {"wg": "wg", "wg-off": "wg-off", "missing": "nope"}, body)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "Athena workgroup wg-off in us-east-1 is DISABLED*",
        "*aws athena update-work-group --work-group wg-off --state ENABLED --region us-east-1",
        "Athena workgroup nope does not exist in us-east-1"])


def test_athena_failed_query_hint_has_query_id_and_reason(pytester, aws_env) -> None:
    aws_env.client("athena").create_work_group(Name="wg", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://results/"}})
    aws_env.fail_next_athena_queries("TABLE_NOT_FOUND: Table cloudtrail does not exist")
    result = run(pytester, {"wg": "wg"}, """
        import pytest
        @pytest.mark.aws_output(athena="wg")
        def test_query(athena):
            assert athena.query("SELECT * FROM cloudtrail", timeout=10).ok
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "Athena query * in workgroup wg (us-east-1) did not succeed: TABLE_NOT_FOUND*",
        "*aws athena get-query-execution --query-execution-id * --region us-east-1*"])


def test_glue_database_probes(pytester, aws_env) -> None:
    glue = aws_env.client("glue")
    glue.create_database(DatabaseInput={"Name": "db"})
    glue.create_table(DatabaseName="db", TableInput={"Name": "cloudtrail"})
    result = run(pytester, {"db": "db", "gone": "nodb"}, """
        import pytest
        @pytest.mark.aws_output(glue_database="db")
        def test_tables(glue_database):
            assert glue_database.exists and glue_database.tables == ["cloudtrail"]
        @pytest.mark.aws_output(glue_database="db")
        def test_missing_table(glue_database):
            assert "vpc_flow" in glue_database.tables
        @pytest.mark.aws_output(glue_database="gone")
        def test_missing(glue_database):
            assert glue_database.exists
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["Glue database db in us-east-1 lacks an expected table",
                                 "Glue database nodb does not exist in us-east-1"])


def test_http_endpoint_probes(pytester, aws_env, api_stub) -> None:
    api_stub.route("/health", 200, {"status": "healthy"})
    api_stub.route("/private", 403, {"message": "Forbidden"})
    api_stub.route("/broken", 503, "down")
    result = run(pytester, {"api_endpoint": api_stub.url}, """
        import pytest
        pytestmark = pytest.mark.aws_output(http_endpoint="api_endpoint")
        def test_health(http_endpoint):
            response = http_endpoint.get("/health")
            assert response.status == 200 and response.json() == {"status": "healthy"}
            assert response.latency_ms < 5000
        def test_protected_counts_as_reachable(http_endpoint):
            assert http_endpoint.reachable("/private")
        def test_broken(http_endpoint):
            assert http_endpoint.reachable("/broken")
    """)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([f"{api_stub.url} is not reachable", "*curl -sv*"])


def test_log_group_probes(pytester, aws_env) -> None:
    log_recent(aws_env, "/app/ok", "[INFO] fine", minutes_ago=1)
    log_recent(aws_env, "/app/err", "[ERROR] Athena query failed", minutes_ago=1)
    log_recent(aws_env, "/app/old", "[INFO] long ago", minutes_ago=600)
    result = run(pytester, {"ok": "/app/ok", "err": "/app/err", "old": "/app/old"}, """
        import pytest
        from datetime import timedelta
        @pytest.mark.aws_output(log_group="ok")
        def test_ok(log_group):
            assert log_group.exists
            assert log_group.latest_event_age < timedelta(minutes=5)
            assert log_group.recent("INFO", since=timedelta(minutes=10)) == ["[INFO] fine"]
            assert not log_group.errors()
        @pytest.mark.aws_output(log_group="err")
        def test_errors(log_group):
            assert not log_group.errors()
        @pytest.mark.aws_output(log_group="old")
        def test_stale(log_group):
            assert log_group.latest_event_age < timedelta(hours=1)
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["Log group /app/err in us-east-1 has recent error lines",
                                 "Log group /app/old in us-east-1 shows no recent activity"])


def test_secret_value_is_masked(pytester, aws_env) -> None:
    aws_env.client("secretsmanager").create_secret(Name="app/slack", SecretString="hook-5ecr3t-xyz")
    result = run(pytester, {"slack": "app/slack", "gone": "app/none"}, """
        import pytest
        @pytest.mark.aws_output(secret="slack")
        def test_value(secret):
            assert secret.exists
            value = secret.reveal()
            print("value:", value, repr(value))
            assert value.reveal().startswith("nope")
        @pytest.mark.aws_output(secret="gone")
        def test_missing(secret):
            assert secret.exists
    """, "-l", "-rA")
    result.assert_outcomes(failed=2)
    assert "hook-5ecr3t-xyz" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*value: *** SecretValue('***')*",
                                 "Secrets Manager secret app/none does not exist in us-east-1"])


def test_identity(pytester, aws_env) -> None:
    result = run(pytester, {}, """
        def test_who(aws_identity):
            assert aws_identity.account == "123456789012" and aws_identity.healthy
        def test_wrong_account(aws_identity):
            assert aws_identity.account == "999999999999"
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["The checks run as an unexpected identity or account"])


def test_one_describe_per_resource(aws_env) -> None:
    """Several properties of one handle cost one DescribeTable call."""
    from pytest_awshealth import AwsContext, DynamoTable

    aws_env.client("dynamodb").create_table(TableName="t", **TABLE_SCHEMA)
    table = DynamoTable("t", aws=AwsContext(region="us-east-1", endpoint_url=aws_env.url))
    calls = []
    table.client.meta.events.register("before-call.dynamodb.*",
                                      lambda model, **kw: calls.append(model.name))
    assert (table.exists, table.status, table.billing_mode, table.key_schema) == (
        True, "ACTIVE", "PAY_PER_REQUEST", {"HASH": "pk"})
    assert calls == ["DescribeTable"]


def test_handles_work_outside_pytest(aws_env) -> None:
    from pytest_awshealth import S3Bucket

    aws_env.client("s3").create_bucket(Bucket="plain")
    assert S3Bucket("plain").exists
    assert not S3Bucket("arn:aws:s3:::nope").exists



def test_ttl_on_the_wrong_attribute_has_its_own_hint(pytester, aws_env) -> None:
    ddb = aws_env.client("dynamodb")
    ddb.create_table(TableName="sessions", **TABLE_SCHEMA)
    ddb.update_time_to_live(TableName="sessions", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expiry"})
    result = run(pytester, {"table": "sessions"}, """
        import pytest
        @pytest.mark.aws_output(dynamo_table="table")
        def test_attribute(dynamo_table):
            assert dynamo_table.ttl_enabled
            assert dynamo_table.ttl_attribute == "expires_at"
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "DynamoDB table sessions in us-east-1 reads TTL from attribute 'expiry', not the one*",
        '*update-time-to-live --table-name sessions --region us-east-1 '
        '--time-to-live-specification "Enabled=false, AttributeName=expiry"'])


def test_reading_a_secret_scheduled_for_deletion_says_restore(pytester, aws_env) -> None:
    sm = aws_env.client("secretsmanager")
    sm.create_secret(Name="app/db", SecretString="s3cr3t-value")
    sm.delete_secret(SecretId="app/db", RecoveryWindowInDays=7)
    result = run(pytester, {"db": "app/db"}, """
        import pytest
        @pytest.mark.aws_output(secret="db")
        def test_value(secret):
            assert secret.reveal()
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "Secrets Manager secret app/db in us-east-1 is scheduled for deletion on "
        "20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9] UTC",
        "*$ aws secretsmanager restore-secret --secret-id app/db --region us-east-1"])
    # AWS refused the read: the failure shows the test's line, not the plugin's source
    assert "resources/secrets.py" not in result.stdout.str()
    result.stdout.fnmatch_lines(["E *AwsCallError: GetSecretValue on Secret('app/db'*"
                                 "InvalidRequestException*",
                                 "*test_reading_a_secret_scheduled_for_deletion_says_restore.py:4:"
                                 " AwsCallError"])


def test_prose_fix_lines_are_not_shown_as_commands() -> None:
    from pytest_awshealth import Hint

    text = Hint("t", fix=("aws s3 ls", "re-run the deploy")).render({})
    assert "  $ aws s3 ls" in text and "  - re-run the deploy" in text


def test_fields_of_a_json_secret_are_masked_too(pytester, aws_env) -> None:
    aws_env.client("secretsmanager").create_secret(
        Name="app/oauth", SecretString='{"client_id": "addon-1", "client_secret": "cs-91xq7"}')
    result = run(pytester, {"oauth": "app/oauth"}, """
        import json, pytest
        @pytest.mark.aws_output(secret="oauth")
        def test_fields(secret):
            fields = json.loads(secret.reveal().reveal())
            assert fields["client_secret"] == "nope", fields
    """, "-l", "-vv")
    result.assert_outcomes(failed=1)
    assert "cs-91xq7" not in result.stdout.str() and "addon-1" not in result.stdout.str()
