"""Sake Sensei (CDK): Cognito, DynamoDB, four Lambda functions, Streamlit on ECS behind an
HTTPS ALB, CloudWatch alarms to SNS, and the five CloudFormation stacks that hold them.

States moto cannot produce, and how this stack produces them:

* ECS tasks RUNNING (healthy) or crashed (``ecs`` break): ``set_ecs_running_count``; the
  service events ECS would write are set on moto's service object.
* ALB targets unhealthy (``health_check`` break): ``set_target_health`` with
  ``Target.ResponseCodeMismatch``; the load balancer's ``/`` and ``/_stcore/health`` are
  the ``d.api`` stub (moto serves no ALB traffic).
* A certificate with a real NotAfter: a self-signed certificate for sakesensei.com is
  imported into ACM (the real stack requests an Amazon-issued one; requested certificates
  stay PENDING_VALIDATION on moto). The ``certificate`` break re-imports a 10-day one
  into the same ARN.
* CloudFormation UPDATE_ROLLBACK_COMPLETE with an UPDATE_FAILED resource event (``stack``
  break): moto never fails a stack, so the status and events are set on moto's stack object.
* An SNS subscription PendingConfirmation (``sns`` break): ``set_sns_pending``.
* Alarm states: ``set_alarm_state`` (moto never evaluates alarms).
* Lambda and DynamoDB throttles: ``put_metric_data`` of the AWS/* metrics the services
  would publish (moto publishes none).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pytest_awshealth.emulator.stacks import (
    Break,
    Deployment,
    Stack,
    cdk_outputs,
    create_function,
    lambda_role,
    log_recent,
    put_datapoint,
    roll_back_stack,
)

REGION, ACCOUNT = "us-east-1", "123456789012"
DOMAIN = "sakesensei.com"
CLUSTER, SERVICE = "sakesensei-prod", "streamlit-app"
ALB, TARGET_GROUP = "sakesensei-prod-alb", "sakesensei-prod-streamlit"
FRONTEND_LOGS = f"/ecs/{CLUSTER}/{SERVICE}"
AGENT_LOGS = "/agentcore/sakesensei/agent"
TOPIC = "SakeSensei-Alarms"
SMOKE_USER = "healthcheck@sakesensei.com"
TABLES = {"Users": "SakeSensei-Users", "Sakes": "SakeSensei-Sakes",
          "TastingRecords": "SakeSensei-TastingRecords"}
TASTING_INDEX = "sake_id-index"
FUNCTIONS = {"Recommendation": "SakeSensei-Recommendation", "Preference": "SakeSensei-Preference",
             "Tasting": "SakeSensei-Tasting", "ImageRecognition": "SakeSensei-ImageRecognition"}
ERROR_ALARM = "SakeSensei-Lambda-ErrorAlarm"
ALARMS = {  # name -> (namespace, metric, dimensions, threshold)
    ERROR_ALARM: ("AWS/Lambda", "Errors", {"FunctionName": FUNCTIONS["Recommendation"]}, 5),
    "SakeSensei-Lambda-ThrottleAlarm": (
        "AWS/Lambda", "Throttles", {"FunctionName": FUNCTIONS["Recommendation"]}, 1),
    "SakeSensei-DynamoDB-ThrottleAlarm": (
        "AWS/DynamoDB", "ThrottledRequests", {"TableName": TABLES["Users"]}, 1),
    "SakeSensei-ECS-HighCPU": (
        "AWS/ECS", "CPUUtilization", {"ClusterName": CLUSTER, "ServiceName": SERVICE}, 80),
    "SakeSensei-ALB-UnhealthyHosts": ("AWS/ApplicationELB", "UnHealthyHostCount", {}, 1),
}
STACKS = ("SakeSenseiAuthStack", "SakeSenseiStorageStack", "SakeSenseiBackendStack",
          "SakeSenseiFrontendStack", "SakeSenseiMonitoringStack")


def logical_id(stack: str, key: str) -> str:
    """A CDK output logical ID: the construct path's name plus an 8-hex hash suffix."""
    return f"{key}{zlib.crc32(f'{stack}/{key}'.encode()):08X}"


# -- provisioning

