"""What botocore's waiter definitions say about a state: the states a waiter keeps
waiting through (``retry``), gives up on (``failure``) or stops at (``success``).

Probes declare their "not yet" states from these, so the plugin and ``aws ... wait``
agree on what is still converging. botocore loads only when a waiter is first asked.
"""

from __future__ import annotations

import functools
from typing import Any, Optional

PATH_MATCHERS = ("path", "pathAll", "pathAny")


@functools.lru_cache(maxsize=None)
def _waiter_acceptors(service: str, waiter: str) -> tuple[Any, ...]:
    import botocore.session

    model = botocore.session.get_session().get_waiter_model(service)
    return tuple(model.get_waiter(waiter).acceptors)


@functools.lru_cache(maxsize=None)
def acceptor_states(service: str, waiter: str, state: str = "retry",
                    argument: Optional[str] = None) -> frozenset[str]:
    """The ``expected`` strings of ``waiter``'s path acceptors whose ``state`` is
    ``retry``, ``failure`` or ``success`` (only those reading ``argument``, if given):
    ``acceptor_states("lambda", "FunctionActive")`` is ``{"Pending"}``."""
    return frozenset(
        str(acceptor.expected) for acceptor in _waiter_acceptors(service, waiter)
        if acceptor.state == state and acceptor.matcher in PATH_MATCHERS
        and isinstance(acceptor.expected, str)
        and (argument is None or acceptor.argument == argument))
