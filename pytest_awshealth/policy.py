"""The least-privilege IAM policy a set of checks needs, computed from their source.

Each test's handles and the attributes it reads come from :mod:`.usage`; each probe
says which operations it may call (:class:`~.probes.ProbeSpec` ``reads``);
:mod:`.iam_actions` names the IAM action of each operation and :mod:`.iam_resources`
the resources AWS authorises it on; the bound outputs name those resources. No AWS
call is made. Actions that run or reveal something (:data:`~.iam_resources.RUNS`) get
statements of their own whose ``Sid`` names the tests that need them.

Formats are small functions over :class:`Policy`: :func:`as_json`, :func:`as_terraform`
(an ``aws_iam_policy_document`` data block), :func:`as_cdk` (Python
``aws_iam.PolicyStatement`` objects).
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

import pytest

from . import iam_resources as iam
from .iam_actions import TABLE, iam_action
from .usage import EVERY, HandleUse, _class_attribute, _returned_handle, handle_uses

VERSION = "2012-10-17"
#: Stand-ins for what is not known when the policy is computed; each format writes its own.
ACCOUNT, REGION = "<<account>>", "<<region>>"
#: Attributes of every handle that read nothing from AWS.
OFFLINE = frozenset({"name", "region", "output", "origin", "aws", "kind", "service", "fixture",
                     "hint_prefix", "arn_format", "known_arn", "hint_context", "name_source",
                     "refresh", "not_found_codes", "default_name", "is_not_found",
                     "describe_operations", "healthy_when", "hints", "metric_namespace"})
FORMATS = ("json", "terraform", "cdk")


@dataclass(frozen=True)
class Grant:
    """One action on one resource that one test needs."""

    action: str
    resource: str
    test: str
    #: The operation (boto3 service, API name) the action authorises.
    operation: tuple[str, str] = ("", "")
    #: (action, resource) pairs that serve the test as well when this one is denied (the
    #: handle falls back to their operation, :data:`.iam_resources.FALLBACKS`).
    instead: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Statement:
    """An Allow statement, and the tests (node ids) that need it."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    tests: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        resource: Any = "*" if self.resources == ("*",) else list(self.resources)
        return {"Sid": self.sid, "Effect": "Allow", "Action": list(self.actions),
                "Resource": resource}


@dataclass(frozen=True)
class Policy:
    """A policy document's statements, plus notes for whoever applies it."""

    statements: tuple[Statement, ...]
    notes: tuple[str, ...] = ()

    @property
    def actions(self) -> list[str]:
        return sorted({a for s in self.statements for a in s.actions})

    def without(self, sid: str) -> Policy:
        """The same policy minus one statement (to see what breaks without it)."""
        return Policy(tuple(s for s in self.statements if s.sid != sid), self.notes)

    def document(self, account: str = "ACCOUNT", region: str = "REGION") -> dict[str, Any]:
        """The IAM policy document, placeholders written as given."""
        return json.loads(_placeholders(json.dumps(
            {"Version": VERSION, "Statement": [s.as_dict() for s in self.statements]}),
            account, region))


@dataclass
class Context:
    """What the policy knows of the deployment: its outputs, account and region."""

    outputs: Any = None
    account: Optional[str] = None
    region: Optional[str] = None
    #: A live ``--aws-stack``: reading it needs cloudformation:DescribeStacks.
    stack: Optional[str] = None

    @property
    def partition(self) -> str:
        from .resources.base import partition_of

        return partition_of(self.region or "")


ARN_ACCOUNT = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):")


def context_of(config: Any, account: Optional[str] = None) -> Context:
    """What a pytest run knows without AWS: its outputs files, its region (settings, env,
    profile) and the account (given, ``AWS_ACCOUNT_ID``, or the one the outputs' ARNs name)."""
    import os

    from .state import STATE

    state = config.stash.get(STATE, None)
    if state is None:
        return Context(account=account)
    outputs = state.files
    try:
        region: Optional[str] = state.aws.region
    except Exception:  # no region configured anywhere
        region = None
    account = account or os.environ.get("AWS_ACCOUNT_ID") or _account_in(outputs)
    stack = state.settings["stack"] if state.settings.is_set("stack") else None
    return Context(outputs, account, region, stack)


