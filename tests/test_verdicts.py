"""Three verdicts (healthy, broken, inconclusive), how they show, and the gate's exit codes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from demo_runs import EXAMPLES, failed, inconclusive, provision, verdicts

TABLE_SCHEMA = dict(BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

STATUS_TEST = """
import pytest
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_status(dynamo_table):
    assert dynamo_table.status == "ACTIVE"
"""

MIXED_TESTS = """
import pytest
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_healthy(dynamo_table):
    assert dynamo_table.status == "ACTIVE"
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_broken(dynamo_table):
    assert dynamo_table.ttl_enabled
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_inconclusive(dynamo_table):
    assert dynamo_table.pitr_enabled
def test_plain_failure():
    assert 1 + 1 == 3
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_broken_and_inconclusive(dynamo_table):
    seen = [dynamo_table.ttl_enabled, dynamo_table.pitr_enabled]
    assert all(seen)
"""

#: A conftest that writes each report's verdict data (controller only under xdist).
DUMP_CONFTEST = """
import json
def pytest_configure(config):
    global WORKER
    WORKER = hasattr(config, "workerinput")  # xdist worker: the controller writes
def pytest_runtest_logreport(report):
    if WORKER or not hasattr(report, "awshealth_verdict"):
        return
    with open("verdicts.jsonl", "a") as out:
        out.write(json.dumps({"nodeid": report.nodeid, "when": report.when,
                              "outcome": report.outcome,
                              "verdict": report.awshealth_verdict,
                              "reason": getattr(report, "awshealth_reason", None),
                              "hints": getattr(report, "awshealth_hints", None),
                              "probes": getattr(report, "awshealth_probes", None)}) + "\\n")
