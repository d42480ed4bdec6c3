"""Remediation hints: what is wrong, why, and the AWS CLI commands to diagnose and fix it."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, MutableMapping

from .deprecations import renamed_keys

Context = Mapping[str, Any]


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
        for field, heading in HEADINGS:
            items = getattr(self, field)
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
            self._values[field] = str(raw)
        return self._values[field]


class Catalog(MutableMapping[str, Hint]):
    """Hint templates by key, e.g. ``dynamodb.table.ttl_enabled``."""

    def __init__(self, entries: Mapping[str, Hint] | None = None) -> None:
        self._entries: dict[str, Hint] = dict(entries or {})

    def __getitem__(self, key: str) -> Hint:
        return self._entries[renamed_keys(key, self._entries)[0]]

    def __setitem__(self, key: str, hint: Hint) -> None:
        if not isinstance(hint, Hint):
            raise TypeError(f"catalog entry {key!r} must be a Hint, not {type(hint).__name__}")
        for name in renamed_keys(key, self._entries):  # a 0.1 key sets every probe it named
            self._entries[name] = hint

    def __delitem__(self, key: str) -> None:
        for name in renamed_keys(key, self._entries):
            del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def fill(self, key: str, context: Context) -> FilledHint | None:
        """The filled hint for ``key``, or None when the catalog has no such entry."""
        hint = self._entries.get(key)
        return hint.fill(context, key) if hint else None

    def render(self, key: str, context: Context) -> str | None:
        """The filled hint for ``key`` as text, or None when the catalog has no such entry."""
        filled = self.fill(key, context)
        return filled.text if filled else None

    @classmethod
    def builtin(cls) -> Catalog:
        """Every hint shipped with the plugin."""
        from .hints import builtin_hints

        return cls(builtin_hints())

