"""Probes: handle properties and methods that record what they saw, so a failing test
can be given the hint for the probe that found the problem.

A probe is declared once, on its handle, with everything about it: the hint
(:class:`~pytest_awshealth.remediation.Hint`), how its value is judged healthy, which
values are transitional, and the AWS operations it reads. Its catalog key follows from
where it is declared: ``<handle's hint_prefix>.<attribute name>``::

    class DynamoTable(Resource):
        status = field("TableStatus", equals("ACTIVE"), hint=Hint(...),
                       transitional=not_yet("CREATING", "UPDATING"))

        @probe(Hint(...), truthy, reads=("describe_time_to_live",))
        def ttl_enabled(self) -> bool: ...
"""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from contextvars import ContextVar
import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Optional, TypeVar, Union

from .errors import AwsCallError
from .redaction import plain_arguments

if TYPE_CHECKING:
    from .errors import CouldNotCheck
    from .remediation import Hint

F = TypeVar("F", bound=Callable[..., Any])
Check = Callable[[Any], bool]
#: ``(handle, value, **arguments) -> state``: the documented "not yet" state the value
#: shows (e.g. ``"CREATING"``), or None when the value is settled (healthy or terminally
#: wrong). ``arguments`` are the probe's own (``gsi_active(index="by_user")``).
Transition = Callable[..., Optional[str]]
NO_ARGUMENTS: Mapping[str, Any] = MappingProxyType({})


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
    #: The probe's arguments by parameter name (defaults filled in); hints can use them.
    arguments: Mapping[str, Any] = dataclasses.field(default_factory=lambda: NO_ARGUMENTS)
    #: Why whether the value is still converging could not be told: the transitional
    #: read's own failure (e.g. access denied to it); settling then cannot decide.
    unknown: Optional["CouldNotCheck"] = None


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
           state: Optional[str] = None, arguments: Mapping[str, Any] = NO_ARGUMENTS,
           unknown: Optional["CouldNotCheck"] = None) -> None:
    """Add a record to the active collection, if any (``state``: the "not yet" state seen;
    ``unknown``: why it could not be told)."""
    records = _records.get()
    if records is not None:
        records.append(ProbeRecord(resource, name, hint, value, healthy,
                                   state is not None, state, arguments, unknown))


@dataclass
class ProbeSpec:
    """Everything a probe declares; found on the probe's function as ``__probe__``."""

    #: The attribute the probe is declared as (set when its class is created).
    name: str
    #: The probe's hint, or a key relative to the handle's ``hint_prefix`` (a key the
    #: catalog gets from elsewhere: a ``pytest_awshealth_hints`` hook, an older handle).
    hint: Union["Hint", str, None]
    ok: Optional[Check] = None
    transitional: Optional[Transition] = None
    #: The AWS operations (boto3 method names) the probe may call; ``"describe"`` stands
    #: for the handle's ``describe_operations``, which is also what empty means.
    reads: tuple[str, ...] = ()
    #: False for probes that run or change something (an invocation, a query, a request):
    #: never prefetched, always asked for explicitly.
    read_only: bool = True
    doc: Optional[str] = None

    def key(self, handle: Any) -> str:
        """The catalog key of this probe's hint on ``handle``."""
        suffix = self.hint if isinstance(self.hint, str) else self.name
        return f"{handle.hint_prefix}.{suffix}"

    def operations(self, handle_type: Any) -> tuple[str, ...]:
        """The operations this probe may call on a handle of ``handle_type``."""
        described = tuple(getattr(handle_type, "describe_operations", ()))
        found: list[str] = []
        for read in self.reads or ("describe",):
            found.extend(described if read == "describe" else (read,))
        return tuple(dict.fromkeys(found))


def probe(hint: Union["Hint", str, None] = None, ok: Optional[Check] = None, *,
          transitional: Optional[Transition] = None, reads: tuple[str, ...] = (),
          read_only: bool = True) -> Callable[[F], F]:
    """Declare a handle method as a probe: its result is recorded with ``hint``, judged
    healthy by ``ok``, and, when not healthy, asked by ``transitional`` whether it is still
    converging (``transitional=not_yet("CREATING", "UPDATING")``). ``reads`` names the AWS
    operations it calls (default: the handle's ``describe_operations``); ``read_only=False``
    for probes that run or change something. Stack under ``@property`` for an attribute."""

    def decorate(func: F) -> F:
        spec = ProbeSpec(func.__name__, hint, ok, transitional, tuple(reads), read_only)
        signature = inspect.signature(func)
        takes_arguments = len(signature.parameters) > 1

        @functools.wraps(func)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            __tracebackhide__ = True
            args, kwargs = plain_arguments(self, args, kwargs)
            try:
                value = func(self, *args, **kwargs)
            except AwsCallError as exc:  # AWS said no: the test's line, not the plugin's
                raise exc.with_traceback(None)
            arguments = _bound(signature, self, args, kwargs) if takes_arguments else NO_ARGUMENTS
            if arguments:  # a secret passed in (or learnt by the probe) is kept masked
                arguments = _masked(self, arguments)
            healthy = None if ok is None else bool(ok(value))
            state = unknown = None
            if transitional is not None and healthy is not True:
                state, unknown = _state_of(transitional, self, value, arguments)
            record(self, spec.name, spec.key(self), value, healthy, state, arguments, unknown)
            return value

        wrapper.__probe__ = spec  # type: ignore[attr-defined]
        wrapper.transitional = transitional  # type: ignore[attr-defined]  # for docs and tests
        return wrapper  # type: ignore[return-value]

    return decorate


