"""Settling: a check failing on "not yet" states re-runs until it converges or the
settle time is up; a terminal wrong state fails at once. End to end on the emulator
(states flipped from a timer thread), plus cheap unit tests of each service's
transitional declarations."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any, Callable, Optional

import pytest

from pytest_awshealth.emulator import Emulator

TABLE = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
             BillingMode="PAY_PER_REQUEST")
CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(dynamo_table="table", lambda_fn="function")
    def test_table_active(dynamo_table):
        assert dynamo_table.status == "ACTIVE"
    def test_function_active(lambda_fn):
        assert lambda_fn.status == "Active"
"""


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short summary lines in full."""
    monkeypatch.setenv("COLUMNS", "400")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def deploy(emu: Emulator, table_status: str = "CREATING", function_state: str = "Active",
           **table_then: Any) -> None:
    """A table in ``table_status`` (``then=..., after=...``: see ``set_table_status``) and a
    function in ``function_state``."""
    emu.client("dynamodb").create_table(TableName="orders", **TABLE)
    role = emu.client("iam").create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    emu.client("lambda").create_function(FunctionName="api", Runtime="python3.11", Role=role,
                                         Handler="handler.handler", Code={"ZipFile": _zip()})
    emu.set_table_status("orders", table_status, **table_then)
    emu.set_lambda_state("api", function_state)


def run(pytester: pytest.Pytester, body: str, *args: str) -> pytest.RunResult:
    (pytester.path / "outputs.json").write_text(json.dumps({"table": "orders", "function": "api"}))
    pytester.makepyfile(body)
    return pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", *args)


def call_seconds(result: pytest.RunResult) -> dict[str, float]:
    """Test name -> duration of its call phase (what settling adds to), from the reports."""
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    return {r.nodeid.rsplit("::", 1)[-1]: r.duration for r in reports if r.when == "call"}


# ------------------------------------------------------------------------- end to end


def test_converging_check_passes_and_says_so(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    deploy(aws_env, then="ACTIVE", after=0.5)
    result = run(pytester, CHECKS, "--aws-settle", "60", "-v", "-rA", "-k", "table")
    result.assert_outcomes(passed=1)
    assert call_seconds(result)["test_table_active"] < 6  # re-checked after 1 s
    result.stdout.fnmatch_lines([
        "*test_table_active PASSED (converged after 1.* s)*",
        "*awshealth settling*", "converged after 1.* s (2 attempts; first seen CREATING)",
        "*test_table_active: converged after 1.* s (first seen CREATING)",
        "PASSED (converged after 1.* s) *test_table_active"])


def test_terminal_state_fails_at_once(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    deploy(aws_env, table_status="ACTIVE", function_state="Failed")
    result = run(pytester, CHECKS, "--aws-settle", "60", "-k", "function")
    result.assert_outcomes(failed=1)
    assert call_seconds(result)["test_function_active"] < 5
    result.stdout.fnmatch_lines([
        "*not re-checked: the failing probes saw a settled state*",
        "FAILED *test_function_active - api: is not Active [[]Lambda function, us-east-1[]]"])
    result.stdout.no_fnmatch_line("*still*after*")


def test_time_up_says_still_and_first_seen(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    deploy(aws_env, then="UPDATING", after=0.5)
    result = run(pytester, CHECKS, "-k", "table", "-o", "aws_settle=1.5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "awshealth: *settle=1.5 (ini aws_settle)*",
        "*awshealth settling*", "still UPDATING after 1.* s (first seen CREATING)",
        "FAILED *test_table_active - orders: is not ACTIVE [[]DynamoDB table, us-east-1[]]: "
        "still UPDATING after 1.* s (first seen CREATING)"])


def test_without_settle_transitional_failure_says_how_to_wait(
        pytester: pytest.Pytester, aws_env: Emulator) -> None:
    deploy(aws_env)
    result = run(pytester, CHECKS, "-k", "table")
    result.assert_outcomes(failed=1)
    assert call_seconds(result)["test_table_active"] < 5
    result.stdout.fnmatch_lines([
        "FAILED *test_table_active - orders: is not ACTIVE [[]DynamoDB table, us-east-1[]]: CREATING "
        "is a transitional state: pass --aws-settle SECONDS (or @pytest.mark.aws_settle(SECONDS))"
        " to wait for it"])


def test_marker_overrides_option(pytester: pytest.Pytester, aws_env: Emulator,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    deploy(aws_env, then="ACTIVE", after=0.5)
    monkeypatch.setenv("AWSHEALTH_SETTLE", "60")
    result = run(pytester, """
        import pytest
        pytestmark = pytest.mark.aws_output(dynamo_table="table")
        @pytest.mark.aws_settle(0)
        def test_no_wait(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
        @pytest.mark.aws_settle(30)
        def test_waits(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """)
    result.assert_outcomes(passed=1, failed=1)
    assert call_seconds(result)["test_no_wait"] < 5
    result.stdout.fnmatch_lines(["FAILED *test_no_wait - *CREATING is a transitional state*"])


@pytest.mark.parametrize("args", ["(-1)", "('soon')", "()", "(float('nan'))", "(5, 6)"])
def test_bad_marker_is_one_usage_error(pytester: pytest.Pytester, aws_env: Emulator,
                                       args: str) -> None:
    result = run(pytester, f"""
        import pytest
        @pytest.mark.aws_settle{args}
        def test_one(): pass
        @pytest.mark.aws_settle{args}
        def test_two(): pass
    """)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: invalid aws_settle markers:", "*test_one: aws_settle*",
                                 "*test_two: aws_settle*"])


def test_bad_option_is_a_usage_error(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    result = run(pytester, CHECKS, "--aws-settle", "-3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_fresh_reads_of_every_handle_and_the_last_attempts_hint(
        pytester: pytest.Pytester, aws_env: Emulator) -> None:
    """The re-check reads the function again too (cached answers dropped), and the hint
    comes from the last attempt's records: the table converged, the function did not."""
    deploy(aws_env, function_state="Pending", then="ACTIVE", after=0.5)
    result = run(pytester, """
        import pytest
        @pytest.mark.aws_output(dynamo_table="table", lambda_fn="function")
        def test_both(dynamo_table, lambda_fn):
            assert dynamo_table.status == "ACTIVE" and lambda_fn.status == "Active"
    """, "--aws-settle", "1.5")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "FAILED *test_both - api: is not Active [[]Lambda function, us-east-1[]]: "
        "still Pending after 1.* s (first seen CREATING)"])