def provision(d: Deployment) -> None:
    _auth(d)
    _storage(d)
    _backend(d)
    _frontend(d)
    _monitoring(d)
    log_recent(d, AGENT_LOGS, "[INFO] Agent invocation completed in 2.1s",
               "[INFO] Gateway tool get_recommendations returned 5 items")
    _cloudformation(d)


def _auth(d: Deployment) -> None:
    cognito = d.client("cognito-idp")
    # MFA set apart from CreateUserPool: moto's DescribeUserPool would keep showing the
    # creation-time value after SetUserPoolMfaConfig (AWS shows the new one)
    pool = cognito.create_user_pool(PoolName="SakeSensei-UserPool",
                                    AutoVerifiedAttributes=["email"])["UserPool"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration="OPTIONAL",
                                      SoftwareTokenMfaConfiguration={"Enabled": True})
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="SakeSensei-Web",
                                             GenerateSecret=False)["UserPoolClient"]
    cognito.admin_create_user(UserPoolId=pool["Id"], Username=SMOKE_USER, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": SMOKE_USER},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=pool["Id"], Username=SMOKE_USER,
                                    Password="Sm0ke-Test-Passw0rd!", Permanent=True)
    log_recent(d, f"/aws/cognito/userpools/{pool['Id']}",
               '{"eventType": "SignIn", "eventResponse": "Pass"}')
    d.names.update(pool_id=pool["Id"], client_id=client["ClientId"])


def _storage(d: Deployment) -> None:
    dynamodb = d.client("dynamodb")
    keys = {"Users": ("user_id", None), "Sakes": ("sake_id", None),
            "TastingRecords": ("user_id", "tasting_id")}
    for key, table in TABLES.items():
        hash_key, range_key = keys[key]
        schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
        attributes = {hash_key}
        if range_key:
            schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
            attributes.add(range_key)
        extra: dict[str, Any] = {}
        if key == "TastingRecords":
            attributes.add("sake_id")
            extra["GlobalSecondaryIndexes"] = [{
                "IndexName": TASTING_INDEX, "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "sake_id", "KeyType": "HASH"}]}]
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=schema,
                              AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                                    for a in sorted(attributes)], **extra)
        dynamodb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
    for sake_id, name in (("dassai-45", "Dassai 45"), ("kubota-manju", "Kubota Manju"),
                          ("hakkaisan-tokubetsu", "Hakkaisan Tokubetsu Honjozo")):
        dynamodb.put_item(TableName=TABLES["Sakes"], Item={"sake_id": {"S": sake_id},
                                                           "name": {"S": name}})
    dynamodb.put_item(TableName=TABLES["Users"], Item={"user_id": {"S": "healthcheck"},
                                                       "preferences": {"S": "dry"}})
    dynamodb.create_backup(TableName=TABLES["Users"], BackupName="SakeSensei-Users-daily")
    d.client("s3").create_bucket(Bucket=f"sakesensei-images-{ACCOUNT}")


def _backend(d: Deployment) -> None:
    tables = {"USERS_TABLE": TABLES["Users"], "SAKES_TABLE": TABLES["Sakes"],
              "TASTING_RECORDS_TABLE": TABLES["TastingRecords"]}
    settings: dict[str, dict[str, Any]] = {
        "Recommendation": {"Timeout": 30, "Environment": {"Variables": tables}},
        "Preference": {"Timeout": 10, "Environment": {"Variables": {
            "USERS_TABLE": TABLES["Users"]}}},
        "Tasting": {"Timeout": 10, "Environment": {"Variables": {
            "TASTING_RECORDS_TABLE": TABLES["TastingRecords"], "SAKES_TABLE": TABLES["Sakes"]}}},
        "ImageRecognition": {"Timeout": 60, "MemorySize": 2048, "Environment": {"Variables": {
            "SAKES_TABLE": TABLES["Sakes"], "IMAGES_BUCKET": f"sakesensei-images-{ACCOUNT}",
            "BEDROCK_MODEL_ID": "anthropic.claude-3-5-sonnet-20241022-v2:0"}}},
    }
    client, logs = d.client("lambda"), d.client("logs")
    for key, name in FUNCTIONS.items():
        role = lambda_role(d, role_name(key))
        _role_policies(d, role_name(key), name)
        create_function(d, name, role, **{"MemorySize": 512, **settings[key]})
        group = f"/aws/lambda/{name}"
        log_recent(d, group, "START RequestId: 6f1c2a9e Version: $LATEST",
                   "[INFO] Request handled", "END RequestId: 6f1c2a9e")
        logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    client.put_function_concurrency(FunctionName=FUNCTIONS["Recommendation"],
                                    ReservedConcurrentExecutions=50)


