"""Which resource each API operation is authorised on, from AWS's Service Authorization
Reference (SAR): its resource types and their ARN formats, and for every operation the
probes call the resource types its IAM action names (none: AWS requires ``"*"``).

:data:`TYPES` holds the ARN formats; ``{name}`` is the resource's own name (a table
name, a function name...), other fields are the handle's attributes of that name
(``{cluster}`` of an ECS service) and ``{partition}``, ``{region}``, ``{account}``.
:data:`OPERATIONS` maps (boto3 service, API operation) to the type keys whose ARNs a
statement must name; ``()`` means AWS accepts only ``"*"`` (no resource-level
permissions, e.g. ``cloudwatch:GetMetricStatistics``, ``ec2:Describe*``). Operations
that need no permission at all (``sts:GetCallerIdentity``) are in :data:`FREE`.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Mapping

ANY = ()
P = "arn:{partition}"
RA = "{region}:{account}"

#: SAR resource types: key -> ARN formats (a log group is named both ways IAM compares it).
TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "acm:certificate": (f"{P}:acm:{RA}:certificate/{{name}}",),
    "apigateway:restapi": (f"{P}:apigateway:{{region}}::/restapis/{{name}}",),
    "apigateway:restapis": (f"{P}:apigateway:{{region}}::/restapis",),
    "apigateway:stages": (f"{P}:apigateway:{{region}}::/restapis/{{name}}/stages",),
    "athena:workgroup": (f"{P}:athena:{RA}:workgroup/{{name}}",),
    "cloudformation:stack": (f"{P}:cloudformation:{RA}:stack/{{name}}/*",),
    "cloudfront:distribution": (f"{P}:cloudfront::{{account}}:distribution/{{name}}",),
    "cloudtrail:trail": (f"{P}:cloudtrail:{RA}:trail/{{name}}",),
    "cognito-idp:userpool": (f"{P}:cognito-idp:{RA}:userpool/{{name}}",),
    "dynamodb:table": (f"{P}:dynamodb:{RA}:table/{{name}}",),
    "ecr:repository": (f"{P}:ecr:{RA}:repository/{{name}}",),
    "ecs:service": (f"{P}:ecs:{RA}:service/{{cluster}}/{{name}}",),
    "ecs:task": (f"{P}:ecs:{RA}:task/{{cluster}}/*",),
    "eks:cluster": (f"{P}:eks:{RA}:cluster/{{name}}",),
    "elasticache:replicationgroup": (f"{P}:elasticache:{RA}:replicationgroup:{{name}}",),
    "es:domain": (f"{P}:es:{RA}:domain/{{name}}",),
    "events:rule": (f"{P}:events:{RA}:rule/{{name}}",),
    "firehose:deliverystream": (f"{P}:firehose:{RA}:deliverystream/{{name}}",),
    "glue:catalog": (f"{P}:glue:{RA}:catalog",),
    "glue:database": (f"{P}:glue:{RA}:database/{{name}}",),
    "glue:tables": (f"{P}:glue:{RA}:table/{{name}}/*",),
    "iam:role": (f"{P}:iam::{{account}}:role/{{name}}",),
    "kinesis:stream": (f"{P}:kinesis:{RA}:stream/{{name}}",),
    "lambda:function": (f"{P}:lambda:{RA}:function:{{name}}",),
    "logs:log-group": (f"{P}:logs:{RA}:log-group:{{name}}", f"{P}:logs:{RA}:log-group:{{name}}:*"),
    "logs:log-groups": (f"{P}:logs:{RA}:log-group:*",),
    "pipes:pipe": (f"{P}:pipes:{RA}:pipe/{{name}}",),
    "rds:cluster": (f"{P}:rds:{RA}:cluster:{{name}}",),
    "rds:db": (f"{P}:rds:{RA}:db:{{name}}",),
    "s3:bucket": (f"{P}:s3:::{{name}}",),
    "s3:object": (f"{P}:s3:::{{name}}/*",),
    "secretsmanager:secret": (f"{P}:secretsmanager:{RA}:secret:{{name}}-??????",),
    "servicediscovery:service": (f"{P}:servicediscovery:{RA}:service/{{name}}",),
    "sns:topic": (f"{P}:sns:{RA}:{{name}}",),
    "sqs:queue": (f"{P}:sqs:{RA}:{{name}}",),
    "ssm:parameter": (f"{P}:ssm:{RA}:parameter/{{name}}",),
    "states:execution": (f"{P}:states:{RA}:execution:{{name}}:*",),
    "states:stateMachine": (f"{P}:states:{RA}:stateMachine:{{name}}",),
})

#: The resource type each handle is (those whose ``arn_format`` does not already say it).
HANDLES: Mapping[str, str] = MappingProxyType({
    "acm_certificate": "acm:certificate", "athena": "athena:workgroup",
    "cdk_bootstrap": "cloudformation:stack", "cfn_stack": "cloudformation:stack",
    "cloudmap_service": "servicediscovery:service", "ecs_service": "ecs:service",
    "iam_role": "iam:role", "rest_api": "apigateway:restapi", "secret": "secretsmanager:secret",
    "sns_topic": "sns:topic", "sqs_queue": "sqs:queue", "ssm_parameter": "ssm:parameter",
    "user_pool": "cognito-idp:userpool",
})

#: How a handle's name becomes the ``{name}`` of its type's ARN, where it differs.
NAMES: Mapping[str, Callable[[str], str]] = MappingProxyType({
    "sqs:queue": lambda name: name.rstrip("/").rsplit("/", 1)[-1],  # a queue URL
    "ssm:parameter": lambda name: name.lstrip("/"),
})

#: Resource type -> the attribute by which a handle of another type names a resource of
#: it (a Cognito user's ``pool_id``: AdminGetUser is authorised on the user pool).
NAMED_BY: Mapping[str, str] = MappingProxyType({"cognito-idp:userpool": "pool_id"})

#: Operations a handle makes only to find one of its attributes from a name (an ARN from
#: a domain, an id from a service name): not needed when that attribute is known without
#: AWS (the handle is named by its ARN or id).
LOOKUPS: Mapping[tuple[str, str], str] = MappingProxyType({
    ("acm", "ListCertificates"): "arn",
    ("servicediscovery", "ListNamespaces"): "service_id",
    ("servicediscovery", "ListServices"): "service_id",
})

#: Operations a description is read by only when another is denied -> that other one:
#: SSM metadata comes from DescribeParameters (no value), GetParameter (undecrypted) only
#: for a caller without it. A policy grants the first, unless it grants the second on the
#: same resource anyway (for a test that reads the value).
FALLBACKS: Mapping[tuple[str, str], tuple[str, str]] = MappingProxyType({
    ("ssm", "GetParameter"): ("ssm", "DescribeParameters"),
})

#: (boto3 service, API operation) -> resource types its action is authorised on.
OPERATIONS: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType({
    ("acm", "DescribeCertificate"): ("acm:certificate",),
    ("acm", "ListCertificates"): ANY,
    ("apigateway", "GetRestApi"): ("apigateway:restapi",),
    ("apigateway", "GetRestApis"): ("apigateway:restapis",),
    ("apigateway", "GetStages"): ("apigateway:stages",),
    ("athena", "GetQueryExecution"): ("athena:workgroup",),
    ("athena", "GetQueryResults"): ("athena:workgroup",),
    ("athena", "GetWorkGroup"): ("athena:workgroup",),
    ("athena", "StartQueryExecution"): ("athena:workgroup",),
    ("athena", "StopQueryExecution"): ("athena:workgroup",),
    ("cloudformation", "DescribeStackEvents"): ("cloudformation:stack",),
    ("cloudformation", "DescribeStackResources"): ("cloudformation:stack",),
    ("cloudformation", "DescribeStacks"): ("cloudformation:stack",),
    ("cloudfront", "GetDistribution"): ("cloudfront:distribution",),
    ("cloudtrail", "DescribeTrails"): ANY,
    ("cloudtrail", "GetTrailStatus"): ("cloudtrail:trail",),
    # DescribeAlarms reads composite alarms only when granted on "*" (its API reference)
    ("cloudwatch", "DescribeAlarms"): ANY,
    ("cloudwatch", "GetMetricData"): ANY,
    ("cloudwatch", "GetMetricStatistics"): ANY,
    ("cloudwatch", "ListMetrics"): ANY,
    ("cognito-idp", "AdminGetUser"): ("cognito-idp:userpool",),
    ("cognito-idp", "DescribeUserPool"): ("cognito-idp:userpool",),
    ("cognito-idp", "DescribeUserPoolClient"): ("cognito-idp:userpool",),
    ("cognito-idp", "ListUserPoolClients"): ("cognito-idp:userpool",),
    ("dynamodb", "DescribeContinuousBackups"): ("dynamodb:table",),
    ("dynamodb", "DescribeTable"): ("dynamodb:table",),
    ("dynamodb", "DescribeTimeToLive"): ("dynamodb:table",),
    ("dynamodb", "ListBackups"): ANY,
    ("ec2", "DescribeSecurityGroups"): ANY,
    ("ec2", "DescribeSubnets"): ANY,
    ("ec2", "DescribeVpcs"): ANY,
    ("ecr", "DescribeImageScanFindings"): ("ecr:repository",),
    ("ecr", "DescribeImages"): ("ecr:repository",),
    ("ecr", "DescribeRepositories"): ("ecr:repository",),
    ("ecs", "DescribeServices"): ("ecs:service",),
    ("ecs", "DescribeTaskDefinition"): ANY,
    ("ecs", "DescribeTasks"): ("ecs:task",),
    ("ecs", "ListTasks"): ANY,  # authorised on container instances; "*" with ecs:cluster
    ("eks", "DescribeCluster"): ("eks:cluster",),
    ("elasticache", "DescribeReplicationGroups"): ("elasticache:replicationgroup",),
    ("elbv2", "DescribeListeners"): ANY,
    ("elbv2", "DescribeLoadBalancers"): ANY,
    ("elbv2", "DescribeRules"): ANY,
    ("elbv2", "DescribeTargetGroups"): ANY,
    ("elbv2", "DescribeTargetHealth"): ANY,
    ("events", "DescribeRule"): ("events:rule",),
    ("events", "ListTargetsByRule"): ("events:rule",),
    ("firehose", "DescribeDeliveryStream"): ("firehose:deliverystream",),
    ("glue", "GetDatabase"): ("glue:catalog", "glue:database"),
    ("glue", "GetTable"): ("glue:catalog", "glue:database", "glue:tables"),
    ("glue", "GetTables"): ("glue:catalog", "glue:database", "glue:tables"),
    ("iam", "GetRole"): ("iam:role",),
    ("iam", "ListAttachedRolePolicies"): ("iam:role",),
    ("iam", "ListRolePolicies"): ("iam:role",),
    ("iam", "SimulatePrincipalPolicy"): ("iam:role",),
    ("kinesis", "DescribeStreamSummary"): ("kinesis:stream",),
    ("lambda", "GetFunction"): ("lambda:function",),
    ("lambda", "GetFunctionConcurrency"): ("lambda:function",),
    ("lambda", "GetFunctionConfiguration"): ("lambda:function",),
    ("lambda", "GetPolicy"): ("lambda:function",),
    ("lambda", "Invoke"): ("lambda:function",),
    ("lambda", "ListEventSourceMappings"): ANY,
    ("logs", "DescribeLogGroups"): ("logs:log-groups",),
    ("logs", "DescribeLogStreams"): ("logs:log-group",),
    ("logs", "FilterLogEvents"): ("logs:log-group",),
    ("opensearch", "DescribeDomain"): ("es:domain",),
    ("pipes", "DescribePipe"): ("pipes:pipe",),
    ("rds", "DescribeDBClusters"): ("rds:cluster",),
    ("rds", "DescribeDBInstances"): ("rds:db",),
    ("s3", "GetBucketEncryption"): ("s3:bucket",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:bucket",),
    ("s3", "GetBucketLocation"): ("s3:bucket",),
    ("s3", "GetBucketNotificationConfiguration"): ("s3:bucket",),
    ("s3", "GetBucketPolicy"): ("s3:bucket",),
    ("s3", "GetBucketPolicyStatus"): ("s3:bucket",),
    ("s3", "GetBucketReplication"): ("s3:bucket",),
    ("s3", "GetBucketVersioning"): ("s3:bucket",),
    ("s3", "GetObject"): ("s3:object",),
    ("s3", "GetPublicAccessBlock"): ("s3:bucket",),
    ("s3", "HeadBucket"): ("s3:bucket",),
    ("s3", "HeadObject"): ("s3:object",),
    ("s3", "ListBuckets"): ANY,
    ("s3", "ListObjects"): ("s3:bucket",),
    ("s3", "ListObjectsV2"): ("s3:bucket",),
    ("secretsmanager", "DescribeSecret"): ("secretsmanager:secret",),
    ("secretsmanager", "GetSecretValue"): ("secretsmanager:secret",),
    ("servicediscovery", "GetOperation"): ANY,
    ("servicediscovery", "GetService"): ("servicediscovery:service",),
    ("servicediscovery", "ListInstances"): ("servicediscovery:service",),
    ("servicediscovery", "ListNamespaces"): ANY,
    ("servicediscovery", "ListOperations"): ANY,
    ("servicediscovery", "ListServices"): ANY,
    ("sns", "GetSubscriptionAttributes"): ANY,
    ("sns", "GetTopicAttributes"): ("sns:topic",),
    ("sns", "ListSubscriptionsByTopic"): ("sns:topic",),
    ("sqs", "GetQueueAttributes"): ("sqs:queue",),
    ("sqs", "GetQueueUrl"): ("sqs:queue",),
    ("ssm", "DescribeParameters"): ANY,
    ("ssm", "GetParameter"): ("ssm:parameter",),
    ("stepfunctions", "DescribeExecution"): ("states:execution",),
    ("stepfunctions", "DescribeStateMachine"): ("states:stateMachine",),
    ("stepfunctions", "GetExecutionHistory"): ("states:execution",),
    ("stepfunctions", "ListExecutions"): ("states:stateMachine",),
    ("sts", "AssumeRole"): ("iam:role",),
})

#: Operations every caller may make, whatever its policy says (the STS API reference:
#: "No permissions are required to perform this operation").
FREE = frozenset({("sts", "GetCallerIdentity")})

#: Actions that run, change or reveal something (an invocation, a query, a secret's
#: value, stored data): each gets a statement of its own naming the tests that need it.
RUNS = frozenset({
    "lambda:InvokeFunction", "athena:StartQueryExecution", "athena:StopQueryExecution",
    "athena:GetQueryResults", "secretsmanager:GetSecretValue", "kms:Decrypt",
    "s3:GetObject", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
})

#: What a policy needs beyond the calls a probe makes, by IAM action (printed as notes).
DEPENDS: Mapping[str, str] = MappingProxyType({
    "athena:StartQueryExecution": (
        "Athena runs queries with the caller's permissions: grant glue:GetDatabase and "
        "glue:GetTable on the catalog, database and tables queried, and s3:GetBucketLocation, "
        "s3:GetObject, s3:ListBucket, s3:PutObject and s3:AbortMultipartUpload on the "
        "workgroup's result location (aws athena get-work-group --work-group NAME --query "
        "WorkGroup.Configuration.ResultConfiguration.OutputLocation)"),
    "secretsmanager:GetSecretValue": (
        "a secret encrypted with a customer managed KMS key also needs kms:Decrypt on that "
        "key (the default aws/secretsmanager key needs none)"),
    "ssm:GetParameter": (
        "reading a SecureString encrypted with a customer managed KMS key (value()) also "
        "needs kms:Decrypt on that key (the default aws/ssm key needs none)"),
})
