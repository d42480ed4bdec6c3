"""Unit tests of the embedded emulator: moto server, faults, state helpers, HTTP stub.

Everything runs on 127.0.0.1; every boto3 call goes over HTTP to the Emulator.
"""

from __future__ import annotations

import io
import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from typing import Any, Iterator

import pytest

pytest.importorskip("moto")

from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError, ReadTimeoutError  # noqa: E402
from botocore.parsers import ResponseParserError  # noqa: E402

from pytest_awshealth.emulator import Emulator, HttpStub, Route  # noqa: E402

#: No retries at all: botocore's ``max_attempts`` counts retries, not attempts.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").clear_faults()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    return excinfo.value.response["Error"]["Code"]


def moto_api(emulator: Emulator, path: str) -> Any:
    with urllib.request.urlopen(emulator.url + path, timeout=10) as response:
        return json.loads(response.read())


# --------------------------------------------------------------------------- server


def test_package_import_does_not_load_moto() -> None:
    heavy = "{'moto', 'werkzeug', 'flask', 'cryptography'}"
    code = f"import sys, pytest_awshealth.emulator; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_starts_on_free_port_and_serves_boto3(emulator: Emulator) -> None:
    assert emulator.url == f"http://127.0.0.1:{emulator.port}" and emulator.port > 0
    s3 = emulator.client("s3")
    name = unique("bucket")
    s3.create_bucket(Bucket=name)
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_ec2_starts_without_moto_s_public_images(aws_env: Emulator) -> None:
    """Building moto's ~1,300 default AMIs costs 0.1-0.3 s per reset; any image ID runs."""
    ec2 = aws_env.client("ec2")
    assert ec2.describe_images(Owners=["amazon"])["Images"] == []
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    assert len(ec2.describe_instances()["Reservations"]) == 1


def test_dispatcher_asks_moto_once_per_host(emulator: Emulator, monkeypatch) -> None:
    """moto lists its package folder for each lookup of a host's backend; the emulator's
    dispatcher keeps each answer, and every request still reaches its service."""
    from moto.server import DomainDispatcherApplication

    asked: list[str | None] = []
    lookup = DomainDispatcherApplication.get_backend_for_host

    def counted(self, host):
        asked.append(host)
        return lookup(self, host)

    monkeypatch.setattr(DomainDispatcherApplication, "get_backend_for_host", counted)
    with Emulator() as other:
        for _ in range(3):
            assert other.client("sqs").list_queues().get("QueueUrls", []) == []
            assert other.client("dynamodb").list_tables()["TableNames"] == []
    assert len(asked) == len(set(asked)) >= 3, asked  # no host, then sqs's and dynamodb's: once


def test_emulator_sessions_share_one_model_loader(monkeypatch) -> None:
    """moto makes a boto3 session per backend; once an emulator starts, new sessions share
    one loader (each model file parsed once per process), and calls still work."""
    import botocore.loaders
    import botocore.session

    monkeypatch.setattr(botocore.session, "create_loader", botocore.loaders.create_loader)
    loaders = lambda: {id(botocore.session.Session().get_component("data_loader"))  # noqa: E731
                       for _ in range(2)}
    assert len(loaders()) == 2  # botocore's own behaviour: a loader per session
    with Emulator() as other:
        assert len(loaders()) == 1
        assert other.client("sqs").list_queues().get("QueueUrls", []) == []


def test_env_points_at_server(emulator: Emulator) -> None:
    env = emulator.env()
    assert env["AWS_ENDPOINT_URL"] == emulator.url
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "testing"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == emulator.region
    assert "AWS_SESSION_TOKEN" in Emulator.ENV_TO_UNSET


def test_second_server_gets_own_port_and_stop_closes_it(emulator: Emulator) -> None:
    with Emulator(region="eu-west-1") as other:
        assert other.port != emulator.port
        assert other.client("sts").get_caller_identity()["Account"] == other.account_id
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", other.port), timeout=1).close()


