"""Thera Pipeline post-deploy gate: the troubleshooting guide's checks as pytest tests.

    aws cloudformation describe-stacks --stack-name thera-pipeline-prod --region us-east-1 > stack-outputs.json
    pytest --aws-outputs stack-outputs.json examples/thera_pipeline
"""

from datetime import datetime, timedelta, timezone

import pytest

PIPELINES = ["DailyStateMachineArn", "WeeklyStateMachineArn"]
RULES = ["DailyScheduleRuleName", "WeeklyScheduleRuleName"]
FUNCTIONS = [f"{step}FunctionArn" for step in (
    "ApolloDeltaPull", "AthenaCtasBronzeSilver", "DomainHealthGate", "FirecrawlOrchestrator",
    "AthenaCtasSilverGold", "EmbeddingsBatch", "AmsComputation", "DynamoDbPublisher",  # daily
    "MlTraining", "EvaluationMetrics")]                                                # weekly
API_KEYS = ["ApolloApiKeyParameterName", "FirecrawlApiKeyParameterName"]
TABLES = ["StartupsPublicTableName", "StartupsPrivateTableName", "ApolloQuotaTableName"]
# EventBridge rules run in UTC: 01:00 daily and Monday 03:00 in America/Sao_Paulo (UTC-3)
SCHEDULES = {"DailyScheduleRuleName": "cron(0 4 * * ? *)",
             "WeeklyScheduleRuleName": "cron(0 6 ? * MON *)"}
EVERY = {"DailyStateMachineArn": timedelta(days=1), "WeeklyStateMachineArn": timedelta(days=7)}


@pytest.fixture
def cfn_stack(aws, aws_outputs):
    """The stack describe-stacks wrote the outputs of."""
    return aws.cfn_stack(aws_outputs.resolve("DailyStateMachineArn").stack)


def test_aws_credentials_work(aws_identity):
    assert aws_identity.account


# -- Pipeline Not Starting / Rollback Deployment: the stack

def test_stack_deployed(cfn_stack):
    assert cfn_stack.healthy


def test_stack_has_no_failed_events(cfn_stack):
    assert not cfn_stack.failed_events()


# -- EventBridge: Rules Not Triggering, Schedule Issues

@pytest.mark.aws_output(event_rule=RULES)
def test_schedule_enabled(event_rule):
    assert event_rule.enabled


@pytest.mark.parametrize("rule, expected", list(SCHEDULES.items()), ids=list(SCHEDULES))
def test_schedule_in_sao_paulo_time(aws, rule, expected):
    assert aws.from_output("event_rule", rule).schedule == expected


@pytest.mark.parametrize("rule, machine", list(zip(RULES, PIPELINES)), ids=["daily", "weekly"])
def test_rule_starts_its_pipeline(aws, aws_outputs, rule, machine):
    assert aws.from_output("event_rule", rule).has_target(aws_outputs[machine])


@pytest.mark.aws_output(iam_role="EventBridgeRoleArn")
@pytest.mark.parametrize("machine", PIPELINES)
def test_schedule_role_can_start_pipeline(iam_role, aws_outputs, machine):
    assert iam_role.can("states:StartExecution", aws_outputs[machine])


@pytest.mark.aws_output(sqs_queue="ScheduleDeadLetterQueueUrl")
def test_schedule_dlq_empty(sqs_queue):
    assert sqs_queue.is_empty  # starts EventBridge gave up on (denied, throttled)


# -- Step Functions: Execution Failures, Step Functions Monitoring

@pytest.mark.aws_output(state_machine=PIPELINES)
def test_state_machine_active(state_machine):
    assert state_machine.status == "ACTIVE"


@pytest.mark.aws_output(state_machine=PIPELINES)
def test_no_failed_executions(state_machine):
    assert not state_machine.failed_executions(limit=3)


@pytest.mark.parametrize("machine, every", list(EVERY.items()), ids=["daily", "weekly"])
def test_pipeline_ran_recently(aws, machine, every):
    runs = aws.from_output("state_machine", machine).recent_executions(limit=1)
    assert runs, "the pipeline never ran"
    age = datetime.now(timezone.utc) - runs[0].start
    assert age < every + timedelta(hours=2), f"last run started {age} ago"


