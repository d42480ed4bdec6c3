"""Resource handles, one module per AWS service, and the fixture name of each."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .athena import AthenaWorkgroup, QueryResult
from .awslambda import InvokeResult, LambdaFunction
from .base import Resource
from .dynamodb import DynamoTable
from .events import EventRule
from .glue import GlueDatabase
from .http import HttpEndpoint, HttpResponse
from .logs import LogGroup
from .s3 import S3Bucket
from .secrets import Secret, SecretValue
from .sts import CallerIdentity

RESOURCE_TYPES: Mapping[str, type[Resource]] = MappingProxyType({
    "s3_bucket": S3Bucket,
    "dynamo_table": DynamoTable,
    "lambda_fn": LambdaFunction,
    "event_rule": EventRule,
    "athena": AthenaWorkgroup,
    "glue_database": GlueDatabase,
    "http_endpoint": HttpEndpoint,
    "log_group": LogGroup,
    "secret": Secret,
})

__all__ = [
    "RESOURCE_TYPES", "AthenaWorkgroup", "CallerIdentity", "DynamoTable", "EventRule",
    "GlueDatabase", "HttpEndpoint", "HttpResponse", "InvokeResult", "LambdaFunction",
    "LogGroup", "QueryResult", "Resource", "S3Bucket", "Secret", "SecretValue",
]
