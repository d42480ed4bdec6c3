"""One read cache per session: each distinct AWS read is made once, whichever handle asks.

Keyed by (service, region, operation, parameters), shared by every handle of one
:class:`~pytest_awshealth.clients.AwsContext` (a pytest session, or one xdist worker),
and safe across threads: a read asked for while another thread is making it waits for
that answer instead of making it again. Failures are kept as what they were (the
botocore error or the mapped :class:`~pytest_awshealth.errors.AwsCallError`), so every
reader gets the verdict it would have got by asking itself. :meth:`ReadCache.drop`
forgets entries (settling's re-checks, ``Resource.refresh``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, Mapping

Key = tuple[str, str, str, Hashable]


def read_key(service: str, region: str, operation: str, params: Mapping[str, Any]) -> Key:
    """The cache key of ``operation(**params)`` on ``service`` in ``region``."""
    return service, region, operation, frozen(params)


def frozen(value: Any) -> Hashable:
    """``value`` as a hashable, order-independent equivalent (dicts, lists, sets)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(repr(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


@dataclass(eq=False)
class _Flight:
    """A read being made; the others asking for it wait on ``done``."""

    done: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None
    made: bool = False  # False when the fetch raised: each waiter then asks again


class ReadCache:
    """Outcomes of AWS reads by :data:`Key` (thread-safe, single flight per key)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[Key, Any] = {}
        self._flights: dict[Key, _Flight] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def keys(self) -> list[Key]:
        """The keys kept (a snapshot)."""
        with self._lock:
            return list(self._entries)

    def get(self, key: Key, fetch: Callable[[], Any]) -> Any:
        """The outcome kept for ``key``, else ``fetch()``'s (kept for the next reader).
        An exception ``fetch`` raises is not kept: it is a bug to show, not an answer."""
        while True:
            with self._lock:
                if key in self._entries:
                    self.hits += 1
                    return self._entries[key]
                flight = self._flights.get(key)
                owner = flight is None
                if owner:
                    flight = self._flights[key] = _Flight()
                    self.misses += 1
            assert flight is not None
            if owner:
                return self._make(key, flight, fetch)
            flight.done.wait()
            if flight.made:
                return flight.outcome

    def _make(self, key: Key, flight: _Flight, fetch: Callable[[], Any]) -> Any:
        try:
            flight.outcome = fetch()
            flight.made = True
        finally:
            with self._lock:
                if self._flights.get(key) is flight:  # not dropped while in flight
                    del self._flights[key]
                    if flight.made:
                        self._entries[key] = flight.outcome
            flight.done.set()
        return flight.outcome

    def drop(self, keys: Iterable[Key]) -> None:
        """Forget ``keys``: the next reader asks AWS again (a read in flight is not kept)."""
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)
                self._flights.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._flights.clear()