def test_reset_wipes_state_and_reapplies_config(emulator: Emulator) -> None:
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=unique("gone"))
    emulator.configure(
        {"lambda": {"use_docker": True}, "stepfunctions": {"execute_state_machine": False}}
    )
    emulator.inject_fault("s3", error_code="SlowDown", status=503)
    emulator.reset()
    assert s3.list_buckets()["Buckets"] == []
    assert moto_api(emulator, "/moto-api/config")["lambda"]["use_docker"] is False
    from moto.core.config import default_user_config  # GET /moto-api/config omits it

    assert default_user_config["stepfunctions"]["execute_state_machine"] is True


def test_backend_is_moto_in_process_object(emulator: Emulator) -> None:
    name = unique("wg")
    emulator.client("athena").create_work_group(Name=name)
    assert name in emulator.backend("athena").work_groups


# --------------------------------------------------------------------------- faults


def test_json_fault_reaches_boto3_for_that_operation_only(emulator: Emulator) -> None:
    ddb = emulator.client("dynamodb", config=NO_RETRY)
    emulator.inject_fault("dynamodb", "DescribeTable", error_code="ThrottlingException")
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="any")
    assert error_code(excinfo) == "ThrottlingException"
    assert excinfo.value.response["Error"]["Message"] == "injected fault"
    assert "TableNames" in ddb.list_tables()


def test_query_protocol_fault(emulator: Emulator) -> None:
    emulator.inject_fault(
        "sts", "GetCallerIdentity", error_code="Throttling", message="Rate exceeded"
    )
    with pytest.raises(ClientError) as excinfo:
        emulator.client("sts", config=NO_RETRY).get_caller_identity()
    assert error_code(excinfo) == "Throttling"
    assert excinfo.value.response["Error"]["Message"] == "Rate exceeded"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_s3_rest_xml_fault(emulator: Emulator) -> None:
    emulator.inject_fault(
        "s3", error_code="SlowDown", status=503, message="Please reduce your request rate."
    )
    with pytest.raises(ClientError) as excinfo:
        emulator.client("s3", config=NO_RETRY).list_buckets()
    assert error_code(excinfo) == "SlowDown"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503


def test_lambda_rest_json_fault(emulator: Emulator) -> None:
    emulator.inject_fault("lambda", error_code="TooManyRequestsException", status=429)
    with pytest.raises(ClientError) as excinfo:
        emulator.client("lambda", config=NO_RETRY).list_functions()
    assert error_code(excinfo) == "TooManyRequestsException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_fault_by_boto3_name_matches_signing_name(emulator: Emulator) -> None:
    emulator.inject_fault("cloudwatch", "DescribeAlarms", error_code="Throttling")
    with pytest.raises(ClientError) as excinfo:
        emulator.client("cloudwatch", config=NO_RETRY).describe_alarms()
    assert error_code(excinfo) == "Throttling"


def test_delay_beyond_read_timeout(emulator: Emulator) -> None:
    config = NO_RETRY.merge(Config(read_timeout=0.2, connect_timeout=1))
    emulator.inject_fault("dynamodb", "ListTables", delay=0.6)
    with pytest.raises(ReadTimeoutError):
        emulator.client("dynamodb", config=config).list_tables()


def test_delay_without_error_passes_through(emulator: Emulator) -> None:
    emulator.inject_fault("sqs", delay=0.15)
    started = time.monotonic()
    assert "ResponseMetadata" in emulator.client("sqs").list_queues()
    assert time.monotonic() - started >= 0.15


def test_fault_with_count_expires(emulator: Emulator) -> None:
    emulator.inject_fault("sts", "GetCallerIdentity", error_code="Throttling", count=2)
    sts = emulator.client("sts", config=NO_RETRY)
    for _ in range(2):
        with pytest.raises(ClientError):
            sts.get_caller_identity()
    assert sts.get_caller_identity()["Account"] == emulator.account_id


def test_transient_fault_is_retried_away_by_botocore(emulator: Emulator) -> None:
    emulator.inject_fault("dynamodb", "ListTables", error_code="ThrottlingException", count=1)
    retrying = Config(retries={"total_max_attempts": 2, "mode": "standard"})
    response = emulator.client("dynamodb", config=retrying).list_tables()
    assert response["ResponseMetadata"]["RetryAttempts"] == 1