def role_name(key: str) -> str:
    """The name CloudFormation generates for a function's execution role."""
    suffix = f"{zlib.crc32(key.encode()):08X}{zlib.crc32(key[::-1].encode()) & 0xFFFF:04X}"
    return f"SakeSenseiBackendStack-{key}FunctionServiceRole"[:51] + f"-{suffix}"


def _role_policies(d: Deployment, role: str, function: str) -> None:
    iam = d.client("iam")
    logs = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{function}:*"}]}
    tables = [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{t}" for t in TABLES.values()]
    data = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                   "dynamodb:Query", "dynamodb:BatchGetItem"],
        "Resource": tables + [f"{t}/index/*" for t in tables]}]}
    iam.put_role_policy(RoleName=role, PolicyName="CloudWatchLogsPolicy",
                        PolicyDocument=json.dumps(logs))
    iam.put_role_policy(RoleName=role, PolicyName="DynamoDBAccess", PolicyDocument=json.dumps(data))


def _frontend(d: Deployment) -> None:
    ec2, elb = d.client("ec2"), d.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24",
                                 AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    alb_sg = ec2.create_security_group(GroupName="sakesensei-prod-alb", VpcId=vpc,
                                       Description="ALB: HTTPS from anywhere")["GroupId"]
    task_sg = ec2.create_security_group(GroupName="sakesensei-prod-streamlit", VpcId=vpc,
                                        Description="Streamlit tasks: 8501 from the ALB")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=alb_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": port, "ToPort": port,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} for port in (80, 443)])
    ec2.authorize_security_group_ingress(GroupId=task_sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8501, "ToPort": 8501,
        "UserIdGroupPairs": [{"GroupId": alb_sg}]}])
    certificate = import_certificate(d, days=75)
    alb = elb.create_load_balancer(Name=ALB, Subnets=subnets, SecurityGroups=[alb_sg],
                                   Scheme="internet-facing", Type="application")["LoadBalancers"][0]
    tg = elb.create_target_group(
        Name=TARGET_GROUP, Protocol="HTTP", Port=8501, VpcId=vpc, TargetType="ip",
        HealthCheckPath="/_stcore/health", HealthCheckIntervalSeconds=30,
        HealthyThresholdCount=3, UnhealthyThresholdCount=3)["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                        Certificates=[{"CertificateArn": certificate}],
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                            "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    targets = ["10.20.1.37", "10.20.2.114"]
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"],
                         Targets=[{"Id": ip, "Port": 8501} for ip in targets])
    d.names.update(alb_sg=alb_sg, task_sg=task_sg)
    d.names.update(alb_arn=alb["LoadBalancerArn"], alb_dns=alb["DNSName"],
                   tg_arn=tg["TargetGroupArn"], targets=targets, certificate=certificate)
    _ecs(d, tg["TargetGroupArn"], subnets, task_sg)
    d.api.route("/", 200, "<!DOCTYPE html><html><head><title>Sake Sensei</title></head></html>",
                {"Content-Type": "text/html"})
    d.api.route("/_stcore/health", 200, "ok")


def _ecs(d: Deployment, target_group: str, subnets: list[str], security_group: str) -> None:
    ecs = d.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    log_config = {"logDriver": "awslogs", "options": {
        "awslogs-group": FRONTEND_LOGS, "awslogs-region": REGION,
        "awslogs-stream-prefix": "streamlit"}}
    task = ecs.register_task_definition(
        family=f"{CLUSTER}-{SERVICE}", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        cpu="512", memory="1024", containerDefinitions=[{
            "name": "streamlit", "portMappings": [{"containerPort": 8501}],
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/sakesensei-streamlit:3f9c2e1",
            "logConfiguration": log_config}])["taskDefinition"]
    service = ecs.create_service(
        cluster=CLUSTER, serviceName=SERVICE, taskDefinition=task["taskDefinitionArn"],
        desiredCount=2, launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": target_group, "containerName": "streamlit",
                        "containerPort": 8501}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": subnets,
                                                      "securityGroups": [security_group]}})
    d.emulator.set_ecs_running_count(CLUSTER, SERVICE, running=2)
    d.names["service_arn"] = service["service"]["serviceArn"]
    log_recent(d, FRONTEND_LOGS, "You can now view your Streamlit app in your browser.",
               "URL: http://0.0.0.0:8501")


