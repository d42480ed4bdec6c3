"""Waivers that expire: a known-broken check is reported as waived until a date.

``@pytest.mark.aws_waiver("why", until="2027-01-31")`` on a test, or an entry in the
``--aws-waivers FILE`` (TOML, YAML or JSON), keyed by a node id pattern (fnmatch)::

    ["tests/smoke/test_api.py::test_latency*"]
    reason = "p99 regression, fix in PROJ-123"
    owner = "team-api"
    until = 2027-01-31

A waived broken check is reported like an xfail (outcome skipped, ``wasxfail`` set,
category ``waived``, exit 0) with ``report.awshealth_verdict = "waived"``. The day after
``until`` it counts again, and says "waiver expired on ...". A waived check that passes
is listed as a waiver that can be removed. A waiver covers inconclusive checks (could
not check) only with ``inconclusive=True``: an unreadable state is another problem
than the known one the waiver names.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generator, Optional, Union

import pytest

from .errors import ConfigError
from .markers import closest
from .state import STATE
from .verdicts import BROKEN, INCONCLUSIVE, VERDICT_ATTR, WAIVED, verdict_of

MARKER = "aws_waiver"
MARKER_HELP = (f"{MARKER}(reason, until='YYYY-MM-DD', owner=None, inconclusive=False): report "
               "this check as waived, not broken, until the date (inclusive)")
WAIVER_ATTR = "awshealth_waiver"
SECTION = "awshealth waiver"
FILE_KEYS = {"reason": "why the check may fail (required)", "owner": "who fixes it (required)",
             "until": "last day the waiver holds, YYYY-MM-DD (required)",
             "inconclusive": "also waive inconclusive checks (default false)"}

# report.awshealth_waiver["status"]
APPLIED = "applied"          # the check is broken (or inconclusive and covered): waived
EXPIRED = "expired"          # the waiver ended: the check counts again
REMOVABLE = "removable"      # the check passes: the waiver is no longer needed
NOT_COVERED = "not_covered"  # inconclusive, and the waiver covers broken checks only


@dataclass(frozen=True)
class Waiver:
    """Why a check may fail, who owns the fix, and the last day that holds."""

    reason: str
    until: dt.date
    owner: Optional[str] = None
    inconclusive: bool = False
    source: str = "marker"

    def expired(self, today: dt.date) -> bool:
        return today > self.until

    def describe(self) -> str:
        owner = f", owner {self.owner}" if self.owner else ""
        return f"{self.reason} (until {self.until.isoformat()}{owner}; {self.source})"

    def as_dict(self, status: str) -> dict[str, Any]:
        return {"reason": self.reason, "owner": self.owner, "until": self.until.isoformat(),
                "inconclusive": self.inconclusive, "source": self.source, "status": status}


def _date(value: Any, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{what}: expected a date YYYY-MM-DD, got {value!r}")


def aws_waiver_signature(reason: str, until: Union[str, dt.date, None] = None, *,
                         owner: Optional[str] = None, inconclusive: bool = False) -> Waiver:
    """Validate ``@pytest.mark.aws_waiver(reason, until=..., owner=..., inconclusive=...)``."""
    if not isinstance(reason, str) or not reason.strip():
        raise TypeError(f"{MARKER}(reason, until=...): expected why the check may fail, "
                        f"got {reason!r}")
    if until is None:
        raise TypeError(f"{MARKER}({reason!r}): until='YYYY-MM-DD' is required "
                        "(every waiver expires)")
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise TypeError(f"{MARKER}(owner=...): expected a name, got {owner!r}")
    if not isinstance(inconclusive, bool):
        raise TypeError(f"{MARKER}(inconclusive=...): expected True or False, got {inconclusive!r}")
    try:
        day = _date(until, f"{MARKER}(until=...)")
    except ValueError as exc:
        raise TypeError(str(exc)) from None
    return Waiver(reason.strip(), day, owner, inconclusive)


# -- the waivers file ------------------------------------------------------------------

def load_waivers_file(path: Union[str, Path]) -> list[tuple[str, Waiver]]:
    """(node id pattern, waiver) pairs in file order; one :class:`ConfigError` names every
    bad entry (or why the file could not be read)."""
    path = Path(path)
    data = _read(path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(f"waivers file {path}: expected a mapping of node id patterns to "
                          f"waivers, got {type(data).__name__}")
    found, problems = [], []
    for pattern, entry in data.items():
        try:
            found.append((str(pattern), _entry(str(pattern), entry, path)))
        except ValueError as exc:
            problems.append(f"'{pattern}': {exc}")
    if problems:
        raise ConfigError(f"waivers file {path}: {len(problems)} bad entr"
                          f"{'y' if len(problems) == 1 else 'ies'}:\n  " + "\n  ".join(problems)
                          + "\n  each entry takes: " + "; ".join(f"{k} = {v}" for k, v in FILE_KEYS.items()))
    return found


def _entry(pattern: str, entry: Any, path: Path) -> Waiver:
    if not isinstance(entry, dict):
        raise ValueError(f"expected a table with {', '.join(FILE_KEYS)}, got {entry!r}")
    unknown = sorted(set(entry) - set(FILE_KEYS))
    missing = [k for k in ("reason", "owner", "until") if entry.get(k) in (None, "")]
    errors = [f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}"] if unknown else []
    errors += [f"missing {k}" for k in missing]
    for key in ("reason", "owner"):
        if key not in missing and not isinstance(entry[key], str):
            errors.append(f"{key}: expected text, got {entry[key]!r}")
    if "until" not in missing:
        try:
            _date(entry["until"], "until")
        except ValueError as exc:
            errors.append(str(exc))
    if not isinstance(entry.get("inconclusive", False), bool):
        errors.append(f"inconclusive: expected true or false, got {entry['inconclusive']!r}")
    if errors:
        raise ValueError("; ".join(errors))
    return Waiver(entry["reason"].strip(), _date(entry["until"], "until"), entry["owner"].strip(),
                  entry.get("inconclusive", False), f"{path.name} '{pattern}'")


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"waivers file {path} cannot be read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return _toml().loads(raw.decode("utf-8"))
        if suffix in (".yaml", ".yml"):
            return _yaml(path).safe_load(raw) if raw.strip() else None
        if suffix == ".json":
            return json.loads(raw) if raw.strip() else None
    except ConfigError:
        raise
    except Exception as exc:  # tomllib/yaml/json/unicode errors differ per library
        reason = " ".join(str(exc).split())
        raise ConfigError(f"waivers file {path} is not valid {suffix[1:].upper()}: {reason}") from None
    raise ConfigError(f"waivers file {path}: unknown format {suffix or '(no suffix)'!r}; "
                      "use .toml, .yaml/.yml (needs PyYAML) or .json")


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    import tomli  # the tomli dependency on Python < 3.11
    return tomli


def _yaml(path: Path) -> Any:
    try:
        import yaml
    except ImportError:
        raise ConfigError(f"waivers file {path} is YAML but PyYAML is not installed: "
                          "pip install pyyaml, or write the waivers as TOML") from None
    return yaml


# -- which waiver applies --------------------------------------------------------------

@dataclass(frozen=True)
class WaiverBook:
    """The waivers file's entries; a test's own marker wins over them."""

    entries: tuple[tuple[str, Waiver], ...] = ()

    def for_item(self, item: pytest.Item) -> Optional[Waiver]:
        marker = closest(item, MARKER)
        if marker is not None:
            return aws_waiver_signature(*marker.args, **marker.kwargs)
        return next((w for pattern, w in self.entries
                     if fnmatch.fnmatchcase(item.nodeid, pattern)), None)


BOOK = pytest.StashKey[WaiverBook]()
ITEM_WAIVER = pytest.StashKey[Waiver]()  # set on waived tests only


def today() -> dt.date:
    """The gate's date (local time; UTC on hosted CI runners)."""
    return dt.date.today()