def test_cbor_error_body_parses_in_botocore() -> None:
    import botocore.session
    from botocore.parsers import create_parser

    from pytest_awshealth.emulator.server import Fault, error_response

    fault = Fault("monitoring", "DescribeAlarms", "Throttling", 400, 0.0, "x" * 300, "json")
    headers, body = error_response(fault, "cbor")
    model = (
        botocore.session.get_session()
        .get_service_model("cloudwatch")
        .operation_model("DescribeAlarms")
    )
    raw = {"status_code": 400, "headers": dict(headers), "body": body}
    parsed = create_parser("smithy-rpc-v2-cbor").parse(raw, model.output_shape)
    assert parsed["Error"] == {"Code": "Throttling", "Message": "x" * 300}


def test_rest_service_faults_take_no_operation(emulator: Emulator) -> None:
    with pytest.raises(ValueError, match="REST"):
        emulator.inject_fault("s3", "ListBuckets", error_code="SlowDown")


def test_url_needs_a_started_server() -> None:
    with pytest.raises(RuntimeError):
        Emulator().url  # noqa: B018
    with pytest.raises(RuntimeError):
        HttpStub().url  # noqa: B018


def test_clear_faults(emulator: Emulator) -> None:
    emulator.inject_fault("sts", error_code="Throttling")
    emulator.clear_faults()
    assert emulator.client("sts", config=NO_RETRY).get_caller_identity()["Account"]


# --------------------------------------------------------------------------- states


def test_athena_workgroup_disabled(emulator: Emulator) -> None:
    athena, name = emulator.client("athena"), unique("wg")
    athena.create_work_group(Name=name)
    emulator.set_athena_workgroup_state(name, "DISABLED")
    assert athena.get_work_group(WorkGroup=name)["WorkGroup"]["State"] == "DISABLED"
    emulator.set_athena_workgroup_state(name, "ENABLED")
    assert athena.get_work_group(WorkGroup=name)["WorkGroup"]["State"] == "ENABLED"


def test_athena_queries_fail_with_reason(emulator: Emulator) -> None:
    athena = emulator.client("athena")
    before = athena.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"]
    emulator.fail_next_athena_queries(
        "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved", count=1
    )
    failed = athena.start_query_execution(QueryString="SELECT x")["QueryExecutionId"]
    after = athena.start_query_execution(QueryString="SELECT 2")["QueryExecutionId"]
    status = athena.get_query_execution(QueryExecutionId=failed)["QueryExecution"]["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("SYNTAX_ERROR")
    assert status["AthenaError"]["ErrorMessage"] == status["StateChangeReason"]
    for ok in (before, after):
        assert (
            athena.get_query_execution(QueryExecutionId=ok)["QueryExecution"]["Status"]["State"]
            == "SUCCEEDED"
        )


def test_athena_failures_last_until_cleared(emulator: Emulator) -> None:
    athena = emulator.client("athena")
    emulator.fail_next_athena_queries("boom")
    ids = [
        athena.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"] for _ in range(2)
    ]
    emulator.clear_faults()
    ids.append(athena.start_query_execution(QueryString="SELECT 1")["QueryExecutionId"])
    states = [
        athena.get_query_execution(QueryExecutionId=i)["QueryExecution"]["Status"]["State"]
        for i in ids
    ]
    assert states == ["FAILED", "FAILED", "SUCCEEDED"]


def test_target_health_unhealthy(emulator: Emulator) -> None:
    vpc = emulator.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    elb = emulator.client("elbv2")
    group = elb.create_target_group(
        Name=unique("tg"), Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip"
    )
    arn = group["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.0.0.1"}, {"Id": "10.0.0.2"}])
    emulator.set_target_health(
        arn,
        "10.0.0.1",
        "unhealthy",
        "Target.ResponseCodeMismatch",
        "Health checks failed with these codes: [502]",
    )
    emulator.set_target_health(arn, "10.0.0.2", "initial")
    health = {
        d["Target"]["Id"]: d["TargetHealth"]
        for d in elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    }
    assert health["10.0.0.1"] == {
        "State": "unhealthy",
        "Reason": "Target.ResponseCodeMismatch",
        "Description": "Health checks failed with these codes: [502]",
    }
    assert health["10.0.0.2"]["State"] == "initial"
    assert health["10.0.0.2"]["Reason"] == "Elb.RegistrationInProgress"


def test_target_health_rejects_unknown_state(emulator: Emulator) -> None:
    with pytest.raises(ValueError):
        emulator.set_target_health(
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1", "i-1", "sick"
        )


