"""pytest-awshealth: post-deploy AWS smoke checks as pytest tests, with remediation hints."""

from __future__ import annotations

from .clients import AwsContext
from .errors import (AwsCallError, AwsHealthError, BindingError, ConfigError, OutputsError,
                     ResourceNotFound, SensitiveOutputError, UnknownOutputError)
from .outputs import Output, Outputs, load_outputs
from .probes import probe
from .remediation import Catalog, Hint
from .resources import (AthenaWorkgroup, CallerIdentity, DynamoTable, EventRule, GlueDatabase,
                        HttpEndpoint, LambdaFunction, LogGroup, Resource, S3Bucket, Secret)

__version__ = "0.1.0"

__all__ = [
    "AthenaWorkgroup", "AwsCallError", "AwsContext", "AwsHealthError", "BindingError",
    "CallerIdentity", "Catalog", "ConfigError", "DynamoTable", "EventRule", "GlueDatabase",
    "Hint", "HttpEndpoint", "LambdaFunction", "LogGroup", "Output", "Outputs", "OutputsError",
    "Resource", "ResourceNotFound", "S3Bucket", "Secret", "SensitiveOutputError",
    "UnknownOutputError", "load_outputs", "probe",
]
