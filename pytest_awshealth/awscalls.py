"""The one place where AWS calls are made and their failures mapped.

Every path that talks to AWS (resource handles, the caller identity, the live
``--aws-stack`` read, role assumption) calls :func:`call_aws`: the endpoint's breaker
first, then botocore with the run's retry handler (:mod:`.retries`), then one mapping
from what went wrong to this package's exceptions:

==========================================  ============================================
AWS or botocore says                        raised
==========================================  ============================================
ExpiredToken, InvalidClientTokenId... ,     :class:`CredentialsError`
NoCredentialsError, PartialCredentials...
S3 HEAD's bare 400/403                      asked once per run with STS GetCallerIdentity:
                                            CredentialsError if STS rejects the
                                            credentials, else ``access_denied``
AccessDenied*, UnauthorizedOperation...     :class:`CouldNotCheck` ``access_denied``
Throttling... (after the retries)           :class:`CouldNotCheck` ``throttled``
HTTP 5xx (after the retries), an answer     :class:`CouldNotCheck` ``server_error``
botocore cannot parse (an HTML error page)
refused, unreachable, connection closed     :class:`CouldNotCheck` ``unreachable``
no answer within the read timeout           :class:`CouldNotCheck` ``timeout``
a not-found code of the resource            :class:`ResourceNotFound`
anything else                               :class:`AwsCallError`
==========================================  ============================================
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import AwsCallError, CouldNotCheck, CredentialsError, ResourceNotFound
from .remediation.codes import ACCESS_DENIED, CREDENTIALS, THROTTLING
from .iam_actions import iam_action

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from .clients import AwsContext
    from .retries import Trip

CREDENTIAL_EXCEPTIONS = frozenset({
    "NoCredentialsError", "PartialCredentialsError", "ProfileNotFound",
    "CredentialRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError",
    "TokenRetrievalError", "NoAuthTokenError", "InvalidConfigError"})
UNREACHABLE_EXCEPTIONS = frozenset({
    "EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError",
    "ProxyConnectionError", "SSLError"})
TIMEOUT_EXCEPTIONS = frozenset({"ReadTimeoutError"})
#: Operations answered without a body (HTTP HEAD): their errors are a bare status code.
BARE_STATUS_OPERATIONS = frozenset({"HeadBucket", "HeadObject"})


class Subject:
    """What a call is about when it is no resource handle (identity, stack, role)."""

    def __init__(self, kind: str, name: str, region: str = "") -> None:
        self.kind, self.name, self.region = kind, name, region

    def __repr__(self) -> str:
        return f"{self.kind} {self.name}".strip()

    def hint_context(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "region": self.region or "<region>"}


def endpoint_of(client: BaseClient) -> str:
    """``scheme://host:port`` of the client's endpoint."""
    from urllib.parse import urlsplit

    url = urlsplit(client.meta.endpoint_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.scheme}://{url.hostname}:{port}"


def call_aws(aws: AwsContext, client: BaseClient, method: str, params: dict[str, Any],
             subject: object, not_found: Optional[Callable[[str], bool]] = None) -> Any:
    """``client.method(**params)``, with every failure mapped (see the module doc)."""
    __tracebackhide__ = True
    result = attempt_call(aws, client, method, params, subject, not_found)
    if isinstance(result, AwsCallError):
        raise result
    return result


def attempt_call(aws: AwsContext, client: BaseClient, method: str, params: dict[str, Any],
                 subject: object, not_found: Optional[Callable[[str], bool]] = None,
                 reraise_client_errors: bool = False) -> Any:
    """Like :func:`call_aws`, but a mapped failure is returned, not raised (for caches).
    With ``reraise_client_errors`` AWS error answers propagate, for a caller that maps
    them itself (``Resource._map_error``, which subclasses refine)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    operation = client.meta.method_to_api_mapping.get(method, method)
    trip = aws.resilience.breaker.tripped(endpoint_of(client))
    if trip is not None:
        return _tripped(subject, client, operation, trip)
    try:
        return getattr(client, method)(**params)
    except ClientError as exc:
        if reraise_client_errors:
            raise
        return map_client_error(aws, subject, client, method, exc, not_found)
    except (BotoCoreError, ResponseParserError) as exc:
        mapped = map_botocore_error(aws, subject, client, operation, exc)
        if mapped is None:
            raise
        return mapped


def _action(client: BaseClient, operation: str) -> str:
    model = client.meta.service_model
    return iam_action(model.service_name, operation, model.signing_name)


def map_client_error(aws: Optional[AwsContext], subject: object, client: BaseClient,
                     method: str, exc: Any,
                     not_found: Optional[Callable[[str], bool]] = None) -> AwsCallError:
    """The exception for an AWS error answer (a botocore ``ClientError``)."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    operation = client.meta.method_to_api_mapping.get(method, method)
    action = _action(client, operation)
    if operation in BARE_STATUS_OPERATIONS and code in ("400", "403") and aws is not None:
        rejected = aws.credentials_rejected()
        if rejected is not None:
            mapped: AwsCallError = CredentialsError(subject, operation, rejected.code,
                                                    rejected.message, action)
            return _detached(mapped)
        if code == "403":
            message = message or "Forbidden (HEAD requests carry no error body)"
        else:  # valid credentials, a request S3 would not take: its state is unknown
            return _detached(CouldNotCheck(
                subject, operation, code, f"{message or 'Bad Request'} (HEAD answers carry "
                "no error body), with credentials STS accepts", action, reason="access_denied"))
    mapped = _by_code(subject, operation, code, message, action, status, not_found)
    return _detached(mapped)


