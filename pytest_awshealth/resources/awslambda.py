"""Lambda functions."""

from __future__ import annotations

import base64
import fnmatch
import json
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from ..deprecations import renamed
from ..errors import ResourceNotFound
from ..probes import equals, field, probe, truthy, waiter_retries
from ..remediation import Hint
from .policy import Statement, allows, source_arn_patterns
from .base import Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum
from .logs import LogGroup

F = "--function-name {name} --region {region}"
#: Event source mapping states that end Enabled by themselves (Lambda API reference).
SETTLING_MAPPING_STATES = frozenset({"Creating", "Enabling", "Updating"})
METRIC_READS = ("describe", "get_metric_statistics")
MAPPING_READS = ("describe", "list_event_source_mappings")
INVOKE_READS = ("describe", "invoke")


def _mappings_settling(function: LambdaFunction, value: Any) -> Optional[str]:
    """Every mapping that is not Enabled is on its way to Enabled."""
    pending = {m.get("State", "") for m in function._mappings()} - {"Enabled"}
    return ", ".join(sorted(pending)) if pending and pending <= SETTLING_MAPPING_STATES else None


@dataclass(frozen=True)
class InvokeResult:
    """What an invocation returned."""

    status: int
    payload: Any
    function_error: Optional[str] = None
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and not self.function_error


EVENT_SOURCES = Hint(
    "Lambda function {name} in {region} has {mapping_problem}",
    ("the mapping was created disabled (enabled = false) or was disabled by hand",
     "it is still Creating/Enabling right after the deploy",
     "the execution role cannot read the source (sqs:ReceiveMessage, "
     "kinesis:GetRecords, dynamodb:GetRecords): see LastProcessingResult",
     "the trigger was never created, or points at an old stream ARN"),
    (f"aws lambda list-event-source-mappings {F} "
     "--query 'EventSourceMappings[].[UUID,State,EventSourceArn,LastProcessingResult]'",),
    ("aws lambda update-event-source-mapping --uuid {mapping_uuid} --enabled --region {region}",
     f"aws lambda create-event-source-mapping {F} --event-source-arn <source-arn>   "
     "# when there is none"))
DURATION = Hint(
    "Lambda function {name} in {region} runs slower than the check allows ({statistic} "
    "Duration peaked at {value} ms in the last {minutes} min)",
    ("too little memory (CPU scales with memory), or cold starts after the deploy",
     "a slow dependency (database, external API, LLM provider) or a missing VPC endpoint",
     "work that grew with the data (full scans instead of queries)"),
    ("aws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Duration "
     "--dimensions Name=FunctionName,Value={name} --start-time $(date -u -d '{minutes} "
     "minutes ago' +%FT%TZ) --end-time $(date -u +%FT%TZ) --period 300 {statistic_option} "
     "--region {region}",
     "aws logs tail /aws/lambda/{name} --since 1h --filter-pattern REPORT --region {region}"),
    (f"aws lambda update-function-configuration {F} --memory-size 1024   "
     "# then find the slow call in the logs or X-Ray traces",))


