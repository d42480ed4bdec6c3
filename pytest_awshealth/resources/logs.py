"""CloudWatch Logs log groups."""

from __future__ import annotations

import json
import shlex
import time
from datetime import timedelta
from typing import Any, Iterable, Iterator, Optional, Union

from ..errors import AwsCallError, ResourceNotFound
from ..probes import empty, field, probe, truthy
from ..remediation import Hint
from ..redaction import MIN_LENGTH
from .base import Resource

Since = Union[timedelta, float, int]


def _seconds(since: Since) -> float:
    return since.total_seconds() if isinstance(since, timedelta) else float(since)


def _duration(seconds: int) -> str:
    """``aws logs tail --since`` form: 1h, 15m or 90s."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def may_match(pattern: str, message: str) -> bool:
    """False only when a term filter pattern cannot match ``message``.

    CloudWatch Logs has already filtered the events; this re-check keeps a verdict from
    resting on an emulator that ignores ``?term`` (moto returns every event for
    ``?ERROR ?Exception``). It is a superset of AWS's (case-sensitive) matching: every
    plain term, or one of the ``?`` terms, must occur in the message ignoring case.
    JSON (``{...}``), space-delimited (``[...]``) and ``%regex%`` patterns are not re-checked.
    """
    text = pattern.strip()
    if not text or text[0] in "{[" or "%" in text:  # %regex% terms are not re-checked
        return True
    try:
        terms = shlex.split(text)
    except ValueError:  # unbalanced quotes: leave the judgement to AWS
        return True
    lowered = message.lower()
    required = [t.lower() for t in terms if t and t[0] not in "?-"]
    optional = [t[1:].lower() for t in terms if t.startswith("?") and len(t) > 1]
    return (all(term in lowered for term in required)
            and (not optional or any(term in lowered for term in optional)))


def _millis_ago(since: Since) -> int:
    return int((time.time() - _seconds(since)) * 1000)


def _shell_words(words: list[str]) -> str:
    """Words quoted for a shell (Lambda stream names contain ``[$LATEST]``)."""
    return " ".join(shlex.quote(word) for word in words)


FILTER_READS = ("filter_log_events",)


class LogLines(list):  # type: ignore[type-arg]
    """Log messages (a list of str) that remember the filter pattern and the window
    they were read from, for hints (``{window}``: ``15m``, ``{window_seconds}``)."""

    pattern: str = ""
    seconds: int = 0

    def __init__(self, lines: Iterable[str] = (), pattern: str = "", seconds: int = 0) -> None:
        super().__init__(lines)
        self.pattern, self.seconds = pattern, seconds

    def hint_context(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "window_seconds": self.seconds,
                "window": _duration(self.seconds)}


class LogAbsence:
    """The answer of a "no such lines" probe: truthy when nothing matched (and equal to
    that bool), and for hints which lines did: ``{lines}`` (how many were seen),
    ``{streams}``, ``{stream_args}`` (shell-quoted) and ``{first_stream}``."""

    __slots__ = ("lines", "streams")

    def __init__(self, lines: int = 0, streams: Iterable[str] = ()) -> None:
        self.lines = lines
        self.streams = tuple(sorted(set(streams)))

    def __bool__(self) -> bool:
        return self.lines == 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (bool, LogAbsence)):
            return bool(self) == bool(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(bool(self))

    def __repr__(self) -> str:
        return repr(bool(self))

    def hint_context(self) -> dict[str, Any]:
        return {"lines": self.lines, "streams": ", ".join(self.streams) or "<none>",
                "stream_args": _shell_words(list(self.streams)) or "<stream>",
                "first_stream": _shell_words(list(self.streams[:1])) or "<stream>"}


class LogGroup(Resource):
    """A log group: ``assert log_group.latest_event_age < timedelta(hours=1)``."""

    fixture = "log_group"
    service = "logs"
    kind = "log group"
    hint_prefix = "logs.group"
    arn_format = "arn:{partition}:logs:{region}:{account}:log-group:{name}"
    named_from_arn = True
    describe_operations = ("describe_log_groups",)
    hints = {"missing": Hint(
        "Log group {name} does not exist in {region}",
        ("the function or task has never run (groups are created on first write)",
         "its execution role lacks logs:CreateLogGroup / logs:CreateLogStream / logs:PutLogEvents",
         "the group name in the check differs from the one the service writes to"),
        ("aws logs describe-log-groups --log-group-name-prefix {name} --region {region}",),
        ("aws logs create-log-group --log-group-name {name} --region {region}",))}

    @classmethod
    def name_in(cls, arn: str) -> str:
        """The group's name, also from the ``...:log-group:NAME:*`` ARN Terraform outputs."""
        return super().name_in(arn).removesuffix(":*")

    def describe(self) -> dict[str, Any]:
        answer = self.call("describe_log_groups", logGroupNamePrefix=self.name)
        for group in answer.get("logGroups", []):
            if group["logGroupName"] == self.name:
                return group
        raise ResourceNotFound(self, "DescribeLogGroups", "ResourceNotFoundException",
                               f"no log group named {self.name}", "logs:DescribeLogGroups")

    retention_days = field("retentionInDays", truthy, doc="Retention in days (int), or None "
                           "when logs are kept forever; healthy: set.", hint=Hint(
        "Log group {name} in {region} keeps logs forever (no retention set)",
        ("the group was created implicitly by the service instead of by the deploy",),
        ("aws logs describe-log-groups --log-group-name-prefix {name} --region {region} --query 'logGroups[].retentionInDays'",),
        ("aws logs put-retention-policy --log-group-name {name} --retention-in-days 30 --region {region}",)))

    @property
    @probe(Hint(
        "Log group {name} in {region} shows no recent activity",
        ("the scheduler that triggers the writer is disabled",
         "the writer fails before logging, or cannot write logs (IAM)",
         "nothing has invoked it since the deploy"),
        ("aws logs describe-log-streams --log-group-name {name} --order-by LastEventTime "
         "--descending --max-items 1 --region {region}",
         "aws logs tail {name} --since 1h --region {region}"),
        ("trigger the writer once and re-check, then fix its trigger (see the schedule rule)",)),
        reads=("describe_log_streams",))
    def latest_event_age(self) -> Optional[timedelta]:
        """Time since the newest event in any stream (timedelta), or None when nothing was
        ever logged; no healthy value: compare it."""
        answer = self.call("describe_log_streams", logGroupName=self.name,
                           orderBy="LastEventTime", descending=True, limit=1)
        streams = answer.get("logStreams", [])
        stamp = streams[0].get("lastEventTimestamp") if streams else None
        return None if stamp is None else timedelta(seconds=time.time() - stamp / 1000)

    @probe(Hint(
        "Log group {name} in {region} has no matching recent lines",
        ("the expected message is not being written (the job did not complete)",
         "the filter pattern differs from the log format"),
        ("aws logs tail {name} --since {window} --region {region}",),
        ("invoke the producer and check its output; adjust the pattern if the format changed",)),
        truthy, reads=FILTER_READS)
    def recent(self, pattern: str = "", since: Since = timedelta(hours=1),
               limit: int = 100) -> LogLines:
        """Messages matching a CloudWatch filter ``pattern`` within ``since`` (a timedelta
        or seconds): :class:`LogLines`, a list of str; healthy: not empty."""
        return self._filter(pattern, since, limit)

    def _filter(self, pattern: str, since: Since, limit: int) -> LogLines:
        answer = self.call_fresh("filter_log_events", logGroupName=self.name,
                                 filterPattern=pattern, startTime=_millis_ago(since), limit=limit)
        return LogLines([event["message"] for event in answer.get("events", [])
                         if may_match(pattern, event.get("message", ""))],
                        pattern, int(_seconds(since)))

    @probe(Hint(
        "Log group {name} in {region} has recent error lines",
        ("the service is failing at runtime: read the lines above for the cause",
         "configuration (secrets, environment variables, permissions) missing after the deploy"),
        ('aws logs filter-log-events --log-group-name {name} --filter-pattern "{pattern}" '
         '--start-time $(($(date +%s) - {window_seconds}))000 --region {region}',
         "aws logs tail {name} --since {window} --region {region}"),
        ("fix the cause shown in the log lines, then redeploy the service",)),
        empty, reads=FILTER_READS)
    def errors(self, pattern: str = "ERROR", since: Since = timedelta(minutes=15),
               limit: int = 20) -> LogLines:
        """Lines matching ``pattern`` in the window (:class:`LogLines`, a list of str);
        healthy: empty."""
        return self._filter(pattern, since, limit)

    @probe(Hint(
        "Log group {name} in {region} has lines matching {pattern} in the last {minutes} min",
        ("the service logs the failure the pattern looks for (timeouts, exceptions, retries)",
         "a dependency (table, secret, API) is missing or denied since the deploy",
         "the function or task runs out of time or memory"),
        ("aws logs filter-log-events --log-group-name {name} --filter-pattern '{pattern}' "
         "--start-time $(($(date +%s) - {minutes} * 60))000 --region {region}",
         "aws logs tail {name} --since {minutes}m --log-stream-names {first_stream} --region {region}"),
        ("fix the cause the matching lines name, redeploy, then re-run the check",)),
        truthy, reads=FILTER_READS)
    def no_lines_matching(self, pattern: str, minutes: int = 15) -> LogAbsence:
        """True (healthy) when no event of the last ``minutes`` matches the CloudWatch
        filter ``pattern`` (e.g. ``"Task timed out"`` or ``?ERROR ?Exception``): an
        :class:`LogAbsence`, which stops at the first matching line and names its stream."""
        found = next(self._events(pattern, timedelta(minutes=minutes)), None)
        return LogAbsence() if found is None else LogAbsence(1, [found.get("logStreamName", "")])

    @probe(Hint(
        "Log group {name} in {region} contains a value that must never be logged "
        "(in {lines} line(s) of the last {minutes} min; streams: {streams})",
        ("the code logs a secret or token (a debug print of the event, the config or a request)",
         "an exception message or HTTP client log includes credentials or headers",
         "a library logs at DEBUG level in production"),
        ("aws logs filter-log-events --log-group-name {name} --log-stream-names {stream_args} "
         "--filter-pattern '\"<the value>\"' --region {region}   # type the value yourself; never paste it in tickets",),
        ("rotate the exposed secret now: anyone who can read this log group has seen it",
         "mask it before logging (e.g. only its last 4 characters) and redeploy",
         "after rotating, delete the affected streams: aws logs delete-log-stream "
         "--log-group-name {name} --log-stream-name <stream> --region {region}")),
        truthy, reads=FILTER_READS)
    def value_absent(self, value: str, minutes: int = 60) -> LogAbsence:
        """True (healthy) when ``value`` (e.g. a planted secret, a str or a SecretValue)
        appears in no event of the last ``minutes``, verbatim or JSON-escaped: an
        :class:`LogAbsence` that counts the matching lines and names their streams. The value
        never leaves this process: events are scanned here instead of sending it as a
        filter pattern (AWS could record that), and it is added to the run's redactor so
        reports mask it. Cost grows with the log volume."""
        if not isinstance(value, str) or len(value) < MIN_LENGTH:
            raise ValueError(f"value_absent needs a string of at least {MIN_LENGTH} characters")
        self.aws.redactor.add(value)
        forms = {value, json.dumps(value)[1:-1]}
        lines, streams = 0, set()
        try:
            for event in self._window(minutes):
                if any(form in event.get("message", "") for form in forms):
                    lines += 1
                    streams.add(event.get("logStreamName", ""))
        except AwsCallError as exc:
            raise self._scrubbed(exc) from None
        return LogAbsence(lines, streams)

    def _window(self, minutes: int) -> list[dict[str, Any]]:
        """Every event of the last ``minutes``, scanned once per session: each value
        :meth:`value_absent` looks for is searched in the same scan."""
        return self.kept("filter_log_events", {"logGroupName": self.name, "minutes": minutes},
                         lambda: list(self._events("", timedelta(minutes=minutes))))

    def _events(self, pattern: str, since: Since) -> Iterator[dict[str, Any]]:
        """Events matching ``pattern`` in the window, following nextToken (AWS may return
        empty pages before the end)."""
        params: dict[str, Any] = {"logGroupName": self.name, "filterPattern": pattern,
                                  "startTime": _millis_ago(since)}
        while True:
            answer = self.call_fresh("filter_log_events", **params)
            yield from (event for event in answer.get("events", [])
                        if may_match(pattern, event.get("message", "")))
            token = answer.get("nextToken")
            if not token:
                return
            params["nextToken"] = token

    def _scrubbed(self, exc: AwsCallError) -> AwsCallError:
        scrub = self.aws.redactor.scrub
        clean = type(exc).__new__(type(exc))  # the same class and fields (a CouldNotCheck
        clean.__dict__.update(vars(exc))      # keeps its reason), the message masked
        clean.message = scrub(exc.message)
        clean.args = tuple(scrub(str(arg)) for arg in exc.args)
        clean.__suppress_context__ = True
        return clean

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "log_group": self.name}