@pytest.mark.aws_output(iam_role="StepFunctionsRoleArn")
@pytest.mark.parametrize("function", FUNCTIONS)
def test_state_machine_role_can_invoke(iam_role, aws_outputs, function):
    assert iam_role.can("lambda:InvokeFunction", aws_outputs[function])


# -- Lambda: Function Timeouts, Memory Issues, CloudWatch Logs and Metrics

@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_active(lambda_fn):
    assert lambda_fn.status == "Active"


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_timeout(lambda_fn):
    assert lambda_fn.timeout_s >= 60  # SAM's default is 3 s; every step waits on an API or Athena


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_duration_well_below_timeout(lambda_fn):
    assert lambda_fn.max_duration_ms() < 0.8 * lambda_fn.timeout_s * 1000


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_recent_errors(lambda_fn):
    assert not lambda_fn.log_group.errors("ERROR", since=timedelta(hours=1))


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_timeouts_in_logs(lambda_fn):
    assert lambda_fn.log_group.no_lines_matching('"Task timed out"', minutes=24 * 60)


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_lambda_errors(lambda_fn):
    assert lambda_fn.errors(minutes=24 * 60) == 0


# -- API Key Issues

@pytest.mark.aws_output(ssm_parameter=API_KEYS)
def test_api_key_is_secure_string(ssm_parameter):
    assert ssm_parameter.is_secure


@pytest.mark.aws_output(ssm_parameter=API_KEYS)
def test_api_key_readable(ssm_parameter):
    assert ssm_parameter.reveal()  # get-parameter --with-decryption; masked in every report


@pytest.mark.aws_output(iam_role="LambdaExecutionRoleArn", ssm_parameter=API_KEYS)
def test_functions_may_read_api_key(iam_role, ssm_parameter, aws_identity):
    arn = f"arn:aws:ssm:{ssm_parameter.region}:{aws_identity.account}:parameter{ssm_parameter.name}"
    assert iam_role.can("ssm:GetParameter", arn)


# -- Athena: Query Failures

@pytest.mark.aws_output(athena="AthenaWorkGroupName")
def test_athena_workgroup_enabled(athena):
    assert athena.enabled


@pytest.mark.parametrize("database, table", [("SilverDatabaseName", "companies"),
                                             ("GoldDatabaseName", "startup_profiles")])
def test_table_defined(aws, database, table):
    assert table in aws.from_output("glue_database", database).tables


@pytest.mark.aws_output(athena="AthenaWorkGroupName")
def test_gold_profiles_queryable(athena, aws_outputs):
    result = athena.query("SELECT company_id FROM startup_profiles LIMIT 1",
                          database=aws_outputs["GoldDatabaseName"], timeout=60)
    assert result.ok, result.reason


# -- S3: Access Denied, Data Not Found, Data Recovery

@pytest.mark.aws_output(s3_bucket=["DataBucketName", "AthenaResultsBucketName"])
def test_bucket_exists(s3_bucket):
    assert s3_bucket.exists


@pytest.mark.aws_output(s3_bucket="DataBucketName")
def test_pipeline_data_present(s3_bucket):
    assert s3_bucket.objects("thera-pipeline/")


@pytest.mark.aws_output(iam_role="LambdaExecutionRoleArn", s3_bucket="DataBucketName")
def test_functions_may_use_data_bucket(iam_role, s3_bucket):
    objects = f"arn:aws:s3:::{s3_bucket.name}/thera-pipeline/*"
    assert not iam_role.denied_actions(["s3:GetObject", "s3:PutObject"], objects)


@pytest.mark.aws_output(s3_bucket="DataBucketName")
def test_data_bucket_versioned(s3_bucket):
    assert s3_bucket.versioning_enabled  # list-object-versions needs it to restore


# -- DynamoDB: Table Not Found; Recovery: point-in-time recovery

@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"


@pytest.mark.aws_output(dynamo_table=["StartupsPublicTableName", "StartupsPrivateTableName"])
def test_point_in_time_recovery(dynamo_table):
    assert dynamo_table.pitr_enabled


# -- Prevention: CloudWatch alarms

def test_no_alarms_firing(aws, cfn_stack):
    assert not aws.cloudwatch(f"{cfn_stack.name}-").alarms_in_alarm
