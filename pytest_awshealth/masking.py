"""Hooks that keep sensitive values out of every channel pytest writes to.

The run's :class:`~pytest_awshealth.redaction.Redactor` knows the sensitive outputs
from the start (Terraform ``sensitive``) and learns each secret a handle reads before
botocore logs it. These hooks apply it where pytest (and its plugins) turn values into
text:

* test ids: ``pytest_make_parametrize_id`` for parameter values, and a wrapper around
  ``metafunc.parametrize`` for explicit ``ids=`` and ``pytest.param(id=...)``;
* the warnings summary: the message is rewritten before any reporter stores it;
* logs (captured, live, ``--log-file``): a log-record factory scrubs each record as it
  is created, before any handler formats it;
* reports (terminal, ``-l``, JUnit, ``--report-log``, xdist): each report is scrubbed
  before any reporter sees it (``tryfirst`` ``pytest_runtest_logreport``), and the JUnit
  file once more after it is written (``record_testsuite_property`` writes it directly);
* ``--aws-sensitive KEY`` marks outputs of formats that cannot mark them.

Reports this plugin writes itself call :func:`redactor_of` (``.scrub(text)`` for text,
``.mask(obj)`` for nested plain data).
"""

from __future__ import annotations

import functools
import inspect
import logging
from pathlib import Path
from typing import Any, Callable, Generator, Optional

import pytest

from .errors import SensitiveOutputError, UnknownOutputError
from .redaction import MASK, Redactor, SecretValue
from .reporting import scrub_report
from .state import STATE

PLUGIN_NAME = "awshealth-masking"


def redactor_of(config: pytest.Config) -> Redactor:
    """The run's redactor (an empty one before the session starts)."""
    state = config.stash.get(STATE, None)
    return state.aws.redactor if state is not None else Redactor()


def _active(config: pytest.Config) -> Optional[Redactor]:
    state = config.stash.get(STATE, None)
    return state.aws.redactor if state is not None and state.aws.redactor else None


# --------------------------------------------------------------------------- --aws-sensitive


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Mask the outputs ``--aws-sensitive`` names, from before collection on."""
    state = session.config.stash.get(STATE, None)
    if state is None or state.files is None:
        return
    for ref in state.settings["sensitive"] or []:
        try:
            state.aws.redactor.add(state.files[ref])
        except SensitiveOutputError:
            continue  # a Pulumi "[secret]": no value to mask
        except UnknownOutputError as exc:
            raise pytest.UsageError(f"--aws-sensitive {ref}: {exc}") from None


# --------------------------------------------------------------------------- test ids


@pytest.hookimpl(tryfirst=True)
def pytest_make_parametrize_id(config: pytest.Config, val: object, argname: str) -> Optional[str]:
    """``***`` in place of a sensitive parameter value in the test id."""
    if isinstance(val, SecretValue):
        return MASK
    redactor = _active(config)
    if redactor is None or not isinstance(val, (str, bytes, int, float)):
        return None
    text = val.decode("utf-8", "replace") if isinstance(val, bytes) else str(val)
    if text not in redactor:
        return None
    return redactor.scrub(text).encode("unicode_escape").decode("ascii")


@pytest.hookimpl(wrapper=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> Generator[None, None, None]:
    """Mask sensitive explicit ids: ``ids=[...]``, an ``ids`` callable, ``pytest.param(id=)``."""
    redactor = _active(metafunc.config)
    if redactor is not None:
        metafunc.parametrize = _masking(metafunc.parametrize, redactor)  # type: ignore[method-assign]
    return (yield)


def _masking(parametrize: Callable[..., None], redactor: Redactor) -> Callable[..., None]:
    signature = _parametrize_signature()

    def masked_parametrize(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(*args, **kwargs)
        arguments = bound.arguments
        arguments["argvalues"] = [_masked_param(v, redactor) for v in arguments["argvalues"]]
        ids = arguments.get("ids")
        if callable(ids):
            arguments["ids"] = _masked_id_function(ids, redactor)
        elif ids is not None:
            arguments["ids"] = [_masked_id(i, redactor) for i in ids]
        parametrize(*bound.args, **bound.kwargs)

    return masked_parametrize


@functools.lru_cache(maxsize=None)
def _parametrize_signature() -> inspect.Signature:
    """``metafunc.parametrize``'s signature, without ``self`` (read once, not per test)."""
    signature = inspect.signature(pytest.Metafunc.parametrize)
    return signature.replace(parameters=list(signature.parameters.values())[1:])


