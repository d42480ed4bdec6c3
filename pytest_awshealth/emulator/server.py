"""A moto server on 127.0.0.1 in a background thread, with fault injection.

moto cannot produce several unhealthy states by itself; :class:`Emulator` produces
them as follows (each verified over HTTP in ``tests/test_emulator_unit.py``):

=============================  ==============================  =====================================
State                          moto 5.2 alone                  How the Emulator produces it
=============================  ==============================  =====================================
Athena workgroup DISABLED      never (no UpdateWorkGroup)      ``set_athena_workgroup_state``:
                                                               backend edit of ``WorkGroup.state``
Athena query FAILED + reason   queries always SUCCEED          ``fail_next_athena_queries``: marks
                                                               new executions FAILED in the backend;
                                                               the middleware adds
                                                               ``StateChangeReason``/``AthenaError``
ELBv2 target unhealthy,        only healthy/unused             ``set_target_health``: per target
initial, draining...                                           group override of ``health_for``
ECS runningCount < desired     only MOTO_ECS_SERVICE_RUNNING   ``set_ecs_running_count``: backend
                               at service creation             edit of service, primary deployment
                                                               and cluster task counts
ECS stopped task: stop code,   no stopCode, exit code 0        ``set_task_exit``: backend edit of
container exit code                                            the task and its container
SNS PendingConfirmation        always "false"                  ``set_sns_pending``: backend edit of
                                                               the subscription attributes
CloudWatch alarm in ALARM      alarms start OK, never          plain ``set_alarm_state`` over HTTP
                               evaluated                       (no helper needed)
Step Functions FAILED          executions stay RUNNING         config ``execute_state_machine``
                                                               (applied by start/reset); a ``Fail``
                                                               state ends FAILED with error/cause
Lambda invoke without Docker   FunctionError "Handled"         config ``lambda.use_docker=false``
                                                               (applied by start/reset)
IAM SimulatePrincipalPolicy    not implemented                 ``IamSimulatorMiddleware``
                                                               (``iam_simulator.py``) evaluates
                                                               moto's IAM policies
IAM enforcement scoped to      resource "*" for most services  ``IamEnforcerMiddleware``
resource ARNs                  (a scoped statement is denied)  (``iam_enforcer.py``) for
                                                               requests signed by IAM users
                                                               (``iam_user``)
Throttling, 5xx, latency,      never                           ``inject_fault``, ``throttle``,
AccessDenied, expired                                          ``deny``, ``expire_credentials``,
credentials                                                    ``fail_server``; endpoints that
                                                               refuse or never answer:
                                                               ``blackhole.py``
DynamoDB table CREATING...     always ACTIVE                   ``set_table_status`` (``then=``,
                                                               ``after=``: converges N s after
                                                               it is first described)
GSI CREATING, TTL ENABLING     indexes ACTIVE, TTL at once     ``set_gsi_status``, ``set_ttl_status``
Lambda Pending / InProgress    Active / Successful             ``set_lambda_state``
A state that changes later     -                               ``later(seconds, func, ...)`` (timer
                                                               thread; cancelled by ``reset``)
An operation moto lacks        NotImplementedError (HTTP 500)  ``answer(service, operation, result)``:
(RDS pending maintenance...)                                   serialized with moto's serializer
A field moto leaves out        absent                          ``amend_answer(service, operation,
(DynamoDB table Replicas...)                                   extra, when=...)``: merged into
                                                               moto's JSON answer
Any other model attribute      -                               ``edit_backend(service, collection,
(Kinesis stream UPDATING...)                                   key, attr=value)``; the handle
                                                               modules say which they use
=============================  ==============================  =====================================

Limits: GetMetricStatistics ignores ExtendedStatistics (percentiles such as p95 read
as no data); a DISABLED workgroup still runs queries (AWS refuses them); moto has no
BatchGetQueryExecution; ListSubscriptions shows a pending subscription's real ARN
(AWS shows "PendingConfirmation") unless ``set_sns_pending`` made it pending; faults match REST services (s3, lambda) by
service only, and elb and elbv2 share the signing name "elasticloadbalancing".

Set unless already set: ``MOTO_EC2_LOAD_DEFAULT_AMIS=false``. moto otherwise builds its
~1,300 public AMIs (each with a volume and a snapshot) in every EC2 backend it creates,
and again at each reset: 0.1-0.3 s per reset or first EC2 call, for images no check
reads. ``run_instances`` takes any image ID (moto validates them only with
``MOTO_ENABLE_AMI_VALIDATION``); to give one ``describe_images`` answer, register it.

Not set: ``MOTO_ACM_VALIDATION_WAIT``. moto reads it once at import (default 60 s),
so requested ACM certificates stay ``PENDING_VALIDATION`` for a minute, which is a
useful unhealthy state; imported certificates are ``ISSUED`` at once.

``snapshot()`` copies every resource moto holds and ``restore()`` puts a fresh copy back
(``snapshot.py``): provision once, restore before each test. The states above live in the
copied objects (a swapped class reads the object's own attributes), so they survive it.

moto keeps its backends and ``/moto-api/config`` in process-global state: two
Emulators in one process (or ``mock_aws`` next to one) share and reset each other's
resources. Use one Emulator per process (pytest-xdist workers are processes).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, replace
from http import HTTPStatus
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from .snapshot import Snapshot

DUMMY_KEY = "testing"
_CREDENTIAL = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
_ATHENA_OPS = frozenset({"StartQueryExecution", "GetQueryExecution"})  # no BatchGet in moto
#: Loggers silenced on start: werkzeug's request log, and the Step Functions
#: interpreter, which logs every ``Fail`` state at ERROR.
QUIET_LOGGERS = MappingProxyType(
    {"werkzeug": logging.ERROR, "moto.stepfunctions.parser": logging.CRITICAL}
)
TARGET_STATES = frozenset(
    {"initial", "healthy", "unhealthy", "unhealthy.draining", "unused", "draining", "unavailable"}
)
_DEFAULT_HEALTH = MappingProxyType(
    {
        "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
        "unhealthy": ("Target.FailedHealthChecks", "Health checks failed"),
        "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
        "unused": ("Target.NotInUse", "Target group is not configured to receive traffic"),
    }
)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]


def base_config() -> dict[str, Any]:
    """The ``/moto-api/config`` the Emulator applies on start and after reset."""
    return {"lambda": {"use_docker": False}, "stepfunctions": {"execute_state_machine": True}}


# --------------------------------------------------------------------------- faults


@dataclass(frozen=True)
class Fault:
    """One injected fault; ``rest_format`` is "xml" or "json" for REST services.

    ``kind`` "error" answers ``error_code``/``status`` as given; "throttle", "deny",
    "expired", "invalid" and "server_error" pick the code, status and body each service
    really answers (see :func:`fault_shape`). ``fraction`` of the matching requests get
    the fault, chosen deterministically from ``seed`` and the request's content, and
    never more than ``max_consecutive`` times in a row for the same request.
    """

    service: str
    operation: str | None
    error_code: str | None
    status: int
    delay: float
    message: str
    rest_format: str
    kind: str = "error"
    fraction: float = 1.0
    max_consecutive: int | None = None
    seed: int = 0


@dataclass
class _Streak:
    """How often one request (by content) was seen and faulted in a row."""

    seen: int = 0
    in_a_row: int = 0


class FaultTable:
    """Thread-safe faults keyed by (signing name or "*", operation or None)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[tuple[str, str | None], Fault] = {}
        self._remaining: dict[tuple[str, str | None], int | None] = {}
        self._streaks: dict[tuple[str, str | None, str], _Streak] = {}
        self.faulted = 0  # requests answered with an injected error
        self.passed = 0  # requests a fraction fault let through
        self.longest_streak = 0  # most faults in a row for one request

    def add(self, fault: Fault, count: int | None) -> None:
        """Add or replace the fault for its service and operation."""
        key = (fault.service, fault.operation)
        with self._lock:
            self._faults[key] = fault
            self._remaining[key] = count
            self._streaks = {k: v for k, v in self._streaks.items() if k[:2] != key}

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()
            self._remaining.clear()
            self._streaks.clear()
            self.faulted = self.passed = self.longest_streak = 0

    def __bool__(self) -> bool:
        """Whether any fault is set."""
        with self._lock:
            return bool(self._faults)

    def covers(self, service: str | None) -> bool:
        """Whether any fault targets ``service`` (or every service)."""
        with self._lock:
            return any(key[0] in (service, "*") for key in self._faults)

    def take(self, service: str, operation: str | None, request_key: str = "") -> Fault | None:
        """The fault for this request (exact operation first, then the service, then
        every service), counting it down; None when no fault or its fraction spares it."""
        with self._lock:
            for key in ((service, operation), (service, None), ("*", operation), ("*", None)):
                if key in self._faults:
                    return self._consume(key, request_key)
        return None

    def _consume(self, key: tuple[str, str | None], request_key: str) -> Fault | None:
        fault, left = self._faults[key], self._remaining[key]
        if not self._hits(fault, (*key, request_key)):
            self.passed += 1
            return None
        if left is not None and left <= 1:
            del self._faults[key], self._remaining[key]
        elif left is not None:
            self._remaining[key] = left - 1
        if fault.error_code is not None or fault.kind != "error":
            self.faulted += 1
        return fault

    def _hits(self, fault: Fault, streak_key: tuple[str, str | None, str]) -> bool:
        if fault.fraction >= 1.0:
            return True
        streak = self._streaks.setdefault(streak_key, _Streak())
        streak.seen += 1
        hit = _unit_hash(fault.seed, streak_key, streak.seen) < fault.fraction
        if hit and fault.max_consecutive is not None and streak.in_a_row >= fault.max_consecutive:
            hit = False
        streak.in_a_row = streak.in_a_row + 1 if hit else 0
        self.longest_streak = max(self.longest_streak, streak.in_a_row)
        return hit


