"""IAM enforcement for the Emulator: a request signed with an IAM user's access key is
allowed only when that user's policies allow its action on its resource.

moto's own enforcement (``INITIAL_NO_AUTH_ACTION_COUNT``) authorises most services
against the resource ``"*"``, so a statement scoped to a table or function ARN is denied
there, while AWS allows it; Lambda and API Gateway requests do not pass its signature
check. :class:`IamEnforcerMiddleware` does what AWS does instead:

- the caller is the IAM user owning the request's access key id (SigV4 ``Credential``);
  requests signed with any other key (the Emulator's dummy ``testing`` key) pass, as
  an administrator's would;
- the operation comes from ``X-Amz-Target``, the ``Action`` parameter, the CBOR path, or
  (REST services: Lambda, S3, API Gateway) the botocore model's HTTP method and URI;
- its IAM action from :mod:`pytest_awshealth.iam_actions`; the resources AWS authorises
  it on from :mod:`pytest_awshealth.iam_resources`, named by the request's parameters
  (moto's backends give the full ARN of a secret, stack or role named by name);
- the decision from :func:`.iam_simulator.evaluate` (Allow and no Deny, wildcards,
  permissions boundaries); operations AWS never denies (``sts:GetCallerIdentity``) pass.

A denial is answered as the service answers it (``AccessDeniedException``,
``AccessDenied``; a bare 403 for S3 HEAD), with AWS's message naming the user, the
action and the resource.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import parse_qs, unquote

from .server import (Fault, StartResponse, WsgiApp, _CREDENTIAL, _header, _realised,
                     _status_line, error_response, request_body, request_operation,
                     request_protocol)

#: SigV4 signing names that differ from the boto3 service name.
SERVICES = {"monitoring": "cloudwatch", "elasticloadbalancing": "elbv2", "states": "stepfunctions"}
#: Request parameters that name a resource of each type (the first present is used).
NAMES: Mapping[str, tuple[str, ...]] = {
    "acm:certificate": ("CertificateArn",), "athena:workgroup": ("WorkGroup",),
    "cloudformation:stack": ("StackName",), "cognito-idp:userpool": ("UserPoolId",),
    "dynamodb:table": ("TableName",), "events:rule": ("Name", "Rule"),
    "glue:database": ("DatabaseName", "Name"), "glue:tables": ("DatabaseName",),
    "iam:role": ("PolicySourceArn", "RoleName", "RoleArn"),
    "lambda:function": ("FunctionName",), "logs:log-group": ("logGroupName", "logGroupIdentifier"),
    "s3:bucket": ("Bucket",), "s3:object": ("Bucket",),
    "secretsmanager:secret": ("SecretId",), "servicediscovery:service": ("Id", "ServiceId"),
    "sns:topic": ("TopicArn",), "sqs:queue": ("QueueUrl", "QueueName"), "ssm:parameter": ("Name",),
    "states:stateMachine": ("stateMachineArn",), "states:execution": ("executionArn",),
    "ecs:service": ("services",), "ecs:task": ("cluster",),
    "cloudfront:distribution": ("Id",), "cloudtrail:trail": ("Name",),
    "ecr:repository": ("repositoryName", "repositoryNames"), "eks:cluster": ("name",),
    "elasticache:replicationgroup": ("ReplicationGroupId",), "es:domain": ("DomainName",),
    "firehose:deliverystream": ("DeliveryStreamName",),
    "kinesis:stream": ("StreamARN", "StreamName"), "pipes:pipe": ("Name",),
    "rds:cluster": ("DBClusterIdentifier",), "rds:db": ("DBInstanceIdentifier",),
}


@dataclass(frozen=True)
class Call:
    """One AWS request as IAM sees it."""

    service: str  # boto3 client name
    operation: str
    params: Mapping[str, Any]
    region: str
    path: str = ""


# --------------------------------------------------------------------------- the caller


def caller_of(environ: Mapping[str, Any]) -> Optional[str]:
    """The ARN of the IAM user whose access key signed the request, if it is one."""
    match = _CREDENTIAL.search(_header(environ, "Authorization"))
    key = match.group(0).split("=", 1)[1].split("/", 1)[0] if match else None
    return user_with_key(key) if key else None


def user_with_key(access_key_id: str) -> Optional[str]:
    from moto.iam.models import iam_backends

    for account in list(iam_backends.values()):
        for backend in list(account.values()):
            for user in list(backend.users.values()):
                if any(k.access_key_id == access_key_id for k in user.access_keys):
                    return str(user.arn)
    return None


# --------------------------------------------------------------------------- the request


def call_of(environ: dict[str, Any]) -> Optional[Call]:
    """The service, operation and parameters of a request (None: not an AWS API call)."""
    match = _CREDENTIAL.search(_header(environ, "Authorization"))
    if match is None:
        return None
    region, signing = match.group(1), match.group(2)
    service = SERVICES.get(signing, signing)
    protocol = request_protocol(environ)
    path = unquote(str(environ.get("PATH_INFO", "")))
    if protocol == "rest":
        found = rest_operation(service, str(environ.get("REQUEST_METHOD", "GET")),
                               str(environ.get("PATH_INFO", "")),
                               parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
        if found is None:
            return None
        operation, params = found
        return Call(service, operation, params, region, path)
    operation = request_operation(environ)
    if operation is None:
        return None
    return Call(service, operation, _params(environ, protocol), region, path)


def _params(environ: dict[str, Any], protocol: str) -> dict[str, Any]:
    body = request_body(environ)
    if protocol == "json":
        try:
            found = json.loads(body or b"{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}
    if protocol == "cbor":
        return _cbor(body)
    query = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    query.update(parse_qs(str(environ.get("QUERY_STRING", ""))))
    flat: dict[str, Any] = {}
    for key, values in query.items():
        if ".member." in key:  # services.member.1 -> services: [...]
            flat.setdefault(key.split(".member.")[0], []).extend(values)
        else:
            flat[key] = values[0]
    return flat


def _cbor(body: bytes) -> dict[str, Any]:
    from botocore.parsers import RpcV2CBORParser

    if not body:
        return {}
    parser = RpcV2CBORParser()
    try:
        found = parser.parse_data_item(parser.get_peekable_stream_from_bytes(body))
    except Exception:
        return {}
    return found if isinstance(found, dict) else {}


def rest_operation(service: str, method: str, raw_path: str,
                   query: Mapping[str, list[str]]) -> Optional[tuple[str, dict[str, Any]]]:
    """(operation, URI parameters) of a REST request, by the botocore model's routes."""
    best: Optional[tuple[tuple[int, int], str, dict[str, Any]]] = None
    for route in _routes(service):
        if route.method != method:
            continue
        found = route.match(raw_path, query)
        if found is not None and (best is None or route.rank > best[0]):
            best = (route.rank, route.operation, found)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, Optional[str]], ...]
    rank: tuple[int, int]

    def match(self, raw_path: str, query: Mapping[str, list[str]]) -> Optional[dict[str, Any]]:
        found = self.pattern.match(raw_path)
        if found is None:
            return None
        for key, value in self.query:
            if key not in query or (value is not None and value not in query[key]):
                return None
        return {name: unquote(text) for name, text in found.groupdict().items()}


