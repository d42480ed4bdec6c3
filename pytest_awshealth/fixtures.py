"""The fixtures users see: outputs, the AWS context and one handle per resource type."""

from __future__ import annotations

from typing import Any, Optional, TypeVar

import pytest

from .binding import binding_for, missing_binding_message
from .clients import AwsContext
from .errors import AwsHealthError
from .outputs import Outputs
from .resources import (RESOURCE_TYPES, AthenaWorkgroup, CallerIdentity, DynamoTable,
                        EventRule, GlueDatabase, HttpEndpoint, LambdaFunction, LogGroup,
                        Resource, S3Bucket, Secret)
from .state import STATE

R = TypeVar("R", bound=Resource)


@pytest.fixture(scope="session")
def aws_context(request: pytest.FixtureRequest) -> AwsContext:
    """The boto3 session and client cache every handle uses."""
    return request.config.stash[STATE].aws


@pytest.fixture(scope="session")
def aws_outputs(request: pytest.FixtureRequest) -> Outputs:
    """The deploy's outputs, read-only: ``aws_outputs["state_table_name"]`` or a JSONPath."""
    try:
        return request.config.stash[STATE].outputs()
    except AwsHealthError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def aws_identity(aws_context: AwsContext) -> CallerIdentity:
    """Who the checks run as: ``aws_identity.account``, ``aws_identity.arn``."""
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
        return RESOURCE_TYPES[fixture](name, aws=self.context, **kwargs)

    def from_output(self, fixture: str, ref: str, **kwargs: Any) -> Resource:
        """A handle for the resource an output (key or JSONPath) names."""
        __tracebackhide__ = True
        outputs: Outputs = self._request.getfixturevalue("aws_outputs")
        return _handle(RESOURCE_TYPES[fixture], outputs, ref, self.context, **kwargs)

    def s3_bucket(self, name: str) -> S3Bucket:
        return S3Bucket(name, aws=self.context)

    def dynamo_table(self, name: str) -> DynamoTable:
        return DynamoTable(name, aws=self.context)

    def lambda_fn(self, name: str) -> LambdaFunction:
        return LambdaFunction(name, aws=self.context)

    def event_rule(self, name: str, event_bus: Optional[str] = None) -> EventRule:
        return EventRule(name, event_bus=event_bus, aws=self.context)

    def athena(self, workgroup: str) -> AthenaWorkgroup:
        return AthenaWorkgroup(workgroup, aws=self.context)

    def glue_database(self, name: str) -> GlueDatabase:
        return GlueDatabase(name, aws=self.context)

    def http_endpoint(self, url: str) -> HttpEndpoint:
        return HttpEndpoint(url, aws=self.context)

    def log_group(self, name: str) -> LogGroup:
        return LogGroup(name, aws=self.context)

    def secret(self, name: str) -> Secret:
        return Secret(name, aws=self.context)


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
    if not isinstance(value, str):
        pytest.fail(f"output '{ref}' is a {type(value).__name__}, not a resource name; address "
                    f"one field with a JSONPath such as \"$.{ref}.<field>\"", pytrace=False)
    return cls(value, aws=context, output=ref, **kwargs)


def bound(request: pytest.FixtureRequest, cls: type[R]) -> R:
    """The handle for the output bound to the requesting fixture."""
    __tracebackhide__ = True
    fixture = request.fixturename
    ref = getattr(request, "param", None) or binding_for(request.node, fixture)
    outputs: Outputs = request.getfixturevalue("aws_outputs")
    if not isinstance(ref, str):
        pytest.fail(missing_binding_message(fixture, request.node.nodeid, list(outputs)),
                    pytrace=False)
    return _handle(cls, outputs, ref, request.getfixturevalue("aws_context"))


@pytest.fixture
def s3_bucket(request: pytest.FixtureRequest) -> S3Bucket:
    """The S3 bucket bound with ``@pytest.mark.aws_output(s3_bucket=KEY)``."""
    return bound(request, S3Bucket)


@pytest.fixture
def dynamo_table(request: pytest.FixtureRequest) -> DynamoTable:
    """The DynamoDB table bound with ``@pytest.mark.aws_output(dynamo_table=KEY)``."""
    return bound(request, DynamoTable)


@pytest.fixture
def lambda_fn(request: pytest.FixtureRequest) -> LambdaFunction:
    """The Lambda function bound with ``@pytest.mark.aws_output(lambda_fn=KEY)``."""
    return bound(request, LambdaFunction)


@pytest.fixture
def event_rule(request: pytest.FixtureRequest) -> EventRule:
    """The EventBridge rule bound with ``@pytest.mark.aws_output(event_rule=KEY)``."""
    return bound(request, EventRule)


@pytest.fixture
def athena(request: pytest.FixtureRequest) -> AthenaWorkgroup:
    """The Athena workgroup bound with ``@pytest.mark.aws_output(athena=KEY)``."""
    return bound(request, AthenaWorkgroup)


@pytest.fixture
def glue_database(request: pytest.FixtureRequest) -> GlueDatabase:
    """The Glue database bound with ``@pytest.mark.aws_output(glue_database=KEY)``."""
    return bound(request, GlueDatabase)


@pytest.fixture
def http_endpoint(request: pytest.FixtureRequest) -> HttpEndpoint:
    """The base URL bound with ``@pytest.mark.aws_output(http_endpoint=KEY)``."""
    return bound(request, HttpEndpoint)


@pytest.fixture
def log_group(request: pytest.FixtureRequest) -> LogGroup:
    """The log group bound with ``@pytest.mark.aws_output(log_group=KEY)``."""
    return bound(request, LogGroup)


@pytest.fixture
def secret(request: pytest.FixtureRequest) -> Secret:
    """The Secrets Manager secret bound with ``@pytest.mark.aws_output(secret=KEY)``."""
    return bound(request, Secret)