"""

RUN = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")


@pytest.fixture
def project(pytester, aws_env, write_outputs):
    """A pytester project with one ACTIVE table ``state`` (no TTL, no PITR)."""
    aws_env.client("dynamodb").create_table(TableName="state", **TABLE_SCHEMA)
    write_outputs({"state_table_name": "state"})
    return pytester


def dumped(pytester) -> dict[str, dict]:
    """nodeid -> the verdict data the DUMP_CONFTEST wrote (the last report of each test)."""
    lines = (pytester.path / "verdicts.jsonl").read_text().splitlines()
    return {entry["nodeid"].split("::")[-1]: entry for entry in map(json.loads, lines)}


def verdict_lines(result) -> dict[str, str]:
    """test name -> PASSED/FAILED/INCONCLUSIVE from ``-rA`` and the inconclusive summary."""
    found = re.findall(r"^(PASSED|FAILED|INCONCLUSIVE) \S*::(\S+)", result.stdout.str(),
                       re.MULTILINE)
    return {test: verdict for verdict, test in found}


# --------------------------------------------------------------------------- inconclusive


def test_access_denied_is_inconclusive_exit_6(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN)
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines([
        "test_access_denied_is_inconclusive_exit_6.py I*",
        "*= inconclusive: could not check =*",
        "INCONCLUSIVE *::test_status - Access denied: the caller may not perform "
        "dynamodb:DescribeTable on DynamoDB table state (us-east-1)",
        "*$ aws iam simulate-principal-policy --policy-source-arn arn:aws:*:123456789012:* "
        "--action-names dynamodb:DescribeTable "
        "--resource-arns arn:aws:dynamodb:us-east-1:123456789012:table/state",
        "*the gate fails (exit 6)*",
        "*= 1 inconclusive in *",
    ])
    assert "Traceback" not in result.stdout.str()


def test_verbose_shows_inconclusive(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN, "-v")
    result.stdout.fnmatch_lines(["*::test_status INCONCLUSIVE*"])


def test_throttling_that_outlives_the_retries_is_inconclusive(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="ThrottlingException")
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN, "--aws-throttle-attempts", "2")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines([
        "INCONCLUSIVE *::test_status - AWS throttled DescribeTable on DynamoDB table state "
        "(ThrottlingException) in us-east-1: retries exhausted after 2 attempts*",
        "*re-run with --aws-retry-mode adaptive --aws-throttle-attempts 20*"])


def test_unreachable_endpoint_is_inconclusive(project) -> None:
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN, "--aws-endpoint-url", "http://127.0.0.1:9",
                               "--aws-max-attempts", "1", "--aws-connect-timeout", "1")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines([
        "INCONCLUSIVE *::test_status - Could not reach AWS endpoint http://127.0.0.1:9 "
        "(connect timeout 1 s, max attempts 1)*"])
    assert "urllib3" not in result.stdout.str()


def test_denied_stack_read_in_a_fixture_is_inconclusive(project, aws_env) -> None:
    """A live --aws-stack read in the aws_outputs fixture (setup phase), denied."""
    aws_env.inject_fault("cloudformation", "DescribeStacks", error_code="AccessDenied",
                         status=403)
    project.makeconftest(DUMP_CONFTEST)
    project.makepyfile(STATUS_TEST)
    result = project.runpytest("--aws-stack", "app", "-p", "no:cacheprovider")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines(["INCONCLUSIVE *::test_status - Access denied: the caller may not "
                                 "perform cloudformation:DescribeStacks on CloudFormation stack "
                                 "app (us-east-1)"])
    entry = dumped(project)["test_status"]
    assert (entry["when"], entry["outcome"], entry["verdict"], entry["reason"]) == (
        "setup", "skipped", "inconclusive", "access_denied")


def test_missing_live_stack_is_broken_not_inconclusive(project) -> None:
    project.makepyfile(STATUS_TEST)
    result = project.runpytest("--aws-stack", "nope", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*CfnStack('nope', region='us-east-1') does not exist "
                                 "(ValidationError from DescribeStacks)*"])


# --------------------------------------------------------------------------- broken wins


def test_one_broken_and_one_inconclusive_exit_1(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeContinuousBackups",
                         error_code="AccessDeniedException")
    project.makepyfile(MIXED_TESTS)
    result = project.runpytest(*RUN, "-rA")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert result.parseoutcomes() == {"passed": 1, "failed": 3, "inconclusive": 1}
    assert verdict_lines(result) == {
        "test_healthy": "PASSED", "test_broken": "FAILED", "test_inconclusive": "INCONCLUSIVE",
        "test_plain_failure": "FAILED", "test_broken_and_inconclusive": "FAILED"}


def test_broken_probe_and_inconclusive_probe_is_broken(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeContinuousBackups",
                         error_code="AccessDeniedException")
    project.makeconftest(DUMP_CONFTEST)
    project.makepyfile(MIXED_TESTS)
    project.runpytest(*RUN, "-k", "broken_and_inconclusive")
    entry = dumped(project)["test_broken_and_inconclusive"]
    assert (entry["outcome"], entry["verdict"]) == ("failed", "broken")
    keys = [hint["key"] for hint in entry["hints"]]
    assert keys == ["dynamodb.table.ttl_enabled", "error.access_denied"]  # the broken probe first


def test_xdist_gives_the_same_verdicts_as_serial(project, aws_env) -> None:
    """Same outcomes, exit code and report data (hints, probes) under -n 2."""
    aws_env.inject_fault("dynamodb", "DescribeContinuousBackups",
                         error_code="AccessDeniedException")
    project.makeconftest(DUMP_CONFTEST)
    project.makepyfile(MIXED_TESTS)
    serial = project.runpytest(*RUN, "-rA", "-p", "no:xdist")
    serial_data = dumped(project)
    (project.path / "verdicts.jsonl").unlink()
    parallel = project.runpytest(*RUN, "-rA", "-n", "2")
    assert verdict_lines(serial) == verdict_lines(parallel)
    assert len(verdict_lines(serial)) == 5
    assert serial.ret == parallel.ret == pytest.ExitCode.TESTS_FAILED
    assert serial.parseoutcomes() == parallel.parseoutcomes()
    assert dumped(project) == serial_data


def test_xdist_inconclusive_only_exits_6(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    project.makepyfile(STATUS_TEST + """
@pytest.mark.parametrize("n", range(3))
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_more(dynamo_table, n):
    assert dynamo_table.status == "ACTIVE"
