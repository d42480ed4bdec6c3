"""Resource handles, one module per AWS service.

Each module defines handle classes that register themselves by setting ``fixture``
(see :mod:`.registry`); the plugin makes one fixture per registered type. Adding a
service is adding a module here.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .base import Resource
from .registry import declared, fixture_names, handle_types, lookup


class _ResourceTypes(Mapping[str, "type[Resource]"]):
    """Every handle type by fixture name; a type's module is imported when first used
    (names and membership need no import)."""

    def __getitem__(self, fixture: str) -> type[Resource]:
        return lookup(fixture)

    def __contains__(self, fixture: object) -> bool:
        return fixture in fixture_names()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(fixture_names()))

    def __len__(self) -> int:
        return len(fixture_names())

    def __repr__(self) -> str:
        return f"RESOURCE_TYPES({', '.join(self)})"


RESOURCE_TYPES: Mapping[str, type[Resource]] = _ResourceTypes()

#: Names importable from here that are not handle types (result types and helpers).
_OTHER_EXPORTS = {
    "HttpResponse": "http", "TlsCertificate": "tls", "TlsError": "tls", "SecretValue": "secrets",
    "InvokeResult": "awslambda", "QueryResult": "athena", "MetricSum": "cloudwatch",
    "CallerIdentity": "sts", "LogLines": "logs", "LogAbsence": "logs",
    "CognitoUser": "cognito", "StackEvent": "cloudformation", "StackEvents": "cloudformation",
    "BootstrapCheck": "cloudformation", "PermissionCheck": "iam", "TrustCheck": "iam",
    "DeniedActions": "iam", "Execution": "stepfunctions", "Executions": "stepfunctions",
    "ExecutionFailure": "stepfunctions", "Subscription": "sns", "IngressCheck": "ec2",
    "Coverage": "acm", "Certificate": "acm", "TargetHealth": "elbv2", "StoppedTask": "ecs",
    "FailedTasks": "ecs", "AlarmState": "cloudwatch",
}


#: Names of 0.1 still importable for one release, with a DeprecationWarning: old -> new.
DEPRECATED_EXPORTS: Mapping[str, str] = {"Certificate": "AcmCertificate"}


def exported_names() -> dict[str, Any]:
    """Every public class of the resource modules: handle types and result types."""
    names: dict[str, Any] = {cls.__name__: cls for cls in handle_types()}
    names.update((name, export(name)) for name in _OTHER_EXPORTS
                 if name not in DEPRECATED_EXPORTS)
    return names


def export_modules() -> dict[str, str]:
    """The module of every public class by class name, without importing any service."""
    return {**{d.name: d.module for d in declared().values()}, **_OTHER_EXPORTS}


def export(name: str) -> Any:
    """The public class ``name`` (a handle or result type), importing only its module;
    AttributeError when there is none."""
    import importlib

    module = export_modules().get(name)
    found = getattr(importlib.import_module(f"{__name__}.{module}"), name, None) if module else None
    if found is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return found


def __getattr__(name: str) -> Any:
    """Handle and result types by class name: ``from pytest_awshealth.resources import DynamoTable``."""
    return export(name)


def __dir__() -> list[str]:
    return sorted([*globals(), *export_modules()])


__all__ = ["RESOURCE_TYPES", "Resource", "exported_names"]
