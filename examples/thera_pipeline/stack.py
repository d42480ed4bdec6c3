"""Thera Pipeline (SAM / CloudFormation): a daily and a weekly Step Functions pipeline of
Lambda functions, scheduled by EventBridge rules, over S3, Athena, DynamoDB and SSM.

The daily state machine runs eight Lambda tasks (Apollo pull, Athena CTAS bronze->silver,
domain health gate, Firecrawl, Athena CTAS silver->gold, embeddings, AMS scores, DynamoDB
publisher); a Choice after the health gate ends the run in a ``Fail`` state when the
score is below 70. The weekly one trains and evaluates the ML model. Failed schedule
deliveries go to an SQS dead-letter queue.

How each state is produced on the emulator:

- Executions really run: moto interprets the definitions (the Emulator turns this on).
  Its interpreter calls Lambda at ``localhost:$MOTO_PORT``, so provisioning points
  ``MOTO_PORT`` at the emulator while it runs the pipelines (:func:`_moto_port`), and
  queues each task's return value through ``/moto-api/static/lambda-simple/response``
  (functions never run; without a queued value they echo their input).
- ``health_gate``: a real run in which the health gate returns score 42, so the Choice
  routes to the ``DomainHealthGateFailed`` Fail state (FAILED with that error and cause).
- ``timeout``: moto cannot time a Lambda task out, so the newest daily execution is
  edited in moto's Step Functions backend to FAILED with ``Sandbox.Timedout`` (as AWS
  reports a Lambda timeout), next to the 3 s timeout and the "Task timed out" log line.
- Runs "days ago" (``rule``, ``target``, ``scheduler_role``): the executions' start and
  stop dates are moved back in moto's backend.
- ``athena``: ``fail_next_athena_queries``; ``stack``: the stack's status and events
  are edited in moto's CloudFormation backend (moto never ends an update in rollback).
- Alarms in ALARM: plain ``set_alarm_state``; Lambda ``Errors`` datapoints:
  ``put_metric_data`` (moto accepts the ``AWS/Lambda`` namespace); everything else
  (disabled rule, removed target, policies, SSM types, PITR, versioning) by ordinary API calls.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from pytest_awshealth.emulator.stacks import (
    Break,
    Deployment,
    Stack,
    create_function,
    describe_stacks_outputs,
    log_recent,
    put_datapoint,
    roll_back_stack,
)

ACCOUNT, REGION = "123456789012", "us-east-1"
P = "thera-pipeline-prod"
STACK_NAME = P
#: Output key prefix -> function name; the first eight make up the daily pipeline.
FUNCTIONS = {
    "ApolloDeltaPull": f"{P}-apollo-delta-pull",
    "AthenaCtasBronzeSilver": f"{P}-athena-ctas-bronze-silver",
    "DomainHealthGate": f"{P}-domain-health-gate",
    "FirecrawlOrchestrator": f"{P}-firecrawl-orchestrator",
    "AthenaCtasSilverGold": f"{P}-athena-ctas-silver-gold",
    "EmbeddingsBatch": f"{P}-embeddings-batch",
    "AmsComputation": f"{P}-ams-computation",
    "DynamoDbPublisher": f"{P}-dynamodb-publisher",
    "MlTraining": f"{P}-ml-training",
    "EvaluationMetrics": f"{P}-evaluation-metrics",
}
DAILY_STEPS = list(FUNCTIONS)[:8]
WEEKLY_STEPS = list(FUNCTIONS)[8:]
TIMEOUTS = {"ApolloDeltaPull": 900, "FirecrawlOrchestrator": 900, "EmbeddingsBatch": 900,
            "MlTraining": 900, "AmsComputation": 600}  # others: 300 s
MEMORY = {"EmbeddingsBatch": 1024, "AmsComputation": 1024, "MlTraining": 3008}  # others: 512
MACHINES = {"daily": f"{P}-daily", "weekly": f"{P}-weekly"}
RULES = {"daily": "thera-pipeline-daily-rule", "weekly": "thera-pipeline-weekly-rule"}
#: 01:00 and Monday 03:00 in America/Sao_Paulo (UTC-3): EventBridge rules run in UTC.
SCHEDULES = {"daily": "cron(0 4 * * ? *)", "weekly": "cron(0 6 ? * MON *)"}
DLQ = f"{P}-schedule-dlq"
BUCKETS = {"data": f"{P}-data-{ACCOUNT}", "athena": f"{P}-athena-results-{ACCOUNT}"}
WORKGROUP, SILVER, GOLD = P, "thera_silver", "thera_gold"
TABLES = {"StartupsPublic": "thera-startups-public", "StartupsPrivate": "thera-startups-private",
          "ApolloQuota": "prod-apollo-quota"}
API_KEYS = {"Apollo": "/thera/apollo/api_key", "Firecrawl": "/thera/firecrawl/api_key"}
ROLES = {"lambda": f"{P}-lambda-role", "sfn": f"{P}-sfn-role", "events": f"{P}-events-role"}
ALARMS = {"daily": f"{P}-daily-executions-failed", "weekly": f"{P}-weekly-executions-failed",
          "apollo": f"{P}-apollo-delta-pull-errors", "dlq": f"{P}-schedule-dlq-messages"}
#: What each daily/weekly task returns in a healthy run, in execution order.
HEALTHY_RESULTS: dict[str, dict[str, Any]] = {
    "ApolloDeltaPull": {"companies_pulled": 412, "api_calls": 187,
                        "s3_key": "thera-pipeline/raw/apollo/dt=2026-01-01/companies.jsonl"},
    "AthenaCtasBronzeSilver": {"query_execution_id": "5b8e1f0a-silver", "state": "SUCCEEDED"},
    "DomainHealthGate": {"passed": True, "score": 86, "domains_checked": 398},
    "FirecrawlOrchestrator": {"pages_crawled": 1187, "failed": 3},
    "AthenaCtasSilverGold": {"query_execution_id": "9c41d2b7-gold", "state": "SUCCEEDED"},
    "EmbeddingsBatch": {"embeddings_written": 398, "model": "amazon.titan-embed-text-v2:0"},
    "AmsComputation": {"scores_computed": 398},
    "DynamoDbPublisher": {"items_written": 398},
    "MlTraining": {"model_key": "thera-pipeline/models/2026-01-05/model.joblib"},
    "EvaluationMetrics": {"auc": 0.87, "pr_auc": 0.61},
}


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def function_arn(key: str) -> str:
    return arn("lambda", f"function:{FUNCTIONS[key]}")


def machine_arn(which: str) -> str:
    return arn("states", f"stateMachine:{MACHINES[which]}")


def parameter_arn(name: str) -> str:
    return arn("ssm", f"parameter{name}")


# --------------------------------------------------------------------------- provisioning

def provision(d: Deployment) -> None:
    _roles(d)
    _storage(d)
    _tables(d)
    _api_keys(d)
    _functions(d)
    _state_machines(d)
    _stack(d)
    _schedules(d)
    _alarms(d)
    with _moto_port(d):
        _run(d, "weekly", days_ago=2)
        _run(d, "daily", days_ago=1)
        _run(d, "daily")


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _role(d: Deployment, name: str, service: str, statements: list[dict[str, Any]]) -> None:
    trust = _policy({"Effect": "Allow", "Principal": {"Service": service},
                     "Action": "sts:AssumeRole"})
    iam = d.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, Path="/")
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=_policy(*statements))


def _roles(d: Deployment) -> None:
    data = f"arn:aws:s3:::{BUCKETS['data']}"
    results = f"arn:aws:s3:::{BUCKETS['athena']}"
    _role(d, ROLES["lambda"], "lambda.amazonaws.com", [
        _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
               [arn("logs", f"log-group:/aws/lambda/{P}-*")]),
        _allow(["ssm:GetParameter"], [parameter_arn("/thera/*")]),
        _allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [f"{data}/*", f"{results}/*"]),
        _allow(["s3:ListBucket", "s3:GetBucketLocation"], [data, results]),
        _allow(["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"],
               [arn("athena", f"workgroup/{WORKGROUP}")]),
        _allow(["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:CreateTable",
                "glue:DeleteTable"], ["*"]),
        _allow(["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem",
                "dynamodb:UpdateItem"], [arn("dynamodb", f"table/{t}") for t in TABLES.values()]),
        _allow(["bedrock:InvokeModel"], ["*"]),
    ])
    _role(d, ROLES["sfn"], "states.amazonaws.com", [
        _allow(["lambda:InvokeFunction"], [arn("lambda", f"function:{P}-*")])])
    _events_role_policy(d, [machine_arn("daily"), machine_arn("weekly")], create=True)


def _events_role_policy(d: Deployment, machines: list[str], create: bool = False) -> None:
    statement = _allow(["states:StartExecution"], machines)
    if create:
        _role(d, ROLES["events"], "events.amazonaws.com", [statement])
    else:
        d.client("iam").put_role_policy(RoleName=ROLES["events"], PolicyName=f"{ROLES['events']}-policy",
                                        PolicyDocument=_policy(statement))


def _storage(d: Deployment) -> None:
    s3 = d.client("s3")
    for bucket in BUCKETS.values():
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=BUCKETS["data"], VersioningConfiguration={"Status": "Enabled"})
    for key in ("raw/apollo/dt=2026-01-01/companies.jsonl",
                "bronze/companies/dt=2026-01-01/part-00000.json.gz",
                "silver/companies/dt=2026-01-01/part-00000.parquet",
                "gold/startup_profiles/dt=2026-01-01/part-00000.parquet"):
        s3.put_object(Bucket=BUCKETS["data"], Key=f"thera-pipeline/{key}", Body=b"PAR1")
    glue = d.client("glue")
    for database, table, prefix in ((SILVER, "companies", "silver/companies"),
                                    (GOLD, "startup_profiles", "gold/startup_profiles")):
        glue.create_database(DatabaseInput={"Name": database})
        glue.create_table(DatabaseName=database, TableInput={
            "Name": table, "TableType": "EXTERNAL_TABLE",
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {
                "Columns": [{"Name": "company_id", "Type": "string"},
                            {"Name": "domain", "Type": "string"},
                            {"Name": "health_score", "Type": "int"}],
                "Location": f"s3://{BUCKETS['data']}/thera-pipeline/{prefix}/"}})
    d.client("athena").create_work_group(Name=WORKGROUP, Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{BUCKETS['athena']}/query-results/"},
        "EnforceWorkGroupConfiguration": True, "PublishCloudWatchMetricsEnabled": True})


def _tables(d: Deployment) -> None:
    dynamodb = d.client("dynamodb")
    keys = {"StartupsPublic": "startup_id", "StartupsPrivate": "startup_id", "ApolloQuota": "window"}
    for key, table in TABLES.items():
        dynamodb.create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": keys[key], "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": keys[key], "AttributeType": "S"}])
        if key != "ApolloQuota":  # the quota counters are disposable
            dynamodb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
    dynamodb.update_time_to_live(TableName=TABLES["ApolloQuota"], TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})


def _api_keys(d: Deployment) -> None:
    ssm = d.client("ssm")
    for vendor, name in API_KEYS.items():
        ssm.put_parameter(Name=name, Type="SecureString", Description=f"{vendor} API key",
                          Value=f"{vendor.lower()}-live-{uuid.uuid5(uuid.NAMESPACE_DNS, name).hex[:24]}")


def _functions(d: Deployment) -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/{ROLES['lambda']}"
    env = {"ENVIRONMENT": "prod", "S3_BUCKET": BUCKETS["data"],
           "S3_OUTPUT_LOCATION": f"s3://{BUCKETS['athena']}/query-results/",
           "ATHENA_WORKGROUP": WORKGROUP, "SILVER_DATABASE": SILVER, "GOLD_DATABASE": GOLD,
           "APOLLO_API_KEY_PARAM": API_KEYS["Apollo"],
           "FIRECRAWL_API_KEY_PARAM": API_KEYS["Firecrawl"], "MIN_HEALTH_SCORE": "70",
           "MAX_CONCURRENCY": "2", "BEDROCK_MODEL_ID": "amazon.titan-embed-text-v2:0",
           "MIN_SIMILARITY_THRESHOLD": "0.7"}
    for key, name in FUNCTIONS.items():
        create_function(d, name, role, Timeout=TIMEOUTS.get(key, 300),
                        MemorySize=MEMORY.get(key, 512), Environment={"Variables": env},
                        Description=f"Thera Pipeline - {key}")
        request = uuid.uuid5(uuid.NAMESPACE_URL, name)
        log_recent(d, f"/aws/lambda/{name}", f"START RequestId: {request} Version: $LATEST",
                   f"[INFO] {key} finished: {json.dumps(HEALTHY_RESULTS[key])}",
                   f"END RequestId: {request}",
                   f"REPORT RequestId: {request}\tDuration: 41250.12 ms\tBilled Duration: 41251 ms"
                   f"\tMemory Size: {MEMORY.get(key, 512)} MB\tMax Memory Used: 301 MB",
                   minutes_ago=30)


def _task(key: str, next_state: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function_arn(key),
                       "Payload": {"run_date.$": "$$.Execution.StartTime", "environment": "prod"}},
        "ResultSelector": {"result.$": "$.Payload"}, "ResultPath": f"$.steps.{key}",
        "TimeoutSeconds": 900,
        "Retry": [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                                   "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
                   "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]}
    state.update({"Next": next_state} if next_state else {"End": True})
    return state


def _definition(which: str) -> dict[str, Any]:
    steps = DAILY_STEPS if which == "daily" else WEEKLY_STEPS
    states = {key: _task(key, nxt) for key, nxt in zip(steps, [*steps[1:], None])}
    if which == "daily":
        states["DomainHealthGate"]["Next"] = "DomainHealthOk"
        states["DomainHealthOk"] = {
            "Type": "Choice", "Default": "DomainHealthGateFailed",
            "Choices": [{"Variable": "$.steps.DomainHealthGate.result.passed",
                         "BooleanEquals": True, "Next": "FirecrawlOrchestrator"}]}
        states["DomainHealthGateFailed"] = {
            "Type": "Fail", "Error": "DomainHealthGateFailed",
            "Cause": "Domain health score below MIN_HEALTH_SCORE (70); downstream steps skipped"}
    comment = ("Thera daily pipeline: 01:00 America/Sao_Paulo" if which == "daily"
               else "Thera weekly ML pipeline: Monday 03:00 America/Sao_Paulo")
    return {"Comment": comment, "StartAt": steps[0], "States": states}


def _state_machines(d: Deployment) -> None:
    sfn = d.client("stepfunctions")
    role = f"arn:aws:iam::{ACCOUNT}:role/{ROLES['sfn']}"
    for which, name in MACHINES.items():
        sfn.create_state_machine(name=name, definition=json.dumps(_definition(which)),
                                 roleArn=role, type="STANDARD")


def _schedules(d: Deployment) -> None:
    sqs = d.client("sqs")
    dlq_url = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]  # the stack created it
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"Policy": _policy({
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": dlq_arn})})
    d.names.update(dlq_url=dlq_url, dlq_arn=dlq_arn)
    events = d.client("events")
    for which, rule in RULES.items():
        events.put_rule(Name=rule, ScheduleExpression=SCHEDULES[which], State="ENABLED",
                        Description=f"Starts the Thera {which} pipeline (America/Sao_Paulo)")
        _put_target(d, which)


def _put_target(d: Deployment, which: str) -> None:
    d.client("events").put_targets(Rule=RULES[which], Targets=[{
        "Id": f"{which}-state-machine", "Arn": machine_arn(which),
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLES['events']}",
        "Input": json.dumps({"pipeline": which, "environment": "prod"}),
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": d.names["dlq_arn"]}}])


def _alarms(d: Deployment) -> None:
    cloudwatch = d.client("cloudwatch")
    common = {"EvaluationPeriods": 1, "Threshold": 1, "Period": 300, "Statistic": "Sum",
              "ComparisonOperator": "GreaterThanOrEqualToThreshold",
              "TreatMissingData": "notBreaching"}
    for which in MACHINES:
        cloudwatch.put_metric_alarm(
            AlarmName=ALARMS[which], Namespace="AWS/States", MetricName="ExecutionsFailed",
            Dimensions=[{"Name": "StateMachineArn", "Value": machine_arn(which)}], **common)
    cloudwatch.put_metric_alarm(
        AlarmName=ALARMS["apollo"], Namespace="AWS/Lambda", MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": FUNCTIONS["ApolloDeltaPull"]}], **common)
    cloudwatch.put_metric_alarm(
        AlarmName=ALARMS["dlq"], Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": DLQ}], **{**common, "Statistic": "Maximum"})


def output_values(d: Deployment) -> dict[str, str]:
    return {
        "DailyStateMachineArn": machine_arn("daily"),
        "WeeklyStateMachineArn": machine_arn("weekly"),
        "DailyScheduleRuleName": RULES["daily"],
        "WeeklyScheduleRuleName": RULES["weekly"],
        "ScheduleDeadLetterQueueUrl": d.names.get("dlq_url", ""),
        **{f"{key}FunctionArn": function_arn(key) for key in FUNCTIONS},
        "LambdaExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLES['lambda']}",
        "StepFunctionsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLES['sfn']}",
        "EventBridgeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLES['events']}",
        "DataBucketName": BUCKETS["data"],
        "AthenaResultsBucketName": BUCKETS["athena"],
        "AthenaWorkGroupName": WORKGROUP,
        "SilverDatabaseName": SILVER,
        "GoldDatabaseName": GOLD,
        **{f"{key}TableName": table for key, table in TABLES.items()},
        **{f"{vendor}ApiKeyParameterName": name for vendor, name in API_KEYS.items()},
    }


def _stack(d: Deployment) -> None:
    """The stack itself, with the outputs ``describe-stacks`` shows. It owns the schedule
    DLQ; the other resources are made by direct calls above (moto's CloudFormation
    implements too few of their properties)."""
    values: dict[str, Any] = {**output_values(d), "ScheduleDeadLetterQueueUrl": {"Ref": "ScheduleDlq"}}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Thera Pipeline - daily and weekly orchestration (prod)",
        "Resources": {"ScheduleDlq": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": DLQ, "MessageRetentionPeriod": 1209600}}},
        "Outputs": {key: {"Value": value} for key, value in values.items()},
    }
    d.client("cloudformation").create_stack(
        StackName=STACK_NAME, TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        Tags=[{"Key": "project", "Value": "thera-pipeline"}, {"Key": "environment", "Value": "prod"}])


@contextmanager
def _moto_port(d: Deployment) -> Iterator[None]:
    """Point moto's Step Functions interpreter (which calls Lambda at ``localhost:$MOTO_PORT``)
    at this emulator while the pipelines run."""
    saved = os.environ.get("MOTO_PORT")
    os.environ["MOTO_PORT"] = str(d.emulator.port)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = saved


def _run(d: Deployment, which: str, results: list[dict[str, Any]] | None = None,
         days_ago: float = 0) -> Any:
    """Run one execution to its end (the Lambda tasks return ``results``, by default the
    healthy ones) and return moto's execution object."""
    steps = DAILY_STEPS if which == "daily" else WEEKLY_STEPS
    answers = results if results is not None else [HEALTHY_RESULTS[key] for key in steps]
    _queue_lambda_results(d, answers)
    sfn = d.client("stepfunctions")
    execution_arn = sfn.start_execution(
        stateMachineArn=machine_arn(which), name=str(uuid.uuid4()),
        input=json.dumps({"pipeline": which, "environment": "prod"}))["executionArn"]
    deadline = time.monotonic() + 30
    while sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{execution_arn} still RUNNING after 30 s")
        time.sleep(0.02)
    execution = _execution(execution_arn)
    if days_ago:
        _age(execution, timedelta(days=days_ago))
    return execution


