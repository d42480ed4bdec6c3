"""Resource handles, one module per AWS service.

Each module in :data:`MODULES` defines ``FIXTURES`` (fixture name -> handle class) and
``HINTS`` (catalog key -> :class:`~pytest_awshealth.remediation.Hint`). The plugin
makes one fixture per entry of :data:`RESOURCE_TYPES`.
"""

from __future__ import annotations

import importlib
from types import MappingProxyType
from typing import Mapping

from .acm import Certificate
from .apigateway import RestApi
from .athena import AthenaWorkgroup, QueryResult
from .awslambda import InvokeResult, LambdaFunction
from .base import Resource
from .cloudformation import CdkBootstrap, CfnStack
from .cloudwatch import CloudWatch
from .cognito import CognitoUser, UserPool
from .dynamodb import DynamoTable
from .ec2 import SecurityGroup
from .ecs import EcsService
from .elbv2 import LoadBalancer, TargetGroup
from .events import EventRule
from .glue import GlueDatabase
from .http import HttpEndpoint, HttpResponse
from .tls import TlsCertificate, TlsError
from .iam import IamRole
from .logs import LogGroup
from .s3 import S3Bucket
from .secrets import Secret, SecretValue
from .servicediscovery import CloudMapService
from .sns import SnsTopic
from .sqs import SqsQueue
from .ssm import SsmParameter
from .stepfunctions import StateMachine
from .sts import CallerIdentity

MODULES = ("s3", "dynamodb", "awslambda", "events", "athena", "glue", "http", "logs", "secrets",
           "sts", "ecs", "elbv2", "servicediscovery", "acm", "cloudwatch", "cognito",
           "cloudformation", "ssm", "stepfunctions", "sns", "sqs", "iam", "ec2", "apigateway")


def _collect(attribute: str) -> dict:
    found: dict = {}
    for name in MODULES:
        found.update(getattr(importlib.import_module(f"{__name__}.{name}"), attribute, {}))
    return found


RESOURCE_TYPES: Mapping[str, type[Resource]] = MappingProxyType(_collect("FIXTURES"))


def resource_hints() -> dict:
    """Every resource module's ``HINTS``."""
    return _collect("HINTS")


__all__ = [
    "MODULES", "RESOURCE_TYPES", "AthenaWorkgroup", "CallerIdentity", "CdkBootstrap",
    "Certificate", "CfnStack", "RestApi", "CloudMapService", "CloudWatch", "CognitoUser", "DynamoTable",
    "EcsService", "EventRule", "GlueDatabase", "HttpEndpoint", "HttpResponse", "IamRole",
    "InvokeResult", "LambdaFunction", "LoadBalancer", "LogGroup", "QueryResult", "Resource",
    "S3Bucket", "Secret", "SecretValue", "SecurityGroup", "SnsTopic", "SqsQueue", "SsmParameter", "StateMachine",
    "TargetGroup", "TlsCertificate", "TlsError", "UserPool", "resource_hints",
]
