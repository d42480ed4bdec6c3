"""IAM permission probes (with the Emulator's policy simulator) and the error catalogs."""

from __future__ import annotations

import json
import re

import pytest

from pytest_awshealth.emulator.iam_simulator import glob_match, statements_of
from pytest_awshealth.errors import AwsCallError
from pytest_awshealth.plugin import builtin_catalog
from pytest_awshealth.remediation import codes
from pytest_awshealth.resources.iam import IamRole, context_entries

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action, resource) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def make_role(emu, name: str = "app-role", path: str = "/") -> str:
    iam = emu.client("iam")
    return iam.create_role(RoleName=name, Path=path,
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]


def run(pytester, outputs: dict, body: str):
    (pytester.path / "outputs.json").write_text(json.dumps(outputs))
    pytester.makepyfile(body)
    return pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")


# --------------------------------------------------------------------------- simulator


def test_simulator_answers_in_botocore_shape(aws_env) -> None:
    arn = make_role(aws_env)
    iam = aws_env.client("iam")
    iam.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=policy(
        {**allow("s3:Get*", "arn:aws:s3:::b/*"),
         "Condition": {"Bool": {"aws:SecureTransport": "true"}}}))
    managed = iam.create_policy(PolicyName="guard", PolicyDocument=policy(
        deny("s3:DeleteObject", "*"), allow("dynamodb:*", "*")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app-role", PolicyArn=managed)
    answer = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage",
                                          "DynamoDB:getitem"],
        ResourceArns=["arn:aws:s3:::b/key"])
    assert answer["IsTruncated"] is False
    results = {r["EvalActionName"]: r for r in answer["EvaluationResults"]}
    assert {a: r["EvalDecision"] for a, r in results.items()} == {
        "s3:GetObject": "allowed", "s3:DeleteObject": "explicitDeny",
        "sqs:SendMessage": "implicitDeny", "DynamoDB:getitem": "allowed"}
    assert results["s3:GetObject"]["EvalResourceName"] == "arn:aws:s3:::b/key"
    assert results["s3:GetObject"]["MatchedStatements"] == [
        {"SourcePolicyId": "read", "SourcePolicyType": "role"}]
    assert results["s3:GetObject"]["MissingContextValues"] == ["aws:SecureTransport"]
    assert results["s3:DeleteObject"]["MatchedStatements"] == [
        {"SourcePolicyId": "guard", "SourcePolicyType": "user-managed"}]


def test_simulator_boundary_users_groups_and_errors(aws_env) -> None:
    iam = aws_env.client("iam")
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=policy(
        allow("s3:*", "*")))["Policy"]["Arn"]
    arn = iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps(TRUST),
                          PermissionsBoundary=boundary)["Role"]["Arn"]
    iam.put_role_policy(RoleName="bounded", PolicyName="all", PolicyDocument=policy(
        allow("*", "*")))
    results = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:ListBucket", "sqs:SendMessage"])["EvaluationResults"]
    assert [(r["EvalDecision"], r["PermissionsBoundaryDecisionDetail"]) for r in results] == [
        ("allowed", {"AllowedByPermissionsBoundary": True}),
        ("implicitDeny", {"AllowedByPermissionsBoundary": False})]
    iam.create_user(UserName="ci")
    iam.create_group(GroupName="readers")
    iam.add_user_to_group(GroupName="readers", UserName="ci")
    iam.put_group_policy(GroupName="readers", PolicyName="r", PolicyDocument=policy(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))
    user_arn = iam.get_user(UserName="ci")["User"]["Arn"]
    results = iam.simulate_principal_policy(
        PolicySourceArn=user_arn, ActionNames=["logs:GetLogEvents", "iam:CreateRole"])
    assert [r["EvalDecision"] for r in results["EvaluationResults"]] == [
        "allowed", "implicitDeny"]
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.simulate_principal_policy(PolicySourceArn=arn.replace("bounded", "gone"),
                                      ActionNames=["s3:GetObject"])
    with pytest.raises(iam.exceptions.InvalidInputException):
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:s3:::some-bucket-name", ActionNames=["s3:*"])


