"""From a finished test to its verdict and the hints that explain it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from ..awscalls import code_reason
from ..errors import AwsCallError, CouldNotCheck, ResourceNotFound
from ..probes import ProbeRecord
from ..verdicts import BROKEN, HEALTHY, INCONCLUSIVE
from .codes import CODE_PREFIX, codes_seen, error_key, own_code_keys, status_key
from .hint import Catalog, FilledHint

if TYPE_CHECKING:
    from ..clients import AwsContext

CREDENTIAL_ERRORS = ("NoCredentialsError", "PartialCredentialsError", "ProfileNotFound",
                     "CredentialRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError",
                     "TokenRetrievalError")
CONNECTION_ERRORS = ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                     "ConnectionClosedError", "ProxyConnectionError")
TIMEOUT_ERRORS = ("ConnectTimeoutError", "ReadTimeoutError")
#: The hint key for each reason a check could not be made (unless the error code knows better).
REASON_KEYS = {"access_denied": "error.access_denied", "throttled": "error.throttling",
               "unreachable": "error.connection", "timeout": "error.timeout",
               "credentials": "error.credentials"}

#: The fields that name the resource a hint is about; a probe's arguments do not fill them.
RESOURCE_FIELDS = frozenset({"name", "region", "account"})


@dataclass(frozen=True)
class Finding:
    """One filled hint and the resource (or other subject) it is about."""

    hint: FilledHint
    subject: Any = None


# --------------------------------------------------------------------------- verdicts


def could_not_check(exc: BaseException) -> Optional[str]:
    """Why ``exc`` means the state could not be read (a :class:`CouldNotCheck` reason),
    or None when it is an ordinary failure. Raw botocore errors count too."""
    if isinstance(exc, CouldNotCheck):
        return exc.reason
    if isinstance(exc, AwsCallError):
        return code_reason(exc.code)
    name = type(exc).__name__
    if name in CREDENTIAL_ERRORS:
        return "credentials"
    if name in TIMEOUT_ERRORS:
        return "timeout"
    if name in CONNECTION_ERRORS:
        return "unreachable"
    code, status = _client_error(exc)
    if code is None:
        return None
    return code_reason(code, status) or ("server_error" if status >= 500 else None)


def _client_error(exc: BaseException) -> tuple[Optional[str], int]:
    """(code, HTTP status) of a raw botocore ``ClientError``; (None, 0) for anything else."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict) or not _is_client_error(exc):
        return None, 0
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    return str(response.get("Error", {}).get("Code", "Unknown")), int(status)


def _is_client_error(exc: BaseException) -> bool:
    try:
        from botocore.exceptions import ClientError
    except ImportError:  # pragma: no cover - botocore is a dependency
        return False
    return isinstance(exc, ClientError)


def is_credentials_failure(exc: BaseException) -> bool:
    """True when no check can succeed because AWS rejects or lacks credentials."""
    return could_not_check(exc) == "credentials"


def judge(exc: Optional[BaseException], records: Iterable[ProbeRecord]) -> str:
    """The verdict of a test that raised ``exc`` (None: it passed) after making ``records``.

    A probe that saw something unhealthy makes the check broken even when another probe
    could not read its state; otherwise a state that could not be read makes it
    inconclusive; any other failure is broken."""
    if exc is None:
        return HEALTHY
    if any(r.healthy is False for r in records):
        return BROKEN
    return INCONCLUSIVE if could_not_check(exc) else BROKEN


# --------------------------------------------------------------------------- hints


def diagnose(exc: BaseException, records: Iterable[ProbeRecord], catalog: Catalog,
             endpoint: str = "", aws: Optional[AwsContext] = None,
             fields: Optional[Mapping[str, Any]] = None) -> list[Finding]:
    """The filled hints for a test that raised ``exc`` after making ``records``;
    ``fields`` adds template values (e.g. the IAM ``statement`` an access denial needs)."""
    findings: list[Finding] = []
    seen: set[str] = set()
    extra = {**_aws_fields(aws, endpoint), **(fields or {})}
    records = list(records)
    picks = _pick(exc, records, extra, catalog)
    if not isinstance(exc, AssertionError):  # what was seen broken comes before what was not
        picks = [p for r in _suspects(records, only_unhealthy=True)
                 for p in _record_hints(r, extra, catalog)] + picks
    for key, context, subject in picks:
        filled = _fill(catalog, key, context)
        if filled is not None and filled.text not in seen:
            seen.add(filled.text)
            findings.append(Finding(filled, subject))
    return findings


def failure_hints(exc: BaseException, records: Iterable[ProbeRecord], catalog: Catalog,
                  endpoint: str = "", aws: Optional[AwsContext] = None) -> list[str]:
    """The rendered hints for a test that raised ``exc`` after making ``records``."""
    return [finding.hint.text for finding in diagnose(exc, records, catalog, endpoint, aws)]


def _fill(catalog: Catalog, key: str, context: dict[str, Any]) -> Optional[FilledHint]:
    filled = catalog.fill(key, context)
    if filled is None and key.endswith(".missing"):  # a handle without a not-found hint
        filled = catalog.fill("error.not_found", context)
    return filled


Pick = tuple[str, dict[str, Any], Any]


def _pick(exc: BaseException, records: list[ProbeRecord], extra: dict[str, Any],
          catalog: Catalog) -> list[Pick]:
    if isinstance(exc, AwsCallError):
        return [_call_error(exc, extra, catalog)]
    name = type(exc).__name__
    if name in CREDENTIAL_ERRORS:
        return [("error.credentials", {**extra, "code": name}, None)]
    if name in CONNECTION_ERRORS:
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url") or extra["endpoint"]
        endpoint = str(endpoint).rstrip("/")
        key = "error.timeout" if name in TIMEOUT_ERRORS else "error.connection"
        return [(key, {**extra, "endpoint": endpoint, "message": str(exc),
                       "operation": "<operation>"}, None)]
    code, _ = _client_error(exc)
    if code is not None:
        return [_raw_client_error(exc, code, extra, catalog)]
    if isinstance(exc, AssertionError):
        return [pick for r in _suspects(records) for pick in _record_hints(r, extra, catalog)]
    return []


