"""Remediation hints: what is wrong, why, and the AWS CLI commands to diagnose and fix it;
the :class:`Catalog` that holds them by key."""

from __future__ import annotations

import re
import string
import threading
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Mapping, MutableMapping, Optional

Context = Mapping[str, Any]
#: ``{old_key: (new_key, ...)}``: keys that were renamed, each to the keys it now stands for.
Aliases = Mapping[str, tuple[str, ...]]


HEADINGS = (("causes", "Likely causes"), ("diagnose", "Diagnose (read-only)"), ("fix", "Fix"))


@dataclass(frozen=True)
class FilledHint:
    """A hint with every template field filled in: what the terminal shows, as data."""

    key: str
    title: str
    causes: tuple[str, ...] = ()
    diagnose: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The hint as plain text: the title, then causes, diagnose and fix as bullets."""
        lines = [self.title]
        for part, heading in HEADINGS:
            items = getattr(self, part)
            if items:
                lines.append(f"{heading}:")
                lines.extend(f"  {_bullet(item, heading)}{item}" for item in items)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (lists of strings), for reports that cross process boundaries."""
        return {"key": self.key, "title": self.title, "causes": list(self.causes),
                "diagnose": list(self.diagnose), "fix": list(self.fix)}


@dataclass(frozen=True)
class Hint:
    """A catalog entry; its texts are templates filled with ``{name}``, ``{region}``..."""

    title: str
    causes: tuple[str, ...] = ()
    diagnose: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()

    def fill(self, context: Context, key: str = "") -> FilledHint:
        """The hint with ``context`` filled in (each context value evaluated at most once)."""
        fill = _Filler(context)
        return FilledHint(key, fill(self.title), tuple(map(fill, self.causes)),
                          tuple(map(fill, self.diagnose)), tuple(map(fill, self.fix)))

    def render(self, context: Context) -> str:
        """The filled-in hint as plain text."""
        return self.fill(context).text


@dataclass(frozen=True)
class ByService(Hint):
    """A hint whose text depends on the AWS service that answered: ``services`` maps a
    signing name (``dynamodb``, ``lambda``...) to the hint for that service; the hint
    itself serves any other service, and a context that names none."""

    services: Mapping[str, Hint] = field(default_factory=dict, hash=False)

    def fill(self, context: Context, key: str = "") -> FilledHint:
        hint = self.services.get(service_of(context) or "")
        return hint.fill(context, key) if hint is not None else super().fill(context, key)


def service_of(context: Context) -> Optional[str]:
    """The signing name of the service a context is about, from its IAM ``action``
    (``dynamodb:DescribeTable`` -> ``dynamodb``)."""
    action = str(context.get("action") or "")
    return action.split(":", 1)[0] if ":" in action else None


COMMANDS = frozenset({"aws", "curl", "cdk", "dig", "export", "terraform", "sam", "pulumi",
                      "openssl", "nslookup", "unset", "make", "jq", "python", "python3", "pip"})


def _bullet(item: str, heading: str) -> str:
    """``$ `` before a shell command, ``- `` before prose."""
    if heading == "Likely causes":
        return "- "
    words = item.split(maxsplit=1)
    return "$ " if words and words[0] in COMMANDS else "- "


#: Templates say where a name came from as ``output '{output}'``; rendered as ``{source}``
#: so a handle made by name (``aws.lambda_fn("x")``) says that instead of a placeholder.
OUTPUT_PHRASE = re.compile(r"\boutput '\{output\}'")
SOURCE_FALLBACK = "the output or name the check uses"


class _Filler:
    """Fills templates; context values may be zero-argument callables, evaluated once if used."""

    def __init__(self, context: Context) -> None:
        self._context = context
        self._values: dict[str, str] = {}

    def __call__(self, template: str) -> str:
        template = OUTPUT_PHRASE.sub("{source}", template)
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        return template.format_map({f: self._value(f) for f in fields})

    def _value(self, field: str) -> str:
        if field not in self._values:
            fallback = SOURCE_FALLBACK if field == "source" else f"<{field}>"
            raw = self._context.get(field, fallback)
            try:
                raw = raw() if callable(raw) else raw
            except Exception:  # a hint must render even when AWS cannot answer
                raw = f"<{field}>"
            self._values[field] = _shown(raw)
        return self._values[field]


def _shown(value: object) -> str:
    """A value as a hint shows it: AWS timestamps to the minute, in UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return str(value)


class Catalog(MutableMapping[str, Hint]):
    """Hint templates by key, one lookup for all of them: each probe's
    (``dynamodb.table.ttl_enabled``), failed calls (``error.access_denied``), AWS error
    codes (``error.code.AccessDenied``) and HTTP statuses (``http.status.502``).

    ``aliases`` maps renamed keys to the keys they now stand for: reading, setting or
    deleting an old key works on the new ones, with a ``DeprecationWarning`` (setting an
    old key that covered several probes sets all of them). ``load`` supplies entries
    when the catalog is first used (the built-in hints come from every service module,
    which a session that never shows a hint need not import)."""

    def __init__(self, entries: Mapping[str, Hint] | None = None, *,
                 aliases: Aliases | None = None,
                 load: Callable[[], Mapping[str, Hint]] | None = None) -> None:
        self._given: dict[str, Hint] = dict(entries or {})
        self._aliases: dict[str, tuple[str, ...]] = dict(aliases or {})
        self._load = load
        self._lock = threading.Lock()

    @property
    def _entries(self) -> dict[str, Hint]:
        if self._load is not None:
            with self._lock:
                if self._load is not None:
                    self._given = {**self._load(), **self._given}
                    self._load = None
        return self._given

    def __getitem__(self, key: str) -> Hint:
        return self._entries[self._keys(key)[0]]

    def __setitem__(self, key: str, hint: Hint) -> None:
        if not isinstance(hint, Hint):
            raise TypeError(f"catalog entry {key!r} must be a Hint, not {type(hint).__name__}")
        for name in self._keys(key):
            self._entries[name] = hint

    def __delitem__(self, key: str) -> None:
        for name in self._keys(key):
            del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def _keys(self, key: str) -> tuple[str, ...]:
        """The keys ``key`` stands for: itself, or (with a warning) those it was renamed to."""
        new = self._aliases.get(key)
        if not new or key in self._entries:
            return (key,)
        warnings.warn(f"hint key {key!r} is deprecated, use {' / '.join(new)} (the probes' names)",
                      DeprecationWarning, stacklevel=3)
        return new

    def fill(self, key: str, context: Context) -> FilledHint | None:
        """The filled hint for ``key``, or None when the catalog has no such entry."""
        hint = self.get(key)
        return hint.fill(context, key) if hint is not None else None

    def render(self, key: str, context: Context) -> str | None:
        """The filled hint for ``key`` as text, or None when the catalog has no such entry."""
        filled = self.fill(key, context)
        return filled.text if filled else None
