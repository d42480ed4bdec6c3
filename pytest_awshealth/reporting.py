"""How verdicts, hints and redaction reach reports (terminal, JUnit XML, xdist).

Only formatting lives here; what a check's verdict is and whether the run stops is
decided in :mod:`pytest_awshealth.plugin`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Optional

import pytest

from .redaction import MASK, Redactor
from .verdicts import HINTS_ATTR, PROBES_ATTR

if TYPE_CHECKING:
    from .remediation.diagnosis import Finding
    from .probes import ProbeRecord

SECTION = "awshealth remediation"
INCONCLUSIVE_PREFIX = "inconclusive: "
VALUE_LIMIT = 300  # characters of a probe value's repr kept on a report


def add_hint_section(report: pytest.TestReport, texts: list[str]) -> None:
    """Append the hints of a broken check to its report; the first line becomes the short
    summary's message."""
    if not texts:
        return
    text = "\n\n".join(texts)
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:  # the short summary line names the problem, not "assert False"
        crash.message = text.splitlines()[0]
    addsection = getattr(longrepr, "addsection", None)
    if addsection is not None:
        addsection(SECTION, text)
    else:
        report.longrepr = f"{longrepr}\n\n{'-' * 20} {SECTION} {'-' * 20}\n{text}"


def mark_inconclusive(item: pytest.Item, report: pytest.TestReport, line: str,
                      texts: list[str], redactor: Redactor) -> None:
    """Turn a failed report into an inconclusive one: outcome ``skipped`` (so JUnit XML
    writes ``<skipped message="inconclusive: ...">``, never ``<failure>``) with the hints
    after the one-line reason."""
    path, lineno = item.reportinfo()[:2]
    message = INCONCLUSIVE_PREFIX + line + "".join(f"\n\n{text}" for text in texts)
    report.outcome = "skipped"
    report.longrepr = (os.fspath(path), (lineno or 0) + 1, redactor.scrub(message))


def inconclusive_parts(report: Any) -> tuple[str, str]:
    """(one-line reason, hint text) of an inconclusive report."""
    longrepr = report.longrepr
    message = str(longrepr[2]) if isinstance(longrepr, (tuple, list)) else str(longrepr)
    message = message.removeprefix(INCONCLUSIVE_PREFIX)
    line, _, detail = message.partition("\n\n")
    return line, detail


def attach_data(report: pytest.TestReport, findings: Iterable[Finding],
                records: Iterable[ProbeRecord], redactor: Redactor, ask: bool = False) -> None:
    """Set the structured hints and probe records on a report, masked. With ``ask``,
    resource ARNs may cost one (cached) STS call for the account."""
    setattr(report, HINTS_ATTR, [hint_dict(f, redactor, ask) for f in findings])
    setattr(report, PROBES_ATTR, [probe_dict(r, redactor) for r in records])


def hint_dict(finding: Finding, redactor: Redactor, ask: bool = False) -> dict[str, Any]:
    """``{"key", "title", "causes", "diagnose", "fix", "resource"}``, every string masked."""
    data = finding.hint.as_dict()
    data["resource"] = resource_dict(finding.subject, ask)
    return _masked(data, redactor)


def resource_dict(subject: Any, ask: bool = False) -> dict[str, Optional[str]]:
    """``{"type", "name", "region", "output", "arn"}`` of a hint's subject (None where
    unknown); no AWS call unless ``ask`` allows the one for the account."""
    if subject is None:
        return dict.fromkeys(("type", "name", "region", "output", "arn"))
    known_arn = getattr(subject, "known_arn", None)
    return {"type": resource_type(subject), "name": _text(getattr(subject, "name", None)),
            "region": _text(_safe(lambda: subject.region)),
            "output": _text(getattr(subject, "output", None)),
            "arn": _text(_safe(lambda: known_arn(ask=ask)) if callable(known_arn) else None)}


def resource_type(subject: Any) -> str:
    """The fixture name of a handle's type (``dynamo_table``), else its class name."""
    for cls in type(subject).__mro__:
        fixture = cls.__dict__.get("fixture")
        if isinstance(fixture, str):
            return fixture
    return type(subject).__name__


def probe_dict(record: ProbeRecord, redactor: Redactor) -> dict[str, Any]:
    """``{"resource", "probe", "value", "healthy", "transitional"}``; ``value`` a masked repr."""
    value = repr(record.value)
    if len(value) > VALUE_LIMIT:
        value = value[:VALUE_LIMIT] + "..."
    return {"resource": redactor.scrub(repr(record.resource)), "probe": record.name,
            "value": redactor.scrub(value), "healthy": record.healthy,
            "transitional": bool(record.transitional)}


def _safe(func: Any) -> Any:
    try:
        return func()
    except Exception:  # a report must be written even when a field cannot be known
        return None


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _masked(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.scrub(value)
    if isinstance(value, dict):
        return {k: _masked(v, redactor) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, redactor) for v in value]
    return value


def scrub_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Replace every sensitive value in the report's text with ``***``."""
    if not redactor:
        return
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip (or inconclusive): (path, line, message)
        report.longrepr = redactor.mask(longrepr)
    elif longrepr is not None and str(longrepr) in redactor:
        if isinstance(longrepr, str) or not _scrub_inplace(longrepr, redactor):
            report.longrepr = redactor.scrub(str(longrepr))
    report.sections = [(title, redactor.scrub(body)) for title, body in report.sections]


def _scrub_inplace(obj: Any, redactor: Redactor, depth: int = 0) -> bool:
    """Scrub the strings inside pytest's repr objects, keeping their structure
    (so the short summary still shows the crash line). False if something was left."""
    if depth > 8:
        return False
    items = vars(obj).items() if hasattr(obj, "__dict__") else ()
    for name, value in items:
        cleaned = _scrub_value(value, redactor, depth)
        if cleaned is not value:
            object.__setattr__(obj, name, cleaned)
    return str(obj) not in redactor


def _scrub_value(value: Any, redactor: Redactor, depth: int) -> Any:
    if isinstance(value, str):
        return redactor.scrub(value) if value in redactor else value
    if isinstance(value, (list, tuple)):
        cleaned = [_scrub_value(v, redactor, depth + 1) for v in value]
        if any(c is not v for c, v in zip(cleaned, value)):
            return type(value)(cleaned) if isinstance(value, list) else tuple(cleaned)
        return value
    if hasattr(value, "__dict__") and not isinstance(value, type):
        _scrub_inplace(value, redactor, depth + 1)
    return value


def mask_comparison(op: str, left: Any, right: Any, redactor: Redactor) -> Optional[list[str]]:
    """An explanation that hides both operands when either holds a sensitive value."""
    if not redactor or (repr(left) not in redactor and repr(right) not in redactor):
        return None
    return [f"{MASK} {op} {MASK}", "(operands hidden: a sensitive output is involved)"]