def _aws_fields(aws: Optional[AwsContext], endpoint: str) -> dict[str, Any]:
    """Hint fields that come from the run's AWS settings (timeouts, retries, caller)."""
    fields: dict[str, Any] = {"endpoint": endpoint or "<default AWS endpoint>"}
    if aws is not None:
        fields.update(connect_timeout=_seconds(aws.connect_timeout),
                      read_timeout=_seconds(aws.read_timeout), max_attempts=aws.max_attempts,
                      retry_mode=aws.retry_mode, throttle_attempts=aws.throttle_attempts,
                      more_attempts=max(20, aws.throttle_attempts * 2),
                      caller_arn=lambda: principal_arn(aws.identity["Arn"]))
    return fields


def _seconds(value: float) -> str:
    return f"{value:g}"


def principal_arn(caller_arn: str) -> str:
    """The IAM principal ARN ``simulate-principal-policy`` wants: an assumed-role session
    ARN (``arn:aws:sts::1:assumed-role/Role/session``) becomes its role's ARN."""
    head, _, rest = caller_arn.partition(":assumed-role/")
    if not rest:
        return caller_arn
    partition_and_account = head.replace(":sts:", ":iam:", 1)
    return f"{partition_and_account}:role/{rest.split('/')[0]}"


def _context_of(subject: Any, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    context = dict(subject.hint_context()) if hasattr(subject, "hint_context") else {}
    context.update(extra or {})
    return context


def _record_context(record: ProbeRecord, extra: dict[str, Any]) -> dict[str, Any]:
    """The handle's fields, the probe's arguments (``gsi_active(index="by_user")`` fills
    ``{index}``), then the value's own (an HTTP response's status...), which knows best.
    Arguments never rename the resource: ``metric(name)`` names a metric, not the table.
    A plain value (a number, a string) is ``{value}``."""
    arguments = {k: v for k, v in record.arguments.items()
                 if v is not None and k not in RESOURCE_FIELDS}
    plain = {"value": record.value} if isinstance(record.value, (int, float, str)) else {}
    return _context_of(record.resource, {**extra, **arguments, **plain,
                                         **_context_of(record.value)})


def _record_hints(record: ProbeRecord, extra: dict[str, Any], catalog: Catalog) -> list[Pick]:
    """The probe's hint, then what an HTTP status and cataloged error codes it saw mean."""
    context = _record_context(record, extra)
    status = status_key(record.value)
    codes = [(key, {**context, "code": key[len(CODE_PREFIX):]}, record.resource)
             for key in codes_seen(record.value, own_code_keys(catalog))]
    return [(record.hint, context, record.resource)] + (
        [(status, context, record.resource)] if status else []) + codes


def _call_error(exc: AwsCallError, extra: dict[str, Any], catalog: Catalog) -> Pick:
    fields = {"code": exc.code, "message": getattr(exc, "cause", exc.message),
              "operation": exc.operation,
              "action": exc.action or "<action>",
              "resource_arn": lambda: _arn_of(exc.resource, ask=True) or "<resource-arn>"}
    endpoint = _endpoint_of(exc.resource)
    context = _context_of(exc.resource, {**extra, **fields,
                                         **({"endpoint": endpoint} if endpoint else {})})
    if exc.hint:
        return (exc.hint, context, exc.resource)
    if isinstance(exc, ResourceNotFound):
        prefix = getattr(exc.resource, "hint_prefix", "")
        return (f"{prefix}.missing", context, exc.resource)
    if isinstance(exc, CouldNotCheck) and exc.reason in REASON_KEYS:
        return (REASON_KEYS[exc.reason], context, exc.resource)
    return (error_key(exc.code, catalog), context, exc.resource)


def _raw_client_error(exc: Any, code: str, extra: dict[str, Any], catalog: Catalog) -> Pick:
    """A botocore ``ClientError`` that reached the test unmapped (e.g. from STS)."""
    operation = str(getattr(exc, "operation_name", "") or "<operation>")
    context = {"kind": "AWS API", "name": operation, "region": "<region>", **extra, "code": code,
               "message": str(exc.response.get("Error", {}).get("Message", "")),
               "operation": operation, "action": "<action>"}
    reason_key = REASON_KEYS.get(could_not_check(exc) or "")
    return (reason_key or error_key(code, catalog), context, None)


def _arn_of(resource: Any, ask: bool = False) -> Optional[str]:
    known_arn = getattr(resource, "known_arn", None)
    return known_arn(ask=ask) if callable(known_arn) else None


def _endpoint_of(resource: Any) -> Optional[str]:
    """The endpoint the resource's client talks to, if it is known without an AWS call."""
    try:
        return str(resource.client.meta.endpoint_url)
    except Exception:  # no client (CallerIdentity), or no region configured
        return None


def _suspects(records: list[ProbeRecord], only_unhealthy: bool = False) -> list[ProbeRecord]:
    """Probes that saw something unhealthy; failing that, the last probe read."""
    unhealthy = [r for r in records if r.healthy is False]
    chosen = unhealthy if only_unhealthy else unhealthy or records[-1:]
    seen: set[tuple[int, str]] = set()
    unique = []
    for record in chosen:
        key = (id(record.resource), record.hint)
        if key not in seen:
            seen.add(key)
            unique.append(record)
    return unique
