"""CloudWatch Logs log groups."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Optional, Union

from ..errors import ResourceNotFound
from ..probes import empty, probe, truthy
from ..remediation import Hint
from .base import Resource

Since = Union[timedelta, float, int]


def _millis_ago(since: Since) -> int:
    seconds = since.total_seconds() if isinstance(since, timedelta) else float(since)
    return int((time.time() - seconds) * 1000)


class LogGroup(Resource):
    """A log group: ``assert log_group.latest_event_age < timedelta(hours=1)``."""

    service = "logs"
    kind = "log group"
    hint_prefix = "logs.group"

    def describe(self) -> dict[str, Any]:
        answer = self.call("describe_log_groups", logGroupNamePrefix=self.name)
        for group in answer.get("logGroups", []):
            if group["logGroupName"] == self.name:
                return group
        raise ResourceNotFound(self, "DescribeLogGroups", "ResourceNotFoundException",
                               f"no log group named {self.name}", "logs:DescribeLogGroups")

    @property
    @probe("activity")
    def latest_event_age(self) -> Optional[timedelta]:
        """Time since the newest event in any stream, or None when nothing was ever logged."""
        answer = self.call("describe_log_streams", logGroupName=self.name,
                           orderBy="LastEventTime", descending=True, limit=1)
        streams = answer.get("logStreams", [])
        stamp = streams[0].get("lastEventTimestamp") if streams else None
        return None if stamp is None else timedelta(seconds=time.time() - stamp / 1000)

    @probe("recent", truthy)
    def recent(self, pattern: str = "", since: Since = timedelta(hours=1),
               limit: int = 100) -> list[str]:
        """Messages matching a CloudWatch filter ``pattern`` within ``since``."""
        return self._filter(pattern, since, limit)

    def _filter(self, pattern: str, since: Since, limit: int) -> list[str]:
        answer = self.call_fresh("filter_log_events", logGroupName=self.name,
                                 filterPattern=pattern, startTime=_millis_ago(since), limit=limit)
        return [event["message"] for event in answer.get("events", [])]

    @probe("errors", empty)
    def errors(self, pattern: str = "ERROR", since: Since = timedelta(minutes=15),
               limit: int = 20) -> list[str]:
        """Lines matching ``pattern`` in the window; healthy when there are none."""
        return self._filter(pattern, since, limit)

    @property
    @probe("retention", truthy)
    def retention_days(self) -> Optional[int]:
        """Retention in days, or None when logs are kept forever."""
        return self.describe().get("retentionInDays")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "log_group": self.name}


HINTS = {
    "logs.group.missing": Hint(
        "Log group {name} does not exist in {region}",
        ("the function or task has never run (groups are created on first write)",
         "its execution role lacks logs:CreateLogGroup / logs:CreateLogStream / logs:PutLogEvents",
         "the group name in the check differs from the one the service writes to"),
        ("aws logs describe-log-groups --log-group-name-prefix {name} --region {region}",),
        ("aws logs create-log-group --log-group-name {name} --region {region}",)),
    "logs.group.activity": Hint(
        "Log group {name} in {region} shows no recent activity",
        ("the scheduler that triggers the writer is disabled",
         "the writer fails before logging, or cannot write logs (IAM)",
         "nothing has invoked it since the deploy"),
        ("aws logs describe-log-streams --log-group-name {name} --order-by LastEventTime --descending --max-items 1 --region {region}",
         "aws logs tail {name} --since 1h --region {region}"),
        ("trigger the writer once and re-check, then fix its trigger (see the schedule rule)",)),
    "logs.group.recent": Hint(
        "Log group {name} in {region} has no matching recent lines",
        ("the expected message is not being written (the job did not complete)",
         "the filter pattern differs from the log format"),
        ("aws logs tail {name} --since 1h --region {region}",),
        ("invoke the producer and check its output; adjust the pattern if the format changed",)),
    "logs.group.errors": Hint(
        "Log group {name} in {region} has recent error lines",
        ("the service is failing at runtime: read the lines above for the cause",
         "configuration (secrets, environment variables, permissions) missing after the deploy"),
        ('aws logs filter-log-events --log-group-name {name} --filter-pattern "ERROR" --start-time $(($(date +%s) - 900))000 --region {region}',
         "aws logs tail {name} --since 15m --region {region}"),
        ("fix the cause shown in the log lines, then redeploy the service",)),
    "logs.group.retention": Hint(
        "Log group {name} in {region} keeps logs forever (no retention set)",
        ("the group was created implicitly by the service instead of by the deploy",),
        ("aws logs describe-log-groups --log-group-name-prefix {name} --region {region} --query 'logGroups[].retentionInDays'",),
        ("aws logs put-retention-policy --log-group-name {name} --retention-in-days 30 --region {region}",)),
}

FIXTURES = {"log_group": LogGroup}