def _account_in(outputs: Any) -> Optional[str]:
    """The one account the outputs' ARNs name, if they name exactly one."""
    if outputs is None:
        return None
    found = set(ARN_ACCOUNT.findall(json.dumps(_values(outputs), default=str)))
    return found.pop() if len(found) == 1 else None


def _values(outputs: Any) -> list[Any]:
    values = []
    for key in outputs:
        try:
            values.append(outputs[key])
        except Exception:  # a sensitive placeholder
            continue
    return values


# --------------------------------------------------------------------------- building


def build(items: Iterable[Any], context: Context) -> Policy:
    """The policy the tests ``items`` (pytest items) need."""
    grants: list[Grant] = []
    notes: list[str] = []
    for item in items:
        for grant in grants_of(item, context):
            grants.append(grant)
        if context.stack:
            grants.append(_grant("cloudformation", "DescribeStacks", _stack_use(context),
                                 item.nodeid, context))
    granted = {(g.action, g.resource) for g in grants}
    grants = [replacement for g in grants for replacement in _served_instead(g, granted)]
    for action in sorted({g.action for g in grants}):
        if action in iam.DEPENDS:
            notes.append(f"{action}: {iam.DEPENDS[action]}")
    return Policy(statements(grants), tuple(notes))


def _served_instead(grant: Grant, granted: set[tuple[str, str]]) -> list[Grant]:
    """The grant, or the fallback grants the policy holds anyway for other tests (an SSM
    parameter's GetParameter, when a test reads its value): the handle falls back to them
    when this one is denied, so this one is not needed."""
    if not grant.instead or not all(pair in granted for pair in grant.instead):
        return [grant]
    return [Grant(action, resource, grant.test) for action, resource in grant.instead]


def grants_of(item: Any, context: Context) -> list[Grant]:
    """Every (action, resource) the test ``item`` may need."""
    found: dict[tuple[str, str], Grant] = {}
    for use in handle_uses(item, context.outputs):
        resolved = Resolved.of(use, item, context)
        for service, operation in sorted(operations(use.cls, use.attributes, resolved)):
            if (service, operation) in iam.FREE:
                continue
            fallback = _FALLBACK_OF.get((service, operation))
            instead = tuple((iam_action(*fallback), arn) for arn in resources(
                *fallback, resolved, context)) if fallback else ()
            for resource in resources(service, operation, resolved, context):
                grant = Grant(iam_action(service, operation), resource, item.nodeid,
                              (service, operation), instead)
                found.setdefault((grant.action, grant.resource), grant)
    return list(found.values())


#: Primary operation -> the operation a handle falls back to when it is denied.
_FALLBACK_OF = {primary: fallback for fallback, primary in iam.FALLBACKS.items()}


def _grant(service: str, operation: str, resolved: Resolved, test: str,
           context: Context) -> Grant:
    resource = resources(service, operation, resolved, context)[0]
    return Grant(iam_action(service, operation), resource, test, (service, operation))


def _stack_use(context: Context) -> Resolved:
    from .resources.cloudformation import CfnStack

    return Resolved(CfnStack, _offline(CfnStack, str(context.stack), context), str(context.stack))


# --------------------------------------------------------------------------- operations


def operations(cls: type, attributes: Iterable[str],
               resolved: Optional[Resolved] = None) -> set[tuple[str, str]]:
    """The (boto3 service, API operation) pairs reading ``attributes`` of ``cls`` may make."""
    found: set[tuple[str, str]] = set()
    for attribute in attributes:
        if resolved is not None and _known_offline(resolved, attribute):
            continue
        found |= attribute_operations(cls, attribute)
    if resolved is not None and resolved.needs_describe:
        found |= describe_operations(cls)
    if resolved is not None and resolved.handle is not None:
        found = {op for op in found if not _lookup_known(resolved.handle, op)}
    return found