def test_sns_subscription_pending(emulator: Emulator) -> None:
    sns = emulator.client("sns")
    topic = sns.create_topic(Name=unique("topic"))["TopicArn"]
    sub = sns.subscribe(
        TopicArn=topic, Protocol="email", Endpoint="ops@example.com", ReturnSubscriptionArn=True
    )
    arn = sub["SubscriptionArn"]
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
        == "false"
    )
    emulator.set_sns_pending(arn)
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
        == "true"
    )
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]  # as AWS lists it


def test_ecs_running_count(emulator: Emulator) -> None:
    ecs, cluster = emulator.client("ecs"), unique("cluster")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 128}]
    )
    ecs.create_service(cluster=cluster, serviceName="web", taskDefinition="web", desiredCount=3)
    emulator.set_ecs_running_count(cluster, "web", running=1, pending=1)
    service = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
    assert (service["desiredCount"], service["runningCount"], service["pendingCount"]) == (3, 1, 1)
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["runningTasksCount"] == 1


def test_edit_backend_sets_a_model_attribute_and_refuses_typos(emulator: Emulator) -> None:
    kinesis, name = emulator.client("kinesis"), unique("stream")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    emulator.edit_backend("kinesis", "streams", name, status="UPDATING")
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamStatus"] == "UPDATING"
    with pytest.raises(AttributeError, match="stauts"):
        emulator.edit_backend("kinesis", "streams", name, stauts="ACTIVE")
    with pytest.raises(KeyError, match="ghost"):
        emulator.edit_backend("kinesis", "streams", "ghost", status="ACTIVE")


def test_answer_serves_an_operation_moto_lacks_until_cleared(emulator: Emulator) -> None:
    rds = emulator.client("rds", config=NO_RETRY)
    action = {"ResourceIdentifier": "arn:aws:rds:us-east-1:123456789012:db:db1",
              "PendingMaintenanceActionDetails": [{"Action": "system-update"}]}
    emulator.answer("rds", "DescribePendingMaintenanceActions",
                    {"PendingMaintenanceActions": [action]})
    assert rds.describe_pending_maintenance_actions()["PendingMaintenanceActions"] == [action]
    emulator.clear_faults()
    with pytest.raises(ResponseParserError):  # moto: not implemented (an HTML 500 page)
        rds.describe_pending_maintenance_actions()
    # REST services: the request's method and path pick the operation (botocore's requestUri)
    backup = emulator.client("backup")
    emulator.answer("backup", "ListBackupJobs", {"BackupJobs": [{"BackupJobId": "j-1", "State": "FAILED"}]})
    assert [j["State"] for j in backup.list_backup_jobs()["BackupJobs"]] == ["FAILED"]
    assert backup.list_backup_vaults()["BackupVaultList"] == []  # other paths reach moto
    emulator.clear_faults()


