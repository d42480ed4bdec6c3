"""Mantissa Log post-deploy gate: the guide's smoke tests and health check as pytest tests.

    terraform output -json > terraform-outputs.json
    pytest --aws-outputs terraform-outputs.json examples/mantissa_log
"""

from datetime import timedelta

import pytest

FUNCTIONS = ["detection_engine_function_name", "llm_query_function_name",
             "alert_router_function_name"]


def test_aws_credentials_work(aws_identity):
    assert aws_identity.account


@pytest.mark.aws_output(s3_bucket=["logs_bucket", "rules_bucket", "athena_results_bucket"])
def test_bucket_exists(s3_bucket):
    assert s3_bucket.exists


@pytest.mark.aws_output(s3_bucket="logs_bucket")
def test_cloudtrail_can_write_logs(s3_bucket):
    assert s3_bucket.policy_allows("cloudtrail.amazonaws.com", "s3:PutObject", "cloudtrail/*")


@pytest.mark.aws_output(s3_bucket="rules_bucket")
def test_detection_rules_loaded(s3_bucket):
    assert s3_bucket.objects("rules/")


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_active(lambda_fn):
    assert lambda_fn.status == "Active"


@pytest.mark.aws_output(lambda_fn="llm_query_function_name")
def test_llm_provider_configured(lambda_fn):
    assert "LLM_PROVIDER" in lambda_fn.env_var_names


@pytest.mark.aws_output(lambda_fn="$.lambda_names.detector")
def test_detection_engine_ran_recently(lambda_fn):
    age = lambda_fn.last_activity_age
    assert age is not None and age < timedelta(hours=1)


@pytest.mark.aws_output(lambda_fn=["$.lambda_names.detector", "$.lambda_names.router"])
def test_no_recent_errors(lambda_fn):
    assert not lambda_fn.log_group.errors("ERROR", since=timedelta(minutes=15))


@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_state_table_has_ttl(dynamo_table):
    assert dynamo_table.ttl_enabled


@pytest.mark.aws_output(event_rule="detection_schedule_rule_name")
def test_detection_schedule_enabled(event_rule):
    assert event_rule.enabled


@pytest.mark.aws_output(http_endpoint="api_endpoint")
def test_api_reachable(http_endpoint):
    assert http_endpoint.reachable("/health")  # 401/403 count: the API is up, just protected


@pytest.mark.aws_output(glue_database="database_name")
def test_glue_database_exists(glue_database):
    assert glue_database.exists


@pytest.mark.aws_output(athena="athena_workgroup_name")
def test_athena_workgroup_enabled(athena):
    assert athena.enabled


@pytest.mark.aws_output(athena="athena_workgroup_name")
def test_athena_query_succeeds(athena, aws_outputs):
    result = athena.query("SELECT 1", database=aws_outputs["database_name"], timeout=30)
    assert result.ok, result.reason


@pytest.mark.aws_output(secret="alert_secret_name")
def test_alert_secret_exists(secret):
    assert secret.exists
