"""Running example gates: in-process on this worker's emulator (:func:`run_gate`, the
default), or as a real ``awshealth demo`` subprocess (:func:`demo`, one per example)."""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Optional

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Marks a test that runs a real ``awshealth demo`` subprocess (its own emulator).
demo_subprocess = pytest.mark.emulator


def demo(pytester: pytest.Pytester, example: str, *args: str) -> pytest.RunResult:
    """``python -m pytest_awshealth demo --example EXAMPLE ARGS...`` in a new process.
    Keep to one per example: :func:`run_gate` runs the same gate in-process."""
    return pytester.run(sys.executable, "-m", "pytest_awshealth", "demo", "--example", example,
                        *args, timeout=300)


def suspect_checks(example: str) -> tuple[str, ...]:
    """The checks that some break of ``example`` fails, sorted."""
    from pytest_awshealth.emulator.stacks import get_stack

    return tuple(sorted({check for b in get_stack(example).breaks.values() for check in b.fails}))


def verdicts(result: pytest.RunResult) -> dict[str, str]:
    """Test id -> PASSED/FAILED/INCONCLUSIVE, from ``-rA`` short summary lines (and the
    inconclusive summary's ``INCONCLUSIVE <nodeid> - <reason>`` lines)."""
    found = re.findall(r"^(PASSED|FAILED|INCONCLUSIVE) \S*::(\S+)", result.stdout.str(),
                       re.MULTILINE)
    return {test: verdict for verdict, test in found}


def failed(result: pytest.RunResult) -> list[str]:
    return sorted(test for test, verdict in verdicts(result).items() if verdict == "FAILED")


def inconclusive(result: pytest.RunResult) -> list[str]:
    return sorted(test for test, verdict in verdicts(result).items() if verdict == "INCONCLUSIVE")


def run_gate(pytester: pytest.Pytester, aws_env, api_stub, example: str, *args: str,
             breaks: tuple[str, ...] = (), before_run=None, plugins: tuple[Any, ...] = ()
             ) -> pytest.RunResult:
    """Provision ``example`` (with ``breaks``) on this process's emulator and run its gate
    in-process; ``aws_env`` and ``api_stub`` are the conftest fixtures. ``-n 2`` works too
    (workers inherit the emulator's environment). ``before_run(emulator)`` runs after the
    deploy, e.g. to inject faults; ``plugins`` (e.g. a :class:`CallRecorder`) join the run."""
    outputs = deploy(pytester, aws_env, api_stub, example, breaks)
    if before_run is not None:
        before_run(aws_env)
    return gate(pytester, example, outputs, *args, plugins=plugins)


def deploy(pytester: pytest.Pytester, aws_env, api_stub, example: str,
           breaks: tuple[str, ...] = ()) -> Path:
    """Provision ``example`` with ``breaks`` (:func:`provision`); the path of its outputs file."""
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    return stack.write_outputs(provision(aws_env, api_stub, example, breaks), pytester.path)


def provision(aws_env, api_stub, example: str, breaks: tuple[str, ...] = ()) -> Any:
    """``example``'s stack with ``breaks`` applied, on the wiped emulator of ``aws_env``: the
    healthy stack is provisioned once per process (and again after :data:`FRESH_FOR`
    seconds), then restored from its snapshot (1-2 ms, not 0.2-1.3 s)."""
    from pytest_awshealth.emulator.stacks import Deployment, get_stack

    stack = get_stack(example)
    key = (example, id(aws_env), api_stub.url)
    saved = _HEALTHY.get(key)
    if saved is not None and time.monotonic() - saved[0] < FRESH_FOR:
        _, resources, routes, names = saved
        aws_env.restore(resources)
        api_stub.restore(routes)
        return stack.apply(Deployment(aws_env, api_stub, copy.deepcopy(names)), breaks)
    deployment = stack.deploy(aws_env, api_stub)
    _HEALTHY[key] = (time.monotonic(), aws_env.snapshot(), api_stub.snapshot(),
                     copy.deepcopy(deployment.names))
    return stack.apply(deployment, breaks)


#: (example, emulator, API stub) -> (when, emulator snapshot, API routes, deploy names).
_HEALTHY: dict[tuple[str, int, str], tuple[float, Any, Any, Any]] = {}
#: How long a snapshot stands in for a new deploy: the stacks date their logs and metrics a
#: few minutes back, and the checks look 15 minutes back or more.
FRESH_FOR = 300.0


