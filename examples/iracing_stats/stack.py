"""iRacing Drivers Stats (CDK): a REST API in front of three Lambdas, two TTL tables, the
iRacing OAuth credentials in Secrets Manager, and the CDK bootstrap stack.

How the states are produced on the emulator:

- CDK bootstrap: a ``CDKToolkit`` CloudFormation stack whose SSM parameter
  ``/cdk-bootstrap/hnb659fds/version`` and ``BootstrapVersion`` output hold the version
  (moto drops ``Fn::GetAtt`` outputs of SSM parameters, so the output is a literal); the
  ``bootstrap`` break's old stack has the parameter only, so the check reads SSM.
- The app stack ``IRacingStatsStack-prod``: a CloudFormation stack with the function log
  groups and the outputs CDK writes; the functions, tables, roles, secret and API are
  created with boto3 (moto's CloudFormation cannot create most of them). An
  UPDATE_ROLLBACK_COMPLETE stack and its failed resource event are written into moto's
  CloudFormation backend (moto never rolls back).
- The API: moto holds the REST API (resources, methods, the ``prod`` stage) so its id is
  real, but does not serve invoke URLs; the ``HttpStub`` stands in at ``<stub>/prod``.
- Lambda and DynamoDB metrics (Errors, Throttles, ThrottledRequests, API 5XXError) are
  datapoints written with ``put_metric_data`` (moto publishes no AWS/* metrics itself).
- IAM decisions come from the Emulator's ``SimulatePrincipalPolicy`` middleware.
- Breaks use real API calls where moto has them (delete-secret with a recovery window,
  delete-role-policy, remove-permission, update-table, update-time-to-live,
  update-function-configuration, a CDKToolkit re-created at version 5); the API's broken
  answers (/health 500, a 403 preflight, a 500 route) are HttpStub routes, and the log
  lines and metrics a failure leaves are written as above.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pytest_awshealth.emulator.stacks import (
    Break,
    Deployment,
    Stack,
    cdk_outputs,
    create_function,
    lambda_role,
    log_recent,
    put_datapoint,
    roll_back_stack,
)

ACCOUNT, REGION, STAGE = "123456789012", "us-east-1", "prod"
STACK_NAME = "IRacingStatsStack-prod"
FUNCTIONS = {"auth": "ir-auth-prod", "custid": "ir-custid-prod", "drivers": "ir-drivers-prod"}
ROLES = {"auth": "ir-auth-role", "custid": "ir-custid-role", "drivers": "ir-drivers-role"}
TABLES = {"auth": "ir_auth", "drivers": "ir_drivers"}
SECRET = "iRacing/OAuth/Credentials"
API_NAME = "ir-stats-api-prod"
#: API route -> (method, function key); /health runs the auth function's health check
ROUTES = {"auth": ("POST", "auth"), "custid": ("GET", "custid"), "drivers": ("GET", "drivers"),
          "health": ("GET", "auth")}
CREDENTIALS = {"client_id": "forum-stats-addon", "client_secret": "fsa_7Qm2xK9vT4pLw8Rn3Zc6",
               "username": "stats-bot@racing-club.example", "password": "Pit-Lane-Limiter-42"}
BOOTSTRAP_VERSION = 21
LOGICAL_IDS = {
    "api_url": "ApiEndpoint4F160690", "api_id": "RestApiId8C2E5A41",
    "api_name": "RestApiName27B9D0E3",
    "auth_fn": "AuthFunctionNameB7A1C3D2", "custid_fn": "CustIdFunctionName5E9F0A14",
    "drivers_fn": "DriversFunctionName0D6C8B27",
    "auth_table": "AuthTableName9A3F7E15", "drivers_table": "DriversTableNameC41B2D86",
    "secret_name": "OAuthSecretName62E0F9A3", "secret_arn": "OAuthSecretArn3F8D1B6C",
    "auth_role": "AuthRoleArnE5D41C07", "custid_role": "CustIdRoleArn7B2A9F58",
    "drivers_role": "DriversRoleArn14C6E3DA",
}
ALLOW_ORIGIN = {"Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Methods": "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD",
                "Access-Control-Allow-Headers": "Content-Type,Authorization"}


def function_arn(key: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTIONS[key]}"


def _policy(*statements: tuple[list[str], list[str]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": resources}
        for actions, resources in statements]})


def _table_arn(key: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLES[key]}"


SECRET_ARN_PATTERN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{SECRET}-*"
ROLE_POLICIES: Mapping[str, Mapping[str, str]] = {
    "auth": {"SecretsManagerPolicy": _policy((["secretsmanager:GetSecretValue"],
                                              [SECRET_ARN_PATTERN])),
             "DynamoDBPolicy": _policy((["dynamodb:GetItem", "dynamodb:PutItem"],
                                        [_table_arn("auth")]))},
    "custid": {"InvokeAuthPolicy": _policy((["lambda:InvokeFunction"], [function_arn("auth")]))},
    "drivers": {"InvokeAuthPolicy": _policy((["lambda:InvokeFunction"], [function_arn("auth")])),
                "DynamoDBPolicy": _policy((["dynamodb:GetItem", "dynamodb:PutItem",
                                            "dynamodb:BatchWriteItem"], [_table_arn("drivers")]))},
}


# --------------------------------------------------------------------------- provisioning


def provision(d: Deployment) -> None:
    _bootstrap(d, BOOTSTRAP_VERSION)
    d.names["secret_arn"] = d.client("secretsmanager").create_secret(
        Name=SECRET, Description="iRacing OAuth 2.1 client and account credentials",
        SecretString=json.dumps(CREDENTIALS))["ARN"]
    for key, table in TABLES.items():
        _table(d, table, "username" if key == "auth" else "id")
    _api(d)
    _app_stack(d)
    _roles(d)
    _functions(d)
    _api_permissions(d)
    _stub_routes(d)
    _healthy_metrics(d)


def _bootstrap(d: Deployment, version: int, *, output: bool = True) -> None:
    template: dict[str, Any] = {
        "Description": ("This stack includes resources needed to deploy AWS CDK apps into "
                        "this environment"),
        "Resources": {"CdkBootstrapVersion": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Name": "/cdk-bootstrap/hnb659fds/version", "Value": str(version)}}}}
    if output:
        template["Outputs"] = {"BootstrapVersion": {
            "Value": str(version), "Description": "The version of the bootstrap resources"}}
    d.client("cloudformation").create_stack(StackName="CDKToolkit",
                                            TemplateBody=json.dumps(template))


def _table(d: Deployment, name: str, key: str) -> None:
    dynamodb = d.client("dynamodb")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "ttl"})


def _api(d: Deployment) -> None:
    apigateway = d.client("apigateway")
    api = apigateway.create_rest_api(name=API_NAME, description="iRacing forum drivers stats API",
                                     endpointConfiguration={"types": ["REGIONAL"]})
    d.names["api_id"] = api_id = api["id"]
    root = next(r["id"] for r in apigateway.get_resources(restApiId=api_id)["items"]
                if r["path"] == "/")
    for path, (method, key) in ROUTES.items():
        resource = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart=path)["id"]
        for verb in (method, "OPTIONS"):
            apigateway.put_method(restApiId=api_id, resourceId=resource, httpMethod=verb,
                                  authorizationType="NONE")
        apigateway.put_integration(
            restApiId=api_id, resourceId=resource, httpMethod=method, type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
                f"{function_arn(key)}/invocations")
        apigateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod="OPTIONS",
                                   type="MOCK")
    apigateway.create_deployment(restApiId=api_id, stageName=STAGE,
                                 description="Production stage")


def _app_stack(d: Deployment) -> None:
    """The CDK app's stack: the function log groups (logRetention) and its outputs."""
    resources = {f"{key.capitalize()}FunctionLogGroup{suffix}": {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": f"/aws/lambda/{name}", "RetentionInDays": 30}}
        for (key, name), suffix in zip(FUNCTIONS.items(), ("6A1D2E34", "B0C9F872", "3E5A7D19"))}
    template = {"Description": "iRacing Forum Browser Addon Drivers Stats (prod)",
                "Resources": resources,
                "Outputs": {key: {"Value": str(value)}
                            for key, value in outputs(d)[STACK_NAME].items()}}
    d.client("cloudformation").create_stack(StackName=STACK_NAME, TemplateBody=json.dumps(template),
                                            Capabilities=["CAPABILITY_IAM"])


def _roles(d: Deployment) -> None:
    iam = d.client("iam")
    for key, role in ROLES.items():
        d.names[f"{key}_role_arn"] = lambda_role(d, role)
        for name, document in ROLE_POLICIES[key].items():
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)