def code_reason(code: str, status: int = 0) -> Optional[str]:
    """The :class:`CouldNotCheck` reason an AWS error code means whatever the resource
    (``credentials``, ``access_denied``, ``throttled``), or None."""
    if code in CREDENTIALS:
        return "credentials"
    if code in ACCESS_DENIED or code.startswith("AccessDenied"):
        return "access_denied"
    if code in THROTTLING or (status == 503 and code == "503"):
        return "throttled"
    return None


def _by_code(subject: object, operation: str, code: str, message: str, action: str,
             status: int, not_found: Optional[Callable[[str], bool]]) -> AwsCallError:
    reason = code_reason(code, status)
    if reason == "credentials":
        return CredentialsError(subject, operation, code, message, action)
    if reason is not None:
        text = message or ("throttled" if reason == "throttled" else "")
        return CouldNotCheck(subject, operation, code, text, action, reason=reason)
    if not_found is not None and not_found(code):
        return ResourceNotFound(subject, operation, code, message, action)
    if status >= 500:
        return CouldNotCheck(subject, operation, code, message, action, reason="server_error")
    return AwsCallError(subject, operation, code, message, action)


def map_botocore_error(aws: AwsContext, subject: object, client: BaseClient, operation: str,
                       exc: Exception) -> Optional[AwsCallError]:
    """The exception for a botocore failure without an AWS answer; None if not ours
    (e.g. a ParamValidationError, which is a bug to show as it is)."""
    from .retries import Trip

    name = type(exc).__name__
    action = _action(client, operation)
    if name in CREDENTIAL_EXCEPTIONS:
        return _detached(CredentialsError(subject, operation, name, str(exc), action))
    if name == "ResponseParserError":  # e.g. a proxy's HTML error page: the state is unknown
        first = str(exc).split(":", 1)[0]
        return _detached(CouldNotCheck(subject, operation, name, f"{first}: not an AWS answer",
                                       action, reason="server_error"))
    endpoint = endpoint_of(client)
    if name in TIMEOUT_EXCEPTIONS:
        trip = Trip("timeout", name, f"{endpoint} did not answer within the read timeout of "
                    f"{aws.read_timeout:g} s (--aws-read-timeout)")
    elif name in UNREACHABLE_EXCEPTIONS:
        trip = Trip("unreachable", name, f"could not connect to {endpoint} "
                    f"(connect timeout {aws.connect_timeout:g} s): {_reason(exc)}")
    else:
        return None
    aws.resilience.breaker.trip(endpoint, trip)
    return _unreachable(subject, client, operation, trip, endpoint)


def _reason(exc: Exception) -> str:
    """The last line of what urllib3 said, without the URL botocore repeats."""
    error = getattr(exc, "kwargs", {}).get("error")
    text = (str(error) if error is not None else str(exc)).strip()
    last = text.splitlines()[-1] if text else type(exc).__name__
    return re.sub(r"^\w*HTTPS?Connection(Pool)?\([^)]*\): ", "", last)[:200]


def _tripped(subject: object, client: BaseClient, operation: str, trip: Trip) -> CouldNotCheck:
    from dataclasses import replace

    earlier = replace(trip, message=f"not called: {trip.message}, earlier in this run")
    return _unreachable(subject, client, operation, earlier, endpoint_of(client), trip.message)


def _unreachable(subject: object, client: BaseClient, operation: str, trip: Trip,
                 endpoint: str, cause: str = "") -> CouldNotCheck:
    """``cause``: what the endpoint did when it was first tried (the hint's message, the
    same for every check the breaker then stopped)."""
    mapped = CouldNotCheck(subject, operation, trip.code, trip.message,
                           _action(client, operation), reason=trip.reason)
    mapped.endpoint = endpoint  # type: ignore[attr-defined]
    mapped.cause = cause or trip.message  # type: ignore[attr-defined]
    return _detached(mapped)


def _detached(mapped: AwsCallError) -> AwsCallError:
    """Without botocore's and urllib3's frames: they say nothing the hint doesn't."""
    mapped.__suppress_context__ = True
    return mapped
