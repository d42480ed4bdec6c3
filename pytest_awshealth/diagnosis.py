"""From a failed test to the hints that explain it."""

from __future__ import annotations

from typing import Any, Iterable, Optional

from . import errorcodes
from .errors import AwsCallError, ResourceNotFound
from .hints import error_key
from .probes import ProbeRecord
from .remediation import Catalog

CREDENTIAL_ERRORS = ("NoCredentialsError", "PartialCredentialsError", "ProfileNotFound",
                     "CredentialRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError",
                     "TokenRetrievalError")
CONNECTION_ERRORS = ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
                     "ConnectionClosedError", "ProxyConnectionError")


def _context_of(subject: Any, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    context = dict(subject.hint_context()) if hasattr(subject, "hint_context") else {}
    context.update(extra or {})
    return context


def _record_context(record: ProbeRecord) -> dict[str, Any]:
    return _context_of(record.resource, _context_of(record.value))


def is_credentials_failure(exc: BaseException) -> bool:
    """True when no check can succeed because AWS rejects or lacks credentials."""
    if isinstance(exc, AwsCallError):
        return error_key(exc.code) == "error.credentials"
    return type(exc).__name__ in CREDENTIAL_ERRORS


def failure_hints(exc: BaseException, records: Iterable[ProbeRecord], catalog: Catalog,
                  endpoint: str = "") -> list[str]:
    """The rendered hints for a test that raised ``exc`` after making ``records``."""
    rendered = []
    for key, context in _pick(exc, list(records), endpoint, catalog):
        text = catalog.render(key, context)
        if text is None and key.endswith(".missing"):
            text = catalog.render("error.not_found", context)
        if text is None:  # error.code.* and http.status.* unless the catalog overrides them
            text = errorcodes.render(key, context)
        if text and text not in rendered:
            rendered.append(text)
    return rendered


def _pick(exc: BaseException, records: list[ProbeRecord], endpoint: str,
          catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    if isinstance(exc, AwsCallError):
        return [_call_error(exc)]
    name = type(exc).__name__
    if name in CREDENTIAL_ERRORS:
        return [("error.credentials", {"code": name})]
    if name in CONNECTION_ERRORS:
        return [("error.connection", {"endpoint": getattr(exc, "kwargs", {}).get(
            "endpoint_url", endpoint or "<default AWS endpoint>"), "message": str(exc)})]
    if isinstance(exc, AssertionError):
        return [pick for r in _suspects(records) for pick in _record_hints(r, catalog)]
    return []


def _record_hints(record: ProbeRecord, catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    """The probe's hint, then what an HTTP status and cataloged error codes it saw mean."""
    context = _record_context(record)
    status = errorcodes.status_key(record.value)
    codes = [(key, {**context, "code": key[len(errorcodes.CODE_PREFIX):]})
             for key in errorcodes.codes_seen(record.value, catalog)]
    return [(record.hint, context)] + ([(status, context)] if status else []) + codes


def _call_error(exc: AwsCallError) -> tuple[str, dict[str, Any]]:
    context = _context_of(exc.resource, {"code": exc.code, "message": exc.message,
                                         "operation": exc.operation, "action": exc.action})
    if exc.hint:
        return (exc.hint, context)
    if isinstance(exc, ResourceNotFound):
        prefix = getattr(exc.resource, "hint_prefix", "")
        return (f"{prefix}.missing", context)
    key = error_key(exc.code)
    if key == "error.generic":
        key = errorcodes.known_code_key(exc.code) or key
    return (key, context)


def _suspects(records: list[ProbeRecord]) -> list[ProbeRecord]:
    """Probes that saw something unhealthy; failing that, the last probe read."""
    unhealthy = [r for r in records if r.healthy is False]
    chosen = unhealthy or records[-1:]
    seen: set[tuple[int, str]] = set()
    unique = []
    for record in chosen:
        key = (id(record.resource), record.hint)
        if key not in seen:
            seen.add(key)
            unique.append(record)
    return unique