@functools.lru_cache(maxsize=8)
def _routes(service: str) -> tuple[_Route, ...]:
    import botocore.loaders
    from botocore.model import ServiceModel

    # A loader of its own: botocore edits the models a client uses in place (S3's
    # requestUri loses its "/{Bucket}" on a client's first call), and a loader shared
    # with clients (a session's, or one cached process-wide) hands out the edited copy.
    loader = botocore.loaders.Loader()
    model = ServiceModel(loader.load_service_model(service, "service-2"), service)
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        path, _, query = str(http.get("requestUri", "/")).partition("?")
        regex = "".join(
            f"(?P<{part[1:-2]}>.+)" if part.endswith("+}") else
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", path))
        fixed = tuple((k, v or None) for k, _, v in (q.partition("=") for q in query.split("&") if q))
        literal = len(re.sub(r"\{[^}]+\}", "", path))
        routes.append(_Route(name, str(http.get("method", "GET")),
                             re.compile(f"^{regex.rstrip('/')}/?$"), fixed, (len(fixed), literal)))
    return tuple(routes)


# --------------------------------------------------------------------------- resources


def resources_of(call: Call, account: str) -> list[str]:
    """The ARNs IAM authorises ``call`` on (``["*"]`` when its action has no resource type)."""
    from ..iam_resources import OPERATIONS, TYPES
    from ..resources.base import partition_of

    if call.service == "apigateway":
        return [f"arn:{partition_of(call.region)}:apigateway:{call.region}::{call.path}"]
    kinds = OPERATIONS.get((call.service, call.operation))
    if not kinds:
        return ["*"]
    fields = {"partition": partition_of(call.region), "region": call.region, "account": account}
    found: list[str] = []
    for kind in kinds:
        for name, extra in _names(kind, call, account):
            if name.startswith("arn:"):
                found.append(name)
                continue
            values = {**fields, **extra, "name": name}
            found.append(TYPES[kind][0].format_map(values))
    return found


def _names(kind: str, call: Call, account: str) -> Iterable[tuple[str, dict[str, str]]]:
    """(name or ARN, other template fields) of each resource of ``kind`` the call names."""
    params = call.params
    if kind == "athena:workgroup":
        return [(_workgroup(params), {})]
    if kind.startswith("ecs:"):
        cluster = {"cluster": str(params.get("cluster") or "default").rsplit("/", 1)[-1]}
        listed = params.get("services" if kind == "ecs:service" else "tasks") or []
        return [(str(n) if str(n).startswith("arn:") else str(n).rsplit("/", 1)[-1], cluster)
                for n in listed]
    if kind == "s3:object":
        return [(f"arn:aws:s3:::{params.get('Bucket')}/{params.get('Key', '')}", {})]
    if kind == "glue:catalog":
        return [("", {})]
    value = next((params[p] for p in NAMES.get(kind, ()) if params.get(p)), None)
    if value is None:
        return [("*", {})]
    name = str(value[0] if isinstance(value, list) else value)
    return [(_full_arn(kind, name, call, account), {})]


def _workgroup(params: Mapping[str, Any]) -> str:
    if params.get("WorkGroup"):
        return str(params["WorkGroup"])
    from .server import find_athena_execution

    execution = find_athena_execution(params.get("QueryExecutionId"))
    group = getattr(execution, "workgroup", None) if execution is not None else None
    return str(getattr(group, "name", group) or "primary")


def _full_arn(kind: str, name: str, call: Call, account: str) -> str:
    """The ARN moto knows for a resource named by name (a secret's suffix, a stack's id),
    or the name as a template's ``{name}``."""
    if name.startswith("arn:"):
        return name
    if kind == "sqs:queue":
        return name.rstrip("/").rsplit("/", 1)[-1]
    if kind == "ssm:parameter":
        return name.lstrip("/")
    if kind == "lambda:function" and ":" in name:  # a partial ARN: 123456789012:function:f
        return name.rsplit(":function:", 1)[-1].split(":", 1)[0]
    known = _moto_arn(kind, name, call.region, account)
    return known or name


def _moto_arn(kind: str, name: str, region: str, account: str) -> Optional[str]:
    from moto.backends import get_backend

    try:
        if kind == "secretsmanager:secret":
            return str(get_backend("secretsmanager")[account][region].secrets[name].arn)
        if kind == "cloudformation:stack":
            return str(get_backend("cloudformation")[account][region].get_stack(name).stack_id)
        if kind == "iam:role":
            from .iam_simulator import iam_backend

            return str(iam_backend(account).get_role(name).arn)
    except Exception:  # not there: AWS names it by the name given
        return None
    return None


# --------------------------------------------------------------------------- middleware


def decide(caller: str, call: Call) -> Optional[tuple[str, str]]:
    """(action, resource) the caller may not perform for ``call``, or None when allowed."""
    from ..iam_actions import iam_action
    from ..iam_resources import FREE
    from .iam_simulator import evaluate, load_principal

    if (call.service, call.operation) in FREE:
        return None
    account = caller.split(":")[4]
    action = iam_action(call.service, call.operation)
    principal = load_principal(caller)
    for resource in resources_of(call, account):
        if evaluate(principal, action, resource).decision != "allowed":
            return action, resource
    return None


class IamEnforcerMiddleware:
    """WSGI middleware: denies an IAM user's requests that its policies do not allow."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        caller = caller_of(environ)
        call = call_of(environ) if caller else None
        denied = decide(caller, call) if caller and call else None
        if denied is None:
            return self.app(environ, start_response)
        action, resource = denied
        message = (f"User: {caller} is not authorized to perform: {action} on resource: "
                   f"{resource} because no identity-based policy allows the {action} action")
        protocol = request_protocol(environ)
        signing = _CREDENTIAL.search(_header(environ, "Authorization")).group(2)  # type: ignore[union-attr]
        fault = _realised(Fault(signing, call.operation if call else None, None, 403, 0.0,
                                message, "json", kind="deny"), signing, protocol)
        headers, body = error_response(fault, protocol)
        if environ.get("REQUEST_METHOD") == "HEAD":
            headers, body = [h for h in headers if h[0] != "Content-Type"], b""
        start_response(_status_line(fault.status), headers + [("Content-Length", str(len(body)))])
        return [body]