def _queue_lambda_results(d: Deployment, results: list[dict[str, Any]]) -> None:
    """What the next Lambda invocations return, in order (moto's lambda-simple queue)."""
    body = {"results": [json.dumps(r) for r in results], "region": REGION, "account_id": ACCOUNT}
    request = urllib.request.Request(f"{d.emulator.url}/moto-api/static/lambda-simple/response",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=30):
        pass


def _executions(which: str) -> list[Any]:
    """moto's execution objects of a state machine, oldest first."""
    from moto.stepfunctions.responses import get_backend

    backend = get_backend(ACCOUNT, REGION)
    machine = next(m for m in backend.state_machines if m.arn == machine_arn(which))
    return sorted(machine.executions, key=lambda e: e.start_date)


def _execution(execution_arn: str) -> Any:
    which = "daily" if f":{MACHINES['daily']}:" in execution_arn else "weekly"
    return next(e for e in _executions(which) if e.exec_arn == execution_arn)


def _age(execution: Any, by: timedelta) -> None:
    execution.start_date -= by
    if execution.stop_date is not None:
        execution.stop_date -= by


def _age_all(which: str, days: float) -> None:
    """Make a pipeline's newest run ``days`` old (older runs move back as much)."""
    runs = _executions(which)
    shift = datetime.now(timezone.utc) - timedelta(days=days) - runs[-1].start_date
    for execution in runs:
        _age(execution, -shift)


