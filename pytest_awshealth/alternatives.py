"""Bindings that name alternatives or may be absent, so one gate serves every IaC tool.

``aws_output(dynamo_table=any_of("state_table_name", "StateTableName"))`` binds the first
key the outputs hold (Terraform's snake_case or CDK's PascalCase); ``optional("key")`` or
``any_of(..., optional=True)`` skips the test, naming the keys, when none is there. A plain
list keeps its meaning: one test per output (parametrization).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Optional, Union

import pytest

from .errors import UnknownOutputError


@dataclass(frozen=True)
class Alternatives:
    """Output keys (or JSONPaths) of which the first present one is bound."""

    keys: tuple[str, ...]
    optional: bool = False

    def __post_init__(self) -> None:
        if not self.keys or not all(isinstance(k, str) and k for k in self.keys):
            raise TypeError(f"{self.helper}(): expected one or more output keys or JSONPaths, "
                            f"got {self.keys!r}")
        if not isinstance(self.optional, bool):
            raise TypeError(f"{self.helper}(optional=...): expected True or False, "
                            f"got {self.optional!r}")

    def __iter__(self) -> Iterator[str]:
        """The keys, so code that walks a binding's references sees each of them."""
        return iter(self.keys)

    @property
    def helper(self) -> str:
        return "optional" if self.optional and len(self.keys) == 1 else "any_of"

    def __repr__(self) -> str:
        keys = ", ".join(map(repr, self.keys))
        if self.helper == "optional":
            return f"optional({keys})"
        return f"any_of({keys}{', optional=True' if self.optional else ''})"

    @property
    def label(self) -> str:
        """A readable id: the keys joined by ``|``."""
        return "|".join(k[2:] if k.startswith("$.") else k for k in self.keys)

    def choose(self, outputs: Mapping[str, Any]) -> Optional[str]:
        """The first key ``outputs`` holds, or None."""
        return next((key for key in self.keys if key in outputs), None)

    def absent_reason(self, outputs: Mapping[str, Any], fixture: str) -> str:
        """Why nothing could be bound: every key's lookup error."""
        names = " or ".join(f"'{k}'" for k in self.keys)
        if self.optional:
            return f"optional {fixture}: no output {names} in these outputs"
        why = "; ".join(_lookup_error(outputs, key) for key in self.keys)
        return (f"none of the outputs {names} exists ({why}); wrap them in optional() or "
                f"any_of(..., optional=True) to skip when absent")


def any_of(*keys: str, optional: bool = False) -> Alternatives:
    """Bind the first of ``keys`` the outputs hold:
    ``aws_output(dynamo_table=any_of("state_table_name", "StateTableName"))``."""
    return Alternatives(tuple(keys), optional)


def optional(*keys: str) -> Alternatives:
    """Bind ``key`` (or the first of several) if present, else skip the test:
    ``aws_output(sns_topic=optional("alarm_topic_arn"))``."""
    return Alternatives(tuple(keys), True)


Leaf = Union[str, Alternatives]


def leaves(ref: Any) -> Iterator[Leaf]:
    """The single references of a binding: itself, or each element of a list."""
    if isinstance(ref, (str, Alternatives)):
        yield ref
    else:
        yield from ref


def is_single(ref: Any) -> bool:
    """Whether ``ref`` binds one output (not a parametrizing list)."""
    return isinstance(ref, (str, Alternatives))


def chosen(ref: Leaf, outputs: Mapping[str, Any], fixture: str) -> str:
    """The key to bind: ``ref`` itself, or the first present alternative; skips the test
    when an optional binding finds none (fails it when a required one does)."""
    __tracebackhide__ = True
    if isinstance(ref, str):
        return ref
    key = ref.choose(outputs)
    if key is None:
        reason = ref.absent_reason(outputs, fixture)
        if ref.optional:
            pytest.skip(reason)
        pytest.fail(reason, pytrace=False)
    return key


def binding_problem(outputs: Mapping[str, Any], leaf: Leaf, fixture: str) -> Optional[str]:
    """What is wrong with binding ``leaf`` against ``outputs`` (None if it binds or may skip)."""
    if isinstance(leaf, str) or leaf.optional or leaf.choose(outputs) is not None:
        return None
    return leaf.absent_reason(outputs, fixture)


def _lookup_error(outputs: Mapping[str, Any], key: str) -> str:
    try:
        outputs[key]
    except UnknownOutputError as exc:
        return str(exc)
    except Exception as exc:  # e.g. a masked secret: present, but not readable
        return str(exc)
    return f"'{key}' is present"
