"""Prefetch: before the first test runs, make the reads the selected tests will make, many
at once, so that each test finds its answers in the session's read cache
(:mod:`.readcache`) instead of waiting for them one after the other.

Which reads: for each selected test and each handle fixture it takes, the attribute names
its source reads on that argument (``dynamo_table.status``). Of those, the probes that are
read-only properties are evaluated on a handle bound exactly as the fixture will bind it;
a probe method that reads the primary describe (``dynamo_table.gsi_active(...)``), and a
handle whose use the source does not tell (passed to a helper...), get that describe.
Nothing that runs or changes anything (``read_only=False``) is evaluated, nothing is read
that the test would not read, and nothing is recorded into a test: its verdict comes from
its own reads, answered from the cache (a kept failure included).

The reads use the run's clients: the shared rate limiter, the throttling retries and the
endpoint breaker apply; rejected credentials stop the prefetch (and the first test that
reads them stops the run). ``--aws-prefetch=off`` turns it off; the default ``auto`` is
off in pytest-xdist workers, each of which would have to prefetch for the whole selection
(none knows which tests it will get): ``on`` makes them do so anyway. ``--aws-concurrency
N`` bounds the reads in flight (per run: shared out among xdist workers).
"""

from __future__ import annotations

import ast
import contextvars
import inspect
import textwrap
import threading
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Callable, Generator, Iterable, Optional

import pytest

from .alternatives import Alternatives
from .binding import binding_for
from .errors import AwsHealthError, ConfigError, CredentialsError
from .markers import closest, marks
from .outputs import name_problem
from .resources import RESOURCE_TYPES
from .resources.registry import probes
from .state import STATE
from .verdicts import PREFETCH_ATTR

if TYPE_CHECKING:
    from .outputs import Outputs
    from .resources.base import Resource
    from .state import RunState

#: In a set of attribute names: the source does not tell how the handle is used.
EVERY = "*"
#: A warm-up that is the handle's primary describe, not a probe.
DESCRIBE = "describe()"
#: The module defining the plugin's own fixtures: only handles they bind are prefetched.
FIXTURES_MODULE = "pytest_awshealth.fixtures"
_OUTCOMES = (Exception, pytest.skip.Exception, pytest.fail.Exception)


@dataclass
class Prefetched:
    """What one process prefetched (plain data: it goes onto a report)."""

    reads: int
    calls: int
    throttled: int
    seconds: float
    concurrency: int
    stopped: str = ""


PREFETCHED = pytest.StashKey[Prefetched]()
_REPORTED = pytest.StashKey[bool]()


# --------------------------------------------------------------------------- the source


def attributes_read(tree: Optional[ast.AST], argument: str) -> frozenset[str]:
    """The attribute names read on ``argument`` in ``tree``; :data:`EVERY` among them
    when it is also used otherwise (passed on, compared, assigned) or the source is lost."""
    if tree is None:
        return frozenset({EVERY})
    names = attributes = 0
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == argument:
            names += 1
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == argument):
            attributes += 1
            found.add(node.attr)
    if names > attributes:
        found.add(EVERY)
    return frozenset(found)