def outputs(d: Deployment) -> dict[str, Any]:
    return describe_stacks_outputs({STACK_NAME: output_values(d)})


# --------------------------------------------------------------------------- breaks

def _disable_daily_rule(d: Deployment) -> None:
    """Someone ran the guide's emergency ``disable-rule`` and never re-enabled it."""
    d.client("events").disable_rule(Name=RULES["daily"])
    _age_all("daily", days=3)


def _drop_weekly_target(d: Deployment) -> None:
    d.client("events").remove_targets(Rule=RULES["weekly"], Ids=["weekly-state-machine"])
    _age_all("weekly", days=10)


def _scheduler_role_stale(d: Deployment) -> None:
    """The events role still names the daily state machine's old name: every scheduled
    start is denied and lands in the DLQ."""
    old = arn("states", "stateMachine:thera-pipeline-daily")
    _events_role_policy(d, [old, machine_arn("weekly")])
    _age_all("daily", days=2)
    sqs = d.client("sqs")
    for day in ("2026-01-02", "2026-01-03"):
        sqs.send_message(QueueUrl=d.names["dlq_url"], MessageBody=json.dumps({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": ACCOUNT, "time": f"{day}T04:00:00Z",
            "region": REGION, "resources": [arn("events", f"rule/{RULES['daily']}")], "detail": {}}),
            MessageAttributes={
                "ERROR_CODE": {"DataType": "String", "StringValue": "AccessDeniedException"},
                "ERROR_MESSAGE": {"DataType": "String", "StringValue": (
                    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLES['events']}/events is not "
                    f"authorized to perform: states:StartExecution on resource: {machine_arn('daily')}")},
                "RULE_ARN": {"DataType": "String", "StringValue": arn("events", f"rule/{RULES['daily']}")},
                "TARGET_ARN": {"DataType": "String", "StringValue": machine_arn("daily")}})
    _alarm(d, "dlq", "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).")