""")
    result = project.runpytest(*RUN, "-n", "2", "--junitxml=junit.xml")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 4}
    # the same hint once, for the four checks
    assert result.stdout.str().count("Likely causes:") == 1
    result.stdout.fnmatch_lines(["(the same for 4 checks)"])
    cases = list(ET.parse(project.path / "junit.xml").iter("testcase"))
    assert len(cases) == 4
    for case in cases:
        assert case.find("failure") is None and case.find("error") is None
        assert case.find("skipped").get("message", "").startswith("inconclusive: Access denied")


# --------------------------------------------------------------------------- policy


def test_policy_warn_exits_0_and_lists_them(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN, "--aws-inconclusive=warn")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["INCONCLUSIVE *::test_status - Access denied*",
                                 "*reported only (--aws-inconclusive=warn)*",
                                 "*= 1 inconclusive in *"])


@pytest.mark.parametrize("where", ["env", "ini"])
def test_policy_pass_exits_0_quietly(project, aws_env, monkeypatch, where) -> None:
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    project.makepyfile(STATUS_TEST)
    if where == "env":
        monkeypatch.setenv("AWSHEALTH_INCONCLUSIVE", "pass")
    else:
        project.makeini("[pytest]\naws_inconclusive = pass\n")
    result = project.runpytest(*RUN)
    assert result.ret == pytest.ExitCode.OK
    assert result.parseoutcomes() == {"inconclusive": 1}
    assert "could not check" not in result.stdout.str()
    assert "INCONCLUSIVE state" not in result.stdout.str()  # nor in the summary: counted only
    result.stdout.fnmatch_lines(["0 broken, 1 inconclusive, 0 waived, 0 healthy*"])
    result = project.runpytest(*RUN, "-rA")  # asked for everything: listed, still exit 0
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["INCONCLUSIVE *::test_status - Access denied*"])
    result.stdout.fnmatch_lines(["INCONCLUSIVE state: Access denied*"])


def test_bad_policy_is_a_usage_error(project) -> None:
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN, "--aws-inconclusive=maybe")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --aws-inconclusive: invalid value 'maybe'*"])


def test_healthy_run_exits_0(project) -> None:
    project.makepyfile(STATUS_TEST)
    result = project.runpytest(*RUN)
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1)


# --------------------------------------------------------------------------- JUnit


def test_junit_has_no_failure_for_inconclusive(project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", "DescribeContinuousBackups",
                         error_code="AccessDeniedException")
    project.makepyfile(MIXED_TESTS)
    project.runpytest(*RUN, "--junitxml=junit.xml", "-k", "test_inconclusive or test_broken")
    cases = {case.get("name"): case
             for case in ET.parse(project.path / "junit.xml").iter("testcase")}
    inconclusive = cases["test_inconclusive"]
    assert inconclusive.find("failure") is None and inconclusive.find("error") is None
    skipped = inconclusive.find("skipped")
    assert skipped is not None
    message = skipped.get("message", "")
    assert message.startswith("inconclusive: Access denied: the caller may not perform "
                              "dynamodb:DescribeContinuousBackups on DynamoDB table state")
    assert "aws iam simulate-principal-policy" in message
    assert cases["test_broken"].find("failure") is not None


# --------------------------------------------------------------------------- credentials

CREDENTIAL_TESTS = {
    "test_a_table": """
import pytest
@pytest.mark.parametrize("n", range(6))
def test_table(aws, n):
    assert aws.dynamo_table("state").status == "ACTIVE"
""",
    "test_b_identity": """
import pytest
@pytest.mark.parametrize("n", range(6))
def test_identity(aws_identity, n):
    assert aws_identity.account == "123456789012"
