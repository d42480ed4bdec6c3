"""The reports' hooks: registered by ``pytest_awshealth.plugin`` (its ``PLUGINS``).

On every process (xdist workers too), a ``pytest_runtest_makereport`` wrapper puts the
check's properties, the 80-column headline and the pytest-html extras on the report.
On the controller only, :class:`Reports` folds the reports into one :class:`Run` and
writes the summary, GitHub annotations and job summary, JSON and SARIF at the end."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Generator, Optional

import pytest

from ..state import STATE
from ..verdicts import BROKEN, INCONCLUSIVE, hints_of, verdict_of
from . import github, html
from .checks import Run, headline
from .info import RunInfo
from .junit import add_properties, handle_resource, is_check, settle_verdict_property
from .summary import summary_lines

REPORTS = pytest.StashKey["Reports"]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Registered after the core plugin, so this wrapper's code runs once the verdict,
    hints and masking are on the report; wrappers that change the verdict later (waivers)
    run after it, so the JUnit verdict property is settled on the teardown report."""
    report = yield
    state = item.config.stash.get(STATE, None)
    if state is None or not is_check(item):
        return report
    redactor = state.aws.redactor
    if report.when == "teardown":
        settle_verdict_property(item, report)
    elif report.when == "call" or report.failed:
        add_properties(item, report, redactor)
        _set_headline(item, report, redactor)
        if html.html_active(item.config):
            html.add_hint_extras(report, redactor)
    return report


def _set_headline(item: pytest.Item, report: pytest.TestReport, redactor: Any) -> None:
    """Make the short summary line (``FAILED id - message``) lead with resource and problem."""
    hints = hints_of(report)
    crash = getattr(report.longrepr, "reprcrash", None)
    if not hints or crash is None or verdict_of(report) not in (BROKEN, INCONCLUSIVE):
        return
    resource = {**handle_resource(item), **{k: v for k, v in (hints[0].get("resource") or {})
                                            .items() if v}}
    crash.message = redactor.scrub(headline(str(hints[0]["title"]), resource, where=True))


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # xdist workers report to the controller
        config.stash[REPORTS] = reports = Reports(config)
        config.pluginmanager.register(reports, "awshealth-reports")


class Reports:
    """The run's checks on the controller, and the files and lines made from them."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.run = Run()
        self.info = RunInfo()

    @property
    def state(self) -> Any:
        return self.config.stash.get(STATE, None)

    def setting(self, name: str) -> Any:
        state = self.state
        return state.settings[name] if state is not None else None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.state is not None:
            self.run.add(report)

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionfinish(self, session: pytest.Session,
                             exitstatus: int) -> Generator[None, None, None]:
        """After every other ``pytest_sessionfinish`` (the gate sets exit 6 in one)."""
        yield
        if self.state is not None:
            self._write_files(session)

    def _write_files(self, session: pytest.Session) -> None:
        state = self.state
        wants_files = bool(self.setting("report") or self.setting("sarif"))
        self.info.finish(self.run, state, int(session.exitstatus), ask_sts=wants_files)
        redactor = state.aws.redactor
        from .json_report import report_document  # the files' formats: only when written
        from .sarif import sarif_document

        if self.setting("report"):
            self._write(self.setting("report"), lambda: report_document(self.run, self.info))
        if self.setting("sarif"):
            self._write(self.setting("sarif"), lambda: sarif_document(
                self.run, self.info, state.catalog, state.files, str(self.config.rootpath),
                os.environ))
        if self._github():
            self._write_step_summary(redactor)

    def _write(self, path: str, document: Callable[[], Any]) -> None:
        """Write one report; a path that cannot be written is one line, not a traceback."""
        from .masking import write_json

        try:
            write_json(path, document(), self.state.aws.redactor)
        except OSError as exc:
            message = f"awshealth: could not write {path}: {exc.strerror or exc}"
            reporter = self.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                if getattr(reporter._tw, "width_of_current_line", 0):  # after "[100%]"
                    reporter.line("")
                reporter.write_line(message, red=True)
            else:
                print(message, file=sys.stderr)

    def _github(self) -> bool:
        return github.enabled(self.setting("github") or "off", os.environ)

    def _write_step_summary(self, redactor: Any) -> None:
        path = os.environ.get("GITHUB_STEP_SUMMARY")
        if not path or not self.run.checks:
            return
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(redactor.scrub(github.step_summary(self.run, self.info)))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        state = self.state
        if state is None or not self.run.checks:
            return
        scrub = state.aws.redactor.scrub
        if self.setting("summary") != "off":
            terminalreporter.write_sep("=", "awshealth summary")
            listed = (state.settings["inconclusive"] != "pass"  # pass: counted, not listed
                      or bool(set(terminalreporter.reportchars) & {"I", "s"}))
            for line in summary_lines(self.run, self.config.get_terminal_writer().fullwidth,
                                      listed):
                terminalreporter.write_line(scrub(line))
        if self._github():
            other = self.config.pluginmanager.has_plugin(github.OTHER_ANNOTATOR)
            for command in github.workflow_annotations(self.run, str(self.config.rootpath), os.environ,
                                              skip_failed=other):
                terminalreporter.write_line(scrub(command))

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_summary(self, prefix: list[Any], summary: list[Any],
                                    postfix: list[Any], session: pytest.Session) -> None:
        state = self.state
        if state is None or not self.run.checks:
            return
        lines = [state.aws.redactor.scrub(line) for line in summary_lines(self.run, 100)]
        prefix.append(html.summary_html(lines))


def reports_of(config: pytest.Config) -> Optional[Reports]:
    """The controller's reports (None on xdist workers)."""
    return config.stash.get(REPORTS, None)
