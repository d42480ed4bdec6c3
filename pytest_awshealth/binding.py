"""The ``aws_output`` marker: bind resource fixtures to deploy outputs."""

from __future__ import annotations

import difflib
from typing import Any, Optional, Sequence, Union

import pytest

from .alternatives import Alternatives, is_single
from .markers import marks, node_cache
from .resources import RESOURCE_TYPES

Ref = Union[str, Alternatives, Sequence[Union[str, Alternatives]]]
MARKER = "aws_output"
MARKER_HELP = (f"{MARKER}(**fixture_to_output): bind resource fixtures to deploy outputs by key "
               "or JSONPath; a list parametrizes, e.g. "
               "@pytest.mark.aws_output(s3_bucket=['logs_bucket', 'rules_bucket']); "
               "any_of('a', 'B') binds the first present key, optional('k') skips when absent")


def aws_output_signature(*args: Any, **bindings: Ref) -> dict[str, Ref]:
    """Validate marker arguments, so a bad call fails naming the bad argument."""
    if args:
        raise TypeError(f"aws_output() takes fixture=output keywords, e.g. "
                        f"aws_output(dynamo_table={args[0]!r}); got {', '.join(map(repr, args))}")
    if not bindings:
        raise TypeError("aws_output() needs at least one fixture=output binding")
    for fixture, ref in bindings.items():
        if fixture not in RESOURCE_TYPES:
            close = difflib.get_close_matches(fixture, list(RESOURCE_TYPES), n=3)
            known = (f"did you mean {' or '.join(map(repr, close))}?" if close
                     else f"known: {', '.join(RESOURCE_TYPES)}")
            raise TypeError(f"aws_output(): unknown resource fixture {fixture!r}; {known}")
        refs = [ref] if is_single(ref) else ref
        if not isinstance(refs, (list, tuple)) or not refs or not all(
                isinstance(r, Alternatives) or (isinstance(r, str) and r) for r in refs):
            raise TypeError(f"aws_output({fixture}=...): expected an output key, a JSONPath, "
                            f"any_of(...)/optional(...), or a non-empty list of them, got {ref!r}")
    return bindings


#: Each marker's validated bindings, by the marker's id (the marker is kept, so its id
#: stays its own): a test's definition, its items and their parameters share markers.
_VALIDATED: dict[int, tuple[Any, list[tuple[str, Ref]]]] = node_cache()
#: Each node's pairs.
_PAIRS: dict[Any, list[tuple[str, Ref]]] = node_cache()


def bindings(node: Any, *, remember: bool = True) -> list[tuple[str, Ref]]:
    """(fixture, ref) pairs from every ``aws_output`` marker, closest marker first; each
    marker is validated once per session (``remember``: see :func:`.markers.marks`)."""
    found = _PAIRS.get(node)
    if found is not None:
        return found
    found = []
    for marker in marks(node, MARKER, remember=remember):
        known = _VALIDATED.get(id(marker))
        if known is None:
            known = _VALIDATED[id(marker)] = (
                marker, list(aws_output_signature(*marker.args, **marker.kwargs).items()))
        found.extend(known[1])
    if remember:
        _PAIRS[node] = found
    return found


def item_bindings(item: Any) -> list[tuple[str, Ref]]:
    """:func:`bindings` of a collected test, each list it was parametrized over replaced by
    the one output it checks."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return [(fixture, params[fixture] if fixture in params and not is_single(ref) else ref)
            for fixture, ref in bindings(item)]


def marker_problems(items: Sequence[Any]) -> list[str]:
    """One line per bad ``aws_output`` marker: the first test it is on, and what is wrong."""
    users: dict[str, list[str]] = {}
    for item in items:
        try:
            bindings(item)
        except TypeError as exc:
            users.setdefault(str(exc), []).append(item.nodeid)
    return [f"{first_test(ids)}: {problem}" for problem, ids in users.items()]


def first_test(nodeids: Sequence[str]) -> str:
    """``test_x.py::test_a (and 3 more)``: where a problem shared by several tests is shown."""
    unique = list(dict.fromkeys(nodeids))
    return unique[0] + (f" (and {len(unique) - 1} more)" if len(unique) > 1 else "")


def binding_for(node: Any, fixture: str) -> Optional[Ref]:
    """The closest binding of ``fixture``, or None."""
    return next((ref for name, ref in bindings(node) if name == fixture), None)


def param_id(ref: Union[str, Alternatives]) -> str:
    """A readable test id for a key or JSONPath: ``$.lambda_names.detector`` -> ``lambda_names.detector``."""
    if isinstance(ref, Alternatives):
        return ref.label
    return ref[2:] if ref.startswith("$.") else ref


def parametrize(metafunc: pytest.Metafunc) -> None:
    """Parametrize each fixture bound to a list of outputs."""
    done: set[str] = set()
    try:
        found = bindings(metafunc.definition, remember=False)
    except TypeError:  # a bad marker: one usage error once collection is done
        return
    for fixture, ref in found:
        if fixture in done or fixture not in metafunc.fixturenames:
            continue
        done.add(fixture)
        if not is_single(ref):
            metafunc.parametrize(fixture, list(ref), indirect=True,
                                 ids=[param_id(r) for r in ref])


def missing_binding_message(fixture: str, test: str, keys: Sequence[str]) -> str:
    """What to write when ``fixture`` is used without a binding."""
    example = keys[0] if keys else "<output key>"
    available = f" (outputs: {', '.join(keys[:8])}{', ...' if len(keys) > 8 else ''})" if keys else ""
    return (f"fixture '{fixture}' of {test} is not bound to an output; add "
            f"@pytest.mark.aws_output({fixture}=\"{example}\"){available}")


def aws_remediation_signature(text: str) -> str:
    """Validate ``@pytest.mark.aws_remediation(text)``."""
    if not isinstance(text, str) or not text.strip():
        raise TypeError(f"aws_remediation(text): expected advice text, got {text!r}")
    return text


def remediation_texts(node: Any) -> list[str]:
    """The advice of every ``aws_remediation`` marker on ``node``, closest first."""
    return [aws_remediation_signature(*m.args, **m.kwargs)
            for m in marks(node, "aws_remediation")]