def _functions(d: Deployment) -> None:
    env = {"auth": {"SECRET_ID": SECRET, "AUTH_TABLE": TABLES["auth"], "ENVIRONMENT": STAGE},
           "custid": {"AUTH_FUNCTION": FUNCTIONS["auth"], "ENVIRONMENT": STAGE},
           "drivers": {"AUTH_FUNCTION": FUNCTIONS["auth"], "DRIVERS_TABLE": TABLES["drivers"],
                       "ENVIRONMENT": STAGE}}
    masked = f"{CREDENTIALS['client_id'][:2]}{'*' * 13}{CREDENTIALS['client_id'][-2:]}"
    lines = {"auth": (f"[INFO] Using client_id: {masked}",
                      "[INFO] Access token refreshed; expires in 600 s"),
             "custid": ("[INFO] Resolved 3 customer ids from forum names",),
             "drivers": ("[INFO] Served stats for 3 drivers (2 from cache)",)}
    for key, name in FUNCTIONS.items():
        create_function(d, name, d.names[f"{key}_role_arn"], Timeout=60, MemorySize=256,
                        TracingConfig={"Mode": "Active"},
                        Environment={"Variables": env[key]})
        log_recent(d, f"/aws/lambda/{name}", "START RequestId: 1f0c6a52 Version: $LATEST",
                   *lines[key], "END RequestId: 1f0c6a52")