def _known_offline(resolved: Resolved, attribute: str) -> bool:
    """A plain property (not a probe) the handle works out from its name alone (a load
    balancer's ``arn`` when named by its ARN): reading it calls nothing."""
    from .resources.registry import probes
    if (resolved.handle is None or attribute in (EVERY, "healthy")
            or attribute in probes(resolved.cls)):
        return False
    found = _class_attribute(resolved.cls, attribute)
    if not isinstance(found, property):
        return False
    return _offline_attribute(resolved.handle, attribute) is not _NEEDS_AWS


def _lookup_known(handle: Any, operation: tuple[str, str]) -> bool:
    """``operation`` only finds what the handle already knows offline (the ARN of a
    certificate named by its ARN): see :data:`.iam_resources.LOOKUPS`."""
    attribute = iam.LOOKUPS.get(operation)
    return attribute is not None and _offline_attribute(handle, attribute) is not _NEEDS_AWS


@functools.lru_cache(maxsize=2048)
def attribute_operations(cls: type, attribute: str) -> frozenset[tuple[str, str]]:
    """The operations one attribute of ``cls`` may make."""
    from .resources.registry import probes

    if not declares_reads(cls):
        return frozenset() if attribute in OFFLINE else transitional_operations(cls)
    declared = probes(cls)
    if attribute == EVERY:
        every = [attribute_operations(cls, name) for name in declared]
        return frozenset().union(describe_operations(cls), *every)
    if attribute == "healthy":
        parts = ("exists", *getattr(cls, "healthy_when", ()))
        return frozenset().union(*(attribute_operations(cls, name) for name in parts))
    spec = declared.get(attribute)
    if spec is not None:
        reads = spec.reads or ("describe",)
        found = frozenset(resolve_operation(cls, op) for op in reads if op != "describe")
        return found | describe_operations(cls) if "describe" in reads else found
    if attribute in OFFLINE or _returns_handle(cls, attribute):
        return frozenset()
    if _class_attribute(cls, attribute) is None:  # set on the instance (``cluster``)
        return frozenset()
    delegated = _delegated_operations(cls, attribute)
    if delegated is not None:
        return delegated
    return describe_operations(cls)  # a plain attribute: assumed to read the description


_FOLLOWING: set[tuple[type, str]] = set()


def _delegated_operations(cls: type, attribute: str) -> Optional[frozenset[tuple[str, str]]]:
    """The operations of a plain method or property that only reads probes: of the handle
    (``self.status``) or of a handle it makes (``self.user(name).status``), told from its
    source; None when it reads anything else (then it counts as reading the description)."""
    from .resources.registry import probes

    found = _class_attribute(cls, attribute)
    function = found.fget if isinstance(found, property) else found
    if not inspect.isfunction(function) or (cls, attribute) in _FOLLOWING:
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    except (OSError, TypeError, SyntaxError):
        return None
    declared = set(probes(cls))
    made: set[int] = set()  # the ``self.user`` of ``self.user(name).status``
    operations: set[tuple[str, str]] = set()
    _FOLLOWING.add((cls, attribute))
    try:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            call = node.value
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and isinstance(call.func.value, ast.Name) and call.func.value.id == "self"):
                other = _returned_handle(cls, call.func.attr)
                if other is None:
                    return None
                made.add(id(call.func))
                operations |= attribute_operations(other, node.attr)
            elif isinstance(call, ast.Name) and call.id == "self" and id(node) not in made:
                if node.attr in declared or node.attr in OFFLINE:
                    operations |= attribute_operations(cls, node.attr)
                elif not _returned_handle(cls, node.attr):
                    return None
    finally:
        _FOLLOWING.discard((cls, attribute))
    return frozenset(operations) if operations else None


def describe_operations(cls: type) -> frozenset[tuple[str, str]]:
    """The operations reading the description makes, less those made only when another
    of them is denied (:data:`.iam_resources.FALLBACKS`)."""
    found = {resolve_operation(cls, op) for op in getattr(cls, "describe_operations", ())}
    return frozenset(op for op in found if iam.FALLBACKS.get(op) not in found)


def declares_reads(cls: type) -> bool:
    """Whether the handle type says what it reads (a converted module)."""
    return bool(getattr(cls, "describe_operations", ()))