def import_certificate(d: Deployment, days: float, arn: str | None = None) -> str:
    """Import a self-signed certificate for DOMAIN and www.DOMAIN valid ``days`` days."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(DOMAIN), x509.DNSName(f"www.{DOMAIN}")]), critical=False)
            .sign(key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    params: dict[str, Any] = {"Certificate": cert.public_bytes(pem), "PrivateKey": key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())}
    if arn:
        params["CertificateArn"] = arn
    return d.client("acm").import_certificate(**params)["CertificateArn"]


def _monitoring(d: Deployment) -> None:
    sns, cloudwatch = d.client("sns"), d.client("cloudwatch")
    topic = sns.create_topic(Name=TOPIC)["TopicArn"]
    email = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@sakesensei.com",
                          ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic, Protocol="https",
                  Endpoint="https://global.sns-api.chatbot.amazonaws.com")
    d.names.update(topic_arn=topic, email_subscription=email)
    for name, (namespace, metric, dimensions, threshold) in ALARMS.items():
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace=namespace, MetricName=metric, Statistic="Sum"
            if metric != "CPUUtilization" else "Average",
            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
            Period=300, EvaluationPeriods=1, Threshold=threshold,
            ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic],
            TreatMissingData="notBreaching")


def _cloudformation(d: Deployment) -> None:
    """The CDK app's stacks, and the bootstrap stack, as CloudFormation knows them."""
    cfn = d.client("cloudformation")
    with _quiet_moto():  # moto does not model AWS::CDK::Metadata and says so; harmless
        for stack, values in _output_values(d).items():
            template = {"Resources": {"CDKMetadata": {
                "Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:deflate64:H4sI"}}},
                "Outputs": {key: {"Value": str(value)} for key, value in values.items()}}
            cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template),
                             Tags=[{"Key": "Project", "Value": "SakeSensei"}])
        # a customised bootstrap template: the version parameter, no BootstrapVersion output
        bootstrap = {"Resources": {"CdkBootstrapVersion": {
            "Type": "AWS::SSM::Parameter", "Properties": {
                "Type": "String", "Name": "/cdk-bootstrap/hnb659fds/version", "Value": "27"}}}}
        cfn.create_stack(StackName="CDKToolkit", TemplateBody=json.dumps(bootstrap))


@contextmanager
def _quiet_moto() -> Iterator[None]:
    """Silence moto's warnings about resource types it does not model."""
    logger, level = logging.getLogger("moto"), logging.getLogger("moto").level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# -- outputs

def _output_values(d: Deployment) -> dict[str, dict[str, Any]]:
    values: dict[str, dict[str, Any]] = {
        "SakeSenseiAuthStack": {"UserPoolId": d.names["pool_id"],
                                "UserPoolClientId": d.names["client_id"],
                                "UserPoolArn": f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/"
                                               + d.names["pool_id"]},
        "SakeSenseiStorageStack": {**{f"{k}TableName": v for k, v in TABLES.items()},
                                   "ImagesBucketName": f"sakesensei-images-{ACCOUNT}"},
        "SakeSenseiBackendStack": {f"{k}FunctionName": v for k, v in FUNCTIONS.items()},
        "SakeSenseiFrontendStack": {
            "ServiceURL": d.api.url, "LoadBalancerDNS": d.names["alb_dns"],
            "LoadBalancerArn": d.names["alb_arn"], "TargetGroupArn": d.names["tg_arn"],
            "ClusterName": CLUSTER, "ServiceArn": d.names["service_arn"],
            "CertificateArn": d.names["certificate"], "FrontendLogGroupName": FRONTEND_LOGS,
            "AlbSecurityGroupId": d.names["alb_sg"], "ServiceSecurityGroupId": d.names["task_sg"]},
        "SakeSenseiMonitoringStack": {"AlarmTopicArn": d.names["topic_arn"],
                                      "DashboardURL": f"https://{REGION}.console.aws.amazon.com/"
                                      f"cloudwatch/home?region={REGION}#dashboards:name=SakeSensei"},
    }
    return {stack: {logical_id(stack, key): value for key, value in items.items()}
            for stack, items in values.items()}