def _api_permissions(d: Deployment) -> None:
    """What CDK's LambdaIntegration adds: the stage's route and the console's test-invoke."""
    for path, (method, key) in ROUTES.items():
        for stage in (STAGE, "test-invoke-stage"):
            d.client("lambda").add_permission(
                FunctionName=FUNCTIONS[key],
                StatementId=f"ApiPermission{path}{stage}".replace("-", ""),
                Action="lambda:InvokeFunction", Principal="apigateway.amazonaws.com",
                SourceArn=api_source_arn(d, method, path, stage))


def api_source_arn(d: Deployment, method: str, path: str, stage: str = STAGE) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{d.names['api_id']}/{stage}/{method}/{path}"


def _stub_routes(d: Deployment) -> None:
    d.api.route(f"/{STAGE}/health", 200, {"status": "healthy"})
    d.api.route(f"/{STAGE}/drivers", 200, {"drivers": []}, headers=ALLOW_ORIGIN, method="GET")
    d.api.route(f"/{STAGE}/drivers", 204, "", headers=ALLOW_ORIGIN, method="OPTIONS")
    d.api.route(f"/{STAGE}/custid", 200, {"custids": {}}, headers=ALLOW_ORIGIN, method="GET")


def _healthy_metrics(d: Deployment) -> None:
    for name in FUNCTIONS.values():
        for metric_name, value in (("Invocations", 42), ("Errors", 0), ("Throttles", 0)):
            put_datapoint(d, "AWS/Lambda", metric_name, {"FunctionName": name}, value)
    api = {"ApiName": API_NAME, "Stage": STAGE}
    for metric_name, value in (("Count", 120), ("4XXError", 6), ("5XXError", 0)):
        put_datapoint(d, "AWS/ApiGateway", metric_name, api, value)


# --------------------------------------------------------------------------- outputs


