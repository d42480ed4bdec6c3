"""EventBridge rules."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import field, one_of, probe, truthy
from ..remediation import Hint
from .base import Resource

#: The State values of a rule that runs its targets (DescribeRule API reference).
ENABLED_STATES = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")
TARGETS_READ = ("list_targets_by_rule",)

ENABLED = Hint(
    "EventBridge rule {name} in {region} is DISABLED, so its targets never run",
    ("the rule was disabled by hand during an incident and never re-enabled",
     "the deploy sets is_enabled = false / State: DISABLED for this environment"),
    ("aws events describe-rule --name {name}{bus} --region {region} --query State",),
    ("aws events enable-rule --name {name}{bus} --region {region}",))
TARGETS = Hint(
    "EventBridge rule {name} in {region} lacks the expected target (targets: {target_arns})",
    ("the target (Lambda, Step Functions...) was not attached by the deploy",
     "the target was removed or replaced (a new function or state machine ARN) after the rule",
     "a Step Functions target needs a RoleArn that may start executions"),
    ("aws events list-targets-by-rule --rule {name}{bus} --region {region}",),
    ("aws events put-targets --rule {name}{bus} --region {region} --targets Id=1,Arn=<target-arn>"
     "   # add RoleArn=<role-arn> for Step Functions targets",
     "aws lambda add-permission --function-name <function> --statement-id events-{name} "
     "--action lambda:InvokeFunction --principal events.amazonaws.com --region {region}"))


class EventRule(Resource):
    """An EventBridge rule: ``assert event_rule.enabled``."""

    fixture = "event_rule"
    service = "events"
    kind = "EventBridge rule"
    hint_prefix = "events.rule"
    arn_format = "arn:{partition}:events:{region}:{account}:rule/{name}"
    named_from_arn = True  # rule/NAME, or rule/BUS/NAME on a custom event bus
    describe_operations = ("describe_rule",)
    healthy_when = ("status", "targets")
    hints = {"missing": Hint(
        "EventBridge rule {name} does not exist in {region}",
        ("the deploy did not create it", "output '{output}' is wrong", "it lives on a custom event bus"),
        ("aws events describe-rule --name {name}{bus} --region {region}",
         "aws events list-rules{bus} --region {region} --query 'Rules[].Name'"),
        ("re-run the deploy so the rule is created",))}

    def __init__(self, name: str, *, event_bus: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        # BUS/NAME: from an ARN on a custom bus, or the id Terraform gives such a rule
        bus, _, self.name = self.name.rpartition("/")
        self.event_bus = event_bus or bus or None

    def _bus(self) -> dict[str, str]:
        return {"EventBusName": self.event_bus} if self.event_bus else {}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_rule", Name=self.name, **self._bus())

    status = field("State", one_of(*ENABLED_STATES), hint=ENABLED,
                   doc="The rule's State (str: ENABLED, DISABLED or "
                   "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS); healthy: an ENABLED state.")
    enabled = field("State", truthy, then=lambda state: state in ENABLED_STATES, hint=ENABLED,
                    doc="True (healthy) when the rule's State is ENABLED (also "
                    "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).")
    schedule = field("ScheduleExpression", doc="The schedule expression (str, e.g. "
                     "``rate(5 minutes)``), or None for pattern rules; no healthy value.",
                     hint=Hint(
        "EventBridge rule {name} in {region} runs on {schedule}, not the expected schedule",
        ("the schedule was edited by hand, or the deploy variable differs per environment",),
        ("aws events describe-rule --name {name}{bus} --region {region} --query ScheduleExpression",),
        ('aws events put-rule --name {name}{bus} --region {region} --schedule-expression "<expected rate() or cron()>"   # better: fix it in the stack and redeploy',)))
    arn = field("Arn", doc="The rule's ARN (str).")

    @property
    @probe(TARGETS, truthy, reads=TARGETS_READ)
    def targets(self) -> list[str]:
        """ARNs of the rule's targets (list of str); healthy: not empty."""
        return self._target_arns()

    @property
    @probe(TARGETS, lambda count: count > 0, reads=TARGETS_READ)
    def target_count(self) -> int:
        """How many targets the rule has (int); healthy: more than 0."""
        return len(self._target_arns())

    @probe(TARGETS, truthy, reads=TARGETS_READ)
    def has_target(self, arn_substring: str) -> bool:
        """True (healthy) when a target ARN contains ``arn_substring`` (e.g. a function or
        state machine name)."""
        return any(arn_substring in arn for arn in self._target_arns())

    def _target_arns(self) -> list[str]:
        arns: list[str] = []
        token: Optional[str] = None
        while True:
            params: dict[str, Any] = {"Rule": self.name, **self._bus()}
            if token:
                params["NextToken"] = token
            answer = self.call("list_targets_by_rule", **params)
            arns += [t["Arn"] for t in answer.get("Targets", [])]
            token = answer.get("NextToken")
            if not token:
                return arns

    def hint_context(self) -> dict[str, Any]:
        bus = f" --event-bus-name {self.event_bus}" if self.event_bus else ""
        return {**super().hint_context(), "bus": bus,
                "target_arns": lambda: ", ".join(self._target_arns()) or "none",
                "schedule": lambda: self.describe().get("ScheduleExpression") or "no schedule"}
