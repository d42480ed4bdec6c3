"""Lambda functions."""

from __future__ import annotations

import base64
import fnmatch
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from ..errors import ResourceNotFound
from ..probes import equals, not_yet, probe, truthy, waiter_retries
from ..remediation import Hint
from .policy import Statement, allows, source_arn_patterns
from .base import Resource
from .cloudwatch import NOW, SINCE, CloudWatch, MetricSum
from .logs import LogGroup

F = "--function-name {name} --region {region}"
#: Event source mapping states that end Enabled by themselves (Lambda API reference).
SETTLING_MAPPING_STATES = frozenset({"Creating", "Enabling", "Updating"})


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


class LambdaFunction(Resource):
    """A Lambda function: ``assert lambda_fn.state == "Active"``."""

    fixture = "lambda_fn"
    service = "lambda"
    kind = "Lambda function"
    hint_prefix = "lambda.function"
    arn_format = "arn:{partition}:lambda:{region}:{account}:function:{name}"

    def __init__(self, name: str, **kwargs: Any) -> None:
        if name.startswith("arn:") and ":function:" in name:
            name = name.split(":function:", 1)[1].split(":", 1)[0]
        super().__init__(name, **kwargs)
        self._asked: dict[str, Any] = {}  # the last permission query, for hints

    def describe(self) -> dict[str, Any]:
        return self.call("get_function_configuration", FunctionName=self.name)

    @property
    @probe("state", equals("Active"),
           transitional=waiter_retries("lambda", "FunctionActive", "State"))
    def state(self) -> str:
        """Active, Pending, Inactive or Failed."""
        return self.describe().get("State", "Active")

    @property
    @probe("last_update", equals("Successful"),
           transitional=waiter_retries("lambda", "FunctionUpdated", "LastUpdateStatus"))
    def last_update_status(self) -> str:
        """Successful, InProgress (an update is being applied) or Failed. A new function
        reports none until its first update: that counts as Successful."""
        return self.describe().get("LastUpdateStatus", "Successful")

    @property
    @probe("role")
    def role_arn(self) -> str:
        """The execution role's ARN (check it with ``aws.iam_role(lambda_fn.role_arn).can(...)``)."""
        return self.describe()["Role"]

    @property
    @probe("runtime")
    def runtime(self) -> Optional[str]:
        return self.describe().get("Runtime")

    @property
    @probe("memory")
    def memory_mb(self) -> int:
        return self.describe()["MemorySize"]

    @property
    @probe("timeout")
    def timeout_s(self) -> int:
        return self.describe()["Timeout"]

    @property
    @probe("environment")
    def env_var_names(self) -> set[str]:
        """Names of the environment variables (values are never read into reports)."""
        return set((self.describe().get("Environment") or {}).get("Variables", {}))

    @property
    @probe("tracing")
    def tracing_mode(self) -> str:
        """X-Ray tracing: ``Active`` or ``PassThrough``."""
        return (self.describe().get("TracingConfig") or {}).get("Mode", "PassThrough")

    @property
    @probe("layers")
    def layers(self) -> list[str]:
        """Layer version ARNs, in the order the function loads them."""
        return [layer["Arn"] for layer in self.describe().get("Layers") or []]

    @property
    @probe("concurrency", lambda value: value != 0)
    def reserved_concurrency(self) -> Optional[int]:
        """Reserved concurrent executions, or None when unset (the function shares the
        account pool); 0 means every invocation is throttled."""
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

    @probe("permission", truthy)
    def allows_invoke_by(self, principal: str, source_arn: Optional[str] = None) -> bool:
        """True when the resource policy lets ``principal`` (a service such as
        ``events.amazonaws.com``, an account ID or an ARN) call lambda:InvokeFunction, and,
        with ``source_arn``, a SourceArn condition (if any) admits it. Without
        ``source_arn`` conditions are not evaluated."""
        self._asked.update(principal=principal, source_arn=source_arn or "<source-arn>")
        return allows(self.policy(), principal, "lambda:InvokeFunction",
                             condition=lambda statement: _admits(statement, source_arn))

    @property
    @probe("event_sources")
    def event_source_mappings(self) -> list[dict[str, str]]:
        """The triggers (SQS, Kinesis, DynamoDB streams, Kafka...) as dicts with ``uuid``,
        ``state``, ``source_arn``, ``reason`` and ``last_result``."""
        return [{"uuid": m["UUID"], "state": m.get("State", ""),
                 "source_arn": m.get("EventSourceArn", ""),
                 "reason": m.get("StateTransitionReason", ""),
                 "last_result": m.get("LastProcessingResult", "")}
                for m in self._mappings()]

    @property
    @probe("event_sources", truthy, transitional=_mappings_settling)
    def event_sources_enabled(self) -> bool:
        """True when the function has at least one event source mapping and all are Enabled."""
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

    @probe("errors")
    def errors_sum(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/Lambda Errors over the last ``minutes``:
        ``assert lambda_fn.errors_sum(minutes=15) == 0``."""
        return self._metric("Errors", minutes)

    @probe("throttles")
    def throttles_sum(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/Lambda Throttles over the last ``minutes``."""
        return self._metric("Throttles", minutes)

    @probe("duration")
    def duration_ms(self, statistic: str = "Average", minutes: int = 60) -> MetricSum:
        """The worst 5-minute ``statistic`` (Average, Maximum, p95...) of AWS/Lambda Duration
        in milliseconds: ``assert lambda_fn.duration_ms("Maximum") < 0.8 * lambda_fn.timeout_s * 1000``."""
        self.describe()
        metrics = CloudWatch(self.name, aws=self.aws, region=self._region, output=self.output)
        return metrics.peak_statistic("AWS/Lambda", "Duration", {"FunctionName": self.name},
                                      statistic, minutes)

    def _metric(self, metric: str, minutes: int) -> MetricSum:
        self.describe()  # a missing function must not pass as "no errors"
        metrics = CloudWatch(self.name, aws=self.aws, region=self._region, output=self.output)
        return metrics.sum_statistic("AWS/Lambda", metric, {"FunctionName": self.name}, minutes)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "principal": "<principal>",
                "source_arn": "<source-arn>", "mapping_uuid": self._first_disabled_uuid,
                **self._asked}

    def _first_disabled_uuid(self) -> str:
        off = [m["UUID"] for m in self._mappings() if m.get("State") != "Enabled"]
        return off[0] if off else "<uuid>"

    @property
    def log_group(self) -> LogGroup:
        return LogGroup(f"/aws/lambda/{self.name}", aws=self.aws, region=self._region)

    @property
    @probe("activity")
    def last_activity_age(self) -> Optional[timedelta]:
        """Time since the function last logged, or None when it never ran."""
        return self.log_group.latest_event_age

    @probe("dry_run", truthy)
    def dry_run(self) -> bool:
        """Invoke with InvocationType DryRun: checks existence and permission, runs nothing.

        The function is described first, so a missing one raises ResourceNotFound as AWS
        does (emulators such as moto answer DryRun with 204 for any name)."""
        self.describe()
        answer = self.call_fresh("invoke", FunctionName=self.name, InvocationType="DryRun")
        return answer["StatusCode"] == 204

    @probe("invoke", lambda result: result.ok)
    def invoke(self, payload: Any = None, *, tail_logs: bool = True) -> InvokeResult:
        """Run the function synchronously (only ever on an explicit call in a test). A
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


HINTS = {
    "lambda.function.missing": Hint(
        "Lambda function {name} does not exist in {region} (account {account})",
        ("the deploy did not create it (check the apply log for packaging errors)",
         "output '{output}' holds the wrong function name",
         "the checks run in another region or account than the deploy"),
        ("aws lambda list-functions --region {region} --query 'Functions[].FunctionName'",
         f"aws lambda get-function {F}"),
        ("re-run the deploy so the function is created",)),
    "lambda.function.state": Hint(
        "Lambda function {name} in {region} is not Active",
        ("Pending: the function is still being created or updated",
         "Failed: the role, VPC subnets/ENIs, layers or image could not be set up",
         "Inactive: the function was idle long enough that its resources were reclaimed"),
        (f"aws lambda get-function-configuration {F} --query '[State,StateReason,StateReasonCode,LastUpdateStatus]'",),
        (f"aws lambda wait function-active-v2 {F}",
         "fix the reason shown by StateReason, then redeploy")),
    "lambda.function.last_update": Hint(
        "Lambda function {name} in {region}: the last update did not succeed",
        ("InProgress: code or configuration is still being applied (invocations run the "
         "previous version until it finishes)",
         "Failed: the update could not be applied (role, VPC subnets/ENIs, layers or image); "
         "the function keeps running the previous configuration"),
        (f"aws lambda get-function-configuration {F} "
         "--query '[LastUpdateStatus,LastUpdateStatusReason,LastUpdateStatusReasonCode]'",),
        (f"aws lambda wait function-updated-v2 {F}",
         "fix the reason shown by LastUpdateStatusReason, then redeploy")),
    "lambda.function.role": Hint(
        "Lambda function {name} in {region} runs with an unexpected execution role",
        ("the function was deployed with another role than the stack intends (e.g. a shared "
         "default role)",),
        (f"aws lambda get-function-configuration {F} --query Role",),
        (f"aws lambda update-function-configuration {F} --role <role-arn>   "
         "# better: fix the role in the stack and redeploy",)),
    "lambda.function.runtime": Hint(
        "Lambda function {name} in {region} runs an unexpected runtime",
        ("the deploy packaged for another Python/Node version",),
        (f"aws lambda get-function-configuration {F} --query Runtime",),
        (f"aws lambda update-function-configuration {F} --runtime python3.11",)),
    "lambda.function.memory": Hint(
        "Lambda function {name} in {region} has an unexpected memory size",
        ("the deploy variable for memory differs from what the check expects",),
        (f"aws lambda get-function-configuration {F} --query MemorySize",),
        (f"aws lambda update-function-configuration {F} --memory-size 1024",)),
    "lambda.function.timeout": Hint(
        "Lambda function {name} in {region} has an unexpected timeout",
        ("the function may time out on long work (queries, LLM calls)",),
        (f"aws lambda get-function-configuration {F} --query Timeout",),
        (f"aws lambda update-function-configuration {F} --timeout 900",)),
    "lambda.function.environment": Hint(
        "Lambda function {name} in {region} lacks expected environment variables",
        ("the deploy did not pass the configuration (provider, table names, secret IDs)",),
        (f"aws lambda get-function-configuration {F} --query 'keys(Environment.Variables)'",),
        (f'aws lambda update-function-configuration {F} --environment "Variables={{KEY=value}}"   # or fix the deploy variables',)),
    "lambda.function.activity": Hint(
        "Lambda function {name} in {region} has not run recently",
        ("its EventBridge schedule is disabled or targets another function",
         "it fails before logging, or its role cannot write logs"),
        ("aws logs tail /aws/lambda/{name} --since 1h --region {region}",
         "aws events list-rule-names-by-target --target-arn arn:aws:lambda:{region}:{account}:function:{name} --region {region}"),
        (f"aws lambda invoke {F} --log-type Tail response.json   # run it once by hand",)),
    "lambda.function.dry_run": Hint(
        "Lambda function {name} in {region} cannot be invoked",
        ("the caller lacks lambda:InvokeFunction", "the function is not Active"),
        (f"aws lambda invoke {F} --invocation-type DryRun response.json",),
        ("grant lambda:InvokeFunction on arn:aws:lambda:{region}:{account}:function:{name}",)),
    "lambda.function.invoke": Hint(
        "Lambda function {name} in {region} returned an error when invoked",
        ("the handler raised: the tail of its log is in the invocation result",
         "missing configuration (secrets, environment variables) or permissions"),
        (f"aws lambda invoke {F} --log-type Tail --query LogResult --output text response.json | base64 -d",
         "aws logs tail /aws/lambda/{name} --since 10m --region {region}"),
        ("fix the handler error shown in the logs and redeploy",)),
    "lambda.function.tracing": Hint(
        "Lambda function {name} in {region} does not have the expected X-Ray tracing mode",
        ("tracing is not set in the function definition (the default is PassThrough)",
         "the execution role lacks xray:PutTraceSegments, so Active tracing was not kept"),
        (f"aws lambda get-function-configuration {F} --query TracingConfig",),
        (f"aws lambda update-function-configuration {F} --tracing-config Mode=Active",)),
    "lambda.function.layers": Hint(
        "Lambda function {name} in {region} does not use the expected layers",
        ("the deploy pinned an older layer version, or the new version was not published",
         "the layer lives in another region (layers must be in the function's region)"),
        (f"aws lambda get-function-configuration {F} --query 'Layers[].Arn'",
         "aws lambda list-layer-versions --layer-name <layer-name> --region {region}"),
        (f"aws lambda update-function-configuration {F} --layers <layer-version-arn>   "
         "# lists all layers: include the ones to keep",)),
    "lambda.function.concurrency": Hint(
        "Lambda function {name} in {region} has unexpected reserved concurrency "
        "(0 throttles every invocation)",
        ("reserved concurrency was set to 0 (the function is effectively switched off)",
         "reserved concurrency is lower than peak traffic, so invocations are throttled",
         "other functions' reservations leave too little of the account pool"),
        (f"aws lambda get-function-concurrency {F}",
         "aws lambda get-account-settings --region {region} --query AccountLimit"),
        (f"aws lambda put-function-concurrency {F} --reserved-concurrent-executions 50",
         f"aws lambda delete-function-concurrency {F}   # share the account pool instead")),
    "lambda.function.permission": Hint(
        "Lambda function {name} in {region} does not allow {principal} to invoke it",
        ("no aws_lambda_permission / add-permission for the trigger (EventBridge rule, "
         "API Gateway, S3, SNS): CDK adds it, Terraform and the CLI do not",
         "the statement's SourceArn names another rule or API (e.g. one that was recreated)",
         "the permission was granted on an alias or version, not on the function invoked"),
        (f"aws lambda get-policy {F} --query Policy --output text",),
        (f"aws lambda add-permission {F} --statement-id allow-invoke "
         "--action lambda:InvokeFunction --principal {principal} --source-arn {source_arn}",)),
    "lambda.function.event_sources": Hint(
        "Lambda function {name} in {region} has no enabled event source mapping",
        ("the mapping was created disabled (enabled = false) or was disabled by hand",
         "it is still Creating/Enabling right after the deploy",
         "the execution role cannot read the source (sqs:ReceiveMessage, "
         "kinesis:GetRecords, dynamodb:GetRecords): see LastProcessingResult",
         "the trigger was never created, or points at an old stream ARN"),
        (f"aws lambda list-event-source-mappings {F} "
         "--query 'EventSourceMappings[].[UUID,State,EventSourceArn,LastProcessingResult]'",),
        ("aws lambda update-event-source-mapping --uuid {mapping_uuid} --enabled --region {region}",
         f"aws lambda create-event-source-mapping {F} --event-source-arn <source-arn>   "
         "# when there is none")),
    "lambda.function.errors": Hint(
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
         "fix the exception shown in the log lines and redeploy")),
    "lambda.function.duration": Hint(
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
         "# then find the slow call in the logs or X-Ray traces",)),
    "lambda.function.throttles": Hint(
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
         "make callers retry with exponential backoff")),
}