def outputs(d: Deployment) -> dict[str, Any]:
    ids = LOGICAL_IDS
    return cdk_outputs({STACK_NAME: {
        ids["api_url"]: f"{d.api.url}/{STAGE}/", ids["api_id"]: d.names["api_id"],
        ids["api_name"]: API_NAME,
        ids["auth_fn"]: FUNCTIONS["auth"], ids["custid_fn"]: FUNCTIONS["custid"],
        ids["drivers_fn"]: FUNCTIONS["drivers"],
        ids["auth_table"]: TABLES["auth"], ids["drivers_table"]: TABLES["drivers"],
        ids["secret_name"]: SECRET, ids["secret_arn"]: d.names["secret_arn"],
        ids["auth_role"]: f"arn:aws:iam::{ACCOUNT}:role/{ROLES['auth']}",
        ids["custid_role"]: f"arn:aws:iam::{ACCOUNT}:role/{ROLES['custid']}",
        ids["drivers_role"]: f"arn:aws:iam::{ACCOUNT}:role/{ROLES['drivers']}",
    }})


# --------------------------------------------------------------------------- breaks


def _old_bootstrap(d: Deployment) -> None:
    cloudformation = d.client("cloudformation")
    cloudformation.delete_stack(StackName="CDKToolkit")
    _bootstrap(d, 5, output=False)  # an old template: the version is in SSM only


TOO_LARGE = ('Resource handler returned message: "Unzipped size must be smaller than 262144000 '
             'bytes (Service: Lambda, Status Code: 400)" (HandlerErrorCode: InvalidRequest)')


def _rolled_back(d: Deployment) -> None:
    """The last ``cdk deploy`` failed on the drivers function and was rolled back."""
    roll_back_stack(d, STACK_NAME, "DriversFunction0D6C8B27", "AWS::Lambda::Function", TOO_LARGE,
                    physical_id=FUNCTIONS["drivers"])


def _secret_deleted(d: Deployment) -> None:
    d.client("secretsmanager").delete_secret(SecretId=SECRET, RecoveryWindowInDays=7)
    d.api.route(f"/{STAGE}/health", 500, {
        "status": "unhealthy", "error": "An error occurred (InvalidRequestException) when calling "
        "the GetSecretValue operation: You can't perform this operation on the secret because "
        "it was marked for deletion."})


def _secret_placeholder(d: Deployment) -> None:
    """The value CDK generated on create was never replaced by the real credentials."""
    d.client("secretsmanager").put_secret_value(
        SecretId=SECRET, SecretString="q;Z`Qh0^v8X]JwXy5m#n2Ld!Rk7sPe4T")


def _secret_policy_removed(d: Deployment) -> None:
    d.client("iam").delete_role_policy(RoleName=ROLES["auth"], PolicyName="SecretsManagerPolicy")
    log_recent(d, f"/aws/lambda/{FUNCTIONS['auth']}",
               "[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the "
               f"GetSecretValue operation: User: arn:aws:sts::{ACCOUNT}:assumed-role/"
               f"{ROLES['auth']}/{FUNCTIONS['auth']} is not authorized to perform: "
               f"secretsmanager:GetSecretValue on resource: {SECRET}", minutes_ago=1)


def _invoke_grant_removed(d: Deployment) -> None:
    d.client("iam").delete_role_policy(RoleName=ROLES["drivers"], PolicyName="InvokeAuthPolicy")
    log_recent(d, f"/aws/lambda/{FUNCTIONS['drivers']}",
               "[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the "
               f"Invoke operation: User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLES['drivers']}/"
               f"{FUNCTIONS['drivers']} is not authorized to perform: lambda:InvokeFunction on "
               f"resource: {function_arn('auth')}", minutes_ago=1)


def _api_permission_removed(d: Deployment) -> None:
    d.client("lambda").remove_permission(FunctionName=FUNCTIONS["custid"],
                                         StatementId=f"ApiPermissioncustid{STAGE}")
    d.api.route(f"/{STAGE}/custid", 500, {"message": "Internal server error"}, method="GET")
    put_datapoint(d, "AWS/ApiGateway", "5XXError", {"ApiName": API_NAME, "Stage": STAGE}, 17,
           minutes_ago=1)


def _ttl_disabled(d: Deployment) -> None:
    d.client("dynamodb").update_time_to_live(TableName=TABLES["auth"], TimeToLiveSpecification={
        "Enabled": False, "AttributeName": "ttl"})


