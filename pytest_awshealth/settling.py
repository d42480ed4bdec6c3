"""Settling: "not yet" is not "wrong".

Right after a deploy much is still converging (tables CREATING, targets ``initial``,
stacks UPDATE_IN_PROGRESS...). With ``--aws-settle SECONDS`` or
``@pytest.mark.aws_settle(seconds)``, a check that fails while every failing probe shows a
state its probe declares transitional runs again, with fresh reads and backoff, until it
passes or the time is up. A failing probe in a settled wrong state fails at once.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable, Generator, Iterable, Optional

import pytest

from .errors import CouldNotCheck
from .markers import marks
from .probes import ProbeRecord, recording
from .state import RECORDS, STATE

MARKER = "aws_settle"
MARKER_HELP = (f"{MARKER}(seconds): re-check this test for up to `seconds` while the state it "
               "checks is still converging (CREATING, PENDING, IN_PROGRESS...); overrides "
               "--aws-settle, 0 turns settling off")
SECTION = "awshealth settling"
#: Report attribute: ``{"budget", "attempts", "elapsed", "converged", "first", "last"}``.
SETTLE_ATTR = "awshealth_settle"
FIRST_DELAY = 1.0  # seconds before the first re-check; doubled after each one
MAX_DELAY = 10.0


@dataclass
class Settling:
    """What the re-checks of one test saw (plain data: it goes onto the report)."""

    budget: float
    attempts: int = 1
    elapsed: float = 0.0
    converged: bool = False
    first: list[str] = field(default_factory=list)  # "not yet" states of the first attempt
    last: list[str] = field(default_factory=list)   # ... and of the last failing one


SETTLING = pytest.StashKey[Settling]()
_RECHECKING = pytest.StashKey[bool]()


def aws_settle_signature(seconds: float) -> float:
    """Validate ``@pytest.mark.aws_settle(seconds)``."""
    if (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds) or seconds < 0):
        raise TypeError(f"{MARKER}(seconds): expected a finite number of seconds, 0 or more, "
                        f"got {seconds!r}")
    return float(seconds)


def settle_seconds(item: pytest.Item) -> float:
    """The closest ``aws_settle`` marker's seconds, else ``--aws-settle`` (default 0)."""
    marker = item.get_closest_marker(MARKER)
    if marker is not None:
        return aws_settle_signature(*marker.args, **marker.kwargs)
    state = item.config.stash.get(STATE, None)
    return float(state.settings["settle"]) if state is not None else 0.0


def _suspects(records: list[ProbeRecord]) -> list[ProbeRecord]:
    """The failing probes: those that saw something unhealthy, failing that the last one."""
    return [r for r in records if r.healthy is False] or records[-1:]


def pending_states(records: list[ProbeRecord]) -> Optional[list[str]]:
    """The "not yet" states of the failing probes, or None when one of them shows a
    settled state."""
    suspects = _suspects(records)
    if not suspects or not all(r.transitional and r.state for r in suspects):
        return None
    return list(dict.fromkeys(str(r.state) for r in suspects))


def undecidable(records: list[ProbeRecord]) -> Optional[CouldNotCheck]:
    """Why settling cannot decide: a failing probe's transitional read could not be made
    (e.g. denied) and no failing probe shows a settled state; None otherwise."""
    suspects = _suspects(records)
    unknown = [r.unknown for r in suspects if r.unknown is not None]
    if unknown and all(r.unknown is not None or (r.transitional and r.state) for r in suspects):
        return unknown[0]
    return None


def _settled_failure(records: list[ProbeRecord], error: AssertionError) -> Exception:
    """What a check that will not be re-checked raises: its assertion, or, when whether it
    would still converge could not be read, that read's failure: the check is then
    inconclusive, and its failing probes are left unjudged (``healthy`` None) in
    ``records``, the list the report is made from."""
    unknown = undecidable(records)
    if unknown is None:
        return error
    records[:] = [replace(r, healthy=None) if r.unknown is not None else r
                  for r in records]
    return unknown.about(unknown.resource)


def describe_seconds(seconds: float) -> str:
    """``4.2 s`` below ten seconds, ``42 s`` above."""
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


# --------------------------------------------------------------------------- hooks


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Bad ``aws_settle`` markers end the run as one usage error, before any check runs."""
    problems = []
    for item in session.items:
        for marker in marks(item, MARKER):
            try:
                aws_settle_signature(*marker.args, **marker.kwargs)
            except TypeError as exc:
                problems.append(f"{item.nodeid}: {exc}")
    if problems:
        raise pytest.UsageError("invalid aws_settle markers:\n  " + "\n  ".join(problems))


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, Any]:
    """Run the test function; while it fails on "not yet" states only, run it again."""
    if pyfuncitem.stash.get(_RECHECKING, False):
        return (yield)
    budget = settle_seconds(pyfuncitem)
    if budget <= 0:
        return (yield)
    with recording() as records:
        pyfuncitem.stash[RECORDS] = records
        try:
            return (yield)
        except AssertionError as exc:
            error = exc
    return _recheck(pyfuncitem, Settling(budget), time.monotonic(), records, error)


def _recheck(item: pytest.Function, settling: Settling, start: float,
             records: list[ProbeRecord], error: AssertionError) -> Any:
    """Re-run while the failure is "not yet", for ``settling.budget`` seconds from ``start``
    (when the first attempt failed); the last attempt's records stay on the item."""
    __tracebackhide__ = True
    states = pending_states(records)
    if states is None:
        raise _settled_failure(records, error)
    item.stash[SETTLING] = settling
    settling.first = settling.last = states
    handles = _handles(item, records)
    deadline, delay = start + settling.budget, FIRST_DELAY
    while time.monotonic() < deadline:
        time.sleep(max(0.0, min(delay, deadline - time.monotonic())))
        delay = min(delay * 2, MAX_DELAY)
        for handle in handles.values():
            handle.refresh()
        settling.attempts += 1
        settling.elapsed = time.monotonic() - start
        result, error, records = _attempt(item)
        handles.update(_handles(item, records))
        if error is None:
            settling.converged = True
            return result
        states = pending_states(records)
        if states is None:
            raise _settled_failure(records, error)
        settling.last = states
    raise error


