"""Generated from the registry: every probe of every handle type has a hint in the built-in
catalog that renders with a real name, region and account, and every handle speaks the
vocabulary (``exists``, ``status`` where its AWS resource has one, ``healthy``).

A rendered hint may still show a ``<placeholder>`` only where AWS answers fill it:

- written as ``<placeholder>`` in the template (or a handle's field), for the reader to
  fill from an AWS answer (``--event-source-arn <source-arn>``);
- a field the probe's value fills (its return type's ``hint_context()``: a metric's
  ``{value}``), or one the handle reads from AWS when a hint needs it (a table's
  ``{ttl_attribute}``); no AWS answers here, so both show as ``<field>``;
- a field diagnosis fills from the failed call or the run's settings (:data:`FROM_THE_CALL`).

No AWS call leaves this machine: handles talk to a port where nothing listens.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from typing import Any, Callable

import botocore.session
import pytest
from botocore import xform_name

from pytest_awshealth.clients import AwsContext
from pytest_awshealth.emulator import closed_port_url
from pytest_awshealth.plugin import builtin_catalog
from pytest_awshealth.probes import ProbeRecord
from pytest_awshealth.remediation.diagnosis import _record_context
from pytest_awshealth.resources.registry import handle_types, probes

NAME, REGION, ACCOUNT = "orders-7f3a", "eu-west-1", "210987654321"
#: Handles whose name is not a plain name: what they are bound to, holding NAME.
SAMPLE_NAMES = {"HttpEndpoint": f"https://{NAME}.example.com"}
#: Handles that stand for a set of resources (a name prefix): a probe that asks about one
#: member by its arguments names that member (``alarm_state("sample-alarm")``), not the prefix.
ABOUT_A_MEMBER = {"CloudWatch": "a prefix of alarm names"}
PLACEHOLDER = re.compile(r"<([^<>\s]+)>")
#: Fields diagnosis fills for any hint: from the failed call, the run's AWS settings, and
#: the probe's value when it is a plain number or string (``{value}``).
FROM_THE_CALL = frozenset({
    "code", "message", "operation", "action", "resource_arn", "caller_arn", "endpoint",
    "connect_timeout", "read_timeout", "max_attempts", "retry_mode", "throttle_attempts",
    "more_attempts", "value"})
#: A resource's own status word does not count where AWS calls a member of something else
#: "Status" (the operation's answer has it, the resource has none).
NOT_THE_RESOURCES_STATUS = {
    "ApiStage": "cacheClusterStatus is the stage cache's, not the stage's",
    "AutoScalingGroup": "Status is set only while the group is being deleted",
    "CloudWatch": "EvaluationState is each alarm's; the handle is a prefix of alarm names",
    "LogGroup": "dataProtectionStatus is the data protection policy's",
    "Secret": "ReplicationStatus is each replica's; a secret has no status of its own",
    "UserPool": "UserPool.Status is no longer used: AWS documents it as unused",
}


def converted(cls: type) -> bool:
    """A handle whose module declares its hints on the handle (no module-level ``HINTS``)."""
    return not hasattr(importlib.import_module(cls.__module__), "HINTS")


# The lead removes this filter once every resource module is converted (issue 7): then
# every registered handle type is checked.
HANDLES = [cls for cls in handle_types() if converted(cls)]
PROBES = [(cls, name) for cls in HANDLES for name in probes(cls)]


@pytest.fixture(scope="module")
def catalog():
    return builtin_catalog()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> AwsContext:
    """An AWS context whose calls are refused locally; the caller's account is known."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing"}.items():
        monkeypatch.setenv(key, value)
    context = AwsContext(region=REGION, endpoint_url=closed_port_url(), max_attempts=1,
                         connect_timeout=0.5)
    vars(context)["identity"] = {"Account": ACCOUNT, "UserId": "AIDATEST",
                                 "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}
    return context


@pytest.mark.parametrize(("cls", "name"), PROBES,
                         ids=[f"{cls.__name__}.{name}" for cls, name in PROBES])
def test_every_probe_hint_renders_with_real_names(cls, name, catalog, aws) -> None:
    spec = probes(cls)[name]
    handle = cls(SAMPLE_NAMES.get(cls.__name__, NAME), aws=aws, region=REGION)
    key = spec.key(handle)
    assert key in catalog, f"{cls.__name__}.{name}: no hint {key!r} in the catalog"
    hint = catalog[key]
    function = _function(getattr(cls, name))
    record = ProbeRecord(handle, name, key, None, False, arguments=_arguments(function))
    text = hint.render(_record_context(record, {}))
    template = "\n".join([hint.title, *hint.causes, *hint.diagnose, *hint.fix])
    about = (NAME if cls.__name__ not in ABOUT_A_MEMBER or "{name}" in template
             else f"sample-{next(iter(record.arguments))}")
    assert about in text, f"{key}: the hint does not name the resource"
    if "{region}" in template:
        assert REGION in text, key
    if "{account}" in template:
        assert ACCOUNT in text, key
    handle_fields = handle.hint_context()
    left_to_the_reader = template + "".join(v for v in handle_fields.values() if isinstance(v, str))
    unfilled = {field for field in PLACEHOLDER.findall(text)
                if f"<{field}>" not in left_to_the_reader            # the reader fills it
                and field not in _value_fields(function)             # the probe's value
                and not callable(handle_fields.get(field))           # read from AWS lazily
                and field not in FROM_THE_CALL}
    assert not unfilled, f"{key}: nothing fills {sorted(unfilled)}:\n{text}"


@pytest.mark.parametrize("cls", HANDLES, ids=lambda cls: cls.__name__)
def test_every_handle_speaks_the_vocabulary(cls) -> None:
    for word in ("exists", "healthy"):
        assert hasattr(cls, word), f"{cls.__name__} has no {word}"
    statuses = _status_members(cls)
    if statuses and cls.__name__ not in NOT_THE_RESOURCES_STATUS:
        assert hasattr(cls, "status"), (
            f"{cls.__name__} has no status, though {cls.describe_operations} answer "
            f"{statuses}")


def test_the_filter_still_checks_the_converted_reference() -> None:
    from pytest_awshealth.resources.dynamodb import DynamoTable

    assert DynamoTable in HANDLES and ("DynamoTable", "ttl_enabled") in [
        (cls.__name__, name) for cls, name in PROBES]


# --------------------------------------------------------------------------- helpers


def _function(attribute: Any) -> Callable[..., Any]:
    return attribute.fget if isinstance(attribute, property) else attribute


def _arguments(function: Callable[..., Any]) -> dict[str, Any]:
    """The probe's arguments as its record holds them: defaults, or a sample value."""
    parameters = list(inspect.signature(function).parameters.values())[1:]
    return {p.name: (f"sample-{p.name}" if p.default is p.empty else p.default)
            for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def _value_fields(function: Callable[..., Any]) -> set[str]:
    """The fields the probe's value fills: the keys its return type's ``hint_context``
    returns (read from the source, so no value is needed)."""
    annotation = str(getattr(function, "__annotations__", {}).get("return", ""))
    namespace = vars(sys.modules[function.__module__])
    fields: set[str] = set()
    for word in re.findall(r"\w+", annotation):
        kind = namespace.get(word)
        for klass in getattr(kind, "__mro__", ()):
            method = vars(klass).get("hint_context")
            if method is not None:
                source = ast.parse(textwrap.dedent(inspect.getsource(method)))
                fields |= {key.value for node in ast.walk(source) if isinstance(node, ast.Dict)
                           for key in node.keys if isinstance(key, ast.Constant)}
    return fields


def _status_members(cls: type) -> list[str]:
    """Members named ``...Status`` / ``...State`` of the resource in what its describe
    operations answer (the answer itself, or the one structure or list it holds)."""
    service = getattr(cls, "service", "")
    if not service or not getattr(cls, "describe_operations", ()):
        return []
    model = botocore.session.get_session().get_service_model(service)
    operations = {xform_name(name): name for name in model.operation_names}
    found = []
    for operation in cls.describe_operations:
        if operation not in operations:
            continue  # another service's call (STS for the account in the ARN)
        answer = model.operation_model(operations[operation]).output_shape
        for path, shape in _resource_shapes(answer):
            found += [f"{path}{member}" for member, kind in shape.members.items()
                      if kind.type_name == "string" and member.endswith(("Status", "State"))]
    return found


def _resource_shapes(answer: Any) -> list[tuple[str, Any]]:
    shapes = [("", answer)]
    for member, kind in answer.members.items():
        if kind.type_name == "structure":
            shapes.append((f"{member}.", kind))
        elif kind.type_name == "list" and kind.member.type_name == "structure":
            shapes.append((f"{member}[].", kind.member))
    return shapes
