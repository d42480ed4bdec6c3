"""Resource handles, one module per AWS service.

Each module defines handle classes that register themselves by setting ``fixture``
(see :mod:`.registry`); the plugin makes one fixture per registered type. Adding a
service is adding a module here.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .base import Resource
from .registry import handle_types, resource_types


class _ResourceTypes(Mapping[str, "type[Resource]"]):
    """Every handle type by fixture name, read from the registry when first used."""

    def __getitem__(self, fixture: str) -> type[Resource]:
        return resource_types()[fixture]

    def __iter__(self) -> Iterator[str]:
        return iter(resource_types())

    def __len__(self) -> int:
        return len(resource_types())

    def __repr__(self) -> str:
        return f"RESOURCE_TYPES({', '.join(self)})"


RESOURCE_TYPES: Mapping[str, type[Resource]] = _ResourceTypes()

#: Names importable from here that are not handle types (result types and helpers).
_OTHER_EXPORTS = {
    "HttpResponse": "http", "TlsCertificate": "tls", "TlsError": "tls", "SecretValue": "secrets",
    "InvokeResult": "awslambda", "QueryResult": "athena", "MetricSum": "cloudwatch",
    "CallerIdentity": "sts", "ParameterValue": "ssm", "LogLines": "logs", "LogAbsence": "logs",
    "CognitoUser": "cognito", "StackEvent": "cloudformation", "StackEvents": "cloudformation",
    "BootstrapCheck": "cloudformation", "PermissionCheck": "iam", "TrustCheck": "iam",
    "DeniedActions": "iam", "Execution": "stepfunctions", "Executions": "stepfunctions",
    "ExecutionFailure": "stepfunctions", "Subscription": "sns", "IngressCheck": "ec2",
    "Coverage": "acm", "Certificate": "acm", "TargetHealth": "elbv2", "StoppedTask": "ecs",
    "FailedTasks": "ecs", "AlarmState": "cloudwatch",
}


def exported_names() -> dict[str, Any]:
    """Every public class of the resource modules: handle types and result types."""
    import importlib

    names: dict[str, Any] = {cls.__name__: cls for cls in handle_types()}
    for name, module in _OTHER_EXPORTS.items():
        found = getattr(importlib.import_module(f"{__name__}.{module}"), name, None)
        if found is not None:
            names[name] = found
    return names


def __getattr__(name: str) -> Any:
    """Handle and result types by class name: ``from pytest_awshealth.resources import DynamoTable``."""
    exported = exported_names()
    if name in exported:
        return exported[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *exported_names()])


__all__ = ["RESOURCE_TYPES", "Resource", "exported_names"]
