"""AWS Agent Runtime (Terraform): the Axon and Orbit ECS services behind an ALB, Cloud Map
discovery, a governance Lambda fed by the policy table's DynamoDB stream, alarms and logs.

How each state is produced on moto:

- ECS services run 2 of 2 tasks: moto leaves runningCount at 0, so the healthy stack calls
  ``set_ecs_running_count``; the ``axon_pending`` break sets 1 running + 1 pending (the
  primary deployment turns IN_PROGRESS) and adds a placement-failure service event by
  editing moto's ``Service.events``.
- A crashed task (``orbit_crash``): ``run_task`` in the service's group, then ``stop_task``
  with the reason ECS gives when an essential container exits; ``set_task_exit`` records
  the stop code and exit code 1, which moto does not. The VPC has DNS hostnames
  on, as Fargate stacks do (moto's RunTask fails making the task's interface without).
- ALB targets: one ``ip`` target per task, healthy in moto once a listener forwards to the
  group; the ``targets`` break uses ``set_target_health`` (Target.FailedHealthChecks).
- Cloud Map instances: ECS registers tasks itself in AWS; here ``register_instance`` does,
  and the ``discovery`` break deregisters them.
- ACM: a requested certificate stays PENDING_VALIDATION for a minute in moto; the healthy
  stack marks it ISSUED (DNS validation done) and in use by the ALB in the ACM backend; the
  ``certificate`` break swaps in an X.509 certificate that expires in 12 days.
- ``rollback``: moto's UpdateService does not start a new deployment, so the break sets the
  service's and its deployment's task definition to the previous revision in the backend.
- AWS/DynamoDB throttles and the Axon ErrorCount metric: ``put_metric_data`` (AWS
  publishes the former itself). Alarms start OK in moto; ``cpu_alarm`` uses
  ``set_alarm_state``. The other breaks are plain API calls (disable the stream or the
  event source mapping, delete a log group, detach the task policy, deregister instances).
- /health of the API behind the ALB: the HttpStub (``d.api``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pytest_awshealth.emulator.stacks import (
    Break,
    Deployment,
    Stack,
    create_function,
    lambda_role,
    log_recent,
    put_datapoint,
    terraform_outputs,
)

P = "agent-runtime-prod"
REGION, ACCOUNT = "us-east-1", "123456789012"
CLUSTER = f"{P}-cluster"
SERVICES = {"axon": f"{P}-axon", "orbit": f"{P}-orbit"}
PORTS = {"axon": 8080, "orbit": 3000}
TASK_IPS = {"axon": ("10.40.11.23", "10.40.12.87"), "orbit": ("10.40.11.54", "10.40.12.19")}
REVISION = 7
TABLE = f"{P}-governance-policies"
GOVERNANCE = f"{P}-governance"
TASK_ROLE = f"{P}-ecs-task-role"
NAMESPACE = "agent-runtime.local"
DOMAIN = "api.agent-runtime.example.com"
ALARMS = {"axon_high_cpu": f"{P}-axon-high-cpu", "orbit_high_cpu": f"{P}-orbit-high-cpu",
          "governance_p95_latency": f"{P}-governance-p95-latency",
          "system_health": f"{P}-system-health"}
ERROR_NAMESPACE = f"{P}/Axon"
POLICIES = (("agent:invoke", "allow", "tier in [standard, premium]"),
            ("tool:web-search", "allow", "rate <= 60/min"),
            ("tool:code-exec", "deny", "sandbox != isolated"),
            ("data:pii-export", "deny", "always"))


def log_group(service: str) -> str:
    return f"/ecs/{SERVICES[service]}"


def provision(d: Deployment) -> None:
    _network(d)
    _certificate(d)
    _load_balancer(d)
    _discovery(d)
    _task_role(d)
    _services(d)
    _policy_table(d)
    _governance(d)
    _alarms(d)
    d.api.route("/health", 200, {"status": "healthy", "services": {"axon": "up", "orbit": "up"}})


def _network(d: Deployment) -> None:
    ec2 = d.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{n}.0/24",
                                 AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
               for n, az in ((11, "a"), (12, "b"))]
    alb_sg = ec2.create_security_group(GroupName=f"{P}-alb", Description="ALB",
                                       VpcId=vpc)["GroupId"]
    ecs_sg = ec2.create_security_group(GroupName=f"{P}-ecs", Description="ECS tasks",
                                       VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_ingress(GroupId=ecs_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
        "UserIdGroupPairs": [{"GroupId": alb_sg}]} for port in PORTS.values()])
    d.names.update(vpc=vpc, subnets=subnets, alb_sg=alb_sg, ecs_sg=ecs_sg)


def _certificate(d: Deployment) -> None:
    arn = d.client("acm").request_certificate(
        DomainName=DOMAIN, SubjectAlternativeNames=[DOMAIN, f"*.{DOMAIN}"],
        ValidationMethod="DNS")["CertificateArn"]
    d.emulator.backend("acm")._certificates[arn].status = "ISSUED"  # DNS validation done
    d.names["certificate_arn"] = arn


def _load_balancer(d: Deployment) -> None:
    elbv2 = d.client("elbv2")
    alb = elbv2.create_load_balancer(Name=f"{P}-alb", Subnets=d.names["subnets"],
                                     SecurityGroups=[d.names["alb_sg"]], Scheme="internet-facing",
                                     Type="application")["LoadBalancers"][0]
    groups = {}
    for key in SERVICES:
        groups[key] = elbv2.create_target_group(
            Name=f"{P}-{key}-tg", Protocol="HTTP", Port=PORTS[key], VpcId=d.names["vpc"],
            TargetType="ip", HealthCheckPath="/health", Matcher={"HttpCode": "200"},
        )["TargetGroups"][0]["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=groups[key], Targets=[
            {"Id": ip, "Port": PORTS[key]} for ip in TASK_IPS[key]])
    https = elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
        Certificates=[{"CertificateArn": d.names["certificate_arn"]}],
        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["orbit"]}],
    )["Listeners"][0]["ListenerArn"]
    elbv2.create_rule(ListenerArn=https, Priority=10, Conditions=[
        {"Field": "path-pattern", "Values": ["/v1/agents/*"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": groups["axon"]}])
    elbv2.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                          DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                              "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    certificate = d.emulator.backend("acm")._certificates[d.names["certificate_arn"]]
    certificate.in_use_by[:] = [alb["LoadBalancerArn"]]  # moto lists the listener instead
    d.names.update(alb_arn=alb["LoadBalancerArn"], alb_dns=alb["DNSName"], target_groups=groups)


def _discovery(d: Deployment) -> None:
    sd = d.client("servicediscovery")
    sd.create_private_dns_namespace(Name=NAMESPACE, Vpc=d.names["vpc"])
    namespace = next(n["Id"] for n in sd.list_namespaces()["Namespaces"] if n["Name"] == NAMESPACE)
    services = {}
    for key, ecs_name in SERVICES.items():
        services[key] = sd.create_service(
            Name=key, NamespaceId=namespace,
            DnsConfig={"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 10}]},
            HealthCheckCustomConfig={"FailureThreshold": 1})["Service"]
        for n, ip in enumerate(TASK_IPS[key]):
            sd.register_instance(ServiceId=services[key]["Id"], InstanceId=_task_id(key, n),
                                 Attributes={"AWS_INSTANCE_IPV4": ip,
                                             "AWS_INSTANCE_PORT": str(PORTS[key]),
                                             "ECS_CLUSTER_NAME": CLUSTER,
                                             "ECS_SERVICE_NAME": ecs_name})
    d.names.update(namespace_id=namespace, discovery={k: s["Id"] for k, s in services.items()},
                   discovery_arns={k: s["Arn"] for k, s in services.items()})


def _task_id(service: str, n: int) -> str:
    """The ECS task ID (32 hex digits) ECS uses as the Cloud Map instance ID of task ``n``."""
    return f"{'a3f9c1' if service == 'axon' else '7be042'}{n}d2e4f6a8b0c1d3e5f7a9b1c3d5e7"[:32]


def _task_role(d: Deployment) -> None:
    iam = d.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=TASK_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    policy = {"Version": "2012-10-17", "Statement": [
        {"Sid": "Metrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
         "Resource": "*"},
        {"Sid": "Governance", "Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{GOVERNANCE}"},
        {"Sid": "Discovery", "Effect": "Allow", "Action": "servicediscovery:DiscoverInstances",
         "Resource": "*"}]}
    arn = iam.create_policy(PolicyName=f"{P}-ecs-task-policy",
                            PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=TASK_ROLE, PolicyArn=arn)
    d.names.update(task_role_arn=role["Role"]["Arn"], task_policy_arn=arn)


def _services(d: Deployment) -> None:
    ecs = d.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER, capacityProviders=["FARGATE"],
                       settings=[{"name": "containerInsights", "value": "enabled"}])
    d.names.update(services={}, task_definitions={})
    for key, name in SERVICES.items():
        for revision in range(1, REVISION + 1):
            arn = ecs.register_task_definition(
                family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                cpu="1024", memory="2048", taskRoleArn=d.names["task_role_arn"],
                containerDefinitions=[{
                    "name": key, "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:"
                                          f"1.4.{revision}",
                    "portMappings": [{"containerPort": PORTS[key]}], "essential": True,
                    "memory": 2048,  # the container's limit (moto's RunTask needs one)
                    "logConfiguration": {"logDriver": "awslogs", "options": {
                        "awslogs-group": log_group(key), "awslogs-region": REGION,
                        "awslogs-stream-prefix": key}}}],
            )["taskDefinition"]["taskDefinitionArn"]
        service = ecs.create_service(
            cluster=CLUSTER, serviceName=name, taskDefinition=arn, desiredCount=2,
            launchType="FARGATE",
            networkConfiguration={"awsvpcConfiguration": {
                "subnets": d.names["subnets"], "securityGroups": [d.names["ecs_sg"]],
                "assignPublicIp": "DISABLED"}},
            loadBalancers=[{"targetGroupArn": d.names["target_groups"][key],
                            "containerName": key, "containerPort": PORTS[key]}],
            serviceRegistries=[{"registryArn": d.names["discovery_arns"][key]}],
            deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True,
                                                                  "rollback": True}},
        )["service"]
        d.emulator.set_ecs_running_count(CLUSTER, name, running=2)
        _service_event(d, name, f"(service {name}) has reached a steady state.")
        d.names["services"][key] = service["serviceArn"]
        d.names["task_definitions"][key] = arn
        log_recent(d, log_group(key), f"INFO {key} listening on :{PORTS[key]}",
                   "INFO GET /health 200 2ms")


def _service_event(d: Deployment, service: str, message: str) -> None:
    """Put a service event on top, as ECS does (moto keeps ``Service.events`` empty)."""
    backend = d.emulator.backend("ecs")
    found, _ = backend.describe_services(CLUSTER, [service])
    events = found[0].events
    events.insert(0, {"id": f"{len(events) + 1:08x}-5c2e-4f0a-9d1b-3e7f6a2c8b40",
                      "createdAt": dt.datetime.now(dt.timezone.utc), "message": message})


def _policy_table(d: Deployment) -> None:
    dynamodb = d.client("dynamodb")
    table = dynamodb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "policy_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "policy_id", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    for policy_id, effect, condition in POLICIES:
        dynamodb.put_item(TableName=TABLE, Item={
            "policy_id": {"S": policy_id}, "effect": {"S": effect},
            "condition": {"S": condition}, "version": {"N": "3"}})
    dynamodb.create_backup(TableName=TABLE, BackupName=f"{TABLE}-nightly-20260101")
    d.names["stream_arn"] = table["LatestStreamArn"]


def _governance(d: Deployment) -> None:
    role = lambda_role(d, f"{P}-governance-lambda")
    d.names["governance_arn"] = create_function(
        d, GOVERNANCE, role, MemorySize=1024, Timeout=10,
        Environment={"Variables": {"POLICY_TABLE": TABLE, "DECISION_CACHE_TTL": "30"}})
    d.client("lambda").create_event_source_mapping(
        FunctionName=GOVERNANCE, EventSourceArn=d.names["stream_arn"], StartingPosition="LATEST",
        BatchSize=100, Enabled=True)
    log_recent(d, f"/aws/lambda/{GOVERNANCE}", "INFO decision=ALLOW policy=agent:invoke",
               "INFO policy cache refreshed from stream (4 policies)")


def _alarms(d: Deployment) -> None:
    cloudwatch = d.client("cloudwatch")
    for key, service in SERVICES.items():
        cloudwatch.put_metric_alarm(
            AlarmName=ALARMS[f"{key}_high_cpu"], Namespace="AWS/ECS",
            MetricName="CPUUtilization", Statistic="Average", Period=300, EvaluationPeriods=2,
            Threshold=75, ComparisonOperator="GreaterThanThreshold",
            Dimensions=[{"Name": "ClusterName", "Value": CLUSTER},
                        {"Name": "ServiceName", "Value": service}])
    cloudwatch.put_metric_alarm(
        AlarmName=ALARMS["governance_p95_latency"], Namespace="AWS/Lambda",
        MetricName="Duration", ExtendedStatistic="p95", Period=300, EvaluationPeriods=3,
        Threshold=500, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "FunctionName", "Value": GOVERNANCE}])
    cloudwatch.put_metric_alarm(
        AlarmName=ALARMS["system_health"], Namespace="AWS/ApplicationELB",
        MetricName="HealthyHostCount", Statistic="Minimum", Period=60, EvaluationPeriods=2,
        Threshold=1, ComparisonOperator="LessThanThreshold",
        Dimensions=[{"Name": "LoadBalancer",
                     "Value": d.names["alb_arn"].split(":loadbalancer/")[1]},
                    {"Name": "TargetGroup",
                     "Value": d.names["target_groups"]["orbit"].split(":")[-1]}])
    put_datapoint(d, ERROR_NAMESPACE, "ErrorCount", {}, 1.0)


def outputs(d: Deployment) -> dict[str, Any]:
    values = {
        "project_name": P, "aws_region": REGION, "ecs_cluster_name": CLUSTER,
        "ecs_services": dict(d.names["services"]),
        "ecs_task_definitions": dict(d.names["task_definitions"]),
        "ecs_log_groups": {key: log_group(key) for key in SERVICES},
        "ecs_task_role_arn": d.names["task_role_arn"],
        "alb_arn": d.names["alb_arn"], "alb_dns_name": d.names["alb_dns"],
        "security_group_ids": {"alb": d.names["alb_sg"], "ecs_tasks": d.names["ecs_sg"]},
        "api_endpoint": d.api.url,
        "target_group_arns": dict(d.names["target_groups"]),
        "certificate_arn": d.names["certificate_arn"],
        "service_discovery_namespace_id": d.names["namespace_id"],
        "service_discovery_service_ids": dict(d.names["discovery"]),
        "governance_function_name": GOVERNANCE,
        "governance_function_arn": d.names["governance_arn"],
        "governance_policies_table_name": TABLE,
        "governance_policies_stream_arn": d.names["stream_arn"],
        "alarm_names": dict(ALARMS),
        "axon_error_metric_namespace": ERROR_NAMESPACE,
        "orbit_internal_api_key": "ort-live-4c7e91d2b8a05f36",
    }
    return terraform_outputs(dict(sorted(values.items())),  # terraform sorts by name
                             sensitive=("orbit_internal_api_key",))


# -- breaks

def _axon_pending(d: Deployment) -> None:
    name = SERVICES["axon"]
    d.emulator.set_ecs_running_count(CLUSTER, name, running=1, pending=1)
    _service_event(d, name, f"(service {name}) was unable to place a task. Reason: "
                            "insufficient free IP addresses in subnet "
                            f"{d.names['subnets'][1]}.")


def _orbit_crashing(d: Deployment) -> None:
    """An Orbit task started by the service and stopped because its container exited."""
    ecs, name = d.client("ecs"), SERVICES["orbit"]
    task = ecs.run_task(
        cluster=CLUSTER, taskDefinition=d.names["task_definitions"]["orbit"],
        launchType="FARGATE", startedBy="ecs-svc/4471", group=f"service:{name}",
        networkConfiguration={"awsvpcConfiguration": {
            "subnets": [d.names["subnets"][0]], "securityGroups": [d.names["ecs_sg"]]}},
    )["tasks"][0]
    ecs.stop_task(cluster=CLUSTER, task=task["taskArn"], reason="Essential container in task exited")
    d.emulator.set_task_exit(CLUSTER, task["taskArn"], 1)  # what ECS records, moto does not


def _orbit_port_closed(d: Deployment) -> None:
    d.client("ec2").revoke_security_group_ingress(GroupId=d.names["ecs_sg"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": PORTS["orbit"], "ToPort": PORTS["orbit"],
        "UserIdGroupPairs": [{"GroupId": d.names["alb_sg"]}]}])


def _unhealthy_targets(d: Deployment) -> None:
    for ip in TASK_IPS["orbit"]:
        d.emulator.set_target_health(d.names["target_groups"]["orbit"], ip, "unhealthy",
                                     "Target.FailedHealthChecks", "Health checks failed")


def _deregister(d: Deployment) -> None:
    sd = d.client("servicediscovery")
    for n in range(len(TASK_IPS["axon"])):
        sd.deregister_instance(ServiceId=d.names["discovery"]["axon"],
                               InstanceId=_task_id("axon", n))


def _rolled_back(d: Deployment) -> None:
    """Orbit's new revision failed to start; the circuit breaker rolled back to the old one."""
    name = SERVICES["orbit"]
    previous = d.names["task_definitions"]["orbit"].replace(f":{REVISION}", f":{REVISION - 1}")
    found, _ = d.emulator.backend("ecs").describe_services(CLUSTER, [name])
    service = found[0]
    service.task_definition = previous
    for deployment in service.deployments:
        deployment["taskDefinition"] = previous
    _service_event(d, name, f"(service {name}) deployment ecs-svc/4472089130526143071 "
                            "deployment failed: tasks failed to start.")
    _service_event(d, name, f"(service {name}) rolling back to deployment "
                            f"{service.deployments[0]['id']}.")
    _service_event(d, name, f"(service {name}) has reached a steady state.")


