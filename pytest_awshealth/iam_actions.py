"""API operation -> IAM action, for AccessDenied hints and ``simulate-principal-policy``.

botocore's service models know the SigV4 signing name (``monitoring``), not the IAM
service prefix (``cloudwatch``), and several operations are authorised by an action of
another name (S3 ``HeadBucket`` and ``ListObjectsV2`` need ``s3:ListBucket``; Lambda
``Invoke`` needs ``lambda:InvokeFunction``). :data:`TABLE` lists every operation the
probes call; where the action differs from ``<signing name>:<operation>`` its last
column says why (a test holds the table to that).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, NamedTuple


class Row(NamedTuple):
    service: str  # boto3 client name
    operation: str  # API operation name
    action: str  # IAM action that authorises it
    differs: str = ""  # why the action is not <signing name>:<operation>


CW = "IAM prefix is cloudwatch (the signing name is monitoring)"
LIST_BUCKET = "authorised by s3:ListBucket"
APIGW = "API Gateway authorises by HTTP method on the resource path (apigateway:GET)"

TABLE: tuple[Row, ...] = (
    Row("acm", "DescribeCertificate", "acm:DescribeCertificate"),
    Row("acm", "ListCertificates", "acm:ListCertificates"),
    Row("acm-pca", "DescribeCertificateAuthority", "acm-pca:DescribeCertificateAuthority"),
    Row("apigateway", "GetRestApi", "apigateway:GET", APIGW),
    Row("apigateway", "GetRestApis", "apigateway:GET", APIGW),
    Row("apigateway", "GetStage", "apigateway:GET", APIGW),
    Row("apigateway", "GetStages", "apigateway:GET", APIGW),
    Row("apigateway", "GetUsagePlans", "apigateway:GET", APIGW),
    Row("apigatewayv2", "GetApi", "apigateway:GET", APIGW),
    Row("apigatewayv2", "GetRoutes", "apigateway:GET", APIGW),
    Row("apigatewayv2", "GetStage", "apigateway:GET", APIGW),
    Row("apigatewayv2", "GetStages", "apigateway:GET", APIGW),
    Row("appsync", "GetGraphqlApi", "appsync:GetGraphqlApi"),
    Row("appsync", "GetSchemaCreationStatus", "appsync:GetSchemaCreationStatus"),
    Row("athena", "GetQueryExecution", "athena:GetQueryExecution"),
    Row("athena", "GetQueryResults", "athena:GetQueryResults"),
    Row("athena", "GetWorkGroup", "athena:GetWorkGroup"),
    Row("athena", "StartQueryExecution", "athena:StartQueryExecution"),
    Row("athena", "StopQueryExecution", "athena:StopQueryExecution"),
    Row("autoscaling", "DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingGroups"),
    Row("backup", "GetBackupPlan", "backup:GetBackupPlan"),
    Row("backup", "ListBackupJobs", "backup:ListBackupJobs"),
    Row("batch", "DescribeComputeEnvironments", "batch:DescribeComputeEnvironments"),
    Row("batch", "DescribeJobQueues", "batch:DescribeJobQueues"),
    Row("cloudformation", "DescribeStackEvents", "cloudformation:DescribeStackEvents"),
    Row("cloudformation", "DescribeStackResources", "cloudformation:DescribeStackResources"),
    Row("cloudformation", "DescribeStacks", "cloudformation:DescribeStacks"),
    Row("cloudfront", "GetDistribution", "cloudfront:GetDistribution"),
    Row("cloudtrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    Row("cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"),
    Row("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms", CW),
    Row("cloudwatch", "GetMetricData", "cloudwatch:GetMetricData", CW),
    Row("cloudwatch", "GetMetricStatistics", "cloudwatch:GetMetricStatistics", CW),
    Row("cloudwatch", "ListMetrics", "cloudwatch:ListMetrics", CW),
    Row("cognito-idp", "AdminGetUser", "cognito-idp:AdminGetUser"),
    Row("cognito-idp", "DescribeUserPool", "cognito-idp:DescribeUserPool"),
    Row("cognito-idp", "DescribeUserPoolClient", "cognito-idp:DescribeUserPoolClient"),
    Row("cognito-idp", "ListUserPoolClients", "cognito-idp:ListUserPoolClients"),
    Row("dynamodb", "DescribeContinuousBackups", "dynamodb:DescribeContinuousBackups"),
    Row("dynamodb", "DescribeTable", "dynamodb:DescribeTable"),
    Row("dynamodb", "DescribeTimeToLive", "dynamodb:DescribeTimeToLive"),
    Row("dynamodb", "ListBackups", "dynamodb:ListBackups"),
    Row("ec2", "DescribeInstanceStatus", "ec2:DescribeInstanceStatus"),
    Row("ec2", "DescribeInstances", "ec2:DescribeInstances"),
    Row("ec2", "DescribeNatGateways", "ec2:DescribeNatGateways"),
    Row("ec2", "DescribeNetworkAcls", "ec2:DescribeNetworkAcls"),
    Row("ec2", "DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
    Row("ec2", "DescribeSubnets", "ec2:DescribeSubnets"),
    Row("ec2", "DescribeVpcAttribute", "ec2:DescribeVpcAttribute"),
    Row("ec2", "DescribeVpcEndpoints", "ec2:DescribeVpcEndpoints"),
    Row("ec2", "DescribeVpcs", "ec2:DescribeVpcs"),
    Row("ecr", "DescribeImageScanFindings", "ecr:DescribeImageScanFindings"),
    Row("ecr", "DescribeImages", "ecr:DescribeImages"),
    Row("ecr", "DescribeRepositories", "ecr:DescribeRepositories"),
    Row("ecs", "DescribeServices", "ecs:DescribeServices"),
    Row("ecs", "DescribeTaskDefinition", "ecs:DescribeTaskDefinition"),
    Row("ecs", "DescribeTasks", "ecs:DescribeTasks"),
    Row("ecs", "ListTasks", "ecs:ListTasks"),
    Row("eks", "DescribeCluster", "eks:DescribeCluster"),
    Row("eks", "DescribeNodegroup", "eks:DescribeNodegroup"),
    Row("elasticache", "DescribeReplicationGroups", "elasticache:DescribeReplicationGroups"),
    Row("elbv2", "DescribeListeners", "elasticloadbalancing:DescribeListeners"),
    Row("elbv2", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
    Row("elbv2", "DescribeRules", "elasticloadbalancing:DescribeRules"),
    Row("elbv2", "DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroups"),
    Row("elbv2", "DescribeTargetHealth", "elasticloadbalancing:DescribeTargetHealth"),
    Row("events", "DescribeRule", "events:DescribeRule"),
    Row("events", "ListTargetsByRule", "events:ListTargetsByRule"),
    Row("firehose", "DescribeDeliveryStream", "firehose:DescribeDeliveryStream"),
    Row("glue", "GetCrawler", "glue:GetCrawler"),
    Row("glue", "GetDatabase", "glue:GetDatabase"),
    Row("glue", "GetJob", "glue:GetJob"),
    Row("glue", "GetJobRuns", "glue:GetJobRuns"),
    Row("glue", "GetTable", "glue:GetTable"),
    Row("glue", "GetTables", "glue:GetTables"),
    Row("iam", "GetRole", "iam:GetRole"),
    Row("iam", "ListAttachedRolePolicies", "iam:ListAttachedRolePolicies"),
    Row("iam", "ListRolePolicies", "iam:ListRolePolicies"),
    Row("iam", "SimulatePrincipalPolicy", "iam:SimulatePrincipalPolicy"),
    Row("kinesis", "DescribeStreamSummary", "kinesis:DescribeStreamSummary"),
    Row("kms", "DescribeKey", "kms:DescribeKey"),
    Row("kms", "GetKeyPolicy", "kms:GetKeyPolicy"),
    Row("kms", "GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
    Row("lambda", "GetFunction", "lambda:GetFunction"),
    Row("lambda", "GetFunctionConcurrency", "lambda:GetFunctionConcurrency"),
    Row("lambda", "GetFunctionConfiguration", "lambda:GetFunctionConfiguration"),
    Row("lambda", "GetPolicy", "lambda:GetPolicy"),
    Row("lambda", "Invoke", "lambda:InvokeFunction", "authorised by lambda:InvokeFunction"),
    Row("lambda", "ListEventSourceMappings", "lambda:ListEventSourceMappings"),
    Row("logs", "DescribeLogGroups", "logs:DescribeLogGroups"),
    Row("logs", "DescribeLogStreams", "logs:DescribeLogStreams"),
    Row("logs", "FilterLogEvents", "logs:FilterLogEvents"),
    Row("opensearch", "DescribeDomain", "es:DescribeDomain"),
    Row("pipes", "DescribePipe", "pipes:DescribePipe"),
    Row("rds", "DescribeDBClusters", "rds:DescribeDBClusters"),
    Row("rds", "DescribeDBInstances", "rds:DescribeDBInstances"),
    Row("rds", "DescribePendingMaintenanceActions", "rds:DescribePendingMaintenanceActions"),
    Row("route53", "GetHealthCheck", "route53:GetHealthCheck"),
    Row("route53", "GetHealthCheckStatus", "route53:GetHealthCheckStatus"),
    Row("route53", "GetHostedZone", "route53:GetHostedZone"),
    Row("route53", "ListHostedZonesByName", "route53:ListHostedZonesByName"),
    Row("route53", "ListResourceRecordSets", "route53:ListResourceRecordSets"),
    Row("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration",
        "authorised by s3:GetEncryptionConfiguration"),
    Row("s3", "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration",
        "authorised by s3:GetLifecycleConfiguration"),
    Row("s3", "GetBucketLocation", "s3:GetBucketLocation"),
    Row("s3", "GetBucketNotificationConfiguration", "s3:GetBucketNotification",
        "authorised by s3:GetBucketNotification"),
    Row("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
    Row("s3", "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
    Row("s3", "GetBucketReplication", "s3:GetReplicationConfiguration",
        "authorised by s3:GetReplicationConfiguration"),
    Row("s3", "GetBucketVersioning", "s3:GetBucketVersioning"),
    Row("s3", "GetObject", "s3:GetObject"),
    Row("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock",
        "authorised by s3:GetBucketPublicAccessBlock (bucket level)"),
    Row("s3", "HeadBucket", "s3:ListBucket", LIST_BUCKET),
    Row("s3", "HeadObject", "s3:GetObject", "authorised by s3:GetObject"),
    Row("s3", "ListBuckets", "s3:ListAllMyBuckets", "authorised by s3:ListAllMyBuckets"),
    Row("s3", "ListObjects", "s3:ListBucket", LIST_BUCKET),
    Row("s3", "ListObjectsV2", "s3:ListBucket", LIST_BUCKET),
    Row("scheduler", "GetSchedule", "scheduler:GetSchedule"),
    Row("secretsmanager", "DescribeSecret", "secretsmanager:DescribeSecret"),
    Row("secretsmanager", "GetSecretValue", "secretsmanager:GetSecretValue"),
    Row("servicediscovery", "GetOperation", "servicediscovery:GetOperation"),
    Row("servicediscovery", "GetService", "servicediscovery:GetService"),
    Row("servicediscovery", "ListInstances", "servicediscovery:ListInstances"),
    Row("servicediscovery", "ListNamespaces", "servicediscovery:ListNamespaces"),
    Row("servicediscovery", "ListOperations", "servicediscovery:ListOperations"),
    Row("servicediscovery", "ListServices", "servicediscovery:ListServices"),
    Row("ses", "GetIdentityDkimAttributes", "ses:GetIdentityDkimAttributes"),
    Row("ses", "GetIdentityVerificationAttributes", "ses:GetIdentityVerificationAttributes"),
    Row("sns", "GetSubscriptionAttributes", "sns:GetSubscriptionAttributes"),
    Row("sns", "GetTopicAttributes", "sns:GetTopicAttributes"),
    Row("sns", "ListSubscriptionsByTopic", "sns:ListSubscriptionsByTopic"),
    Row("sqs", "GetQueueAttributes", "sqs:GetQueueAttributes"),
    Row("sqs", "GetQueueUrl", "sqs:GetQueueUrl"),
    Row("ssm", "DescribeParameters", "ssm:DescribeParameters"),
    Row("ssm", "GetParameter", "ssm:GetParameter"),
    Row("stepfunctions", "DescribeExecution", "states:DescribeExecution"),
    Row("stepfunctions", "DescribeStateMachine", "states:DescribeStateMachine"),
    Row("stepfunctions", "GetExecutionHistory", "states:GetExecutionHistory"),
    Row("stepfunctions", "ListExecutions", "states:ListExecutions"),
    Row("sts", "AssumeRole", "sts:AssumeRole"),
    Row("sts", "GetCallerIdentity", "sts:GetCallerIdentity"),
    Row("wafv2", "GetWebACL", "wafv2:GetWebACL"),
    Row("wafv2", "GetWebACLForResource", "wafv2:GetWebACLForResource"),
)

ACTIONS: Mapping[tuple[str, str], str] = MappingProxyType(
    {(row.service, row.operation): row.action for row in TABLE})
#: IAM prefixes that differ from the signing name (for operations not in the table).
PREFIXES: Mapping[str, str] = MappingProxyType({"cloudwatch": "cloudwatch"})


def iam_action(service: str, operation: str, signing_name: str = "") -> str:
    """The IAM action for boto3 service ``service``'s ``operation`` (API name); outside
    the table, ``<IAM prefix or signing name>:<operation>``."""
    found = ACTIONS.get((service, operation))
    if found is not None:
        return found
    return f"{PREFIXES.get(service) or signing_name or service}:{operation}"