def test_glob_and_statement_parsing() -> None:
    assert glob_match("s3:Get*", "S3:GETOBJECT", ignore_case=True)
    assert not glob_match("arn:aws:s3:::b/*", "arn:aws:s3:::B/k")
    assert glob_match("arn:aws:s3:::b?/[x]", "arn:aws:s3:::b1/[x]")
    assert not glob_match("arn:aws:s3:::b", "arn:aws:s3:::b/k")
    (statement,) = statements_of({"Statement": {"Effect": "Allow", "NotResource": "x",
                                                "Action": ["a:*"]}}, "p", "role")
    assert statement.matches("a:b", "y") and not statement.matches("a:b", "x")


# --------------------------------------------------------------------------- IamRole


def test_role_handle_accepts_names_and_arns(aws_env, monkeypatch) -> None:
    arn = make_role(aws_env, "svc-role", path="/service/")
    by_arn = IamRole(arn)
    assert by_arn.name == "svc-role" and by_arn.arn == arn
    assert IamRole("svc-role").arn == arn
    assert IamRole("arn:aws:sts::123456789012:assumed-role/svc-role/session").arn == arn
    assert IamRole("svc-role").exists and not IamRole("other").exists
    assert IamRole("svc-role").healthy and not IamRole("other").healthy
    aws_env.client("iam").put_role_policy(RoleName="svc-role", PolicyName="inline",
                                          PolicyDocument=policy(allow("s3:GetObject", "*")))
    managed = aws_env.client("iam").create_policy(
        PolicyName="read", PolicyDocument=policy(allow("s3:GetObject", "*")))["Policy"]["Arn"]
    aws_env.client("iam").attach_role_policy(RoleName="svc-role", PolicyArn=managed)
    assert IamRole("svc-role").inline_policy_names == ["inline"]
    assert IamRole(arn).attached_policy_arns == [managed]
    assert IamRole("svc-role").trusts("lambda.amazonaws.com")
    assert not IamRole("svc-role").trusts("ecs-tasks.amazonaws.com")


def test_context_entries() -> None:
    assert context_entries({"aws:SourceIp": "10.0.0.1", "aws:MultiFactorAuthPresent": True,
                            "s3:max-keys": 10, "aws:TagKeys": ["a", "b"]}) == [
        {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.0.0.1"],
         "ContextKeyType": "string"},
        {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"],
         "ContextKeyType": "boolean"},
        {"ContextKeyName": "s3:max-keys", "ContextKeyValues": ["10"], "ContextKeyType": "numeric"},
        {"ContextKeyName": "aws:TagKeys", "ContextKeyValues": ["a", "b"],
         "ContextKeyType": "stringList"}]