def _disable_trigger(d: Deployment) -> None:
    lam = d.client("lambda")
    for mapping in lam.list_event_source_mappings(FunctionName=GOVERNANCE)["EventSourceMappings"]:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)


def _disable_stream(d: Deployment) -> None:
    d.client("dynamodb").update_table(TableName=TABLE,
                                      StreamSpecification={"StreamEnabled": False})


def _throttled(d: Deployment) -> None:
    d.client("dynamodb").update_table(
        TableName=TABLE, BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    for operation, value in (("GetItem", 212.0), ("Query", 35.0)):
        put_datapoint(d, "AWS/DynamoDB", "ThrottledRequests",
                      {"TableName": TABLE, "Operation": operation}, value)


def _cpu_alarm(d: Deployment) -> None:
    d.client("cloudwatch").set_alarm_state(
        AlarmName=ALARMS["axon_high_cpu"], StateValue="ALARM",
        StateReason="Threshold Crossed: 2 datapoints [97.3 (01/01/26 10:05:00), "
                    "94.8 (01/01/26 10:00:00)] were greater than the threshold (75.0).")


def _axon_errors(d: Deployment) -> None:
    log_recent(d, log_group("axon"),
               "ERROR governance call failed: timeout after 3000ms (agent-runtime-prod-governance)",
               "ERROR run 7f3a aborted: GOVERNANCE_UNAVAILABLE", minutes_ago=1)
    put_datapoint(d, ERROR_NAMESPACE, "ErrorCount", {}, 56.0)  # + the 1 from before: 57


def _drop_log_group(d: Deployment) -> None:
    d.client("logs").delete_log_group(logGroupName=log_group("orbit"))


def _detach_task_policy(d: Deployment) -> None:
    d.client("iam").detach_role_policy(RoleName=TASK_ROLE, PolicyArn=d.names["task_policy_arn"])


def _expiring_certificate(d: Deployment) -> None:
    """Replace the certificate's X.509 body with one that expires in 12 days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
    now = dt.datetime.now(dt.timezone.utc)
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Amazon RSA 2048 M02")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=383))
            .not_valid_after(now + dt.timedelta(days=12))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(DOMAIN), x509.DNSName(f"*.{DOMAIN}")]), critical=False)
            .sign(key, hashes.SHA256()))
    bundle = d.emulator.backend("acm")._certificates[d.names["certificate_arn"]]
    bundle.cert, bundle._cert = cert.public_bytes(serialization.Encoding.PEM), cert


def _api_down(d: Deployment) -> None:
    d.api.route("/health", 503, "<html><body><h1>503 Service Temporarily Unavailable</h1>"
                                "</body></html>", headers={"Content-Type": "text/html"})


AXON = "ecs_services.axon"
TG_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup"

BREAKS = {
    "sg_closed": Break(
        "The ECS tasks' security group no longer admits the ALB on Orbit's port",
        _orbit_port_closed, ("test_alb_reaches_service[orbit]",),
        ("Security group sg-* in us-east-1 does not allow TCP 3000 from sg-*",
         "*aws ec2 authorize-security-group-ingress --group-id sg-* --protocol tcp --port 3000 "
         "--source-group sg-* --region us-east-1*")),
    "axon_pending": Break(
        "Axon stuck with 1 of 2 tasks: the subnet has no free IP addresses", _axon_pending,
        (f"test_service_at_desired_count[{AXON}]",
         f"test_latest_service_event_is_not_a_failure[{AXON}]"),
        (f"ECS service {P}-axon in cluster {CLUSTER} ({REGION}) runs 1 of 2 tasks (1 pending)",
         (f"*aws ecs update-service --cluster {CLUSTER} --service {P}-axon --region {REGION} "
          "--force-new-deployment"))),
    "orbit_crash": Break(
        "An Orbit task crashed: its essential container exited", _orbit_crashing,
        ("test_no_failed_tasks[ecs_services.orbit]",),
        (f"ECS service {P}-orbit in cluster {CLUSTER} ({REGION}) has failed tasks: * "
         "(EssentialContainerExited: Essential container in task exited, exit code 1)",
         f"*aws ecs describe-tasks --cluster {CLUSTER} --tasks * --region {REGION}*")),
    "rollback": Break(
        "Orbit's new revision failed; the circuit breaker rolled back to the previous one",
        _rolled_back, ("test_service_runs_deployed_task_definition[orbit]",),
        ((f"ECS service {P}-orbit in cluster {CLUSTER} ({REGION}) runs an unexpected task "
          "definition"),
         (f"*aws ecs update-service --cluster {CLUSTER} --service {P}-orbit --region {REGION} "
          "--task-definition <family:revision>"))),
    "targets": Break(
        "Orbit targets fail the ALB health checks", _unhealthy_targets,
        ("test_targets_healthy[target_group_arns.orbit]",),
        ((f"Target group {P}-orbit-tg in {REGION} is not healthy: 10.40.11.54 unhealthy "
          "(Target.FailedHealthChecks: Health checks failed)*"),
         (f"*aws elbv2 describe-target-health --target-group-arn {TG_ARN}/{P}-orbit-tg/* "
          f"--region {REGION}"))),
    "discovery": Break(
        "Axon tasks deregistered from Cloud Map (Orbit can't reach Axon)", _deregister,
        ("test_discovery_service_has_instances[service_discovery_service_ids.axon]",),
        (f"Cloud Map service axon (srv-*) in {REGION} has no registered instances",
         f"*aws servicediscovery list-instances --service-id srv-* --region {REGION}")),
    "stream": Break(
        "DynamoDB stream of the policy table disabled", _disable_stream,
        ("test_policy_table_stream_enabled",),
        (f"DynamoDB table {TABLE} in {REGION} does not have the expected stream",
         (f"*aws dynamodb update-table --table-name {TABLE} --region {REGION} "
          "--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES"))),
    "trigger": Break(
        "governance Lambda's stream trigger disabled", _disable_trigger,
        ("test_governance_stream_trigger_enabled",),
        (f"Lambda function {GOVERNANCE} in {REGION} has no enabled event source mapping",
         f"*aws lambda update-event-source-mapping --uuid *-*-* --enabled --region {REGION}")),
    "throttled": Break(
        "policy table switched to 5 RCU/WCU provisioned and throttling", _throttled,
        ("test_policy_table_on_demand", "test_policy_table_not_throttled"),
        (f"DynamoDB table {TABLE} in {REGION} has an unexpected billing mode",
         (f"DynamoDB table {TABLE} in {REGION} was throttled (ThrottledRequests: 247) in the "
          "last 15 min"),
         (f"*aws dynamodb update-table --table-name {TABLE} --region {REGION} "
          "--billing-mode PAY_PER_REQUEST"))),
    "cpu_alarm": Break(
        "Axon high-CPU alarm in ALARM", _cpu_alarm, ("test_alarm_not_firing[axon_high_cpu]",),
        (f"CloudWatch alarm {P}-axon-high-cpu in {REGION} is ALARM: Threshold Crossed*",
         (f"*aws cloudwatch describe-alarm-history --alarm-name {P}-axon-high-cpu "
          f"--history-item-type StateUpdate --max-records 10 --region {REGION}"))),
    "axon_errors": Break(
        "Axon logging errors (governance timeouts) and reporting ErrorCount 57", _axon_errors,
        ("test_no_recent_service_errors[ecs_log_groups.axon]", "test_axon_error_count_low"),
        (f"Log group /ecs/{P}-axon in {REGION} has recent error lines",
         f"*aws logs tail /ecs/{P}-axon --since 15m --region {REGION}",
         (f"CloudWatch metric {P}/Axon ErrorCount in {REGION} summed to 57 over the "
          "last 60 min*"))),
    "log_group": Break(
        "Orbit's log group deleted", _drop_log_group,
        ("test_service_log_group_exists[ecs_log_groups.orbit]",
         "test_no_recent_service_errors[ecs_log_groups.orbit]"),
        (f"Log group /ecs/{P}-orbit does not exist in {REGION}",
         f"*aws logs create-log-group --log-group-name /ecs/{P}-orbit --region {REGION}")),
    "task_role": Break(
        "task policy detached from the ECS task role", _detach_task_policy,
        ("test_task_role_can_call_governance", "test_task_role_can_publish_metrics"),
        (f"IAM role {TASK_ROLE} may not perform cloudwatch:PutMetricData on * (implicitDeny)",
         (f"*aws iam put-role-policy --role-name {TASK_ROLE} --policy-name allow-{TASK_ROLE} "
          "--policy-document file://policy.json*"))),
    "certificate": Break(
        "ALB certificate expires in 12 days", _expiring_certificate,
        ("test_certificate_valid",),
        (f"ACM certificate for {DOMAIN} in {REGION} expires in 1?.? days*",
         (f"*aws acm renew-certificate --certificate-arn arn:aws:acm:{REGION}:{ACCOUNT}:"
          f"certificate/* --region {REGION}*"))),
    "health": Break(
        "/health behind the ALB answers 503", _api_down, ("test_api_health",),
        ("Health check http://127.0.0.1:*/health is not healthy: status 503, expected 200",
         "*aws elbv2 describe-target-health --target-group-arn <target-group-arn>*")),
}

STACK = Stack("agent_runtime", "terraform-outputs.json", provision, outputs, BREAKS)
