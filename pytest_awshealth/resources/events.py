"""EventBridge rules."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import probe, truthy
from ..remediation import Hint
from .base import Resource


class EventRule(Resource):
    """An EventBridge rule: ``assert event_rule.enabled``."""

    service = "events"
    kind = "EventBridge rule"
    hint_prefix = "events.rule"

    def __init__(self, name: str, *, event_bus: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(name.rsplit("/", 1)[-1] if name.startswith("arn:") else name, **kwargs)
        self.event_bus = event_bus

    def _bus(self) -> dict[str, str]:
        return {"EventBusName": self.event_bus} if self.event_bus else {}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_rule", Name=self.name, **self._bus())

    @property
    @probe("enabled", truthy)
    def enabled(self) -> bool:
        """True when the rule's State is ENABLED."""
        return self.describe().get("State") == "ENABLED"

    @property
    @probe("schedule")
    def schedule(self) -> Optional[str]:
        """The schedule expression, e.g. ``rate(5 minutes)``, or None for pattern rules."""
        return self.describe().get("ScheduleExpression")

    @property
    @probe("targets", truthy)
    def targets(self) -> list[str]:
        """ARNs of the rule's targets."""
        answer = self.call("list_targets_by_rule", Rule=self.name, **self._bus())
        return [t["Arn"] for t in answer.get("Targets", [])]


HINTS = {
    "events.rule.missing": Hint(
        "EventBridge rule {name} does not exist in {region}",
        ("the deploy did not create it", "output '{output}' is wrong", "it lives on a custom event bus"),
        ("aws events describe-rule --name {name} --region {region}",
         "aws events list-rules --region {region} --query 'Rules[].Name'"),
        ("re-run the deploy so the rule is created",)),
    "events.rule.enabled": Hint(
        "EventBridge rule {name} in {region} is DISABLED, so its targets never run",
        ("the rule was disabled by hand during an incident and never re-enabled",
         "the deploy sets is_enabled = false / State: DISABLED for this environment"),
        ("aws events describe-rule --name {name} --region {region} --query State",),
        ("aws events enable-rule --name {name} --region {region}",)),
    "events.rule.schedule": Hint(
        "EventBridge rule {name} in {region} has an unexpected schedule",
        ("the schedule was edited by hand, or the deploy variable differs per environment",),
        ("aws events describe-rule --name {name} --region {region} --query ScheduleExpression",),
        ('aws events put-rule --name {name} --region {region} --schedule-expression "rate(5 minutes)"',)),
    "events.rule.targets": Hint(
        "EventBridge rule {name} in {region} has no targets",
        ("the target (Lambda, Step Functions...) was not attached by the deploy",
         "the target was removed when its function was replaced"),
        ("aws events list-targets-by-rule --rule {name} --region {region}",),
        ("aws events put-targets --rule {name} --region {region} --targets Id=1,Arn=<target-arn>",)),
}

FIXTURES = {"event_rule": EventRule}
