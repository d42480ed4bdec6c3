"""Keep sensitive values out of every report."""

from __future__ import annotations

import json
import threading
from typing import Any, Iterable, Iterator

MASK = "***"
MIN_LENGTH = 4  # shorter values are too common to mask without mangling reports


class Redactor:
    """A set of sensitive strings and a function that masks them in text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self.update(values)

    def add(self, value: str) -> None:
        """Treat ``value`` as sensitive from now on."""
        if isinstance(value, str) and len(value) >= MIN_LENGTH:
            with self._lock:
                self._values.add(value)

    def add_secret(self, text: str) -> None:
        """Treat a secret as sensitive, and each string in it when it is a JSON document
        (a test may compare or search one field, e.g. ``client_secret``)."""
        self.add(text)
        try:
            document = json.loads(text)
        except (TypeError, ValueError):
            return
        self.update(_strings(document))

    def update(self, values: Iterable[str]) -> None:
        for value in values:
            self.add(value)

    def __bool__(self) -> bool:
        return bool(self._values)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and any(v in text for v in self._values)

    def scrub(self, text: str) -> str:
        """``text`` with every sensitive value replaced by ``***``, longest first."""
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text


def _strings(document: Any) -> Iterator[str]:
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from _strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _strings(value)