def _unit_hash(seed: int, key: tuple[Any, ...], attempt: int) -> float:
    """A number in [0, 1) fixed by seed, request and attempt (no luck involved)."""
    digest = hashlib.blake2b(repr((seed, key, attempt)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


#: Signing names of REST services whose errors are XML (the rest answer JSON).
REST_XML_SERVICES = frozenset({"s3", "route53", "cloudfront"})

#: kind -> protocol -> (code, status); "rest-xml" is S3-like, "rest-json" Lambda-like.
_SHAPES: Mapping[str, Mapping[str, tuple[str, int]]] = MappingProxyType({
    "throttle": {"json": ("ThrottlingException", 400), "query": ("Throttling", 400),
                 "ec2": ("RequestLimitExceeded", 503), "rest-xml": ("SlowDown", 503),
                 "rest-json": ("TooManyRequestsException", 429)},
    "deny": {"json": ("AccessDeniedException", 400), "query": ("AccessDenied", 403),
             "ec2": ("UnauthorizedOperation", 403), "rest-xml": ("AccessDenied", 403),
             "rest-json": ("AccessDeniedException", 403)},
    "expired": {"json": ("ExpiredTokenException", 400), "query": ("ExpiredToken", 403),
                "ec2": ("RequestExpired", 400), "rest-xml": ("ExpiredToken", 400),
                "rest-json": ("ExpiredTokenException", 403)},
    "invalid": {"json": ("UnrecognizedClientException", 400),
                "query": ("InvalidClientTokenId", 403), "ec2": ("AuthFailure", 401),
                "rest-xml": ("InvalidAccessKeyId", 403),
                "rest-json": ("UnrecognizedClientException", 403)},
    "server_error": {"json": ("InternalFailure", 500), "query": ("InternalFailure", 500),
                     "ec2": ("InternalError", 500), "rest-xml": ("InternalError", 500),
                     "rest-json": ("ServiceException", 500)},
})
FAULT_KINDS = frozenset({"error", *_SHAPES})


def _shape_protocol(service: str, protocol: str) -> str:
    if service == "ec2":
        return "ec2"
    if protocol in ("json", "cbor"):
        return "json"
    if protocol == "query":
        return "query"
    return "rest-xml" if service in REST_XML_SERVICES else "rest-json"


def fault_shape(kind: str, service: str, protocol: str) -> tuple[str, int]:
    """(error code, HTTP status) that ``service`` answers for a fault of ``kind``."""
    return _SHAPES[kind][_shape_protocol(service, protocol)]


def _realised(fault: Fault, service: str, protocol: str) -> Fault:
    """``fault`` with the code, status and body format for this service and protocol."""
    if fault.kind == "error":
        return replace(fault, service=service)
    code, status = fault_shape(fault.kind, service, protocol)
    if fault.kind == "server_error" and fault.status >= 500:
        status = fault.status
        code = "ServiceUnavailable" if status == 503 else code
    rest_format = "xml" if service in REST_XML_SERVICES else "json"
    return replace(fault, service=service, error_code=fault.error_code or code, status=status,
                   rest_format=rest_format)


# --------------------------------------------------------------------------- requests


def _header(environ: Mapping[str, Any], name: str) -> str:
    return str(environ.get("HTTP_" + name.upper().replace("-", "_"), ""))


def request_service(environ: Mapping[str, Any]) -> str | None:
    """The SigV4 signing name from the Authorization header or X-Amz-Credential."""
    match = _CREDENTIAL.search(_header(environ, "Authorization"))
    if match is None:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = query.get("X-Amz-Credential", [""])[0]
        match = _CREDENTIAL.search("Credential=" + credential)
    return match.group(2) if match else None


def request_protocol(environ: dict[str, Any]) -> str:
    """ "json", "cbor", "query" or "rest", judged from the request itself."""
    if _header(environ, "X-Amz-Target"):
        return "json"
    if _header(environ, "Smithy-Protocol") == "rpc-v2-cbor":
        return "cbor"
    return "query" if _action(environ) else "rest"


def request_operation(environ: dict[str, Any]) -> str | None:
    """The operation name for JSON, CBOR and query protocols; None for REST."""
    target = _header(environ, "X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    if _header(environ, "Smithy-Protocol") == "rpc-v2-cbor":
        return str(environ.get("PATH_INFO", "")).rsplit("/operation/", 1)[-1] or None
    return _action(environ)


def _action(environ: dict[str, Any]) -> str | None:
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0]
    return parse_qs(buffer_body(environ).decode("utf-8", "replace")).get("Action", [None])[0]


def buffer_body(environ: dict[str, Any]) -> bytes:
    """A form body, read once and put back as a BytesIO so moto can read it too."""
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return b""
    return request_body(environ)


def request_body(environ: dict[str, Any]) -> bytes:
    """The request body (any type), read once and put back as a BytesIO."""
    if "awshealth.body" not in environ:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["awshealth.body"] = body
    return environ["awshealth.body"]


def request_key(environ: dict[str, Any]) -> str:
    """What stays the same when botocore retries a request: method, path, query without
    signing parameters, and a digest of the body."""
    query = [part for part in str(environ.get("QUERY_STRING", "")).split("&")
             if not part.startswith("X-Amz-")]
    digest = hashlib.blake2b(request_body(environ), digest_size=8).hexdigest()
    return f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}?{'&'.join(query)} {digest}"


# --------------------------------------------------------------------------- error bodies


def _cbor_text(text: str) -> bytes:
    data = text.encode("utf-8")[:65535]
    size = len(data)
    if size < 24:
        return bytes([0x60 | size]) + data
    if size < 256:
        return bytes([0x78, size]) + data
    return bytes([0x79]) + size.to_bytes(2, "big") + data


def _cbor_map(values: Mapping[str, str]) -> bytes:
    """A CBOR map of short text strings (enough for an rpc-v2-cbor error)."""
    items = b"".join(_cbor_text(k) + _cbor_text(v) for k, v in values.items())
    return bytes([0xA0 | len(values)]) + items


def error_response(fault: Fault, protocol: str) -> tuple[list[tuple[str, str]], bytes]:
    """Headers and body of ``fault`` as the service's protocol expects it."""
    code, message = fault.error_code or "InternalFailure", fault.message
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id)]
    if protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        return headers + [("Content-Type", "application/x-amz-json-1.0")], body
    if protocol == "cbor":
        body = _cbor_map({"__type": code, "message": message})
        return (
            headers + [("Content-Type", "application/cbor"), ("Smithy-Protocol", "rpc-v2-cbor")],
            body,
        )
    if protocol == "query" and fault.service == "ec2":
        xml = (
            f"<Response><Errors><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
        return headers + [("Content-Type", "text/xml")], xml.encode()
    if protocol == "query":
        xml = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return headers + [("Content-Type", "text/xml")], xml.encode()
    if fault.rest_format == "xml":
        xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId></Error>"
        )
        return headers + [("Content-Type", "application/xml")], xml.encode()
    body = json.dumps({"Type": "User", "message": message}).encode()
    return headers + [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)], body


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Error"