class LambdaFunction(Resource, Metrics):
    """A Lambda function: ``assert lambda_fn.status == "Active"``."""

    fixture = "lambda_fn"
    service = "lambda"
    kind = "Lambda function"
    hint_prefix = "lambda.function"
    arn_format = "arn:{partition}:lambda:{region}:{account}:function:{name}"
    named_from_arn = True
    describe_operations = ("get_function_configuration",)
    healthy_when = ("status", "last_update_status", "reserved_concurrency")
    metric_namespace = "AWS/Lambda"
    hints = {"missing": Hint(
        "Lambda function {name} does not exist in {region} (account {account})",
        ("the deploy did not create it (check the apply log for packaging errors)",
         "output '{output}' holds the wrong function name",
         "the checks run in another region or account than the deploy"),
        ("aws lambda list-functions --region {region} --query 'Functions[].FunctionName'",
         f"aws lambda get-function {F}"),
        ("re-run the deploy so the function is created",))}

    @classmethod
    def name_in(cls, arn: str) -> str:
        """The function's name, also from an alias or version ARN (``function:NAME:live``)."""
        name = super().name_in(arn)
        return name.split(":", 1)[0] if name != arn else arn

    def describe(self) -> dict[str, Any]:
        return self.call("get_function_configuration", FunctionName=self.name)

    def metric_dimensions(self) -> dict[str, str]:
        return {"FunctionName": self.name}

    status = field("State", equals("Active"), default="Active",
                   transitional=waiter_retries("lambda", "FunctionActive", "State"),
                   doc="The function's State (str: Active, Pending, Inactive or Failed); "
                   "healthy: Active, transitional while Pending.", hint=Hint(
        "Lambda function {name} in {region} is not Active",
        ("Pending: the function is still being created or updated",
         "Failed: the role, VPC subnets/ENIs, layers or image could not be set up",
         "Inactive: the function was idle long enough that its resources were reclaimed"),
        (f"aws lambda get-function-configuration {F} --query '[State,StateReason,StateReasonCode,LastUpdateStatus]'",),
        (f"aws lambda wait function-active-v2 {F}",
         "fix the reason shown by StateReason, then redeploy")))
    state = renamed("status")
    last_update_status = field(
        "LastUpdateStatus", equals("Successful"), default="Successful",
        transitional=waiter_retries("lambda", "FunctionUpdated", "LastUpdateStatus"),
        doc="LastUpdateStatus (str: Successful, InProgress while an update is applied, or "
        "Failed); healthy: Successful, transitional while InProgress. A new function reports "
        "none until its first update: that counts as Successful.", hint=Hint(
        "Lambda function {name} in {region}: the last update did not succeed",
        ("InProgress: code or configuration is still being applied (invocations run the "
         "previous version until it finishes)",
         "Failed: the update could not be applied (role, VPC subnets/ENIs, layers or image); "
         "the function keeps running the previous configuration"),
        (f"aws lambda get-function-configuration {F} "
         "--query '[LastUpdateStatus,LastUpdateStatusReason,LastUpdateStatusReasonCode]'",),
        (f"aws lambda wait function-updated-v2 {F}",
         "fix the reason shown by LastUpdateStatusReason, then redeploy")))
    arn = field("FunctionArn", doc="The function's ARN (str).")
    role_arn = field("Role", doc="The execution role's ARN (str; no healthy value): check it "
                     "with ``aws.iam_role(lambda_fn.role_arn).can(...)``.", hint=Hint(
        "Lambda function {name} in {region} runs with an unexpected execution role",
        ("the function was deployed with another role than the stack intends (e.g. a shared "
         "default role)",),
        (f"aws lambda get-function-configuration {F} --query Role",),
        (f"aws lambda update-function-configuration {F} --role <role-arn>   "
         "# better: fix the role in the stack and redeploy",)))
    runtime = field("Runtime", doc="The runtime (str such as ``python3.11``; None for a "
                    "container image; no healthy value).", hint=Hint(
        "Lambda function {name} in {region} runs an unexpected runtime",
        ("the deploy packaged for another Python/Node version",),
        (f"aws lambda get-function-configuration {F} --query Runtime",),
        (f"aws lambda update-function-configuration {F} --runtime python3.11",)))
    memory_mb = field("MemorySize", doc="Memory in MB (int; no healthy value).", hint=Hint(
        "Lambda function {name} in {region} has an unexpected memory size",
        ("the deploy variable for memory differs from what the check expects",),
        (f"aws lambda get-function-configuration {F} --query MemorySize",),
        (f"aws lambda update-function-configuration {F} --memory-size 1024",)))
    timeout_s = field("Timeout", doc="Timeout in seconds (int; no healthy value).", hint=Hint(
        "Lambda function {name} in {region} has an unexpected timeout",
        ("the function may time out on long work (queries, LLM calls)",),
        (f"aws lambda get-function-configuration {F} --query Timeout",),
        (f"aws lambda update-function-configuration {F} --timeout 900",)))
    env_var_names = field("Environment.Variables", default={}, then=set,
                          doc="Names of the environment variables (set of str; values are "
                          "never read into reports; no healthy value).", hint=Hint(
        "Lambda function {name} in {region} lacks expected environment variables",
        ("the deploy did not pass the configuration (provider, table names, secret IDs)",),
        (f"aws lambda get-function-configuration {F} --query 'keys(Environment.Variables)'",),
        (f'aws lambda update-function-configuration {F} --environment "Variables={{{{KEY=value}}}}"   # or fix the deploy variables',)))
    tracing_mode = field("TracingConfig.Mode", default="PassThrough",
                         doc="X-Ray tracing (str: ``Active`` or ``PassThrough``; no healthy "
                         "value).", hint=Hint(
        "Lambda function {name} in {region} does not have the expected X-Ray tracing mode",
        ("tracing is not set in the function definition (the default is PassThrough)",
         "the execution role lacks xray:PutTraceSegments, so Active tracing was not kept"),
        (f"aws lambda get-function-configuration {F} --query TracingConfig",),
        (f"aws lambda update-function-configuration {F} --tracing-config Mode=Active",)))
    layers = field("Layers[].Arn", default=[], doc="Layer version ARNs in the order the "
                   "function loads them (list of str; no healthy value).", hint=Hint(
        "Lambda function {name} in {region} does not use the expected layers",
        ("the deploy pinned an older layer version, or the new version was not published",
         "the layer lives in another region (layers must be in the function's region)"),
        (f"aws lambda get-function-configuration {F} --query 'Layers[].Arn'",
         "aws lambda list-layer-versions --layer-name <layer-name> --region {region}"),
        (f"aws lambda update-function-configuration {F} --layers <layer-version-arn>   "
         "# lists all layers: include the ones to keep",)))

    @property
    @probe(Hint(
        "Lambda function {name} in {region} has unexpected reserved concurrency "
        "(0 throttles every invocation)",
        ("reserved concurrency was set to 0 (the function is effectively switched off)",
         "reserved concurrency is lower than peak traffic, so invocations are throttled",
         "other functions' reservations leave too little of the account pool"),
        (f"aws lambda get-function-concurrency {F}",
         "aws lambda get-account-settings --region {region} --query AccountLimit"),
        (f"aws lambda put-function-concurrency {F} --reserved-concurrent-executions 50",
         f"aws lambda delete-function-concurrency {F}   # share the account pool instead")),
        lambda value: value != 0, reads=("describe", "get_function_concurrency"))
    def reserved_concurrency(self) -> Optional[int]:
        """Reserved concurrent executions (int), or None when unset (the function shares
        the account pool); healthy: anything but 0, which throttles every invocation."""
        self.describe()
        answer = self.call("get_function_concurrency", FunctionName=self.name)
        return answer.get("ReservedConcurrentExecutions")

    def policy(self) -> dict[str, Any]:
        """The function's resource-based policy, or an empty dict when it has none."""
        self.describe()  # GetPolicy says ResourceNotFound both for no function and no policy
        try:
            return json.loads(self.call("get_policy", FunctionName=self.name)["Policy"])
        except ResourceNotFound:
            return {}

    @probe(Hint(
        "Lambda function {name} in {region} does not allow {principal} to invoke it",
        ("no aws_lambda_permission / add-permission for the trigger (EventBridge rule, "
         "API Gateway, S3, SNS): CDK adds it, Terraform and the CLI do not",
         "the statement's SourceArn names another rule or API (e.g. one that was recreated)",
         "the permission was granted on an alias or version, not on the function invoked"),
        (f"aws lambda get-policy {F} --query Policy --output text",),
        (f"aws lambda add-permission {F} --statement-id allow-invoke "
         "--action lambda:InvokeFunction --principal {principal} --source-arn {source_arn}",)),
        truthy, reads=("describe", "get_policy"))
    def allows_invoke_by(self, principal: str, source_arn: Optional[str] = None) -> bool:
        """True (healthy) when the resource policy lets ``principal`` (a service such as
        ``events.amazonaws.com``, an account ID or an ARN) call lambda:InvokeFunction, and,
        with ``source_arn``, a SourceArn condition (if any) admits it. Without
        ``source_arn`` conditions are not evaluated."""
        return allows(self.policy(), principal, "lambda:InvokeFunction",
                      condition=lambda statement: _admits(statement, source_arn))

    @property
    @probe(EVENT_SOURCES, reads=MAPPING_READS)
    def event_source_mappings(self) -> list[dict[str, str]]:
        """The triggers (SQS, Kinesis, DynamoDB streams, Kafka...): a list of dicts with
        ``uuid``, ``state``, ``source_arn``, ``reason`` and ``last_result``; no healthy
        value (see :attr:`event_sources_enabled`)."""
        return [{"uuid": m["UUID"], "state": m.get("State", ""),
                 "source_arn": m.get("EventSourceArn", ""),
                 "reason": m.get("StateTransitionReason", ""),
                 "last_result": m.get("LastProcessingResult", "")}
                for m in self._mappings()]

    @property
    @probe(EVENT_SOURCES, truthy, transitional=_mappings_settling, reads=MAPPING_READS)
    def event_sources_enabled(self) -> bool:
        """True (healthy) when the function has at least one event source mapping and all
        are Enabled; transitional while they are Creating, Enabling or Updating."""
        mappings = self._mappings()
        return bool(mappings) and all(m.get("State") == "Enabled" for m in mappings)

    def _mappings(self) -> list[dict[str, Any]]:
        self.describe()
        found: list[dict[str, Any]] = []
        marker = None
        while True:
            page = self.call("list_event_source_mappings", FunctionName=self.name,
                             **({"Marker": marker} if marker else {}))
            found.extend(page.get("EventSourceMappings", []))
            marker = page.get("NextMarker")
            if not marker:
                return found

    @probe(Hint(
        "Lambda function {name} in {region} reported {value} errors in the last {minutes} min",
        ("the handler raises (a bug, or missing configuration / permissions after the deploy)",
         "invocations time out (\"Task timed out\") or run out of memory; both count as errors",
         "a downstream service (table, API, secret) fails or throttles"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Errors "
         "--dimensions Name=FunctionName,Value={name} --start-time " + SINCE + " --end-time "
         + NOW + " --period 300 --statistics Sum --region {region}",
         "aws logs filter-log-events --log-group-name /aws/lambda/{name} "
         "--filter-pattern '?ERROR ?\"Task timed out\" ?\"Runtime exited\"' "
         "--start-time $(($(date +%s) - {minutes} * 60))000 --region {region}",
         f"aws lambda get-function-configuration {F} --query '[Timeout,MemorySize]'"),
        (f"aws lambda update-function-configuration {F} --timeout 30   # when lines say Task timed out",
         f"aws lambda update-function-configuration {F} --memory-size 1024   # out of memory, or slow (more memory = more CPU)",
         "fix the exception shown in the log lines and redeploy")), reads=METRIC_READS)
    def errors(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/Lambda Errors over the last ``minutes`` (:class:`MetricSum`, a
        float; no healthy value: compare it): ``assert lambda_fn.errors(minutes=15) == 0``."""
        return self.read_metric("Errors", minutes=minutes)

    @probe(Hint(
        "Lambda function {name} in {region} was throttled {value} times in the last {minutes} min",
        ("its reserved concurrency is too low (or 0)",
         "the account's concurrent executions limit is reached (default 1000 per region)",
         "a traffic burst exceeds the scaling rate"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Throttles "
         "--dimensions Name=FunctionName,Value={name} --start-time " + SINCE + " --end-time "
         + NOW + " --period 300 --statistics Sum --region {region}",
         f"aws lambda get-function-concurrency {F}",
         "aws lambda get-account-settings --region {region} --query AccountLimit"),
        (f"aws lambda put-function-concurrency {F} --reserved-concurrent-executions 50",
         "aws service-quotas request-service-quota-increase --service-code lambda "
         "--quota-code L-B99A9384 --desired-value 2000 --region {region}   # account concurrency",
         "make callers retry with exponential backoff")), reads=METRIC_READS)
    def throttles(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/Lambda Throttles over the last ``minutes`` (:class:`MetricSum`; no
        healthy value): ``assert lambda_fn.throttles(minutes=60) == 0``."""
        return self.read_metric("Throttles", minutes=minutes)

    @probe(DURATION, reads=METRIC_READS)
    def max_duration_ms(self, minutes: int = 60) -> MetricSum:
        """The worst 5-minute Maximum of AWS/Lambda Duration in milliseconds over the last
        ``minutes`` (:class:`MetricSum`; no healthy value):
        ``assert lambda_fn.max_duration_ms() < 0.8 * lambda_fn.timeout_s * 1000``. Other
        statistics: ``lambda_fn.metric("Duration", stat="p95")``."""
        return self.read_metric("Duration", "Maximum", minutes)

    @probe(DURATION, reads=METRIC_READS)
    def duration_ms(self, statistic: str = "Average", minutes: int = 60) -> MetricSum:
        """Deprecated since 0.2: ``max_duration_ms(minutes=)`` for the Maximum, or
        ``metric("Duration", stat=..., minutes=)`` for another statistic."""
        cls = type(self).__name__
        warnings.warn(f"{cls}.duration_ms is deprecated, use {cls}.max_duration_ms(minutes=) "
                      f"or {cls}.metric('Duration', stat={statistic!r}, minutes=)",
                      DeprecationWarning, stacklevel=3)
        return self.read_metric("Duration", statistic, minutes)

    errors_sum = renamed("errors")
    throttles_sum = renamed("throttles")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "source_arn": "<source-arn>",
                "mapping_uuid": self._first_disabled_uuid,
                "mapping_problem": self._mapping_problem}

    def _not_enabled(self) -> list[dict[str, Any]]:
        return [m for m in self._mappings() if m.get("State") != "Enabled"]

    def _first_disabled_uuid(self) -> str:
        off = self._not_enabled()
        return off[0]["UUID"] if off else "<uuid>"

    def _mapping_problem(self) -> str:
        """``no enabled event source mapping``, or which of several are not Enabled."""
        mappings, off = self._mappings(), self._not_enabled()
        if not mappings or len(off) == len(mappings):
            return "no enabled event source mapping"
        listed = ", ".join(f"{m['UUID']} {m.get('State') or 'without a state'}" for m in off[:3])
        return (f"{len(off)} of {len(mappings)} event source mappings not Enabled ({listed}"
                f"{', ...' if len(off) > 3 else ''})")

    @property
    def log_group(self) -> LogGroup:
        """The function's log group ``/aws/lambda/<name>`` (a :class:`LogGroup`)."""
        return LogGroup(f"/aws/lambda/{self.name}", aws=self.aws, region=self._region)

    @property
    @probe(Hint(
        "Lambda function {name} in {region} has not run recently",
        ("its EventBridge schedule is disabled or targets another function",
         "it fails before logging, or its role cannot write logs"),
        ("aws logs tail /aws/lambda/{name} --since 1h --region {region}",
         "aws events list-rule-names-by-target --target-arn arn:aws:lambda:{region}:{account}:function:{name} --region {region}"),
        (f"aws lambda invoke {F} --log-type Tail response.json   # run it once by hand",)),
        reads=("describe_log_streams",))
    def last_activity_age(self) -> Optional[timedelta]:
        """Time since the function last logged (timedelta), or None when it never ran;
        no healthy value: compare it."""
        return self.log_group.latest_event_age

    @probe(Hint(
        "Lambda function {name} in {region} cannot be invoked",
        ("the caller lacks lambda:InvokeFunction", "the function is not Active"),
        (f"aws lambda invoke {F} --invocation-type DryRun response.json",),
        ("grant lambda:InvokeFunction on arn:aws:lambda:{region}:{account}:function:{name}",)),
        truthy, reads=INVOKE_READS, read_only=False)
    def dry_run(self) -> bool:
        """Invoke with InvocationType DryRun: checks existence and permission, runs nothing
        (bool; healthy: True). An Invoke call, so only on an explicit call in a test.

        The function is described first, so a missing one raises ResourceNotFound as AWS
        does (emulators such as moto answer DryRun with 204 for any name)."""
        self.describe()
        answer = self.call_fresh("invoke", FunctionName=self.name, InvocationType="DryRun")
        return answer["StatusCode"] == 204

    @probe(Hint(
        "Lambda function {name} in {region} returned an error when invoked",
        ("the handler raised: the tail of its log is in the invocation result",
         "missing configuration (secrets, environment variables) or permissions"),
        (f"aws lambda invoke {F} --log-type Tail --query LogResult --output text response.json | base64 -d",
         "aws logs tail /aws/lambda/{name} --since 10m --region {region}"),
        ("fix the handler error shown in the logs and redeploy",)),
        lambda result: result.ok, reads=INVOKE_READS, read_only=False)
    def invoke(self, payload: Any = None, *, tail_logs: bool = True) -> InvokeResult:
        """Run the function synchronously (only ever on an explicit call in a test):
        :class:`InvokeResult`; healthy: ``.ok`` (a 2xx status and no FunctionError). A
        missing function raises ResourceNotFound, as AWS does (moto answers 200)."""
        self.describe()
        params: dict[str, Any] = {"FunctionName": self.name, "InvocationType": "RequestResponse"}
        if payload is not None:
            params["Payload"] = json.dumps(payload).encode()
        if tail_logs:
            params["LogType"] = "Tail"
        answer = self.call_fresh("invoke", **params)
        return InvokeResult(answer["StatusCode"], _decode(answer["Payload"].read()),
                            answer.get("FunctionError"),
                            base64.b64decode(answer.get("LogResult", "")).decode(errors="replace"))


def _admits(statement: Statement, source_arn: Optional[str]) -> bool:
    """Whether a statement's SourceArn condition (if any) admits ``source_arn``."""
    patterns = source_arn_patterns(statement)
    return (source_arn is None or patterns is None
            or any(fnmatch.fnmatchcase(source_arn, p) for p in patterns))


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode(errors="replace")
