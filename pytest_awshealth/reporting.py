"""How hints and redaction reach reports (terminal, JUnit XML, xdist)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import pytest

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
    hints += [str(m.args[0]) for m in item.iter_markers("aws_remediation") if m.args]
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
    if hasattr(longrepr, "addsection"):
        longrepr.addsection(SECTION, text)
    else:
        report.longrepr = f"{longrepr}\n\n{'-' * 20} {SECTION} {'-' * 20}\n{text}"


def scrub_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Replace every sensitive value in the report's text with ``***``."""
    if not redactor:
        return
    if report.longrepr is not None and str(report.longrepr) in redactor:
        report.longrepr = redactor.scrub(str(report.longrepr))
    report.sections = [(title, redactor.scrub(body)) for title, body in report.sections]


def mask_comparison(op: str, left: Any, right: Any, redactor: Redactor) -> Optional[list[str]]:
    """An explanation that hides both operands when either holds a sensitive value."""
    if not redactor or (repr(left) not in redactor and repr(right) not in redactor):
        return None
    return [f"{MASK} {op} {MASK}", "(operands hidden: a sensitive output is involved)"]