# --------------------------------------------------------------------------- middleware


class FaultMiddleware:
    """WSGI middleware: delays or fails requests that match a fault in ``faults``."""

    def __init__(self, app: WsgiApp, faults: FaultTable) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        service = request_service(environ)
        if service is None or not self.faults.covers(service):
            return self.app(environ, start_response)
        fault = self.faults.take(service, request_operation(environ), request_key(environ))
        if fault is None:
            return self.app(environ, start_response)
        if fault.delay > 0:
            time.sleep(fault.delay)
        if fault.error_code is None and fault.kind == "error":
            return self.app(environ, start_response)
        protocol = request_protocol(environ)
        fault = _realised(fault, service, protocol)
        headers, body = error_response(fault, protocol)
        if environ.get("REQUEST_METHOD") == "HEAD":  # S3 HeadBucket: a bare status, no body
            headers, body = [h for h in headers if h[0] != "Content-Type"], b""
        start_response(_status_line(fault.status), headers + [("Content-Length", str(len(body)))])
        return [body]


@dataclass(frozen=True)
class Answer:
    """A canned result for one operation: instead of moto's, or (``amend``) merged into it."""

    service: str  # boto3 name, for the serializer
    result: Mapping[str, Any]
    #: Top-level request parameters the request must have (``{"TableName": "orders"}``).
    when: Mapping[str, Any]
    amend: bool = False


