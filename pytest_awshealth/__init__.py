"""pytest-awshealth: post-deploy AWS smoke checks as pytest tests, with remediation hints."""

from __future__ import annotations

from .alternatives import Alternatives, any_of, optional
from .clients import AwsContext
from .errors import (AwsCallError, AwsHealthError, ConfigError, OutputsError,
                     ResourceNotFound, SensitiveOutputError, UnknownOutputError)
from .outputs import Output, Outputs, load_outputs
from .probes import probe
from .remediation import Catalog, Hint
from .resources import (AthenaWorkgroup, CallerIdentity, CdkBootstrap, Certificate, CfnStack,
                        CloudMapService, CloudWatch, CognitoUser, DynamoTable, EcsService,
                        EventRule, GlueDatabase, HttpEndpoint, IamRole, LambdaFunction,
                        LoadBalancer, LogGroup, Resource, S3Bucket, Secret, SecurityGroup,
                        SnsTopic, SqsQueue, SsmParameter, StateMachine, TargetGroup, UserPool)

__version__ = "0.1.0"

__all__ = [
    "Alternatives", "any_of", "optional",
    "AthenaWorkgroup", "AwsCallError", "AwsContext", "AwsHealthError", "CallerIdentity",
    "Catalog", "CdkBootstrap", "Certificate", "CfnStack", "CloudMapService", "CloudWatch",
    "CognitoUser", "ConfigError", "DynamoTable", "EcsService", "EventRule", "GlueDatabase",
    "Hint", "HttpEndpoint", "IamRole", "LambdaFunction", "LoadBalancer", "LogGroup", "Output",
    "Outputs", "OutputsError", "Resource", "ResourceNotFound", "S3Bucket", "Secret",
    "SecurityGroup", "SensitiveOutputError", "SnsTopic", "SqsQueue", "SsmParameter",
    "StateMachine", "TargetGroup", "UnknownOutputError", "UserPool", "load_outputs", "probe",
]