def _attempt(item: pytest.Function) -> tuple[Any, Optional[AssertionError], list[ProbeRecord]]:
    """One more run of the test function, through the whole ``pytest_pyfunc_call`` chain."""
    item.stash[_RECHECKING] = True
    try:
        with recording() as records:
            item.stash[RECORDS] = records
            try:
                return item.ihook.pytest_pyfunc_call(pyfuncitem=item), None, records
            except AssertionError as exc:
                return None, exc, records
    finally:
        item.stash[_RECHECKING] = False


def _handles(item: pytest.Function, records: Iterable[ProbeRecord]) -> dict[int, Any]:
    """Every handle the test used: those its probes read, and resource fixtures."""
    used = [r.resource for r in records] + list(getattr(item, "funcargs", {}).values())
    return {id(h): h for h in used if callable(getattr(h, "refresh", None))
            and hasattr(h, "hint_prefix")}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Say on the report whether the check converged, is still converging, or why not."""
    report = yield
    if report.when != "call":
        return report
    settling = item.stash.get(SETTLING, None)
    if settling is not None:
        setattr(report, SETTLE_ATTR, asdict(settling))
    if report.passed and settling is not None and settling.converged:
        report.sections.append((SECTION, _converged_text(settling)))
    elif report.failed and call.excinfo is not None and isinstance(call.excinfo.value,
                                                                   AssertionError):
        note = _failure_note(item, settling)
        if note:
            _annotate(report, note, _scrubber(item))
        elif terminal := _terminal_note(item, settling):
            report.sections.append((SECTION, terminal))
    return report


def _converged_text(settling: Settling) -> str:
    return (f"converged after {describe_seconds(settling.elapsed)} "
            f"({settling.attempts} attempts; first seen {', '.join(settling.first)})")


def _failure_note(item: pytest.Item, settling: Optional[Settling]) -> Optional[str]:
    states = pending_states(item.stash.get(RECORDS, []))
    if settling is not None and states is not None:
        return (f"still {', '.join(states)} after {describe_seconds(settling.elapsed)} "
                f"(first seen {', '.join(settling.first)})")
    if settling is not None:
        return (f"stopped re-checking after {describe_seconds(settling.elapsed)}: the failing "
                f"probes now see a settled state (first seen {', '.join(settling.first)})")
    if states is not None:
        return (f"{', '.join(states)} is a transitional state: pass --aws-settle SECONDS "
                f"(or @pytest.mark.{MARKER}(SECONDS)) to wait for it")
    return None


def _terminal_note(item: pytest.Item, settling: Optional[Settling]) -> Optional[str]:
    if settling is None and settle_seconds(item) > 0:
        return "not re-checked: the failing probes saw a settled state, not a transitional one"
    return None


def _scrubber(item: pytest.Item) -> Callable[[str], str]:
    state = item.config.stash.get(STATE, None)
    redactor = state.aws.redactor if state is not None else None
    return redactor.scrub if redactor else (lambda text: text)


def _annotate(report: pytest.TestReport, note: str, scrub: Callable[[str], str]) -> None:
    """The note ends the short summary line and has a report section of its own."""
    note = scrub(note)
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        crash.message = f"{crash.message}: {note}"
    report.sections.append((SECTION, note))


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport,
                             config: pytest.Config) -> Optional[tuple[str, str, Any]]:
    """``-v`` says ``PASSED (converged after 15 s)`` for a check that needed settling."""
    settled = getattr(report, SETTLE_ATTR, None)
    if report.when == "call" and report.passed and settled and settled.get("converged"):
        return ("passed", ".", (f"PASSED (converged after "
                                f"{describe_seconds(settled['elapsed'])})", {"green": True}))
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per check that passed only after settling."""
    converged = [r for r in terminalreporter.stats.get("passed", [])
                 if (getattr(r, SETTLE_ATTR, None) or {}).get("converged")]
    if not converged:
        return
    terminalreporter.write_sep("-", SECTION)
    for report in converged:
        settled = getattr(report, SETTLE_ATTR)
        terminalreporter.write_line(
            f"{report.nodeid}: converged after {describe_seconds(settled['elapsed'])} "
            f"(first seen {', '.join(settled['first'])})")
