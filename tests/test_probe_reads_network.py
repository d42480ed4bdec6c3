"""The API Gateway, ACM, Cloud Map, ELBv2, ECS, CloudWatch and HTTP handles: every probe
calls only the operations it declares, ``healthy`` is the verdict of the declared probes,
and the 0.1 names keep working with a DeprecationWarning."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from demo_runs import assert_probes_read_what_they_declare
from pytest_awshealth.clients import AwsContext
from pytest_awshealth.probes import recording
from pytest_awshealth.resources.acm import AcmCertificate
from pytest_awshealth.resources.apigateway import RestApi
from pytest_awshealth.resources.cloudwatch import CloudWatch
from pytest_awshealth.resources.ecs import EcsService, FailedTasks
from pytest_awshealth.resources.elbv2 import LoadBalancer, TargetGroup
from pytest_awshealth.resources.http import HttpEndpoint
from pytest_awshealth.resources.registry import hints_of, probes
from pytest_awshealth.resources.servicediscovery import CloudMapService
from test_compute_network import (CLUSTER, SERVICE, fail_rollout, import_certificate,
                                  make_cloudmap, make_ecs_service, make_target_group)


def deploy(emu: Any) -> dict[type, str]:
    """One healthy resource of each handle type; their names by type."""
    api = emu.client("apigateway").create_rest_api(name="shop-api")["id"]
    resource = emu.client("apigateway").get_resources(restApiId=api)["items"][0]["id"]
    emu.client("apigateway").put_method(restApiId=api, resourceId=resource, httpMethod="GET",
                                        authorizationType="NONE")
    emu.client("apigateway").put_integration(restApiId=api, resourceId=resource,
                                             httpMethod="GET", type="MOCK")
    emu.client("apigateway").create_deployment(restApiId=api, stageName="prod")
    balancing = make_target_group(emu)
    emu.client("cloudwatch").put_metric_alarm(
        AlarmName="shop-errors", MetricName="Errors", Namespace="AWS/Lambda", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold")
    emu.client("cloudwatch").set_alarm_state(AlarmName="shop-errors", StateValue="OK",
                                             StateReason="fine")
    return {RestApi: api, AcmCertificate: import_certificate(emu, "shop.example.com", 90),
            CloudMapService: make_cloudmap(emu, instances=2), TargetGroup: balancing["tg_arn"],
            LoadBalancer: balancing["alb_arn"], EcsService: make_ecs_service(emu),
            CloudWatch: "shop-"}


ARGUMENTS = {"covers": ("shop.example.com",), "metric": ("RequestCount",),
             "alarm_state": ("shop-errors",),
             "metric_sum": ("AWS/Lambda", "Errors", {"FunctionName": "f"}),
             "metric_peak": ("AWS/Lambda", "Duration", {"FunctionName": "f"})}
HANDLES = [RestApi, AcmCertificate, CloudMapService, TargetGroup, LoadBalancer, EcsService,
           CloudWatch]


def test_every_probe_calls_only_what_it_declares(aws_env) -> None:
    names = deploy(aws_env)
    for cls in HANDLES:
        with warnings.catch_warnings():  # reading a former method (events) may warn
            warnings.simplefilter("ignore", DeprecationWarning)
            assert_probes_read_what_they_declare(aws_env, cls, names[cls], **ARGUMENTS)
        catalog = hints_of(cls)
        assert f"{cls.hint_prefix}.missing" in catalog, cls.__name__
        assert all(spec.key(cls) in catalog for spec in probes(cls).values()), cls.__name__


def test_http_probes_send_requests_and_read_no_aws_operation() -> None:
    declared = probes(HttpEndpoint)
    senders = {name for name, spec in declared.items() if not spec.read_only}
    assert senders == {"get", "reachable", "json_ok", "cors_allows"}
    assert all(spec.operations(HttpEndpoint) == () for spec in declared.values())
    assert set(hints_of(HttpEndpoint)) >= {f"http.endpoint.{name}" for name in declared
                                           if name != "exists"}


def test_healthy_is_the_verdict_of_the_declared_probes(aws_env) -> None:
    names = deploy(aws_env)
    context = AwsContext(region="us-east-1", endpoint_url=aws_env.url)
    for cls in HANDLES:
        assert cls(names[cls], aws=context).healthy, cls.__name__
    fail_rollout(aws_env, "tasks kept failing")
    aws_env.set_ecs_running_count(CLUSTER, SERVICE, running=1)
    context.reads.clear()  # the stack changed under the session: read it again
    service = EcsService(names[EcsService], aws=context)
    with recording() as records:
        assert not service.healthy
    assert [r.name for r in records if r.healthy is False] == ["at_desired"]
    aws_env.client("cloudwatch").set_alarm_state(AlarmName="shop-errors", StateValue="ALARM",
                                                 StateReason="3 errors")
    context.reads.clear()
    alarms = CloudWatch("shop-", aws=context)
    with recording() as records:
        assert not alarms.healthy
    assert [r.name for r in records if r.healthy is False] == ["alarms_in_alarm"]
    assert records[-1].hint == "cloudwatch.alarms_in_alarm"


def test_old_names_warn_and_answer_as_the_new_ones(aws_env) -> None:
    names = deploy(aws_env)
    context = AwsContext(region="us-east-1", endpoint_url=aws_env.url)
    import pytest_awshealth.resources.acm as acm

    with pytest.deprecated_call(match="Certificate is deprecated, use AcmCertificate"):
        assert acm.Certificate is AcmCertificate
    balancer = LoadBalancer(names[LoadBalancer], aws=context)
    with pytest.deprecated_call(match=r"LoadBalancer\.state is deprecated, use LoadBalancer\.status"):
        assert balancer.state == balancer.status == "active"
    service = EcsService(names[EcsService], aws=context)
    assert isinstance(service.failed_tasks, FailedTasks) and service.failed_tasks == []
    with pytest.deprecated_call(match=r"failed_tasks\(\) is deprecated"):
        assert service.failed_tasks(limit=5) == []
    with pytest.deprecated_call(match=r"events\(\) is deprecated"):
        assert service.events(limit=1) == service.events[:1]
