"""Settings: each option resolved command line -> environment -> ini -> default, with its source."""

from __future__ import annotations

import os
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

    @property
    def flag(self) -> str:
        return "--aws-" + self.name.replace("_", "-")

    @property
    def dest(self) -> str:
        return "aws_" + self.name


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise ValueError("must be a finite number of seconds, 0 or more")
    return value


def _choice(*choices: str) -> Callable[[str], str]:
    def convert(text: str) -> str:
        if text not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return text

    return convert


def _retry_mode(text: str) -> str:
    if text not in ("standard", "adaptive", "legacy"):
        raise ValueError("must be one of standard, adaptive, legacy")
    return text


OPTIONS: tuple[Option, ...] = (
    Option("outputs", "deploy outputs file (Terraform, CDK, CloudFormation, SAM, Pulumi or "
           "flat JSON); repeat to merge several", ("AWSHEALTH_OUTPUTS",), repeatable=True,
           metavar="PATH"),
    Option("stack", "read outputs live from this CloudFormation stack (DescribeStacks)",
           ("AWSHEALTH_STACK",), metavar="NAME"),
    Option("region", "AWS region of the stack", ("AWS_REGION", "AWS_DEFAULT_REGION"),
           metavar="REGION"),
    Option("profile", "named AWS profile to use", ("AWS_PROFILE",), metavar="PROFILE"),
    Option("role_arn", "IAM role to assume for all checks", ("AWSHEALTH_ROLE_ARN",),
           metavar="ARN"),
    Option("external_id", "external ID for --aws-role-arn", ("AWSHEALTH_EXTERNAL_ID",),
           metavar="ID"),
    Option("endpoint_url", "endpoint for every AWS client (unset: botocore's AWS_ENDPOINT_URL "
           "and AWS_ENDPOINT_URL_<SERVICE> apply)", metavar="URL"),
    Option("retry_mode", "botocore retry mode: standard, adaptive or legacy",
           ("AWS_RETRY_MODE",), "standard", _retry_mode, metavar="MODE"),
    Option("max_attempts", "botocore attempts per call, first try included",
           ("AWS_MAX_ATTEMPTS",), 3, _positive_int, metavar="N"),
    Option("connect_timeout", "seconds to wait for a connection to AWS",
           ("AWSHEALTH_CONNECT_TIMEOUT",), 5.0, _positive_float, metavar="SECONDS"),
    Option("read_timeout", "seconds to wait for an AWS response",
           ("AWSHEALTH_READ_TIMEOUT",), 20.0, _positive_float, metavar="SECONDS"),
    # -- client resilience (retries, rate, fail-fast) ------------------------------------
    # -- verdicts -------------------------------------------------------------------------
    Option("inconclusive", "gate policy for checks that could not read the state: fail "
           "(exit 6), warn (exit 0, listed) or pass", ("AWSHEALTH_INCONCLUSIVE",), "fail",
           _choice("fail", "warn", "pass"), metavar="POLICY"),
    Option("settle", "re-check failing checks whose state is still converging (CREATING, "
           "PENDING, IN_PROGRESS...) for up to this many seconds", ("AWSHEALTH_SETTLE",), 0.0,
           _non_negative_float, metavar="SECONDS"),
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
        if opt.repeatable:
            parser.addini(opt.dest, opt.help, type="linelist")
        else:
            parser.addini(opt.dest, opt.help, type="string")


def resolve(config: pytest.Config, opt: Option, environ: Optional[dict[str, str]] = None) -> Setting:
    """Resolve one option: command line, then environment, then ini, then its default."""
    environ = dict(os.environ) if environ is None else environ
    raw, source = _raw_value(config, opt, environ)
    if raw is None:
        return Setting(opt.default, "default")
    try:
        value = [opt.convert(v) for v in raw] if opt.repeatable else opt.convert(raw)
    except ValueError as exc:
        raise ConfigError(f"{opt.flag}: invalid value {raw!r} ({source}): {exc}") from None
    return Setting(value, source)


def _raw_value(config: pytest.Config, opt: Option, environ: dict[str, str]) -> tuple[Any, str]:
    cli = config.getoption(opt.dest, None)
    if cli:
        return cli, "command line"
    for var in opt.env:
        if environ.get(var):
            text = environ[var]
            return (text.split(os.pathsep) if opt.repeatable else text), f"env {var}"
    ini = config.getini(opt.dest)
    if ini:
        return ini, f"ini {opt.dest}"
    return None, "default"


def load_settings(config: pytest.Config) -> Settings:
    """Resolve every option; raises :class:`ConfigError` on an invalid value."""
    return Settings({opt.name: resolve(config, opt) for opt in OPTIONS})


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