def _alarm(d: Deployment, which: str, reason: str) -> None:
    d.client("cloudwatch").set_alarm_state(AlarmName=ALARMS[which], StateValue="ALARM",
                                           StateReason=reason)


def _apollo_timeout(d: Deployment) -> None:
    """The Globals section that set Timeout was dropped: SAM's default 3 s applies, the
    Apollo pull times out and the daily run fails."""
    name = FUNCTIONS["ApolloDeltaPull"]
    d.client("lambda").update_function_configuration(FunctionName=name, Timeout=3)
    request = "6f1c2b9e-4d3a-4e8f-9a51-0c7d2e3f4a5b"
    log_recent(d, f"/aws/lambda/{name}", f"START RequestId: {request} Version: $LATEST",
               "[INFO] Pulling Apollo delta since 2026-01-01T04:00:00Z (50/min, 200/h, 600/day)",
               f"2026-01-02T04:00:03.512Z {request} Task timed out after 3.00 seconds",
               f"END RequestId: {request}", minutes_ago=20)
    from moto.stepfunctions.parser.api import ExecutionStatus

    daily = _executions("daily")[-1]
    daily.exec_status = ExecutionStatus.FAILED
    daily.error = "Sandbox.Timedout"
    daily.cause = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage":
                              f"RequestId: {request} Error: Task timed out after 3.00 seconds"})
    put_datapoint(d, "AWS/Lambda", "Errors", {"FunctionName": name}, 1, minutes_ago=20)
    _alarm(d, "apollo", "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).")
    _alarm(d, "daily", "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).")


