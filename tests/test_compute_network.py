"""ECS services, ALB target groups and load balancers, Cloud Map, ACM and HTTPS endpoints:
healthy and broken deploys through the plugin, with the hint each failure must show."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from pytest_awshealth.emulator import Emulator, HttpStub
from pytest_awshealth.emulator.httpstub import write_certificates

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")
CLUSTER, SERVICE = "sake-prod", "streamlit-app"
EXAMPLE_AMI = "ami-12c6146b"  # any image ID: the emulator loads no default AMIs (server.py)


# --------------------------------------------------------------------------- provisioning


def make_ecs_service(emu: Emulator, desired: int = 2, running: int = 2) -> str:
    """A cluster, a task definition logging to /ecs/streamlit-app and a service; its ARN."""
    ecs = emu.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    log = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/streamlit-app",
                                               "awslogs-region": emu.region,
                                               "awslogs-stream-prefix": "app"}}
    ecs.register_task_definition(family="streamlit-app", containerDefinitions=[
        {"name": "app", "image": "streamlit:1", "memory": 512, "logConfiguration": log}])
    arn = ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition="streamlit-app",
                             desiredCount=desired)["service"]["serviceArn"]
    emu.set_ecs_running_count(CLUSTER, SERVICE, running=running)
    return arn


def ecs_backend_service(emu: Emulator) -> Any:
    return emu.backend("ecs").describe_services(CLUSTER, [SERVICE])[0][0]


def add_ecs_events(emu: Emulator, *messages: str) -> None:
    """Service events, newest first, as ECS reports them (moto records none)."""
    now = dt.datetime.now(dt.timezone.utc)
    ecs_backend_service(emu).events = [{"id": str(i), "createdAt": now, "message": m}
                                       for i, m in enumerate(messages)]


def fail_rollout(emu: Emulator, reason: str) -> None:
    """What the deployment circuit breaker leaves behind (moto never fails a rollout)."""
    for deployment in ecs_backend_service(emu).deployments:
        deployment.update(rolloutState="FAILED", rolloutStateReason=reason)


def make_target_group(emu: Emulator, register: bool = True) -> dict[str, str]:
    """A VPC, two subnets, an ALB, a target group and (optionally) one EC2 instance target."""
    ec2, elb = emu.client("ec2"), emu.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24",
                                 AvailabilityZone=f"{emu.region}{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    instance = ec2.run_instances(ImageId=EXAMPLE_AMI, MinCount=1, MaxCount=1,
                                 SubnetId=subnets[0])["Instances"][0]["InstanceId"]
    tg = elb.create_target_group(Name="streamlit-tg", Protocol="HTTP", Port=8501, VpcId=vpc,
                                 HealthCheckPath="/_stcore/health")["TargetGroups"][0]
    lb = elb.create_load_balancer(Name="sake-alb", Subnets=subnets)["LoadBalancers"][0]
    if register:
        elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": instance}])
    return {"tg_arn": tg["TargetGroupArn"], "alb_arn": lb["LoadBalancerArn"],
            "instance": instance}


def make_cloudmap(emu: Emulator, instances: int = 1) -> str:
    """Namespace agents.local with service axon and ``instances`` instances; the service ID."""
    sd = emu.client("servicediscovery")
    sd.create_private_dns_namespace(Name="agents.local", Vpc="vpc-1")
    namespace = sd.list_namespaces()["Namespaces"][0]["Id"]
    service = sd.create_service(Name="axon", NamespaceId=namespace,
                                DnsConfig={"DnsRecords": [{"Type": "A", "TTL": 10}]})["Service"]
    for i in range(instances):
        sd.register_instance(ServiceId=service["Id"], InstanceId=f"task-{i}",
                             Attributes={"AWS_INSTANCE_IPV4": f"10.0.1.{i + 10}"})
    return service["Id"]


def import_certificate(emu: Emulator, hostname: str, days: float) -> str:
    """Import a certificate for ``hostname`` valid ``days`` days (ISSUED with a real NotAfter)."""
    with tempfile.TemporaryDirectory() as directory:
        cert, key, ca, _ = write_certificates(Path(directory), hostname, days)
        return emu.client("acm").import_certificate(
            Certificate=cert.read_bytes(), PrivateKey=key.read_bytes(),
            CertificateChain=ca.read_bytes())["CertificateArn"]


@pytest.fixture
def https_stub() -> Iterator[HttpStub]:
    """An HTTPS stub for localhost with a 90-day certificate and a health route."""
    with HttpStub(tls=True, cert_days=90) as stub:
        stub.route("/health", body={"status": "healthy", "checks": {"dynamodb": "ok"}})
        yield stub


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, Any],
        source: str) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(source)
    return pytester.runpytest(*ARGS)


# --------------------------------------------------------------------------- ECS


def test_ecs_service_at_desired(pytester, write_outputs, aws_env) -> None:
    arn = make_ecs_service(aws_env)
    result = run(pytester, write_outputs, {"app_service_arn": arn}, f"""
        import pytest

        @pytest.mark.aws_output(ecs_service="app_service_arn")
        def test_service(ecs_service):
            assert ecs_service.cluster == "{CLUSTER}"  # taken from the service ARN
            assert ecs_service.exists and ecs_service.status == "ACTIVE"
            assert ecs_service.at_desired
            assert (ecs_service.running_count, ecs_service.desired_count) == (2, 2)
            assert ecs_service.pending_count == 0
            assert ecs_service.rollout_state == "COMPLETED"
            assert ecs_service.task_definition.endswith(":task-definition/streamlit-app:1")
            assert ecs_service.events == []

        def test_name_forms(aws):
            assert aws.ecs_service("{SERVICE}", cluster="{CLUSTER}").at_desired
            assert aws.ecs_service("{CLUSTER}/{SERVICE}").at_desired
    """)
    result.assert_outcomes(passed=2)


def test_ecs_service_below_desired_shows_events_and_fix(pytester, write_outputs,
                                                        aws_env) -> None:
    arn = make_ecs_service(aws_env, desired=2, running=0)
    add_ecs_events(aws_env, f"(service {SERVICE}) was unable to place a task because no "
                            "container instance met all of its requirements.",
                   f"(service {SERVICE}) has started 2 tasks.")
    fail_rollout(aws_env, "ECS deployment circuit breaker: tasks failed to start.")
    result = run(pytester, write_outputs, {"app_service_arn": arn}, """
        import pytest

        pytestmark = pytest.mark.aws_output(ecs_service="app_service_arn")

        def test_count(ecs_service):
            assert ecs_service.at_desired

        def test_rollout(ecs_service):
            assert ecs_service.rollout_state == "COMPLETED"

        def test_events_are_readable(ecs_service):
            assert "unable to place a task" in ecs_service.events[:1][0]
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        f"*ECS service {SERVICE} in cluster {CLUSTER} (us-east-1) runs 0 of 2 tasks*",
        "*latest service events: *was unable to place a task*",
        f"*aws ecs describe-services --cluster {CLUSTER} --services {SERVICE} --region us-east-1"
        " --query 'services[[]0].events[[]:5]'*",
        "*aws logs tail /ecs/streamlit-app --since 30m*",
        f"*aws ecs update-service --cluster {CLUSTER} --service {SERVICE} --region us-east-1 "
        "--force-new-deployment*",
    ])
    result.stdout.fnmatch_lines([
        f"*latest deployment of ECS service {SERVICE}*has not completed: ECS deployment "
        "circuit breaker: tasks failed to start.*",
        "*--query 'services[[]0].deployments'*",
    ])


