"""The Lambda, log group, S3, Athena, Glue, EventBridge, Secrets Manager and SSM handles:
every probe calls only the operations it declares (and only reads unless it says it
runs something), the one vocabulary (``status``, ``healthy``, metrics, ``reveal()``) and
the old names that keep working for a release."""

from __future__ import annotations

import re
import warnings
from typing import Any, Callable

import pytest

from pytest_awshealth.clients import AwsContext
from pytest_awshealth.remediation.diagnosis import _record_context
from pytest_awshealth.emulator.stacks import create_function, lambda_role, log_recent
from pytest_awshealth.errors import AwsHealthError
from pytest_awshealth.probes import recording
from pytest_awshealth.resources.athena import AthenaWorkgroup
from pytest_awshealth.resources.awslambda import LambdaFunction
from pytest_awshealth.resources.events import EventRule
from pytest_awshealth.resources.glue import GlueDatabase
from pytest_awshealth.resources.logs import LogAbsence, LogGroup, LogLines
from pytest_awshealth.resources.registry import hints_of, probes
from pytest_awshealth.resources.s3 import S3Bucket
from pytest_awshealth.resources.secrets import Secret
from pytest_awshealth.resources.ssm import SsmParameter

READ = re.compile(r"^(Describe|Get|List|Head|Filter)")
HANDLES = [LambdaFunction, LogGroup, S3Bucket, AthenaWorkgroup, GlueDatabase, EventRule,
           Secret, SsmParameter]
#: Arguments for the probes that are methods (no entry: called without arguments).
ARGUMENTS: dict[str, tuple[Any, ...]] = {
    "allows_invoke_by": ("events.amazonaws.com",), "metric": ("Errors",),
    "no_lines_matching": ("ERROR",), "value_absent": ("sk-never-logged",),
    "policy_allows": ("cloudtrail.amazonaws.com", "s3:PutObject"), "query": ("SELECT 1",),
    "has_target": ("fn",), "rotated_within": (30,)}


