"""The base of every resource handle: lazy, cached AWS calls and error mapping."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Optional

from ..clients import AwsContext
from ..errors import AwsCallError, CouldNotCheck, CredentialsError, ResourceNotFound
from ..probes import probe, truthy

if TYPE_CHECKING:
    from botocore.client import BaseClient

NOT_FOUND_CODES = frozenset({
    "ResourceNotFoundException", "ResourceNotFound", "NoSuchBucket", "NoSuchEntity",
    "NotFoundException", "NotFound", "404", "EntityNotFoundException",
    "ParameterNotFound", "StateMachineDoesNotExist", "ClusterNotFoundException",
    "ServiceNotFoundException", "UserNotFoundException", "TargetGroupNotFound",
    "LoadBalancerNotFound", "NoSuchKey", "AWS.SimpleQueueService.NonExistentQueue",
})


class Resource:
    """A named AWS resource. Asks AWS only when a probe is read, and only once per call."""

    service: ClassVar[str] = ""
    kind: ClassVar[str] = "resource"
    hint_prefix: ClassVar[str] = "resource"
    not_found_codes: ClassVar[frozenset[str]] = NOT_FOUND_CODES
    #: The name a fixture uses when no ``aws_output`` binds it (e.g. ``CDKToolkit``).
    default_name: ClassVar[Optional[str]] = None
    #: How the ARN follows from the name (fields ``partition``, ``region``, ``account``,
    #: ``name``); empty when only AWS knows it (a random suffix, an ID...).
    arn_format: ClassVar[str] = ""

    def __init__(self, name: str, *, aws: Optional[AwsContext] = None,
                 region: Optional[str] = None, output: Optional[str] = None) -> None:
        self.name = name
        self.aws = aws if aws is not None else AwsContext(region=region)
        self.output = output
        self._region = region
        self._cache: dict[Any, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        region = self._region or self.aws.configured_region
        return f"{type(self).__name__}({self.name!r}, region={region!r})"

    @property
    def region(self) -> str:
        return self._region or self.aws.region

    @property
    def client(self) -> BaseClient:
        return self.aws.client(self.service, self.region)

    def hint_context(self) -> dict[str, Any]:
        """Values for hint templates; ``account`` is only fetched if a template uses it."""
        return {"name": self.name, "region": lambda: self.region, "kind": self.kind,
                "account": lambda: self.aws.account, "output": self.output or "<output>"}

    def known_arn(self, ask: bool = False) -> Optional[str]:
        """The ARN when it follows from the name; None when it needs an AWS call (or,
        with ``ask``, one STS GetCallerIdentity for the account, which any caller may make)."""
        if self.name.startswith("arn:"):
            return self.name
        if not self.arn_format:
            return None
        try:
            region = self.region
            identity = self.aws.__dict__.get("identity")  # cached_property: known without a call
            account = identity["Account"] if identity else (self.aws.account if ask else None)
        except Exception:  # no region, or STS cannot answer either
            return None
        if account is None:
            return None
        return self.arn_format.format(partition=partition_of(region), region=region,
                                      account=account, name=self.name)

    def refresh(self) -> None:
        """Forget what was described, so the next probe asks AWS again."""
        self._cache.clear()

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call ``client.method(**params)`` once; later calls return the cached answer.
        AWS errors become :class:`ResourceNotFound` or :class:`AwsCallError`."""
        __tracebackhide__ = True
        key = (method, repr(sorted(params.items())))
        if key not in self._cache:
            self._cache[key] = self._call_uncached(method, params)
        result = self._cache[key]
        if isinstance(result, AwsCallError):
            raise result
        return result

    def call_fresh(self, method: str, **params: Any) -> dict[str, Any]:
        """Call without caching (for actions and polling); errors mapped as in :meth:`call`."""
        __tracebackhide__ = True
        result = self._call_uncached(method, params)
        if isinstance(result, AwsCallError):
            raise result
        return result

    def _call_uncached(self, method: str, params: dict[str, Any]) -> Any:
        from botocore.exceptions import ClientError

        client = self.client
        try:
            return getattr(client, method)(**params)
        except ClientError as exc:
            return self._map_error(client, method, exc)

    def _map_error(self, client: BaseClient, method: str, exc: Any) -> AwsCallError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = str(error.get("Message", ""))
        operation = client.meta.method_to_api_mapping.get(method, method)
        action = f"{client.meta.service_model.signing_name}:{operation}"
        mapped = _mapped_error(self, operation, code, message, action)
        mapped.__suppress_context__ = True  # botocore's frames say nothing the hint doesn't
        return mapped

    def is_not_found(self, code: str) -> bool:
        return code in self.not_found_codes

    def describe(self) -> dict[str, Any]:
        """The resource's main description; subclasses call their Describe/Get API."""
        raise NotImplementedError

    @property
    @probe("missing", truthy)
    def exists(self) -> bool:
        """True when the resource exists in this account and region."""
        return self._exists()

    def _exists(self) -> bool:
        try:
            self.describe()
        except ResourceNotFound:
            return False
        return True


def _mapped_error(resource: Resource, operation: str, code: str, message: str,
                  action: str) -> AwsCallError:
    """The error class for an AWS error code: not found, could not check, or other."""
    from ..hints import ACCESS_DENIED, CREDENTIALS, THROTTLING

    if resource.is_not_found(code):
        return ResourceNotFound(resource, operation, code, message, action)
    if code in CREDENTIALS:
        return CredentialsError(resource, operation, code, message, action)
    for codes, reason in ((ACCESS_DENIED, "access_denied"), (THROTTLING, "throttled")):
        if code in codes:
            return CouldNotCheck(resource, operation, code, message, action, reason=reason)
    return AwsCallError(resource, operation, code, message, action)


def partition_of(region: str) -> str:
    """The AWS partition of a region: ``aws``, ``aws-cn`` or ``aws-us-gov``."""
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def attempt(func: Callable[[], Any], default: Any = None) -> Any:
    """``func()``, or ``default`` when the resource is missing."""
    try:
        return func()
    except ResourceNotFound:
        return default
