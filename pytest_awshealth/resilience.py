"""Per-test AWS call counts on reports, and the run's total in the terminal summary.

Each report (setup, call, teardown) carries ``awshealth_calls`` (AWS API calls made in
that phase; botocore's retries of a call are not counted again) and
``awshealth_throttled`` (throttled responses that were retried). Plain ints, so
pytest-xdist ships them to the controller, which sums them for the summary line, with
the calls each process made prefetching (on its first report, see :mod:`.prefetch`).
"""

from __future__ import annotations

from typing import Any, Generator

import pytest

from .state import STATE
from .verdicts import PREFETCH_ATTR

_SINCE = pytest.StashKey[tuple[int, int]]()


def _counts(config: pytest.Config) -> tuple[int, int]:
    """This process's counts so far; (0, 0) before any client exists (no botocore import)."""
    state = config.stash.get(STATE, None)
    if state is None or "resilience" not in vars(state.aws):
        return 0, 0
    return state.aws.resilience.stats.snapshot()


class CallSummary:
    """Sums the counts of every report this process sees (the controller under xdist),
    with the calls each process made prefetching (:mod:`.prefetch`)."""

    def __init__(self) -> None:
        self.calls = 0
        self.throttled = 0
        self.prefetched: list[dict[str, Any]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.calls += int(getattr(report, "awshealth_calls", 0) or 0)
        self.throttled += int(getattr(report, "awshealth_throttled", 0) or 0)
        prefetched = getattr(report, PREFETCH_ATTR, None)
        if prefetched:
            self.prefetched.append(prefetched)
            self.calls += int(prefetched.get("calls", 0))
            self.throttled += int(prefetched.get("throttled", 0))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.calls:
            terminalreporter.write_line(
                f"awshealth: {self.calls} AWS calls, {self.throttled} throttled and retried"
                + self._prefetch_note())

    def _prefetch_note(self) -> str:
        """``; 40 prefetched (16 at a time, 0.3 s)``: the calls made before the first check."""
        if not self.prefetched:
            return ""
        calls = sum(int(p.get("calls", 0)) for p in self.prefetched)
        at_once = sum(int(p.get("concurrency", 0)) for p in self.prefetched)
        seconds = max(float(p.get("seconds", 0.0)) for p in self.prefetched)
        return f"; {calls} prefetched ({at_once} at a time, {seconds:.1f} s)"


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(CallSummary(), "awshealth-call-summary")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, Any, Any]:
    item.stash[_SINCE] = _counts(item.config)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    now = _counts(item.config)
    calls, throttled = item.stash.get(_SINCE, now)
    item.stash[_SINCE] = now
    report.awshealth_calls = now[0] - calls  # type: ignore[attr-defined]
    report.awshealth_throttled = now[1] - throttled  # type: ignore[attr-defined]
    return report