def _health_gate_fails(d: Deployment) -> None:
    results = [HEALTHY_RESULTS["ApolloDeltaPull"], HEALTHY_RESULTS["AthenaCtasBronzeSilver"],
               {"passed": False, "score": 42, "domains_checked": 398, "unreachable": 231}]
    with _moto_port(d):
        _run(d, "daily", results)
    _alarm(d, "daily", "Threshold Crossed: 1 datapoint [1.0] was greater than or equal to the threshold (1.0).")


def _firecrawl_key_deleted(d: Deployment) -> None:
    d.client("ssm").delete_parameter(Name=API_KEYS["Firecrawl"])
    log_recent(d, f"/aws/lambda/{FUNCTIONS['FirecrawlOrchestrator']}",
               "[ERROR] ParameterNotFound: An error occurred (ParameterNotFound) when calling the "
               f"GetParameter operation: Parameter {API_KEYS['Firecrawl']} not found.",
               "[ERROR] Firecrawl crawl skipped for 398 domains: no API key", minutes_ago=10)


def _apollo_key_plaintext(d: Deployment) -> None:
    """Rotated by hand with ``put-parameter --type String --overwrite``."""
    d.client("ssm").put_parameter(Name=API_KEYS["Apollo"], Type="String", Overwrite=True,
                                  Value="apollo-live-rotated-2026-01-02")


