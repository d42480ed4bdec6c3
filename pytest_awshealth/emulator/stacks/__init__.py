"""The framework of the example stacks the demo provisions on the emulator.

Each example lives in ``examples/<name>/`` (installed as ``pytest_awshealth.examples``):
its test module, outputs sample, ``CHECKS.md`` and ``stack.py``, whose ``STACK`` is a
:class:`Stack` with named :class:`Break` s built from the helpers here.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import pkgutil
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

from ..httpstub import HttpStub
from ..server import Emulator

EXAMPLES_PACKAGE = "pytest_awshealth.examples"


def examples_dir() -> Path:
    """The folder holding ``<name>/`` of every example (in a checkout: ``examples/``)."""
    spec = importlib.util.find_spec(EXAMPLES_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{EXAMPLES_PACKAGE} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def _discover() -> tuple[str, ...]:
    """Example folders that hold a ``stack.py`` (found without importing them)."""
    try:
        root = examples_dir()
    except ModuleNotFoundError:
        return ()
    return tuple(sorted(info.name for info in pkgutil.iter_modules([str(root)])
                        if info.ispkg and (root / info.name / "stack.py").is_file()))


#: Every example, by folder name.
EXAMPLES: tuple[str, ...] = _discover()


class Clients(Protocol):
    """What provisioning helpers need: a Deployment, or the Emulator itself."""

    def client(self, service: str) -> Any: ...


@dataclass
class Deployment:
    """A provisioned stack: the emulator, its API stand-in and what the deploy output."""

    emulator: Emulator
    api: HttpStub
    names: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return self.emulator.client(service)


@dataclass(frozen=True)
class Break:
    """A named way to break a healthy stack, the checks it should fail, and a line of
    the hint a user should see (the broken resource's name and the fixing command)."""

    description: str
    apply: Callable[[Deployment], None]
    fails: tuple[str, ...]
    hint: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stack:
    """How to provision one example system and write its outputs file."""

    name: str
    outputs_file: str
    provision: Callable[[Deployment], None]
    outputs: Callable[[Deployment], Any]
    breaks: Mapping[str, Break]

    def deploy(self, emulator: Emulator, api: HttpStub, breaks: tuple[str, ...] = ()) -> Deployment:
        """Provision the stack, then apply the named breaks."""
        self._known(breaks)
        deployment = Deployment(emulator, api)
        self.provision(deployment)
        return self.apply(deployment, breaks)

    def apply(self, deployment: Deployment, breaks: tuple[str, ...]) -> Deployment:
        """Apply the named breaks to a deployment of this stack."""
        self._known(breaks)
        for name in breaks:
            self.breaks[name].apply(deployment)
        return deployment

    def _known(self, breaks: tuple[str, ...]) -> None:
        unknown = [b for b in breaks if b not in self.breaks]
        if unknown:
            raise KeyError(f"unknown break(s) for {self.name}: {', '.join(unknown)}; "
                           f"choose from {', '.join(self.breaks)}")

    def write_outputs(self, deployment: Deployment, directory: Path) -> Path:
        """Write the outputs file in the format the system's deploy tool really writes."""
        path = Path(directory) / self.outputs_file
        path.write_text(json.dumps(self.outputs(deployment), indent=2, default=str) + "\n")
        return path


def get_stack(name: str) -> Stack:
    """The stack of example ``name``."""
    if name not in EXAMPLES:
        raise KeyError(f"unknown example {name!r}; choose from {', '.join(EXAMPLES)}")
    return importlib.import_module(f"{EXAMPLES_PACKAGE}.{name}.stack").STACK


def available() -> list[str]:
    """Examples whose stacks are implemented (every example has one)."""
    return list(EXAMPLES)


# -- provisioning helpers shared by the stacks

def lambda_zip() -> bytes:
    """A tiny deployment package (the emulator never runs handler code)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


def lambda_role(d: Clients, name: str) -> str:
    """Create an execution role for Lambda and return its ARN."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole"}]}
    return d.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust)
                                       )["Role"]["Arn"]


