"""Sake Sensei post-deploy gate: the troubleshooting guide's health checks as pytest tests.

    cdk deploy --all --outputs-file cdk-outputs.json
    pytest --aws-outputs cdk-outputs.json examples/sake_sensei

Outputs are bound by their short names: ``UsersTableName`` finds CDK's
``UsersTableName21935467`` (see cdk-outputs.json). CHECKS.md maps each command of the
guide to its test.
"""

from datetime import timedelta

import pytest

FUNCTIONS = ["RecommendationFunctionName", "PreferenceFunctionName", "TastingFunctionName",
             "ImageRecognitionFunctionName"]
TABLES = ["UsersTableName", "SakesTableName", "TastingRecordsTableName"]
STACKS = ["SakeSenseiAuthStack", "SakeSenseiStorageStack", "SakeSenseiBackendStack",
          "SakeSenseiFrontendStack", "SakeSenseiMonitoringStack"]
ALARM_PREFIX = "SakeSensei-"
SMOKE_USER = "healthcheck@sakesensei.com"  # a user kept for sign-in checks
DOMAIN = "sakesensei.com"
RECENT = timedelta(hours=1)


def execution_role(aws, lambda_fn):
    """The IAM role a function runs as."""
    return aws.iam_role(lambda_fn.role_arn)


# -- Quick diagnostics

@pytest.mark.aws_output(ecs_service="ServiceArn")
def test_frontend_service_running(ecs_service):
    assert ecs_service.at_desired


@pytest.mark.aws_output(ecs_service="ServiceArn")
def test_frontend_cpu_has_headroom(ecs_service, aws):
    dimensions = {"ClusterName": ecs_service.cluster, "ServiceName": ecs_service.name}
    assert aws.cloudwatch(ALARM_PREFIX).metric_peak("AWS/ECS", "CPUUtilization", dimensions,
                                                    "Average") < 80


@pytest.mark.aws_output(ecs_service="ServiceArn")
def test_frontend_deployment_completed(ecs_service):
    assert ecs_service.rollout_state == "COMPLETED"


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_lambda_function_active(lambda_fn):
    assert lambda_fn.status == "Active"


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_recent_lambda_errors(lambda_fn):
    assert not lambda_fn.log_group.errors("ERROR", since=RECENT)


def test_no_alarms_firing(aws):
    assert not aws.cloudwatch(ALARM_PREFIX).alarms_in_alarm


# -- Authentication

@pytest.mark.aws_output(user_pool="UserPoolId")
def test_user_pool_has_app_client(user_pool):
    assert user_pool.app_client_ids


@pytest.mark.aws_output(user_pool="UserPoolId")
def test_user_pool_mfa_enabled(user_pool):
    assert user_pool.mfa_configuration in ("ON", "OPTIONAL")


@pytest.mark.aws_output(user_pool="UserPoolId")
def test_smoke_user_can_sign_in(user_pool):
    assert user_pool.user_status(SMOKE_USER) == "CONFIRMED"


@pytest.mark.aws_output(user_pool="UserPoolId")
def test_smoke_user_enabled(user_pool):
    assert user_pool.user_enabled(SMOKE_USER)


def test_no_recent_auth_failures(aws, aws_outputs):
    group = aws.log_group(f"/aws/cognito/userpools/{aws_outputs['UserPoolId']}")
    assert not group.errors("failed", since=RECENT)


# -- Lambda functions

@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_lambda_not_throttled(lambda_fn):
    assert lambda_fn.throttles(minutes=60) == 0


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_reserved_concurrency_not_zero(lambda_fn):
    assert lambda_fn.reserved_concurrency != 0


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_task_timeouts(lambda_fn):
    assert lambda_fn.log_group.no_lines_matching('"Task timed out"', minutes=60)


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_duration_well_below_timeout(lambda_fn):
    assert lambda_fn.max_duration_ms() < 0.8 * lambda_fn.timeout_s * 1000


@pytest.mark.aws_output(lambda_fn="RecommendationFunctionName")
def test_recommendation_tables_configured(lambda_fn):
    assert {"USERS_TABLE", "SAKES_TABLE", "TASTING_RECORDS_TABLE"} <= lambda_fn.env_var_names


@pytest.mark.aws_output(lambda_fn="RecommendationFunctionName")
def test_recommendation_can_read_tables(lambda_fn, aws, aws_outputs, aws_identity):
    table = aws_outputs["UsersTableName"]
    arn = f"arn:aws:dynamodb:{lambda_fn.region}:{aws_identity.account}:table/{table}"
    assert execution_role(aws, lambda_fn).can("dynamodb:GetItem", arn)


@pytest.mark.aws_output(lambda_fn="RecommendationFunctionName")
def test_recommendation_invocation_succeeds(lambda_fn):
    result = lambda_fn.invoke({"user_id": "healthcheck", "limit": 1})
    assert result.ok, result.function_error


# -- Agent

def test_agent_logs_have_no_errors(aws):
    assert not aws.log_group("/agentcore/sakesensei/agent").errors("ERROR", since=RECENT)


# -- Frontend (Streamlit)

