"""Shared fixtures for the plugin's own tests: one moto server per test process, plus what
keeps the suite fast (see "Developing" in the README): library modules and botocore's
service models survive pytester's in-process runs, and the slowest tests start first."""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any, Iterator

# hypothesis's pytest plugin imports hypothesis in every run's terminal summary; imported
# here once, pytester's in-process runs keep it instead of importing it again (~3 s each).
import hypothesis.internal.observability  # noqa: F401
import pytest

import pytest_awshealth
from pytest_awshealth.emulator import Emulator, HttpStub
from pytest_awshealth.emulator.models import share_service_models

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


# -- speed: what every in-process run would otherwise do again

#: Folders of library modules: the standard library, this venv's packages, the plugin.
LIBRARY_ROOTS = tuple(sorted({
    *(os.path.join(sysconfig.get_paths()[key], "") for key in ("stdlib", "platstdlib",
                                                              "purelib", "platlib")),
    os.path.join(str(Path(pytest_awshealth.__file__).parent), "")}))


def _is_library(name: str) -> bool:
    """A module loaded from :data:`LIBRARY_ROOTS`, not from a pytester project or examples/."""
    path = getattr(sys.modules.get(name), "__file__", None)
    return isinstance(path, str) and path.startswith(LIBRARY_ROOTS)


def _keep_library_modules() -> None:
    """pytester drops every module first imported during a test or an in-process run, and
    the next run imports it again: moto's (the emulator imports them as requests arrive,
    ~300 for a Step Functions execution, and a second copy splits moto's state), boto3's,
    the plugin's lazy ones. Library modules stay; the runs' test modules and conftests (and
    anything else) are still dropped."""
    from _pytest import pytester as pytester_module

    snapshot = pytester_module.SysModulesSnapshot

    class KeepLibraries(snapshot):  # type: ignore[misc, valid-type]
        def __init__(self, preserve=None) -> None:
            super().__init__(preserve=lambda name: _is_library(name) or bool(
                preserve and preserve(name)))

    pytester_module.SysModulesSnapshot = KeepLibraries  # type: ignore[misc]


def _share_client_parts() -> None:
    """Every in-process run makes its own clients, and for each botocore builds a service
    model (scanning every operation for endpoint discovery) and writes a method for each
    operation (~1,000 for EC2): 4-5 ms of each client's 7.5. Both are kept per service and
    loader (one loader, see ``share_service_models``): the model is read-only, the methods
    only call ``self._make_api_call``, and each client class gets a copy of the methods'
    dict, to which the ``creating-client-class`` handlers add as before."""
    from botocore.client import ClientCreator

    models: dict[tuple[int, str, Any], Any] = {}
    methods: dict[int, dict[str, Any]] = {}
    load_service_model, create_methods = (ClientCreator._load_service_model,
                                          ClientCreator._create_methods)

    def shared_model(self: ClientCreator, service_name: str, api_version: Any = None) -> Any:
        key = (id(self._loader), service_name, api_version)
        if key not in models:
            models[key] = load_service_model(self, service_name, api_version)
        return models[key]

    def shared_methods(self: ClientCreator, service_model: Any) -> dict[str, Any]:
        if id(service_model) not in methods:
            methods[id(service_model)] = create_methods(self, service_model)
        return dict(methods[id(service_model)])

    ClientCreator._load_service_model = shared_model  # type: ignore[method-assign]
    ClientCreator._create_methods = shared_methods  # type: ignore[method-assign]


_keep_library_modules()
share_service_models()  # before the first in-process run: what the emulator does at start
_share_client_parts()