def test_amend_answer_merges_into_moto_answer_for_matching_requests(emulator: Emulator) -> None:
    ddb, schema = emulator.client("dynamodb"), dict(
        BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    first, second = unique("table"), unique("table")
    for name in (first, second):
        ddb.create_table(TableName=name, **schema)
    replicas = [{"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}]
    emulator.amend_answer("dynamodb", "DescribeTable", {"Table": {"Replicas": replicas}},
                          when={"TableName": first})
    table = ddb.describe_table(TableName=first)["Table"]
    assert (table["Replicas"], table["TableName"], table["TableStatus"]) == (
        replicas, first, "ACTIVE")
    assert "Replicas" not in ddb.describe_table(TableName=second)["Table"]
    with pytest.raises(ValueError, match="JSON"):
        emulator.amend_answer("rds", "DescribeDBInstances", {})


def test_cloudwatch_alarm_state_over_http(emulator: Emulator) -> None:
    cw, name = emulator.client("cloudwatch"), unique("alarm")
    cw.put_metric_alarm(
        AlarmName=name,
        MetricName="Errors",
        Namespace="App",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
    assert cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"] == "ALARM"


def test_step_functions_fail_state(emulator: Emulator) -> None:
    sfn = emulator.client("stepfunctions")
    definition = {
        "StartAt": "F",
        "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}},
    }
    machine = sfn.create_state_machine(
        name=unique("sm"),
        roleArn=f"arn:aws:iam::{emulator.account_id}:role/sfn",
        definition=json.dumps(definition),
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    deadline = time.monotonic() + 5
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Boom",
        "it broke",
    )


def test_lambda_invokes_without_docker(emulator: Emulator) -> None:
    role = emulator.client("iam").create_role(
        RoleName=unique("role"), AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    lam, name = emulator.client("lambda"), unique("fn")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": code.getvalue()},
    )
    response = lam.invoke(FunctionName=name, Payload=b'{"ping": 1}')
    assert response["StatusCode"] == 200 and "FunctionError" not in response


# --------------------------------------------------------------------------- http stub


def fetch(
    url: str, method: str = "GET", context: ssl.SSLContext | None = None, timeout: float = 5
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def test_http_stub_routes() -> None:
    with HttpStub({"/health": Route(body={"ok": True})}) as stub:
        assert stub.url.startswith("http://127.0.0.1:")
        status, headers, body = fetch(stub.url + "/health?x=1")
        assert (status, headers["Content-Type"], json.loads(body)) == (
            200,
            "application/json",
            {"ok": True},
        )
        stub.route("/health", status=503, body="down", headers={"Retry-After": "1"})
        status, headers, body = fetch(stub.url + "/health", method="POST")
        assert (status, headers["Retry-After"], body) == (503, "1", b"down")
        status, _, body = fetch(stub.url + "/health", method="HEAD")
        assert (status, body) == (503, b"")
        assert [(c.method, c.path) for c in stub.calls] == [
            ("GET", "/health"),
            ("POST", "/health"),
            ("HEAD", "/health"),
        ]


def test_http_stub_unknown_path_is_404_json() -> None:
    with HttpStub() as stub:
        status, headers, body = fetch(stub.url + "/nope")
    assert (status, headers["Content-Type"], json.loads(body)["message"]) == (
        404,
        "application/json",
        "Not Found",
    )


def test_http_stub_options_headers_per_method() -> None:
    with HttpStub({"/api": Route(body="hi")}) as stub:
        cors = {
            "Access-Control-Allow-Origin": "https://app.example.com",
            "Access-Control-Allow-Methods": "GET",
        }
        stub.route("/api", status=204, headers=cors, method="OPTIONS")
        status, headers, _ = fetch(stub.url + "/api", method="OPTIONS")
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        status, headers, body = fetch(stub.url + "/api")
        assert (status, body) == (200, b"hi") and "Access-Control-Allow-Origin" not in headers


def test_http_stub_delay_times_out_client() -> None:
    with HttpStub({"/slow": Route(delay=0.5)}) as stub:
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            fetch(stub.url + "/slow", timeout=0.1)


def test_https_stub_verifies_with_cafile() -> None:
    with HttpStub({"/": Route(body="secure")}, tls=True, cert_days=30) as stub:
        assert stub.url.startswith("https://localhost:") and stub.cafile
        context = ssl.create_default_context(cafile=stub.cafile)
        assert fetch(stub.url + "/", context=context)[::2] == (200, b"secure")
        port = int(stub.url.rsplit(":", 1)[1])
        with context.wrap_socket(
            socket.create_connection(("127.0.0.1", port)), server_hostname="localhost"
        ) as tls:
            cert = tls.getpeercert()
        assert ("DNS", "localhost") in cert["subjectAltName"]
        assert ("IP Address", "127.0.0.1") in cert["subjectAltName"]
        assert 29 <= (ssl.cert_time_to_seconds(cert["notAfter"]) - time.time()) / 86400 <= 30
        with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch(stub.url + "/", context=ssl.create_default_context())


def test_https_stub_hostname_mismatch_and_expiry() -> None:
    with HttpStub(tls=True, hostname="api.example.test") as stub:
        context = ssl.create_default_context(cafile=stub.cafile)
        with pytest.raises(urllib.error.URLError, match="match|mismatch"):
            fetch(stub.url + "/", context=context)
    with HttpStub(tls=True, cert_days=-1) as stub:
        context = ssl.create_default_context(cafile=stub.cafile)
        with pytest.raises(urllib.error.URLError, match="expired"):
            fetch(stub.url + "/", context=context)