def test_ecs_service_missing_names_the_cluster(pytester, write_outputs, aws_env) -> None:
    make_ecs_service(aws_env)
    result = run(pytester, write_outputs, {"app_service_name": SERVICE}, f"""
        import pytest

        @pytest.mark.aws_output(ecs_service="app_service_name")
        def test_bound_name_uses_default_cluster(ecs_service):
            assert ecs_service.exists

        def test_wrong_service(aws):
            assert aws.ecs_service("{CLUSTER}/api").at_desired
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        f"*ECS service {SERVICE} does not exist in cluster default (us-east-1*",
        "*cluster named 'default'*",
        "*aws ecs list-services --cluster default --region us-east-1*",
    ])
    result.stdout.fnmatch_lines([f"*ECS service api does not exist in cluster {CLUSTER}*"])


# --------------------------------------------------------------------------- ELBv2


def test_target_group_and_load_balancer_healthy(pytester, write_outputs, aws_env) -> None:
    made = make_target_group(aws_env)
    result = run(pytester, write_outputs, {"tg_arn": made["tg_arn"], "alb_name": "sake-alb"}, f"""
        import pytest

        @pytest.mark.aws_output(target_group="tg_arn", load_balancer="alb_name")
        def test_alb(target_group, load_balancer):
            assert target_group.exists and target_group.all_healthy
            assert target_group.health_counts == {{"healthy": 1}}
            assert target_group.healthy_count == 1
            assert target_group.unhealthy_targets == []
            assert target_group.health_check_path == "/_stcore/health"
            assert load_balancer.exists and load_balancer.status == "active"
            assert load_balancer.dns_name.endswith(".elb.amazonaws.com")
            assert load_balancer.scheme == "internet-facing"

        def test_by_name(aws):
            assert aws.target_group("streamlit-tg").all_healthy
            assert aws.load_balancer("{made['alb_arn']}").state == "active"
    """)
    result.assert_outcomes(passed=2)


def test_unhealthy_target_names_the_reason(pytester, write_outputs, aws_env) -> None:
    made = make_target_group(aws_env)
    aws_env.set_target_health(made["tg_arn"], made["instance"], "unhealthy",
                              reason="Target.FailedHealthChecks")
    result = run(pytester, write_outputs, {"tg_arn": made["tg_arn"]}, f"""
        import pytest

        @pytest.mark.aws_output(target_group="tg_arn")
        def test_healthy(target_group):
            assert target_group.all_healthy

        @pytest.mark.aws_output(target_group="tg_arn")
        def test_unhealthy_list(target_group):
            (target,) = target_group.unhealthy_targets
            assert target == ("{made['instance']}", "unhealthy", "Target.FailedHealthChecks",
                              "Health checks failed")
            assert target_group.health_counts == {{"unhealthy": 1}}
            assert target_group.healthy_count == 0
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        f"*Target group streamlit-tg in us-east-1 is not healthy: {made['instance']} unhealthy "
        "(Target.FailedHealthChecks: Health checks failed)*",
        "*health check path /_stcore/health*",
        f"*aws elbv2 describe-target-health --target-group-arn {made['tg_arn']} "
        "--region us-east-1*",
        "*aws elbv2 modify-target-group --target-group-arn*--health-check-path*",
    ])


