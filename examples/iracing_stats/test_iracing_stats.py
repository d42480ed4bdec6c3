"""iRacing Drivers Stats post-deploy gate: the troubleshooting guide's checks as pytest tests.

    cdk deploy --outputs-file cdk-outputs.json
    pytest --aws-outputs cdk-outputs.json examples/iracing_stats

Outputs are bound by their logical IDs without CDK's hash suffix ("ApiEndpoint" reads
"ApiEndpoint4F160690"). See CHECKS.md for which guide command each test stands for.
"""

import json
from datetime import timedelta

import pytest

FUNCTIONS = ["AuthFunctionName", "CustIdFunctionName", "DriversFunctionName"]
TABLES = ["AuthTableName", "DriversTableName"]
CALLERS = ["CustIdRoleArn", "DriversRoleArn"]  # roles of the functions that invoke ir-auth
ROUTES = {"AuthFunctionName": "POST/auth", "CustIdFunctionName": "GET/custid",
          "DriversFunctionName": "GET/drivers"}
CREDENTIAL_KEYS = {"client_id", "client_secret", "username", "password"}
REQUIRED_BOOTSTRAP = 6  # aws-cdk-lib templates reject bootstrap versions 1-5
MIN_TIMEOUT_S = 30  # the iRacing OAuth and data API calls need more than CDK's 3 s default
FORUM_ORIGIN = "https://forums.iracing.com"  # where the browser addon calls the API from


def credentials(secret) -> dict:
    """The OAuth secret as a dict ({} when it is not a JSON object)."""
    try:
        value = json.loads(secret.reveal().reveal())
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# -- deployment: CDK bootstrap and the stack


def test_aws_credentials_work(aws_identity):
    assert aws_identity.account


def test_cdk_bootstrapped(cdk_bootstrap):
    assert cdk_bootstrap.exists


def test_cdk_bootstrap_is_recent(cdk_bootstrap):
    assert cdk_bootstrap.version_at_least(REQUIRED_BOOTSTRAP)


def test_stack_deployed(aws, aws_outputs):
    stack = aws.cfn_stack(aws_outputs.resolve("ApiEndpoint").stack)  # the stack that wrote the file
    assert stack.healthy


# -- Lambda functions


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_active(lambda_fn):
    assert lambda_fn.status == "Active"


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_function_timeout(lambda_fn):
    assert lambda_fn.timeout_s >= MIN_TIMEOUT_S


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_duration_well_below_timeout(lambda_fn):
    assert lambda_fn.max_duration_ms() < 0.8 * lambda_fn.timeout_s * 1000


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_xray_tracing_active(lambda_fn):
    assert lambda_fn.tracing_mode == "Active"


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_recent_errors(lambda_fn):
    assert not lambda_fn.log_group.errors("ERROR", since=timedelta(minutes=15))


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_invocation_timeouts(lambda_fn):
    assert lambda_fn.log_group.no_lines_matching('"Task timed out"', minutes=60)


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_no_throughput_exceeded(lambda_fn):
    pattern = "ProvisionedThroughputExceededException"
    assert lambda_fn.log_group.no_lines_matching(pattern, minutes=60)


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_lambda_errors(lambda_fn):
    assert lambda_fn.errors(minutes=60) == 0


@pytest.mark.aws_output(lambda_fn=FUNCTIONS)
def test_lambda_throttles(lambda_fn):
    assert lambda_fn.throttles(minutes=60) == 0


@pytest.mark.aws_output(iam_role=CALLERS)
def test_caller_can_invoke_auth(iam_role, aws_outputs, aws_identity):
    auth = aws_outputs["AuthFunctionName"]
    assert iam_role.can("lambda:InvokeFunction",
                        f"arn:aws:lambda:{iam_role.region}:{aws_identity.account}:function:{auth}")


@pytest.mark.aws_output(lambda_fn=list(ROUTES))
def test_api_gateway_can_invoke(lambda_fn, aws_outputs, aws_identity):
    route = ROUTES[lambda_fn.output]
    source = (f"arn:aws:execute-api:{lambda_fn.region}:{aws_identity.account}:"
              f"{aws_outputs['RestApiId']}/prod/{route}")
    assert lambda_fn.allows_invoke_by("apigateway.amazonaws.com", source_arn=source)


# -- iRacing OAuth credentials (Secrets Manager)


@pytest.mark.aws_output(secret="OAuthSecretName")
def test_oauth_secret_exists(secret):
    assert secret.exists


@pytest.mark.aws_output(secret="OAuthSecretName")
def test_oauth_secret_not_deleted(secret):
    assert not secret.scheduled_for_deletion


@pytest.mark.aws_output(secret="OAuthSecretName")
def test_oauth_credentials_complete(secret):
    found = credentials(secret)
    assert CREDENTIAL_KEYS <= set(found), f"missing keys: {sorted(CREDENTIAL_KEYS - set(found))}"
    assert "@" in found["username"]  # iRacing logs in with the account's email address


@pytest.mark.aws_output(iam_role="AuthRoleArn")
def test_auth_role_can_read_secret(iam_role, aws_outputs):
    assert iam_role.can("secretsmanager:GetSecretValue", aws_outputs["OAuthSecretArn"])


@pytest.mark.aws_output(lambda_fn=FUNCTIONS, secret="OAuthSecretName")
def test_credentials_not_logged(lambda_fn, secret):
    values = [v for v in credentials(secret).values() if isinstance(v, str) and len(v) >= 4]
    for value in values or [secret.reveal().reveal()]:
        assert lambda_fn.log_group.value_absent(value, minutes=60)


# -- DynamoDB tables


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_ttl(dynamo_table):
    assert dynamo_table.ttl_enabled
    assert dynamo_table.ttl_attribute == "ttl"  # the attribute the functions write


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_on_demand(dynamo_table):
    assert dynamo_table.billing_mode == "PAY_PER_REQUEST"


@pytest.mark.aws_output(dynamo_table=TABLES)
def test_table_not_throttled(dynamo_table):
    assert dynamo_table.throttled_requests(minutes=60) == 0


# -- API Gateway


@pytest.mark.aws_output(http_endpoint="ApiEndpoint")
def test_api_health(http_endpoint):
    check = http_endpoint.json_ok("/health")
    assert check, check.problem


@pytest.mark.aws_output(http_endpoint="ApiEndpoint")
def test_api_cors_preflight(http_endpoint):
    check = http_endpoint.cors_allows(FORUM_ORIGIN, "/drivers", "GET")
    assert check, check.problem


def test_api_no_5xx_errors(aws, aws_outputs):
    metrics = aws.cloudwatch(aws_outputs["RestApiName"])
    assert metrics.metric_sum("AWS/ApiGateway", "5XXError",
                              {"ApiName": aws_outputs["RestApiName"], "Stage": "prod"}) == 0