def _athena_denied(d: Deployment) -> None:
    d.emulator.fail_next_athena_queries(
        "PERMISSION_DENIED: Permission denied on S3 path: "
        f"s3://{BUCKETS['data']}/thera-pipeline/gold/startup_profiles/dt=2026-01-01")


def _pitr_off(d: Deployment) -> None:
    d.client("dynamodb").update_continuous_backups(
        TableName=TABLES["StartupsPrivate"],
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})


def _stack_rolled_back(d: Deployment) -> None:
    """An update with an invalid state machine definition failed and was rolled back."""
    roll_back_stack(d, STACK_NAME, "DailyStateMachine", "AWS::StepFunctions::StateMachine",
                    "Resource handler returned message: \"Invalid State Machine Definition: "
                    "'SCHEMA_VALIDATION_FAILED: The value for the field 'Resource' must be a "
                    "valid ARN at /States/ApolloDeltaPull/Resource'\" (HandlerErrorCode: "
                    "InvalidRequest)")


def _versioning_suspended(d: Deployment) -> None:
    d.client("s3").put_bucket_versioning(Bucket=BUCKETS["data"],
                                         VersioningConfiguration={"Status": "Suspended"})


DAILY, WEEKLY = "DailyStateMachineArn", "WeeklyStateMachineArn"
BREAKS = {
    "rule": Break(
        "daily schedule rule left disabled after an emergency stop; no run for 3 days",
        _disable_daily_rule,
        ("test_schedule_enabled[DailyScheduleRuleName]", "test_pipeline_ran_recently[daily]"),
        ("EventBridge rule thera-pipeline-daily-rule in us-east-1 is DISABLED*",
         "*aws events enable-rule --name thera-pipeline-daily-rule --region us-east-1")),
    "target": Break(
        "weekly rule lost its state machine target; no weekly run for 10 days",
        _drop_weekly_target,
        ("test_rule_starts_its_pipeline[weekly]", "test_pipeline_ran_recently[weekly]"),
        ("EventBridge rule thera-pipeline-weekly-rule in us-east-1 lacks the expected target*",
         "*aws events put-targets --rule thera-pipeline-weekly-rule --region us-east-1*")),
    "scheduler_role": Break(
        "events role may not start the daily state machine: deliveries land in the DLQ",
        _scheduler_role_stale,
        (f"test_schedule_role_can_start_pipeline[{DAILY}]", "test_schedule_dlq_empty",
         "test_pipeline_ran_recently[daily]", "test_no_alarms_firing"),
        ((f"IAM role {ROLES['events']} may not perform states:StartExecution on "
         f"{machine_arn('daily')} (implicitDeny)"),
         f"*aws iam put-role-policy --role-name {ROLES['events']}*")),
    "timeout": Break(
        "apollo-delta-pull at SAM's default 3 s timeout: it times out and the daily run fails",
        _apollo_timeout,
        ("test_function_timeout[ApolloDeltaPullFunctionArn]",
         "test_no_timeouts_in_logs[ApolloDeltaPullFunctionArn]",
         "test_no_lambda_errors[ApolloDeltaPullFunctionArn]",
         f"test_no_failed_executions[{DAILY}]", "test_no_alarms_firing"),
        ((f"Step Functions state machine {MACHINES['daily']} in us-east-1 has failed executions; "
         "newest: * Sandbox.Timedout:*Task timed out after 3.00 seconds*"),
         f"Lambda function {FUNCTIONS['ApolloDeltaPull']} in us-east-1 has an unexpected timeout",
         (f"*aws lambda update-function-configuration --function-name {FUNCTIONS['ApolloDeltaPull']}"
         " --region us-east-1 --timeout 900"))),
    "health_gate": Break(
        "daily run stopped by the domain health gate (score 42 < 70)",
        _health_gate_fails,
        (f"test_no_failed_executions[{DAILY}]", "test_no_alarms_firing"),
        ((f"Step Functions state machine {MACHINES['daily']} in us-east-1 has failed executions; "
         "newest: * DomainHealthGateFailed: Domain health score below MIN_HEALTH_SCORE (70)*"),
         (f"*aws stepfunctions start-execution --state-machine-arn {machine_arn('daily')}"
         " --region us-east-1 --input file://input.json"))),
    "api_key": Break(
        "Firecrawl API key parameter missing", _firecrawl_key_deleted,
        ("test_api_key_is_secure_string[FirecrawlApiKeyParameterName]",
         "test_api_key_readable[FirecrawlApiKeyParameterName]",
         "test_no_recent_errors[FirecrawlOrchestratorFunctionArn]"),
        (f"SSM parameter {API_KEYS['Firecrawl']} does not exist in us-east-1*",
         (f"*aws ssm put-parameter --name {API_KEYS['Firecrawl']} --region us-east-1 "
         "--type SecureString --value '<value>'"))),
    "plaintext_key": Break(
        "Apollo API key rotated by hand as a plain String", _apollo_key_plaintext,
        ("test_api_key_is_secure_string[ApolloApiKeyParameterName]",),
        (f"SSM parameter {API_KEYS['Apollo']} in us-east-1 is a String, not a SecureString",
         (f"*aws ssm put-parameter --name {API_KEYS['Apollo']} --region us-east-1 --type SecureString"
         " --overwrite --value '<value>'*"))),
    "athena": Break(
        "Athena queries on the gold tables are denied on S3", _athena_denied,
        ("test_gold_profiles_queryable",),
        (f"Athena query * in workgroup {WORKGROUP} (us-east-1) did not succeed: PERMISSION_DENIED*",
         "*aws athena get-query-execution --query-execution-id *")),
    "pitr": Break(
        "point-in-time recovery turned off on the private startups table", _pitr_off,
        ("test_point_in_time_recovery[StartupsPrivateTableName]",),
        ((f"DynamoDB table {TABLES['StartupsPrivate']} in us-east-1 does not have point-in-time "
         "recovery enabled"),
         (f"*aws dynamodb update-continuous-backups --table-name {TABLES['StartupsPrivate']} "
         "--region us-east-1 --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"))),
    "stack": Break(
        "last stack update failed (invalid state machine definition) and rolled back",
        _stack_rolled_back, ("test_stack_deployed", "test_stack_has_no_failed_events"),
        (f"CloudFormation stack {STACK_NAME} in us-east-1 is UPDATE_ROLLBACK_COMPLETE*",
         "*first failure: DailyStateMachine (AWS::StepFunctions::StateMachine) UPDATE_FAILED*",
         "*sam deploy*")),
    "versioning": Break(
        "versioning suspended on the data bucket (no object versions to restore from)",
        _versioning_suspended, ("test_data_bucket_versioned",),
        (f"S3 bucket {BUCKETS['data']} does not have versioning enabled (status: Suspended)",
         (f"*aws s3api put-bucket-versioning --bucket {BUCKETS['data']} "
         "--versioning-configuration Status=Enabled"))),
}

STACK = Stack("thera_pipeline", "stack-outputs.json", provision, outputs, BREAKS)
