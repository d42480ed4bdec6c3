"""API Gateway stages: the deployed face of a REST API (v1) or an HTTP/WebSocket API (v2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

from ..probes import field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

INVOKE_URL = re.compile(r"https://(?P<api>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com"
                        r"(?:\.cn)?/(?P<stage>[^/?#]+)")
S = "--rest-api-id {api_id} --stage-name {stage} --region {region}"


ACCOUNT_DEFAULT_RATE = 10_000.0


@dataclass(frozen=True)
class StageLimits:
    """A stage's default throttling: requests per second and burst. True when the stage
    has limits of its own, below the account's default."""

    rate: float
    burst: float

    def __bool__(self) -> bool:
        return 0 < self.rate < ACCOUNT_DEFAULT_RATE

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dict):
            return other == {"rate": self.rate, "burst": self.burst}
        return isinstance(other, StageLimits) and (self.rate, self.burst) == (other.rate, other.burst)

    __hash__ = None  # type: ignore[assignment]

    def hint_context(self) -> dict[str, Any]:
        return {"rate": f"{self.rate:g}", "burst": f"{self.burst:g}"}


def _own_limits(limits: Optional[StageLimits]) -> bool:
    return bool(limits)


def split_stage(name: str) -> tuple[str, str]:
    """``(api id, stage)`` from ``abc123/prod`` or an invoke URL
    (``https://abc123.execute-api.us-east-1.amazonaws.com/prod``)."""
    found = INVOKE_URL.match(name)
    if found:
        return found["api"], found["stage"]
    api, _, stage = name.partition("/")
    return api, stage or "$default"


def _missing(kind: str, command: str) -> dict[str, Hint]:
    return {"missing": Hint(
        f"{kind} {{stage}} of API {{api_id}} does not exist in {{region}} (account {{account}})",
        ("the API was created but never deployed to this stage",
         "the stage was deleted, or the API was replaced (its ID changed)",
         "output '{output}' names another stage or API"),
        (command,),
        ("re-run the deploy so it creates the stage (aws_api_gateway_stage / a Stage construct)",))}


