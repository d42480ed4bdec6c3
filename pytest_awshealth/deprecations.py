"""Old names that keep working for one release, with a ``DeprecationWarning``."""

from __future__ import annotations

import warnings
from typing import Any, Optional


class renamed:  # noqa: N801 - used like ``property``
    """A handle attribute that moved: ``workgroup_exists = renamed("exists")`` reads
    ``exists`` (a property, or a method to call) and warns once per place it is used."""

    def __init__(self, new: str, *, since: str = "0.2") -> None:
        self.new = new
        self.since = since
        self.old = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.old = name
        self.__doc__ = f"Deprecated since {self.since}: use ``{self.new}``."

    def __get__(self, handle: Optional[Any], owner: Optional[type] = None) -> Any:
        if handle is None:
            return self
        cls = type(handle).__name__
        warnings.warn(f"{cls}.{self.old} is deprecated, use {cls}.{self.new}",
                      DeprecationWarning, stacklevel=2)
        return getattr(handle, self.new)


def warn_renamed_key(old: str, new: str) -> None:
    """Warn that the hint catalog key ``old`` is now ``new``."""
    warnings.warn(f"hint key {old!r} is deprecated, use {new!r} (the probe's name)",
                  DeprecationWarning, stacklevel=3)
