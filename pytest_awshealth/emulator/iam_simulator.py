"""IAM ``SimulatePrincipalPolicy`` for the Emulator (moto 5.2 does not implement it).

:class:`IamSimulatorMiddleware` answers the query-protocol request itself by reading the
principal's policies from moto's in-process IAM backend:

- a role: its inline policies and attached managed policies;
- a user: its inline and attached policies, and those of its groups;
- a group: its inline and attached policies;
- plus any ``PolicyInputList`` documents sent with the request.

A pair (action, resource) is ``explicitDeny`` when a Deny statement matches it,
``allowed`` when an Allow statement matches and no Deny does, ``implicitDeny`` otherwise.
A statement matches when one of its ``Action`` patterns matches the action
(case-insensitive) and one of its ``Resource`` patterns matches the resource
(case-sensitive); ``NotAction``/``NotResource`` match everything their patterns do not.
Patterns use the IAM wildcards ``*`` and ``?``; the requested resource is taken
literally, so the default resource ``*`` matches only statements whose pattern matches
the text ``*`` (e.g. ``Resource: "*"``). A permissions boundary, when the role or
user has one, must allow the pair too.

Not evaluated: ``Condition`` blocks (a statement applies as if its conditions held; their
keys are listed in ``MissingContextValues`` unless ``ContextEntries`` names them), policy
variables such as ``${aws:username}``, ``Principal`` elements, resource policies, SCPs
and session policies. ``MaxItems``/``Marker`` are ignored: every result comes in one page.

The answer has the shape botocore's IAM model (``SimulatePolicyResponse`` with result
wrapper ``SimulatePrincipalPolicyResult``) describes, so boto3 and the aws CLI parse it.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping, Optional
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

from .server import StartResponse, WsgiApp, buffer_body, request_operation, request_service

OPERATION = "SimulatePrincipalPolicy"
XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/"
_ARN = re.compile(r"^arn:(?P<partition>[^:]+):iam::(?P<account>\d{12}):(?P<kind>user|role|group)/(?P<path>.+)$")


class SimulationError(Exception):
    """An error AWS would answer with: (HTTP status, code, message)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Statement:
    """One policy statement, normalised to lists."""

    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    condition_keys: tuple[str, ...]
    source_id: str
    source_type: str

    def matches(self, action: str, resource: str) -> bool:
        return (_matches_any(self.actions, self.not_actions, action, ignore_case=True)
                and _matches_any(self.resources, self.not_resources, resource,
                                 ignore_case=False))


@dataclass(frozen=True)
class Decision:
    """The evaluation of one (action, resource) pair."""

    action: str
    resource: str
    decision: str
    matched: tuple[Statement, ...]
    missing_context: tuple[str, ...]
    boundary_allows: Optional[bool]


# --------------------------------------------------------------------------- matching


def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(f"^{regex}$", flags)


def glob_match(glob: str, value: str, ignore_case: bool = False) -> bool:
    """Whether ``value`` matches the IAM wildcard pattern ``glob`` (``*`` and ``?``)."""
    return _pattern(glob, ignore_case).match(value) is not None


def _matches_any(patterns: tuple[str, ...], not_patterns: tuple[str, ...], value: str,
                 ignore_case: bool) -> bool:
    if not_patterns:
        return not any(glob_match(p, value, ignore_case) for p in not_patterns)
    return any(glob_match(p, value, ignore_case) for p in patterns)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


# --------------------------------------------------------------------------- policies


def parse_document(document: Any) -> dict[str, Any]:
    """A policy document from a dict, JSON text or URL-encoded JSON text."""
    if isinstance(document, dict):
        return document
    text = str(document or "").strip()
    if text and not text.startswith("{"):
        text = unquote(text)
    return json.loads(text) if text else {}


def statements_of(document: Any, source_id: str, source_type: str) -> list[Statement]:
    """The statements of one policy document."""
    raw = parse_document(document).get("Statement", [])
    found = []
    for item in raw if isinstance(raw, list) else [raw]:
        keys = tuple(k for block in (item.get("Condition") or {}).values()
                     if isinstance(block, dict) for k in block)
        found.append(Statement(
            effect=str(item.get("Effect", "")),
            actions=_as_tuple(item.get("Action")), not_actions=_as_tuple(item.get("NotAction")),
            resources=_as_tuple(item.get("Resource")),
            not_resources=_as_tuple(item.get("NotResource")),
            condition_keys=keys, source_id=source_id, source_type=source_type))
    return found


