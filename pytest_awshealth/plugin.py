"""pytest-awshealth: the pytest11 entry point. Hook implementations, and the built-in
hint catalog they start each session from."""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any, Generator, Optional

import pytest

from . import hooks, markers
from .alternatives import Leaf, binding_problem, leaves
from .binding import (MARKER_HELP, bindings, first_test, item_bindings, marker_problems,
                      missing_binding_message, parametrize, remediation_texts)
from .clients import AwsContext
from .config import add_options, header_lines, load_settings
from .deprecations import RENAMED_HINT_KEYS
from .errors import ConfigError, UnknownOutputError
from .gate import CREDENTIALS_STOP, Gate
from .fixtures import (aws, aws_context, aws_identity, aws_outputs,  # noqa: F401
                       is_plugin_fixture, resource_fixtures)
from .outputs import load_outputs
from .probes import recording
from .remediation import Catalog
from .resources import RESOURCE_TYPES
from .resources.registry import all_hints
from .reporting import (add_hint_section, attach_data, mark_inconclusive, mask_comparison,
                        scrub_report)
from .state import RECORDS, STATE, RunState
from .verdicts import BROKEN, HEALTHY, INCONCLUSIVE, REASON_ATTR

if TYPE_CHECKING:
    from .remediation.diagnosis import Finding

#: Hook modules of their own: client resilience, prefetch, settling, masking, pre-run
#: checks, waivers, CI reports. Registered by :func:`pytest_plugin_registered`, not in
#: ``pytest_plugins``: pytest looks each name there up in the entry points of every
#: installed distribution first, which costs each process more than the modules do.
PLUGINS = [
    "pytest_awshealth.resilience",
    "pytest_awshealth.prefetch",
    "pytest_awshealth.settling",
    "pytest_awshealth.masking",
    "pytest_awshealth.preflight",
    "pytest_awshealth.waivers",
    "pytest_awshealth.reports.plugin",
]

globals().update(resource_fixtures())  # s3_bucket, dynamo_table, lambda_fn, ...

REMEDIATION_HELP = "aws_remediation(text): extra remediation advice shown when the test fails"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hooks)


def pytest_plugin_registered(plugin: object, manager: pytest.PytestPluginManager) -> None:
    """Once this module is registered, register its hook modules after it (as
    ``pytest_plugins`` would: their hooks wrap this module's)."""
    if plugin is not sys.modules[__name__]:
        return
    for name in PLUGINS:  # -p no:pytest_awshealth.waivers still turns one off
        if not manager.is_blocked(name) and manager.get_plugin(name) is None:
            manager.register(importlib.import_module(name), name)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line("markers", REMEDIATION_HELP)
    config.pluginmanager.register(Gate(config), "awshealth-gate")