def resolve_operation(cls: type, read: str) -> tuple[str, str]:
    """A probe's ``reads`` entry (``"describe_table"``, or ``"logs:filter_log_events"``
    for another service's) as (boto3 service, API operation), from the action table: the
    handle's own service first, else the one service that has the operation."""
    service, _, name = read.rpartition(":")
    candidates = _by_method().get(name, ())
    chosen = [c for c in candidates if c[0] == (service or getattr(cls, "service", ""))]
    if not chosen and not service and len(candidates) == 1:
        chosen = list(candidates)
    if len(chosen) != 1:
        where = f"{cls.__name__} reads {read!r}"
        raise LookupError(f"{where}: {'no' if not chosen else 'more than one'} operation in "
                          "pytest_awshealth.iam_actions.TABLE matches; name it as 'service:method'")
    return chosen[0]


@functools.lru_cache(maxsize=1)
def _by_method() -> dict[str, tuple[tuple[str, str], ...]]:
    from botocore import xform_name

    found: dict[str, list[tuple[str, str]]] = {}
    for row in TABLE:
        found.setdefault(xform_name(row.operation), []).append((row.service, row.operation))
    return {name: tuple(pairs) for name, pairs in found.items()}


# Transitional: handle types that do not declare their reads yet are covered by every
# operation their module calls (and the modules of the handles it makes). Remove once
# every resource module declares ``reads``.
CALLS = re.compile(r"""(?:call|call_fresh|_call_uncached|_pages)\(\s*["']([a-z0-9_]+)["']""")


@functools.lru_cache(maxsize=256)
def transitional_operations(cls: type) -> frozenset[tuple[str, str]]:
    """TRANSITIONAL: every operation ``cls``'s module (or a handle module it uses) calls."""
    from .resources.registry import handle_types

    module = inspect.getmodule(cls)
    source = inspect.getsource(module) if module is not None else ""
    found = {resolve_operation(cls, op) for op in CALLS.findall(source)
             if op in _by_method() and _has_service(cls, op)}
    for other in handle_types():
        if other.__module__ != cls.__module__ and re.search(rf"\b{other.__name__}\(", source):
            found |= (describe_operations(other) | transitional_operations(other)
                      if not declares_reads(other) else attribute_operations(other, EVERY))
    return frozenset(found)


def _has_service(cls: type, op: str) -> bool:
    try:
        resolve_operation(cls, op)
    except LookupError:
        return False
    return True


def _returns_handle(cls: type, attribute: str) -> bool:
    return _returned_handle(cls, attribute) is not None


# --------------------------------------------------------------------------- resources


