"""Checks made once, after collection and before any test runs (no AWS call).

* every output bound to a resource fixture holds a usable name (a non-empty string);
* tests that need AWS have a region (option, environment or profile) and valid shared
  ``AWS_*`` settings (not checked with ``--collect-only``, which calls nothing).

All problems are listed in one usage error.
"""

from __future__ import annotations

from typing import Any, Generator, Iterable, Optional

import pytest

from .binding import first_test, item_bindings
from .config import REGION, Settings
from .errors import AwsHealthError
from .outputs import Outputs, name_problem
from .resources import RESOURCE_TYPES
from .state import STATE, RunState

NO_REGION = ("no AWS region for {count} test(s) that call AWS (e.g. {example}): pass "
             "--aws-region REGION, set AWS_REGION, or set `region` in your AWS profile "
             "(`aws configure set region us-east-1`)")


USAGE_ERROR_KEY = "awshealth_usage_error"


@pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_collection_finish")
def pytest_collection_finish_shares_usage_error(
        session: pytest.Session) -> Generator[None, None, None]:
    """On an xdist worker, hand any usage error found after collection to the controller."""
    try:
        return (yield)
    except pytest.UsageError as exc:
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[USAGE_ERROR_KEY] = str(exc)
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """xdist controller: a worker's usage error ends the run as one usage error (exit 4)."""
    message = (getattr(node, "workeroutput", None) or {}).get(USAGE_ERROR_KEY)
    if message:
        dsession = node.config.pluginmanager.getplugin("dsession")
        if dsession is not None:  # let the other workers exit now, not at xdist's timeout
            dsession.triggershutdown()
        raise pytest.UsageError(message)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """One usage error for every unusable binding and a missing region."""
    state = session.config.stash.get(STATE, None)
    if state is None:
        return
    problems = binding_problems(state, session.items)
    collect_only = session.config.option.collectonly  # no AWS call: region not needed yet
    calling = [] if collect_only else [i for i in session.items if needs_aws(i, state.settings)]
    if calling:
        problems.extend(aws_problems(state.settings, calling))
    if len(problems) == 1:
        raise pytest.UsageError(problems[0])
    if problems:
        raise pytest.UsageError(f"{len(problems)} problems before any check could run:\n  "
                                + "\n  ".join(problems))


# --------------------------------------------------------------------------- bindings


def binding_problems(state: RunState, items: Iterable[pytest.Item]) -> list[str]:
    """One line per (fixture, output) pair whose value cannot name a resource."""
    if state.files is None:
        return []
    users: dict[str, list[str]] = {}
    known: dict[tuple[str, str], Optional[str]] = {}  # tests share outputs: read each once
    for item in items:
        for fixture, ref in item_bindings(item):
            if fixture not in RESOURCE_TYPES:
                continue
            for one in [ref] if isinstance(ref, str) else ref:
                if (fixture, one) not in known:
                    known[fixture, one] = _value_problem(state.files, one, fixture)
                problem = known[fixture, one]
                if problem:
                    users.setdefault(f"aws_output({fixture}=...): {problem}", []).append(
                        item.nodeid)
    return [f"{first_test(nodeids)}: {problem}" for problem, nodeids in users.items()]


def _value_problem(files: Outputs, ref: str, fixture: str) -> Optional[str]:
    try:
        value = files[ref]
    except AwsHealthError:  # unknown (reported by the plugin) or a Pulumi secret (at use)
        return None
    return name_problem(ref, value) or _arn_problem(ref, value, fixture)


def _arn_problem(ref: str, value: str, fixture: str) -> Optional[str]:
    """An ARN of another service than the fixture's (the ARN itself is not shown: an
    output may be sensitive)."""
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    services = RESOURCE_TYPES[fixture].arn_services()  # imports the handle's module
    if not services or parts[2] in services:
        return None
    return (f"output '{ref}' holds a {parts[2]} ARN; {fixture} needs the name or ARN of the "
            f"{RESOURCE_TYPES[fixture].kind} ({' or '.join(sorted(services))}): bind the output "
            "that names it")


# --------------------------------------------------------------------------- AWS settings


def needs_aws(item: pytest.Item, settings: Settings) -> bool:
    """Whether ``item`` uses a fixture that calls AWS."""
    names = getattr(item, "fixturenames", ())
    if "aws_context" in names or (settings.is_set("stack") and "aws_outputs" in names):
        return True
    return any(RESOURCE_TYPES[name].service for name in names if name in RESOURCE_TYPES)


def aws_problems(settings: Settings, items: list[pytest.Item]) -> list[str]:
    """Invalid shared AWS settings, an unknown profile or a missing region, for ``items``."""
    if settings.deferred:
        return list(settings.deferred)
    if settings.is_set("region") and not settings.is_set("profile"):
        return []
    try:
        region, source = profile_region(settings["profile"])
    except ValueError as exc:
        return [str(exc)]
    if settings.is_set("region"):
        return []
    if region is None:
        return [NO_REGION.format(count=len(items), example=items[0].nodeid)]
    if not REGION.match(region):
        return [f"region {region!r} ({source}) is not an AWS region: set one such as "
                "us-east-1, or pass --aws-region REGION"]
    return []


def profile_region(profile: Optional[str]) -> tuple[Optional[str], str]:
    """The region botocore's config chain finds (env, config file, profile), no AWS call."""
    import botocore.exceptions
    import botocore.session

    session = botocore.session.Session(profile=profile)
    try:
        region = session.get_config_variable("region")
    except botocore.exceptions.ProfileNotFound:
        raise ValueError(f"AWS profile {profile!r} is not in your AWS config "
                         "(~/.aws/config): create it with `aws configure --profile "
                         f"{profile}`, or pass --aws-profile with an existing one") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise ValueError(f"cannot read your AWS config: {exc}; fix the file or point "
                         "AWS_CONFIG_FILE at a valid one") from None
    where = f"profile {profile!r}" if profile else "your AWS config"
    return (str(region) if region else None), where
