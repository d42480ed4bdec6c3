"""The reference of every handle type, generated from the registry: the README's table of
resource types and ``REFERENCE.md`` (``python -m pytest_awshealth.reference``)."""

from __future__ import annotations

import inspect
import sys
from typing import Any

from .probes import ProbeSpec, probe_spec
from .resources.registry import probes, resource_types

#: Names every handle has (documented once, not per handle).
COMMON = ("exists", "healthy", "metric")


def _first_sentence(text: str | None) -> str:
    text = " ".join((text or "").split())
    head, dot, _ = text.partition(". ")
    return (head + (dot.strip() or "")).strip()


def _attribute(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in vars(klass):
            return vars(klass)[name]
    return None


def _returns(attribute: Any) -> str:
    target = attribute.fget if isinstance(attribute, property) else attribute
    annotation = inspect.signature(target).return_annotation if callable(target) else None
    if annotation in (None, inspect.Signature.empty, "Any"):
        return ""
    return str(annotation).replace("typing.", "")


def _call(name: str, attribute: Any) -> str:
    if isinstance(attribute, property):
        return f"`.{name}`"
    parameters = list(inspect.signature(attribute).parameters.values())[1:]
    return f"`.{name}({', '.join(p.name for p in parameters)})`"


def _healthy(spec: ProbeSpec) -> str:
    return "" if spec.ok is None else "judged"


def probe_lines(cls: type) -> list[str]:
    """One line per probe of ``cls``: call form, return type, what it says."""
    lines = []
    for name, spec in sorted(probes(cls).items()):
        if name in COMMON:
            continue
        attribute = _attribute(cls, name)
        returns = _returns(attribute)
        doc = _first_sentence(getattr(attribute, "__doc__", ""))
        lines.append(f"- {_call(name, attribute)}{f' -> `{returns}`' if returns else ''}: {doc}"
                     + ("" if spec.read_only else " (runs or sends something; never prefetched)"))
    return lines


def resource_table() -> str:
    """The README's table: fixture, handle class, probes (names only)."""
    rows = ["| fixture | handle | service | probes |", "| --- | --- | --- | --- |"]
    for fixture, cls in resource_types().items():
        names = [n for n in sorted(probes(cls)) if n not in COMMON]
        rows.append(f"| `{fixture}` | `{cls.__name__}` | {cls.service} | "
                    f"{', '.join(f'`{n}`' for n in names)} |")
    return "\n".join(rows)


def reference() -> str:
    """``REFERENCE.md``: every handle, its probes, their return types and docs."""
    parts = ["# Handle reference", "",
             "Generated from the handles themselves (`python -m pytest_awshealth.reference > "
             "REFERENCE.md`); a test keeps it current. Every handle also has `exists` (bool), "
             "`healthy` (bool: exists and its `healthy_when` probes are healthy) and "
             "`refresh()`; handles with CloudWatch metrics have "
             "`metric(name, stat=\"Sum\", minutes=60) -> MetricSum`.", ""]
    for fixture, cls in resource_types().items():
        summary = _first_sentence(cls.__doc__)
        healthy = ", ".join(f"`{n}`" for n in getattr(cls, "healthy_when", ())) or "exists"
        parts += [f"## `{fixture}`: `{cls.__name__}`", "", summary, "",
                  f"Catalog keys `{cls.hint_prefix}.<probe>`; `healthy` reads {healthy}.", "",
                  *probe_lines(cls), ""]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    sys.stdout.write(resource_table() + "\n" if "--table" in sys.argv else reference())
