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


class renamed_method(renamed):  # noqa: N801
    """A method that moved where the old name, read without calling it, was a trap
    (``assert secret.value`` always passed): ``value = renamed_method("reveal")``.
    Calling the old name warns and calls the new method; using it uncalled (a truth
    test, a comparison) raises ``TypeError`` saying what to call."""

    def __get__(self, handle: Optional[Any], owner: Optional[type] = None) -> Any:
        if handle is None:
            return self
        return _FormerMethod(handle, self.old, self.new)


class _FormerMethod:
    """``handle.<old>`` as read: callable for one release, never truthy."""

    __slots__ = ("_handle", "_old", "_new")

    def __init__(self, handle: Any, old: str, new: str) -> None:
        self._handle, self._old, self._new = handle, old, new

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        cls = type(self._handle).__name__
        warnings.warn(f"{cls}.{self._old}() is deprecated, use {cls}.{self._new}()",
                      DeprecationWarning, stacklevel=2)
        return getattr(self._handle, self._new)(*args, **kwargs)

    def _uncalled(self, *_: Any) -> Any:
        __tracebackhide__ = True
        cls = type(self._handle).__name__
        example = getattr(self._handle, "fixture", "handle")
        raise TypeError(f"{cls}.{self._old} is a method that was not called: "
                        f"use {cls}.{self._new}() (e.g. assert {example}.{self._new}())")

    __bool__ = __eq__ = __ne__ = _uncalled
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<deprecated method {type(self._handle).__name__}.{self._old}: call {self._new}()>"


class CallableCollection:
    """Mixin for a collection a property returns where a method used to be (``events()``
    became ``events``; :class:`renamed_method` is for a method that only moved): calling it
    (``cfn_stack.failed_events()``) keeps working for one release, with a
    ``DeprecationWarning``, and answers as the method that takes the arguments does."""

    _former: Optional[tuple[Any, str, str]] = None

    def formerly(self, handle: Any, old: str, method: str) -> Any:
        """Remember that ``handle.<old>()`` was a method, now ``handle.<method>(...)``."""
        self._former = (handle, old, method)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if self._former is None:
            raise TypeError(f"{type(self).__name__!r} object is not callable")
        handle, old, method = self._former
        cls = type(handle).__name__
        warnings.warn(f"{cls}.{old} is a property now: read {cls}.{old}, or call "
                      f"{cls}.{method}(...) for arguments", DeprecationWarning, stacklevel=2)
        return self if not args and not kwargs else getattr(handle, method)(*args, **kwargs)