def _masked_param(value: Any, redactor: Redactor) -> Any:
    id_ = getattr(value, "id", None)
    if isinstance(value, tuple) and hasattr(value, "_replace") and isinstance(id_, str):
        return value._replace(id=_masked_id(id_, redactor))  # pytest.param(..., id=...)
    return value


def _masked_id(id_: Any, redactor: Redactor) -> Any:
    if id_ is None or isinstance(id_, SecretValue):
        return MASK if id_ is not None else None
    text = str(id_)
    return redactor.scrub(text) if text in redactor else id_


def _masked_id_function(ids: Callable[[Any], Any], redactor: Redactor) -> Callable[[Any], Any]:
    def masked_ids(value: Any) -> Any:
        return _masked_id(ids(value), redactor)

    return masked_ids


# --------------------------------------------------------------------------- reports


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SecretMasking(config), PLUGIN_NAME)


class SecretMasking:
    """The hooks that need the run's config but are not given it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self._record)

    def _record(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._previous_factory(*args, **kwargs)
        redactor = _active(self.config)
        if redactor is not None:
            scrub_record(record, redactor)
        return record

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        redactor = _active(self.config)
        if redactor is not None:
            scrub_any_report(report, redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        redactor = _active(self.config)
        if redactor is not None:
            scrub_any_report(report, redactor)

    @pytest.hookimpl(tryfirst=True)
    def pytest_warning_recorded(self, warning_message: Any, when: str, nodeid: str,
                                location: Any) -> None:
        redactor = _active(self.config)
        if redactor is not None:
            scrub_warning(warning_message, redactor)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        redactor = _active(config)
        junit = getattr(config.option, "xmlpath", None)
        if redactor is not None and junit and not hasattr(config, "workerinput"):
            scrub_file(Path(junit), redactor)  # record_xml_attribute & co. write it directly
        if logging.getLogRecordFactory() == self._record:
            logging.setLogRecordFactory(self._previous_factory)


def scrub_any_report(report: pytest.TestReport | pytest.CollectReport, redactor: Redactor) -> None:
    """Scrub a report's text, its user properties and the plugin's own attributes."""
    scrub_report(report, redactor)  # type: ignore[arg-type]
    properties = getattr(report, "user_properties", None)
    if properties:
        report.user_properties = [redactor.mask(tuple(p)) for p in properties]
    reason = getattr(report, "wasxfail", None)
    if isinstance(reason, str) and reason in redactor:
        report.wasxfail = redactor.scrub(reason)  # type: ignore[union-attr]
    for name, value in list(vars(report).items()):
        if name.startswith("awshealth_"):
            setattr(report, name, redactor.mask(value))


def scrub_file(path: Path, redactor: Redactor) -> None:
    """Rewrite a report file that other plugins wrote, when it shows a secret."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    if text in redactor:
        path.write_text(redactor.scrub(text), encoding="utf-8")


def scrub_warning(message: Any, redactor: Redactor) -> None:
    """Rewrite a ``warnings.WarningMessage`` in place when its text shows a secret."""
    text = str(message.message)
    if text in redactor:
        message.message = _rebuilt_warning(message.message, redactor.scrub(text))
    if isinstance(message.line, str) and message.line in redactor:
        message.line = redactor.scrub(message.line)


def _rebuilt_warning(warning: Any, text: str) -> Warning:
    category = type(warning) if isinstance(warning, Warning) else UserWarning
    try:
        rebuilt = category(text)
        if str(rebuilt) == text:
            return rebuilt
    except Exception:  # a warning class with another signature
        pass
    return UserWarning(text)


def scrub_record(record: logging.LogRecord, redactor: Redactor) -> None:
    """Scrub a log record's message (with its arguments) and its traceback text."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is handled
        return
    if message in redactor:
        record.msg, record.args = redactor.scrub(message), ()
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        if text in redactor:
            record.exc_text = redactor.scrub(text)
    if record.stack_info and record.stack_info in redactor:
        record.stack_info = redactor.scrub(record.stack_info)