def outputs(d: Deployment) -> dict[str, Any]:
    return cdk_outputs(_output_values(d))


# -- breaks

def _ecs_service(d: Deployment) -> Any:
    return d.emulator.backend("ecs").describe_services(CLUSTER, [SERVICE])[0][0]


def _tasks_crash(d: Deployment) -> None:
    """Streamlit containers exit at start: no task runs, targets drain, the ALB says 503."""
    d.emulator.set_ecs_running_count(CLUSTER, SERVICE, running=0, pending=1)
    now = dt.datetime.now(dt.timezone.utc)
    stopped = (f"(service {SERVICE}) task 2b7e90f1c4 stopped: Essential container in task "
               "exited (ModuleNotFoundError: No module named 'boto3')")
    messages = (f"(service {SERVICE}) has started 1 tasks: (task 5d0c1e7a9b).",
                f"(service {SERVICE}) deregistered 1 targets in (target-group {TARGET_GROUP})",
                stopped)
    _ecs_service(d).events = [{"id": str(i), "createdAt": now, "message": m}
                              for i, m in enumerate(messages)]
    for ip in d.names["targets"]:
        d.emulator.set_target_health(d.names["tg_arn"], ip, "draining")
    d.api.route("/", 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                {"Content-Type": "text/html"})
    d.api.route("/_stcore/health", 503, "<html><body><h1>503 Service Temporarily Unavailable"
                "</h1></body></html>", {"Content-Type": "text/html"})
    log_recent(d, FRONTEND_LOGS, "Traceback (most recent call last):",
               "ModuleNotFoundError: No module named 'boto3'", minutes_ago=1)


def _health_check_path(d: Deployment) -> None:
    """The target group probes /health, which Streamlit does not serve (404)."""
    target_group = d.names["tg_arn"]
    d.client("elbv2").modify_target_group(TargetGroupArn=target_group, HealthCheckPath="/health")
    for ip in d.names["targets"]:
        d.emulator.set_target_health(target_group, ip, "unhealthy", "Target.ResponseCodeMismatch",
                                     "Health checks failed with these codes: [404]")
    _fire(d, "SakeSensei-ALB-UnhealthyHosts", 2, 1)


def _lambda_errors(d: Deployment) -> None:
    """The recommendation handler raises; its error alarm fires."""
    log_recent(d, f"/aws/lambda/{FUNCTIONS['Recommendation']}",
               "[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the "
               "InvokeModel operation: You don't have access to the model with the specified "
               "model ID.", "[ERROR] SS-004 Recommendation generation failed", minutes_ago=1)
    _fire(d, ERROR_ALARM, 12, 5)


def _throttle_lambda(d: Deployment) -> None:
    """Reserved concurrency set to 0: every invocation is throttled (429)."""
    name = FUNCTIONS["Recommendation"]
    d.client("lambda").put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    put_datapoint(d, "AWS/Lambda", "Throttles", {"FunctionName": name}, 37, minutes_ago=5)
    _fire(d, "SakeSensei-Lambda-ThrottleAlarm", 37, 1)


def _throttle_table(d: Deployment) -> None:
    """Hot partition on the users table: GetItem requests throttled."""
    for operation, count in (("GetItem", 42), ("PutItem", 7)):
        put_datapoint(d, "AWS/DynamoDB", "ThrottledRequests",
                      {"TableName": TABLES["Users"], "Operation": operation}, count, minutes_ago=5)
    _fire(d, "SakeSensei-DynamoDB-ThrottleAlarm", 49, 1)


def _fire(d: Deployment, alarm: str, value: float, threshold: float) -> None:
    """Put ``alarm`` in ALARM with the reason CloudWatch would give."""
    d.client("cloudwatch").set_alarm_state(
        AlarmName=alarm, StateValue="ALARM",
        StateReason=f"Threshold Crossed: 1 datapoint [{value:g} (01/01/26 10:05:00)] was greater "
                    f"than or equal to the threshold ({threshold:g}).")