def _throttled(d: Deployment) -> None:
    """Someone switched the drivers cache to provisioned 1/1 and the addon's bursts throttle."""
    d.client("dynamodb").update_table(
        TableName=TABLES["drivers"], BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    for operation, value in (("PutItem", 31), ("GetItem", 6)):
        put_datapoint(d, "AWS/DynamoDB", "ThrottledRequests",
               {"TableName": TABLES["drivers"], "Operation": operation}, value, minutes_ago=1)
    log_recent(d, f"/aws/lambda/{FUNCTIONS['drivers']}",
               "[ERROR] Failed to cache driver stats: An error occurred "
               "(ProvisionedThroughputExceededException) when calling the PutItem operation: The "
               "level of configured provisioned throughput for the table was exceeded. Consider "
               "increasing your provisioning level with the UpdateTable API.", minutes_ago=1)


def _timeouts(d: Deployment) -> None:
    """A deploy reset the auth function to CDK's default 3 s: OAuth calls time out."""
    d.client("lambda").update_function_configuration(FunctionName=FUNCTIONS["auth"], Timeout=3)
    log_recent(d, f"/aws/lambda/{FUNCTIONS['auth']}", "START RequestId: 8e21d0c4 Version: $LATEST",
               "2026-01-01T12:00:03.012Z 8e21d0c4 Task timed out after 3.00 seconds",
               "END RequestId: 8e21d0c4", minutes_ago=1)
    put_datapoint(d, "AWS/Lambda", "Errors", {"FunctionName": FUNCTIONS["auth"]}, 4, minutes_ago=1)


def _credentials_logged(d: Deployment) -> None:
    c = CREDENTIALS
    log_recent(d, f"/aws/lambda/{FUNCTIONS['auth']}",
               "[DEBUG] POST https://oauth.iracing.com/oauth2/token "
               f"grant_type=password_limited&client_id={c['client_id']}"
               f"&client_secret={c['client_secret']}&username={c['username']}", minutes_ago=1)


def _cors_missing(d: Deployment) -> None:
    d.api.route(f"/{STAGE}/drivers", 403, {"message": "Missing Authentication Token"},
                method="OPTIONS")


FN = "test_{}[{}]".format
EVERY_FUNCTION = ("AuthFunctionName", "CustIdFunctionName", "DriversFunctionName")
BREAKS = {
    "bootstrap": Break(
        "CDK bootstrap stack is version 5 (the app needs 6 or newer)", _old_bootstrap,
        ("test_cdk_bootstrap_is_recent",),
        ("CDK bootstrap stack CDKToolkit in us-east-1 is version 5, the app needs 6",
         "*cdk bootstrap aws://123456789012/us-east-1*")),
    "rollback": Break(
        "last cdk deploy failed (Lambda package too large) and rolled back", _rolled_back,
        ("test_stack_deployed",),
        (f"CloudFormation stack {STACK_NAME} in us-east-1 is UPDATE_ROLLBACK_COMPLETE*",
         ("*first failure: DriversFunction0D6C8B27 (AWS::Lambda::Function) UPDATE_FAILED*"
          "Unzipped size must be smaller than 262144000 bytes*"),
         f"*cdk deploy {STACK_NAME}*")),
    "secret": Break(
        "OAuth credentials secret scheduled for deletion", _secret_deleted,
        ("test_oauth_secret_not_deleted", "test_oauth_credentials_complete",
         *(FN("credentials_not_logged", f) for f in EVERY_FUNCTION), "test_api_health"),
        (f"Secrets Manager secret {SECRET} in us-east-1 is scheduled for deletion*",
         f"*aws secretsmanager restore-secret --secret-id {SECRET} --region us-east-1")),
    "placeholder": Break(
        "OAuth secret still holds the value CDK generated, not the credentials",
        _secret_placeholder, ("test_oauth_credentials_complete",),
        (f"Secrets Manager secret {SECRET} in us-east-1 has an empty or unreadable value",
         f"*aws secretsmanager put-secret-value --secret-id {SECRET} *--region us-east-1")),
    "secret-iam": Break(
        "SecretsManagerPolicy removed from the auth function's role", _secret_policy_removed,
        ("test_auth_role_can_read_secret", FN("no_recent_errors", "AuthFunctionName")),
        ((f"IAM role ir-auth-role may not perform secretsmanager:GetSecretValue on "
         f"{SECRET_ARN_PATTERN} (implicitDeny)"),
         "*aws iam put-role-policy --role-name ir-auth-role *")),
    "invoke-iam": Break(
        "drivers function's role may no longer invoke the auth function", _invoke_grant_removed,
        (FN("caller_can_invoke_auth", "DriversRoleArn"),
         FN("no_recent_errors", "DriversFunctionName")),
        ((f"IAM role ir-drivers-role may not perform lambda:InvokeFunction on "
         f"{function_arn('auth')} (implicitDeny)"),
         "*aws iam put-role-policy --role-name ir-drivers-role *")),
    "api-perm": Break(
        "API Gateway's invoke permission removed from the custid function",
        _api_permission_removed,
        (FN("api_gateway_can_invoke", "CustIdFunctionName"), "test_api_no_5xx_errors"),
        (("Lambda function ir-custid-prod in us-east-1 does not allow apigateway.amazonaws.com "
         "to invoke it"),
         ("*aws lambda add-permission --function-name ir-custid-prod --region us-east-1 *"
          "--principal apigateway.amazonaws.com "
          "--source-arn arn:aws:execute-api:us-east-1:123456789012:*/prod/GET/custid"))),
    "ttl": Break(
        "TTL disabled on the token table", _ttl_disabled, (FN("table_ttl", "AuthTableName"),),
        ("DynamoDB table ir_auth in us-east-1 does not have TTL enabled",
         ("*aws dynamodb update-time-to-live --table-name ir_auth --region us-east-1 *"
         "AttributeName=ttl*"))),
    "throttling": Break(
        "drivers table switched to provisioned 1 RCU/1 WCU and throttled", _throttled,
        (FN("table_on_demand", "DriversTableName"), FN("table_not_throttled", "DriversTableName"),
         FN("no_recent_errors", "DriversFunctionName"),
         FN("no_throughput_exceeded", "DriversFunctionName")),
        (("DynamoDB table ir_drivers in us-east-1 was throttled (ThrottledRequests: 37) "
         "in the last 60 min"),
         ("*aws dynamodb update-table --table-name ir_drivers --region us-east-1 "
         "--billing-mode PAY_PER_REQUEST"))),
    "timeouts": Break(
        "auth function timeout back at 3 s: OAuth calls time out", _timeouts,
        (FN("function_timeout", "AuthFunctionName"),
         FN("no_invocation_timeouts", "AuthFunctionName"), FN("lambda_errors", "AuthFunctionName")),
        ('Log group /aws/lambda/ir-auth-prod in us-east-1 has lines matching "Task timed out"*',
         "Lambda function ir-auth-prod in us-east-1 reported 4 errors in the last 60 min",
         ("*aws lambda update-function-configuration --function-name ir-auth-prod "
         "--region us-east-1 --timeout *"))),
    "leak": Break(
        "auth function logs the OAuth client secret (DEBUG request dump)", _credentials_logged,
        (FN("credentials_not_logged", "AuthFunctionName"),),
        (("Log group /aws/lambda/ir-auth-prod in us-east-1 contains a value that must never "
         "be logged*"),
         "*rotate the exposed secret now*")),
    "cors": Break(
        "API has no OPTIONS method on /drivers: browsers refuse the addon's calls", _cors_missing,
        ("test_api_cors_preflight",),
        (("http://127.0.0.1:*/prod/drivers does not allow cross-origin GET requests from "
         "https://forums.iracing.com: the preflight answered 403, not 2xx"),
         ("*curl -s -i -X OPTIONS http://127.0.0.1:*/prod/drivers "
         "-H 'Origin: https://forums.iracing.com'*"))),
}

STACK = Stack("iracing_stats", "cdk-outputs.json", provision, outputs, BREAKS)