@dataclass
class Resolved:
    """A handle use with its name worked out: an offline handle instance, when known."""

    cls: type
    handle: Any = None
    #: The name as the outputs or the source gave it (an ARN stays an ARN).
    raw: Optional[str] = None
    #: The derived handle needs an AWS call to find its name (e.g. from a description).
    needs_describe: bool = False
    _related: dict[str, Optional[Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, use: HandleUse, item: Any, context: Context) -> Resolved:
        raw, needs = _name_of(use, item, context)
        handle = _offline(use.cls, raw, context) if raw is not None else None
        return cls(use.cls, handle, raw, needs)

    def related(self, kind: str) -> Optional[Any]:
        """A handle of resource type ``kind`` this one names without an AWS call (a
        function's log group), found through attributes whose return type is a handle."""
        if kind not in self._related:
            self._related[kind] = _related_handle(self.handle, kind)
        return self._related[kind]


def _name_of(use: HandleUse, item: Any, context: Context) -> tuple[Optional[str], bool]:
    """(name, whether finding it takes an AWS call) of the handle ``use`` reaches."""
    if use.source == "fixture":
        return _fixture_name(use, item, context), False
    if use.source == "output":
        return _output_value(context.outputs, use.ref), False
    if use.source == "name":
        return use.ref, False
    if use.source == "derived" and use.parent is not None:
        parent = Resolved.of(use.parent, item, context)
        if parent.handle is None:
            return None, False
        derived = _offline_attribute(parent.handle, use.ref)
        if derived is _NEEDS_AWS:
            return None, True
        return getattr(derived, "name", None), False
    return None, False


def _fixture_name(use: HandleUse, item: Any, context: Context) -> Optional[str]:
    from .binding import binding_for

    params = getattr(getattr(item, "callspec", None), "params", {})
    ref = params.get(use.argument) or binding_for(item, str(use.argument))
    if ref is None:
        return getattr(use.cls, "default_name", None)
    from .alternatives import Alternatives

    if isinstance(ref, Alternatives):
        ref = ref.choose(context.outputs) if context.outputs is not None else None
    return _output_value(context.outputs, ref)


def _output_value(outputs: Any, ref: Any) -> Optional[str]:
    if outputs is None or not isinstance(ref, str):
        return None
    try:
        value = outputs[ref]
    except Exception:
        return None
    return value if isinstance(value, str) else None


class _NeedsAws(Exception):
    """An offline handle was asked for something only AWS knows."""


_NEEDS_AWS = object()


class Offline:
    """An :class:`~.clients.AwsContext` stand-in that knows the region and calls nothing."""

    def __init__(self, region: Optional[str]) -> None:
        from .redaction import Redactor

        self._region = region
        self.redactor = Redactor()

    configured_region = property(lambda self: self._region)

    @property
    def region(self) -> str:
        if self._region is None:
            raise _NeedsAws("region")
        return self._region

    def client(self, *args: Any, **kwargs: Any) -> Any:
        raise _NeedsAws("client")

    @property
    def account(self) -> str:
        raise _NeedsAws("account")

    identity = account


def _offline(cls: type, name: str, context: Context) -> Any:
    try:
        return cls(name, aws=Offline(context.region))
    except Exception:  # a handle that needs more than a name (a Cognito user)
        return None


def _offline_attribute(handle: Any, attribute: str) -> Any:
    try:
        return getattr(handle, attribute)
    except Exception:
        return _NEEDS_AWS


def own_type(cls: type) -> Optional[str]:
    """The SAR resource type a handle type is (its own ARN's)."""
    fixture = getattr(cls, "fixture", None)
    if fixture in iam.HANDLES:
        return iam.HANDLES[fixture]
    arn_format = getattr(cls, "arn_format", "")
    return next((kind for kind, formats in iam.TYPES.items() if arn_format in formats), None)


def _related_handle(handle: Any, kind: str) -> Optional[Any]:
    from .resources.base import Resource
    if handle is None:
        return None
    for klass in type(handle).__mro__:
        for name, attribute in vars(klass).items():
            if not isinstance(attribute, property) or name.startswith("_"):
                continue
            returned = _returned_handle(type(handle), name)
            if returned is not None and own_type(returned) == kind:
                found = _offline_attribute(handle, name)
                if isinstance(found, Resource):
                    return found
    return None


def resources(service: str, operation: str, resolved: Resolved, context: Context) -> list[str]:
    """The resource ARNs (or ``"*"``) the operation needs a grant on, for this handle."""
    kinds = iam.OPERATIONS.get((service, operation))
    if not kinds:  # AWS requires "*" (or the operation is not in the table yet)
        return ["*"]
    found: list[str] = []
    for kind in kinds:
        found.extend(_arns(kind, resolved, context))
    return list(dict.fromkeys(found))


def _arns(kind: str, resolved: Resolved, context: Context) -> list[str]:
    """The ARNs of resource type ``kind`` a grant for this handle names: its own ARN, a
    related handle's (a function's log group), or, for another type of the same service
    (an ECS service's tasks), the handle's fields; what is not known becomes ``*``."""
    handle, raw = resolved.handle, resolved.raw
    if own_type(resolved.cls) == kind:
        if raw and raw.startswith("arn:") and _arn_service(raw) == kind.split(":")[0]:
            return [raw]
        raw = getattr(handle, "name", raw)
    else:
        related = resolved.related(kind)
        named_by = getattr(handle, iam.NAMED_BY.get(kind, "_"), None)
        if related is not None:
            handle, raw = related, related.name
        elif isinstance(named_by, str):  # a Cognito user names its pool by pool_id
            raw = named_by
        elif not _same_family(kind, resolved.cls):
            handle, raw = None, None
        elif raw is not None:
            raw = getattr(handle, "name", raw)
    name = iam.NAMES.get(kind, lambda n: n)(_short(raw)) if raw else "*"
    fields = _fields(handle, context)
    return [template.format_map({**fields, "name": name}) for template in iam.TYPES[kind]]


def _same_family(kind: str, cls: type) -> bool:
    mine = own_type(cls)
    return mine is not None and mine.split(":")[0] == kind.split(":")[0]


def _arn_service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


def _short(name: str) -> str:
    """The resource name in an ARN (``...:stateMachine:daily`` -> ``daily``)."""
    if not name.startswith("arn:"):
        return name
    tail = name.split(":", 5)[-1]
    return re.split(r"[:/]", tail)[-1]


class _Fields(dict):  # type: ignore[type-arg]
    """Template fields; one that is not known matches anything."""

    def __missing__(self, key: str) -> str:
        return "*"


def _fields(handle: Any, context: Context) -> dict[str, str]:
    values = _Fields(partition=context.partition, region=context.region or REGION,
                     account=context.account or ACCOUNT)
    for key, value in (vars(handle).items() if handle is not None else ()):
        if isinstance(value, str) and not key.startswith("_") and key != "name":
            values[key] = value
    return values


# --------------------------------------------------------------------------- statements


def statements(grants: Sequence[Grant]) -> tuple[Statement, ...]:
    """Grants as statements: reads grouped by service and resource set; actions that run
    or reveal something by action set, resources and tests, with Sids naming the tests."""
    reads = [g for g in grants if g.action not in iam.RUNS]
    runs = [g for g in grants if g.action in iam.RUNS]
    return tuple(_sids(_read_statements(reads)) + _sids(_run_statements(runs)))


def _read_statements(grants: Sequence[Grant]) -> list[Statement]:
    by_action: dict[str, set[str]] = {}
    tests: dict[str, set[str]] = {}
    for grant in grants:
        by_action.setdefault(grant.action, set()).add(grant.resource)
        tests.setdefault(grant.action, set()).add(grant.test)
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for action, found in by_action.items():
        groups.setdefault((_prefix(action), tuple(sorted(found))), []).append(action)
    made = []
    for (prefix, found), actions in sorted(groups.items(), key=_statement_order):
        needed = sorted({t for a in actions for t in tests[a]})
        sid = _camel(actions[0]) if len(actions) == 1 else f"{_camel(prefix)}Read"
        made.append(Statement(sid, tuple(sorted(actions)), found, tuple(needed)))
    return made


def _run_statements(grants: Sequence[Grant]) -> list[Statement]:
    by_action: dict[str, tuple[set[str], set[str]]] = {}
    for grant in grants:
        resources_, tests = by_action.setdefault(grant.action, (set(), set()))
        resources_.add(grant.resource)
        tests.add(grant.test)
    groups: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for action, (found, tests) in by_action.items():
        key = (_prefix(action), tuple(sorted(found)), tuple(sorted(tests)))
        groups.setdefault(key, []).append(action)
    made = []
    for (prefix, found, tests), actions in sorted(groups.items()):
        sid = f"{_camel(prefix)}{_verb(actions)}For{''.join(_test_names(tests))}"
        made.append(Statement(sid, tuple(sorted(actions)), found, tests))
    return made


def _statement_order(entry: tuple[tuple[str, tuple[str, ...]], list[str]]) -> tuple[Any, ...]:
    (prefix, found), actions = entry
    return (prefix, found == ("*",), found, sorted(actions))


def _sids(made: list[Statement]) -> list[Statement]:
    """Unique Sids: a second statement of the same name gets 2, then 3..."""
    seen: dict[str, int] = {}
    unique = []
    for statement in made:
        count = seen.get(statement.sid, 0) + 1
        seen[statement.sid] = count
        sid = statement.sid if count == 1 else f"{statement.sid}{count}"
        unique.append(Statement(sid, statement.actions, statement.resources, statement.tests))
    return unique


REVEALS = frozenset({"secretsmanager:GetSecretValue", "kms:Decrypt", "s3:GetObject",
                     "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"})


def _verb(actions: Sequence[str]) -> str:
    return "Reveal" if all(a in REVEALS for a in actions) else "Run"


def _prefix(action: str) -> str:
    return action.split(":", 1)[0]


def _camel(text: str) -> str:
    """``cognito-idp`` -> ``CognitoIdp``; Sids allow only letters and digits."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))


def _test_names(nodeids: Sequence[str]) -> list[str]:
    """The test functions (not their parameters) of ``nodeids``, once each, as CamelCase."""
    names = []
    for nodeid in nodeids:
        function = nodeid.split("::")[-1].split("[")[0]
        function = function[len("test_"):] if function.startswith("test_") else function
        names.append(_camel(function))
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- the command


class PolicyCollector:
    """A pytest plugin for ``awshealth policy``: renders the policy of the collected tests."""

    def __init__(self, fmt: Optional[str] = None, account: Optional[str] = None) -> None:
        self.fmt = fmt
        self.account = account
        self.text: Optional[str] = None
        self.policy: Optional[Policy] = None
        self.notes: tuple[str, ...] = ()

    def pytest_collection_finish(self, session: Any) -> None:
        context = context_of(session.config, self.account)
        self.policy = policy = build(session.items, context)
        self.text = render(policy, self.fmt or policy_format(session.config))
        unknown = [what for what, value in (("account", context.account),
                                            ("region", context.region)) if value is None]
        placeholders = (f"{' and '.join(unknown)} not known: replace the placeholders (pass "
                        "--account ID, --aws-region REGION)",) if unknown else ()
        self.notes = placeholders + policy.notes


def policy_format(config: Any) -> str:
    """The run's ``--aws-policy-format`` (json unless set)."""
    from .state import STATE

    state = config.stash.get(STATE, None)
    if state is None or "policy_format" not in state.settings.values:
        return "json"
    return str(state.settings["policy_format"])


# --------------------------------------------------------------------------- denials


def denied_statement(item: Any, exc: Any, state: Any) -> str:
    """The statement an access-denied call needs, as ``awshealth policy`` writes it for
    this test (in the run's ``--aws-policy-format``), continuation lines indented."""
    fmt = str(state.settings["policy_format"]) if "policy_format" in state.settings.values \
        else "json"
    statement = _denied(item, exc, state)
    return "\n".join("    " + line for line in render_statement(statement, fmt).splitlines())


def _denied(item: Any, exc: Any, state: Any) -> Statement:
    handle = getattr(exc, "resource", None)
    operation = next((row for row in TABLE if row.operation == exc.operation
                      and row.action == exc.action), None)
    region = _attempt(lambda: handle.region)
    account = _attempt(lambda: handle.aws.account)
    context = Context(_attempt(state.outputs), account, region)
    arns = ["*"]
    if operation is not None and handle is not None:
        resolved = Resolved(type(handle), handle, getattr(handle, "name", None))
        arns = resources(operation.service, operation.operation, resolved, context)
    # the run's policy, as ``awshealth policy`` computes it for the same tests (its
    # statements group actions over every test, so one test's own would differ)
    candidates = [s for s in _run_policy(item, context).statements if item.nodeid in s.tests]
    candidates += list(build([item], context).statements)
    for statement in candidates:
        if exc.action in statement.actions and all(
                any(_covers(pattern, arn) for pattern in statement.resources) for arn in arns):
            return statement
    return statements([Grant(exc.action, arn, item.nodeid) for arn in arns])[0]


def _run_policy(item: Any, context: Context) -> Policy:
    """The policy of every test of ``item``'s session, computed once per run."""
    session = getattr(item, "session", None)
    items = list(getattr(session, "items", None) or [item])
    stash = getattr(getattr(item, "config", None), "stash", None)
    cache: dict[Any, Policy] = {}
    if stash is not None:
        cache = stash.setdefault(_RUN_POLICIES, {})
    key = (context.account, context.region, len(items))
    if key not in cache:
        cache[key] = build(items, context)
    return cache[key]


#: The run policies of a pytest run, in its config's stash.
_RUN_POLICIES = pytest.StashKey[dict]()


def _covers(pattern: str, arn: str) -> bool:
    from .emulator.iam_simulator import glob_match

    return glob_match(pattern, arn)


def _attempt(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except Exception:
        return None


# --------------------------------------------------------------------------- formats


def _placeholders(text: str, account: str, region: str) -> str:
    return text.replace(ACCOUNT, account).replace(REGION, region)


def as_json(policy: Policy) -> str:
    """The policy document as JSON (``ACCOUNT``/``REGION`` where they are not known)."""
    return json.dumps(policy.document(), indent=2) + "\n"


TF_ACCOUNT = "${data.aws_caller_identity.current.account_id}"
TF_REGION = "${data.aws_region.current.name}"


def as_terraform(policy: Policy, name: str = "awshealth") -> str:
    """An ``aws_iam_policy_document`` data block (with the data sources it needs)."""
    blocks = [_terraform_statement(s) for s in policy.statements]
    body = _placeholders("\n\n".join(blocks), TF_ACCOUNT, TF_REGION)
    head = []
    if TF_ACCOUNT in body:
        head.append('data "aws_caller_identity" "current" {}\n')
    if TF_REGION in body:
        head.append('data "aws_region" "current" {}\n')
    return "".join(head) + f'data "aws_iam_policy_document" "{name}" {{\n{body}\n}}\n'


def _terraform_statement(statement: Statement) -> str:
    def strings(values: Sequence[str]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    lines = ["  statement {", f"    sid       = {json.dumps(statement.sid)}",
             f"    actions   = {strings(statement.actions)}",
             f"    resources = {strings(statement.resources)}", "  }"]
    if statement.tests:
        lines.insert(0, f"  # {tests_line(statement.tests)}")
    return "\n".join(lines)


def as_cdk(policy: Policy) -> str:
    """A Python list of CDK ``aws_iam.PolicyStatement`` objects."""
    body = "\n".join(_cdk_statement(s) for s in policy.statements)
    head = "from aws_cdk import Aws, aws_iam as iam\n" if "{Aws." in body else \
        "from aws_cdk import aws_iam as iam\n"
    return f"{head}\nstatements = [\n{body}\n]\n"


def tests_line(nodeids: Sequence[str]) -> str:
    """The tests a statement serves, for a comment: ``test_a, test_b (3 cases)``."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        function = nodeid.split("::")[-1].split("[")[0]
        counts[function] = counts.get(function, 0) + 1
    return ", ".join(f"{name} ({count} cases)" if count > 1 else name
                     for name, count in counts.items())


def _cdk_statement(statement: Statement) -> str:
    def string(value: str) -> str:
        if ACCOUNT not in value and REGION not in value:
            return json.dumps(value)
        return "f" + json.dumps(value.replace("{", "{{").replace("}", "}}")
                                .replace(ACCOUNT, "{Aws.ACCOUNT_ID}").replace(REGION, "{Aws.REGION}"))

    def strings(values: Sequence[str]) -> str:
        return "[" + ", ".join(string(v) for v in values) + "]"

    comment = f"    # {tests_line(statement.tests)}\n" if statement.tests else ""
    return (f"{comment}    iam.PolicyStatement(\n        sid={json.dumps(statement.sid)},\n"
            f"        actions={strings(statement.actions)},\n"
            f"        resources={strings(statement.resources)},\n    ),")


RENDER: Mapping[str, Callable[[Policy], str]] = {"json": as_json, "terraform": as_terraform,
                                                 "cdk": as_cdk}


def render(policy: Policy, fmt: str = "json") -> str:
    """The policy in ``fmt``: json, terraform or cdk."""
    return RENDER[fmt](policy)


def render_statement(statement: Statement, fmt: str = "json") -> str:
    """One statement as the format writes it inside a policy."""
    one = Policy((statement,))
    if fmt == "json":
        return _placeholders(json.dumps(statement.as_dict()), "ACCOUNT", "REGION")
    if fmt == "terraform":
        return _placeholders(textwrap.dedent(_terraform_statement(Statement(
            statement.sid, statement.actions, statement.resources))), TF_ACCOUNT, TF_REGION)
    return as_cdk(one).split("statements = [\n", 1)[1].rsplit("\n]", 1)[0].strip()