def test_role_can_allowed_and_implicitly_denied(pytester, aws_env) -> None:
    arn = make_role(aws_env)
    aws_env.client("iam").put_role_policy(
        RoleName="app-role", PolicyName="read-b",
        PolicyDocument=policy(allow("s3:GetObject", "arn:aws:s3:::b/*")))
    result = run(pytester, {"role": arn}, """
        import pytest
        @pytest.mark.aws_output(iam_role="role")
        def test_read(iam_role):
            assert iam_role.can("s3:GetObject", "arn:aws:s3:::b/*")
            assert iam_role.denied_actions(["s3:GetObject"], "arn:aws:s3:::b/k") == []
        @pytest.mark.aws_output(iam_role="role")
        def test_write(iam_role):
            assert iam_role.can("s3:PutObject", "arn:aws:s3:::b/*")
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*awshealth remediation*",
        "IAM role app-role may not perform s3:PutObject on arn:aws:s3:::b/* (implicitDeny)",
        "Likely causes:",
        "*no statement of the role's policies allows s3:PutObject on arn:aws:s3:::b/*",
        "*aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::123456789012:role/"
        "app-role --action-names s3:PutObject --resource-arns 'arn:aws:s3:::b/*'",
        "*aws iam list-attached-role-policies --role-name app-role",
        "*aws iam list-role-policies --role-name app-role",
        "Fix:", "*aws iam put-role-policy --role-name app-role --policy-name allow-app-role "
        "--policy-document file://policy.json*",
        "FAILED*test_write - app-role:*",
    ])


def test_role_explicit_deny_and_denied_actions(pytester, aws_env) -> None:
    make_role(aws_env)
    iam = aws_env.client("iam")
    iam.put_role_policy(RoleName="app-role", PolicyName="all-s3",
                        PolicyDocument=policy(allow("s3:*", "*")))
    guard = iam.create_policy(PolicyName="no-delete", PolicyDocument=policy(
        deny("s3:DeleteObject", "arn:aws:s3:::b/*")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="app-role", PolicyArn=guard)
    result = run(pytester, {"role": "app-role"}, """
        import pytest
        @pytest.mark.aws_output(iam_role="role")
        def test_delete(iam_role):
            assert iam_role.can("s3:DeleteObject", "arn:aws:s3:::b/k")
        @pytest.mark.aws_output(iam_role="role")
        def test_needed(iam_role):
            assert not iam_role.denied_actions(
                ["s3:GetObject", "s3:DeleteObject", "sqs:SendMessage"], "arn:aws:s3:::b/k")
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "IAM role app-role may not perform s3:DeleteObject on arn:aws:s3:::b/k (explicitDeny)",
        "*a Deny statement in no-delete (user-managed) matches s3:DeleteObject on arn:aws:s3:::b/k*",
        "IAM role app-role may not perform s3:DeleteObject sqs:SendMessage on arn:aws:s3:::b/k",
        "*s3:DeleteObject=explicitDeny, sqs:SendMessage=implicitDeny*",
        "*--action-names s3:DeleteObject sqs:SendMessage --resource-arns 'arn:aws:s3:::b/k'",
    ])


def test_missing_role_and_trust(pytester, aws_env) -> None:
    make_role(aws_env)
    result = run(pytester, {"role": "app-role", "gone": "ghost-role"}, """
        import pytest
        @pytest.mark.aws_output(iam_role="gone")
        def test_gone(iam_role):
            assert iam_role.can("s3:GetObject")
        @pytest.mark.aws_output(iam_role="role")
        def test_trust(iam_role):
            assert iam_role.trusts("ecs-tasks.amazonaws.com")
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "IAM role ghost-role does not exist (account 123456789012)",
        "*aws iam get-role --role-name ghost-role",
        "IAM role app-role cannot be assumed by ecs-tasks.amazonaws.com",
        "*aws iam update-assume-role-policy --role-name app-role*",
    ])


# --------------------------------------------------------------------------- catalogs


SEED_CODES = (
    "ProvisionedThroughputExceededException", "ConditionalCheckFailedException",
    "ResourceNotFoundException", "ValidationException", "TooManyRequestsException",
    "ResourceConflictException", "InvalidParameterValueException",
    "RequestEntityTooLargeException", "ServiceException", "CodeStorageExceededException",
    "UserNotFoundException", "NotAuthorizedException", "UserNotConfirmedException",
    "UsernameExistsException", "CodeMismatchException", "ExpiredCodeException",
    "InvalidPasswordException", "ThrottlingException", "ServiceQuotaExceededException",
    "ModelNotReadyException", "AccessDeniedException", "LimitExceededException",
    "BucketAlreadyExists", "InsufficientS3BucketPolicyException", "AccessDenied")


@pytest.mark.parametrize("code", SEED_CODES)
def test_error_catalog_covers_guide_codes(code: str) -> None:
    info = codes.explain_error(code)
    assert info is not None and info.code == code
    assert info.meaning and info.fix


def test_status_catalog() -> None:
    assert sorted(codes.HTTP_STATUSES) == [400, 401, 403, 404, 408, 409, 413, 429, 500,
                                                502, 503, 504]
    assert "malformed" in codes.explain_status(502).causes[0]
    assert "29 seconds" in codes.explain_status(504).causes[0]
    assert codes.explain_status(200) is None
    assert codes.explain_error("NoSuchThing") is None
    assert codes.explain_error("SS-008") is None  # the Sake Sensei example's own code


def test_codes_seen_finds_cataloged_codes_as_whole_words() -> None:
    from pytest_awshealth.resources.http import HttpResponse

    keys = ["error.code.APP-4", "error.code.APP-42", "logs.group.errors"]
    lines = ["[ERROR] APP-42 payment failed", "retrying APP-420", "APP-42 again"]
    assert codes.codes_seen(lines, keys) == ["error.code.APP-42"]
    assert codes.codes_seen("APP-4: no stock", keys) == ["error.code.APP-4"]
    body = HttpResponse("https://api.example.com/", 500, body='{"code": "APP-4"}')
    assert codes.codes_seen(body, keys) == ["error.code.APP-4"]
    assert codes.codes_seen(["APP-42"], ["logs.group.errors"]) == []
    assert codes.codes_seen(42, keys) == []


def test_every_catalog_hint_renders() -> None:
    hints = codes.ERROR_CODE_HINTS
    assert "error.code.ValidationException" in hints and "http.status.502" in hints
    for key, hint in hints.items():
        text = hint.render({})
        assert "{" not in text and "}" not in text, key
    assert builtin_catalog().render("error.code.Nope", {}) is None
    assert builtin_catalog().render("http.status.x", {}) is None


def test_service_specific_notes() -> None:
    context = {"action": "dynamodb:Query", "operation": "Query", "code": "ValidationException",
               "message": "bad key", "kind": "DynamoDB table", "name": "t"}
    text = builtin_catalog().render("error.code.ValidationException", context)
    assert text.splitlines()[0] == "Query on DynamoDB table t failed with ValidationException: bad key"
    assert "key schema" in text and "Bedrock" not in text
    generic = codes.ERROR_CODE_HINTS["error.code.ValidationException"].render({})
    assert "DynamoDB: the key" in generic and "Bedrock: the body" in generic


def test_cataloged_aws_error_shows_meaning(pytester, aws_env) -> None:
    aws_env.client("dynamodb").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="ValidationException",
                         message="1 validation error detected")
    result = run(pytester, {"table": "t"}, """
        import pytest
        @pytest.mark.aws_output(dynamo_table="table")
        def test_status(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "DescribeTable on DynamoDB table t failed with ValidationException: "
        "1 validation error detected",
        "*ValidationException means: the request failed the service's input validation*",
        "*the key does not match the key schema*",
        "Fix:", "*compare the request with the API reference*",
    ])
    result.stdout.no_fnmatch_line("*see the AWS documentation of*")


