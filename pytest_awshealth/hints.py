"""The built-in hint catalog: one ``HINTS`` dict per resource module plus AWS error codes."""

from __future__ import annotations

from .remediation import Hint

RESOURCE_MODULES = ("athena", "awslambda", "dynamodb", "events", "glue", "http", "logs", "s3",
                    "secrets", "sts")

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

ERROR_HINTS = {
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
        "AWS endpoint {endpoint} did not answer {operation} in time (connect timeout "
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


def error_key(code: str) -> str:
    """The catalog key for an AWS error code."""
    if code in ACCESS_DENIED:
        return "error.access_denied"
    if code in CREDENTIALS:
        return "error.credentials"
    if code in THROTTLING:
        return "error.throttling"
    return "error.generic"


def builtin_hints() -> dict[str, Hint]:
    """All hints shipped with the plugin."""
    from .resources import resource_hints

    return {**ERROR_HINTS, **resource_hints()}

