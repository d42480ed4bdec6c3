"""How hints and redaction reach reports (terminal, JUnit XML, xdist)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import pytest

from .binding import remediation_texts
from .errors import ConfigError
from .diagnosis import failure_hints, is_credentials_failure
from .redaction import MASK, Redactor

if TYPE_CHECKING:
    from .probes import ProbeRecord
    from .state import RunState

SECTION = "awshealth remediation"


def attach_hints(item: pytest.Item, report: pytest.TestReport, exc: BaseException,
                 state: RunState, records: list[ProbeRecord]) -> None:
    """Append the hints for this failure (and any ``aws_remediation`` text) to the report."""
    if isinstance(exc, ConfigError):
        report.longrepr = f"awshealth configuration error: {exc}"
        item.session.shouldstop = f"awshealth: {exc}"
        return
    hints = failure_hints(exc, records, state.catalog, state.aws.endpoint_url or "")
    hints += remediation_texts(item)
    if is_credentials_failure(exc):
        report.longrepr = f"{type(exc).__name__}: {exc}"
        item.session.shouldstop = "AWS credentials are missing or rejected; no check can run"
    if hints:
        _add_section(report, "\n\n".join(hints))


def _add_section(report: pytest.TestReport, text: str) -> None:
    longrepr = report.longrepr
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:  # the short summary line names the problem, not "assert False"
        crash.message = text.splitlines()[0]
    addsection = getattr(longrepr, "addsection", None)
    if addsection is not None:
        addsection(SECTION, text)
    else:
        report.longrepr = f"{longrepr}\n\n{'-' * 20} {SECTION} {'-' * 20}\n{text}"


def scrub_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Replace every sensitive value in the report's text with ``***``."""
    if not redactor:
        return
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip (or inconclusive): (path, line, message)
        report.longrepr = tuple(redactor.scrub(v) if isinstance(v, str) else v
                                for v in longrepr)  # type: ignore[assignment]
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
