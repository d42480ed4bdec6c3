"""AWS errors in the catalog: failed calls (``error.access_denied``, ``error.credentials``...),
AWS error codes (``error.code.<Code>``) and HTTP statuses (``http.status.<N>``).

Sources: the error code reference of the troubleshooting guides this plugin encodes
(HTTP statuses; DynamoDB, Lambda, Cognito and Bedrock AgentCore error codes; deploy-time
errors), written anew and extended with AWS specifics. :func:`explain_error` and
:func:`explain_status` look entries up; :func:`error_hints` gives every entry as a hint
for the catalog. A code that means something else per service is a :class:`ByService`
hint: the service of the failed call picks its note.

Texts are hint templates: ``{name}``, ``{region}``, ``{url}``, ``{api_id}``... are filled
from the failing resource; unknown fields render as ``<field>``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional

from .hint import ByService, Hint

ACCESS_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
                           "AuthorizationError", "AuthorizationErrorException", "403",
                           "Forbidden", "UnauthorizedException", "NotAuthorized"})
CREDENTIALS = frozenset({"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                         "UnrecognizedClientException", "InvalidSignatureException",
                         "SignatureDoesNotMatch", "RequestExpired", "AuthFailure",
                         "InvalidAccessKeyId", "InvalidToken", "TokenRefreshRequired"})
THROTTLING = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException",
                        "RequestLimitExceeded", "SlowDown", "RequestThrottled",
                        "ProvisionedThroughputExceededException", "RequestThrottledException",
                        "ThrottledException", "BandwidthLimitExceeded"})

#: Hints of calls that failed, by kind (``error_key`` picks one for an error code).
ERROR_HINTS: Mapping[str, Hint] = {
    "error.access_denied": Hint(
        "Access denied: the caller may not perform {action} on {kind} {name} ({region})",
        ("the CI role or profile lacks {action} (add it to its policy, scoped to this resource)",
         "a resource policy, permission boundary or SCP denies it",
         "the checks run as another identity than intended (see aws sts get-caller-identity)"),
        ("aws sts get-caller-identity",
         "aws iam simulate-principal-policy --policy-source-arn {caller_arn} "
         "--action-names {action} --resource-arns {resource_arn}"),
        ("add this statement to the policy of {caller_arn} (awshealth policy prints all the "
         "checks need), then re-run: the check could not be made, it is not known to be "
         "broken:\n{statement}",)),
    "error.not_found": Hint(
        "{kind} {name} was not found in {region} ({code} from {operation})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong name"),
        ("aws sts get-caller-identity", "aws configure get region"),
        ("re-run the deploy, or point the checks at the right region with --aws-region",)),
    "error.credentials": Hint(
        "AWS rejected the credentials ({code}): no check can run",
        ("the session token expired (SSO or assumed-role sessions last 1-12 hours)",
         "the access key was deactivated or belongs to another partition",
         "the clock of this machine is skewed (signatures expire after 5 minutes)"),
        ("aws sts get-caller-identity", "aws configure list"),
        ("aws sso login --profile <profile>   # or refresh the CI role credentials",)),
    "error.throttling": Hint(
        "AWS throttled {operation} on {kind} {name} ({code}) in {region}: retries exhausted "
        "after {throttle_attempts} attempts (retry mode {retry_mode})",
        ("too many calls at once (lower -n, or allow more attempts)",
         "another workload shares the same account limit"),
        ("aws service-quotas list-service-quotas --service-code <service> --region {region}",),
        ("re-run with --aws-retry-mode adaptive --aws-throttle-attempts {more_attempts} "
         "(or AWS_RETRY_MODE / AWSHEALTH_THROTTLE_ATTEMPTS)",)),
    "error.connection": Hint(
        "Could not reach AWS endpoint {endpoint} (connect timeout {connect_timeout} s, "
        "max attempts {max_attempts}): {message}",
        ("no network route or proxy to the endpoint", "a wrong --aws-endpoint-url / AWS_ENDPOINT_URL",
         "the service is not offered in this region"),
        ("aws sts get-caller-identity --debug 2>&1 | grep -i endpoint",),
        ("unset AWS_ENDPOINT_URL or fix --aws-endpoint-url",)),
    "error.timeout": Hint(
        "AWS endpoint {endpoint} did not answer in time (connect timeout "
        "{connect_timeout} s, read timeout {read_timeout} s, max attempts {max_attempts}): "
        "{message}",
        ("the network drops packets to the endpoint (firewall, proxy, VPC endpoint policy)",
         "the service is degraded in this region (see the AWS Health Dashboard)"),
        ("aws sts get-caller-identity --debug 2>&1 | grep -i endpoint",
         "aws health describe-events --region us-east-1 --filter eventStatusCodes=open"),
        ("re-run later, or allow more time with --aws-read-timeout / --aws-connect-timeout",)),
    "error.generic": Hint(
        "{operation} on {kind} {name} failed with {code}: {message}",
        ("see the AWS documentation of {code} for {operation}",),
        ("aws sts get-caller-identity",),
        ("fix the cause named by the error message, then re-run",)),
}


def error_key(code: str, catalog: Mapping[str, Hint]) -> str:
    """The catalog key for a call that failed with the AWS error ``code``: the hint of its
    kind (access denied, credentials, throttling), else the code's own, else the generic."""
    if code in ACCESS_DENIED:
        return "error.access_denied"
    if code in CREDENTIALS:
        return "error.credentials"
    if code in THROTTLING:
        return "error.throttling"
    key = code_key(code)
    return key if key in catalog else "error.generic"


