"""The ``aws_output`` marker: bind resource fixtures to deploy outputs."""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence, Union

import pytest

from .alternatives import Alternatives, is_single
from .resources import RESOURCE_TYPES

Ref = Union[str, Alternatives, Sequence[Union[str, Alternatives]]]
MARKER = "aws_output"
MARKER_HELP = (f"{MARKER}(**fixture_to_output): bind resource fixtures to deploy outputs by key "
               "or JSONPath; a list parametrizes, e.g. "
               "@pytest.mark.aws_output(s3_bucket=['logs_bucket', 'rules_bucket']); "
               "any_of('a', 'B') binds the first present key, optional('k') skips when absent")


def aws_output_signature(**bindings: Ref) -> dict[str, Ref]:
    """Validate marker arguments, so a bad call fails naming the bad argument."""
    if not bindings:
        raise TypeError("aws_output() needs at least one fixture=output binding")
    for fixture, ref in bindings.items():
        if fixture not in RESOURCE_TYPES:
            known = ", ".join(sorted(RESOURCE_TYPES))
            raise TypeError(f"aws_output(): unknown resource fixture {fixture!r}; known: {known}")
        refs = [ref] if is_single(ref) else ref
        if not isinstance(refs, (list, tuple)) or not refs or not all(
                isinstance(r, Alternatives) or (isinstance(r, str) and r) for r in refs):
            raise TypeError(f"aws_output({fixture}=...): expected an output key, a JSONPath, "
                            f"any_of(...)/optional(...), or a non-empty list of them, got {ref!r}")
    return bindings


_BINDINGS = pytest.StashKey[list[tuple[str, Ref]]]()


def bindings(node: Any) -> Iterator[tuple[str, Ref]]:
    """(fixture, ref) pairs from every ``aws_output`` marker, closest marker first; the
    markers of a node are validated once (kept in its stash)."""
    stash = getattr(node, "stash", None)
    found = stash.get(_BINDINGS, None) if stash is not None else None
    if found is None:
        found = [pair for marker in node.iter_markers(MARKER)
                 for pair in aws_output_signature(*marker.args, **marker.kwargs).items()]
        if stash is not None:
            stash[_BINDINGS] = found
    return iter(found)


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
    for fixture, ref in bindings(metafunc.definition):
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
            for m in node.iter_markers("aws_remediation")]
