"""pytest-awshealth: the pytest11 entry point. Hook implementations only."""

from __future__ import annotations

from typing import Any, Generator, Optional

import pytest

from . import hooks
from .binding import MARKER_HELP, bindings, parametrize, remediation_texts
from .clients import AwsContext
from .config import add_options, header_lines, load_settings
from .errors import ConfigError
from .fixtures import aws, aws_context, aws_identity, aws_outputs, resource_fixtures  # noqa: F401
from .outputs import load_outputs
from .probes import recording
from .remediation import Catalog
from .resources import RESOURCE_TYPES
from .reporting import attach_hints, mask_comparison, scrub_report
from .state import RECORDS, STATE, RunState

pytest_plugins = ["pytest_awshealth.reports.plugin"]

globals().update(resource_fixtures())  # s3_bucket, dynamo_table, lambda_fn, ...

REMEDIATION_HELP = "aws_remediation(text): extra remediation advice shown when the test fails"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", REMEDIATION_HELP)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Read settings and outputs files once; bad ones end the run as a usage error."""
    config = session.config
    try:
        settings = load_settings(config)
        files = load_outputs(settings["outputs"]) if settings.is_set("outputs") else None
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    catalog = Catalog.builtin()
    config.hook.pytest_awshealth_hints(catalog=catalog, config=config)
    context = AwsContext.from_settings(settings)
    if files is not None:
        context.redactor.update(files.sensitive_values)
    config.stash[STATE] = RunState(settings, context, catalog, files)


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = config.stash.get(STATE, None)
    if state is None:
        return []
    lines = header_lines(state.settings)
    if state.files is not None:
        lines.append(f"awshealth: {len(state.files)} outputs ({state.files.fmt}) "
                     f"from {', '.join(state.files.sources)}")
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize(metafunc)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Check the selected tests' bindings against the outputs once, before anything runs."""
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    _check_remediation_markers(session.items)
    if not state.has_outputs:
        needing = [i.nodeid for i in session.items if _needs_outputs(i)]
        if needing:
            raise pytest.UsageError(
                f"{len(needing)} test(s) need deploy outputs (e.g. {needing[0]}): pass "
                "--aws-outputs PATH (from `terraform output -json`) or --aws-stack NAME")
        return
    if state.files is None or state.settings.is_set("stack"):
        return
    problems = [f"{item.nodeid}: aws_output({fixture}=...): {problem}"
                for item in session.items for fixture, ref in bindings(item)
                for one in ([ref] if isinstance(ref, str) else ref)
                if (problem := _lookup_problem(state, one))]
    if problems:
        unique = list(dict.fromkeys(problems))
        raise pytest.UsageError("unknown outputs in aws_output markers:\n  " + "\n  ".join(unique))


def _check_remediation_markers(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            remediation_texts(item)
        except TypeError as exc:
            raise pytest.UsageError(f"{item.nodeid}: {exc}") from None


def _needs_outputs(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    bound = {fixture for fixture, _ in bindings(item)}
    return "aws_outputs" in names or any(
        name in RESOURCE_TYPES and (name in bound or not RESOURCE_TYPES[name].default_name)
        for name in names)


def _lookup_problem(state: RunState, ref: str) -> Optional[str]:
    from .errors import SensitiveOutputError, UnknownOutputError

    assert state.files is not None
    try:
        state.files[ref]
    except SensitiveOutputError:
        return None  # reported when a test uses it
    except UnknownOutputError as exc:
        return str(exc)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    with recording() as records:
        item.stash[RECORDS] = records
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    state = item.config.stash.get(STATE, None)
    if state is None:
        return report
    if report.failed and call.excinfo is not None:
        attach_hints(item, report, call.excinfo.value, state, item.stash.get(RECORDS, []))
    scrub_report(report, state.aws.redactor)
    return report


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object,
                              right: object) -> Optional[list[str]]:
    state = config.stash.get(STATE, None)
    return mask_comparison(op, left, right, state.aws.redactor) if state else None
