"""What each of pytester's in-process runs would otherwise do again (see "Developing" in
the README): the suite makes ~800 of them, each a whole pytest session. Nothing here
changes what a run sees; each cache is keyed by what it was computed from, or holds
what does not change while the suite runs (installed packages, library modules)."""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

# hypothesis's pytest plugin imports hypothesis in every run's terminal summary; imported
# here once, pytester's in-process runs keep it instead of importing it again (~3 s each).
import hypothesis.internal.observability  # noqa: F401

import pytest_awshealth
from pytest_awshealth.emulator.models import share_service_models


def keep_between_runs() -> None:
    """Install every cache below, before the first in-process run."""
    _keep_library_modules()
    _scan_library_plugins_once()
    _parse_failing_sources_once()
    _rewrite_each_source_once()
    _share_installed_distributions()
    share_service_models()  # what the emulator does at start
    _share_client_parts()



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


def _share_installed_distributions() -> None:
    """pytest and pluggy read every installed distribution's metadata in each run (entry
    points to load, files to rewrite, the header's plugin versions): ~10 ms of a bare
    in-process run, and pluggy's version twice. Nothing is installed while the suite runs,
    so the distributions are listed once, each keeps what it has parsed, and pluggy's
    version is read once."""
    import functools
    import importlib.metadata as metadata

    listed: list[Any] = []
    classes: dict[type, type] = {}
    distributions = metadata.distributions

    def keeping(cls: type) -> type:
        if cls not in classes:
            parsed = {name: functools.cached_property(getattr(cls, name).fget)
                      for name in ("metadata", "entry_points", "files")}
            classes[cls] = type(cls.__name__, (cls,), parsed)
        return classes[cls]

    def installed(**kwargs: Any) -> Any:
        if kwargs:
            return distributions(**kwargs)
        if not listed:
            for dist in distributions():
                dist.__class__ = keeping(type(dist))
                listed.append(dist)
        return iter(listed)

    metadata.distributions = installed  # type: ignore[assignment]
    import pluggy

    pluggy.__version__ = metadata.version("pluggy")  # read on each access (header, metadata)


def _scan_library_plugins_once() -> None:
    """In each run pytest scans every attribute of every plugin for fixtures (~17 ms of a
    bare in-process run, mostly pytest's own modules and objects). For a library plugin
    (see :func:`_is_library`) the names that can hold a fixture are listed once; plain
    functions, classes, modules and constants are left out of its later scans."""
    import types

    from _pytest import fixtures

    plain = (type, types.ModuleType, types.BuiltinFunctionType, str, bytes, int, float,
             tuple, list, dict, set, frozenset, type(None))
    listed: dict[int, tuple[object, list[str]]] = {}

    def can_hold_a_fixture(owner: Any, name: str) -> bool:
        found = next((vars(k)[name] for k in getattr(owner, "__mro__", (owner,))
                      if name in vars(k)), None)
        if isinstance(found, types.FunctionType):
            return hasattr(found, "__wrapped__")
        return not isinstance(found, plain)

    def names(holder: Any) -> list[str]:
        owner = holder if isinstance(holder, (type, types.ModuleType)) else type(holder)
        module = owner.__name__ if isinstance(owner, types.ModuleType) else owner.__module__
        if not _is_library(module):
            return dir(holder)
        if id(owner) not in listed:
            listed[id(owner)] = (owner, [n for n in dir(owner) if can_hold_a_fixture(owner, n)])
        return listed[id(owner)][1]

    fixtures.dir = names  # type: ignore[attr-defined]  # parsefactories' dir(holder)


def _parse_failing_sources_once() -> None:
    """The report of a failed or inconclusive check parses the whole file of each traceback
    entry to find the failing statement (~9% of the policy runs); the example modules fail
    in run after run, so each file's syntax tree is kept by its text."""
    import ast
    import warnings

    from _pytest._code import code

    statement_range = code.getstatementrange_ast
    trees: dict[str, ast.AST] = {}

    def parsed_once(lineno: int, source: Any, assertion: bool = False,
                    astnode: Any = None) -> Any:
        if astnode is None:
            text = str(source)
            if text not in trees:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    trees[text] = ast.parse(text, "source", "exec")
            astnode = trees[text]
        return statement_range(lineno, source, assertion, astnode)

    code.getstatementrange_ast = parsed_once  # type: ignore[assignment]


def _rewrite_each_source_once() -> None:
    """pytester drops the test modules a run imported, so the next run rewrites their
    asserts again, and with no bytecode cache (``PYTHONDONTWRITEBYTECODE``) it reads
    none back: the example gates' modules in every run. The rewritten code is kept by
    path and text (a changed file is rewritten)."""
    from _pytest.assertion import rewrite

    rewrite_test = rewrite._rewrite_test
    done: dict[tuple[str, bytes, bool], tuple[bytes, Any]] = {}

    def rewritten_once(fn: Path, config: Any) -> tuple[bytes, Any]:
        key = (str(fn), fn.read_bytes(), bool(config.getini("enable_assertion_pass_hook")))
        if key not in done:
            done[key] = rewrite_test(fn, config)
        return done[key]

    rewrite._rewrite_test = rewritten_once
