"""Shared fixtures for the plugin's own tests: one moto server per test process, plus what
keeps the suite fast (see "Developing" in the README): what pytester's in-process runs
keep between them (``tests/inprocess.py``), and the slowest tests start first."""

from __future__ import annotations

import gc
import importlib
import json
from typing import Any, Iterator

import pytest

from pytest_awshealth.emulator import Emulator, HttpStub
from tests import inprocess

pytest_plugins = ["pytester"]

#: Started first, in this order (matched as node id prefixes), so that no worker is left
#: with one of them at the end: the 15 s settling wait, then the tests that start processes
#: (demo subprocesses, xdist workers) or run many example gates.
SLOW_FIRST = (
    "tests/test_settling.py::test_under_xdist_converges_after_15_s",
    "tests/test_prefetch.py::test_example_verdicts_do_not_depend_on_prefetch",
    "tests/test_examples.py::test_demo_command_runs_the_example",
    "tests/test_demo.py::test_mantissa_is_the_default_example",
    "tests/test_faults.py::test_throttling_never_fails_a_gate_under_xdist",
    "tests/test_init.py::test_generated_gate_passes_healthy_and_fails_breaks",
    "tests/test_faults.py::test_mantissa_gate_against_a_black_hole_is_bounded",
    "tests/test_examples.py::test_each_break_fails_exactly_its_checks",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the emulator (``-m "not emulator"`` is the unit loop) and
    every xdist variant (``[xdist]``, ``-m "not xdist"``: it starts worker processes); put
    :data:`SLOW_FIRST` first (a stable sort: the rest keeps its order)."""
    for item in items:
        if "emulator" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.emulator)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "xdist" in callspec.id.split("-"):
            item.add_marker(pytest.mark.xdist)

    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(SLOW_FIRST)
                     if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """A moto server on 127.0.0.1, shared by this process's tests (xdist: one per worker)."""
    with Emulator() as server:
        preload_moto_backends()
        gc.freeze()  # moto's heap stays: each collection (2 per in-process run) skips it
        yield server


def preload_moto_backends() -> None:
    """Import moto's service modules and URL maps up front (and boto3), one for every
    handle's service (a new handle needs no edit), so that no test pays for them and
    the server keeps using the classes the tests patch."""
    import boto3  # noqa: F401
    import botocore.session  # noqa: F401
    from moto.backends import get_backend

    from pytest_awshealth.resources.registry import handle_types

    services = {cls.service for cls in handle_types() if cls.service} | {"sts"}
    for service in sorted(MOTO_NAMES.get(s, s.replace("-", "")) for s in services):
        try:
            get_backend(service)  # type: ignore[arg-type]
            importlib.import_module(f"moto.{service}.urls")  # and the responses the server uses
        except ModuleNotFoundError:  # a service moto lacks: its tests use the answer layer
            pass


#: Handle ``service`` (boto3's name) -> moto's module name, where they differ beyond dashes.
MOTO_NAMES = {"lambda": "awslambda"}


@pytest.fixture
def aws_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A wiped emulator, with the AWS environment pointing at it."""
    emulator.reset()
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    for name in emulator.ENV_TO_UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWSHEALTH_OUTPUTS", raising=False)
    return emulator


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, whose runs (in-process, xdist workers, ``awshealth demo`` subprocesses)
    leave out hypothesis's plugin: importing hypothesis costs each new process ~0.7 s, and
    only this suite's own property tests use it."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    return pytester


@pytest.fixture(scope="session")
def api_server() -> Iterator[HttpStub]:
    """This process's local HTTP server standing in for an API (see ``api_stub``)."""
    with HttpStub() as stub:
        yield stub


@pytest.fixture
def api_stub(api_server: HttpStub) -> HttpStub:
    """A local HTTP server standing in for an API: no routes, no calls yet. One per process,
    so its URL (which stacks write into their resources) is the same for each test."""
    api_server.restore({})
    return api_server


@pytest.fixture
def write_outputs(pytester: pytest.Pytester):
    """Write an outputs file into the pytester project: ``write_outputs({"k": "v"})``."""

    def write(data: Any, name: str = "outputs.json") -> str:
        (pytester.path / name).write_text(json.dumps(data))
        return name

    return write


inprocess.keep_between_runs()