def function_tree(function: Callable[..., Any]) -> Optional[ast.AST]:
    """The syntax tree of ``function``'s source, or None when it cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(function)))
        return ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None


def warmups(cls: type[Resource], names: Iterable[str]) -> list[str]:
    """What to evaluate on a ``cls`` handle for a test reading ``names`` on it: read-only
    probe properties, or :data:`DESCRIBE`; in a stable order, once each."""
    declared = probes(cls)
    found: list[str] = []
    for name in sorted(names):
        found.extend(_warmup(cls, name, declared))
    return list(dict.fromkeys(found))


def _warmup(cls: type[Resource], name: str, declared: dict[str, Any]) -> list[str]:
    if name == EVERY:
        return [DESCRIBE]
    spec = declared.get(name)
    attribute = inspect.getattr_static(cls, name, None)
    if spec is None:
        return _composite(cls, name, attribute, declared)
    if not spec.read_only:
        return []
    if isinstance(attribute, property):
        return [name]
    return [DESCRIBE] if "describe" in (spec.reads or ("describe",)) else []


def _composite(cls: type[Resource], name: str, attribute: Any,
               declared: dict[str, Any]) -> list[str]:
    """``healthy`` (not a probe): ``exists`` and the ``healthy_when`` probes it reads."""
    from .resources.base import Resource

    if name != "healthy" or not isinstance(attribute, property):
        return []  # a plain attribute (name, region...) or an undeclared property
    if attribute is not inspect.getattr_static(Resource, "healthy"):
        return [DESCRIBE]  # a handle's own verdict: its primary describe at least
    parts = ["exists", *cls.healthy_when]
    return [p for p in parts if p in declared and declared[p].read_only
            and isinstance(inspect.getattr_static(cls, p, None), property)]


# --------------------------------------------------------------------------- the plan


class Plan:
    """The warm-ups for a selection of tests: (handle, probe name or :data:`DESCRIBE`)."""

    def __init__(self, state: RunState) -> None:
        self.state = state
        self.warmups: dict[tuple[int, str], tuple[Resource, str]] = {}
        self._handles: dict[tuple[type, str], Resource] = {}
        self._trees: dict[Any, Optional[ast.AST]] = {}
        self._outputs: Optional[tuple[Optional[Outputs]]] = None

    def add(self, item: pytest.Item) -> None:
        """Add what ``item`` will read on the handle fixtures its function takes."""
        function = getattr(item, "function", None)
        if function is None or _will_not_run(item):
            return
        for fixture in _handle_arguments(function):
            cls = RESOURCE_TYPES[fixture]
            if not cls.service or not _plugin_binds(item, fixture):
                continue  # not an AWS handle, or a conftest binds it its own way
            names = warmups(cls, attributes_read(self._tree(function), fixture))
            handle = self._handle(item, fixture, cls) if names else None
            for name in names if handle is not None else ():
                self.warmups.setdefault((id(handle), name), (handle, name))

    def _tree(self, function: Callable[..., Any]) -> Optional[ast.AST]:
        code = getattr(function, "__code__", function)
        if code not in self._trees:
            self._trees[code] = function_tree(function)
        return self._trees[code]

    def outputs(self) -> Optional[Outputs]:
        """The run's outputs, or None when there are none or they cannot be read (a live
        ``--aws-stack`` read is tried once; the tests then report why)."""
        if self._outputs is None:
            try:
                self._outputs = (self.state.outputs() if self.state.has_outputs else None,)
            except AwsHealthError:
                self._outputs = (None,)
        return self._outputs[0]

    def _handle(self, item: pytest.Item, fixture: str, cls: type[Resource]) -> Optional[Resource]:
        handle = bound_handle(item, fixture, cls, self.state, self.outputs)
        if handle is None:
            return None
        return self._handles.setdefault((cls, handle.name), handle)


def bound_handle(item: pytest.Item, fixture: str, cls: type[Resource], state: RunState,
                 outputs: Callable[[], Optional[Outputs]]) -> Optional[Resource]:
    """The handle the fixture will give ``item`` (as :func:`.fixtures.bound` makes it), or
    None when it will not give one (the test then fails or skips without reading)."""
    callspec = getattr(item, "callspec", None)
    ref = (callspec.params.get(fixture) if callspec is not None else None) \
        or binding_for(item, fixture)
    if ref is None:
        return cls(cls.default_name, aws=state.aws) if cls.default_name else None
    loaded = outputs()
    if loaded is None:
        return None
    if isinstance(ref, Alternatives):
        ref = ref.choose(loaded)
    if not isinstance(ref, str) or ref not in loaded:
        return None
    try:
        value = loaded[ref]
    except AwsHealthError:  # a sensitive output: the test says so itself
        return None
    return None if name_problem(ref, value) else cls(value, aws=state.aws, output=ref)


def _handle_arguments(function: Callable[..., Any]) -> list[str]:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return []
    return [name for name in parameters if name in RESOURCE_TYPES]


def _plugin_binds(item: pytest.Item, fixture: str) -> bool:
    """Whether the plugin's own fixtures give ``item`` its ``fixture`` handle (a conftest
    may override one, or ``aws_context``). pytest has no public API for the fixture a
    test will get; without its fixture manager nothing is prefetched."""
    manager = getattr(item.session, "_fixturemanager", None)
    if manager is None:
        return False
    for name in (fixture, "aws_context", "aws_outputs"):
        try:
            found = manager.getfixturedefs(name, item)
        except Exception:  # noqa: BLE001 - another pytest: do not guess
            return False
        if not found or getattr(found[-1].func, "__module__", "") != FIXTURES_MODULE:
            return False
    return True


def _will_not_run(item: pytest.Item) -> bool:
    """Skipped for sure, or possibly (a skipif whose condition is a string)."""
    if closest(item, "skip") is not None:
        return True
    for marker in marks(item, "skipif"):
        conditions = marker.args or (marker.kwargs.get("condition", True),)
        if any(isinstance(c, str) or c for c in conditions):
            return True
    xfail = closest(item, "xfail")
    return xfail is not None and xfail.kwargs.get("run", True) is False


# --------------------------------------------------------------------------- running


def concurrency_share(config: pytest.Config, concurrency: int) -> int:
    """This process's share of ``concurrency``: all of it, or under pytest-xdist a
    worker's part (xdist's ``workerinput`` says how many workers run)."""
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    return max(1, concurrency // max(1, int(workers)))


def prefetch(plan: Plan, concurrency: int) -> Prefetched:
    """Make the plan's warm-ups (at least one), the first alone, then ``concurrency`` at a
    time."""
    from concurrent.futures import ThreadPoolExecutor  # only a run that prefetches needs it

    aws = plan.state.aws
    calls, throttled = aws.resilience.stats.snapshot()
    stop = threading.Event()
    reasons: list[str] = []
    start = time.perf_counter()
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="awshealth-prefetch")
    first, *rest = plan.warmups.values()
    try:
        # The first read goes alone: a silent endpoint or rejected credentials then cost
        # one timeout (the endpoint breaker or the credentials stop ends the others at
        # once) instead of one per thread.
        contextvars.Context().run(_warm, *first, stop, reasons)
        futures = [pool.submit(contextvars.Context().run, _warm, handle, name, stop, reasons)
                   for handle, name in rest]
        for future in futures:
            future.result()
    finally:
        stop.set()  # an interrupt: start nothing more
        pool.shutdown(wait=True, cancel_futures=True)
    now = aws.resilience.stats.snapshot()
    return Prefetched(len(plan.warmups), now[0] - calls, now[1] - throttled,
                      time.perf_counter() - start, concurrency, reasons[0] if reasons else "")


def _warm(handle: Resource, name: str, stop: threading.Event, reasons: list[str]) -> None:
    """Evaluate one warm-up, in a context of its own (no test records it). A failure is
    kept by the cache for the test that reads it; one that ends every check stops here."""
    if stop.is_set():
        return
    try:
        handle.describe() if name == DESCRIBE else getattr(handle, name)
    except (CredentialsError, ConfigError) as exc:
        reasons.append(f"{type(exc).__name__}: {exc}")
        stop.set()
    except _OUTCOMES:
        pass


# --------------------------------------------------------------------------- hooks


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, Any, Any]:
    """Prefetch for the selected tests, then run them."""
    state = session.config.stash.get(STATE, None)
    if state is not None and _wanted(session, state):
        plan = Plan(state)
        for item in session.items:
            plan.add(item)
        if plan.warmups:
            concurrency = concurrency_share(session.config, int(state.settings["concurrency"]))
            session.config.stash[PREFETCHED] = prefetch(plan, concurrency)
    return (yield)


def _wanted(session: pytest.Session, state: RunState) -> bool:
    config = session.config
    collection_failed = session.testsfailed and not config.option.continue_on_collection_errors
    mode = state.settings["prefetch"]
    # An xdist worker cannot tell which tests it will get: it would read for all of them.
    on = mode == "on" or (mode == "auto" and not hasattr(config, "workerinput"))
    return (on and bool(session.items)
            and not config.option.collectonly and not collection_failed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The first report of the process carries the prefetch's counts (to the controller)."""
    report = yield
    done = item.config.stash.get(PREFETCHED, None)
    if done is not None and not item.config.stash.get(_REPORTED, False):
        item.config.stash[_REPORTED] = True
        setattr(report, PREFETCH_ATTR, asdict(done))
    return report