#: Labels of the services whose codes have service-specific notes, by signing name.
SERVICE_LABELS = MappingProxyType({
    "dynamodb": "DynamoDB", "lambda": "Lambda", "cognito-idp": "Cognito",
    "bedrock": "Bedrock", "bedrock-agentcore": "Bedrock AgentCore", "s3": "S3",
    "secretsmanager": "Secrets Manager", "apigateway": "API Gateway",
})
CODE_PREFIX = "error.code."
STATUS_PREFIX = "http.status."


@dataclass(frozen=True)
class ErrorInfo:
    """One error code or HTTP status: what it means, why it happens, how to fix it.

    ``services`` maps a signing name (``dynamodb``, ``lambda``...) to what the code
    means from that service, for codes several services share.
    """

    code: str
    meaning: str
    causes: tuple[str, ...] = ()
    fix: tuple[str, ...] = ()
    diagnose: tuple[str, ...] = ()
    services: Mapping[str, str] = field(default_factory=dict)

    def service_notes(self, service: Optional[str] = None) -> tuple[str, ...]:
        """The note for ``service`` if there is one, else every note labelled."""
        if service is not None and service in self.services:
            return (self.services[service],)
        return tuple(f"{SERVICE_LABELS.get(s, s)}: {note}" for s, note in self.services.items())


def _e(code: str, meaning: str, causes: tuple[str, ...] = (), fix: tuple[str, ...] = (),
       diagnose: tuple[str, ...] = (), **services: str) -> tuple[str, ErrorInfo]:
    notes = {name.replace("_", "-"): note for name, note in services.items()}
    return code, ErrorInfo(code, meaning, causes, fix, diagnose, MappingProxyType(notes))


GET_CALLER = "aws sts get-caller-identity"
DDB = "--table-name {name} --region {region}"
FN = "--function-name {name} --region {region}"
POOL = "--user-pool-id <user-pool-id> --region {region}"