def create_function(d: Clients, name: str, role: str, **extra: Any) -> str:
    """Create a Python Lambda function and return its ARN."""
    params = {"FunctionName": name, "Runtime": "python3.11", "Role": role,
              "Handler": "handler.handler", "Code": {"ZipFile": lambda_zip()},
              "MemorySize": 512, "Timeout": 300, **extra}
    return d.client("lambda").create_function(**params)["FunctionArn"]


def log_recent(d: Clients, group: str, *messages: str, minutes_ago: float = 2) -> None:
    """Create ``group`` (if needed) with a stream holding ``messages`` from a while ago."""
    logs = d.client("logs")
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    stream = f"2026/01/01/[$LATEST]{abs(hash((group, messages))):x}"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int((time.time() - minutes_ago * 60) * 1000)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": stamp + i, "message": m} for i, m in enumerate(messages)])


def put_datapoint(d: Clients, namespace: str, metric: str, dimensions: Mapping[str, str],
                  value: float, minutes_ago: float = 2) -> None:
    """One Count datapoint of ``metric`` from a while ago (moto publishes no AWS/* metrics,
    and drops datapoints newer than a query's EndTime)."""
    stamp = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    d.client("cloudwatch").put_metric_data(Namespace=namespace, MetricData=[{
        "MetricName": metric, "Value": value, "Unit": "Count", "Timestamp": stamp,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]}])


def roll_back_stack(d: Deployment, stack_name: str, logical_id: str, resource_type: str,
                    reason: str, physical_id: str = "") -> None:
    """Record an update of ``stack_name`` that failed on one resource and was rolled back:
    the events CloudFormation writes, and UPDATE_ROLLBACK_COMPLETE (moto never fails one)."""
    from moto.cloudformation.models import Event

    stack = next(s for s in d.emulator.backend("cloudformation").stacks.values()
                 if s.name == stack_name)
    own = (stack_name, stack.stack_id, "AWS::CloudFormation::Stack")
    resource = (logical_id, physical_id, resource_type)
    for (logical, physical, kind), status, why in (
            (own, "UPDATE_IN_PROGRESS", "User Initiated"),
            (resource, "UPDATE_IN_PROGRESS", None),
            (resource, "UPDATE_FAILED", reason),
            (own, "UPDATE_ROLLBACK_IN_PROGRESS",
             f"The following resource(s) failed to update: [{logical_id}]."),
            (resource, "UPDATE_COMPLETE", None),
            (own, "UPDATE_ROLLBACK_COMPLETE", None)):
        stack.events.append(Event(stack.stack_id, stack_name, logical, physical, kind, status,
                                  why, None))
        time.sleep(0.002)  # distinct timestamps: DescribeStackEvents lists newest first
    stack.status = "UPDATE_ROLLBACK_COMPLETE"


def terraform_outputs(values: Mapping[str, Any], sensitive: tuple[str, ...] = ()) -> dict[str, Any]:
    """``terraform output -json`` for ``values``."""
    def kind(value: Any) -> Any:
        if isinstance(value, dict):
            return ["object", {k: kind(v) for k, v in value.items()}]
        if isinstance(value, list):
            return ["list", "string"]
        return "number" if isinstance(value, (int, float)) else "string"

    return {key: {"sensitive": key in sensitive, "type": kind(value), "value": value}
            for key, value in values.items()}


def cdk_outputs(stacks: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``cdk deploy --outputs-file``: stack name -> {logical ID with hash suffix: value}."""
    return {stack: dict(values) for stack, values in stacks.items()}


def describe_stacks_outputs(stacks: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``aws cloudformation describe-stacks``: the real response shape, outputs included."""
    return {"Stacks": [{
        "StackId": f"arn:aws:cloudformation:us-east-1:123456789012:stack/{name}/"
                   f"{zlib.crc32(name.encode()):012d}-0000-4000-8000-000000000000",
        "StackName": name, "StackStatus": "CREATE_COMPLETE",
        "CreationTime": "2026-01-01T00:00:00+00:00",
        "Outputs": [{"OutputKey": key, "OutputValue": str(value)} for key, value in values.items()],
    } for name, values in stacks.items()]}
