"""Copies of moto's resources, to put back later (:meth:`Emulator.snapshot`,
:meth:`Emulator.restore`): provision a stack once, restore it before each test.

A snapshot is every service's backends pickled in one pass, so references between them
(a target group's instances, a stack's resources) point into the same copy, and each
restore unpickles a fresh copy. Shared with the live process, not copied: moto's
``BackendDict`` s (module singletons, refilled on restore), classes, functions, and what
pickle cannot copy (cryptography's keys: values that never change). Locks
come back new and not held; weak mappings hold their values again; subclasses of
``defaultdict`` keep their attributes.
"""

from __future__ import annotations

import copyreg
import io
import operator
import pickle
import threading
import types
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

#: What a snapshot refers to instead of copying it.
_SHARED = (type, types.FunctionType, types.ModuleType)
_LOCKS = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_WEAK_MAPPINGS = (weakref.WeakValueDictionary, weakref.WeakKeyDictionary)


@dataclass(frozen=True)
class Snapshot:
    """moto's resources at one moment, and what the emulator keeps beside them."""

    pickled: bytes
    shared: tuple[Any, ...]


def take(**extra: Any) -> Snapshot:
    """Copy every backend moto holds, with ``extra`` (given back by :func:`put_back`)."""
    from moto.core.base_backend import BackendDict, backend_lock

    buffer = io.BytesIO()
    with backend_lock:
        pickler = _Pickler(buffer, tuple(BackendDict._instances))
        pickler.dump(([(live, dict(live)) for live in BackendDict._instances], extra))
    return Snapshot(buffer.getvalue(), tuple(pickler.shared))


def put_back(snapshot: Snapshot) -> dict[str, Any]:
    """Replace moto's backends with a fresh copy of ``snapshot``'s; its ``extra``."""
    from moto.core.base_backend import BackendDict, backend_lock

    backends, extra = _Unpickler(io.BytesIO(snapshot.pickled), snapshot.shared).load()
    with backend_lock:
        for live in BackendDict._instances:
            live.clear()
        BackendDict._instances[:] = [live for live, _ in backends]
        for live, accounts in backends:
            live.update(accounts)
    return extra


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, backend_dicts: tuple[Any, ...]) -> None:
        super().__init__(file, protocol=_PROTOCOL)
        self.shared: list[Any] = []
        self._ids: dict[int, int] = {}
        self._backend_dicts = {id(live) for live in backend_dicts}

    def persistent_id(self, obj: Any) -> Any:
        if obj is self.shared:
            return "shared"
        if isinstance(obj, _SHARED) or id(obj) in self._backend_dicts:
            return self._share(obj)
        return None

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) in _LOCKS:
            return _LOCKS[type(obj)], ()
        if isinstance(obj, _WEAK_MAPPINGS):
            return type(obj), (), None, None, iter(list(obj.items()))
        if isinstance(obj, weakref.WeakSet):
            return weakref.WeakSet, (list(obj),)
        if isinstance(obj, defaultdict) and type(obj) is not defaultdict:
            # its own reduce calls cls(default_factory): moto's SSM ParameterDict needs more
            return _new_defaultdict, (type(obj), obj.default_factory), vars(obj) or None, None, \
                iter(obj.items())
        if type(obj) in copyreg.dispatch_table:
            return NotImplemented
        try:
            return obj.__reduce_ex__(_PROTOCOL)
        except TypeError:  # pickle cannot copy it (a cryptography key): shared, as a value
            return operator.getitem, (self.shared, self._share(obj))

    def _share(self, obj: Any) -> int:
        if id(obj) not in self._ids:
            self._ids[id(obj)] = len(self.shared)
            self.shared.append(obj)
        return self._ids[id(obj)]


def _new_defaultdict(cls: type[defaultdict[Any, Any]], factory: Any) -> defaultdict[Any, Any]:
    made = defaultdict.__new__(cls)
    defaultdict.__init__(made, factory)
    return made


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, shared: tuple[Any, ...]) -> None:
        super().__init__(file)
        self._shared = shared

    def persistent_load(self, pid: Any) -> Any:
        return self._shared if pid == "shared" else self._shared[pid]