AWS_ERRORS: Mapping[str, ErrorInfo] = MappingProxyType(dict([
    # ----------------------------------------------------------------- DynamoDB
    _e("ProvisionedThroughputExceededException",
       "the table or one of its indexes got more reads or writes per second than its "
       "provisioned capacity allows, and the SDK's retries ran out",
       ("provisioned RCU/WCU are too low for the traffic, or auto scaling reacts too slowly",
        "a hot partition key concentrates the traffic on one partition",
        "a global secondary index with less write capacity throttles writes to the table"),
       (f"aws dynamodb update-table {DDB} --billing-mode PAY_PER_REQUEST",
        "or raise ProvisionedThroughput / the auto scaling maximum, and retry with backoff"),
       (f"aws dynamodb describe-table {DDB} --query 'Table.[BillingModeSummary,ProvisionedThroughput]'",
        "aws cloudwatch get-metric-statistics --namespace AWS/DynamoDB --metric-name ThrottledRequests "
        "--dimensions Name=TableName,Value={name} --statistics Sum --period 300 "
        "--start-time <start> --end-time <end> --region {region}")),
    _e("ConditionalCheckFailedException",
       "a write carried a condition expression that was false for the stored item, so "
       "DynamoDB wrote nothing",
       ("the item already exists and the write guards with attribute_not_exists",
        "optimistic locking: another writer changed the version attribute first",
        "the condition names an attribute the item does not have (typo, other casing)"),
       ("review the ConditionExpression; treat the failure as an expected outcome "
        "(e.g. answer 409) instead of an error where it is one",
        "re-read the item and retry with its current version"),
       (f"aws dynamodb get-item {DDB} --key file://key.json",)),
    _e("TransactionCanceledException",
       "a TransactWriteItems/TransactGetItems was cancelled: one of its conditions failed, "
       "an item was being changed by another transaction, or capacity ran out",
       ("the CancellationReasons list in the error names the item and the reason per action",),
       ("read CancellationReasons, fix the failing condition, retry conflicts with backoff",)),
    _e("ItemCollectionSizeLimitExceededException",
       "an item collection (items sharing a partition key in a table with a local "
       "secondary index) reached 10 GB",
       ("one partition key value accumulates too many items",),
       ("spread items over more partition key values, or drop the local secondary index",)),
    # ----------------------------------------------------------------- shared
    _e("ResourceNotFoundException",
       "the resource the request names does not exist in this account and region, or is "
       "not ready to be used yet",
       ("a name or ARN typo, or output '{output}' points at another resource",
        "the checks run in another account or region than the deploy"),
       ("use the exact name or ARN from the deploy outputs, in the deploy's region",),
       (GET_CALLER, "aws configure get region"),
       dynamodb="the table or index does not exist, or the table is still being created",
       **{"lambda": "the function, version, alias or event source mapping does not exist"},
       bedrock="the model id is not offered in this region, or the custom model is gone",
       bedrock_agentcore="the agent runtime, gateway, gateway target or memory id is unknown",
       secretsmanager="the secret does not exist, or is scheduled for deletion",
       cognito_idp="the user pool or app client id is wrong"),
    _e("ValidationException",
       "the request failed the service's input validation: a missing or ill-typed "
       "parameter, a value out of range, or a malformed expression",
       ("the code sends parameters the API version does not accept",),
       ("compare the request with the API reference; log the parameters the code sends "
        "(without secrets) and fix the one the message names",),
       (),
       dynamodb="the key does not match the key schema (names or types), an expression has a "
                "syntax error or an undeclared placeholder, a key is empty, or an item is "
                "over 400 KB",
       bedrock="the body does not follow the model's request format, or the model id is not "
               "enabled in this region",
       bedrock_agentcore="the payload or a parameter (session id length, ARN) is malformed"),
    _e("ThrottlingException",
       "requests arrived faster than the account's or resource's rate quota allows",
       ("a burst of calls without backoff", "another workload shares the same quota"),
       ("retry with exponential backoff and jitter (boto3: retries mode 'adaptive')",
        "aws service-quotas request-service-quota-increase --service-code <service> "
        "--quota-code <code> --desired-value <n> --region {region}"),
       ("aws service-quotas list-service-quotas --service-code <service> --region {region}",),
       bedrock="on-demand model invocation exceeded the requests or tokens per minute quota "
               "(a cross-region inference profile spreads load)",
       bedrock_agentcore="invocations of the runtime or gateway exceeded its rate quota",
       dynamodb="control-plane calls (DescribeTable, UpdateTable...) exceeded their rate"),
    _e("ServiceQuotaExceededException",
       "creating the resource would exceed a service quota of the account",
       ("leftover resources from earlier deploys or test runs count against the quota",),
       ("delete unused resources, or request an increase in Service Quotas",),
       ("aws service-quotas list-service-quotas --service-code <service> --region {region}",)),
    _e("LimitExceededException",
       "a per-account or per-user limit of the service was reached",
       ("too many resources of one kind (the guides cite the number of Lambda functions)",),
       ("delete unused resources or request a quota increase; for per-user limits wait "
        "and retry later",),
       ("aws service-quotas list-service-quotas --service-code <service> --region {region}",),
       cognito_idp="too many attempts of an operation for this user (code requests, "
                   "password resets): wait before retrying"),
    _e("AccessDeniedException",
       "the caller is not allowed to perform the action on the resource",
       ("the IAM policy of the calling role lacks the action, or names another resource",
        "a permissions boundary, SCP or resource policy denies it"),
       ("grant the action on the resource to the calling role",),
       (GET_CALLER,
        "aws iam simulate-principal-policy --policy-source-arn <role-arn> --action-names <action>"),
       bedrock="access to this foundation model was not granted in the Bedrock console "
               "(Model access), or the role lacks bedrock:InvokeModel on the model ARN",
       bedrock_agentcore="the role lacks bedrock-agentcore permissions, or the gateway's "
                         "inbound authorizer rejected the token"),
    _e("AccessDenied",
       "the caller is not authorized to perform the action (IAM, bucket policy, KMS key "
       "policy or SCP)",
       ("the deploy or runtime identity lacks the permission (e.g. iam:CreateRole during a "
        "deploy)",),
       ("add the missing action to the identity's policy, scoped to the resource",),
       (GET_CALLER,)),
    _e("InternalFailure",
       "the service failed to process the request on its side",
       ("a transient AWS-side problem",),
       ("retry with backoff; if it persists check the AWS Health Dashboard",)),
    _e("InternalServerError",
       "the service hit an internal error (DynamoDB reports transient failures like this)",
       ("a transient AWS-side problem",),
       ("retry with backoff; if it persists check the AWS Health Dashboard",)),
    _e("InternalServerException",
       "the service hit an internal error while handling the request",
       ("a transient AWS-side problem",),
       ("retry with backoff; if it persists check the AWS Health Dashboard",)),
    _e("ServiceUnavailable",
       "the service is temporarily unable to handle the request",
       ("a transient AWS-side problem or a regional event",),
       ("retry with backoff; check the AWS Health Dashboard",)),
    _e("ServiceUnavailableException",
       "the service is temporarily unable to handle the request",
       ("a transient AWS-side problem or a regional event",),
       ("retry with backoff; check the AWS Health Dashboard",)),
    _e("ConflictException",
       "the resource is in a state that conflicts with the request (being created, "
       "updated or deleted, or already exists)",
       ("two deploys or scripts change the same resource at once",),
       ("wait until the resource is stable and retry; serialize deploys",)),
    # ----------------------------------------------------------------- Lambda
    _e("TooManyRequestsException",
       "the request was throttled: a concurrency or request-rate limit was reached",
       ("a traffic burst beyond the scaling rate", "other functions use up the account pool"),
       ("retry with backoff; raise the limit that is reached",),
       (f"aws lambda get-function-concurrency {FN}", "aws lambda get-account-settings --region {region}"),
       **{"lambda": "the account's concurrent executions are exhausted, or the function's "
                    "reserved concurrency is reached (reserved concurrency 0 throttles "
                    "every call)"},
       cognito_idp="the user pool's API request rate quota was exceeded",
       apigateway="the API Gateway management API rate was exceeded"),
    _e("ResourceConflictException",
       "the function is being created or updated, so another change cannot start yet, "
       "or the resource already exists",
       ("two deploy steps update code and configuration back to back without waiting",),
       (f"aws lambda wait function-updated-v2 {FN}   # then retry the change",),
       (f"aws lambda get-function-configuration {FN} --query '[State,LastUpdateStatus]'",)),
    _e("ResourceNotReadyException",
       "the function is not Active yet (Pending while its VPC network interfaces are "
       "created) or went Inactive after weeks without invocations",
       ("the function was just created or changed", "the function was idle for a long time"),
       (f"aws lambda wait function-active-v2 {FN}",),
       (f"aws lambda get-function-configuration {FN} --query '[State,StateReason]'",)),
    _e("InvalidParameterValueException",
       "a value in the function's configuration or the request is not valid",
       ("the execution role cannot be assumed by lambda.amazonaws.com (trust policy, or a "
        "role created seconds ago that IAM has not propagated yet)",
        "an unsupported runtime or handler, invalid subnets or security groups",
        "environment variables exceed 4 KB in total"),
       ("fix the value the message names, then redeploy",),
       (f"aws lambda get-function-configuration {FN}",)),
    _e("RequestEntityTooLargeException",
       "the payload or upload is larger than Lambda accepts (6 MB for a synchronous "
       "invocation, in either direction; much less for asynchronous ones; 50 MB for a "
       "zipped package uploaded directly)",
       ("the caller sends whole files in the event instead of references",
        "the deployment package is uploaded inline instead of from S3"),
       ("pass large data through S3 (presigned URLs, object keys in the event)",
        "upload packages to S3 and deploy with --s3-bucket/--s3-key, or use layers"),
       ()),
    _e("ServiceException",
       "Lambda hit an internal error while handling the request",
       ("a transient problem on the Lambda side",),
       ("retry with backoff; check the AWS Health Dashboard if it persists",),
       (f"aws lambda get-function {FN} --query Configuration.State",)),
    _e("CodeStorageExceededException",
       "the account's storage for function code and layers (75 GB by default) is full",
       ("every deploy publishes a new version and old versions are never deleted",),
       ("delete old versions: aws lambda delete-function --function-name {name} "
        "--qualifier <old-version> --region {region}",
        "or request a higher code storage quota"),
       (f"aws lambda list-versions-by-function {FN} --query 'Versions[].[Version,CodeSize]'",
        "aws lambda get-account-settings --region {region} --query AccountUsage")),
    # ----------------------------------------------------------------- Cognito
    _e("UserNotFoundException",
       "the user pool has no user with this username",
       ("the username or email is misspelt, or differs in case",
        "the user lives in another user pool (another stage)",
        "sign-in with an email alias that was never verified"),
       ("create the user, or sign in with the exact username",),
       (f"aws cognito-idp admin-get-user {POOL} --username <user>",)),
    _e("NotAuthorizedException",
       "Cognito refused the sign-in or token",
       ("a wrong password, or the user is disabled",
        "an expired or revoked refresh token",
        "the app client does not enable this auth flow (e.g. USER_PASSWORD_AUTH), or it "
        "has a secret and the request lacks SECRET_HASH",
        "with user existence errors prevented, an unknown user also gives this code"),
       ("reset the password or enable the user; enable the auth flow on the app client",),
       (f"aws cognito-idp admin-get-user {POOL} --username <user>",
        f"aws cognito-idp describe-user-pool-client {POOL} --client-id <client-id> "
        "--query 'UserPoolClient.ExplicitAuthFlows'")),
    _e("UserNotConfirmedException",
       "the user signed up but never entered the confirmation code",
       ("the verification email or SMS did not arrive (spam, SES sandbox limits)",),
       ("aws cognito-idp resend-confirmation-code --client-id <client-id> --username <user> "
        "--region {region}",
        f"aws cognito-idp admin-confirm-sign-up {POOL} --username <user>   # test users"),
       (f"aws cognito-idp admin-get-user {POOL} --username <user> --query UserStatus",)),
    _e("CodeMismatchException",
       "the verification or MFA code does not match the one Cognito expects",
       ("a typo, or an older code after a newer one was requested",),
       ("request a new code and use the latest one",)),
    _e("ExpiredCodeException",
       "the verification code is too old or was already used",
       ("sign-up codes last 24 hours and password reset codes 1 hour",),
       ("request a new code",)),
    _e("UsernameExistsException",
       "the username, or an email or phone alias, already belongs to a user in the pool",
       ("the user signed up before", "a test user from an earlier run was not cleaned up"),
       ("sign in instead, or delete the stale test user: aws cognito-idp admin-delete-user "
        "--user-pool-id <user-pool-id> --username <user> --region {region}",),
       (f"aws cognito-idp admin-get-user {POOL} --username <user>",)),
    _e("InvalidPasswordException",
       "the password does not satisfy the user pool's password policy",
       ("too short, or missing an uppercase letter, lowercase letter, number or symbol",
        "a password reused from the user's history"),
       ("choose a password that meets the policy; check it before calling Cognito",),
       (f"aws cognito-idp describe-user-pool {POOL} --query UserPool.Policies.PasswordPolicy",)),
    _e("PasswordResetRequiredException",
       "an administrator required the user to reset the password before signing in",
       ("the user was imported or reset by an administrator",),
       ("run the forgot-password flow for the user",)),
    # ----------------------------------------------------------------- Bedrock
    _e("ModelNotReadyException",
       "the model cannot serve requests yet (an imported model being loaded after idle "
       "time, or provisioned throughput not InService)",
       ("the first call after a period without traffic", "a provisioned model still creating"),
       ("retry after a short wait (the SDK retries a few times)",),
       ("aws bedrock list-provisioned-model-throughputs --region {region}",)),
    _e("ModelTimeoutException",
       "the model took too long to produce the answer",
       ("a very long prompt or a high max tokens setting",),
       ("shorten the input, lower max tokens, or use the streaming API",)),
    _e("ModelErrorException",
       "the model failed while processing the request",
       ("an input the model cannot handle",),
       ("read the message; retry, or change the input",)),
    # ----------------------------------------------------------------- deploy-time
    _e("BucketAlreadyExists",
       "S3 bucket names are global across all accounts, and another account owns this one",
       ("a generic bucket name, e.g. without an account or organisation prefix",),
       ("choose a unique name, e.g. prefix it with the account id",)),
    _e("BucketAlreadyOwnedByYou",
       "this account already owns a bucket with this name",
       ("a previous deploy created it and the deploy state lost track of it",),
       ("import the bucket into the deploy tool's state, or delete it if it is unused",)),
    _e("InsufficientS3BucketPolicyException",
       "CloudTrail cannot write to the bucket: its policy does not let "
       "cloudtrail.amazonaws.com read the bucket ACL and put objects under AWSLogs/",
       ("the bucket policy was never added, or names another bucket or prefix",),
       ("aws s3api put-bucket-policy --bucket <logs-bucket> --policy file://cloudtrail-policy.json",),
       ("aws s3api get-bucket-policy --bucket <logs-bucket>",)),
]))