class Answers:
    """Thread-safe answers by (signing name, operation), newest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], list[Answer]] = {}

    def add(self, signing_name: str, operation: str, answer: Answer) -> None:
        with self._lock:
            self._answers.setdefault((signing_name, operation), []).insert(0, answer)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __bool__(self) -> bool:
        """Whether any answer is set."""
        with self._lock:
            return bool(self._answers)

    def find(self, signing_name: str | None, operation: str | None,
             params: Callable[[], Mapping[str, Any]]) -> Answer | None:
        """The newest answer for this request whose ``when`` its ``params()`` match."""
        with self._lock:
            candidates = list(self._answers.get((signing_name or "", operation or ""), ()))
        if any(answer.when for answer in candidates):
            given = params()
            candidates = [answer for answer in candidates
                          if all(given.get(k) == v for k, v in answer.when.items())]
        return candidates[0] if candidates else None

    def operations(self, signing_name: str | None) -> list[tuple[str, str]]:
        """(operation, boto3 service) of every answer for ``signing_name``."""
        with self._lock:
            return [(op, answers[0].service) for (name, op), answers in self._answers.items()
                    if name == signing_name and answers]


def request_params(environ: dict[str, Any]) -> dict[str, Any]:
    """A JSON or query request's top-level parameters."""
    body = request_body(environ)
    if request_protocol(environ) == "json":
        loaded = json.loads(body or b"{}")
        return loaded if isinstance(loaded, dict) else {}
    return {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def merged(answer: Any, extra: Any) -> Any:
    """``answer`` with ``extra`` merged in: dicts key by key, anything else replaced."""
    if isinstance(answer, dict) and isinstance(extra, Mapping):
        return {**answer, **{k: merged(answer.get(k), v) for k, v in extra.items()}}
    return extra

def rest_operation(environ: Mapping[str, Any], candidates: list[tuple[str, str]]) -> str | None:
    """Which of the ``(operation, service)`` candidates a REST request is: its method and
    path match the operation's ``requestUri`` in botocore's model."""
    from moto.core.utils import get_service_model

    method, path = environ.get("REQUEST_METHOD", "GET"), str(environ.get("PATH_INFO", ""))
    for operation, service in candidates:
        http = get_service_model(service).operation_model(operation).http
        template = http.get("requestUri", "/").split("?", 1)[0]
        pattern = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", re.escape(template))
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        if http.get("method") == method and re.fullmatch(pattern.rstrip("/") + "/?", path):
            return operation
    return None


def serialized_result(service: str, operation: str,
                      result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a successful ``operation`` returning ``result``, in
    the service's own protocol (moto's serializer, from botocore's model)."""
    from moto.core.serialize import get_serializer_class
    from moto.core.utils import get_service_model

    model = get_service_model(service)
    serializer = get_serializer_class(service, model.protocol)(model.operation_model(operation))
    response = serializer.serialize(result)
    body = response["body"]
    body = body.encode() if isinstance(body, str) else body
    headers = [("x-amzn-RequestId", str(uuid.uuid4())), *response["headers"].items()]
    return response["status_code"], headers, body


class AnswerMiddleware:
    """WSGI middleware: answers the requests :class:`Answers` holds a result for, or amends
    moto's answer to them."""

    def __init__(self, app: WsgiApp, answers: Answers) -> None:
        self.app = app
        self.answers = answers

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        service = request_service(environ)
        operation = request_operation(environ)
        if operation is None and service is not None and self.answers.operations(service):
            operation = rest_operation(environ, self.answers.operations(service))
        found = self.answers.find(service, operation, lambda: request_params(environ))
        if found is None or operation is None:
            return self.app(environ, start_response)
        if found.amend:
            status_line, headers, body = _call_buffered(self.app, environ)
            if status_line.startswith("200"):
                body = json.dumps(merged(json.loads(body or b"{}"), found.result)).encode()
            stale = ("content-length", "x-amz-crc32")  # botocore checks DynamoDB's CRC32
            headers = [(k, v) for k, v in headers if k.lower() not in stale]
        else:
            status, headers, body = serialized_result(found.service, operation, found.result)
            status_line = _status_line(status)
        start_response(status_line, headers + [("Content-Length", str(len(body)))])
        return [body]


class AthenaFailures:
    """Thread-safe record of queries to fail and of the reasons of failed queries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._remaining: int | None = None
        self._failed: dict[str, str] = {}

    def arm(self, reason: str, count: int | None) -> None:
        """Fail the next ``count`` queries (all if None) with ``reason``."""
        with self._lock:
            self._reason, self._remaining = reason, count

    def clear(self) -> None:
        """Stop failing queries and forget failed ones."""
        with self._lock:
            self._reason, self._remaining = None, None
            self._failed.clear()

    def active(self) -> bool:
        """Whether some query is to fail or has failed."""
        with self._lock:
            return self._reason is not None or bool(self._failed)

    def take(self) -> str | None:
        """The reason to fail a query starting now, counting it down."""
        with self._lock:
            reason = self._reason
            if self._remaining is not None:
                self._remaining -= 1
                if self._remaining <= 0:
                    self._reason, self._remaining = None, None
            return reason

    def record(self, execution_id: str, reason: str) -> None:
        with self._lock:
            self._failed[execution_id] = reason

    def reason_for(self, execution_id: str) -> str | None:
        with self._lock:
            return self._failed.get(execution_id)


class AthenaFailureMiddleware:
    """WSGI middleware: makes Athena queries FAILED and reports why, as AWS does."""

    def __init__(self, app: WsgiApp, failures: AthenaFailures) -> None:
        self.app = app
        self.failures = failures

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self._concerns(environ):
            return self.app(environ, start_response)
        status, headers, body = _call_buffered(self.app, environ)
        if status.startswith("200"):
            body = self._rewrite(request_operation(environ), body)
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]

    def _concerns(self, environ: dict[str, Any]) -> bool:
        return (
            request_service(environ) == "athena"
            and request_operation(environ) in _ATHENA_OPS
            and self.failures.active()
        )

    def _rewrite(self, operation: str | None, body: bytes) -> bytes:
        data = json.loads(body or b"{}")
        if operation == "StartQueryExecution":
            self._fail_started(data.get("QueryExecutionId"))
            return body
        self._annotate(data.get("QueryExecution") or {})
        return json.dumps(data).encode()

    def _fail_started(self, execution_id: str | None) -> None:
        reason = self.failures.take() if execution_id else None
        execution = find_athena_execution(execution_id) if reason else None
        if execution is not None and reason is not None:
            execution.status = "FAILED"
            execution.end_time = time.time()
            self.failures.record(str(execution_id), reason)

    def _annotate(self, execution: dict[str, Any]) -> None:
        reason = self.failures.reason_for(execution.get("QueryExecutionId", ""))
        if reason is None or execution.get("Status", {}).get("State") != "FAILED":
            return
        execution["Status"]["StateChangeReason"] = reason
        execution["Status"]["AthenaError"] = {
            "ErrorCategory": 2,
            "ErrorType": 1000,
            "Retryable": False,
            "ErrorMessage": reason,
        }


def _call_buffered(
    app: WsgiApp, environ: dict[str, Any]
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run ``app`` and collect its status, headers and whole body."""
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable:
        captured["status"], captured["headers"] = status, list(headers)
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        getattr(result, "close", lambda: None)()
    return captured["status"], captured["headers"], body


def _iter_backends(service: str) -> Iterator[Any]:
    from moto.backends import get_backend

    for account in list(get_backend(service).values()):  # type: ignore[call-overload]
        yield from list(account.values())


def find_athena_execution(execution_id: str | None) -> Any | None:
    """moto's Athena ``Execution`` with this id, in whatever account and region."""
    for backend in _iter_backends("athena"):
        if execution_id in backend.executions:
            return backend.executions[execution_id]
    return None


def _arn_location(arn: str) -> tuple[str, str]:
    """(account, region) of an ARN."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {arn!r}")
    return parts[4], parts[3]


def _extend(obj: Any, mixin: type) -> None:
    """Give ``obj`` ``mixin``'s methods by swapping its class for a subclass of both. The
    state they read stays in ``obj``'s attributes, so a copy of ``obj`` (a snapshot's)
    behaves as ``obj`` does."""
    base = type(obj)
    if isinstance(obj, mixin):
        return
    if (mixin, base) not in _EXTENDED:
        _EXTENDED[mixin, base] = type(base.__name__, (mixin, base), {"__module__": base.__module__})
    obj.__class__ = _EXTENDED[mixin, base]


_EXTENDED: dict[tuple[type, type], type] = {}


class _TargetHealth:
    """ELBv2 target group: ``health_for`` reports ``_awshealth_overrides[target id]``."""

    _awshealth_overrides: dict[str, tuple[str, str | None, str | None]]

    def health_for(self, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = super().health_for(target, ec2_backend)  # type: ignore[misc]
        if target["Id"] in self._awshealth_overrides:
            status.status, status.reason, status.description = self._awshealth_overrides[
                target["Id"]]
        return status


def _override_health(
    target_group: Any, target_id: str, health: tuple[str, str | None, str | None]
) -> None:
    """Make ``target_group.health_for`` report ``health`` for ``target_id``."""
    if not isinstance(target_group, _TargetHealth):
        target_group._awshealth_overrides = {}
        _extend(target_group, _TargetHealth)
    target_group._awshealth_overrides[target_id] = health


class _TableStatus:
    """DynamoDB table: ``describe`` reports ``_awshealth_status``; ``_awshealth_then``, if
    set, is called once, at the first describe."""

    _awshealth_status: str
    _awshealth_then: Callable[[], Any] | None

    def describe(self, base_key: str = "TableDescription") -> dict[str, Any]:
        result = super().describe(base_key)  # type: ignore[misc]
        result[base_key]["TableStatus"] = self._awshealth_status
        if self._awshealth_then is not None:
            then, self._awshealth_then = self._awshealth_then, None
            then()
        return result


class _InstanceChecks:
    """EC2 instance: its instance and system status checks report ``_awshealth_checks``."""

    _awshealth_checks: tuple[str, str]

    @property
    def instance_status(self) -> dict[str, Any]:
        return _status_check(self._awshealth_checks[0])

    @property
    def system_status(self) -> dict[str, Any]:
        return _status_check(self._awshealth_checks[1])


def _status_check(status: str) -> dict[str, Any]:
    return {"Status": status, "Details": [
        {"Name": "reachability", "Status": "passed" if status == "ok" else "failed"}]}


class _LastUpdateStatus:
    """Lambda function: its configuration reports ``_awshealth_last_update``."""

    _awshealth_last_update: str

    def get_configuration(self, on_create: bool = False) -> dict[str, Any]:
        config = super().get_configuration(on_create)  # type: ignore[misc]
        config["LastUpdateStatus"] = self._awshealth_last_update
        return config


# --------------------------------------------------------------------------- emulator


class Emulator:
    """A moto server on 127.0.0.1 (free port) in a background thread, with fault injection."""

    account_id: str = "123456789012"
    #: Variables to remove from an environment that :meth:`env` is applied to.
    ENV_TO_UNSET: tuple[str, ...] = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE")

    def __init__(self, port: int = 0, region: str = "us-east-1") -> None:
        self.port = port
        self.region = region
        self._faults = FaultTable()
        self._athena = AthenaFailures()
        self._answers = Answers()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._botocore: Any = None
        self._boto3_session: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._timers: list[threading.Timer] = []
        self._transitions: set[str] = set()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        """Serve on 127.0.0.1 in a daemon thread and apply :func:`base_config`."""
        if self._server is not None:
            return self
        from werkzeug.serving import make_server

        from .models import share_service_models

        share_service_models()  # before moto builds a backend
        for name, level in QUIET_LOGGERS.items():
            logging.getLogger(name).setLevel(level)
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # read per backend
        self._server = make_server("127.0.0.1", self.port, self._app(), threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="awshealth-moto", daemon=True
        )
        self._thread.start()
        self.configure(base_config())
        return self

    def _app(self) -> WsgiApp:
        # moto.server's names, public since moto 1.x (moto_server.werkzeug_app moves)
        from moto.server import create_backend_app

        from .dispatch import Dispatcher
        from .iam_enforcer import IamEnforcerMiddleware
        from .iam_simulator import IamSimulatorMiddleware

        moto_app = IamSimulatorMiddleware(Dispatcher(create_backend_app))
        answered = AnswerMiddleware(AthenaFailureMiddleware(moto_app, self._athena), self._answers)
        return FaultMiddleware(IamEnforcerMiddleware(answered), self._faults)

    def stop(self) -> None:
        """Stop serving and close the socket (moto's state stays in the process)."""
        self.cancel_later()
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None
        self._clients.clear()  # bound to this server's port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("Emulator is not started")
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ clients

    def env(self) -> dict[str, str]:
        """Variables that point boto3 and the aws CLI at this server (see ENV_TO_UNSET)."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
        }

    def client(self, service: str, region: str | None = None, **kwargs: Any) -> Any:
        """A boto3 client bound to this server with dummy credentials."""
        key = (service, region or self.region)
        if not kwargs and key in self._clients:
            return self._clients[key]
        client = self._session().client(
            service,
            region_name=region or self.region,
            endpoint_url=self.url,
            aws_access_key_id=DUMMY_KEY,
            aws_secret_access_key=DUMMY_KEY,
            aws_session_token=None,
            **kwargs,
        )
        if not kwargs:
            self._clients[key] = client
        return client

    def iam_user(self, name: str, policy: Mapping[str, Any] | None = None) -> dict[str, str]:
        """An IAM user holding only ``policy`` (a policy document; none: no permission), as
        the environment variables of its access key. The Emulator enforces IAM for every
        request signed with it (``iam_enforcer.py``)."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        if policy is not None:
            arn = iam.create_policy(PolicyName=f"{name}-policy",
                                    PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}

    def _session(self) -> Any:
        """One boto3 session for all provisioning clients (loading its data is the slow part)."""
        if self._boto3_session is None:
            import boto3

            self._boto3_session = boto3.session.Session()
        return self._boto3_session

    # ------------------------------------------------------------------ moto-api

    def _post(self, path: str, payload: Any) -> bytes:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=30) as response:
            return response.read()

    def reset(self) -> None:
        """Wipe all moto state, re-apply :func:`base_config` and clear faults."""
        self._clear_layers()
        self._post("/moto-api/reset", {})
        self.configure(base_config())

    def _clear_layers(self) -> None:
        """Cancel :meth:`later` calls; clear faults, answers, Route 53 check statuses and
        held states."""
        self.cancel_later()
        self.clear_faults()
        _HEALTH_CHECK_STATUSES.clear()
        for model in self._transitions:
            self._post("/moto-api/state-manager/unset-transition", {"model_name": model})
        self._transitions.clear()

    def snapshot(self) -> Snapshot:
        """A copy of every resource moto holds (and the Route 53 check statuses set here),
        for :meth:`restore`: provision a stack once, then restore it instead of provisioning
        it again. Only resources: faults, answers, Athena failures, held states and
        :meth:`later` calls must be cleared first, or a ValueError names them."""
        from .snapshot import take

        layers = {"faults": bool(self._faults), "answers": bool(self._answers),
                  "Athena failures": self._athena.active(),
                  "held states": bool(self._transitions), "later calls": bool(self._timers)}
        if any(layers.values()):
            raise ValueError("snapshot() copies resources only; clear these first: "
                             + ", ".join(name for name, set_ in layers.items() if set_))
        return take(health_checks=dict(_HEALTH_CHECK_STATUSES))

    def restore(self, snapshot: Snapshot) -> None:
        """Clear faults, answers, held states and :meth:`later` calls, as :meth:`reset` does,
        and put back a fresh copy of ``snapshot``'s resources (it stays as it was taken)."""
        from .snapshot import put_back

        self._clear_layers()
        _HEALTH_CHECK_STATUSES.update(put_back(snapshot)["health_checks"])

    def hold_state(self, model: str, reads: int = 1_000_000) -> None:
        """Keep resources of a moto state-managed ``model`` (``cloudfront::distribution``,
        ``ec2::instance``...) in their first state for ``reads`` describes, through moto's
        state manager API: e.g. a distribution stays InProgress."""
        self._post("/moto-api/state-manager/set-transition",
                   {"model_name": model, "transition": {"progression": "manual", "times": reads}})
        self._transitions.add(model)

    def configure(self, config: dict[str, Any]) -> None:
        """POST ``config`` to ``/moto-api/config`` (process-wide in moto)."""
        self._post("/moto-api/config", config)

    # ------------------------------------------------------------------ faults

    def inject_fault(
        self,
        service: str,
        operation: str | None = None,
        *,
        error_code: str | None = None,
        status: int = 400,
        delay: float = 0.0,
        message: str = "injected fault",
        count: int | None = None,
        kind: str = "error",
        fraction: float = 1.0,
        max_consecutive: int | None = None,
        seed: int = 0,
    ) -> None:
        """Delay (then pass on) or fail requests to ``service``/``operation``.

        ``service`` is a boto3 client name ("cloudwatch", "elbv2"), a SigV4 signing
        name ("monitoring") or "*" for every service; ``operation`` is an API name
        ("DescribeTable"), None for any request (the only choice for REST services such
        as s3 and lambda). Without ``error_code`` the request passes on after ``delay``;
        with ``count`` the fault expires after that many requests. ``kind`` other than
        "error" answers what the service really answers (see :meth:`throttle`,
        :meth:`deny`, :meth:`expire_credentials`, :meth:`fail_server`). ``fraction``
        faults only that share of the requests, chosen from ``seed`` and the request's
        content (the same run gets the same faults, whatever the order of requests), at
        most ``max_consecutive`` times in a row for one request. A new fault for the same
        service and operation replaces the old one.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"fraction must be in (0, 1], not {fraction!r}")
        signing_name, protocol = self._service_info(service)
        if operation is not None and protocol.startswith("rest"):
            raise ValueError(
                f"{service} is a REST service: faults match any request (operation=None)"
            )
        rest_format = "xml" if protocol == "rest-xml" else "json"
        fault = Fault(signing_name, operation, error_code, status, delay, message, rest_format,
                      kind, fraction, max_consecutive, seed)
        self._faults.add(fault, count)

    def throttle(
        self,
        service: str = "*",
        operation: str | None = None,
        *,
        fraction: float = 1.0,
        max_consecutive: int | None = None,
        count: int | None = None,
        seed: int = 0,
    ) -> None:
        """Throttle requests as each service does: JSON ``ThrottlingException`` 400, query
        ``Throttling`` 400, EC2 ``RequestLimitExceeded`` 503, Lambda (REST JSON)
        ``TooManyRequestsException`` 429, S3 ``SlowDown`` 503.

        ``throttle(fraction=0.3, max_consecutive=5)`` throttles 30% of all requests, the
        same request at most 5 times in a row.
        """
        self.inject_fault(service, operation, kind="throttle", fraction=fraction,
                          max_consecutive=max_consecutive, count=count, seed=seed,
                          message="Rate exceeded")

    def deny(self, service: str, operation: str | None = None, *, count: int | None = None) -> None:
        """Answer AccessDenied as the service does (``AccessDeniedException``, query
        ``AccessDenied`` 403, EC2 ``UnauthorizedOperation``; S3 HEAD: a bare 403)."""
        self.inject_fault(service, operation, kind="deny", count=count,
                          message="User: arn:aws:iam::123456789012:user/ci is not authorized "
                                  "to perform this operation")

    def expire_credentials(self, service: str = "*", *, invalid: bool = False) -> None:
        """Reject every request's credentials: expired (``ExpiredToken``,
        ``ExpiredTokenException``) or, with ``invalid``, unknown (``InvalidClientTokenId``,
        ``UnrecognizedClientException``, ``InvalidAccessKeyId``). S3 HeadBucket gets a bare
        400 (expired) or 403 (invalid) with no body, as from AWS."""
        kind = "invalid" if invalid else "expired"
        message = ("The security token included in the request is invalid." if invalid
                   else "The security token included in the request is expired")
        self.inject_fault(service, None, kind=kind, message=message)

    def fail_server(
        self,
        service: str = "*",
        operation: str | None = None,
        *,
        status: int = 500,
        fraction: float = 1.0,
        count: int | None = None,
    ) -> None:
        """Answer a 5xx (``InternalFailure``/``InternalError``/``ServiceException``)."""
        self.inject_fault(service, operation, kind="server_error", status=status,
                          fraction=fraction, count=count,
                          message="We encountered an internal error")

    @property
    def faults_answered(self) -> int:
        """How many requests got an injected error since the faults were last cleared."""
        return self._faults.faulted

    @property
    def longest_fault_streak(self) -> int:
        """The most times one request (by content) was faulted in a row (fraction faults)."""
        return self._faults.longest_streak

    def clear_faults(self) -> None:
        """Remove every injected fault and answer, and stop failing Athena queries."""
        self._faults.clear()
        self._athena.clear()
        self._answers.clear()

    def answer(self, service: str, operation: str, result: Mapping[str, Any], *,
               when: Mapping[str, Any] | None = None) -> None:
        """Answer ``operation`` requests to ``service`` with ``result`` (the dict boto3 would
        return), serialized as the service does: for operations moto lacks, e.g.
        ``answer("rds", "DescribePendingMaintenanceActions", {"PendingMaintenanceActions": []})``.
        ``when`` limits it to requests with these top-level parameters (JSON and query
        protocols); REST services' requests are matched by method and path. Lasts until
        :meth:`clear_faults` or :meth:`reset`."""
        self._add_answer(service, operation, Answer(service, dict(result), dict(when or {})))

    def amend_answer(self, service: str, operation: str, extra: Mapping[str, Any], *,
                     when: Mapping[str, Any] | None = None) -> None:
        """Merge ``extra`` into moto's own answer to ``operation`` (dicts key by key), for
        fields moto leaves out: a table's replicas, ``amend_answer("dynamodb",
        "DescribeTable", {"Table": {"Replicas": [...]}}, when={"TableName": "orders"})``.
        JSON answers only (json and rest-json protocols); lasts until :meth:`clear_faults`
        or :meth:`reset`."""
        if self._service_info(service)[1] not in ("json", "rest-json"):
            raise ValueError(f"{service} does not answer JSON: amend_answer cannot merge into it")
        self._add_answer(service, operation,
                         Answer(service, dict(extra), dict(when or {}), amend=True))

    def _add_answer(self, service: str, operation: str, answer: Answer) -> None:
        self._answers.add(self._service_info(service)[0], operation, answer)

    def _service_info(self, service: str) -> tuple[str, str]:
        """(signing name, botocore protocol) of a boto3 service or signing name."""
        import botocore.session
        from botocore.exceptions import UnknownServiceError

        if self._botocore is None:
            self._botocore = botocore.session.Session()
        try:
            model = self._botocore.get_service_model(service)
        except UnknownServiceError:
            return service, "unknown"
        return model.signing_name, model.protocol

    # ------------------------------------------------------------------ backends

    def backend(self, service: str, region: str | None = None) -> Any:
        """moto's in-process backend object of ``service`` in this account."""
        from moto.backends import get_backend

        backends = get_backend(service)  # type: ignore[call-overload]
        return backends[self.account_id][region or self.region]

    def edit_backend(self, service: str, collection: str, key: str, *,
                     region: str | None = None, **attributes: Any) -> Any:
        """Set ``attributes`` on one of moto's model objects and return it, for a state moto
        never reaches by itself: ``edit_backend("kinesis", "streams", "s", status="UPDATING")``
        (``collection``: the backend's dict of them). An attribute the object lacks raises,
        so a typo cannot pass as a state."""
        items = getattr(self.backend(service, region), collection)
        if key not in items:
            raise KeyError(f"no {service} {collection} {key!r}")
        item = items[key]
        for attribute, value in attributes.items():
            if not hasattr(item, attribute):
                raise AttributeError(f"{type(item).__name__} has no attribute {attribute!r}")
            setattr(item, attribute, value)
        return item

    def set_athena_workgroup_state(self, name: str, state: str, region: str | None = None) -> None:
        """Set a workgroup "ENABLED" or "DISABLED" (moto lacks UpdateWorkGroup)."""
        if state not in ("ENABLED", "DISABLED"):
            raise ValueError(f"workgroup state must be ENABLED or DISABLED, not {state!r}")
        work_groups = self.backend("athena", region).work_groups
        if name not in work_groups:
            raise KeyError(f"no Athena workgroup {name!r}")
        work_groups[name].state = state

    def fail_next_athena_queries(self, reason: str, count: int | None = None) -> None:
        """Queries started from now on (the next ``count`` if given) end FAILED with ``reason``.

        Lasts until :meth:`clear_faults` or :meth:`reset`.
        """
        self._athena.arm(reason, count)

    def set_target_health(
        self,
        target_group_arn: str,
        target_id: str,
        state: str,
        reason: str | None = None,
        description: str | None = None,
    ) -> None:
        """Make DescribeTargetHealth report ``state`` (e.g. "unhealthy") for a target."""
        if state not in TARGET_STATES:
            raise ValueError(f"unknown target state {state!r}; use one of {sorted(TARGET_STATES)}")
        default_reason, default_description = _DEFAULT_HEALTH.get(state, (None, None))
        account, region = _arn_location(target_group_arn)
        from moto.backends import get_backend

        target_groups = get_backend("elbv2")[account][region].target_groups
        if target_group_arn not in target_groups:
            raise KeyError(f"no target group {target_group_arn!r}")
        health = (state, reason or default_reason, description or default_description)
        _override_health(target_groups[target_group_arn], target_id, health)

    def set_sns_pending(self, subscription_arn: str) -> None:
        """Make a subscription unconfirmed, as AWS shows one: PendingConfirmation "true",
        and ``PendingConfirmation`` instead of its ARN in ListSubscriptions(ByTopic) (an
        instance attribute that moto's serializer reads before ``arn``)."""
        account, region = _arn_location(subscription_arn)
        from moto.backends import get_backend

        subscriptions = get_backend("sns")[account][region].subscriptions
        if subscription_arn not in subscriptions:
            raise KeyError(f"no SNS subscription {subscription_arn!r}")
        subscription = subscriptions[subscription_arn]
        subscription.confirmed = False
        subscription.attributes["PendingConfirmation"] = True
        subscription.attributes["ConfirmationWasAuthenticated"] = False
        subscription.SubscriptionArn = "PendingConfirmation"

    def set_ecs_running_count(
        self, cluster: str, service: str, running: int, pending: int = 0, region: str | None = None
    ) -> None:
        """Set an ECS service's runningCount/pendingCount (and its deployment's)."""
        backend = self.backend("ecs", region)
        services, _ = backend.describe_services(cluster, [service])
        if not services:
            raise KeyError(f"no ECS service {service!r} in cluster {cluster!r}")
        svc = services[0]
        ecs_cluster = backend.clusters[svc.cluster_name]
        backend.update_cluster_resources(ecs_cluster, running - svc.running_count, "RUNNING")
        backend.update_cluster_resources(ecs_cluster, pending - svc.pending_count, "PENDING")
        svc.running_count, svc.pending_count = running, pending
        for deployment in svc.deployments:
            if deployment.get("status") == "PRIMARY":
                _update_deployment(deployment, running, pending)


    def set_task_exit(self, cluster: str, task: str, exit_code: int,
                      stop_code: str = "EssentialContainerExited",
                      region: str | None = None) -> None:
        """Record how an ECS task stopped, as ECS does (moto records neither): its stop code
        and its (first) container's exit code, e.g. 137 for one killed out of memory."""
        stopped = self.backend("ecs", region).describe_tasks(cluster, [task])
        if not stopped:
            raise KeyError(f"no ECS task {task!r} in cluster {cluster!r}")
        stopped[0].stop_code = stop_code
        stopped[0].containers[0].exitCode = exit_code

    # ------------------------------------------------------------------ states that change

    def later(self, seconds: float, func: Callable[..., Any], *args: Any, **kwargs: Any
              ) -> threading.Timer:
        """Call ``func(*args, **kwargs)`` in ``seconds`` from a timer thread, e.g. to let a
        table converge: ``emu.later(15, emu.set_table_status, "t", "ACTIVE")``. Pending
        calls are cancelled by :meth:`reset`, :meth:`stop` and :meth:`cancel_later`."""
        timer = threading.Timer(seconds, func, args, kwargs)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()
        return timer

    def cancel_later(self) -> None:
        """Cancel every pending :meth:`later` call."""
        while self._timers:
            self._timers.pop().cancel()

    def set_table_status(self, table: str, status: str, *, then: str | None = None,
                         after: float = 0.0, region: str | None = None) -> None:
        """Make DescribeTable report TableStatus ``status`` (moto always says ACTIVE); with
        ``then``, it turns ``then`` ``after`` seconds after it is first described, e.g.
        CREATING until 15 s after the check first looks: ``then="ACTIVE", after=15``."""
        backend_table = self._table(table, region)
        backend_table._awshealth_status = status
        backend_table._awshealth_then = None if then is None else (
            lambda: self.later(after, self.set_table_status, table, then, region=region))
        _extend(backend_table, _TableStatus)

    def set_gsi_status(self, table: str, index: str, status: str,
                       region: str | None = None) -> None:
        """Set a global secondary index's IndexStatus (moto creates them ACTIVE)."""
        for gsi in self._table(table, region).global_indexes:
            if gsi.name == index:
                gsi.status = status
                return
        raise KeyError(f"no index {index!r} on table {table!r}")

    def set_ttl_status(self, table: str, status: str, attribute: str | None = None,
                       region: str | None = None) -> None:
        """Set TimeToLiveStatus (ENABLING, ENABLED, DISABLING, DISABLED)."""
        ttl = self._table(table, region).ttl
        ttl["TimeToLiveStatus"] = status
        if attribute:
            ttl["AttributeName"] = attribute

    def _table(self, name: str, region: str | None) -> Any:
        tables = self.backend("dynamodb", region).tables
        if name not in tables:
            raise KeyError(f"no DynamoDB table {name!r}")
        return tables[name]

    def set_lambda_state(self, function: str, state: str | None = None,
                         last_update_status: str | None = None,
                         region: str | None = None) -> None:
        """Set a function's State (Pending, Active, Inactive, Failed) and/or its
        LastUpdateStatus (InProgress, Successful, Failed); moto says Active/Successful."""
        from moto.awslambda.utils import get_backend  # the simple backend without Docker

        fn = get_backend(self.account_id, region or self.region).get_function(function)
        if state is not None:
            fn.state = state
        if last_update_status is not None:
            fn._awshealth_last_update = last_update_status
            _extend(fn, _LastUpdateStatus)

    def set_health_check_status(self, check_id: str, status: str) -> None:
        """Make Route 53's checkers report ``status`` (e.g. ``"Failure: HTTP Status Code
        503"``) for a health check; moto always reports success. Patches moto's
        ``get_health_check_status`` response once, for every check given a status."""
        from moto.route53.responses import Route53

        _HEALTH_CHECK_STATUSES[check_id] = status
        if getattr(Route53.get_health_check_status, "_awshealth", False):
            return
        original = Route53.get_health_check_status

        def get_health_check_status(response: Any) -> Any:
            result = original(response)
            wanted = _HEALTH_CHECK_STATUSES.get(response._get_param("HealthCheckId"))
            if wanted is not None:
                for observation in result.result["HealthCheckObservations"]:
                    observation["StatusReport"]["Status"] = wanted
            return result

        get_health_check_status._awshealth = True  # type: ignore[attr-defined]
        Route53.get_health_check_status = get_health_check_status  # type: ignore[method-assign]

    def set_instance_checks(self, instance_id: str, instance: str = "impaired",
                            system: str = "ok", region: str | None = None) -> None:
        """Make DescribeInstanceStatus report these check statuses for a running instance
        (``ok``, ``impaired``, ``initializing``...); moto always reports ``ok``. The
        instance's class is swapped for a subclass whose statuses say so."""
        found = self.backend("ec2", region).get_instance(instance_id)
        found._awshealth_checks = (instance, system)
        _extend(found, _InstanceChecks)

    def set_scan_findings(self, repository: str, tag: str, counts: dict[str, int],
                          region: str | None = None) -> None:
        """What ECR's scan of ``repository:tag`` found, by severity (moto answers one HIGH
        finding for every image), through moto's static scan results API. Set it once per
        image and reset: moto answers the first result that matches."""
        result = {"imageScanFindings": {"findingSeverityCounts": counts, "findings": []},
                  "registryId": self.account_id, "repositoryName": repository,
                  "imageId": {"imageTag": tag},
                  "imageScanStatus": {"status": "COMPLETE", "description": "The scan was completed successfully."}}
        self._post("/moto-api/static/ecr/scan-finding-results",
                   {"results": [result], "region": region or self.region})


_HEALTH_CHECK_STATUSES: dict[str, str] = {}


def _update_deployment(deployment: dict[str, Any], running: int, pending: int) -> None:
    done = running >= deployment.get("desiredCount", 0)
    deployment["runningCount"], deployment["pendingCount"] = running, pending
    deployment["rolloutState"] = "COMPLETED" if done else "IN_PROGRESS"
    verb = "completed" if done else "in progress"
    deployment["rolloutStateReason"] = f"ECS deployment {deployment['id']} {verb}."
