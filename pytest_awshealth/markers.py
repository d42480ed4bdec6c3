"""A test's markers, walked once: the plugin reads several marker names on every test
after collection, and a gate has thousands of tests."""

from __future__ import annotations

from typing import Any, Optional

import pytest

#: Per-node values for the session, by node or marker (plain dicts: a lookup is on
#: every test's path); :func:`forget` empties them when the session ends.
_CACHES: list[dict[Any, Any]] = []


def node_cache() -> dict[Any, Any]:
    """A dict of per-node (or per-marker) values that lasts until the session ends."""
    cache: dict[Any, Any] = {}
    _CACHES.append(cache)
    return cache


#: Each node's markers by name, its own then its parent's (so a module's tests share
#: the module's walk).
_MARKS: dict[Any, dict[str, list[pytest.Mark]]] = node_cache()


def marks(node: Any, name: str, *, remember: bool = True) -> list[pytest.Mark]:
    """``node.iter_markers(name)`` as a list, closest first, from a walk made once per
    node: read it once collection is done (hooks may still add markers during
    ``pytest_collection_modifyitems``). ``remember=False`` for a node read once (a
    test's definition, during parametrization): only its parents are kept."""
    return (_by_name(node) if remember else _walk(node)).get(name, [])


def closest(node: Any, name: str) -> Optional[pytest.Mark]:
    """``node.get_closest_marker(name)``, from the same walk."""
    found = _by_name(node).get(name)
    return found[0] if found else None


def _by_name(node: Any) -> dict[str, list[pytest.Mark]]:
    found = _MARKS.get(node)
    if found is None:
        found = _MARKS[node] = _walk(node)
    return found


def _walk(node: Any) -> dict[str, list[pytest.Mark]]:
    inherited = _by_name(node.parent) if node.parent else {}
    if not node.own_markers:
        return inherited
    found: dict[str, list[pytest.Mark]] = {}
    for mark in node.own_markers:
        found.setdefault(mark.name, []).append(mark)
    for name, more in inherited.items():
        found[name] = found[name] + more if name in found else more
    return found


def forget() -> None:
    """Drop every node's values (at the end of a session: the nodes go with it)."""
    for cache in _CACHES:
        cache.clear()