_API = "aws apigateway get-stages --rest-api-id {api_id} --region {region}"
_LOGS = "aws logs tail /aws/lambda/<function> --since 15m --region {region}"
_TG = "aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region {region}"


def _s(status: int, meaning: str, causes: tuple[str, ...], fix: tuple[str, ...],
       diagnose: tuple[str, ...] = ()) -> tuple[int, ErrorInfo]:
    return status, ErrorInfo(str(status), meaning, causes, fix, diagnose)


HTTP_STATUSES: Mapping[int, ErrorInfo] = MappingProxyType(dict([
    _s(400, "the request was rejected as malformed",
       ("the body is not valid JSON, or misses fields the handler requires",
        "an API Gateway request validator or model rejected it before the integration ran",
        "the handler itself answered 400 after validating the input"),
       ("fix the request, or the validator/model if it rejects valid input",),
       ("curl -sv {url}", _LOGS)),
    _s(401, "the request carries no valid authentication",
       ("no Authorization header, or a Cognito JWT that expired or was issued by another "
        "user pool or app client",
        "a Lambda authorizer denied the token (it answered Unauthorized)"),
       ("refresh the token; check the authorizer's issuer and audience",),
       ("aws apigateway get-authorizers --rest-api-id {api_id} --region {region}",)),
    _s(403, "the request was refused",
       ("a WAF rule blocked it (WAF answers 403)",
        "an API Gateway resource policy, missing API key or IAM authorization denies it",
        "REST APIs answer 403 'Missing Authentication Token' for a path or method that "
        "does not exist",
        "a private API called from outside its VPC endpoint"),
       ("check the path first, then WAF, the resource policy and the caller's permissions",),
       ("curl -sv {url}",
        "aws wafv2 list-web-acls --scope REGIONAL --region {region}",
        "aws apigateway get-rest-api --rest-api-id {api_id} --region {region} --query policy")),
    _s(404, "nothing is served at this path",
       ("the route or stage is not deployed (a REST API needs a new deployment after changes)",
        "a custom domain's base path mapping points at another stage",
        "an ALB listener has no rule for the path and its default action answers 404",
        "the handler answered 404: the item it looks up is missing (e.g. not in DynamoDB)"),
       ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name <stage> "
        "--region {region}",),
       (_API, "aws apigateway get-resources --rest-api-id {api_id} --region {region}")),
    _s(408, "the server gave up waiting for the client to send the request",
       ("a slow or stalled client connection, or a large upload over a slow link",
        "an ALB or CloudFront closed a connection the client left idle"),
       ("check the client's network; upload large files straight to S3",)),
    _s(409, "the request conflicts with the current state of the resource",
       ("the item already exists (a handler maps ConditionalCheckFailedException to 409)",
        "a concurrent update won (optimistic locking)"),
       ("re-read the resource and retry, or treat the conflict as expected",),
       (_LOGS,)),
    _s(413, "the request body is larger than the service in front accepts",
       ("API Gateway accepts up to 10 MB, a synchronous Lambda invocation 6 MB, an ALB "
        "with a Lambda target 1 MB",),
       ("upload large content straight to S3 with a presigned URL",)),
    _s(429, "too many requests: a throttle or quota refused this one",
       ("API Gateway stage, method or usage plan throttling, or the usage plan quota is used up",
        "the account-level API Gateway request rate was exceeded",
        "the Lambda function behind it is throttled (its concurrency is exhausted)"),
       ("retry with backoff; raise the throttle or quota, or Lambda concurrency",),
       (_API + " --query 'item[].methodSettings'",
        "aws lambda get-account-settings --region {region}")),
    _s(500, "the backend failed while handling the request",
       ("the Lambda handler raised an exception, or answered statusCode 500",
        "API Gateway may not invoke the function (its resource policy lacks "
        "lambda:InvokeFunction for apigateway.amazonaws.com)",
        "a mapping template or integration setting is wrong"),
       ("read the function's logs and fix the error; grant API Gateway invoke permission "
        "with aws lambda add-permission",),
       (_LOGS, "aws lambda get-policy --function-name <function> --region {region}")),
    _s(502, "bad gateway: the proxy in front got no valid answer from its backend",
       ("API Gateway: the Lambda proxy response is malformed (it must be an object with "
        "statusCode, headers and a string body), or the function crashed",
        "ALB: the target closed the connection, crashed, or sent an invalid response; a "
        "target keep-alive timeout shorter than the ALB idle timeout causes it too",
        "ALB with a Lambda target: the function raised or returned malformed output"),
       ("make the handler return the proxy response shape; fix the crash the logs show",),
       (_LOGS, _TG)),
    _s(503, "service unavailable: nothing is ready to take the request",
       ("ALB: the target group has no registered or healthy targets (ECS tasks not "
        "running, failing health checks)",
        "ECS: the service's running count is 0 (tasks crash at start or cannot pull the image)",
        "a backend is overloaded or being deployed"),
       ("get the tasks running and healthy: aws ecs update-service --cluster <cluster> "
        "--service <service> --desired-count <n> --region {region}",),
       (_TG, "aws ecs describe-services --cluster <cluster> --services <service> --region {region} "
             "--query 'services[].[runningCount,desiredCount,events[0].message]'")),
    _s(504, "gateway timeout: the backend did not answer in time",
       ("API Gateway stops waiting after 29 seconds (REST default) or 30 seconds (HTTP API), "
        "even if the Lambda function may run longer",
        "ALB: the target did not answer within the idle timeout (60 seconds by default), "
        "or security groups let the ALB reach no target",
        "a function in a VPC waits on a resource it cannot reach (no NAT or VPC endpoint)"),
       ("make the request faster or asynchronous; raise the Lambda timeout only when it is "
        "the one ending the request",),
       (_LOGS, "aws lambda get-function-configuration --function-name <function> --region {region} "
               "--query Timeout")),
]))

