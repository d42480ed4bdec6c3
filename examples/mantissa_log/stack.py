"""Mantissa Log (Terraform): buckets, state table, three functions, a schedule, Athena, an API."""

from __future__ import annotations

import json
from typing import Any

from pytest_awshealth.emulator.stacks import (Break, Deployment, Stack, create_function,
                                              lambda_role, log_recent, terraform_outputs)

P = "mantissa-log"
FUNCTIONS = {"detection_engine": f"{P}-detection-engine", "llm_query": f"{P}-llm-query",
             "alert_router": f"{P}-alert-router"}
BUCKETS = {"logs": f"{P}-logs-123456789012", "rules": f"{P}-rules-123456789012",
           "athena_results": f"{P}-athena-results-123456789012"}
TABLE, RULE, WORKGROUP, DATABASE = f"{P}-state", f"{P}-detection-schedule", P, "mantissa_log"
SLACK_SECRET = f"{P}/alerts/slack"


def cloudtrail_policy(bucket: str) -> str:
    """The bucket policy CloudTrail needs to deliver to ``cloudtrail/``."""
    principal = {"Service": "cloudtrail.amazonaws.com"}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": principal,
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": principal,
         "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/cloudtrail/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]})


def provision(d: Deployment) -> None:
    s3 = d.client("s3")
    for bucket in BUCKETS.values():
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=BUCKETS["logs"], Policy=cloudtrail_policy(BUCKETS["logs"]))
    for rule in ("aws/root-login.yaml", "aws/iam-key-created.yaml"):
        s3.put_object(Bucket=BUCKETS["rules"], Key=f"rules/{rule}", Body=b"name: demo\n")
    _state_table(d)
    _functions(d)
    events = d.client("events")
    events.put_rule(Name=RULE, ScheduleExpression="rate(5 minutes)", State="ENABLED")
    events.put_targets(Rule=RULE, Targets=[{"Id": "detection-engine",
                                            "Arn": d.names["detection_engine_arn"]}])
    d.client("glue").create_database(DatabaseInput={"Name": DATABASE})
    d.client("glue").create_table(DatabaseName=DATABASE, TableInput={
        "Name": "cloudtrail", "StorageDescriptor": {
            "Columns": [{"Name": "eventtime", "Type": "string"}],
            "Location": f"s3://{BUCKETS['logs']}/cloudtrail/"}})
    d.client("athena").create_work_group(Name=WORKGROUP, Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{BUCKETS['athena_results']}/"}})
    d.client("secretsmanager").create_secret(
        Name=SLACK_SECRET, SecretString=json.dumps({"webhook_url": "https://hooks.example/T0"}))
    d.api.route("/health", 200, {"status": "healthy"})
    d.api.route("/api/query", 401, {"message": "Unauthorized"})


def _state_table(d: Deployment) -> None:
    dynamodb = d.client("dynamodb")
    dynamodb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    dynamodb.update_time_to_live(TableName=TABLE, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "ttl"})


def _functions(d: Deployment) -> None:
    role = lambda_role(d, f"{P}-lambda")
    env = {"detection_engine": {"STATE_TABLE": TABLE, "RULES_BUCKET": BUCKETS["rules"]},
           "llm_query": {"LLM_PROVIDER": "bedrock", "ATHENA_WORKGROUP": WORKGROUP},
           "alert_router": {"SLACK_SECRET_ID": SLACK_SECRET}}
    for key, name in FUNCTIONS.items():
        d.names[f"{key}_arn"] = create_function(
            d, name, role, Environment={"Variables": env[key]})
        log_recent(d, f"/aws/lambda/{name}", "[INFO] Detection cycle completed successfully",
                   "[INFO] Generated 0 alerts")


def outputs(d: Deployment) -> dict[str, Any]:
    values = {
        "logs_bucket": BUCKETS["logs"], "rules_bucket": BUCKETS["rules"],
        "athena_results_bucket": BUCKETS["athena_results"], "state_table_name": TABLE,
        **{f"{key}_function_name": name for key, name in FUNCTIONS.items()},
        "lambda_names": {"detector": FUNCTIONS["detection_engine"],
                         "llm": FUNCTIONS["llm_query"], "router": FUNCTIONS["alert_router"]},
        "detection_schedule_rule_name": RULE, "athena_workgroup_name": WORKGROUP,
        "database_name": DATABASE, "api_endpoint": d.api.url,
        "alert_secret_name": SLACK_SECRET,
        "api_admin_token": "mlog-admin-7f3c9a51e2d8",
    }
    return terraform_outputs(values, sensitive=("api_admin_token",))