"""}


@pytest.fixture
def expired(project, aws_env):
    """Every STS and DynamoDB call rejected (two different codes)."""
    aws_env.inject_fault("sts", error_code="ExpiredToken", status=403,
                         message="The security token included in the request is expired")
    aws_env.inject_fault("dynamodb", error_code="ExpiredTokenException",
                         message="The security token included in the request is expired")
    project.makepyfile(**CREDENTIAL_TESTS)
    return project


@pytest.mark.parametrize("args", [("-p", "no:xdist"), ("-n", "2", "--dist", "loadfile")],
                         ids=["serial", "xdist"])
def test_expired_credentials_stop_the_run_once(expired, args) -> None:
    """xdist with loadfile: each worker meets another code first, still one message."""
    result = expired.runpytest(*RUN, *args)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    out = result.stdout.str()
    stopped = result.parseoutcomes()
    assert set(stopped) == {"inconclusive"}
    assert stopped["inconclusive"] <= (1 if args[0] == "-p" else 2)  # one per worker at most
    assert out.count("Interrupted: AWS credentials are missing or rejected") == 1
    assert out.count("Likely causes:") == 1  # the credentials hint once, not once per worker
    result.stdout.fnmatch_lines(["INCONCLUSIVE *::test_* - AWS rejected the credentials "
                                 "(ExpiredToken*): no check can run",
                                 "*aws sso login*"])
    assert "the gate fails" not in out


def test_credentials_error_on_the_first_call_stops_serial_at_that_test(expired) -> None:
    expired.makeconftest(DUMP_CONFTEST)
    expired.runpytest(*RUN, "-p", "no:xdist")
    assert list(dumped(expired)) == ["test_table[0]"]
    assert dumped(expired)["test_table[0]"]["reason"] == "credentials"


# --------------------------------------------------------------------------- report data


def test_structured_hints_and_probes_on_reports(project, aws_env) -> None:
    """The data on reports; test_xdist_gives_the_same_verdicts_as_serial shows it
    arrives the same from xdist workers."""
    aws_env.inject_fault("dynamodb", "DescribeContinuousBackups",
                         error_code="AccessDeniedException")
    project.makeconftest(DUMP_CONFTEST)
    project.makepyfile(MIXED_TESTS)
    project.runpytest(*RUN)
    entries = dumped(project)
    assert entries["test_healthy"]["verdict"] == "healthy"
    assert entries["test_healthy"]["hints"] == []
    assert entries["test_healthy"]["probes"] == [{
        "resource": "DynamoTable('state', region='us-east-1')", "probe": "status",
        "value": "'ACTIVE'", "healthy": True, "transitional": False}]
    (broken,) = entries["test_broken"]["hints"]
    assert broken["key"] == "dynamodb.table.ttl_enabled"
    assert broken["title"].startswith("DynamoDB table state in us-east-1 does not have TTL")
    assert any("update-time-to-live --table-name state" in fix for fix in broken["fix"])
    assert broken["causes"] and broken["diagnose"]
    assert broken["resource"] == {"type": "dynamo_table", "name": "state", "region": "us-east-1",
                                  "output": "state_table_name",
                                  "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/state"}
    assert entries["test_broken"]["probes"][0]["healthy"] is False
    (denied,) = entries["test_inconclusive"]["hints"]
    assert (entries["test_inconclusive"]["verdict"], denied["key"]) == (
        "inconclusive", "error.access_denied")
    assert entries["test_plain_failure"] == {**entries["test_plain_failure"],
                                             "verdict": "broken", "hints": [], "probes": []}


def test_report_data_is_masked(pytester, aws_env, write_outputs) -> None:
    secret_name = "tbl-3f9a7c1e5b"
    aws_env.client("dynamodb").create_table(TableName=secret_name, **TABLE_SCHEMA)
    write_outputs({"state_table_name": {"value": secret_name, "type": "string",
                                        "sensitive": True}})
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    pytester.makeconftest(DUMP_CONFTEST)
    pytester.makepyfile(STATUS_TEST)
    result = pytester.runpytest(*RUN, "--junitxml=junit.xml")
    assert result.ret == 6
    data = (pytester.path / "verdicts.jsonl").read_text()
    assert secret_name not in data and "***" in data
    assert secret_name not in result.stdout.str()
    assert secret_name not in (pytester.path / "junit.xml").read_text()


# --------------------------------------------------------------------------- units


def test_masked_log_errors_keep_their_reason(aws_env) -> None:
    from pytest_awshealth import LogGroup
    from pytest_awshealth.errors import CouldNotCheck

    secret = "s3cr3t-value-1234"
    aws_env.client("logs").create_log_group(logGroupName="/app")
    aws_env.inject_fault("logs", "FilterLogEvents", error_code="AccessDeniedException",
                         message=f"denied while looking for {secret}")
    with pytest.raises(CouldNotCheck) as info:
        LogGroup("/app").value_absent(secret)
    assert info.value.reason == "access_denied"
    assert secret not in str(info.value) and secret not in info.value.message


def test_raw_botocore_errors_are_classified() -> None:
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

    from pytest_awshealth.remediation.diagnosis import could_not_check

    def client_error(code: str, status: int) -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": "m"},
                            "ResponseMetadata": {"HTTPStatusCode": status}}, "GetCallerIdentity")

    assert could_not_check(client_error("ExpiredToken", 403)) == "credentials"
    assert could_not_check(client_error("AccessDenied", 403)) == "access_denied"
    assert could_not_check(client_error("Throttling", 400)) == "throttled"
    assert could_not_check(client_error("InternalFailure", 500)) == "server_error"
    assert could_not_check(client_error("ValidationError", 400)) is None
    assert could_not_check(NoCredentialsError()) == "credentials"
    assert could_not_check(EndpointConnectionError(endpoint_url="http://x")) == "unreachable"
    assert could_not_check(AssertionError()) is None


def test_judge_lets_unhealthy_probes_win() -> None:
    from pytest_awshealth.remediation.diagnosis import judge
    from pytest_awshealth.errors import CouldNotCheck
    from pytest_awshealth.probes import ProbeRecord

    denied = CouldNotCheck(None, "DescribeTable", "AccessDenied", "m", reason="access_denied")
    bad = ProbeRecord("table", "ttl_enabled", "dynamodb.table.ttl_enabled", False, False)
    fine = ProbeRecord("table", "status", "dynamodb.table.status", "ACTIVE", True)
    assert judge(None, [bad]) == "healthy"
    assert judge(denied, [fine]) == "inconclusive"
    assert judge(denied, [fine, bad]) == "broken"
    assert judge(AssertionError(), [fine]) == "broken"
    assert judge(ValueError(), []) == "broken"


def test_assumed_role_becomes_its_role_for_simulation() -> None:
    from pytest_awshealth.remediation.diagnosis import principal_arn

    assert principal_arn("arn:aws:sts::123456789012:assumed-role/ci-gate/run-42") == \
        "arn:aws:iam::123456789012:role/ci-gate"
    assert principal_arn("arn:aws:iam::123456789012:user/alice") == \
        "arn:aws:iam::123456789012:user/alice"


def test_hint_fill_is_the_terminal_text_as_data() -> None:
    from pytest_awshealth.remediation import Hint

    hint = Hint("{kind} {name} is off", ("cause for {name}",), ("aws x --name {name}",),
                ("turn {name} on",))
    filled = hint.fill({"kind": "table", "name": "t"}, "k.off")
    assert (filled.key, filled.title, filled.causes, filled.diagnose, filled.fix) == (
        "k.off", "table t is off", ("cause for t",), ("aws x --name t",), ("turn t on",))
    assert filled.text == hint.render({"kind": "table", "name": "t"})
    assert filled.text.splitlines()[-3:] == ["  $ aws x --name t", "Fix:", "  - turn t on"]
    assert filled.as_dict()["causes"] == ["cause for t"]


@pytest.mark.parametrize(("reason", "title"), [
    ("unreachable", "Could not reach AWS endpoint http://10.9.9.9:4566 (connect timeout 2 s, "
                    "max attempts 3): *"),
    ("timeout", "AWS endpoint http://10.9.9.9:4566 did not answer in time "
                "(connect timeout 2 s, read timeout 7.5 s, max attempts 3): *"),
    ("throttled", "AWS throttled DescribeTable on DynamoDB table t (Throttling) in eu-west-1: "
                  "retries exhausted after 12 attempts (retry mode adaptive)"),
])
def test_could_not_check_hints_name_endpoint_and_limits(reason, title) -> None:
    """The hints the client layer's CouldNotCheck reasons get, from the run's settings."""
    from fnmatch import fnmatch

    from pytest_awshealth import AwsContext, DynamoTable
    from pytest_awshealth.remediation.diagnosis import diagnose
    from pytest_awshealth.errors import CouldNotCheck
    from pytest_awshealth.plugin import builtin_catalog

    aws = AwsContext(region="eu-west-1", endpoint_url="http://10.9.9.9:4566",
                     connect_timeout=2, read_timeout=7.5)
    table = DynamoTable("t", aws=aws)
    exc = CouldNotCheck(table, "DescribeTable", "Throttling", "gave up", "dynamodb:DescribeTable",
                        reason=reason)
    (finding,) = diagnose(exc, [], builtin_catalog(), aws.endpoint_url or "", aws)
    assert fnmatch(finding.hint.title, title), finding.hint.title
    assert finding.subject is table


# --------------------------------------------------------------------------- example gate


def test_example_gate_with_a_denied_read_exits_6(pytester, aws_env, api_stub) -> None:
    """The Mantissa gate, deployed healthy, with DescribeTimeToLive denied: the TTL check
    is inconclusive, every other check passes, the gate exits 6."""
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack("mantissa_log")
    outputs = stack.write_outputs(provision(aws_env, api_stub, "mantissa_log"), pytester.path)
    aws_env.inject_fault("dynamodb", "DescribeTimeToLive", error_code="AccessDeniedException")
    result = pytester.runpytest_inprocess(str(EXAMPLES / "mantissa_log"), "--aws-outputs",
                                          str(outputs), "-p", "no:cacheprovider", "-rA")
    assert result.ret == 6
    assert inconclusive(result) == ["test_state_table_has_ttl"]
    assert failed(result) == []
    assert len(verdicts(result)) > 10
    result.stdout.fnmatch_lines(["*--action-names dynamodb:DescribeTimeToLive "
                                 "--resource-arns arn:aws:dynamodb:*:table/*"])
