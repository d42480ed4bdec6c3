"""The gate: how verdicts show in the terminal, stop the run, and set the exit code.

Works on the process that sees every report: the only process of a serial run, the
controller of a pytest-xdist run (workers ship their reports to it).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Optional, Union

import pytest

from .reporting import inconclusive_parts
from .state import STATE
from .verdicts import BROKEN, INCONCLUSIVE, REASON_ATTR, VERDICT_ATTR, verdict_of

#: Exit code when nothing is broken but at least one check is inconclusive (policy ``fail``).
EXIT_INCONCLUSIVE = 6
CATEGORY = "inconclusive"
TITLE = "inconclusive: could not check"
CREDENTIALS = "credentials"
CREDENTIALS_STOP = "AWS credentials are missing or rejected; no check can run"
ColoredWord = Union[str, tuple[str, dict[str, bool]]]


class Gate:
    """Counts verdicts, shows ``I``/``INCONCLUSIVE``, stops on credentials, sets the exit code."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.counts: Counter[str] = Counter()
        self.credentials_stop: Optional[str] = None

    @property
    def policy(self) -> str:
        state = self.config.stash.get(STATE, None)
        return str(state.settings["inconclusive"]) if state is not None else "fail"

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport
                                 ) -> Optional[tuple[str, str, ColoredWord]]:
        if getattr(report, VERDICT_ATTR, None) == INCONCLUSIVE and report.skipped:
            return CATEGORY, "I", ("INCONCLUSIVE", {"yellow": True})
        return None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        verdict = verdict_of(report)
        if verdict in (BROKEN, INCONCLUSIVE) or (verdict and report.when == "call"):
            self.counts[verdict] += 1
        if getattr(report, REASON_ATTR, None) == CREDENTIALS:
            self._stop_for_credentials(report)

    def _stop_for_credentials(self, report: pytest.TestReport) -> None:
        """The first credentials error stops the run. Serial runs stop through
        ``session.shouldstop`` (set where the report is made); an xdist controller stops
        its workers the way ``--maxfail`` does."""
        if self.credentials_stop is not None:
            return
        self.credentials_stop = report.nodeid
        dsession = self.config.pluginmanager.getplugin("dsession")
        if dsession is not None and not getattr(dsession, "shouldstop", False):
            dsession.shouldstop = CREDENTIALS_STOP

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        _in_verdict_order(terminalreporter)
        reports = terminalreporter.stats.get(CATEGORY, [])
        # -rA expands to "PpsxXEf"; inconclusive reports are skips underneath
        shown = self.policy != "pass" or set(terminalreporter.reportchars) & {"I", "s"}
        if not reports or not shown:
            return
        terminalreporter.write_sep("=", TITLE, yellow=True)
        details: dict[str, int] = {}
        credentials_shown = False
        for report in reports:
            line, detail = inconclusive_parts(report)
            terminalreporter.write_line(f"INCONCLUSIVE {report.nodeid} - {line}")
            if getattr(report, REASON_ATTR, None) == CREDENTIALS:
                if credentials_shown:  # one credentials hint, not one per xdist worker
                    continue
                credentials_shown = True
            if detail:
                details[detail] = details.get(detail, 0) + 1
        for detail, count in details.items():
            terminalreporter.write_line("")
            terminalreporter.write_line(detail)
            if count > 1:
                terminalreporter.write_line(f"(the same for {count} checks)")
        if self.credentials_stop is None:
            terminalreporter.write_line("")
            terminalreporter.write_line(self._policy_line(len(reports)))

    def _policy_line(self, count: int) -> str:
        checks = f"{count} check{'s' if count != 1 else ''} could not be made"
        if self.policy == "fail":
            return (f"{checks}: the gate fails (exit {EXIT_INCONCLUSIVE}) unless a check is "
                    "broken (exit 1); --aws-inconclusive=warn reports them without failing")
        return f"{checks}: reported only (--aws-inconclusive={self.policy})"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if hasattr(self.config, "workerinput"):  # the controller decides
            return
        if session.exitstatus != pytest.ExitCode.OK:  # broken (1), interrupted (2), usage (4)...
            return
        if self.counts[INCONCLUSIVE] and self.policy == "fail":
            session.exitstatus = EXIT_INCONCLUSIVE


#: The order of the plugin's outcome categories in pytest's last line ("2 failed, 6 passed,
#: 1 inconclusive, 2 waived"), whichever report came first (under xdist, as they arrive).
CATEGORY_ORDER = (CATEGORY, "waived")


def _in_verdict_order(terminalreporter: Any) -> None:
    stats = terminalreporter.stats
    for key in CATEGORY_ORDER:
        if key in stats:
            stats[key] = stats.pop(key)
    if hasattr(terminalreporter, "_main_color"):
        terminalreporter._main_color = None  # its list of categories is read again
