"""Lambda functions."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Optional

from ..probes import equals, probe, truthy
from ..remediation import Hint
from .base import Resource
from .logs import LogGroup

F = "--function-name {name} --region {region}"


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

    service = "lambda"
    kind = "Lambda function"
    hint_prefix = "lambda.function"

    def __init__(self, name: str, **kwargs: Any) -> None:
        if name.startswith("arn:") and ":function:" in name:
            name = name.split(":function:", 1)[1].split(":", 1)[0]
        super().__init__(name, **kwargs)

    def describe(self) -> dict[str, Any]:
        return self.call("get_function_configuration", FunctionName=self.name)

    @property
    @probe("state", equals("Active"))
    def state(self) -> str:
        """Active, Pending, Inactive or Failed."""
        return self.describe().get("State", "Active")

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
    def log_group(self) -> LogGroup:
        return LogGroup(f"/aws/lambda/{self.name}", aws=self.aws, region=self._region)

    @property
    @probe("activity")
    def last_activity_age(self) -> Optional[timedelta]:
        """Time since the function last logged, or None when it never ran."""
        return self.log_group.latest_event_age

    @probe("dry_run", truthy)
    def dry_run(self) -> bool:
        """Invoke with InvocationType DryRun: checks existence and permission, runs nothing."""
        answer = self.call_fresh("invoke", FunctionName=self.name, InvocationType="DryRun")
        return answer["StatusCode"] == 204

    @probe("invoke", lambda result: result.ok)
    def invoke(self, payload: Any = None, *, tail_logs: bool = True) -> InvokeResult:
        """Run the function synchronously (only ever on an explicit call in a test)."""
        params: dict[str, Any] = {"FunctionName": self.name, "InvocationType": "RequestResponse"}
        if payload is not None:
            params["Payload"] = json.dumps(payload).encode()
        if tail_logs:
            params["LogType"] = "Tail"
        answer = self.call_fresh("invoke", **params)
        return InvokeResult(answer["StatusCode"], _decode(answer["Payload"].read()),
                            answer.get("FunctionError"),
                            base64.b64decode(answer.get("LogResult", "")).decode(errors="replace"))


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
}

FIXTURES = {"lambda_fn": LambdaFunction}
