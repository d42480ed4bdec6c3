"""Keep sensitive values out of every report.

A :class:`Redactor` holds the run's sensitive values and masks them in text: each whole
value of at least ``MIN_LENGTH`` characters, and every fragment of ``FRAGMENT`` or more
characters of a value (``secret[:12]``, the parts of ``secret.split("-")``), in the
forms a value takes in reports (raw, JSON-escaped, Python ``repr``, the ``repr`` of
UTF-8 bytes botocore logs, URL-encoded, XML-escaped). The strings inside a JSON (or Python literal)
document are masked as values of their own; the document's keys and punctuation are not
fragments, so they are masked only where the whole document appears.

Masking is linear in the text length: the fragments are indexed as ``FRAGMENT``-grams,
and the text is probed every ``FRAGMENT // 2`` characters with half-length grams (any
matching window of ``FRAGMENT`` characters contains one probe), so only the windows
around a probe hit are looked up.
"""

from __future__ import annotations

import ast
import base64
import html
import json
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from botocore.client import BaseClient

MASK = "***"
MIN_LENGTH = 4  # shorter values are too common to mask without mangling reports
FRAGMENT = 8  # every substring this long (or longer) of a secret is masked too
_PROBE = FRAGMENT // 2
MAX_LITERAL = 1_000_000  # longer values are not parsed as documents
CREDENTIAL_MIN_LENGTH = 16  # AWS secret keys have 40 characters, session tokens hundreds


