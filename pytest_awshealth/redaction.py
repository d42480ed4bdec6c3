"""Keep sensitive values out of every report."""

from __future__ import annotations

import threading
from typing import Iterable

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
