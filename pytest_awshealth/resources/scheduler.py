"""EventBridge Scheduler schedules.

moto stores schedules as given and answers GetSchedule faithfully; a disabled or ended
schedule is made through the API (``update_schedule(State="DISABLED")``, ``EndDate``).
AWS/Scheduler metrics exist per schedule group only, so the handle reads none.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..probes import equals, field, probe
from ..remediation import Hint
from .base import Resource

S = "--name {schedule} --group-name {group} --region {region}"
GET = f"aws scheduler get-schedule {S}"
TARGET = Hint(
    "EventBridge Scheduler schedule {schedule} (group {group}) in {region} does not invoke "
    "what the check expects",
    ("the schedule definition names another target or role than the application's stack "
     "(an old ARN, or another environment's)",
     "no dead-letter queue is set, so invocations that fail after every retry are lost"),
    (GET + " --query 'Target.[Arn,RoleArn,DeadLetterConfig.Arn,RetryPolicy]'",),
    ("fix the target in the schedule definition and redeploy (aws scheduler update-schedule "
     "replaces the whole schedule: pass every setting again)",))


class EventBridgeSchedule(Resource):
    """An EventBridge Scheduler schedule, named ``name``, ``group/name`` or by ARN:
    ``assert eventbridge_schedule.healthy``, ``assert eventbridge_schedule.target_arn == fn_arn``."""

    fixture = "eventbridge_schedule"
    arn_types = ("scheduler:schedule",)
    service = "scheduler"
    kind = "EventBridge Scheduler schedule"
    hint_prefix = "scheduler.schedule"
    named_from_arn = True
    describe_operations = ("get_schedule",)
    healthy_when = ("status", "ended")
    hints = {"missing": Hint(
        "EventBridge Scheduler schedule {schedule} does not exist in group {group} in "
        "{region} (account {account})",
        ("the deploy did not create it, or it was deleted (a one-time schedule with "
         "ActionAfterCompletion DELETE removes itself after it runs)",
         "it lives in another schedule group than the check says (the default group is "
         "'default'; name it as <group>/<name>)",
         "output '{output}' holds the wrong schedule name, or the checks run in another "
         "region or account"),
        (GET, "aws scheduler list-schedules --region {region} --query "
         "'Schedules[].[GroupName,Name,State]'"),
        ("re-run the deploy (terraform apply / cdk deploy) so the schedule is created",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        group, _, self.schedule = self.name.rpartition("/")
        self.group = group or "default"

    @classmethod
    def name_in(cls, arn: str) -> str:
        """``GROUP/NAME`` from ``...:schedule/GROUP/NAME`` (the ARN format needs a group)."""
        return arn.split(":schedule/", 1)[1] if ":schedule/" in arn else arn

    def describe(self) -> dict[str, Any]:
        return self.call("get_schedule", Name=self.schedule, GroupName=self.group)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "schedule": self.schedule, "group": self.group}

    status = field("State", equals("ENABLED"), doc="State (str): ENABLED (healthy) or DISABLED.",
                   hint=Hint(
        "EventBridge Scheduler schedule {schedule} (group {group}) in {region} is not ENABLED",
        ("the schedule definition sets state = DISABLED (often left from a maintenance window)",
         "someone disabled it by hand"),
        (GET + " --query '[State,ScheduleExpression,StartDate,EndDate]'",),
        ("aws scheduler update-schedule " + S + " --state ENABLED --schedule-expression "
         "'<expression>' --flexible-time-window Mode=OFF --target '<target JSON>'   # "
         "update-schedule replaces every setting",
         "better: set the state in the schedule definition and redeploy")))
    arn = field("Arn", doc="The schedule's ARN (str).")
    expression = field("ScheduleExpression", doc="``rate(...)``, ``cron(...)`` or ``at(...)`` (str).")
    time_zone = field("ScheduleExpressionTimezone", default="UTC",
                     doc="The time zone cron and at expressions are read in (str).")
    target_arn = field("Target.Arn", hint=TARGET, doc="The ARN the schedule invokes (str); healthy: "
                       "the application's target.")
    role_arn = field("Target.RoleArn", hint=TARGET, doc="The role the schedule invokes it as (str); "
                     "healthy: the role the definition names.")
    dead_letter_queue = field("Target.DeadLetterConfig.Arn", hint=TARGET, doc=(
        "The SQS queue ARN failed invocations go to (str), or None: they are then dropped; "
        "healthy: a queue."))

    @property
    @probe(Hint(
        "EventBridge Scheduler schedule {schedule} (group {group}) in {region} has ended: its "
        "end date has passed, so it never runs again",
        ("EndDate in the schedule definition is in the past (a campaign or trial that ended, "
         "or a date copied from another environment)",),
        (GET + " --query '[State,StartDate,EndDate,ScheduleExpression]'",),
        ("move EndDate in the schedule definition (or remove it) and redeploy",)),
        equals(False))
    def ended(self) -> bool:
        """True when the schedule's EndDate has passed (it never runs again); healthy: False."""
        end = self.describe().get("EndDate")
        return isinstance(end, datetime) and end.astimezone(timezone.utc) < datetime.now(timezone.utc)