def test_empty_target_group_and_failed_load_balancer(pytester, write_outputs, aws_env) -> None:
    made = make_target_group(aws_env, register=False)
    balancer = aws_env.backend("elbv2").load_balancers[made["alb_arn"]]
    balancer.state = "failed"
    result = run(pytester, write_outputs, {"tg": "streamlit-tg", "alb": made["alb_arn"]}, """
        import pytest

        @pytest.mark.aws_output(target_group="tg")
        def test_targets(target_group):
            assert target_group.all_healthy

        @pytest.mark.aws_output(load_balancer="alb")
        def test_alb(load_balancer):
            assert load_balancer.status == "active"

        def test_missing(aws):
            assert aws.target_group("old-tg").exists
    """)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*Target group streamlit-tg in us-east-1 is not healthy: no targets registered*"])
    result.stdout.fnmatch_lines([
        "*Load balancer sake-alb in us-east-1 is failed, not active",
        f"*aws elbv2 wait load-balancer-available --load-balancer-arns {made['alb_arn']}*"])
    result.stdout.fnmatch_lines([
        "*Target group old-tg does not exist in us-east-1*",
        "*aws elbv2 describe-target-groups --names old-tg --region us-east-1*"])


# --------------------------------------------------------------------------- Cloud Map


def test_cloudmap_service_has_instances(pytester, write_outputs, aws_env) -> None:
    service_id = make_cloudmap(aws_env, instances=2)
    result = run(pytester, write_outputs, {"axon_service_id": service_id}, f"""
        import pytest

        @pytest.mark.aws_output(cloudmap_service="axon_service_id")
        def test_by_id(cloudmap_service):
            assert cloudmap_service.exists and cloudmap_service.has_instances
            assert cloudmap_service.instance_count == 2

        def test_by_name(aws):
            service = aws.cloudmap_service("axon", namespace="agents.local")
            assert service.service_id == "{service_id}"
            assert service.has_instances
            assert not aws.cloudmap_service("axon", namespace="other.local").exists
    """)
    result.assert_outcomes(passed=2)