# -- hooks -----------------------------------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


@pytest.hookimpl(trylast=True)  # after the plugin resolved the settings
def pytest_sessionstart(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    entries: list[tuple[str, Waiver]] = []
    if state.settings.is_set("waivers"):
        try:
            entries = load_waivers_file(state.settings["waivers"])
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
    session.config.stash[BOOK] = WaiverBook(tuple(entries))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Validate every selected test's waiver marker once, before anything runs."""
    book = session.config.stash.get(BOOK, None)
    if book is None:
        return
    for item in session.items:
        try:
            waiver = book.for_item(item)
        except TypeError as exc:
            raise pytest.UsageError(f"{item.nodeid}: {exc}") from None
        if waiver is not None:
            item.stash[ITEM_WAIVER] = waiver


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees the verdict set inside
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if ITEM_WAIVER in item.stash and report.when == "call":
        apply_waiver(report, item.stash[ITEM_WAIVER], today(),
                     stopping=bool(item.session.shouldstop))
    return report


def apply_waiver(report: pytest.TestReport, waiver: Waiver, day: dt.date,
                 stopping: bool = False) -> None:
    """Mark ``report`` waived, expired, removable or not covered (plain data, for xdist)."""
    verdict = verdict_of(report)
    if verdict not in (BROKEN, INCONCLUSIVE):
        if report.passed:
            setattr(report, WAIVER_ATTR, waiver.as_dict(REMOVABLE))
        return
    if stopping:  # credentials or configuration: the whole run is wrong, not this check
        return
    if verdict == INCONCLUSIVE and not waiver.inconclusive:
        setattr(report, WAIVER_ATTR, waiver.as_dict(NOT_COVERED))
        report.sections.append((SECTION, f"the waiver ({waiver.describe()}) covers broken "
                                         "checks only; add inconclusive=True to waive this"))
        return
    if waiver.expired(day):
        setattr(report, WAIVER_ATTR, waiver.as_dict(EXPIRED))
        _note_expired(report, waiver)
        return
    setattr(report, WAIVER_ATTR, waiver.as_dict(APPLIED))
    setattr(report, VERDICT_ATTR, WAIVED)
    report.outcome = "skipped"
    report.wasxfail = f"waived until {waiver.until.isoformat()}: {waiver.reason}"  # type: ignore[attr-defined]


def _note_expired(report: pytest.TestReport, waiver: Waiver) -> None:
    note = f"waiver expired on {waiver.until.isoformat()}"
    text = f"{note}: {waiver.describe()}; this check counts again"
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        crash.message = f"{note}: {crash.message}"
    addsection = getattr(report.longrepr, "addsection", None)
    if addsection is not None:
        addsection(SECTION, text)
    else:
        report.longrepr = f"{report.longrepr}\n\n{'-' * 20} {SECTION} {'-' * 20}\n{text}"


@pytest.hookimpl(tryfirst=True)  # before pytest's own xfail status
def pytest_report_teststatus(report: pytest.TestReport) -> Optional[tuple[str, str, Any]]:
    if getattr(report, VERDICT_ATTR, None) == WAIVED and report.when == "call":
        return "waived", "W", ("WAIVED", {"yellow": True})
    return None


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Every waived check, expired waiver and removable waiver, one line each."""
    lines = []
    for reports in list(terminalreporter.stats.values()):
        for report in reports:
            waiver = getattr(report, WAIVER_ATTR, None)
            if isinstance(waiver, dict) and getattr(report, "when", None) == "call":
                lines.append(_summary_line(report.nodeid, waiver))
    if lines:
        terminalreporter.write_sep("-", "awshealth waivers")
        for line in sorted(lines):
            terminalreporter.write_line(line)


def _summary_line(nodeid: str, waiver: dict[str, Any]) -> str:
    status, until, reason = waiver["status"], waiver["until"], waiver["reason"]
    owner = f", owner {waiver['owner']}" if waiver.get("owner") else ""
    if status == APPLIED:
        return f"WAIVED {nodeid} until {until}: {reason}{owner}"
    if status == EXPIRED:
        return f"EXPIRED {nodeid}: waiver expired on {until} ({reason}{owner}); it counts again"
    if status == REMOVABLE:
        return f"REMOVABLE {nodeid} passes: its waiver can be removed ({reason}, until {until})"
    return f"NOT WAIVED {nodeid} is inconclusive; the waiver covers broken checks only"