def explain_error(code: str) -> Optional[ErrorInfo]:
    """What an AWS error code means, or None (a project's own codes are catalog hints:
    see :func:`codes_seen`)."""
    return AWS_ERRORS.get(code)


def explain_status(status: int) -> Optional[ErrorInfo]:
    """What an HTTP status means in an AWS stack, or None."""
    return HTTP_STATUSES.get(int(status))


def error_hint(code: str) -> Optional[Hint]:
    """The hint for a failed AWS call with ``code``: what the code means, with the note of
    the service that answered (every service's note when the call names none)."""
    info = AWS_ERRORS.get(code)
    if info is None:
        return None

    def hint(notes: tuple[str, ...]) -> Hint:
        return Hint("{operation} on {kind} {name} failed with {code}: {message}",
                    (f"{info.code} means: {info.meaning}", *notes, *info.causes),
                    info.diagnose or (GET_CALLER,), info.fix)

    if not info.services:
        return hint(())
    every = hint(info.service_notes())
    return ByService(every.title, every.causes, every.diagnose, every.fix,
                     services={s: hint((note,)) for s, note in info.services.items()})


def status_hint(status: int) -> Optional[Hint]:
    """A hint explaining an HTTP ``status`` answered by ``{url}``."""
    info = explain_status(status)
    if info is None:
        return None
    return Hint(f"HTTP {status} {_phrase(status)} from {{url}}: {info.meaning}",
                info.causes, info.diagnose, info.fix)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _code_hints() -> dict[str, Hint]:
    hints: dict[str, Hint] = {}
    for code in AWS_ERRORS:
        hints[code_key(code)] = error_hint(code)  # type: ignore[assignment]
    for status in HTTP_STATUSES:
        hints[f"{STATUS_PREFIX}{status}"] = status_hint(status)  # type: ignore[assignment]
    return hints


