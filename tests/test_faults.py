"""Faults in front of the emulator: throttling costs time, never a verdict; refused and
black-holed endpoints fail fast; AccessDenied, exhausted throttling, 5xx and expired
credentials end as the right exception, with the right IAM action."""

from __future__ import annotations

import ast
import inspect
import socket
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import pytest_awshealth.retries as retries  # imported here so in-process runs share it
from demo_runs import run_gate
from pytest_awshealth import iam_actions
from pytest_awshealth.clients import AwsContext
from pytest_awshealth.emulator import BlackHole, closed_port_url
from pytest_awshealth.errors import CouldNotCheck, CredentialsError
from pytest_awshealth.resources import RESOURCE_TYPES

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
TABLE = "faults-table"
BUCKET = "faults-bucket"


@pytest.fixture
def quick_backoff(monkeypatch):
    """Short throttling backoff and no rate floor: for tests about verdicts, not time."""
    monkeypatch.setattr(retries, "THROTTLING_BASE_DELAY", 0.002)
    monkeypatch.setattr(retries, "MIN_RATE", 10_000.0)


@pytest.fixture
def stack(aws_env):
    """A table and a bucket, and an AwsContext pointed at the emulator."""
    aws_env.client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws_env.client("s3").create_bucket(Bucket=BUCKET)
    return aws_env


def context(url: str, **options) -> AwsContext:
    return AwsContext(region="us-east-1", endpoint_url=url, **options)


def table(aws: AwsContext):
    return RESOURCE_TYPES["dynamo_table"](TABLE, aws=aws)


def bucket(aws: AwsContext):
    return RESOURCE_TYPES["s3_bucket"](BUCKET, aws=aws)


def raised(read) -> BaseException:
    with pytest.raises(Exception) as excinfo:
        read()
    return excinfo.value


# --------------------------------------------------------------------------- fault layer


@pytest.mark.parametrize(("service", "call", "code", "status"), [
    ("dynamodb", lambda c: c.list_tables(), "ThrottlingException", 400),
    ("sts", lambda c: c.get_caller_identity(), "Throttling", 400),
    ("lambda", lambda c: c.list_functions(), "TooManyRequestsException", 429),
    ("s3", lambda c: c.list_buckets(), "SlowDown", 503),
    ("ec2", lambda c: c.describe_vpcs(), "RequestLimitExceeded", 503),
])
def test_throttling_has_each_protocols_shape(emulator, service, call, code, status) -> None:
    emulator.throttle()
    with pytest.raises(ClientError) as excinfo:
        call(emulator.client(service, config=NO_RETRY))
    assert excinfo.value.response["Error"]["Code"] == code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_throttle_fraction_is_deterministic_and_bounded(emulator) -> None:
    def pattern(seed: int) -> list[bool]:
        emulator.clear_faults()
        emulator.throttle("dynamodb", fraction=0.5, max_consecutive=2, seed=seed)
        ddb, seen = emulator.client("dynamodb", config=NO_RETRY), []
        for _ in range(40):
            try:
                ddb.describe_table(TableName="same-request")
            except ClientError as exc:
                seen.append(exc.response["Error"]["Code"] == "ThrottlingException")
        return seen

    first = pattern(1)
    assert first == pattern(1) and first != pattern(2)
    assert 10 <= sum(first) <= 30
    runs = "".join("T" if hit else "." for hit in first)
    assert "TTT" not in runs  # never more than max_consecutive in a row


def test_head_requests_get_a_bare_status(stack) -> None:
    s3 = stack.client("s3", config=NO_RETRY)
    for kind, status in (("expired", "400"), ("invalid", "403"), ("deny", "403")):
        stack.clear_faults()
        stack.inject_fault("s3", kind=kind)
        with pytest.raises(ClientError) as excinfo:
            s3.head_bucket(Bucket=BUCKET)
        assert excinfo.value.response["Error"]["Code"] == status


