"""Settings: each option resolved command line -> environment -> ini -> default, with its source."""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import pytest

from .errors import ConfigError


@dataclass(frozen=True)
class Option:
    """One ``--aws-*`` option with its ini twin and environment fallbacks."""

    name: str
    help: str
    env: tuple[str, ...] = ()
    default: Any = None
    convert: Callable[[str], Any] = str
    repeatable: bool = False
    metavar: str = "VALUE"
    shown: bool = True  # False: an invalid value is not echoed in the error

    @property
    def flag(self) -> str:
        return "--aws-" + self.name.replace("_", "-")

    @property
    def dest(self) -> str:
        return "aws_" + self.name


MAX_ATTEMPTS = 20
"""Most botocore attempts per call accepted (each one may wait the read timeout)."""
MAX_THROTTLE_ATTEMPTS = 30
"""Most attempts per throttled call accepted: after the ninth, each waits up to 20 s
(botocore's longest backoff), so 30 already allow about 7 minutes for one call."""
MAX_TIMEOUT = 3600.0
"""Longest connect/read timeout accepted, in seconds."""
MAX_SETTLE = 86400.0
"""Longest settle time accepted, in seconds."""
MAX_CONCURRENCY = 128
"""Most reads made at once (each is a thread and an open connection)."""

REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}\Z")
"""What a region name looks like: us-east-1, eu-central-2, us-gov-west-1, cn-north-1."""
_ROLE_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}\Z", re.ASCII)
_STACK = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,127}\Z|"
                    r"arn:aws(-[a-z]+)*:cloudformation:[a-z0-9-]+:[0-9]{12}:stack/\S+\Z")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}\Z", re.ASCII)