def deploy(emu: Any) -> dict[type, str]:
    """One healthy resource of each handle type; their names by type."""
    create_function(emu, "fn", lambda_role(emu, "fn-role"))
    log_recent(emu, "/aws/lambda/fn", "INFO ok", "ERROR boom")
    emu.client("s3").create_bucket(Bucket="data")
    emu.client("athena").create_work_group(Name="wg", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://data/results/"}})
    emu.client("glue").create_database(DatabaseInput={"Name": "db"})
    events = emu.client("events")
    events.put_rule(Name="nightly", ScheduleExpression="rate(1 day)", State="ENABLED")
    events.put_targets(Rule="nightly", Targets=[
        {"Id": "1", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:fn"}])
    emu.client("secretsmanager").create_secret(Name="db", SecretString="hunter2-db-pass")
    emu.client("ssm").put_parameter(Name="/app/key", Value="key-1234", Type="SecureString")
    return {LambdaFunction: "fn", LogGroup: "/aws/lambda/fn", S3Bucket: "data",
            AthenaWorkgroup: "wg", GlueDatabase: "db", EventRule: "nightly", Secret: "db",
            SsmParameter: "/app/key"}


@pytest.fixture
def recorded(aws_env: Any) -> tuple[Callable[[type, str], Any], list[str]]:
    """``(make, calls)``: ``make(cls, name)`` makes a handle whose AWS operations
    (boto3 names) are appended to ``calls``; making one forgets the reads cached so far."""
    from botocore import xform_name

    context = AwsContext(region="us-east-1", endpoint_url=aws_env.url)
    calls: list[str] = []
    create = context.client

    def client(service: str, region: Any = None) -> Any:
        made = create(service, region)
        made.meta.events.register("before-call", lambda model, **_: calls.append(
            xform_name(model.name)), unique_id="probe-reads-recorder")
        return made

    context.client = client  # type: ignore[method-assign]

    def make(cls: type, name: str) -> Any:
        context.reads.clear()  # a fresh handle reads AWS again, not the session's cache
        return cls(name, aws=context)

    return make, calls


@pytest.mark.parametrize("cls", HANDLES, ids=lambda cls: cls.__name__)
def test_every_probe_calls_only_what_it_declares(aws_env, recorded, cls) -> None:
    make, calls = recorded
    name = deploy(aws_env)[cls]
    for probe_name, spec in probes(cls).items():
        calls.clear()
        handle = make(cls, name)  # a fresh handle: nothing cached
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                value = getattr(handle, probe_name)
                if callable(value):
                    value(*ARGUMENTS.get(probe_name, ()))
            except AwsHealthError:
                pass  # what it called until AWS said no still counts
        assert calls, f"{cls.__name__}.{probe_name} made no AWS call"
        declared = spec.operations(cls)
        assert set(calls) <= set(declared), (probe_name, calls, declared)
        writes = [op for op in calls if not READ.match(xform_title(op))]
        assert bool(writes) == (not spec.read_only), (probe_name, writes)


def xform_title(operation: str) -> str:
    return "".join(part.title() for part in operation.split("_"))


@pytest.mark.parametrize("cls", HANDLES, ids=lambda cls: cls.__name__)
def test_every_probe_has_its_own_hint_and_a_docstring(cls) -> None:
    catalog = hints_of(cls)
    assert f"{cls.hint_prefix}.missing" in catalog
    for name, spec in probes(cls).items():
        assert spec.key(cls) in catalog, name
        if name in vars(cls):  # declared here: its docstring says what is healthy
            doc = getattr(cls, name).__doc__ or ""
            assert "healthy" in doc or "Deprecated" in doc, f"{cls.__name__}.{name}: {doc!r}"


def test_healthy_is_the_verdict_of_the_declared_probes(aws_env, recorded) -> None:
    make, _ = recorded
    names = deploy(aws_env)
    for cls in HANDLES:
        assert make(cls, names[cls]).healthy, cls.__name__
        assert not make(cls, "gone-" + names[cls].strip("/")).healthy, cls.__name__
    aws_env.set_athena_workgroup_state("wg", "DISABLED")
    aws_env.client("events").disable_rule(Name="nightly")
    aws_env.set_lambda_state("fn", "Failed")
    for cls in (AthenaWorkgroup, EventRule, LambdaFunction):
        handle = make(cls, names[cls])
        with recording() as records:
            assert not handle.healthy
        assert [r.name for r in records if r.healthy is False] == ["status"], cls.__name__
    assert make(AthenaWorkgroup, "wg").status == "DISABLED"
    assert make(EventRule, "nightly").status == "DISABLED"
    aws_env.client("secretsmanager").delete_secret(SecretId="db", RecoveryWindowInDays=7)
    assert not make(Secret, "db").healthy


def test_old_names_warn_and_answer_as_the_new_ones(aws_env, recorded) -> None:
    make, _ = recorded
    deploy(aws_env)
    function, workgroup = make(LambdaFunction, "fn"), make(AthenaWorkgroup, "wg")
    with pytest.deprecated_call(match=r"LambdaFunction\.state is deprecated, use LambdaFunction\.status"):
        assert function.state == "Active"
    with pytest.deprecated_call(match="errors_sum"):
        assert function.errors_sum(minutes=15) == function.errors(minutes=15) == 0
    with pytest.deprecated_call(match="throttles_sum"):
        assert function.throttles_sum() == 0
    with pytest.deprecated_call(match=r"max_duration_ms\(minutes=\) or LambdaFunction\.metric"):
        assert function.duration_ms("Maximum", minutes=5) == 0
    with pytest.deprecated_call(match="workgroup_exists"):
        assert workgroup.workgroup_exists
    with pytest.deprecated_call(match="workgroup_enabled"):
        assert workgroup.workgroup_enabled
    for handle in (make(Secret, "db"), make(SsmParameter, "/app/key")):
        with pytest.deprecated_call(match=r"\.value\(\) is deprecated, use \w+\.reveal\(\)"):
            assert handle.value() == handle.reveal()


@pytest.mark.parametrize(("cls", "name", "fixture"), [(Secret, "db", "secret"),
                                                       (SsmParameter, "/app/key", "ssm_parameter")])
def test_an_uncalled_value_fails_loudly(aws_env, recorded, cls, name, fixture) -> None:
    make, calls = recorded
    deploy(aws_env)
    handle = make(cls, name)
    calls.clear()
    message = rf"{cls.__name__}\.value is a method that was not called: use {cls.__name__}\.reveal\(\) \(e\.g\. assert {fixture}\.reveal\(\)\)"
    with pytest.raises(TypeError, match=message):
        assert handle.value
    with pytest.raises(TypeError, match=message):
        assert handle.value == "key-1234"
    assert calls == []  # nothing was read
    revealed = handle.reveal()
    assert str(revealed) == "***" and revealed and revealed.reveal() in ("hunter2-db-pass", "key-1234")


def test_log_probes_give_their_hints_the_pattern_window_and_streams(aws_env, recorded) -> None:
    make, _ = recorded
    deploy(aws_env)
    group = make(LogGroup, "/aws/lambda/fn")
    with recording() as records:
        lines = group.errors("ERROR")
        clean = group.no_lines_matching("Traceback", minutes=5)
        matching = group.no_lines_matching("ERROR")
    assert isinstance(lines, LogLines) and lines == ["ERROR boom"]
    assert isinstance(clean, LogAbsence) and clean == True and matching == False  # noqa: E712
    errors, _, seen = (_record_context(r, {}) for r in records)
    assert (errors["pattern"], errors["window"], errors["window_seconds"]) == ("ERROR", "15m", 900)
    assert seen["minutes"] == 15 and seen["first_stream"].startswith("'2026/01/01/[$LATEST]")
    hint = hints_of(LogGroup)["logs.group.errors"].render(errors)
    assert "--filter-pattern \"ERROR\" --start-time $(($(date +%s) - 900))000" in hint
    assert "aws logs tail /aws/lambda/fn --since 15m --region us-east-1" in hint