def pytest_unconfigure() -> None:
    markers.forget()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Read settings and outputs files once; bad ones end the run as a usage error."""
    config = session.config
    try:
        settings = load_settings(config)
        files = load_outputs(settings["outputs"]) if settings.is_set("outputs") else None
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    catalog = builtin_catalog()
    config.hook.pytest_awshealth_hints(catalog=catalog, config=config)
    context = AwsContext.from_settings(settings)
    if files is not None:
        context.redactor.update(files.sensitive_values)
    config.stash[STATE] = RunState(settings, context, catalog, files)


def builtin_catalog() -> Catalog:
    """Every hint the plugin ships, in one catalog: failed calls, AWS error codes and HTTP
    statuses, and each registered handle's hints; the keys of 0.1 as deprecated aliases.
    Read when first used: a run that shows no hint imports only the services it checks."""
    return Catalog(aliases=RENAMED_HINT_KEYS, load=_builtin_hints)


def _builtin_hints() -> dict[str, Any]:
    from .remediation.codes import error_hints

    return {**error_hints(), **all_hints()}


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
    bad_markers = marker_problems(session.items)
    if bad_markers:
        raise pytest.UsageError("invalid aws_output markers:\n  " + "\n  ".join(bad_markers))
    _check_remediation_markers(session.items)
    if not state.has_outputs:
        needing = [i.nodeid for i in session.items if _needs_outputs(i)]
        if needing:
            raise pytest.UsageError(
                f"{len(needing)} test(s) need deploy outputs (e.g. {needing[0]}): pass "
                "--aws-outputs PATH (from `terraform output -json`) or --aws-stack NAME")
        return
    _check_fixtures_are_bound(session.items, list(state.files or ()))
    if state.files is None or state.settings.is_set("stack"):
        return
    problems = [f"{item.nodeid}: aws_output({fixture}=...): {problem}"
                for item in session.items for fixture, ref in item_bindings(item)
                for one in leaves(ref) if (problem := _lookup_problem(state, one, fixture))]
    if problems:
        unique = list(dict.fromkeys(problems))
        raise pytest.UsageError("unknown outputs in aws_output markers:\n  " + "\n  ".join(unique))


def _check_remediation_markers(items: list[pytest.Item]) -> None:
    for item in items:
        try:
            remediation_texts(item)
        except TypeError as exc:
            raise pytest.UsageError(f"{item.nodeid}: {exc}") from None


def _check_fixtures_are_bound(items: list[pytest.Item], keys: list[str]) -> None:
    """One usage error for every resource fixture a test uses without a binding."""
    users: dict[str, list[str]] = {}
    for item in items:
        for name in _unbound_fixtures(item):
            users.setdefault(name, []).append(item.nodeid)
    unbound = [missing_binding_message(name, first_test(ids), keys) for name, ids in users.items()]
    if unbound:
        raise pytest.UsageError(unbound[0] if len(unbound) == 1 else
                                f"{len(unbound)} resource fixtures are not bound:\n  "
                                + "\n  ".join(unbound))


def _unbound_fixtures(item: pytest.Item) -> list[str]:
    """The plugin's resource fixtures ``item`` uses with no output bound and no default
    name (a fixture of the same name defined by the project is its own business)."""
    bound = {fixture for fixture, _ in bindings(item)}
    params = getattr(getattr(item, "callspec", None), "params", {})
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    return [name for name in getattr(item, "fixturenames", ())
            if name in RESOURCE_TYPES and name not in bound and name not in params
            and is_plugin_fixture(definitions.get(name, [None])[-1], name)
            and not RESOURCE_TYPES[name].default_name]


def _needs_outputs(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    bound = {fixture for fixture, _ in bindings(item)}
    return "aws_outputs" in names or any(
        name in RESOURCE_TYPES and (name in bound or not RESOURCE_TYPES[name].default_name)
        for name in names)


def _lookup_problem(state: RunState, ref: Leaf, fixture: str) -> Optional[str]:
    assert state.files is not None
    if not isinstance(ref, str):
        return binding_problem(state.files, ref, fixture)
    try:
        state.files.key_for(ref)  # finds it without reading (or refusing) the value
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
    records = item.stash.get(RECORDS, []) if call.when == "call" else []
    findings: list[Finding] = []
    reason: Optional[str] = None
    if report.failed and call.when != "teardown":
        findings, reason = _judge_failure(item, report, call, state, records)
    elif report.passed and call.when == "call":
        report.awshealth_verdict = HEALTHY
    if call.when == "call" or findings:
        # AWS answered (broken, or denied): learning the account for ARNs costs one STS call
        reachable = reason in (None, "access_denied")
        attach_data(report, findings, records, state.aws.redactor, ask=reachable)
    scrub_report(report, state.aws.redactor)
    return report


def _judge_failure(item: pytest.Item, report: pytest.TestReport, call: pytest.CallInfo[None],
                   state: RunState, records: list[Any]) -> tuple[list[Finding], Optional[str]]:
    """Decide a failed setup or call: broken or inconclusive, with its hints and why the
    state could not be read (None: it could); stop the session when no further check can
    run (bad configuration, rejected credentials)."""
    from .remediation.diagnosis import could_not_check, diagnose, judge

    exc = call.excinfo.value if call.excinfo is not None else None
    report.awshealth_verdict = BROKEN
    if exc is None:  # e.g. a strict xfail that passed
        return [], None
    if isinstance(exc, ConfigError):
        report.longrepr = f"awshealth configuration error: {exc}"
        item.session.shouldstop = f"awshealth: {exc}"
        return [], None
    reason = could_not_check(exc)
    fields = {"statement": lambda: _denied_statement(item, exc, state)}
    findings = diagnose(exc, records, state.catalog, state.aws.endpoint_url or "", state.aws,
                        fields)
    texts = [finding.hint.text for finding in findings] + remediation_texts(item)
    if judge(exc, records) == INCONCLUSIVE:
        line = (texts[0] if texts else f"{type(exc).__name__}: {exc}").splitlines()[0]
        mark_inconclusive(item, report, line, texts, state.aws.redactor)
        report.awshealth_verdict = INCONCLUSIVE
    else:
        add_hint_section(report, texts)
    if reason is not None:
        setattr(report, REASON_ATTR, reason)
    if reason == "credentials":
        item.session.shouldstop = CREDENTIALS_STOP
    return findings, reason


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object,
                              right: object) -> Optional[list[str]]:
    state = config.stash.get(STATE, None)
    return mask_comparison(op, left, right, state.aws.redactor) if state else None


def _denied_statement(item: pytest.Item, exc: BaseException, state: Any) -> str:
    """The policy statement a denied call needs (the policy module loads on first denial)."""
    from .policy import denied_statement

    return denied_statement(item, exc, state)
