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
#: ``(handle, value) -> state``: the documented "not yet" state the value shows (e.g.
#: ``"CREATING"``), or None when the value is settled (healthy or terminally wrong).
Transition = Callable[[Any, Any], Optional[str]]


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
    #: The "not yet" state seen (e.g. ``"CREATING"``), when ``transitional``.
    state: Optional[str] = None


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


def resources_seen() -> list[Any]:
    """The handles whose probes the running check has read so far (none outside a check)."""
    records = _records.get() or []
    return list({id(r.resource): r.resource for r in records}.values())


def record(resource: Any, name: str, hint: str, value: Any, healthy: Optional[bool],
           state: Optional[str] = None) -> None:
    """Add a record to the active collection, if any (``state``: the "not yet" state seen)."""
    records = _records.get()
    if records is not None:
        records.append(ProbeRecord(resource, name, hint, value, healthy,
                                   state is not None, state))


def probe(hint: str, ok: Optional[Check] = None, *,
          transitional: Optional[Transition] = None) -> Callable[[F], F]:
    """Mark a handle method as a probe: its result is recorded with ``hint``
    (relative to the handle's ``hint_prefix``), judged healthy by ``ok``, and, when not
    healthy, asked by ``transitional`` whether it is still converging
    (``transitional=not_yet("CREATING", "UPDATING")``)."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            args, kwargs = plain_arguments(self, args, kwargs)
            value = func(self, *args, **kwargs)
            healthy = None if ok is None else bool(ok(value))
            state = None
            if transitional is not None and healthy is not True:
                state = _state_of(transitional, self, value)
            record(self, func.__name__, f"{self.hint_prefix}.{hint}", value, healthy, state)
            return value

        wrapper.transitional = transitional  # type: ignore[attr-defined]  # for docs and tests
        return wrapper  # type: ignore[return-value]

    return decorate


def _state_of(transitional: Transition, handle: Any, value: Any) -> Optional[str]:
    """The "not yet" state, or None; a read that fails only means "not known to settle"."""
    from .errors import AwsHealthError

    try:
        state = transitional(handle, value)
    except AwsHealthError:
        return None
    return None if state is None else str(state)


def not_yet(*states: str, of: Optional[Callable[[Any], Any]] = None) -> Transition:
    """Transitional while the value (or the status ``of(handle)`` reads, for a probe whose
    value is derived from a status) is one of ``states``."""
    return _StateSet(lambda: frozenset(states), of)


def waiter_retries(service: str, waiter: str, argument: Optional[str] = None, *,
                   of: Optional[Callable[[Any], Any]] = None) -> Transition:
    """Transitional while the value (or ``of(handle)``) is a state botocore's ``waiter``
    keeps waiting through (its ``retry`` path acceptors, for ``argument`` if given)."""
    from .waiters import acceptor_states

    return _StateSet(lambda: acceptor_states(service, waiter, "retry", argument), of)


@dataclass(frozen=True)
class _StateSet:
    """A :data:`Transition` over a set of status strings, read lazily."""

    states: Callable[[], frozenset[str]]
    of: Optional[Callable[[Any], Any]] = None

    def __call__(self, handle: Any, value: Any) -> Optional[str]:
        status = value if self.of is None else self.of(handle)
        return str(status) if isinstance(status, str) and status in self.states() else None

    @property
    def names(self) -> frozenset[str]:
        return self.states()


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