def _whole(text: str, low: int, high: Optional[int], expected: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(expected) from None
    if value < low or (high is not None and value > high):
        raise ValueError(expected)
    return value


def _concurrency(text: str) -> int:
    return _whole(text, 1, MAX_CONCURRENCY,
                  f"a whole number of reads at once from 1 to {MAX_CONCURRENCY}, e.g. 16")


def _attempts(text: str) -> int:
    return _whole(text, 1, MAX_ATTEMPTS,
                  f"a whole number of attempts from 1 to {MAX_ATTEMPTS}, e.g. 5")


def _throttle_attempts(text: str) -> int:
    return _whole(text, 1, MAX_THROTTLE_ATTEMPTS,
                  f"a whole number of attempts from 1 to {MAX_THROTTLE_ATTEMPTS}, e.g. 12")


def _seconds(text: str, low: float, high: float, expected: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(expected) from None
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(expected)
    return value


def _positive_float(text: str) -> float:
    expected = f"a number of seconds greater than 0 and at most {MAX_TIMEOUT:g}, e.g. 10"
    value = _seconds(text, 0.0, MAX_TIMEOUT, expected)
    if value == 0:
        raise ValueError(expected)
    return value


def _non_negative_float(text: str) -> float:
    return _seconds(text, 0.0, MAX_SETTLE,
                    f"a number of seconds from 0 to {MAX_SETTLE:g}, e.g. 300")


def _choice(*choices: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in choices:
            raise ValueError(f"one of {', '.join(choices)}")
        return text

    return convert


_retry_mode = _choice("standard", "adaptive", "legacy")


def _pattern(regex: re.Pattern[str], expected: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if not regex.match(text):
            raise ValueError(expected)
        return text

    return convert


def _word(expected: str) -> Callable[[str], str]:
    """A non-empty value without spaces (a profile name)."""
    def convert(text: str) -> str:
        if not text or any(c.isspace() or not c.isprintable() for c in text):
            raise ValueError(expected)
        return text

    return convert


def _path(text: str) -> str:
    if not text.strip():
        raise ValueError("the path of a JSON outputs file, e.g. terraform-outputs.json")
    return text


def _endpoint_url(text: str) -> str:
    expected = ("a URL with http:// or https:// and a host, e.g. http://127.0.0.1:5000 or "
                "https://s3.eu-west-1.amazonaws.com")
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:  # also an unclosed [IPv6 bracket
        raise ValueError(expected) from None
    if (parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() or not c.isprintable() for c in text)):
        raise ValueError(expected)
    return text


_region = _pattern(REGION, "an AWS region such as us-east-1, eu-central-2, us-gov-west-1 "
                            "or cn-north-1")
_role_arn = _pattern(_ROLE_ARN, "an IAM role ARN such as arn:aws:iam::123456789012:role/checker")
_stack = _pattern(_STACK, "a CloudFormation stack name (letters, digits, hyphens; starting with "
                          "a letter) or stack ARN, e.g. my-app-prod")
_external_id = _pattern(_EXTERNAL_ID, "an external ID of 2 to 1224 characters (letters, digits "
                                      "and +=,.@:/-)")
_profile = _word("a profile name from ~/.aws/config, e.g. prod-readonly")


OPTIONS: tuple[Option, ...] = (
    Option("outputs", "deploy outputs file (Terraform, CDK, CloudFormation, SAM, Pulumi or "
           "flat JSON); repeat to merge several", ("AWSHEALTH_OUTPUTS",), convert=_path,
           repeatable=True, metavar="PATH"),
    Option("stack", "read outputs live from this CloudFormation stack (DescribeStacks)",
           ("AWSHEALTH_STACK",), convert=_stack, metavar="NAME"),
    Option("region", "AWS region of the stack", ("AWS_REGION", "AWS_DEFAULT_REGION"),
           convert=_region, metavar="REGION"),
    Option("profile", "named AWS profile to use", ("AWS_PROFILE",), convert=_profile,
           metavar="PROFILE"),
    Option("role_arn", "IAM role to assume for all checks", ("AWSHEALTH_ROLE_ARN",),
           convert=_role_arn, metavar="ARN"),
    Option("external_id", "external ID for --aws-role-arn", ("AWSHEALTH_EXTERNAL_ID",),
           convert=_external_id, metavar="ID", shown=False),
    Option("endpoint_url", "endpoint for every AWS client (unset: botocore's AWS_ENDPOINT_URL "
           "and AWS_ENDPOINT_URL_<SERVICE> apply)", convert=_endpoint_url, metavar="URL"),
    Option("retry_mode", "retry mode: adaptive (retries plus a rate limiter shared by all "
           "clients), standard (retries only) or legacy (botocore's own, unchanged)",
           ("AWS_RETRY_MODE",), "adaptive", _retry_mode, metavar="MODE"),
    Option("max_attempts", "attempts per call for transient errors and 5xx, first try "
           "included (throttling: --aws-throttle-attempts)",
           ("AWS_MAX_ATTEMPTS",), 3, _attempts, metavar="N"),
    Option("connect_timeout", "seconds to wait for a connection to AWS",
           ("AWSHEALTH_CONNECT_TIMEOUT",), 5.0, _positive_float, metavar="SECONDS"),
    Option("read_timeout", "seconds to wait for an AWS response",
           ("AWSHEALTH_READ_TIMEOUT",), 20.0, _positive_float, metavar="SECONDS"),
    Option("sensitive", "an output (key or JSONPath) to mask like a Terraform sensitive "
           "one, for formats that cannot mark it (Pulumi --show-secrets, CDK, CloudFormation, "
           "plain JSON); repeat for several", ("AWSHEALTH_SENSITIVE",), repeatable=True,
           metavar="KEY"),
    # -- client resilience (retries, rate, fail-fast) ------------------------------------
    Option("throttle_attempts", "attempts per call when AWS throttles it, first try included "
           "(adaptive and standard modes)", ("AWSHEALTH_THROTTLE_ATTEMPTS",), 12, _throttle_attempts,
           metavar="N"),
    Option("concurrency", "AWS reads made at once while prefetching (shared out among "
           "xdist workers)", ("AWSHEALTH_CONCURRENCY",), 16, _concurrency, metavar="N"),
    Option("prefetch", "read what the selected tests will read, concurrently, before the "
           "first test: auto (on, except in pytest-xdist workers), on or off",
           ("AWSHEALTH_PREFETCH",), "auto", _choice("auto", "on", "off"), metavar="MODE"),
    # -- verdicts -------------------------------------------------------------------------
    Option("inconclusive", "gate policy for checks that could not read the state: fail "
           "(exit 6), warn (exit 0, listed) or pass", ("AWSHEALTH_INCONCLUSIVE",), "fail",
           _choice("fail", "warn", "pass"), metavar="POLICY"),
    Option("settle", "re-check failing checks whose state is still converging (CREATING, "
           "PENDING, IN_PROGRESS...) for up to this many seconds", ("AWSHEALTH_SETTLE",), 0.0,
           _non_negative_float, metavar="SECONDS"),
    Option("waivers", "waivers file (TOML, YAML or JSON): node id pattern -> reason, owner, "
           "until; a waived broken check passes the gate until that date",
           ("AWSHEALTH_WAIVERS",), metavar="FILE"),
    # -- reports --------------------------------------------------------------------------
    Option("report", "write a JSON report of every check (verdict, resource, probes, hint) "
           "to this file", ("AWSHEALTH_REPORT",), metavar="PATH"),
    Option("sarif", "write broken and inconclusive checks as SARIF 2.1.0 (code scanning) to "
           "this file", ("AWSHEALTH_SARIF",), metavar="PATH"),
    Option("github", "GitHub Actions annotations and job summary: auto (when GITHUB_ACTIONS="
           "true), on or off", ("AWSHEALTH_GITHUB",), "auto", _choice("auto", "on", "off"),
           metavar="MODE"),
    Option("summary", "the awshealth summary at the end of the run: on or off",
           ("AWSHEALTH_SUMMARY",), "on", _choice("on", "off"), metavar="MODE"),
    Option("policy_format", "how IAM statements are written in access-denied hints and by "
           "awshealth policy: json, terraform or cdk", ("AWSHEALTH_POLICY_FORMAT",), "json",
           _choice("json", "terraform", "cdk"), metavar="FORMAT"),
)


@dataclass(frozen=True)
class Setting:
    """A resolved value and where it came from."""

    value: Any
    source: str


@dataclass(frozen=True)
class Settings:
    """All resolved settings, keyed by option name."""

    values: dict[str, Setting] = field(default_factory=dict)
    #: Invalid values of variables shared with other AWS tools (AWS_REGION, AWS_PROFILE...):
    #: a usage error only in a run whose tests need AWS, so unrelated pytest runs still work.
    deferred: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name].value

    def source(self, name: str) -> str:
        return self.values[name].source

    def is_set(self, name: str) -> bool:
        return self.values[name].value not in (None, [], "")


def add_options(parser: pytest.Parser) -> None:
    """Register the ``awshealth`` option group and the ini twins."""
    group = parser.getgroup("awshealth", "AWS post-deploy health checks")
    for opt in OPTIONS:
        env = f" [env: {', '.join(opt.env)}]" if opt.env else ""
        group.addoption(opt.flag, dest=opt.dest, metavar=opt.metavar, help=opt.help + env,
                        action="append" if opt.repeatable else "store", default=None)
        # default None: an absent ini value is told apart from an explicitly empty one
        parser.addini(opt.dest, opt.help, type="linelist" if opt.repeatable else "string",
                      default=None)


def resolve(config: pytest.Config, opt: Option, environ: Optional[dict[str, str]] = None) -> Setting:
    """Resolve one option: command line, then environment, then ini, then its default.

    An empty value on the command line or in the ini file is an error; an empty
    environment variable counts as unset (as shells and CI systems write them).
    """
    environ = dict(os.environ) if environ is None else environ
    raw, source = _raw_value(config, opt, environ)
    if raw is None:
        return Setting(opt.default, "default")
    if raw in ("", []):
        raise ConfigError(_invalid(opt, raw, source, ""))
    try:
        value = [opt.convert(v) for v in raw] if opt.repeatable else opt.convert(raw)
    except ValueError as exc:
        raise ConfigError(_invalid(opt, raw, source, str(exc))) from None
    return Setting(value, source)


def _invalid(opt: Option, raw: Any, source: str, expected: str) -> str:
    """One line: the option, the value (unless hidden), its source and what to write."""
    empty = raw in ("", []) or (opt.repeatable and any(not str(v).strip() for v in raw))
    if empty:
        what = "empty value"
    else:
        what = f"invalid value {raw!r}" if opt.shown else "invalid value"
    if not expected:
        expected = _expected(opt)
    unset = "; omit it to leave it unset" if empty else ""
    return f"{opt.flag}: {what} ({source}): expected {expected}{unset}"


def _expected(opt: Option) -> str:
    try:
        opt.convert("")
    except ValueError as exc:
        return str(exc)
    return "a value"


def _raw_value(config: pytest.Config, opt: Option, environ: dict[str, str]) -> tuple[Any, str]:
    cli = config.getoption(opt.dest, None)
    if cli is not None:
        return cli, "command line"
    for var in opt.env:
        if environ.get(var):
            text = environ[var]
            return (text.split(os.pathsep) if opt.repeatable else text), f"env {var}"
    ini = config.getini(opt.dest)
    if ini is not None:
        return ini, f"ini {opt.dest}"
    return None, "default"


def load_settings(config: pytest.Config) -> Settings:
    """Resolve every option; one :class:`ConfigError` lists every invalid value.

    An invalid value of a shared ``AWS_*`` variable is kept in ``deferred`` instead (the
    option falls back to its default), for :mod:`~pytest_awshealth.preflight` to report.
    """
    values: dict[str, Setting] = {}
    problems: list[str] = []
    deferred: list[str] = []
    environ = dict(os.environ)  # read once, not once per option
    for opt in OPTIONS:
        try:
            values[opt.name] = resolve(config, opt, environ)
        except ConfigError as exc:
            source = _raw_value(config, opt, environ)[1]
            shared = source.startswith("env ") and not source.startswith("env AWSHEALTH_")
            (deferred if shared else problems).append(str(exc))
            values[opt.name] = Setting(opt.default, "default")
    if len(problems) == 1:
        raise ConfigError(problems[0])
    if problems:
        raise ConfigError(f"{len(problems)} invalid awshealth options:\n  " + "\n  ".join(problems))
    return Settings(values, tuple(deferred))


def header_lines(settings: Settings) -> list[str]:
    """Lines for the report header: each set option with its source."""
    shown = []
    for opt in OPTIONS:
        if not settings.is_set(opt.name) or settings.source(opt.name) == "default":
            continue
        value = settings[opt.name]
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        shown.append(f"{opt.name.replace('_', '-')}={text} ({settings.source(opt.name)})")
    if not settings.is_set("endpoint_url") and os.environ.get("AWS_ENDPOINT_URL"):
        shown.append(f"endpoint-url={os.environ['AWS_ENDPOINT_URL']} (botocore env AWS_ENDPOINT_URL)")
    return ["awshealth: " + "; ".join(shown)] if shown else ["awshealth: no outputs configured"]