def test_black_hole_accepts_and_never_answers_and_closed_port_refuses() -> None:
    with BlackHole() as hole:
        port = int(hole.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.settimeout(0.3)
            with pytest.raises(socket.timeout):
                conn.recv(1)
    port = int(closed_port_url().rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


# --------------------------------------------------------------------------- mapping


def test_access_denied_is_could_not_check_with_the_iam_action(stack) -> None:
    stack.deny("s3")
    stack.deny("dynamodb", "DescribeTable")
    aws = context(stack.url)
    denied = raised(lambda: table(aws).describe())
    assert isinstance(denied, CouldNotCheck) and denied.reason == "access_denied"
    assert denied.action == "dynamodb:DescribeTable"
    head = raised(lambda: bucket(aws).exists)
    assert isinstance(head, CouldNotCheck) and not isinstance(head, CredentialsError)
    assert (head.reason, head.action) == ("access_denied", "s3:ListBucket")


def test_bare_400_with_credentials_sts_accepts_is_could_not_check(stack) -> None:
    stack.expire_credentials("s3")  # S3 alone: HeadBucket answers a bare 400, STS accepts
    head = raised(lambda: bucket(context(stack.url)).exists)
    assert isinstance(head, CouldNotCheck) and not isinstance(head, CredentialsError)
    assert (head.reason, head.code) == ("access_denied", "400")
    assert "with credentials STS accepts" in str(head)


def test_exhausted_throttling_and_5xx_are_could_not_check(stack, quick_backoff) -> None:
    stack.throttle("dynamodb")
    aws = context(stack.url, throttle_attempts=3)
    throttled = raised(lambda: table(aws).describe())
    assert isinstance(throttled, CouldNotCheck) and throttled.reason == "throttled"
    assert aws.resilience.stats.throttled == 2  # 3 attempts: 2 retries
    stack.clear_faults()
    stack.fail_server("dynamodb")
    failed = raised(lambda: table(context(stack.url)).describe())
    assert isinstance(failed, CouldNotCheck) and failed.reason == "server_error"


def test_throttling_gets_a_larger_budget_than_other_errors(stack, quick_backoff) -> None:
    stack.throttle("dynamodb", count=7)
    aws = context(stack.url, max_attempts=2)
    assert table(aws).describe()["TableName"] == TABLE
    assert aws.resilience.stats.snapshot() == (1, 7)


@pytest.mark.parametrize("invalid", [False, True], ids=["expired", "invalid"])
def test_rejected_credentials_raise_credentials_error_everywhere(stack, invalid) -> None:
    stack.expire_credentials(invalid=invalid)
    aws = context(stack.url)
    for read in (lambda: aws.identity, lambda: table(aws).describe(),
                 lambda: bucket(aws).exists):  # HeadBucket: a bare 400/403, asked of STS
        assert isinstance(raised(read), CredentialsError)


def test_refused_endpoint_fails_fast_with_one_line_and_no_traceback(stack) -> None:
    aws = context(closed_port_url())
    first = raised(lambda: table(aws).describe())
    assert isinstance(first, CouldNotCheck) and first.reason == "unreachable"
    assert first.__suppress_context__ and "\n" not in str(first)
    assert "127.0.0.1" in str(first) and "Connection refused" in str(first)
    aws.client("s3")  # made before timing: creating a client is not a call
    started = time.monotonic()
    later = raised(lambda: bucket(aws).exists)
    assert time.monotonic() - started < 0.1 and "not called" in str(later)


def test_black_hole_costs_one_read_timeout(stack) -> None:
    with BlackHole() as hole:
        aws = context(hole.url, read_timeout=0.5)
        aws.client("dynamodb")  # building the client is not what is timed
        errors = [raised(lambda: table(aws).describe())]  # pays the one read timeout
        started = time.monotonic()
        errors += [raised(lambda: table(aws).describe()) for _ in range(9)]
        assert time.monotonic() - started < 0.5  # the other nine fail at once
    assert {e.reason for e in errors} == {"timeout"}  # type: ignore[attr-defined]
    assert "read timeout of 0.5 s" in str(errors[0]) and hole.accepted == 1


# --------------------------------------------------------------------------- end to end

TWENTY_CHECKS = """
import pytest
@pytest.mark.parametrize("n", range(20))
def test_table(aws, n):
    assert aws.dynamo_table("t%d" % n).exists
"""
SPAN = """
import json, pytest
SPAN = []
def pytest_runtest_logreport(report):
    SPAN.extend([report.start, report.stop])
def pytest_sessionfinish(session):
    with open("span.json", "w") as out:
        json.dump(max(SPAN) - min(SPAN), out)
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_twenty_checks_against_a_closed_port_finish_fast(pytester, aws_env, workers) -> None:
    """Timed from the first check's start to the last one's end (xdist: in the controller,
    so the workers' start-up, which depends on the machine, is not counted)."""
    import json

    pytester.makepyfile(TWENTY_CHECKS)
    pytester.makeconftest(SPAN)
    result = pytester.runpytest_inprocess("--aws-endpoint-url", closed_port_url(), "-p",
                                          "no:cacheprovider", *(workers or ["-p", "no:xdist"]))
    assert json.loads((pytester.path / "span.json").read_text()) < 10
    assert result.ret == 6  # nothing broken, all inconclusive
    output = result.stdout.str()
    assert "urllib3" not in output and "Traceback" not in output
    assert output.count("INCONCLUSIVE") >= 20
    result.stdout.fnmatch_lines(["*could not connect to http://127.0.0.1:*Connection refused*"])
    assert output.count("Likely causes:") == 1  # one endpoint, one hint for the 20 checks


def test_mantissa_gate_against_a_black_hole_is_bounded(pytester, aws_env, api_stub) -> None:
    with BlackHole() as hole:
        started = time.monotonic()
        result = run_gate(pytester, aws_env, api_stub, "mantissa_log",
                          "--aws-endpoint-url", hole.url, "--aws-read-timeout", "2",
                          "-p", "no:xdist")
        elapsed = time.monotonic() - started
    assert elapsed < 2 * 2 + 8, "more than one read timeout was paid"
    assert hole.accepted == 1
    assert result.stdout.str().count("Likely causes:") == 1  # the hint once, for every check
    assert result.ret == 6, result.stdout.str()
    assert "did not answer within the read timeout of 2 s" in result.stdout.str()


#: Two gates in the suite (the smallest at 50%, a mid-sized one at 30%); the five gates at
#: 0/30/50%, serial and -n 4, are in benchmarks/bench_faults.py.
GATE_FRACTIONS = [("mantissa_log", 0.5), ("iracing_stats", 0.3)]


@pytest.mark.parametrize(("example", "fraction"), GATE_FRACTIONS,
                         ids=[f"{n}-{f:.0%}" for n, f in GATE_FRACTIONS])
def test_throttling_never_fails_a_healthy_gate(pytester, aws_env, api_stub, quick_backoff,
                                               example, fraction) -> None:
    result = run_gate(pytester, aws_env, api_stub, example, "-p", "no:xdist",
                      before_run=lambda emu: emu.throttle(fraction=fraction, max_consecutive=5))
    assert result.ret == 0, result.stdout.str()
    # which requests are faulted follows from their content (ports, names), so the longest
    # streak varies from run to run; the verdict must not, and the faults must have bitten
    assert aws_env.faults_answered > 0
    result.stdout.fnmatch_lines(["awshealth: * AWS calls, * throttled and retried*"])
    calls, throttled = _summary(result)
    assert calls > 0 and throttled > 0


def test_throttling_never_fails_a_gate_under_xdist(pytester, aws_env, api_stub) -> None:
    result = run_gate(pytester, aws_env, api_stub, "mantissa_log", "-n", "4",
                      before_run=lambda emu: emu.throttle(fraction=0.5, max_consecutive=5))
    assert result.ret == 0, result.stdout.str()
    calls, throttled = _summary(result)  # summed in the controller from worker reports
    assert calls >= 20 and throttled > 0


def test_exhausted_throttling_in_a_gate_is_inconclusive(pytester, aws_env, write_outputs,
                                                        quick_backoff) -> None:
    aws_env.client("sqs").create_queue(QueueName="jobs")
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(sqs_queue="queue")
        def test_queue(sqs_queue):
            assert sqs_queue.exists
    """)
    write_outputs({"queue": "jobs"})
    aws_env.throttle("sqs")
    result = pytester.runpytest_inprocess("--aws-outputs", "outputs.json", "-p", "no:xdist",
                                          "--aws-throttle-attempts", "3", "-rA")
    assert result.ret == 6
    result.stdout.fnmatch_lines(["INCONCLUSIVE *::test_queue - AWS throttled *"])
    result.stdout.fnmatch_lines(["awshealth: 1 AWS calls, 2 throttled and retried*"])


def test_expired_credentials_stop_the_run_at_head_bucket(pytester, aws_env,
                                                         write_outputs) -> None:
    aws_env.client("s3").create_bucket(Bucket=BUCKET)
    pytester.makepyfile("""
        import pytest
        @pytest.mark.parametrize("n", range(5))
        @pytest.mark.aws_output(s3_bucket="bucket")
        def test_bucket(s3_bucket, n):
            assert s3_bucket.exists
    """)
    write_outputs({"bucket": BUCKET})
    aws_env.expire_credentials()
    result = pytester.runpytest_inprocess("--aws-outputs", "outputs.json", "-p", "no:xdist")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*AWS rejected the credentials (ExpiredToken)*",
                                 "*Interrupted*", "*= 1 inconclusive in *"])


def _summary(result: pytest.RunResult) -> tuple[int, int]:
    import re

    found = re.search(r"awshealth: (\d+) AWS calls, (\d+) throttled", result.stdout.str())
    assert found, result.stdout.str()
    return int(found.group(1)), int(found.group(2))


# --------------------------------------------------------------------------- IAM actions


def probe_operations() -> set[tuple[str, str]]:
    """(boto3 service, API operation) of every ``self.call("...")``-like use in the
    resource modules, mapped to API names through botocore's service model."""
    import importlib

    import botocore.session
    from botocore import xform_name

    session, found, names = botocore.session.get_session(), set(), {}
    modules = {importlib.import_module(cls.__module__) for cls in RESOURCE_TYPES.values()}
    for module in modules:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if not (isinstance(node, ast.ClassDef) and hasattr(module, node.name)):
                continue
            service = getattr(getattr(module, node.name), "service", "")
            for call in ast.walk(node):
                method = _self_call_method(call)
                if method and service:
                    if service not in names:
                        model = session.get_service_model(service)
                        names[service] = {xform_name(op): op for op in model.operation_names}
                    found.add((service, names[service][method]))
    return found


def _self_call_method(node: ast.AST) -> str | None:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
            and node.func.attr in ("call", "call_fresh", "_call_uncached", "_pages")):
        return None
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def declared_operations() -> set[tuple[str, str]]:
    """(boto3 service, API operation) of every operation a probe declares in ``reads``: of
    its handle's service, or CloudWatch's (the ``Metrics`` reads)."""
    import botocore.session
    from botocore import xform_name

    from pytest_awshealth.resources.registry import handle_types, probes

    session, found = botocore.session.get_session(), set()
    for cls in handle_types():
        for service in filter(None, (cls.service, "cloudwatch")):
            names = {xform_name(op): op for op in session.get_service_model(service).operation_names}
            found |= {(service, names[op]) for spec in probes(cls).values()
                      for op in spec.operations(cls) if op in names}
    return found


def test_every_operation_a_probe_calls_has_an_iam_action() -> None:
    """In the table, or declared in a probe's ``reads``: then the action is
    ``<signing name>:<Operation>`` (a handle whose action differs adds a table row)."""
    operations = probe_operations()
    assert len(operations) > 50
    assert sorted(operations - set(iam_actions.ACTIONS) - declared_operations()) == []


def test_the_table_says_where_the_iam_name_differs() -> None:
    import botocore.session

    session = botocore.session.get_session()
    for row in iam_actions.TABLE:
        signing = session.get_service_model(row.service).signing_name
        differs = row.action != f"{signing}:{row.operation}"
        assert bool(row.differs) == differs, row
    assert iam_actions.iam_action("s3", "HeadBucket") == "s3:ListBucket"
    assert iam_actions.iam_action("cloudwatch", "GetMetricStatistics") == \
        "cloudwatch:GetMetricStatistics"
    assert iam_actions.iam_action("cloudwatch", "PutDashboard", "monitoring") == \
        "cloudwatch:PutDashboard"