class SecretValue:
    """A secret string that prints as ``***``; ``reveal()`` returns the plain value.
    Every probe that takes a string accepts one (and nested in a dict or list)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretValue({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __eq__(self, other: object) -> bool:
        other = other.reveal() if isinstance(other, SecretValue) else other
        return self._value == other

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)


@dataclass(frozen=True)
class _Index:
    """An immutable snapshot of what to mask (swapped whole, so readers need no lock)."""

    grams: frozenset[str] = frozenset()  # every FRAGMENT-long substring of every form
    probes: frozenset[str] = frozenset()  # every _PROBE-long substring of the same forms
    exact: Optional[re.Pattern[str]] = None  # whole short values and whole documents

    def spans(self, text: str, first_only: bool = False) -> list[tuple[int, int]]:
        """Sorted, merged ``(start, end)`` ranges of ``text`` to mask."""
        found = self._fragment_spans(text, first_only)
        if first_only and found:
            return found
        if self.exact is not None:
            for match in self.exact.finditer(text):
                found.append(match.span())
                if first_only:
                    return found
        return _merged(found)

    def _fragment_spans(self, text: str, first_only: bool) -> list[tuple[int, int]]:
        if not self.grams:
            return []
        grams, probes, found = self.grams, self.probes, []
        last = len(text) - FRAGMENT
        checked = -1
        for probe in range(0, len(text) - _PROBE + 1, _PROBE):
            if text[probe:probe + _PROBE] not in probes:
                continue
            for start in range(max(probe - _PROBE, checked + 1, 0), min(probe, last) + 1):
                if text[start:start + FRAGMENT] in grams:
                    found.append((start, start + FRAGMENT))
                    if first_only:
                        return found
            checked = max(checked, min(probe, last))
        return found


class Redactor:
    """The run's sensitive values and the function that masks them: ``scrub(text)``
    for text, ``mask(obj)`` for nested plain data. Thread-safe."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._fragmented: set[str] = set()  # values whose fragments are masked
        self._exact: set[str] = set()  # values masked only whole
        self._seen: set[str] = set()
        self._index = _Index()
        self._lock = threading.Lock()
        self._reading = threading.local()
        self.update(values)

    def add(self, value: Any, min_length: int = MIN_LENGTH) -> None:
        """Treat ``value`` (a string, a :class:`SecretValue`, a number, or plain data:
        every string in it) as sensitive from now on. A string holding a JSON document
        is masked whole, and each string inside it as a value of its own."""
        self.update([value], min_length)

    add_secret = add  # the name resources use for a value they read

    def update(self, values: Iterable[Any], min_length: int = MIN_LENGTH) -> None:
        """:meth:`add` each of ``values``, rebuilding the index once."""
        fragmented: set[str] = set()
        exact: set[str] = set()
        seen: set[str] = set()
        for value in values:
            self._collect(value, min_length, fragmented, exact, seen)
        if not seen:
            return
        with self._lock:
            self._seen.update(seen)
            new = fragmented - self._fragmented
            self._fragmented.update(new)
            grew = not exact <= self._exact
            self._exact.update(exact)
            if new or grew:
                self._rebuild(new, grew)

    def _collect(self, value: Any, min_length: int, fragmented: set[str], exact: set[str],
                 seen: set[str]) -> None:
        if isinstance(value, SecretValue):
            value = value.reveal()
        if isinstance(value, (dict, list, tuple)):
            self._collect_document(value, (json.dumps(value, default=str), str(value)),
                                   fragmented, exact, seen)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._collect(str(value), min_length, fragmented, exact, seen)
        elif (isinstance(value, str) and len(value) >= min_length
              and value not in self._seen and value not in seen):
            document = _document(value)
            if document is not None:
                self._collect_document(document, (value,), fragmented, exact, seen)
                return
            seen.add(value)
            (fragmented if len(value) >= FRAGMENT else exact).update(_forms(value))

    def _collect_document(self, document: Any, texts: tuple[str, ...], fragmented: set[str],
                          exact: set[str], seen: set[str]) -> None:
        seen.update(texts)
        exact.update(form for text in texts for form in _forms(text) if len(form) >= MIN_LENGTH)
        for leaf in _strings(document):
            self._collect(leaf, MIN_LENGTH, fragmented, exact, seen)

    def _rebuild(self, new_fragmented: set[str], exact_grew: bool) -> None:
        """Swap in an index with ``new_fragmented`` forms added (called under the lock)."""
        index = self._index
        grams = index.grams.union(_grams(new_fragmented, FRAGMENT))
        probes = index.probes.union(_grams(new_fragmented, _PROBE))
        pattern = index.exact
        if exact_grew:
            short = sorted(self._exact, key=len, reverse=True)
            pattern = re.compile("|".join(map(re.escape, short)))
        self._index = _Index(grams, probes, pattern)

    def __bool__(self) -> bool:
        return bool(self._seen)

    def __contains__(self, text: object) -> bool:
        """Whether ``text`` shows a sensitive value or a fragment of one."""
        return isinstance(text, str) and bool(self._index.spans(text, first_only=True))

    def scrub(self, text: str) -> str:
        """``text`` with every sensitive value and fragment replaced by ``***``."""
        if not isinstance(text, str) or not self._seen:
            return text
        spans = self._index.spans(text)
        if not spans:
            return text
        parts, end = [], 0
        for start, stop in spans:
            parts += [text[end:start], MASK]
            end = stop
        parts.append(text[end:])
        return "".join(parts)

    def mask(self, obj: Any) -> Any:
        """A copy of plain data (dicts, lists, tuples, strings) with every string
        scrubbed, keys included; a :class:`SecretValue` becomes ``***``."""
        if isinstance(obj, str):
            return self.scrub(obj)
        if isinstance(obj, SecretValue):
            return MASK
        if isinstance(obj, dict):
            return {self.mask(k): self.mask(v) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return type(obj)(self.mask(v) for v in obj)
        return obj

    def watch(self, client: BaseClient, credentials: Any = None) -> None:
        """Learn the secrets ``client`` reads (GetSecretValue, GetParameter of a
        SecureString) and the secret parts of its ``credentials`` (botocore
        ``Credentials``: secret key, session token) *before* botocore logs the request
        or the response, so its DEBUG dumps are masked too."""
        client.meta.events.register("before-parse", self._learn_from_response)
        if credentials is not None:
            client.meta.events.register("before-sign", self._credentials_learner(credentials))

    @contextmanager
    def reading_secrets(self) -> Iterator[None]:
        """Inside the block, every value this thread's watched clients read is a secret
        (a plain ``String`` parameter read with ``ssm_parameter.reveal()`` too)."""
        depth = getattr(self._reading, "depth", 0)
        self._reading.depth = depth + 1
        try:
            yield
        finally:
            self._reading.depth = depth

    def _learn_from_response(self, operation_model: Any, response_dict: dict[str, Any],
                             **_: Any) -> None:
        reader = SECRET_READERS.get(operation_model.name)
        body = response_dict.get("body")
        if reader is None or response_dict.get("status_code", 500) >= 300 or not isinstance(body, bytes):
            return
        try:
            answer = json.loads(body)
        except ValueError:
            return
        if isinstance(answer, dict):
            self.update(reader(answer, bool(getattr(self._reading, "depth", 0))))

    def _credentials_learner(self, credentials: Any) -> Callable[..., None]:
        def learn(**_: Any) -> None:  # refreshed credentials are learnt on their first use
            frozen = credentials.get_frozen_credentials()
            for value in (frozen.secret_key, frozen.token):
                self.add(value, CREDENTIAL_MIN_LENGTH)

        return learn


def reveal_all(obj: Any, on_secret: Optional[Callable[[str], None]] = None) -> Any:
    """``obj`` with each :class:`SecretValue` in it (also inside dicts, lists and tuples)
    replaced by its plain string; containers are copied only when they hold one."""
    if isinstance(obj, SecretValue):
        if on_secret is not None:
            on_secret(obj.reveal())
        return obj.reveal()
    if isinstance(obj, dict):
        revealed = {k: reveal_all(v, on_secret) for k, v in obj.items()}
        return revealed if any(revealed[k] is not v for k, v in obj.items()) else obj
    if isinstance(obj, (list, tuple)):
        items = [reveal_all(v, on_secret) for v in obj]
        changed = any(a is not b for a, b in zip(items, obj))
        return (items if isinstance(obj, list) else tuple(items)) if changed else obj
    return obj


def plain_arguments(handle: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
                    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments with each ``SecretValue`` (also in a dict or list) as its plain
    string, so every probe that takes a string takes a secret; each one revealed is
    registered with the handle's redactor."""
    redactor = getattr(getattr(handle, "aws", None), "redactor", None)
    learn = redactor.add if redactor is not None else None
    return reveal_all(args, learn), reveal_all(kwargs, learn)


# --------------------------------------------------------------------------- secret reads


def _secret_manager_values(answer: dict[str, Any], reading: bool) -> Iterator[str]:
    for value in [answer, *answer.get("SecretValues", [])]:
        if isinstance(value.get("SecretString"), str):
            yield value["SecretString"]
        if isinstance(value.get("SecretBinary"), str):
            yield value["SecretBinary"]
            yield base64.b64decode(value["SecretBinary"]).decode(errors="replace")


def _parameter_values(answer: dict[str, Any], reading: bool) -> Iterator[str]:
    """SecureString values; every value while a handle reads one as a secret."""
    parameters = [answer.get("Parameter") or {}, *answer.get("Parameters", [])]
    for parameter in parameters:
        secure = parameter.get("Type") == "SecureString"
        if (secure or reading) and isinstance(parameter.get("Value"), str):
            yield parameter["Value"]


#: API operations (JSON protocol) whose answers carry secret values, and how to find them.
SECRET_READERS: dict[str, Callable[[dict[str, Any], bool], Iterator[str]]] = {
    "GetSecretValue": _secret_manager_values,
    "BatchGetSecretValue": _secret_manager_values,
    "GetParameter": _parameter_values,
    "GetParameters": _parameter_values,
    "GetParametersByPath": _parameter_values,
    "GetParameterHistory": _parameter_values,
}


# --------------------------------------------------------------------------- helpers


def _forms(value: str) -> set[str]:
    """The spellings ``value`` takes in reports and logs."""
    json_ascii = json.dumps(value)[1:-1]
    json_utf8 = json.dumps(value, ensure_ascii=False)[1:-1]
    nested = json.dumps(json_ascii)[1:-1]  # a JSON document inside a JSON string
    forms = {value, json_ascii, json_utf8, nested, repr(value)[1:-1], html.escape(value),
             html.escape(value).replace("\n", "&#10;"), html.escape(value, quote=False),
             value.encode("unicode_escape").decode("ascii"),
             quote(value, safe=""), quote_plus(value)}
    forms.update([_bytes_repr(value), _bytes_repr(json_utf8), _bytes_repr(nested)])
    return forms


def _bytes_repr(text: str) -> str:
    return repr(text.encode("utf-8", errors="replace"))[2:-1]


def _grams(forms: Iterable[str], size: int) -> Iterator[str]:
    for form in forms:
        for start in range(len(form) - size + 1):
            yield form[start:start + size]


def _document(text: str) -> Any:
    """The JSON (or Python literal) container ``text`` spells, else None."""
    if text[:1] not in "{[(" or len(text) > MAX_LITERAL:
        return None
    for parse in (json.loads, ast.literal_eval):
        try:
            document = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(document, (dict, list, tuple)):
            return document
    return None


def _strings(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from _strings(value)
    elif isinstance(document, (list, tuple)):
        for value in document:
            yield from _strings(value)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
