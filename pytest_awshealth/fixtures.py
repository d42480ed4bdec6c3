"""The fixtures users see: outputs, the AWS context and one handle per resource type."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import pytest

from .alternatives import Alternatives, chosen
from .binding import binding_for, missing_binding_message
from .clients import AwsContext
from .errors import AwsHealthError, CouldNotCheck
from .outputs import Outputs, name_problem
from .resources import RESOURCE_TYPES, Resource
from .resources.registry import declared
from .state import STATE

if TYPE_CHECKING:
    from .resources.sts import CallerIdentity

R = TypeVar("R", bound=Resource)


@pytest.fixture(scope="session")
def aws_context(request: pytest.FixtureRequest) -> AwsContext:
    """The boto3 session and client cache every handle uses."""
    return request.config.stash[STATE].aws


@pytest.fixture(scope="session")
def aws_outputs(request: pytest.FixtureRequest) -> Outputs:
    """The deploy's outputs, read-only: ``aws_outputs["state_table_name"]`` or a JSONPath.
    An unknown key raises :class:`~pytest_awshealth.UnknownOutputError`, a ``KeyError``."""
    try:
        return request.config.stash[STATE].outputs()
    except CouldNotCheck:  # the stack could not be read: every check using it is inconclusive
        raise
    except AwsHealthError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def aws_identity(aws_context: AwsContext) -> CallerIdentity:
    """Who the checks run as: ``aws_identity.account``, ``aws_identity.arn``."""
    from .resources.sts import CallerIdentity

    return CallerIdentity(aws_context)


class ResourceFactory:
    """Handles by literal name or by output, for dynamic cases: ``aws.dynamo_table("x")``."""

    def __init__(self, context: AwsContext, request: pytest.FixtureRequest) -> None:
        self.context = context
        self._request = request

    def __repr__(self) -> str:
        return f"ResourceFactory({self.context!r})"

    def resource(self, fixture: str, name: str, **kwargs: Any) -> Resource:
        """A handle of the type ``fixture`` names (e.g. ``"s3_bucket"``) for ``name``."""
        handle = RESOURCE_TYPES[fixture](name, aws=self.context, **kwargs)
        handle.origin = f"the name passed to aws.{fixture}()"
        return handle

    def from_output(self, fixture: str, ref: str | Alternatives, **kwargs: Any) -> Resource:
        """A handle for the resource an output (key, JSONPath or ``any_of(...)``) names."""
        __tracebackhide__ = True
        outputs: Outputs = self._request.getfixturevalue("aws_outputs")
        ref = chosen(ref, outputs, fixture)
        return _handle(RESOURCE_TYPES[fixture], outputs, ref, self.context, **kwargs)

    def __getattr__(self, fixture: str) -> Callable[..., Resource]:
        """``aws.<fixture name>(name, **options)``, e.g. ``aws.ecs_service("api", cluster="c")``."""
        if fixture not in RESOURCE_TYPES:
            raise AttributeError(f"no resource type {fixture!r}; known: {', '.join(sorted(RESOURCE_TYPES))}")
        return functools.partial(self.resource, fixture)

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *RESOURCE_TYPES]


@pytest.fixture
def aws(aws_context: AwsContext, request: pytest.FixtureRequest) -> ResourceFactory:
    """Handles by literal name: ``aws.dynamo_table("mantissa-log-state")``."""
    return ResourceFactory(aws_context, request)


def _handle(cls: type[R], outputs: Outputs, ref: str, context: AwsContext, **kwargs: Any) -> R:
    __tracebackhide__ = True
    try:
        value = outputs[ref]
    except AwsHealthError as exc:
        pytest.fail(str(exc), pytrace=False)
    problem = name_problem(ref, value)
    if problem:
        pytest.fail(problem, pytrace=False)
    handle = cls(value, aws=context, output=ref, **kwargs)
    handle.output_key = outputs.key_for(ref)  # e.g. the CDK key with its hash suffix
    return handle


def bound(request: pytest.FixtureRequest, cls: type[R]) -> R:
    """The handle for the output bound to the requesting fixture (or the type's default name)."""
    __tracebackhide__ = True
    fixture = str(request.fixturename)
    ref = getattr(request, "param", None) or binding_for(request.node, fixture)
    context = request.getfixturevalue("aws_context")
    if ref is None and cls.default_name:
        return cls(cls.default_name, aws=context)
    outputs: Outputs = request.getfixturevalue("aws_outputs")
    if isinstance(ref, Alternatives):
        ref = chosen(ref, outputs, fixture)
    if not isinstance(ref, str):
        pytest.fail(missing_binding_message(fixture, request.node.nodeid, list(outputs)),
                    pytrace=False)
    return _handle(cls, outputs, ref, context)


def resource_fixture(fixture: str, summary: str) -> Any:
    """The fixture that yields the ``fixture`` handle for the output bound to it (its
    service module is imported when a test first asks for it)."""

    def handle(request: pytest.FixtureRequest) -> Resource:
        return bound(request, RESOURCE_TYPES[fixture])

    handle.__name__ = fixture
    handle.__doc__ = f"{summary} Bind with @pytest.mark.aws_output({fixture}=KEY)."
    handle.awshealth_resource = fixture  # type: ignore[attr-defined]  # see is_plugin_fixture
    return pytest.fixture(name=fixture)(handle)


def is_plugin_fixture(definition: Any, fixture: str) -> bool:
    """Whether a test's ``FixtureDef`` for ``fixture`` is this plugin's (not a project's own
    fixture of that name)."""
    return getattr(getattr(definition, "func", None), "awshealth_resource", None) == fixture


def resource_fixtures() -> dict[str, Any]:
    """One fixture per resource type, by fixture name (no service module imported)."""
    return {name: resource_fixture(name, d.summary) for name, d in declared().items()}