def test_a_denied_transitional_read_leaves_settling_undecided(
        pytester: pytest.Pytester, aws_env: Emulator) -> None:
    """A Cloud Map service without instances; whether a registration is in flight
    (ListOperations) may not be read. Without a settle time that read changes nothing:
    broken. With one, broken might be "not yet": inconclusive at once, naming the action."""
    from test_compute_network import make_cloudmap

    service = make_cloudmap(aws_env, instances=0)
    aws_env.deny("servicediscovery", "ListOperations")
    (pytester.path / "outputs.json").write_text(json.dumps({"service": service}))
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(cloudmap_service="service")
        def test_registered(cloudmap_service):
            assert cloudmap_service.has_instances
    """)
    args = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-rA")
    broken = pytester.runpytest(*args)
    broken.assert_outcomes(failed=1)
    broken.stdout.fnmatch_lines([f"*Cloud Map service axon ({service})*has no registered instances*"])
    undecided = pytester.runpytest(*args, "--aws-settle", "30", "--aws-inconclusive", "warn")
    assert undecided.ret == pytest.ExitCode.OK, undecided.stdout.str()
    undecided.stdout.fnmatch_lines(["INCONCLUSIVE *test_registered*ListOperations*",
                                    "*servicediscovery:ListOperations*"])
    assert call_seconds(undecided)["test_registered"] < 5  # decided, not waited out


def test_under_xdist_converges_after_15_s(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    """The issue's numbers, with -n 2: converges after ~15 s, terminal fails in < 5 s."""
    deploy(aws_env, function_state="Failed", then="ACTIVE", after=14)
    result = run(pytester, CHECKS, "--aws-settle", "60", "-n", "2", "-v", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    seconds = call_seconds(result)
    assert 15 < seconds["test_table_active"] < 30 and seconds["test_function_active"] < 5
    result.stdout.fnmatch_lines(["*PASSED (converged after 15 s)*test_table_active*"])


# ------------------------------------------------------------------------- emulator helper


def test_later_is_cancelled_by_reset(aws_env: Emulator) -> None:
    calls: list[int] = []
    aws_env.later(0.05, calls.append, 1)
    aws_env.later(0.3, calls.append, 2)
    time.sleep(0.15)
    aws_env.reset()
    time.sleep(0.3)
    assert calls == [1]


# ------------------------------------------------------------------------- declarations
# Cheap: each handle answers from canned AWS responses, no emulator involved.

from pytest_awshealth.clients import AwsContext  # noqa: E402
from pytest_awshealth.probes import recording  # noqa: E402
from pytest_awshealth.resources import (  # noqa: E402
    AcmCertificate, CfnStack, CloudMapService, CloudWatch, DynamoTable, EcsService,
    LambdaFunction, LoadBalancer, StateMachine, TargetGroup)
from pytest_awshealth.settling import aws_settle_signature, pending_states  # noqa: E402
from pytest_awshealth.waiters import acceptor_states  # noqa: E402

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/c"
TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1"
SFN = "arn:aws:states:us-east-1:123456789012:stateMachine:etl"


def canned(cls: type, name: str, answers: dict[str, Any]) -> Any:
    """A handle whose AWS calls return ``answers[method]`` (a callable gets the params)."""
    handle = cls(name, aws=AwsContext(region="us-east-1"))

    def call(method: str, **params: Any) -> Any:
        answer = answers[method]
        return answer(params) if callable(answer) else answer

    handle.call = call
    return handle


def seen(handle: Any, read: Callable[[Any], Any]) -> tuple[bool, Optional[str]]:
    """(transitional, state) of the last probe record ``read(handle)`` made."""
    with recording() as records:
        read(handle)
    return records[-1].transitional, records[-1].state


def table(status: str = "ACTIVE", index: str = "ACTIVE", ttl: str = "ENABLED") -> Any:
    return canned(DynamoTable, "orders", {
        "describe_table": {"Table": {"TableStatus": status, "GlobalSecondaryIndexes": [
            {"IndexName": "by-owner", "IndexStatus": index}]}},
        "describe_time_to_live": {"TimeToLiveDescription": {"TimeToLiveStatus": ttl}}})


def ecs(status: str = "ACTIVE", running: int = 0, pending: int = 2, rollout: str = "IN_PROGRESS",
        deployments: int = 1) -> Any:
    primary = {"status": "PRIMARY", "rolloutState": rollout}
    return canned(EcsService, "web/api", {"describe_services": {"services": [{
        "status": status, "desiredCount": 2, "runningCount": running, "pendingCount": pending,
        "deployments": [primary] + [{"status": "ACTIVE"}] * (deployments - 1)}]}})


def targets(*states: str) -> Any:
    return canned(TargetGroup, TG, {"describe_target_health": {"TargetHealthDescriptions": [
        {"Target": {"Id": f"i-{n}"}, "TargetHealth": {"State": s}} for n, s in enumerate(states)]}})


def stack(status: str) -> Any:
    return canned(CfnStack, "app", {"describe_stacks": {"Stacks": [{"StackStatus": status}]}})


def function(state: str = "Active", update: str = "Successful", mapping: str = "Enabled") -> Any:
    return canned(LambdaFunction, "api", {
        "get_function_configuration": {"State": state, "LastUpdateStatus": update},
        "list_event_source_mappings": {"EventSourceMappings": [{"UUID": "u", "State": mapping}]}})


def cloudmap(status: str = "PENDING", service: str = "srv-1") -> Any:
    return canned(CloudMapService, "srv-1", {
        "list_instances": {"Instances": []},
        "list_operations": {"Operations": [{"Id": "op-1", "Status": status}]},
        "get_operation": {"Operation": {"Type": "REGISTER_INSTANCE",
                                        "Targets": {"SERVICE": service}}}})


DECLARATIONS = [
    # (handle, probe read, transitional state or None)
    ("table CREATING", lambda: table("CREATING"), lambda h: h.status, "CREATING"),
    ("table UPDATING", lambda: table("UPDATING"), lambda h: h.status, "UPDATING"),
    ("table DELETING", lambda: table("DELETING"), lambda h: h.status, None),
    ("table ACTIVE", lambda: table(), lambda h: h.status, None),
    ("index CREATING", lambda: table(index="CREATING"), lambda h: h.gsi_active("by-owner"),
     "CREATING"),
    ("index DELETING", lambda: table(index="DELETING"), lambda h: h.gsi_active("by-owner"), None),
    ("indexes CREATING", lambda: table(index="CREATING"), lambda h: h.all_gsis_active, "CREATING"),
    ("ttl ENABLING", lambda: table(ttl="ENABLING"), lambda h: h.ttl_enabled, "ENABLING"),
    ("ttl DISABLING", lambda: table(ttl="DISABLING"), lambda h: h.ttl_enabled, None),
    ("ecs deploying", lambda: ecs(), lambda h: h.running_count,
     "deploying (0/2 running, 2 pending)"),
    ("ecs old deployment left", lambda: ecs(running=1, pending=0, rollout="COMPLETED",
                                           deployments=2), lambda h: h.at_desired,
     "deploying (1/2 running, 0 pending)"),
    ("ecs rollout FAILED", lambda: ecs(rollout="FAILED"), lambda h: h.at_desired, None),
    ("ecs stable but short", lambda: ecs(running=1, pending=0, rollout="COMPLETED"),
     lambda h: h.at_desired, None),
    ("ecs DRAINING", lambda: ecs(status="DRAINING"), lambda h: h.running_count, None),
    ("ecs rollout IN_PROGRESS", lambda: ecs(), lambda h: h.rollout_state, "IN_PROGRESS"),
    ("targets initial", lambda: targets("initial", "healthy"), lambda h: h.all_healthy, "initial"),
    ("targets draining", lambda: targets("healthy", "draining"), lambda h: h.health_counts,
     "draining"),
    ("only draining", lambda: targets("draining"), lambda h: h.healthy_count, None),
    ("targets unhealthy", lambda: targets("initial", "unhealthy"), lambda h: h.all_healthy, None),
    ("lb provisioning", lambda: canned(LoadBalancer, "web", {"describe_load_balancers": {
        "LoadBalancers": [{"State": {"Code": "provisioning"}}]}}), lambda h: h.status,
     "provisioning"),
    ("lb failed", lambda: canned(LoadBalancer, "web", {"describe_load_balancers": {
        "LoadBalancers": [{"State": {"Code": "failed"}}]}}), lambda h: h.status, None),
    ("stack UPDATE_IN_PROGRESS", lambda: stack("UPDATE_IN_PROGRESS"), lambda h: h.healthy,
     "UPDATE_IN_PROGRESS"),
    ("stack cleanup", lambda: stack("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"), lambda h: h.status,
     "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"),
    ("stack rolling back", lambda: stack("UPDATE_ROLLBACK_IN_PROGRESS"), lambda h: h.status, None),
    ("stack create rollback", lambda: stack("ROLLBACK_IN_PROGRESS"), lambda h: h.healthy, None),
    ("stack in review", lambda: stack("REVIEW_IN_PROGRESS"), lambda h: h.status, None),
    ("stack CREATE_FAILED", lambda: stack("CREATE_FAILED"), lambda h: h.status, None),
    ("lambda Pending", lambda: function("Pending"), lambda h: h.status, "Pending"),
    ("lambda Failed", lambda: function("Failed"), lambda h: h.status, None),
    ("lambda update InProgress", lambda: function(update="InProgress"),
     lambda h: h.last_update_status, "InProgress"),
    ("lambda update Failed", lambda: function(update="Failed"), lambda h: h.last_update_status,
     None),
    ("mapping Creating", lambda: function(mapping="Creating"), lambda h: h.event_sources_enabled,
     "Creating"),
    ("mapping Disabled", lambda: function(mapping="Disabled"), lambda h: h.event_sources_enabled,
     None),
    ("cert PENDING_VALIDATION", lambda: canned(AcmCertificate, CERT, {"describe_certificate": {
        "Certificate": {"Status": "PENDING_VALIDATION"}}}), lambda h: h.status,
     "PENDING_VALIDATION"),
    ("cert days unknown yet", lambda: canned(AcmCertificate, CERT, {"describe_certificate": {
        "Certificate": {"Status": "PENDING_VALIDATION"}}}), lambda h: h.days_to_expiry,
     "PENDING_VALIDATION"),
    ("cert FAILED", lambda: canned(AcmCertificate, CERT, {"describe_certificate": {
        "Certificate": {"Status": "FAILED"}}}), lambda h: h.status, None),
    ("alarm INSUFFICIENT_DATA", lambda: canned(CloudWatch, "app-", {"describe_alarms": {
        "MetricAlarms": [{"AlarmName": "a", "StateValue": "INSUFFICIENT_DATA"}]}}),
     lambda h: h.alarm_state("a"), "INSUFFICIENT_DATA"),
    ("alarm ALARM", lambda: canned(CloudWatch, "app-", {"describe_alarms": {
        "MetricAlarms": [{"AlarmName": "a", "StateValue": "ALARM"}]}}),
     lambda h: h.alarm_state("a"), None),
    ("execution RUNNING", lambda: canned(StateMachine, SFN, {"list_executions": {"executions": [
        {"executionArn": f"{SFN}:x", "status": "RUNNING"}]}}),
     lambda h: h.last_execution_status, "RUNNING"),
    ("execution FAILED", lambda: canned(StateMachine, SFN, {"list_executions": {"executions": [
        {"executionArn": f"{SFN}:x", "status": "FAILED"}]}}),
     lambda h: h.last_execution_status, None),
    ("executions one RUNNING", lambda: canned(StateMachine, SFN, {"list_executions": {
        "executions": [{"executionArn": f"{SFN}:x", "status": "RUNNING"},
                       {"executionArn": f"{SFN}:y", "status": "SUCCEEDED"}]}}),
     lambda h: h.recent_executions, "RUNNING"),
    ("cloud map registering", lambda: cloudmap(), lambda h: h.has_instances,
     "1 registration(s) SUBMITTED/PENDING"),
    ("cloud map registered elsewhere", lambda: cloudmap(service="srv-2"),
     lambda h: h.instance_count, None),
    ("cloud map nothing pending", lambda: cloudmap(status="SUCCESS"), lambda h: h.instances, None),
]


@pytest.mark.parametrize("make, read, state", [d[1:] for d in DECLARATIONS],
                         ids=[d[0] for d in DECLARATIONS])
def test_transitional_declarations(make: Callable[[], Any], read: Callable[[Any], Any],
                                   state: Optional[str]) -> None:
    assert seen(make(), read) == (state is not None, state)


def test_healthy_values_are_never_transitional() -> None:
    """Asking only happens for values that are not healthy (no extra AWS reads)."""
    handle = canned(DynamoTable, "orders", {"describe_table": {"Table": {"TableStatus": "ACTIVE"}}})
    assert seen(handle, lambda h: h.status) == (False, None)


def test_a_failing_transition_read_is_not_transitional() -> None:
    from pytest_awshealth.errors import ResourceNotFound
    from pytest_awshealth.probes import equals, probe
    from pytest_awshealth.resources import Resource

    def gone(handle: Any, value: Any) -> str:
        raise ResourceNotFound(handle, "DescribeThing", "NotFound", "gone", "x:DescribeThing")

    class Thing(Resource):
        hint_prefix = "thing"

        @property
        @probe("state", equals("OK"), transitional=gone)
        def state(self) -> str:
            return "WAITING"

    assert seen(Thing("t", aws=AwsContext(region="us-east-1")), lambda h: h.state) == (False, None)


def test_declared_waiter_states_come_from_botocore() -> None:
    assert LambdaFunction.status.fget.transitional.names == {"Pending"}
    assert LambdaFunction.last_update_status.fget.transitional.names == {"InProgress"}
    assert LoadBalancer.status.fget.transitional.names == {"provisioning"}
    assert AcmCertificate.status.fget.transitional.names == {"PENDING_VALIDATION"}
    for service, waiter in [("lambda", "FunctionActive"), ("lambda", "FunctionUpdated"),
                            ("elbv2", "LoadBalancerAvailable"), ("acm", "CertificateValidated")]:
        assert not acceptor_states(service, waiter) & acceptor_states(service, waiter, "failure")


def test_stack_settling_statuses_end_where_botocore_waiters_succeed() -> None:
    """An in-progress status is transitional when the status it ends in is not one that
    botocore's stack waiters fail on; rollbacks and deletes end in such a status."""
    from pytest_awshealth.resources.cloudformation import HEALTHY_STATUSES, SETTLING_STATUSES

    failures = set().union(*(acceptor_states("cloudformation", w, "failure") for w in (
        "StackCreateComplete", "StackUpdateComplete", "StackImportComplete")))

    def ends_in(status: str) -> str:
        return status.replace("_CLEANUP_IN_PROGRESS", "").replace("_IN_PROGRESS", "_COMPLETE")

    for status in SETTLING_STATUSES:
        assert ends_in(status) in HEALTHY_STATUSES and ends_in(status) not in failures
    for status in ("ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "DELETE_IN_PROGRESS",
                   "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_ROLLBACK_IN_PROGRESS"):
        assert ends_in(status) in failures, status


def test_pending_states_need_every_failing_probe_transitional() -> None:
    from pytest_awshealth.probes import ProbeRecord

    creating = ProbeRecord("t", "status", "k", "CREATING", False, True, "CREATING")
    failed = ProbeRecord("f", "state", "k", "Failed", False)
    fine = ProbeRecord("q", "depth", "k", 0, True)
    assert pending_states([creating, fine]) == ["CREATING"]
    assert pending_states([creating, failed]) is None
    assert pending_states([fine]) is None
    assert pending_states([]) is None


@pytest.mark.parametrize("bad", [-1, float("inf"), float("nan"), "10", True, None])
def test_marker_signature(bad: Any) -> None:
    assert aws_settle_signature(0) == 0.0 and aws_settle_signature(2.5) == 2.5
    with pytest.raises(TypeError, match=r"aws_settle\(seconds\)"):
        aws_settle_signature(bad)


def test_cloud_map_empty_while_the_ecs_service_read_before_deploys() -> None:
    registry = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1"
    deploying = ecs()
    deploying.call("describe_services")["services"][0]["serviceRegistries"] = [
        {"registryArn": registry}]
    with recording() as records:
        deploying.at_desired
        cloudmap(status="SUCCESS").has_instances
    assert records[-1].state == "ECS service api deploying (0/2 running, 2 pending)"
    with recording() as records:
        ecs().at_desired  # registers nowhere
        cloudmap(status="SUCCESS").has_instances
    assert records[-1].transitional is False


def test_state_turning_wrong_stops_the_wait(pytester: pytest.Pytester, aws_env: Emulator) -> None:
    deploy(aws_env, then="DELETING", after=0.2)
    result = run(pytester, CHECKS, "-k", "table", "--aws-settle", "30")
    result.assert_outcomes(failed=1)
    assert call_seconds(result)["test_table_active"] < 5
    result.stdout.fnmatch_lines([
        "FAILED *test_table_active - orders: is not ACTIVE [[]DynamoDB table, us-east-1[]]: stopped "
        "re-checking after 1.* s: the failing probes now see a settled state (first seen CREATING)"])
