"""Every handle type, registered by being defined: a service is one module in this package.

A :class:`~pytest_awshealth.resources.base.Resource` subclass that sets ``fixture``
registers itself when its module is imported; :func:`resource_types` imports every
module of the package once, so the plugin finds a new service without a list to edit.
:func:`declared` reads the same names from the modules' source without importing them,
so a session imports only the services its tests use.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..probes import ProbeSpec, probe_spec
from ..remediation import Hint

if TYPE_CHECKING:
    from .base import Resource

_types: dict[str, type[Resource]] = {}
#: The sorted, read-only view resource_types() returns, made once per registration.
_snapshot: list[Mapping[str, type[Resource]]] = []
#: fixture_names(), made once per registration.
_names: list[frozenset[str]] = []
#: Every handle type whose hints belong in the catalog, fixture or not (a user pool's
#: ``CognitoUser``, the caller identity), by module and name.
_cataloged: dict[tuple[str, str], type] = {}
_loaded = False
_lock = threading.Lock()
#: Modules of this package that hold no handle.
NOT_SERVICES = frozenset({"base", "registry"})


def register(cls: type[Resource]) -> None:
    """Record ``cls`` under its fixture name (called by ``Resource.__init_subclass__``)."""
    fixture = cls.__dict__["fixture"]
    known = _types.get(fixture)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise TypeError(f"fixture {fixture!r} is taken by {known.__module__}.{known.__qualname__}")
    _types[fixture] = cls
    _snapshot.clear()  # the next resource_types() sees the new type
    _names.clear()


def catalog(cls: type) -> type:
    """Add a handle type's hints to the catalog. Every ``Resource`` subclass is added by
    being defined; a handle of another kind says ``@catalog``."""
    _cataloged[(cls.__module__, cls.__qualname__)] = cls
    return cls


def service_modules() -> list[str]:
    """The names of this package's service modules."""
    package = importlib.import_module(__package__ or "pytest_awshealth.resources")
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__)
                  if info.name not in NOT_SERVICES and not info.name.startswith("_"))


@dataclass(frozen=True)
class Declaration:
    """A handle fixture as its module's source declares it."""

    fixture: str
    module: str  # the service module, e.g. "dynamodb"
    name: str  # the class, e.g. "DynamoTable"
    summary: str  # the first line of the class docstring


#: A class statement with its body's docstring opening, and a ``fixture = "name"`` line
#: (each at a line start; a literal prefix keeps the scan of every module near 1 ms).
_CLASS = re.compile(r'\nclass (\w+)\b[^:]*:\n(?:    r?"""(.*))?')
_FIXTURE = re.compile(r'\n    fixture = ["\'](\w+)["\']')
_declared: dict[str, Declaration] = {}


def declared() -> Mapping[str, Declaration]:
    """Every handle fixture the service modules declare (``fixture = "name"`` in a class
    body), read from their source: naming every fixture imports no service. A module
    whose source cannot be read is imported instead."""
    if not _declared:
        with _lock:
            if not _declared:
                found: dict[str, Declaration] = {}
                for module in service_modules():
                    found.update((d.fixture, d) for d in _declarations(module))
                _declared.update(sorted(found.items()))
    return _declared


def _declarations(module: str) -> Iterator[Declaration]:
    try:
        source = "\n" + Path(__file__).with_name(f"{module}.py").read_text(encoding="utf-8")
    except OSError:  # e.g. a zipped install: ask the module itself
        imported = importlib.import_module(f"{__package__}.{module}").__name__
        for fixture, cls in list(_types.items()):
            if cls.__module__ == imported:
                summary = (cls.__doc__ or cls.__name__).strip().splitlines()[0]
                yield Declaration(fixture, module, cls.__name__, summary)
        return
    classes = list(_CLASS.finditer(source))
    for match in _FIXTURE.finditer(source):
        owner = next(c for c in reversed(classes) if c.start() < match.start())
        summary = (owner.group(2) or owner.group(1)).replace('"""', "").strip()
        yield Declaration(match.group(1), module, owner.group(1), summary)


def lookup(fixture: str) -> type[Resource]:
    """The handle type of ``fixture``, importing only the module that declares it."""
    if fixture not in _types and fixture in declared():
        importlib.import_module(f"{__package__}.{declared()[fixture].module}")
    return _types[fixture]


def fixture_names() -> frozenset[str]:
    """Every handle fixture name: declared by a service module or registered since."""
    if not _names:
        _names.append(frozenset(declared()) | frozenset(_types))
    return _names[0]


def resource_types() -> Mapping[str, type[Resource]]:
    """Every registered handle type by fixture name (imports the service modules once)."""
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                for name in service_modules():
                    importlib.import_module(f"{__package__}.{name}")
                _loaded = True
    if not _snapshot:
        _snapshot.append(MappingProxyType(dict(sorted(_types.items()))))
    return _snapshot[0]


def probes(cls: type) -> dict[str, ProbeSpec]:
    """The probes a handle type declares or inherits, by attribute name."""
    found: dict[str, ProbeSpec] = {}
    for klass in reversed(cls.__mro__):
        for name, attribute in vars(klass).items():
            spec = probe_spec(attribute)
            if spec is not None:
                found[name] = spec
            else:  # a subclass may replace an inherited probe with a plain attribute
                found.pop(name, None)
    return found


def hints_of(cls: type[Resource]) -> dict[str, Hint]:
    """The catalog entries a handle type brings: its ``hints`` and each probe's own hint."""
    entries = {f"{cls.hint_prefix}.{key}": hint for key, hint in _named_hints(cls).items()}
    for spec in probes(cls).values():
        if isinstance(spec.hint, Hint):
            entries[f"{cls.hint_prefix}.{spec.name}"] = spec.hint
    return entries


def _named_hints(cls: type) -> dict[str, Hint]:
    merged: dict[str, Hint] = {}
    for klass in reversed(cls.__mro__):
        merged.update(vars(klass).get("hints", {}))
    return merged


def all_hints() -> dict[str, Hint]:
    """Every hint every registered handle brings, by catalog key."""
    entries: dict[str, Hint] = {}
    resource_types()  # imports every service module
    for cls in list(_cataloged.values()):
        entries.update(hints_of(cls))
    for name in service_modules():  # modules not yet declaring their hints on the handle
        entries.update(getattr(importlib.import_module(f"{__package__}.{name}"), "HINTS", {}))
    return entries


def handle_types() -> list[type[Resource]]:
    """Every registered handle type, once each (a type may serve several fixtures)."""
    return list(_unique(resource_types().values()))


def _unique(classes: Any) -> Iterator[type[Resource]]:
    seen: set[type] = set()
    for cls in classes:
        if cls not in seen:
            seen.add(cls)
            yield cls
