"""AWS Agent Runtime post-deploy gate: the troubleshooting guide's health checks as pytest tests.

    terraform output -json > terraform-outputs.json
    pytest --aws-outputs terraform-outputs.json examples/agent_runtime

CHECKS.md maps each command of the guide to the test that runs it.
"""

from datetime import timedelta

import pytest

SERVICES = ["$.ecs_services.axon", "$.ecs_services.orbit"]
TARGET_GROUPS = ["$.target_group_arns.axon", "$.target_group_arns.orbit"]
DISCOVERY = ["$.service_discovery_service_ids.axon", "$.service_discovery_service_ids.orbit"]
LOG_GROUPS = ["$.ecs_log_groups.axon", "$.ecs_log_groups.orbit"]
ALARMS = ["axon_high_cpu", "orbit_high_cpu", "governance_p95_latency", "system_health"]
PORTS = {"axon": 8080, "orbit": 3000}


def test_aws_credentials_work(aws_identity):
    assert aws_identity.account


# -- Network ("ALB Target Group Health Checks Failing": verify security groups)

@pytest.mark.aws_output(security_group="$.security_group_ids.alb")
def test_internet_reaches_alb(security_group):
    assert security_group.allows_ingress(443, "0.0.0.0/0")


@pytest.mark.parametrize("service", PORTS)
@pytest.mark.aws_output(security_group="$.security_group_ids.ecs_tasks")
def test_alb_reaches_service(security_group, aws_outputs, service):
    alb_group = aws_outputs["$.security_group_ids.alb"]
    assert security_group.allows_ingress(PORTS[service], alb_group)


# -- ECS services (health-check.sh, "ECS Service Stuck in PENDING State")

@pytest.mark.aws_output(ecs_service=SERVICES)
def test_service_active(ecs_service):
    assert ecs_service.status == "ACTIVE"


@pytest.mark.aws_output(ecs_service=SERVICES)
def test_service_at_desired_count(ecs_service):
    assert ecs_service.at_desired


@pytest.mark.aws_output(ecs_service=SERVICES)
def test_no_failed_tasks(ecs_service):
    assert not ecs_service.failed_tasks


@pytest.mark.aws_output(ecs_service=SERVICES)
def test_latest_service_event_is_not_a_failure(ecs_service):
    failures = [event for event in ecs_service.events[:1]
                if any(word in event for word in ("unable", "failed", "unhealthy"))]
    assert not failures


@pytest.mark.parametrize("service", ["axon", "orbit"])
def test_service_runs_deployed_task_definition(aws, aws_outputs, service):
    ecs_service = aws.from_output("ecs_service", f"$.ecs_services.{service}")
    assert ecs_service.task_definition == aws_outputs[f"$.ecs_task_definitions.{service}"]


# -- ALB ("ALB Target Group Health Checks Failing", health-check.sh)

@pytest.mark.aws_output(load_balancer="alb_arn")
def test_alb_active(load_balancer):
    assert load_balancer.status == "active"


@pytest.mark.aws_output(load_balancer="alb_arn")
def test_alb_serves_https(load_balancer):
    assert ("HTTPS", 443) in load_balancer.listeners


@pytest.mark.aws_output(http_endpoint="api_endpoint")
def test_api_health(http_endpoint):
    assert http_endpoint.json_ok("/health")  # 200 and {"status": "healthy"}


@pytest.mark.aws_output(target_group=TARGET_GROUPS)
def test_targets_healthy(target_group):
    assert target_group.all_healthy


@pytest.mark.aws_output(acm_certificate="certificate_arn")
def test_certificate_valid(acm_certificate):
    assert acm_certificate.status == "ISSUED"
    assert acm_certificate.days_to_expiry >= 30


# -- Cross-service communication (Cloud Map, task role)

@pytest.mark.aws_output(cloudmap_service=DISCOVERY)
def test_discovery_service_has_instances(cloudmap_service):
    assert cloudmap_service.has_instances


@pytest.mark.aws_output(iam_role="ecs_task_role_arn")
def test_task_role_can_call_governance(iam_role, aws_outputs):
    assert iam_role.can("lambda:InvokeFunction", aws_outputs["governance_function_arn"])


@pytest.mark.aws_output(iam_role="ecs_task_role_arn")
def test_task_role_can_publish_metrics(iam_role):
    assert iam_role.can("cloudwatch:PutMetricData")


# -- Governance Lambda

@pytest.mark.aws_output(lambda_fn="governance_function_name")
def test_governance_function_active(lambda_fn):
    assert lambda_fn.status == "Active"


@pytest.mark.aws_output(lambda_fn="governance_function_name")
def test_governance_function_invocable(lambda_fn):
    assert lambda_fn.dry_run()  # signs with our credentials, runs nothing


@pytest.mark.aws_output(lambda_fn="governance_function_name")
def test_governance_function_sized(lambda_fn):
    assert lambda_fn.memory_mb >= 1024  # the size Terraform deploys; less CPU means slower p95
    assert lambda_fn.timeout_s <= 30  # Axon gives up after a few seconds anyway


@pytest.mark.aws_output(lambda_fn="governance_function_name")
def test_governance_stream_trigger_enabled(lambda_fn):
    assert lambda_fn.event_sources_enabled


@pytest.mark.aws_output(lambda_fn="governance_function_name")
def test_no_governance_denials(lambda_fn):
    assert lambda_fn.log_group.no_lines_matching("GOVERNANCE_DENIED", minutes=15)


# -- Policy table ("DynamoDB Throttling", "Data Consistency Issues", backups)

@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"


@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_has_policies(dynamo_table):
    assert dynamo_table.item_count > 0  # ItemCount lags writes by up to 6 hours


@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_on_demand(dynamo_table):
    assert dynamo_table.billing_mode == "PAY_PER_REQUEST"


@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_not_throttled(dynamo_table):
    assert dynamo_table.throttled_requests(minutes=15) == 0


@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_stream_enabled(dynamo_table):
    assert dynamo_table.stream_view_type == "NEW_AND_OLD_IMAGES"


@pytest.mark.aws_output(dynamo_table="governance_policies_table_name")
def test_policy_table_has_backups(dynamo_table):
    assert dynamo_table.has_backups


# -- Logs, metrics and alarms ("Missing Metrics", "Alert Fatigue", performance-check.sh)

@pytest.mark.aws_output(log_group=LOG_GROUPS)
def test_service_log_group_exists(log_group):
    assert log_group.exists


@pytest.mark.aws_output(log_group=LOG_GROUPS)
def test_no_recent_service_errors(log_group):
    assert not log_group.errors("ERROR", since=timedelta(minutes=15))


@pytest.mark.parametrize("alarm", ALARMS)
@pytest.mark.aws_output(cloudwatch="project_name")
def test_alarm_not_firing(cloudwatch, aws_outputs, alarm):
    # INSUFFICIENT_DATA right after a deploy is normal for low-traffic metrics
    assert cloudwatch.alarm_state(aws_outputs[f"$.alarm_names.{alarm}"]) != "ALARM"


@pytest.mark.aws_output(cloudwatch="project_name")
def test_axon_error_count_low(cloudwatch, aws_outputs):
    namespace = aws_outputs["axon_error_metric_namespace"]
    assert cloudwatch.metric_sum(namespace, "ErrorCount", {}, minutes=60) < 10