@pytest.mark.aws_output(target_group="TargetGroupArn")
def test_alb_targets_healthy(target_group):
    assert target_group.all_healthy


@pytest.mark.aws_output(target_group="TargetGroupArn")
def test_target_group_checks_streamlit_health(target_group):
    assert target_group.health_check_path == "/_stcore/health"


@pytest.mark.aws_output(http_endpoint="ServiceURL")
def test_streamlit_health_endpoint(http_endpoint):
    response = http_endpoint.get("/_stcore/health", expect_status=200)
    assert response.ok and response.body.strip() == "ok"


@pytest.mark.aws_output(log_group="FrontendLogGroupName")
def test_frontend_logs_have_no_errors(log_group):
    assert log_group.no_lines_matching("Traceback", minutes=60)


# -- Database

@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_not_throttled(dynamo_table):
    assert dynamo_table.throttled_requests(minutes=60) == 0


@pytest.mark.aws_output(dynamo_table="SakesTableName")
def test_sake_catalog_loaded(dynamo_table):
    assert dynamo_table.item_count > 0


@pytest.mark.aws_output(dynamo_table="TastingRecordsTableName")
def test_tasting_records_index_active(dynamo_table):
    assert dynamo_table.gsi_active("sake_id-index")


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_point_in_time_recovery_enabled(dynamo_table):
    assert dynamo_table.pitr_enabled


@pytest.mark.aws_output(dynamo_table="UsersTableName")
def test_users_table_has_backups(dynamo_table):
    assert dynamo_table.has_backups


# -- Deployment

@pytest.mark.parametrize("stack", STACKS)
def test_stack_deployed(aws, stack):
    assert aws.cfn_stack(stack).healthy


@pytest.mark.parametrize("stack", STACKS)
def test_stack_has_no_failed_events(aws, stack):
    assert not aws.cfn_stack(stack).failed_events


def test_cdk_bootstrapped(cdk_bootstrap):
    assert cdk_bootstrap.version_at_least(21)


# -- Network and TLS

@pytest.mark.aws_output(http_endpoint="ServiceURL")
def test_site_reachable(http_endpoint):
    assert http_endpoint.reachable("/")


@pytest.mark.aws_output(load_balancer="LoadBalancerArn")
def test_response_time_p99_under_two_seconds(load_balancer, aws):
    dimensions = {"LoadBalancer": load_balancer.arn.split(":loadbalancer/", 1)[1]}
    assert aws.cloudwatch(ALARM_PREFIX).metric_peak(
        "AWS/ApplicationELB", "TargetResponseTime", dimensions, "p99") < 2.0


@pytest.mark.aws_output(security_group="AlbSecurityGroupId")
def test_internet_reaches_load_balancer(security_group):
    assert security_group.allows_ingress(443, "0.0.0.0/0")


@pytest.mark.aws_output(security_group="ServiceSecurityGroupId")
def test_load_balancer_reaches_streamlit(security_group, aws_outputs):
    assert security_group.allows_ingress(8501, aws_outputs["AlbSecurityGroupId"])


@pytest.mark.aws_output(load_balancer="LoadBalancerArn")
def test_load_balancer_active(load_balancer):
    assert load_balancer.status == "active"


@pytest.mark.aws_output(load_balancer="LoadBalancerArn")
def test_https_listener(load_balancer):
    assert ("HTTPS", 443) in load_balancer.listeners


@pytest.mark.aws_output(acm_certificate="CertificateArn")
def test_certificate_issued(acm_certificate):
    assert acm_certificate.status == "ISSUED"


@pytest.mark.aws_output(acm_certificate="CertificateArn")
def test_certificate_not_expiring(acm_certificate):
    assert acm_certificate.days_to_expiry >= 30


@pytest.mark.aws_output(acm_certificate="CertificateArn")
def test_certificate_covers_domain(acm_certificate):
    assert acm_certificate.covers(DOMAIN) and acm_certificate.covers(f"www.{DOMAIN}")


@pytest.mark.aws_output(acm_certificate="CertificateArn")
def test_certificate_in_use(acm_certificate):
    assert acm_certificate.in_use_by


# -- Monitoring and logging

@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_lambda_log_group_retained(lambda_fn):
    assert lambda_fn.log_group.retention_days


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_can_write_logs(lambda_fn, aws, aws_identity):
    group = lambda_fn.log_group.name
    arn = f"arn:aws:logs:{lambda_fn.region}:{aws_identity.account}:log-group:{group}:*"
    assert execution_role(aws, lambda_fn).can("logs:PutLogEvents", arn)


def test_lambda_error_alarm_ok(aws):
    assert aws.cloudwatch(ALARM_PREFIX).alarm_state("SakeSensei-Lambda-ErrorAlarm") == "OK"


@pytest.mark.aws_output(sns_topic="AlarmTopicArn")
def test_alarm_topic_has_subscribers(sns_topic):
    assert sns_topic.confirmed_count > 0


@pytest.mark.aws_output(sns_topic="AlarmTopicArn")
def test_alarm_subscriptions_confirmed(sns_topic):
    assert not sns_topic.pending_subscriptions