def test_unknown_code_keeps_generic_hint() -> None:
    from pytest_awshealth.remediation.diagnosis import failure_hints

    class Thing:
        kind, name = "widget", "w"

        def hint_context(self):
            return {"kind": self.kind, "name": self.name}

    exc = AwsCallError(Thing(), "Poke", "WeirdException", "odd", "svc:Poke")
    (text,) = failure_hints(exc, [], builtin_catalog())
    assert "see the AWS documentation of WeirdException" in text
    exc = AwsCallError(Thing(), "Poke", "CodeStorageExceededException", "full", "lambda:Poke")
    (text,) = failure_hints(exc, [], builtin_catalog())
    assert "75 GB" in text and "list-versions-by-function" in text


def test_http_502_is_explained(pytester, aws_env, api_stub) -> None:
    api_stub.route("/health", status=502, body={"message": "Internal server error"})
    api_stub.route("/ok", status=200, body={"ok": True})
    result = run(pytester, {"api": api_stub.url}, """
        import pytest
        @pytest.mark.aws_output(http_endpoint="api")
        def test_ok(http_endpoint):
            assert http_endpoint.get("/ok").status == 200
        @pytest.mark.aws_output(http_endpoint="api")
        def test_health(http_endpoint):
            assert http_endpoint.get("/health").ok
        @pytest.mark.aws_output(http_endpoint="api")
        def test_reachable(http_endpoint):
            assert http_endpoint.reachable("/health")
    """)
    result.assert_outcomes(passed=1, failed=2)
    url = re.escape(api_stub.url)
    result.stdout.re_match_lines([
        rf"HTTP 502 Bad Gateway from {url}/health: bad gateway: the proxy in front got no "
        "valid answer from its backend",
        r".*Lambda proxy response is malformed.*",
        r".*aws elbv2 describe-target-health.*",
    ])
    assert result.stdout.str().count("HTTP 502 Bad Gateway from") == 1  # not for reachable()