def test_cloudmap_service_without_instances(pytester, write_outputs, aws_env) -> None:
    service_id = make_cloudmap(aws_env, instances=0)
    result = run(pytester, write_outputs, {"axon_service_id": service_id}, """
        import pytest

        @pytest.mark.aws_output(cloudmap_service="axon_service_id")
        def test_instances(cloudmap_service):
            assert cloudmap_service.has_instances

        def test_missing(aws):
            assert aws.cloudmap_service("orbit", namespace="agents.local").exists
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        f"*Cloud Map service axon ({service_id}) in us-east-1 has no registered "
        "instances*",
        "*the ECS service behind it has no running tasks*",
        f"*aws servicediscovery list-instances --service-id {service_id} --region us-east-1*",
    ])
    result.stdout.fnmatch_lines([
        "*Cloud Map service orbit does not exist in us-east-1 (namespace agents.local)*",
        "*aws servicediscovery list-services --region us-east-1*"])


# --------------------------------------------------------------------------- ACM


def test_imported_certificate_is_issued_and_covers(pytester, write_outputs, aws_env) -> None:
    arn = import_certificate(aws_env, "*.sakesensei.example", days=90)
    result = run(pytester, write_outputs, {"cert_arn": arn}, """
        import datetime as dt
        import pytest

        @pytest.mark.aws_output(acm_certificate="cert_arn")
        def test_cert(acm_certificate):
            assert acm_certificate.exists and acm_certificate.status == "ISSUED"
            assert 89 < acm_certificate.days_to_expiry <= 90
            assert acm_certificate.not_after > dt.datetime.now(dt.timezone.utc)
            assert acm_certificate.covers("app.sakesensei.example")
            assert not acm_certificate.covers("sakesensei.example")
            assert not acm_certificate.covers("a.b.sakesensei.example")

        def test_by_domain(aws):
            assert aws.acm_certificate("*.sakesensei.example").status == "ISSUED"
    """)
    result.assert_outcomes(passed=2)


def test_certificate_pending_expiring_or_not_covering(pytester, write_outputs, aws_env) -> None:
    pending = aws_env.client("acm").request_certificate(
        DomainName="sakesensei.example", ValidationMethod="DNS")["CertificateArn"]
    expiring = import_certificate(aws_env, "app.sakesensei.example", days=10)
    result = run(pytester, write_outputs, {"pending": pending, "expiring": expiring}, """
        import pytest

        @pytest.mark.aws_output(acm_certificate="pending")
        def test_pending(acm_certificate):
            assert acm_certificate.status == "ISSUED"

        @pytest.mark.aws_output(acm_certificate="expiring")
        def test_expiry(acm_certificate):
            assert acm_certificate.days_to_expiry > 30

        @pytest.mark.aws_output(acm_certificate="expiring")
        def test_covers(acm_certificate):
            assert acm_certificate.covers("www.sakesensei.example")
    """)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*ACM certificate for sakesensei.example in us-east-1 is PENDING_VALIDATION, not "
        f"ISSUED ({pending})*",
        "*DNS validation CNAME records are not (yet) in the hosted zone: _*.sakesensei.example."
        " CNAME *acm-validations.aws.*",
        f"*aws acm describe-certificate --certificate-arn {pending} --region us-east-1*",
        "*dig +short CNAME _*.sakesensei.example.",
    ])
    result.stdout.fnmatch_lines([
        "*ACM certificate for app.sakesensei.example in us-east-1 expires in 10.0 days*",
        f"*aws acm import-certificate --certificate-arn {expiring}*",
    ])
    result.stdout.fnmatch_lines([
        "*ACM certificate for app.sakesensei.example in us-east-1 does not cover "
        "www.sakesensei.example (names: app.sakesensei.example, 127.0.0.1)*",
        "*aws acm request-certificate --domain-name www.sakesensei.example*",
    ])


# --------------------------------------------------------------------------- HTTP(S)


def test_https_endpoint_healthy(pytester, write_outputs, aws_env, https_stub) -> None:
    https_stub.route("/api/recommend", method="OPTIONS", headers={
        "Access-Control-Allow-Origin": "https://app.sakesensei.example",
        "Access-Control-Allow-Methods": "GET, POST, PUT"})
    result = run(pytester, write_outputs, {"api_url": https_stub.url}, f"""
        import pytest

        @pytest.fixture
        def api(aws, aws_outputs):
            return aws.http_endpoint(aws_outputs["api_url"], cafile={https_stub.cafile!r})

        def test_http(api):
            assert api.get("/health").ok
            assert api.get("/nope", expect_status=404).ok
            assert api.json_ok()
            assert api.json_ok("/health", expected={{"checks": {{"dynamodb": "ok"}}}})
            assert api.cors_allows("https://app.sakesensei.example", "/api/recommend", "PUT")

        def test_tls(api):
            assert api.tls_trusted and api.tls_hostname_matches
            assert 89 < api.tls_days_to_expiry <= 90
            assert api.tls_certificate.dns_names == ("localhost",)
    """)
    result.assert_outcomes(passed=2)


def test_http_probes_broken(pytester, write_outputs, aws_env, https_stub) -> None:
    https_stub.route("/health", status=200, body={"status": "degraded"})
    https_stub.route("/chat", status=503, body="Service Unavailable")
    result = run(pytester, write_outputs, {"api_url": https_stub.url}, f"""
        import pytest

        @pytest.fixture
        def api(aws, aws_outputs):
            return aws.http_endpoint(aws_outputs["api_url"], cafile={https_stub.cafile!r})

        def test_json(api):
            assert api.json_ok()

        def test_cors(api):
            assert api.cors_allows("https://evil.example", "/health")

        def test_status(api):
            assert api.get("/chat", expect_status=200).ok

        def test_status_range(api):
            assert api.get("/chat", expect_status=range(200, 500)).ok
    """)
    result.assert_outcomes(failed=4)
    url = https_stub.url
    result.stdout.fnmatch_lines([
        f"*Health check {url}/health is not healthy: status is 'degraded', expected 'healthy'*",
        f"*curl -s -i {url}/health*"])
    result.stdout.fnmatch_lines([
        f"*{url}/health does not allow cross-origin GET requests from https://evil.example: "
        "no Access-Control-Allow-Origin header*",
        f"*curl -s -i -X OPTIONS {url}/health -H 'Origin: https://evil.example'*",
        "*aws apigatewayv2 update-api*AllowOrigins=https://evil.example*"])
    result.stdout.fnmatch_lines([f"*{url}/chat answered 503 (expected 200)*"])
    result.stdout.fnmatch_lines([f"*{url}/chat answered 503 (expected 200-499)*"])
    assert " or 201 or " not in result.stdout.str()


@pytest.mark.parametrize("codes, text", [
    ((200,), "200"), ((200, 201), "200 or 201"), ((204, 200, 201), "200, 201 or 204"),
    (range(200, 500), "200-499"), ((200, 204, 301, 302, 303, 500), "200, 204, 301-303 or 500")])
def test_expected_statuses_read_as_ranges(codes, text) -> None:
    from pytest_awshealth.resources.http import status_ranges

    assert status_ranges(codes) == text


@pytest.mark.parametrize("stub_options, use_cafile, check, expected", [
    ({"cert_days": 5}, True, "api.tls_days_to_expiry > 30",
     ["*The TLS certificate of localhost:* expires in 5.0 days*", "*aws acm renew-certificate*"]),
    ({"hostname": "app.sakesensei.example"}, True, "api.tls_hostname_matches",
     ["*The TLS certificate of localhost:* does not cover localhost (names: "
      "app.sakesensei.example, 127.0.0.1)*", "*aws elbv2 add-listener-certificates*"]),
    ({}, False, "api.tls_trusted",
     ["*The TLS certificate of localhost:* is not trusted: unable to get local issuer*",
      "*openssl s_client -connect localhost:* -servername localhost -showcerts*"]),
    ({"cert_days": -1}, True, "api.tls_trusted",
     ["*is not trusted: certificate has expired*"]),
], ids=["expiring", "hostname", "untrusted", "expired"])
def test_tls_broken(pytester, write_outputs, aws_env, stub_options, use_cafile, check,
                    expected) -> None:
    with HttpStub(tls=True, **stub_options) as stub:
        cafile = stub.cafile if use_cafile else None
        result = run(pytester, write_outputs, {"api_url": stub.url}, f"""
            def test_tls(aws, aws_outputs):
                api = aws.http_endpoint(aws_outputs["api_url"], cafile={cafile!r})
                assert {check}
        """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(expected)


def test_tls_on_plain_http_is_explained(pytester, write_outputs, aws_env) -> None:
    with HttpStub() as stub:
        result = run(pytester, write_outputs, {"api_url": stub.url}, """
            import pytest

            @pytest.mark.aws_output(http_endpoint="api_url")
            def test_tls(http_endpoint):
                assert http_endpoint.tls_trusted
        """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*TlsError: http://127.0.0.1:* is not an https:// URL*"])


def stop_task(emu: Emulator, reason: str, service: str = SERVICE) -> str:
    """Run one task of ``service`` and stop it with ``reason``; its id."""
    ecs = emu.client("ecs")
    task = ecs.run_task(cluster=CLUSTER, taskDefinition="streamlit-app", launchType="FARGATE",
                        startedBy="ecs-svc/1234", group=f"service:{service}",
                        networkConfiguration={
                            "awsvpcConfiguration": {"subnets": ["subnet-12345678"]}})["tasks"][0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason=reason)
    return task["taskArn"].rsplit("/", 1)[-1]


def test_ecs_failed_tasks(pytester, write_outputs, aws_env) -> None:
    arn = make_ecs_service(aws_env)
    stop_task(aws_env, "Scaling activity initiated by (deployment ecs-svc/1234)")
    stop_task(aws_env, "Essential container in task exited", service="other")  # not ours
    result = run(pytester, write_outputs, {"app_service_arn": arn}, """
        import pytest
        @pytest.mark.aws_output(ecs_service="app_service_arn")
        def test_no_failed_tasks(ecs_service):
            assert not ecs_service.failed_tasks
    """)
    result.assert_outcomes(passed=1)
    crashed = stop_task(aws_env, "Essential container in task exited")
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"ECS service {SERVICE} in cluster {CLUSTER} (us-east-1) has failed tasks: {crashed} "
        "(stopped: Essential container in task exited)",
        f"*aws ecs describe-tasks --cluster {CLUSTER} --tasks {crashed} --region us-east-1*",
        "*aws logs tail /ecs/streamlit-app --since 30m --region us-east-1",
        f"*aws ecs update-service --cluster {CLUSTER} --service {SERVICE} --region us-east-1 "
        "--force-new-deployment*"])


def test_ecs_failed_task_shows_its_exit_code(pytester, write_outputs, aws_env) -> None:
    """A container killed for memory: the stop reason says little, exit code 137 says why."""
    arn = make_ecs_service(aws_env)
    killed = stop_task(aws_env, "Essential container in task exited")
    aws_env.set_task_exit(CLUSTER, killed, 137)
    result = run(pytester, write_outputs, {"app_service_arn": arn}, """
        import pytest
        @pytest.mark.aws_output(ecs_service="app_service_arn")
        def test_no_failed_tasks(ecs_service):
            assert not ecs_service.failed_tasks
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"*has failed tasks: {killed} (EssentialContainerExited: Essential container in task "
        "exited, exit code 137)", "*the task runs out of memory*"])