class ApiStage(Resource):
    """A REST API (v1) stage, bound as ``API_ID/STAGE`` or the stage's invoke URL:
    ``assert api_stage.healthy`` and ``assert api_stage.tracing_enabled``."""

    fixture = "api_stage"
    output_words = ("invoke url", "stage url", "api url")
    service = "apigateway"
    kind = "API Gateway stage"
    hint_prefix = "apigateway.stage"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("get_stage",)
    healthy_when = ("deployed",)
    arn_format = ""
    hints = _missing("API Gateway stage", "aws apigateway get-stages --rest-api-id {api_id} --region {region}")

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.api_id, self.stage = split_stage(name)

    def describe(self) -> dict[str, Any]:
        return self.call("get_stage", restApiId=self.api_id, stageName=self.stage)

    deployed = field("deploymentId", truthy, default="", then=bool, doc=(
        "True when a deployment is attached: the stage serves that snapshot of the API."),
        hint=Hint(
        "API Gateway stage {stage} of API {api_id} in {region} has no deployment",
        ("the stage exists but no deployment was created after the API changed",),
        (f"aws apigateway get-stage {S}", "aws apigateway get-deployments --rest-api-id {api_id} --region {region}"),
        ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name {stage} --region {region}",)))
    variables = field("variables", default={}, doc="Stage variables, a dict of str.")
    tracing_enabled = field("tracingEnabled", truthy, default=False, doc=(
        "True when X-Ray tracing is on for the stage."), hint=Hint(
        "API Gateway stage {stage} of API {api_id} in {region} does not send traces to X-Ray",
        ("tracing is off by default (xray_tracing_enabled / tracingEnabled not set)",),
        (f"aws apigateway get-stage {S} --query tracingEnabled",),
        (f"aws apigateway update-stage {S} --patch-operations op=replace,path=/tracingEnabled,value=true",)))

    @property
    @probe(Hint(
        "API Gateway stage {stage} of API {api_id} in {region} writes no execution logs",
        ("no method setting turns logging on (loggingLevel is OFF for */*)",
         "the account has no CloudWatch role for API Gateway, so logging cannot be enabled"),
        (f"aws apigateway get-stage {S} --query methodSettings",
         "aws apigateway get-account --region {region} --query cloudwatchRoleArn"),
        (f"aws apigateway update-stage {S} --patch-operations "
         "'op=replace,path=/*/*/logging/loglevel,value=ERROR'",)), truthy)
    def logging_enabled(self) -> bool:
        """True when execution logging (ERROR or INFO) is on for every method (``*/*``)."""
        settings = (self.describe().get("methodSettings") or {}).get("*/*", {})
        return settings.get("loggingLevel", "OFF") in ("ERROR", "INFO")

    @property
    @probe(Hint(
        "API Gateway stage {stage} of API {api_id} in {region} has no throttling limits",
        ("no stage-level rate and burst limits are set, or they equal the account default "
         "(10,000 rps, burst 5,000): a traffic spike goes straight to the backend",),
        (f"aws apigateway get-stage {S} --query methodSettings",),
        (f"aws apigateway update-stage {S} --patch-operations "
         "'op=replace,path=/*/*/throttling/rateLimit,value=100' "
         "'op=replace,path=/*/*/throttling/burstLimit,value=200'",)), _own_limits)
    def throttling(self) -> Optional[StageLimits]:
        """The ``*/*`` method settings' limits (``.rate``, ``.burst``), or None when none
        is set; true when below the account's default of 10,000 requests per second (what
        AWS reports for a stage without limits of its own)."""
        settings = (self.describe().get("methodSettings") or {}).get("*/*", {})
        rate, burst = settings.get("throttlingRateLimit"), settings.get("throttlingBurstLimit")
        if rate is None and burst is None:
            return None
        return StageLimits(float(rate or 0), float(burst or 0))

    @property
    @probe(Hint(
        "API Gateway stage {stage} of API {api_id} in {region} is in no usage plan",
        ("API keys are required but no usage plan lists this stage, so every key is refused (403)",
         "the plan was created for another stage name"),
        ("aws apigateway get-usage-plans --region {region} "
         "--query 'items[].[name,apiStages]'",),
        ("aws apigateway update-usage-plan --usage-plan-id <plan-id> --patch-operations "
         "op=add,path=/apiStages,value={api_id}:{stage} --region {region}",)),
     truthy, reads=("describe", "get_usage_plans"))
    def usage_plans(self) -> list[str]:
        """Names of the usage plans that include this stage."""
        self.describe()
        plans = self.call("get_usage_plans").get("items", [])
        return sorted(p.get("name", p["id"]) for p in plans
                      if any(s.get("apiId") == self.api_id and s.get("stage") == self.stage
                             for s in p.get("apiStages", [])))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "api_id": self.api_id, "stage": self.stage}


class HttpApiStage(ApiStage):
    """An HTTP or WebSocket API (API Gateway v2) stage, bound as ``API_ID/STAGE``
    (``$default`` when no stage is named) or its invoke URL: ``assert http_api_stage.healthy``."""

    fixture = "http_api_stage"
    service = "apigatewayv2"
    kind = "API Gateway v2 stage"
    hint_prefix = "apigatewayv2.stage"
    describe_operations = ("get_stage",)
    hints = _missing("API Gateway v2 stage", "aws apigatewayv2 get-stages --api-id {api_id} --region {region}")

    def describe(self) -> dict[str, Any]:
        return self.call("get_stage", ApiId=self.api_id, StageName=self.stage)

    deployed = field("DeploymentId || AutoDeploy", truthy, default=False, then=bool, doc=(
        "True when a deployment is attached or the stage deploys automatically."), hint=Hint(
        "API Gateway v2 stage {stage} of API {api_id} in {region} has no deployment",
        ("auto-deploy is off and no deployment was created after the routes changed",),
        ("aws apigatewayv2 get-stage --api-id {api_id} --stage-name {stage} --region {region}",),
        ("aws apigatewayv2 create-deployment --api-id {api_id} --stage-name {stage} --region {region}",)))
    variables = field("StageVariables", default={}, doc="Stage variables, a dict of str.")
    tracing_enabled = property(lambda self: False, doc="HTTP APIs do not trace to X-Ray: always False.")

    @property
    @probe(Hint(
        "API Gateway v2 stage {stage} of API {api_id} in {region} writes no access logs",
        ("access logging is off (no AccessLogSettings destination)",),
        ("aws apigatewayv2 get-stage --api-id {api_id} --stage-name {stage} --region {region} "
         "--query AccessLogSettings",),
        ("aws apigatewayv2 update-stage --api-id {api_id} --stage-name {stage} --region {region} "
         "--access-log-settings DestinationArn=<log-group-arn>,Format='$context.requestId'",)), truthy)
    def logging_enabled(self) -> bool:
        """True when access logs go to a destination."""
        return bool((self.describe().get("AccessLogSettings") or {}).get("DestinationArn"))

    @property
    @probe(Hint(
        "API Gateway v2 stage {stage} of API {api_id} in {region} has no throttling limits",
        ("DefaultRouteSettings sets no rate or burst limit",),
        ("aws apigatewayv2 get-stage --api-id {api_id} --stage-name {stage} --region {region} "
         "--query DefaultRouteSettings",),
        ("aws apigatewayv2 update-stage --api-id {api_id} --stage-name {stage} --region {region} "
         "--default-route-settings ThrottlingRateLimit=100,ThrottlingBurstLimit=200",)), _own_limits)
    def throttling(self) -> Optional[StageLimits]:
        """DefaultRouteSettings' limits (``.rate``, ``.burst``), or None when unset."""
        settings = self.describe().get("DefaultRouteSettings") or {}
        rate, burst = settings.get("ThrottlingRateLimit"), settings.get("ThrottlingBurstLimit")
        if rate is None and burst is None:
            return None
        return StageLimits(float(rate or 0), float(burst or 0))

    usage_plans = property(lambda self: [], doc="HTTP APIs have no usage plans: always empty.")