def field(path: str, ok: Optional[Check] = None, *, hint: Union["Hint", str, None] = None,
          transitional: Optional[Transition] = None, default: Any = None,
          then: Optional[Callable[[Any], Any]] = None, doc: Optional[str] = None,
          read: str = "describe", reads: tuple[str, ...] = ()) -> property:
    """A one-line probe: the value at ``path`` (a JMESPath, as in botocore's waiters) of
    what the handle's ``read`` method returns (its ``describe()`` unless told), or
    ``default`` when absent, passed through ``then`` if given:
    ``status = field("TableStatus", equals("ACTIVE"), hint=Hint(...))``. Without a hint
    it is a plain attribute, not a probe."""
    compiled: list[Any] = []

    def getter(self: Any) -> Any:
        __tracebackhide__ = True
        if not compiled:
            import jmespath

            compiled.append(jmespath.compile(path))
        found = compiled[0].search(getattr(self, read)())
        found = default if found is None else found
        return then(found) if then is not None else found

    getter.__doc__ = doc or f"``{path}`` of the {read} answer."
    if hint is None:
        return property(getter, doc=getter.__doc__)
    return _FieldProperty(probe(hint, ok, transitional=transitional, reads=reads)(getter), path)


class _FieldProperty(property):
    """A :func:`field` probe: a property that takes its name from the class body."""

    def __init__(self, getter: Callable[[Any], Any], path: str) -> None:
        super().__init__(getter, doc=getter.__doc__)
        self.__doc__ = getter.__doc__  # a subclass's instances show the class docstring otherwise
        self.path = path

    def __set_name__(self, owner: type, name: str) -> None:
        spec: ProbeSpec = self.fget.__probe__  # type: ignore[union-attr]
        spec.name = name
        self.fget.__name__ = self.fget.__qualname__ = name  # type: ignore[union-attr]


def probe_spec(attribute: Any) -> Optional[ProbeSpec]:
    """The :class:`ProbeSpec` of a class attribute (a probe method or property), if any."""
    target = attribute.fget if isinstance(attribute, property) else attribute
    return getattr(target, "__probe__", None)


def _masked(handle: Any, arguments: Mapping[str, Any]) -> Mapping[str, Any]:
    redactor = getattr(getattr(handle, "aws", None), "redactor", None)
    if not redactor:
        return arguments
    return MappingProxyType({k: redactor.mask(v) for k, v in arguments.items()})


def _bound(signature: inspect.Signature, handle: Any, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> Mapping[str, Any]:
    """The probe's arguments by name, defaults filled in (without ``self``)."""
    try:
        bound = signature.bind(handle, *args, **kwargs)
    except TypeError:
        return NO_ARGUMENTS
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop(next(iter(signature.parameters)), None)
    return MappingProxyType(arguments)


def _state_of(transitional: Transition, handle: Any, value: Any,
              arguments: Mapping[str, Any]) -> tuple[Optional[str], Optional["CouldNotCheck"]]:
    """The "not yet" state (or None), and the error when the read that would tell could
    not be made (denied, throttled...): then it is unknown whether the value settles. Any
    other failed read (the resource is gone) means "not settling"."""
    from .errors import AwsHealthError, CouldNotCheck

    try:
        state = call_with(transitional, arguments, handle, value)
    except CouldNotCheck as exc:
        return None, exc
    except AwsHealthError:
        return None, None
    return (None if state is None else str(state)), None


def call_with(func: Callable[..., Any], arguments: Mapping[str, Any], *args: Any) -> Any:
    """``func(*args, **arguments)``, passing only the probe arguments ``func`` accepts."""
    if not arguments:
        return func(*args)
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin: positional only
        return func(*args)
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return func(*args, **arguments)
    return func(*args, **{k: v for k, v in arguments.items() if k in parameters})


def not_yet(*states: str, of: Optional[Callable[..., Any]] = None) -> Transition:
    """Transitional while the value (or the status ``of(handle, **arguments)`` reads, for a
    probe whose value is derived from a status) is one of ``states``."""
    return _StateSet(lambda: frozenset(states), of)


def waiter_retries(service: str, waiter: str, argument: Optional[str] = None, *,
                   of: Optional[Callable[..., Any]] = None) -> Transition:
    """Transitional while the value (or ``of(handle)``) is a state botocore's ``waiter``
    keeps waiting through (its ``retry`` path acceptors, for ``argument`` if given)."""
    from .waiters import acceptor_states

    return _StateSet(lambda: acceptor_states(service, waiter, "retry", argument), of)


@dataclass(frozen=True)
class _StateSet:
    """A :data:`Transition` over a set of status strings, read lazily."""

    states: Callable[[], frozenset[str]]
    of: Optional[Callable[..., Any]] = None

    def __call__(self, handle: Any, value: Any, **arguments: Any) -> Optional[str]:
        status = value if self.of is None else call_with(self.of, arguments, handle)
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
