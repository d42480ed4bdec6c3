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
from .resources import Resource
from .resources import DEPRECATED_EXPORTS as _DEPRECATED
from .resources import export as _export, export_modules as _export_modules

__version__ = "0.1.0"

_CORE = [
    "Alternatives", "any_of", "optional", "AwsCallError", "AwsContext", "AwsHealthError",
    "Catalog", "ConfigError", "Hint", "Output", "Outputs", "OutputsError", "Resource",
    "ResourceNotFound", "SensitiveOutputError", "UnknownOutputError", "load_outputs", "probe",
    "field",
]


def __getattr__(name: str) -> Any:
    """Every handle type and result type by class name (``pytest_awshealth.DynamoTable``),
    importing only its module; a service module that defines a handle exports it here by
    being defined."""
    try:
        return _export(name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def __dir__() -> list[str]:
    return sorted({*globals(), *_export_modules()})


__all__ = [*_CORE, *sorted(set(_export_modules()) - set(_DEPRECATED))]  # from source: no import