def code_key(code: str) -> str:
    """The catalog key of an AWS (or a project's own) error code: ``error.code.<code>``."""
    return CODE_PREFIX + code


#: Every AWS error code and HTTP status as a hint: ``error.code.<Code>``, ``http.status.<N>``.
ERROR_CODE_HINTS: Mapping[str, Hint] = MappingProxyType(_code_hints())


def error_hints() -> dict[str, Hint]:
    """The catalog entries of this module: failed calls, error codes, HTTP statuses."""
    return {**ERROR_HINTS, **ERROR_CODE_HINTS}


def own_code_keys(catalog: Mapping[str, Hint]) -> list[str]:
    """The ``error.code.*`` keys a project added or replaced (through the
    ``pytest_awshealth_hints`` hook): the codes looked for in what a failing check read."""
    return [key for key, hint in catalog.items()
            if key.startswith(CODE_PREFIX) and ERROR_CODE_HINTS.get(key) != hint]


def codes_seen(value: Any, keys: Iterable[str]) -> list[str]:
    """The ``error.code.<CODE>`` keys among ``keys`` whose code appears as a whole word in
    what a probe read: a string, strings in a collection, or a result's string fields (an
    HTTP body, a function error). This is how a project's own codes (see
    :func:`own_code_keys`) reach a failing check that saw them in a log line."""
    codes = {key[len(CODE_PREFIX):]: key for key in keys if key.startswith(CODE_PREFIX)}
    text = "\n".join(_texts(value))
    if not codes or not text:
        return []
    words = "|".join(re.escape(code) for code in sorted(codes, key=len, reverse=True))
    found = re.findall(rf"(?<![\w-])({words})(?![\w-])", text)
    return [codes[code] for code in dict.fromkeys(found)]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [item for item in value if isinstance(item, str)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [text for f in dataclasses.fields(value)
                if isinstance(text := getattr(value, f.name, None), str)]
    return []


def status_key(value: Any) -> Optional[str]:
    """``http.status.<N>`` for a probe value that is an HTTP answer (it has an
    ``http_status``, as :class:`~pytest_awshealth.resources.http.HttpResponse`)."""
    status = getattr(value, "http_status", None)
    return f"{STATUS_PREFIX}{status}" if isinstance(status, int) and status else None