def _stack_rolled_back(d: Deployment) -> None:
    """The last cdk deploy of the storage stack failed and was rolled back."""
    roll_back_stack(d, "SakeSenseiStorageStack", "TastingRecordsTable8C1A6E52",
                    "AWS::DynamoDB::Table",
                    "CloudFormation cannot update a stack when a custom-named resource requires "
                    "replacing. Rename SakeSensei-TastingRecords and update the stack again.",
                    physical_id=TABLES["TastingRecords"])


def _disable_mfa(d: Deployment) -> None:
    d.client("cognito-idp").set_user_pool_mfa_config(UserPoolId=d.names["pool_id"],
                                                     MfaConfiguration="OFF")


def _reset_user(d: Deployment) -> None:
    """The smoke-test user was recreated by an admin and never set a permanent password."""
    cognito = d.client("cognito-idp")
    cognito.admin_delete_user(UserPoolId=d.names["pool_id"], Username=SMOKE_USER)
    cognito.admin_create_user(UserPoolId=d.names["pool_id"], Username=SMOKE_USER,
                              TemporaryPassword="Temp-Passw0rd!", MessageAction="SUPPRESS")


def _disable_pitr(d: Deployment) -> None:
    d.client("dynamodb").update_continuous_backups(
        TableName=TABLES["Users"],
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})


def _expiring_certificate(d: Deployment) -> None:
    """An imported certificate nobody renewed: 10 days left (re-imported into the same ARN,
    which keeps its InUseBy on AWS; moto's re-import forgets it, so it is put back)."""
    acm = d.emulator.backend("acm")
    in_use = list(acm.get_certificate(d.names["certificate"]).in_use_by)
    import_certificate(d, days=10, arn=d.names["certificate"])
    acm.get_certificate(d.names["certificate"]).in_use_by = in_use


def _drop_logs_policy(d: Deployment) -> None:
    d.client("iam").delete_role_policy(RoleName=role_name("Recommendation"),
                                       PolicyName="CloudWatchLogsPolicy")