def _default_document(policy: Any) -> Any:
    for version in getattr(policy, "versions", []):
        if getattr(version, "is_default", False):
            return version.document
    return getattr(policy, "document", "{}")


def _managed_type(arn: str) -> str:
    return "aws-managed" if ":iam::aws:policy/" in arn else "user-managed"


def _entity_statements(entity: Any, inline_type: str) -> list[Statement]:
    found: list[Statement] = []
    for name, document in getattr(entity, "policies", {}).items():
        found += statements_of(document, name, inline_type)
    for arn, policy in getattr(entity, "managed_policies", {}).items():
        found += statements_of(_default_document(policy), policy.name, _managed_type(arn))
    return found


@dataclass(frozen=True)
class Principal:
    """The statements that apply to a principal, and its permissions boundary's."""

    statements: tuple[Statement, ...]
    boundary: Optional[tuple[Statement, ...]]


def iam_backend(account: str, partition: str = "aws") -> Any:
    """moto's IAM backend of ``account`` (IAM backends are keyed by partition)."""
    from moto.backends import get_backend

    return get_backend("iam")[account][partition]  # type: ignore[index]


def load_principal(arn: str) -> Principal:
    """The policies of the user, role or group ``arn`` in moto's backend."""
    match = _ARN.match(arn)
    if match is None:
        raise SimulationError(400, "InvalidInput", f"Invalid ARN: {arn}")
    backend = iam_backend(match["account"], match["partition"])
    name = match["path"].rsplit("/", 1)[-1]
    kind = match["kind"]
    entity = _find_entity(backend, kind, name)
    if entity is None:
        raise SimulationError(404, "NoSuchEntity", f"The {kind} with name {name} cannot be found.")
    statements = _entity_statements(entity, kind)
    if kind == "user":
        for group in backend.get_groups_for_user(name):
            statements += _entity_statements(group, "group")
    return Principal(tuple(statements), _boundary(backend, entity))


def _find_entity(backend: Any, kind: str, name: str) -> Any:
    if kind == "role":
        return next((r for r in backend.roles.values() if r.name == name), None)
    if kind == "user":
        return backend.users.get(name)
    return backend.groups.get(name)


def _boundary(backend: Any, entity: Any) -> Optional[tuple[Statement, ...]]:
    arn = getattr(entity, "permissions_boundary_arn", None)
    if not arn:
        return None
    policy = backend.managed_policies.get(arn)
    if policy is None:
        return ()
    return tuple(statements_of(_default_document(policy), policy.name, _managed_type(arn)))


# --------------------------------------------------------------------------- evaluation


def _verdict(statements: Iterable[Statement], action: str,
             resource: str) -> tuple[str, tuple[Statement, ...]]:
    matched = [s for s in statements if s.matches(action, resource)]
    denies = tuple(s for s in matched if s.effect == "Deny")
    if denies:
        return "explicitDeny", denies
    allows = tuple(s for s in matched if s.effect == "Allow")
    return ("allowed", allows) if allows else ("implicitDeny", ())


def evaluate(principal: Principal, action: str, resource: str,
             context_keys: Iterable[str] = ()) -> Decision:
    """The decision for one (action, resource) pair."""
    decision, matched = _verdict(principal.statements, action, resource)
    boundary_allows: Optional[bool] = None
    if principal.boundary is not None:
        boundary_decision, _ = _verdict(principal.boundary, action, resource)
        boundary_allows = boundary_decision == "allowed"
        if decision == "allowed" and not boundary_allows:
            decision, matched = "implicitDeny", ()
    known = {k.lower() for k in context_keys}
    missing = tuple(dict.fromkeys(k for s in matched for k in s.condition_keys
                                  if k.lower() not in known))
    return Decision(action, resource, decision, matched, missing, boundary_allows)


