"""Shared fixtures for the plugin's own tests: one moto server per test process."""

from __future__ import annotations

import importlib
import json
from typing import Any, Iterator

# hypothesis's pytest plugin imports hypothesis in every run's terminal summary; imported
# here once, pytester's in-process runs keep it instead of importing it again (~3 s each).
import hypothesis.internal.observability  # noqa: F401
import pytest

from pytest_awshealth.emulator import Emulator, HttpStub

pytest_plugins = ["pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the emulator: ``-m "not emulator"`` is the unit loop."""
    for item in items:
        if "emulator" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.emulator)


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """A moto server on 127.0.0.1, shared by this process's tests (xdist: one per worker)."""
    with Emulator() as server:
        preload_moto_backends()
        yield server


def preload_moto_backends() -> None:
    """Import moto's service modules up front: pytester's in-process runs drop modules
    first imported inside them, which would split moto's state in two (and re-import
    boto3 on every run). One for every handle's service, so a new handle needs no edit."""
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
def api_stub() -> Iterator[HttpStub]:
    """A local HTTP server standing in for an API."""
    with HttpStub() as stub:
        yield stub


@pytest.fixture
def write_outputs(pytester: pytest.Pytester):
    """Write an outputs file into the pytester project: ``write_outputs({"k": "v"})``."""

    def write(data: Any, name: str = "outputs.json") -> str:
        (pytester.path / name).write_text(json.dumps(data))
        return name

    return write