BREAKS = {
    "ecs": Break(
        "Streamlit tasks crash at start (0 of 2 running, ALB answers 503)", _tasks_crash,
        ("test_frontend_service_running", "test_frontend_deployment_completed",
         "test_alb_targets_healthy", "test_streamlit_health_endpoint", "test_site_reachable",
         "test_frontend_logs_have_no_errors"),
        ("ECS service streamlit-app in cluster sakesensei-prod (us-east-1) runs 0 of 2 tasks*",
         ("*aws ecs update-service --cluster sakesensei-prod --service streamlit-app --region "
          "us-east-1 --force-new-deployment*"))),
    "health_check": Break(
        "target group health check path changed to /health (404)", _health_check_path,
        ("test_alb_targets_healthy", "test_target_group_checks_streamlit_health",
         "test_no_alarms_firing"),
        (("Target group sakesensei-prod-streamlit in us-east-1 is not healthy: 10.20.1.37 unhealthy "
          "(Target.ResponseCodeMismatch*"),
         ("*aws elbv2 modify-target-group --target-group-arn arn:aws:elasticloadbalancing:us-east-1:"
          "123456789012:targetgroup/sakesensei-prod-streamlit/* --health-check-path *"),
         "Target group sakesensei-prod-streamlit in us-east-1 health-checks path /health, not the one the check expects")),
    "lambda_errors": Break(
        "recommendation function raising (Bedrock access denied), error alarm firing",
        _lambda_errors,
        ("test_no_recent_lambda_errors[RecommendationFunctionName]", "test_no_alarms_firing",
         "test_lambda_error_alarm_ok"),
        ("Log group /aws/lambda/SakeSensei-Recommendation in us-east-1 has recent error lines",
         "*aws logs tail /aws/lambda/SakeSensei-Recommendation --since 1h --region us-east-1*",
         "SS-004 in /aws/lambda/SakeSensei-Recommendation: generating recommendations failed",
         "CloudWatch alarm SakeSensei-Lambda-ErrorAlarm in us-east-1 is ALARM: Threshold Crossed*")),
    "concurrency": Break(
        "recommendation function reserved concurrency 0 (every call throttled)", _throttle_lambda,
        ("test_reserved_concurrency_not_zero[RecommendationFunctionName]",
         "test_lambda_not_throttled[RecommendationFunctionName]", "test_no_alarms_firing"),
        (("Lambda function SakeSensei-Recommendation in us-east-1 has unexpected reserved "
          "concurrency*"),
         ("*aws lambda put-function-concurrency --function-name SakeSensei-Recommendation "
          "--region us-east-1 --reserved-concurrent-executions 50*"))),
    "throttling": Break(
        "users table throttled (hot partition)", _throttle_table,
        ("test_table_not_throttled[UsersTableName]", "test_no_alarms_firing"),
        ("DynamoDB table SakeSensei-Users in us-east-1 was throttled (ThrottledRequests: 49)*",
         ("*aws dynamodb update-table --table-name SakeSensei-Users --region us-east-1 "
          "--billing-mode PAY_PER_REQUEST*"))),
    "pitr": Break(
        "point-in-time recovery disabled on the users table", _disable_pitr,
        ("test_point_in_time_recovery_enabled[UsersTableName]",),
        (("DynamoDB table SakeSensei-Users in us-east-1 does not have point-in-time recovery "
          "enabled"),
         ("*aws dynamodb update-continuous-backups --table-name SakeSensei-Users --region us-east-1 "
          "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true*"))),
    "mfa": Break(
        "MFA switched off on the user pool", _disable_mfa, ("test_user_pool_mfa_enabled",),
        ("Cognito user pool us-east-1_* in us-east-1 does not have the expected MFA configuration",
         ("*aws cognito-idp set-user-pool-mfa-config --user-pool-id us-east-1_* --region us-east-1 "
          "--mfa-configuration OPTIONAL --software-token-mfa-configuration Enabled=true*"))),
    "user": Break(
        "smoke-test user stuck in FORCE_CHANGE_PASSWORD", _reset_user,
        ("test_smoke_user_can_sign_in",),
        (("Cognito user healthcheck@sakesensei.com in user pool us-east-1_* (us-east-1) is "
          "FORCE_CHANGE_PASSWORD: they cannot sign in"),
         ("*aws cognito-idp admin-set-user-password --user-pool-id us-east-1_* --username "
          "healthcheck@sakesensei.com --region us-east-1 --password '<new password>' --permanent*"))),
    "stack": Break(
        "storage stack update failed and rolled back (UPDATE_ROLLBACK_COMPLETE)", _stack_rolled_back,
        ("test_stack_deployed[SakeSenseiStorageStack]",
         "test_stack_has_no_failed_events[SakeSenseiStorageStack]"),
        ("CloudFormation stack SakeSenseiStorageStack in us-east-1 is UPDATE_ROLLBACK_COMPLETE*",
         ("*first failure: TastingRecordsTable8C1A6E52 (AWS::DynamoDB::Table) UPDATE_FAILED: "
          "CloudFormation cannot update a stack when a custom-named resource requires replacing*"),
         "*cdk deploy SakeSenseiStorageStack*")),
    "certificate": Break(
        "imported ALB certificate expires in 10 days", _expiring_certificate,
        ("test_certificate_not_expiring",),
        ("ACM certificate for sakesensei.com in us-east-1 expires in * days*",
         ("*aws acm import-certificate --certificate-arn arn:aws:acm:us-east-1:123456789012:"
          "certificate/* --certificate fileb://cert.pem*"))),
    "sns": Break(
        "ops email subscription to the alarm topic never confirmed",
        lambda d: d.emulator.set_sns_pending(d.names["email_subscription"]),
        ("test_alarm_subscriptions_confirmed",),
        (("SNS topic SakeSensei-Alarms in us-east-1 has subscriptions pending confirmation: "
          "email:ops@sakesensei.com"),
         ("*aws sns subscribe --topic-arn arn:aws:sns:us-east-1:123456789012:SakeSensei-Alarms "
          "--region us-east-1 --protocol email*"))),
    "logs_permission": Break(
        "CloudWatchLogsPolicy removed from the recommendation function's role",
        _drop_logs_policy,
        ("test_function_can_write_logs[RecommendationFunctionName]",),
        (("IAM role SakeSenseiBackendStack-RecommendationFunctionServic-* may not perform "
          "logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/"
         "SakeSensei-Recommendation:* (implicitDeny)"),
         "*aws iam put-role-policy --role-name SakeSenseiBackendStack-RecommendationFunction*")),
}

STACK = Stack("sake_sensei", "cdk-outputs.json", provision, outputs, BREAKS)