def gate(pytester: pytest.Pytester, example: str, outputs: Path, *args: str,
         plugins: tuple[Any, ...] = (), checks: tuple[str, ...] = ()) -> pytest.RunResult:
    """Run ``example``'s gate in-process on the deployed ``outputs``: all of it, or only
    ``checks`` (test names with their parameters, as a break's ``fails`` lists them)."""
    only = [OnlyChecks(checks)] if checks else []
    return pytester.runpytest_inprocess(str(EXAMPLES / example), "--aws-outputs", str(outputs),
                                        "-p", "no:cacheprovider", *args,
                                        plugins=[*plugins, *only])


class OnlyChecks:
    """Deselects every collected test but ``checks`` (``test_name[params]``), keeping the
    file's order (the order of the remediation hints)."""

    def __init__(self, checks: tuple[str, ...]) -> None:
        self.checks = set(checks)

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        config.hook.pytest_deselected(items=[i for i in items if i.name not in self.checks])
        items[:] = [i for i in items if i.name in self.checks]


def run_checks(pytester: pytest.Pytester, outputs: Mapping[str, Any], body: str,
               *args: str, plugins: tuple[Any, ...] | list[Any] = ()) -> pytest.RunResult:
    """Run ``body`` as ``test_checks.py`` in-process, with ``outputs`` as its outputs file
    (short node ids: the short summary then has room for each failure's reason)."""
    (pytester.path / "outputs.json").write_text(json.dumps(outputs))
    pytester.makepyfile(test_checks=body)
    return pytester.runpytest_inprocess("--aws-outputs", "outputs.json", "-p", "no:cacheprovider",
                                        *args, plugins=list(plugins))


def assert_probes_read_what_they_declare(emulator: Any, cls: type, name: str,
                                         **arguments: tuple[Any, ...]) -> None:
    """Read every probe of a fresh ``cls(name)`` on ``emulator``: each makes an AWS call,
    only calls the operations its ``reads`` declare (reads only, unless it says it runs
    something), and its docstring says what is healthy. ``arguments``: a method probe's."""
    from botocore import xform_name

    from pytest_awshealth.clients import AwsContext
    from pytest_awshealth.errors import AwsHealthError
    from pytest_awshealth.resources.registry import probes

    for probe_name, spec in probes(cls).items():
        calls: list[str] = []
        context = AwsContext(region=emulator.region, endpoint_url=emulator.url)
        create = context.client

        def client(service: str, region: Any = None, create: Any = create,
                   calls: list[str] = calls) -> Any:
            made = create(service, region)
            made.meta.events.register("before-call", lambda model, **_: calls.append(
                xform_name(model.name)), unique_id="declared-reads")
            return made

        context.client = client  # type: ignore[method-assign]
        handle = cls(name, aws=context)
        try:
            value = getattr(handle, probe_name)
            if callable(value):
                value(*arguments.get(probe_name, ()))
        except AwsHealthError:
            pass  # what it called until AWS said no still counts
        assert calls, f"{cls.__name__}.{probe_name} made no AWS call"
        assert set(calls) <= set(spec.operations(cls)), (probe_name, calls)
        reads = all(re.match(r"(describe|get|list|head|filter)_", op) for op in calls)
        assert reads == spec.read_only, (probe_name, calls)
        if probe_name in vars(cls):
            doc = getattr(cls, probe_name).__doc__ or ""
            assert "healthy" in doc, f"{cls.__name__}.{probe_name}: {doc!r}"


class CallRecorder:
    """A plugin recording every AWS call of a serial in-process run: ``calls`` holds
    ``(service, operation, params as JSON)``, ``before_tests`` how many came before the
    first test (the prefetch), ``reads`` the read cache's keys at the end."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.before_tests: Optional[int] = None
        self.reads: set[Any] = set()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from pytest_awshealth.state import STATE

        aws = session.config.stash[STATE].aws
        create = aws.client

        def client(service: str, region: Optional[str] = None) -> Any:
            made = create(service, region)
            made.meta.events.register("provide-client-params", self._record,
                                      unique_id="awshealth-call-recorder")
            return made

        aws.client = client  # type: ignore[method-assign]

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name,
                           json.dumps(params, sort_keys=True, default=str)))

    def pytest_runtest_setup(self) -> None:
        if self.before_tests is None:
            self.before_tests = len(self.calls)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from pytest_awshealth.state import STATE

        state = session.config.stash.get(STATE, None)
        if state is not None:
            self.reads = set(state.aws.reads.keys())

    def repeated(self) -> dict[tuple[str, str, str], int]:
        """Identical calls made more than once, with their counts."""
        counts = Counter(self.calls)
        return {call: n for call, n in counts.items() if n > 1}