def _disable_ttl(d: Deployment) -> None:
    d.client("dynamodb").update_time_to_live(TableName=TABLE, TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "ttl"})


def _delete_bucket(d: Deployment) -> None:
    s3 = d.client("s3")
    for item in s3.list_objects_v2(Bucket=BUCKETS["rules"]).get("Contents", []):
        s3.delete_object(Bucket=BUCKETS["rules"], Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKETS["rules"])


def _drop_policy(d: Deployment) -> None:
    d.client("s3").delete_bucket_policy(Bucket=BUCKETS["logs"])


def _errors(d: Deployment) -> None:
    log_recent(d, f"/aws/lambda/{FUNCTIONS['alert_router']}",
               "[ERROR] Secrets Manager secret not found", "[ERROR] Alert routing failed",
               minutes_ago=1)


BREAKS = {
    "ttl": Break("TTL disabled on the state table", _disable_ttl, ("test_state_table_has_ttl",),
                    ("DynamoDB table mantissa-log-state in us-east-1 does not have TTL enabled", "*aws dynamodb update-time-to-live --table-name mantissa-log-state --region us-east-1*")),
    "rule": Break("detection schedule rule disabled",
                  lambda d: d.client("events").disable_rule(Name=RULE),
                  ("test_detection_schedule_enabled",),
                    ("EventBridge rule mantissa-log-detection-schedule in us-east-1 is DISABLED*", "*aws events enable-rule --name mantissa-log-detection-schedule --region us-east-1")),
    "bucket": Break("rules bucket deleted", _delete_bucket,
                    ("test_bucket_exists[rules_bucket]", "test_detection_rules_loaded"),
                    ("S3 bucket mantissa-log-rules-123456789012 does not exist*", "*aws s3 mb s3://mantissa-log-rules-123456789012 --region us-east-1*")),
    "function": Break("detection-engine function deleted",
                      lambda d: d.client("lambda").delete_function(
                          FunctionName=FUNCTIONS["detection_engine"]),
                      ("test_function_active[detection_engine_function_name]",),
                    ("Lambda function mantissa-log-detection-engine does not exist in us-east-1*", "*aws lambda list-functions --region us-east-1*")),
    "workgroup": Break("Athena workgroup disabled",
                       lambda d: d.emulator.set_athena_workgroup_state(WORKGROUP, "DISABLED"),
                       # AWS refuses queries in a disabled workgroup, so the query fails too
                       ("test_athena_workgroup_enabled", "test_athena_query_succeeds"),
                    ("Athena workgroup mantissa-log in us-east-1 is DISABLED*", "*aws athena update-work-group --work-group mantissa-log --state ENABLED --region us-east-1")),
    "api": Break("API /health answers 503", lambda d: d.api.route(
                     "/health", 503, {"message": "Service Unavailable"}), ("test_api_reachable",),
                    ("http://127.0.0.1:* is not reachable", "*aws apigateway create-deployment*")),
    "athena": Break("Athena queries fail (table missing)",
                    lambda d: d.emulator.fail_next_athena_queries(
                        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.mantissa_log.cloudtrail' does not exist"),
                    ("test_athena_query_succeeds",),
                    ("Athena query * in workgroup mantissa-log (us-east-1) did not succeed: TABLE_NOT_FOUND*", "*aws athena get-query-execution --query-execution-id *")),
    "policy": Break("CloudTrail statements removed from the logs bucket policy", _drop_policy,
                    ("test_cloudtrail_can_write_logs",),
                    ("S3 bucket policy of mantissa-log-logs-123456789012 does not allow*", "*aws s3api put-bucket-policy --bucket mantissa-log-logs-123456789012*")),
    "errors": Break("alert router logging errors", _errors, ("test_no_recent_errors[lambda_names.router]",),
                    ("Log group /aws/lambda/mantissa-log-alert-router in us-east-1 has recent error lines", "*aws logs tail /aws/lambda/mantissa-log-alert-router --since 15m*")),
    "secret": Break("Slack alert secret deleted",
                    lambda d: d.client("secretsmanager").delete_secret(
                        SecretId=SLACK_SECRET, ForceDeleteWithoutRecovery=True),
                    ("test_alert_secret_exists",),
                    ("Secrets Manager secret mantissa-log/alerts/slack does not exist in us-east-1", "*aws secretsmanager create-secret --name mantissa-log/alerts/slack*")),
}

STACK = Stack("mantissa_log", "terraform-outputs.json", provision, outputs, BREAKS)
