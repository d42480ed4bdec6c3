"""Probes: handle properties and methods that record what they saw, so a failing test
can be given the hint for the probe that found the problem."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional, TypeVar

from .redaction import plain_arguments

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any], bool]


@dataclass(frozen=True)
class ProbeRecord:
    """One probe call: which resource, which hint, and whether the value looked healthy."""

    resource: Any
    name: str
    hint: str
    value: Any
    healthy: Optional[bool]
    #: True when the value is a documented "not yet" state (CREATING, PENDING...).
    transitional: bool = False


_records: ContextVar[Optional[list[ProbeRecord]]] = ContextVar("awshealth_probes", default=None)


@contextmanager
def recording() -> Iterator[list[ProbeRecord]]:
    """Collect the probe records made inside the block (the plugin wraps each test in one)."""
    records: list[ProbeRecord] = []
    token = _records.set(records)
    try:
        yield records
    finally:
        _records.reset(token)


def record(resource: Any, name: str, hint: str, value: Any, healthy: Optional[bool]) -> None:
    """Add a record to the active collection, if any."""
    records = _records.get()
    if records is not None:
        records.append(ProbeRecord(resource, name, hint, value, healthy))


def probe(hint: str, ok: Optional[Check] = None) -> Callable[[F], F]:
    """Mark a handle method as a probe: its result is recorded with ``hint``
    (relative to the handle's ``hint_prefix``) and judged healthy by ``ok``."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            args, kwargs = plain_arguments(self, args, kwargs)
            value = func(self, *args, **kwargs)
            healthy = None if ok is None else bool(ok(value))
            record(self, func.__name__, f"{self.hint_prefix}.{hint}", value, healthy)
            return value

        return wrapper  # type: ignore[return-value]

    return decorate


def truthy(value: Any) -> bool:
    """Healthy when truthy."""
    return bool(value)


def equals(expected: Any) -> Check:
    """Healthy when equal to ``expected``."""
    return lambda value: value == expected


def one_of(*expected: Any) -> Check:
    """Healthy when one of ``expected``."""
    return lambda value: value in expected


def empty(value: Any) -> bool:
    """Healthy when empty (e.g. no alarms firing, no error lines)."""
    return not value
