"""What a session costs before its first check: the plugin names every fixture from the
service modules' source without importing them, imports only the services its tests use,
reads the hint catalog only when a hint is shown, and registers its hook modules itself
(after its own, so their wrappers keep their order)."""

from __future__ import annotations

import json

import pytest

from pytest_awshealth.plugin import PLUGINS
from pytest_awshealth.remediation import Catalog, Hint
from pytest_awshealth.resources.registry import declared, resource_types

GATE = """
    import pytest

    @pytest.mark.aws_output(dynamo_table="table")
    def test_status(dynamo_table):
        assert dynamo_table.status == "ACTIVE"
"""

#: Written at the end of the session: the service modules that were imported.
LOADED = """
    import json, sys

    def pytest_unconfigure(config):
        loaded = sorted(m for m in sys.modules if m.startswith("pytest_awshealth.resources."))
        with open("loaded.json", "w") as stream:
            json.dump(loaded, stream)
"""


def test_the_source_scan_finds_every_handle_that_importing_registers() -> None:
    scanned = {d.fixture: (d.module, d.name, d.summary) for d in declared().values()}
    registered = {fixture: (cls.__module__.rsplit(".", 1)[1], cls.__name__,
                            (cls.__doc__ or cls.__name__).strip().splitlines()[0])
                  for fixture, cls in resource_types().items()}
    assert scanned == registered, (
        "write each handle's `fixture = \"name\"` as a literal line in its class body")


@pytest.mark.emulator
def test_a_session_imports_only_the_services_its_tests_use(pytester, write_outputs,
                                                           aws_env) -> None:
    from test_prefetch import tables

    tables(aws_env, "orders")
    write_outputs({"table": "orders"})
    pytester.makepyfile(GATE)
    pytester.makeconftest(LOADED)
    services = {f"pytest_awshealth.resources.{d.module}" for d in declared().values()}

    def imported(*args: str) -> set[str]:
        result = pytester.runpytest_subprocess("--aws-outputs", "outputs.json", *args)
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()
        return services & set(json.loads((pytester.path / "loaded.json").read_text()))

    assert imported("--collect-only") == set()  # naming fixtures imports no service
    assert imported() == {"pytest_awshealth.resources.dynamodb",
                          "pytest_awshealth.resources.cloudwatch"}  # a table's metrics


def test_the_catalog_is_read_when_first_used() -> None:
    one, two, mine = Hint("one"), Hint("two"), Hint("mine")
    loads: list[int] = []

    def load() -> dict[str, Hint]:
        loads.append(1)
        return {"t.one": one, "t.two": two}

    catalog = Catalog(load=load)
    assert loads == []
    catalog["t.two"] = mine  # a hook's override, set before anything was read, wins
    assert catalog["t.one"] is one and catalog["t.two"] is mine
    assert sorted(catalog) == ["t.one", "t.two"] and loads == [1]


def test_the_hook_modules_register_after_the_plugin_and_can_be_turned_off(pytester) -> None:
    manager = pytester.parseconfigure("-p", "no:pytest_awshealth.waivers").pluginmanager
    assert manager.get_plugin("pytest_awshealth.waivers") is None
    names = [name for name, plugin in manager.list_name_plugin() if plugin is not None]
    kept = [name for name in PLUGINS if name != "pytest_awshealth.waivers"]
    assert all(names.index("awshealth") < names.index(name) for name in kept)
