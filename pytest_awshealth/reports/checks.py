"""One plain record per check, built from its test reports (on the xdist controller too),
and the run they belong to: the data every report format writes out."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional

from ..verdicts import (BROKEN, HEALTHY, INCONCLUSIVE, PREFETCH_ATTR, VERDICTS, WAIVED, hints_of,
                        probes_of, verdict_of)

#: Worst first: the verdict of a check whose phases disagree.
SEVERITY = (BROKEN, INCONCLUSIVE, WAIVED, HEALTHY)
#: ``report.user_properties`` names this plugin sets (JUnit ``<property>`` elements too).
PROPERTY_PREFIX = "aws_"
RESOURCE_PROPERTIES = {"aws_resource_type": "type", "aws_resource_name": "name",
                       "aws_region": "region", "aws_output": "output", "aws_resource_arn": "arn"}
VERDICT_PROPERTY = "aws_verdict"
ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):")


def empty_resource() -> dict[str, Optional[str]]:
    return {"type": None, "name": None, "region": None, "output": None, "arn": None}


@dataclass
class Check:
    """What the reports say about one test: its verdict, resource, probes and hints."""

    nodeid: str
    verdict: str = HEALTHY
    file: str = ""
    line: int = 1
    #: The line in the test file where it failed (the test's line when unknown).
    fail_line: int = 1
    duration: float = 0.0
    calls: Optional[int] = None
    throttled: Optional[int] = None
    resource: dict[str, Optional[str]] = field(default_factory=empty_resource)
    hints: list[dict[str, Any]] = field(default_factory=list)
    probes: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    #: True when the call phase failed (what other annotators annotate).
    failed: bool = False
    #: False until a report with a verdict was folded in.
    seen: bool = False

    @property
    def hint(self) -> Optional[dict[str, Any]]:
        return self.hints[0] if self.hints else None

    @property
    def title(self) -> str:
        """What is wrong, in one line (the hint's title, else the failure message)."""
        hint = self.hint
        return str(hint["title"]) if hint else (self.message.splitlines() or [""])[0]

    @property
    def resource_label(self) -> str:
        """``DynamoDB table state``: the resource as people call it."""
        kind, name = kind_of(self.resource.get("type")), self.resource.get("name")
        return " ".join(str(p) for p in (kind, name) if p) or "(no resource)"

    def first_fix(self) -> Optional[str]:
        """The first fix of the hint, as it would be typed (commands first)."""
        fixes = [str(f) for h in self.hints for f in h.get("fix") or ()]
        commands = [f for f in fixes if is_command(f)]
        chosen = commands or fixes
        return chosen[0] if chosen else None

    def add(self, report: Any) -> None:
        """Fold one phase's report into the check."""
        verdict = verdict_of(report)
        if verdict in VERDICTS and _worse(verdict, self.verdict if self.seen else None):
            self.verdict = verdict
        self.seen = True
        self.duration += float(getattr(report, "duration", 0.0) or 0.0)
        self.calls = _add(self.calls, getattr(report, "awshealth_calls", None))
        self.throttled = _add(self.throttled, getattr(report, "awshealth_throttled", None))
        self.hints = self.hints or hints_of(report)
        self.probes += probes_of(report)
        self._locate(report)
        if report.failed:
            self.failed = self.failed or report.when == "call"
        if report.failed or verdict in (BROKEN, INCONCLUSIVE, WAIVED):
            self.message = self.message or _crash_message(report).split("\n\n")[0]
        props = dict(getattr(report, "user_properties", ()) or ())
        for prop, key in RESOURCE_PROPERTIES.items():
            if props.get(prop) and not self.resource.get(key):
                self.resource[key] = str(props[prop])
        if self.hint and self.hint.get("resource"):
            self.resource = {**empty_resource(), **{k: v for k, v in self.resource.items() if v},
                             **{k: v for k, v in self.hint["resource"].items() if v}}

    def _locate(self, report: Any) -> None:
        path, lineno, _ = report.location
        if not self.file:
            self.file = str(path)
            self.line = self.fail_line = (lineno or 0) + 1
        if report.failed:
            self.fail_line = _line_in(report.longrepr, os.path.basename(self.file)) or \
                self.fail_line



def _worse(verdict: str, than: Optional[str]) -> bool:
    return than is None or SEVERITY.index(verdict) < SEVERITY.index(than)


def _add(total: Optional[int], value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (total or 0) + value
    return total


def _line_in(longrepr: Any, filename: str) -> Optional[int]:
    """The last traceback line in the test file (the test's own line that failed)."""
    entries = getattr(getattr(longrepr, "reprtraceback", None), "reprentries", None) or []
    for entry in reversed(entries):
        location = getattr(entry, "reprfileloc", None)
        if location is not None and os.path.basename(str(location.path)) == filename:
            return int(location.lineno)
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and os.path.basename(str(crash.path)) == filename:
        return int(crash.lineno)
    return None


def _crash_message(report: Any) -> str:
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    longrepr = getattr(report, "longrepr", None)
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr or "")


COMMAND_WORDS = frozenset({"aws", "curl", "cdk", "dig", "export", "terraform", "sam", "pulumi",
                           "openssl", "nslookup", "unset", "make", "jq", "python", "python3",
                           "pip", "copilot"})


def is_command(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0] in COMMAND_WORDS


def kind_of(resource_type: Optional[str]) -> Optional[str]:
    """``DynamoDB table`` for the resource type ``dynamo_table`` (a fixture name)."""
    from ..resources import RESOURCE_TYPES

    cls = RESOURCE_TYPES.get(resource_type or "")
    return str(cls.kind) if cls is not None else resource_type


def headline(title: str, resource: dict[str, Optional[str]], where: bool = False) -> str:
    """``name: problem`` from a hint title, for lines that must fit 80 columns:
    ``DynamoDB table t1 in us-east-1 does not have TTL enabled`` becomes
    ``t1: does not have TTL enabled`` (``where``: then `` [DynamoDB table, us-east-1]``,
    last, so that cutting the line to the width keeps the resource and the problem)."""
    name, region = resource.get("name"), resource.get("region")
    kind = kind_of(resource.get("type"))
    if not name:
        return title
    for lead in (f"{kind} {name}" if kind else None, name):
        if lead and title[:len(lead)].lower() == lead.lower():  # "Log group x" for "log group"
            rest = title[len(lead):]
            if rest[:1].isalnum() or rest[:1] in "_-/.":  # a longer name: prefix ``app-``
                continue
            dropped = [kind] if lead != name else []
            for phrase in (f" in {region}", f" ({region})"):
                if region and rest.startswith(phrase):
                    rest = rest[len(phrase):]
                    dropped.append(region)
            rest = rest.lstrip(" :,-")
            if not rest:
                return title
            suffix = f" [{', '.join(str(d) for d in dropped)}]" if where and dropped else ""
            return f"{name}: {rest}{suffix}"
    return f"{name}: {title}"  # e.g. "t1: Access denied: ... on DynamoDB table t1 (us-east-1)"


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, with ``...`` when cut."""
    return text if len(text) <= width else text[:max(width - 3, 0)].rstrip() + "..."


@dataclass
class Run:
    """Every check of a run, in the order they finished."""

    checks: dict[str, Check] = field(default_factory=dict)
    #: Calls and throttled retries the processes made prefetching, before any check.
    prefetched: list[dict[str, Any]] = field(default_factory=list)

    def add(self, report: Any) -> None:
        if getattr(report, PREFETCH_ATTR, None):
            self.prefetched.append(getattr(report, PREFETCH_ATTR))
        check = self.checks.get(report.nodeid)
        if check is None:
            props = dict(getattr(report, "user_properties", ()) or ())
            if VERDICT_PROPERTY not in props or verdict_of(report) is None:
                return  # not an awshealth check, skipped, or a setup that passed
            check = self.checks[report.nodeid] = Check(report.nodeid)
        check.add(report)

    def __iter__(self) -> Iterator[Check]:
        """In file and line order, so that serial and xdist runs list checks alike."""
        return iter(sorted(self.checks.values(), key=lambda c: (c.file, c.line, c.nodeid)))

    def with_verdict(self, *verdicts: str) -> list[Check]:
        return [c for c in self if c.verdict in verdicts]

    def counts(self) -> dict[str, int]:
        found = {v: 0 for v in SEVERITY}
        for check in self:
            found[check.verdict] += 1
        return found

    def by_resource(self) -> dict[str, dict[str, int]]:
        """Verdict counts per resource label, resources with problems first."""
        table: dict[str, dict[str, int]] = {}
        for check in self:
            row = table.setdefault(check.resource_label, {v: 0 for v in SEVERITY})
            row[check.verdict] += 1
        return dict(sorted(table.items(), key=lambda kv: tuple(-kv[1][v] for v in SEVERITY)))

    @property
    def calls(self) -> Optional[int]:
        return _sum([*(c.calls for c in self), *(p.get("calls") for p in self.prefetched)])

    @property
    def throttled(self) -> Optional[int]:
        return _sum([*(c.throttled for c in self),
                     *(p.get("throttled") for p in self.prefetched)])

    def account(self) -> Optional[str]:
        """The account, if an ARN of a check names it."""
        for check in self:
            for arn in [check.resource.get("arn")] + [
                    (h.get("resource") or {}).get("arn") for h in check.hints]:
                match = ARN_ACCOUNT.match(str(arn or ""))
                if match:
                    return match.group(1)
        return None


def _sum(values: Iterable[Optional[int]]) -> Optional[int]:
    known = [v for v in values if v is not None]
    return sum(known) if known else None