def test_security_group_ingress(pytester, write_outputs, aws_env) -> None:
    ec2 = aws_env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    alb = ec2.create_security_group(GroupName="alb", Description="ALB", VpcId=vpc)["GroupId"]
    tasks = ec2.create_security_group(GroupName="tasks", Description="tasks", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_ingress(GroupId=tasks, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8100,
        "UserIdGroupPairs": [{"GroupId": alb}]}])
    result = run(pytester, write_outputs, {"alb_sg": alb, "task_sg": tasks}, f"""
        import pytest
        @pytest.mark.aws_output(security_group="alb_sg")
        def test_internet_reaches_alb(security_group):
            assert security_group.exists and security_group.healthy
            assert security_group.allows_ingress(443)
            assert security_group.allows_ingress(443, "203.0.113.0/24")
            assert not security_group.allows_ingress(80)
        @pytest.mark.aws_output(security_group="task_sg")
        def test_alb_reaches_tasks(security_group):
            assert security_group.allows_ingress(8080, "{alb}")
        @pytest.mark.aws_output(security_group="task_sg")
        def test_wrong_port(security_group):
            assert security_group.allows_ingress(3000, "{alb}")
        def test_missing(aws):
            assert aws.security_group("sg-00000000000000000").exists
    """)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        f"Security group {tasks} in us-east-1 does not allow TCP 3000 from {alb}",
        f"*aws ec2 authorize-security-group-ingress --group-id {tasks} --protocol tcp --port 3000 "
        f"--source-group {alb} --region us-east-1*",
        "Security group sg-00000000000000000 does not exist in us-east-1"])
