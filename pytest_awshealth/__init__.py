"""pytest-awshealth: post-deploy AWS smoke checks as pytest tests, with remediation hints."""

from __future__ import annotations

from typing import Any

from .alternatives import Alternatives, any_of, optional
from .clients import AwsContext
from .errors import (AwsCallError, AwsHealthError, ConfigError, OutputsError,
                     ResourceNotFound, SensitiveOutputError, UnknownOutputError)
from .outputs import Output, Outputs, load_outputs
from .probes import field, probe
from .remediation import Catalog, Hint
from .resources import Resource, exported_names

__version__ = "0.1.0"

_CORE = [
    "Alternatives", "any_of", "optional", "AwsCallError", "AwsContext", "AwsHealthError",
    "Catalog", "ConfigError", "Hint", "Output", "Outputs", "OutputsError", "Resource",
    "ResourceNotFound", "SensitiveOutputError", "UnknownOutputError", "load_outputs", "probe",
    "field",
]


def __getattr__(name: str) -> Any:
    """Every handle type and result type by class name (``pytest_awshealth.DynamoTable``);
    a service module that defines a handle exports it here by being defined."""
    exported = exported_names()
    if name in exported:
        return exported[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *exported_names()})


__all__ = [*_CORE, *sorted(exported_names())]