def simulate(params: Mapping[str, list[str]]) -> list[Decision]:
    """Evaluate a SimulatePrincipalPolicy request given as parsed form parameters."""
    source = _one(params, "PolicySourceArn")
    if not source:
        raise SimulationError(400, "ValidationError", "PolicySourceArn is required")
    actions = _members(params, "ActionNames")
    if not actions:
        raise SimulationError(400, "ValidationError", "ActionNames must not be empty")
    principal = load_principal(source)
    extra = [s for i, doc in enumerate(_members(params, "PolicyInputList"), 1)
             for s in statements_of(doc, f"PolicyInputList.{i}", "none")]
    principal = Principal(principal.statements + tuple(extra), principal.boundary)
    resources = _members(params, "ResourceArns") or ["*"]
    context_keys = [v for k, vs in params.items()
                    if re.fullmatch(r"ContextEntries\.member\.\d+\.ContextKeyName", k) for v in vs]
    return [evaluate(principal, a, r, context_keys) for a in actions for r in resources]


def _one(params: Mapping[str, list[str]], name: str) -> str:
    return (params.get(name) or [""])[0]


def _members(params: Mapping[str, list[str]], name: str) -> list[str]:
    numbered = []
    for key, values in params.items():
        match = re.fullmatch(rf"{name}\.member\.(\d+)", key)
        if match:
            numbered.append((int(match.group(1)), values[0]))
    return [value for _, value in sorted(numbered)]


# --------------------------------------------------------------------------- XML


def _tag(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _statement_xml(statement: Statement) -> str:
    return ("<member>" + _tag("SourcePolicyId", statement.source_id)
            + _tag("SourcePolicyType", statement.source_type) + "</member>")


def _decision_xml(decision: Decision) -> Iterator[str]:
    yield "<member>"
    yield _tag("EvalActionName", decision.action)
    yield _tag("EvalResourceName", decision.resource)
    yield _tag("EvalDecision", decision.decision)
    yield "<MatchedStatements>" + "".join(map(_statement_xml, decision.matched)) \
        + "</MatchedStatements>"
    yield "<MissingContextValues>" + "".join(
        _tag("member", key) for key in decision.missing_context) + "</MissingContextValues>"
    if decision.boundary_allows is not None:
        yield ("<PermissionsBoundaryDecisionDetail>"
               + _tag("AllowedByPermissionsBoundary", str(decision.boundary_allows).lower())
               + "</PermissionsBoundaryDecisionDetail>")
    yield "</member>"


def response_xml(decisions: Iterable[Decision], request_id: str) -> bytes:
    """The SimulatePrincipalPolicy response body."""
    members = "".join(part for d in decisions for part in _decision_xml(d))
    return (
        f'<SimulatePrincipalPolicyResponse xmlns="{XMLNS}"><SimulatePrincipalPolicyResult>'
        f"<EvaluationResults>{members}</EvaluationResults><IsTruncated>false</IsTruncated>"
        f"</SimulatePrincipalPolicyResult><ResponseMetadata>{_tag('RequestId', request_id)}"
        f"</ResponseMetadata></SimulatePrincipalPolicyResponse>"
    ).encode()


def error_xml(error: SimulationError, request_id: str) -> bytes:
    """An IAM query-protocol error body."""
    return (
        f'<ErrorResponse xmlns="{XMLNS}"><Error><Type>Sender</Type>{_tag("Code", error.code)}'
        f"{_tag('Message', error.message)}</Error>{_tag('RequestId', request_id)}</ErrorResponse>"
    ).encode()


# --------------------------------------------------------------------------- middleware

_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found"}


class IamSimulatorMiddleware:
    """WSGI middleware: answers IAM SimulatePrincipalPolicy; passes everything else on."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if request_service(environ) != "iam" or request_operation(environ) != OPERATION:
            return self.app(environ, start_response)
        params = parse_qs(buffer_body(environ).decode("utf-8", "replace"), keep_blank_values=True)
        params.update(parse_qs(str(environ.get("QUERY_STRING", ""))))
        request_id = str(uuid.uuid4())
        try:
            status, body = 200, response_xml(simulate(params), request_id)
        except SimulationError as exc:
            status, body = exc.status, error_xml(exc, request_id)
        start_response(f"{status} {_REASONS[status]}", [
            ("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id),
            ("Content-Length", str(len(body)))])
        return [body]
