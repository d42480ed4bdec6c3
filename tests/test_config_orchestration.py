"""Configuration and orchestration handles: Cognito, CloudFormation/CDK bootstrap, SSM,
Secrets Manager, Step Functions, EventBridge targets, SNS, SQS and S3 settings.

Each pytester run provisions resources in the emulator, runs a small gate with healthy
and broken checks, and asserts the hints name the real resource and the fix command.
States moto cannot reach (failed stacks, old rotations) are made by editing moto's
in-process backend objects.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_awshealth.clients import AwsContext
from pytest_awshealth.emulator import Emulator
from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.errors import ResourceNotFound
from pytest_awshealth.probes import recording
from pytest_awshealth.resources.cloudformation import CdkBootstrap, CfnStack
from pytest_awshealth.resources.cognito import CognitoUser, UserPool
from pytest_awshealth.resources.events import EventRule
from pytest_awshealth.resources.s3 import S3Bucket
from pytest_awshealth.resources.secrets import Secret
from pytest_awshealth.resources.sns import SnsTopic
from pytest_awshealth.resources.sqs import SqsQueue
from pytest_awshealth.resources.ssm import SsmParameter
from pytest_awshealth.resources.stepfunctions import StateMachine

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")


def run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest(*ARGS)


# --------------------------------------------------------------------------- helpers that
# produce states moto cannot (candidates for Emulator helpers)


def set_stack_status(emu: Emulator, stack_name: str, status: str, reason: str = "") -> None:
    """Put a stack into ``status`` and log a stack-level event with ``reason``."""
    stack = _stack(emu, stack_name)
    stack.status = status
    stack._add_stack_event(status, reason or None)


def add_failed_event(emu: Emulator, stack_name: str, logical_id: str, resource_type: str,
                     status: str, reason: str) -> None:
    """Append a resource event (e.g. CREATE_FAILED) to a stack's history."""
    from moto.cloudformation.models import Event

    stack = _stack(emu, stack_name)
    stack.events.append(Event(stack.stack_id, stack.name, logical_id, "", resource_type,
                              status, reason, None))


def _stack(emu: Emulator, name: str) -> Any:
    stacks = [s for s in emu.backend("cloudformation").stacks.values() if s.name == name]
    if not stacks:
        raise KeyError(f"no stack {name!r}")
    return stacks[-1]


def set_secret_last_rotated(emu: Emulator, name: str, when: datetime) -> None:
    """Pretend the secret was last rotated at ``when``."""
    secret = emu.backend("secretsmanager").secrets[name]
    secret.rotation_requested = True
    secret.last_rotation_date = int(when.timestamp())


def wait_for_executions(emu: Emulator, arns: list[str], timeout: float = 10.0) -> None:
    sfn = emu.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while any(sfn.describe_execution(executionArn=a)["status"] == "RUNNING" for a in arns):
        if time.monotonic() > deadline:
            raise TimeoutError("executions still RUNNING")
        time.sleep(0.05)


def template(outputs: dict[str, str] | None = None) -> str:
    body: dict[str, Any] = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    if outputs:
        body["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    return json.dumps(body)


# --------------------------------------------------------------------------- Cognito


def _cognito(emu: Emulator) -> dict[str, str]:
    idp = emu.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="sake-sensei")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="web")
    for user in ("alice", "bob", "carol"):
        idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS")
    for user in ("alice", "carol"):
        idp.admin_set_user_password(UserPoolId=pool, Username=user, Password="Sake-Sensei-42!",
                                    Permanent=True)
    idp.admin_disable_user(UserPoolId=pool, Username="carol")
    idp.sign_up(ClientId=client["UserPoolClient"]["ClientId"], Username="dora",
                Password="Sake-Sensei-42!")
    bare = idp.create_user_pool(PoolName="bare")["UserPool"]["Id"]
    return {"pool": pool, "bare": bare}


def test_user_pool_users_mfa_and_clients(pytester, aws_env, write_outputs) -> None:
    ids = _cognito(aws_env)
    write_outputs({"UserPoolId": ids["pool"], "BarePoolId": ids["bare"]})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(user_pool="UserPoolId")
        def test_healthy(user_pool):
            assert user_pool.exists
            assert user_pool.mfa_configuration == "OPTIONAL"
            assert user_pool.user_status("alice") == "CONFIRMED"
            assert user_pool.user_enabled("alice")
            assert len(user_pool.app_client_ids) == 1

        @pytest.mark.aws_output(user_pool="UserPoolId")
        def test_force_change_password(user_pool):
            assert user_pool.user_status("bob") == "CONFIRMED"

        @pytest.mark.aws_output(user_pool="UserPoolId")
        def test_unconfirmed(user_pool):
            assert user_pool.user_status("dora") == "CONFIRMED"

        @pytest.mark.aws_output(user_pool="UserPoolId")
        def test_disabled(user_pool):
            assert user_pool.user_enabled("carol")

        @pytest.mark.aws_output(user_pool="UserPoolId")
        def test_missing_user(user_pool):
            assert user_pool.user_status("zed") == "CONFIRMED"

        @pytest.mark.aws_output(user_pool="BarePoolId")
        def test_mfa_off(user_pool):
            assert user_pool.mfa_configuration != "OFF"

        @pytest.mark.aws_output(user_pool="BarePoolId")
        def test_no_client(user_pool):
            assert user_pool.app_client_ids

        def test_missing_pool(aws):
            assert aws.user_pool("us-east-1_Missing1").exists
    """)
    result.assert_outcomes(passed=1, failed=7)
    pool = ids["pool"]
    result.stdout.fnmatch_lines([
        f"*Cognito user bob in user pool {pool} (us-east-1) is FORCE_CHANGE_PASSWORD*",
        f"*aws cognito-idp admin-set-user-password --user-pool-id {pool} --username bob "
        "--region us-east-1 --password '<new password>' --permanent*",
        f"*Cognito user dora in user pool {pool} (us-east-1) is UNCONFIRMED*",
        f"*aws cognito-idp admin-confirm-sign-up --user-pool-id {pool} --username dora*",
        f"*Cognito user carol in user pool {pool} (us-east-1) is disabled*",
        f"*aws cognito-idp admin-enable-user --user-pool-id {pool} --username carol*",
        f"*Cognito user zed does not exist in user pool {pool}*",
        f"*Cognito user pool {ids['bare']} in us-east-1 does not have the expected MFA*",
        f"*aws cognito-idp set-user-pool-mfa-config --user-pool-id {ids['bare']} --region "
        "us-east-1 --mfa-configuration OPTIONAL*",
        f"*Cognito user pool {ids['bare']} in us-east-1 has no app client*",
        "*Cognito user pool us-east-1_Missing1 does not exist in us-east-1 (account 123456789012)*",
    ])


def test_user_pool_ids_arns_and_regions(aws_env) -> None:
    pool = UserPool("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123")
    assert (pool.name, pool.region) == ("eu-west-1_AbC123", "eu-west-1")
    user = pool.user("alice")
    assert isinstance(user, CognitoUser) and user is pool.user("alice")
    assert (user.pool_id, user.region) == ("eu-west-1_AbC123", "eu-west-1")
    assert UserPool("plain-name", region="ap-south-1").region == "ap-south-1"


# --------------------------------------------------------------------------- CloudFormation


def test_stack_status_failed_events_and_outputs(pytester, aws_env, write_outputs) -> None:
    cfn = aws_env.client("cloudformation")
    cfn.create_stack(StackName="sake-storage", TemplateBody=template({"TableName": "sake"}))
    cfn.create_stack(StackName="thera-pipeline-prod", TemplateBody=template())
    cfn.create_stack(StackName="sake-api", TemplateBody=template())
    add_failed_event(aws_env, "thera-pipeline-prod", "ApolloPullFunction", "AWS::Lambda::Function",
                     "UPDATE_FAILED", "Resource handler returned message: Role is not authorized")
    add_failed_event(aws_env, "thera-pipeline-prod", "DailyRule", "AWS::Events::Rule",
                     "UPDATE_FAILED", "Resource update cancelled")
    set_stack_status(aws_env, "thera-pipeline-prod", "UPDATE_ROLLBACK_FAILED",
                     "The following resource(s) failed to update: [ApolloPullFunction].")
    set_stack_status(aws_env, "sake-api", "UPDATE_ROLLBACK_COMPLETE")
    write_outputs({"StorageStack": "sake-storage", "PipelineStack": "thera-pipeline-prod",
                   "ApiStack": "sake-api"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(cfn_stack="StorageStack")
        def test_healthy(cfn_stack):
            assert cfn_stack.exists and cfn_stack.healthy
            assert cfn_stack.status == "CREATE_COMPLETE"
            assert not cfn_stack.failed_events
            assert cfn_stack.outputs == {"TableName": "sake"}

        @pytest.mark.aws_output(cfn_stack="PipelineStack")
        def test_reason_and_events(cfn_stack):
            assert cfn_stack.status_reason.startswith("The following resource(s) failed")
            failed = cfn_stack.list_failed_events(limit=1)
            assert [(e.logical_id, e.resource_type) for e in failed] == [
                ("DailyRule", "AWS::Events::Rule")]
            assert len(cfn_stack.failed_events) == 2

        @pytest.mark.aws_output(cfn_stack="PipelineStack")
        def test_rollback_failed(cfn_stack):
            assert cfn_stack.healthy

        @pytest.mark.aws_output(cfn_stack="PipelineStack")
        def test_failed_events(cfn_stack):
            assert not cfn_stack.failed_events

        @pytest.mark.aws_output(cfn_stack="ApiStack")
        def test_update_rolled_back(cfn_stack):
            assert cfn_stack.status in ("CREATE_COMPLETE", "UPDATE_COMPLETE")

        def test_missing(aws):
            assert aws.cfn_stack("SakeSenseiStorageStack").exists
    """)
    result.assert_outcomes(passed=2, failed=4)
    result.stdout.fnmatch_lines([
        "*CloudFormation stack thera-pipeline-prod in us-east-1 is UPDATE_ROLLBACK_FAILED*",
        "*first failure: ApolloPullFunction (AWS::Lambda::Function) UPDATE_FAILED: Resource "
        "handler returned message: Role is not authorized*",
        "*aws cloudformation describe-stack-events --stack-name thera-pipeline-prod --region "
        "us-east-1 --query \"StackEvents*contains(ResourceStatus,'FAILED')*",
        "*aws cloudformation continue-update-rollback --stack-name thera-pipeline-prod*",
        "*CloudFormation stack thera-pipeline-prod in us-east-1 has failed resource events*",
        "*CloudFormation stack sake-api in us-east-1 is UPDATE_ROLLBACK_COMPLETE*",
        "*CloudFormation stack SakeSenseiStorageStack does not exist in us-east-1*",
        "*cdk deploy SakeSenseiStorageStack*",
    ])


def test_stack_semantics(aws_env) -> None:
    cfn = aws_env.client("cloudformation")
    stack_id = cfn.create_stack(StackName="gone", TemplateBody=template())["StackId"]
    cfn.create_stack(StackName="rolled", TemplateBody=template())
    set_stack_status(aws_env, "rolled", "UPDATE_ROLLBACK_COMPLETE")
    cfn.delete_stack(StackName=stack_id)
    by_id = CfnStack(stack_id)
    assert by_id.region == REGION and not by_id.exists  # DELETE_COMPLETE counts as gone
    rolled = CfnStack("rolled")
    with recording() as records:
        assert rolled.healthy is False
        assert rolled.status_reason is None
    assert [(r.hint, r.healthy) for r in records] == [
        ("cloudformation.stack.missing", True), ("cloudformation.stack.status", False),
        ("cloudformation.stack.status_reason", None)]
    with pytest.deprecated_call(match="CfnStack.failed_events is a property now"):
        assert rolled.failed_events() == []  # the method it was, for one release
    with pytest.deprecated_call(), recording() as records:
        assert rolled.failed_events(limit=1, latest_only=False) == []
    assert [(r.name, dict(r.arguments)) for r in records] == [
        ("failed_events", {}), ("list_failed_events", {"limit": 1, "latest_only": False})]
    with pytest.raises(ResourceNotFound):
        assert CfnStack("nope").status


def test_cdk_bootstrap_version(pytester, aws_env, write_outputs) -> None:
    cfn = aws_env.client("cloudformation")
    cfn.create_stack(StackName="CDKToolkit", TemplateBody=template({"BootstrapVersion": "14"}))
    aws_env.client("ssm").put_parameter(Name="/cdk-bootstrap/custom1/version", Value="21",
                                        Type="String")
    write_outputs({"Toolkit": "CDKToolkit"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(cdk_bootstrap="Toolkit")
        def test_found(cdk_bootstrap):
            assert cdk_bootstrap.exists and cdk_bootstrap.healthy
            assert cdk_bootstrap.version == 14
            assert cdk_bootstrap.version_at_least(6)

        def test_from_ssm_without_stack(aws):
            handle = aws.cdk_bootstrap("CustomToolkit", qualifier="custom1")
            assert not handle.exists
            assert handle.version == 21

        @pytest.mark.aws_output(cdk_bootstrap="Toolkit")
        def test_too_old(cdk_bootstrap):
            assert cdk_bootstrap.version_at_least(21)

        def test_not_bootstrapped(aws):
            assert aws.cdk_bootstrap("OtherToolkit").exists
    """)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*CDK bootstrap stack CDKToolkit in us-east-1 is version 14, the app needs 21*",
        "*aws ssm get-parameter --name /cdk-bootstrap/hnb659fds/version --region us-east-1*",
        "*cdk bootstrap aws://123456789012/us-east-1*",
        "*CDK is not bootstrapped in account 123456789012 region us-east-1: stack OtherToolkit*",
        "*cdk bootstrap aws://123456789012/us-east-1*",
    ])


def test_cdk_bootstrap_defaults(aws_env) -> None:
    handle = CdkBootstrap()
    assert (handle.name, handle.qualifier) == ("CDKToolkit", "hnb659fds")
    assert handle.version is None and not handle.version_at_least(1)


# --------------------------------------------------------------------------- SSM


def test_ssm_parameter_metadata_and_masked_value(pytester, aws_env, write_outputs) -> None:
    ssm = aws_env.client("ssm")
    ssm.put_parameter(Name="/thera/apollo/api_key", Value="apollo-key-8c1e", Type="SecureString")
    ssm.put_parameter(Name="/thera/apollo/api_key", Value="apollo-key-8c1e-v2",
                      Type="SecureString", Overwrite=True)
    ssm.put_parameter(Name="/thera/firecrawl/api_key", Value="firecrawl-key-77", Type="String")
    write_outputs({"ApolloKey": "/thera/apollo/api_key", "FirecrawlKey": "/thera/firecrawl/api_key"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(ssm_parameter="ApolloKey")
        def test_healthy(ssm_parameter):
            assert ssm_parameter.exists and ssm_parameter.is_secure
            assert ssm_parameter.type == "SecureString" and ssm_parameter.version == 2
            assert ssm_parameter.last_modified is not None
            assert ssm_parameter.kms_key_id == "alias/aws/ssm"
            assert not ssm_parameter.aws.redactor  # metadata never reads the value

        @pytest.mark.aws_output(ssm_parameter="ApolloKey")
        def test_value_is_masked(ssm_parameter):
            value = ssm_parameter.reveal()
            assert value == "apollo-key-8c1e-v2" and str(value) == "***"
            print("leak attempt:", value.reveal())
            assert value.reveal() == "something else"

        @pytest.mark.aws_output(ssm_parameter="FirecrawlKey")
        def test_plain_string(ssm_parameter):
            assert ssm_parameter.is_secure

        def test_missing(aws):
            assert aws.ssm_parameter("/thera/hubspot/api_key").exists
    """)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([
        "*leak attempt: [*][*][*]",
        "*SSM parameter /thera/firecrawl/api_key in us-east-1 is a String, not a SecureString*",
        "*aws ssm put-parameter --name /thera/firecrawl/api_key --region us-east-1 --type "
        "SecureString --overwrite*",
        "*SSM parameter /thera/hubspot/api_key does not exist in us-east-1*",
        "*aws ssm put-parameter --name /thera/hubspot/api_key --region us-east-1 --type SecureString*",
    ])
    assert "apollo-key-8c1e-v2" not in result.stdout.str()


def test_ssm_parameter_arn_and_access_denied_fallback(aws_env) -> None:
    ssm = aws_env.client("ssm")
    ssm.put_parameter(Name="/a/b", Value="value-1234", Type="SecureString")
    ssm.put_parameter(Name="flat", Value="v", Type="String")
    nested = SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/a/b")
    assert (nested.name, nested.region, nested.type) == ("/a/b", REGION, "SecureString")
    assert SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/flat").type == "String"
    aws_env.inject_fault("ssm", "DescribeParameters", error_code="AccessDeniedException")
    fallback = SsmParameter("/a/b")
    assert fallback.is_secure and fallback.version == 1
    assert "Value" not in fallback.describe()
    with pytest.raises(ResourceNotFound):
        SsmParameter("/a/missing").describe()


# --------------------------------------------------------------------------- Secrets Manager


def test_secret_rotation_deletion_and_kms(pytester, aws_env, write_outputs) -> None:
    sm = aws_env.client("secretsmanager")
    sm.create_secret(Name="iRacing/OAuth/Credentials", SecretString='{"client_id": "x"}',
                     KmsKeyId="alias/iracing")
    sm.create_secret(Name="iRacing/old", SecretString="old-secret-value")
    sm.create_secret(Name="iRacing/doomed", SecretString="doomed-secret")
    sm.delete_secret(SecretId="iRacing/doomed", RecoveryWindowInDays=7)
    now = datetime.now(timezone.utc)
    set_secret_last_rotated(aws_env, "iRacing/OAuth/Credentials", now - timedelta(days=2))
    set_secret_last_rotated(aws_env, "iRacing/old", now - timedelta(days=120))
    write_outputs({"OAuth": "iRacing/OAuth/Credentials", "Old": "iRacing/old",
                   "Doomed": "iRacing/doomed"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(secret="OAuth")
        def test_healthy(secret):
            assert secret.exists and not secret.scheduled_for_deletion
            assert secret.rotated_within(days=30)
            assert secret.last_rotated is not None and secret.last_changed is not None
            assert secret.kms_key_id == "alias/iracing"

        @pytest.mark.aws_output(secret="Old")
        def test_stale_rotation(secret):
            assert secret.kms_key_id is None
            assert secret.rotated_within(days=30)

        @pytest.mark.aws_output(secret="Doomed")
        def test_scheduled_for_deletion(secret):
            assert not secret.scheduled_for_deletion
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*Secrets Manager secret iRacing/old in us-east-1 is not rotated (last rotated: *",
        "*aws secretsmanager rotate-secret --secret-id iRacing/old --region us-east-1*",
        "*Secrets Manager secret iRacing/doomed in us-east-1 is scheduled for deletion on *",
        "*aws secretsmanager restore-secret --secret-id iRacing/doomed --region us-east-1*",
    ])


def test_secret_never_rotated(aws_env) -> None:
    aws_env.client("secretsmanager").create_secret(Name="fresh", SecretString="fresh-value")
    secret = Secret("fresh")
    assert secret.last_rotated is None and not secret.rotated_within(365)


# --------------------------------------------------------------------------- Step Functions

PASS = {"StartAt": "Pull", "States": {"Pull": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "Pull", "States": {"Pull": {"Type": "Fail", "Error": "Apollo.Timeout",
                                               "Cause": "apollo-delta-pull timed out after 900s"}}}
ROLE = f"arn:aws:iam::{ACCOUNT}:role/thera-sfn"


def _machines(emu: Emulator) -> dict[str, str]:
    sfn = emu.client("stepfunctions")
    ok = sfn.create_state_machine(name="thera-daily", roleArn=ROLE,
                                  definition=json.dumps(PASS))["stateMachineArn"]
    bad = sfn.create_state_machine(name="thera-weekly", roleArn=ROLE,
                                   definition=json.dumps(FAIL))["stateMachineArn"]
    runs = [sfn.start_execution(stateMachineArn=ok, name=f"daily-{i}")["executionArn"]
            for i in range(2)]
    runs.append(sfn.start_execution(stateMachineArn=bad, name="weekly-1")["executionArn"])
    wait_for_executions(emu, runs)
    return {"ok": ok, "bad": bad}


def test_state_machine_executions(pytester, aws_env, write_outputs) -> None:
    arns = _machines(aws_env)
    write_outputs({"DailyArn": arns["ok"], "WeeklyArn": arns["bad"]})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(state_machine="DailyArn")
        def test_healthy(state_machine):
            assert state_machine.exists and state_machine.status == "ACTIVE"
            runs = state_machine.recent_executions
            assert sorted((r.name, r.status) for r in runs) == [
                ("daily-0", "SUCCEEDED"), ("daily-1", "SUCCEEDED")]
            assert not state_machine.failed_executions
            assert state_machine.last_failure is None
            assert state_machine.healthy
            assert [r.name for r in state_machine.list_executions(limit=1)] in (
                ["daily-0"], ["daily-1"])

        def test_by_name_and_last_failure(aws):
            machine = aws.state_machine("thera-weekly")
            failure = machine.last_failure
            assert (failure.name, failure.status, failure.error) == (
                "weekly-1", "FAILED", "Apollo.Timeout")
            assert failure.cause == "apollo-delta-pull timed out after 900s"

        @pytest.mark.aws_output(state_machine="WeeklyArn")
        def test_failed(state_machine):
            assert not state_machine.list_failed_executions(limit=5)

        def test_missing(aws):
            assert aws.state_machine("thera-monthly").exists
    """)
    result.assert_outcomes(passed=2, failed=2)
    weekly = arns["bad"]
    result.stdout.fnmatch_lines([
        "*Step Functions state machine thera-weekly in us-east-1 has failed executions; newest: "
        "weekly-1 Apollo.Timeout: apollo-delta-pull timed out after 900s*",
        f"*aws stepfunctions list-executions --state-machine-arn {weekly} --region us-east-1 "
        "--status-filter FAILED*",
        f"*aws stepfunctions get-execution-history --execution-arn {weekly.replace('stateMachine', 'execution')}"
        ":weekly-1 --region us-east-1 --reverse-order*",
        "*Step Functions state machine thera-monthly does not exist in us-east-1*",
        "*aws stepfunctions list-state-machines --region us-east-1*",
    ])


def test_state_machine_since_and_aborted(aws_env) -> None:
    sfn = aws_env.client("stepfunctions")
    wait = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}}
    arn = sfn.create_state_machine(name="waits", roleArn=ROLE, definition=json.dumps(wait))[
        "stateMachineArn"]
    run_arn = sfn.start_execution(stateMachineArn=arn, name="stuck")["executionArn"]
    sfn.stop_execution(executionArn=run_arn, error="Ops.Stop", cause="stopped by hand")
    machine = StateMachine(arn)
    assert [e.status for e in machine.failed_executions] == ["ABORTED"]
    future = datetime.now(timezone.utc) + timedelta(hours=1)
    assert not machine.list_failed_executions(since=future)
    assert machine.list_failed_executions(since=timedelta(hours=1))
    with pytest.deprecated_call(match="StateMachine.failed_executions is a property now"):
        assert not machine.failed_executions(since=future)  # the method it was
    # moto drops StopExecution's error/cause (AWS keeps them); the status is what counts here
    assert (machine.last_failure.name, machine.last_failure.status) == ("stuck", "ABORTED")


# --------------------------------------------------------------------------- EventBridge


def test_event_rule_targets(pytester, aws_env, write_outputs) -> None:
    events = aws_env.client("events")
    events.put_rule(Name="thera-pipeline-daily-rule", ScheduleExpression="cron(0 9 * * ? *)")
    events.put_targets(Rule="thera-pipeline-daily-rule", Targets=[{
        "Id": "sfn", "Arn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:thera-daily",
        "RoleArn": ROLE}])
    events.create_event_bus(Name="thera-bus")
    rule_arn = events.put_rule(Name="thera-pipeline-weekly-rule", EventBusName="thera-bus",
                               EventPattern=json.dumps({"source": ["thera"]}))["RuleArn"]
    write_outputs({"DailyRule": "thera-pipeline-daily-rule", "WeeklyRuleArn": rule_arn})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(event_rule="DailyRule")
        def test_healthy(event_rule):
            assert event_rule.target_count == 1
            assert event_rule.has_target("stateMachine:thera-daily")

        @pytest.mark.aws_output(event_rule="DailyRule")
        def test_wrong_target(event_rule):
            assert event_rule.has_target("thera-weekly")

        @pytest.mark.aws_output(event_rule="WeeklyRuleArn")
        def test_custom_bus_without_targets(event_rule):
            assert event_rule.event_bus == "thera-bus" and event_rule.enabled
            assert event_rule.target_count > 0
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*EventBridge rule thera-pipeline-daily-rule in us-east-1 lacks the expected target "
        f"(targets: arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:thera-daily)*",
        "*aws events put-targets --rule thera-pipeline-daily-rule --region us-east-1*",
        "*EventBridge rule thera-pipeline-weekly-rule in us-east-1 lacks the expected target "
        "(targets: none)*",
        "*aws events list-targets-by-rule --rule thera-pipeline-weekly-rule --event-bus-name "
        "thera-bus --region us-east-1*",
    ])


def test_event_rule_arn_parsing() -> None:
    rule = EventRule("arn:aws:events:eu-west-1:123456789012:rule/bus-a/my-rule")
    assert (rule.name, rule.event_bus, rule.region) == ("my-rule", "bus-a", "eu-west-1")
    default_bus = EventRule("arn:aws:events:eu-west-1:123456789012:rule/my-rule")
    assert (default_bus.name, default_bus.event_bus) == ("my-rule", None)


# --------------------------------------------------------------------------- SNS


def test_sns_topic_subscriptions(pytester, aws_env, write_outputs) -> None:
    sns = aws_env.client("sns")
    topic = sns.create_topic(Name="sake-alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:ops")
    email = sns.subscribe(TopicArn=topic, Protocol="email",
                          Endpoint="oncall@example.com")["SubscriptionArn"]
    aws_env.set_sns_pending(email)
    empty = sns.create_topic(Name="sake-empty")["TopicArn"]
    write_outputs({"AlarmTopic": topic, "EmptyTopic": empty})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(sns_topic="AlarmTopic")
        def test_healthy(sns_topic):
            assert sns_topic.exists and sns_topic.confirmed_count == 1
            assert sorted((s.protocol, s.pending) for s in sns_topic.subscriptions) == [
                ("email", True), ("sqs", False)]

        @pytest.mark.aws_output(sns_topic="AlarmTopic")
        def test_pending(sns_topic):
            assert not sns_topic.pending_subscriptions

        @pytest.mark.aws_output(sns_topic="EmptyTopic")
        def test_no_subscribers(sns_topic):
            assert sns_topic.confirmed_count > 0

        def test_missing(aws):
            assert aws.sns_topic("sake-nope").exists
    """)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines([
        "*SNS topic sake-alarms in us-east-1 has subscriptions pending confirmation: "
        "email:oncall@example.com*",
        f"*aws sns subscribe --topic-arn {topic} --region us-east-1 --protocol email*",
        "*SNS topic sake-empty in us-east-1 has no confirmed subscription*",
        "*SNS topic sake-nope does not exist in us-east-1 (account 123456789012)*",
    ])


def test_sns_pending_confirmation_arn_counts_as_pending(aws_env) -> None:
    topic = SnsTopic(aws_env.client("sns").create_topic(Name="t")["TopicArn"])
    assert topic._subscription({"SubscriptionArn": "PendingConfirmation", "Protocol": "email",
                                "Endpoint": "a@example.com"}).pending


# --------------------------------------------------------------------------- SQS


def test_sqs_queue_depth_and_dlq(pytester, aws_env, write_outputs) -> None:
    sqs = aws_env.client("sqs")
    dlq = sqs.create_queue(QueueName="thera-jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
    jobs = sqs.create_queue(QueueName="thera-jobs", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    sqs.create_queue(QueueName="thera-plain")
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=dlq, MessageBody=body)
    sqs.send_message(QueueUrl=jobs, MessageBody="c")
    write_outputs({"JobsQueueUrl": jobs, "PlainQueue": "thera-plain"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(sqs_queue="JobsQueueUrl")
        def test_attributes(sqs_queue):
            assert sqs_queue.exists and sqs_queue.depth == 1 and sqs_queue.in_flight == 0
            assert sqs_queue.dead_letter_queue.name == "thera-jobs-dlq"

        @pytest.mark.aws_output(sqs_queue="PlainQueue")
        def test_no_dlq_means_no_dlq_depth(sqs_queue):
            assert sqs_queue.dlq_depth is None

        @pytest.mark.aws_output(sqs_queue="JobsQueueUrl")
        def test_dlq_has_messages(sqs_queue):
            assert sqs_queue.dlq_depth == 0

        @pytest.mark.aws_output(sqs_queue="PlainQueue")
        def test_missing_dlq(sqs_queue):
            assert sqs_queue.dead_letter_queue

        def test_missing(aws):
            assert aws.sqs_queue("thera-nope").exists

        def test_dlq_itself_is_empty(aws):
            assert aws.sqs_queue("thera-plain").is_empty
            assert aws.sqs_queue("thera-jobs-dlq").is_empty
    """)
    result.assert_outcomes(passed=2, failed=4)
    result.stdout.fnmatch_lines([
        "*Dead-letter queue of SQS queue thera-jobs (us-east-1) holds 2 message(s)*",
        f"*aws sqs receive-message --queue-url {dlq} --region us-east-1*",
        f"*aws sqs start-message-move-task --source-arn {dlq_arn} --region us-east-1*",
        "*SQS queue thera-plain in us-east-1 has no dead-letter queue (RedrivePolicy)*",
        "*aws sqs set-queue-attributes --queue-url * --attributes file://redrive.json*",
        "*SQS queue thera-nope does not exist in us-east-1*",
        "*SQS queue thera-jobs-dlq in us-east-1 has an unexpected backlog*"])


def test_sqs_queue_names_urls_and_arns(aws_env) -> None:
    url = aws_env.client("sqs").create_queue(QueueName="q1")["QueueUrl"]
    by_arn = SqsQueue(f"arn:aws:sqs:us-east-1:{ACCOUNT}:q1")
    assert (by_arn.name, by_arn.owner, by_arn.url) == ("q1", ACCOUNT, url)
    real = SqsQueue("https://sqs.eu-central-1.amazonaws.com/210987654321/orders.fifo")
    assert (real.name, real.owner, real.region) == ("orders.fifo", "210987654321", "eu-central-1")
    assert SqsQueue(url).arn == f"arn:aws:sqs:us-east-1:{ACCOUNT}:q1"


# --------------------------------------------------------------------------- S3


def test_s3_versioning_encryption_public_access(pytester, aws_env, write_outputs) -> None:
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="thera-data")
    s3.put_bucket_versioning(Bucket="thera-data", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket="thera-data", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": "alias/thera"}}]})
    s3.put_public_access_block(Bucket="thera-data", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.create_bucket(Bucket="thera-bare")
    s3.create_bucket(Bucket="thera-suspended")
    s3.put_bucket_versioning(Bucket="thera-suspended", VersioningConfiguration={"Status": "Suspended"})
    s3.put_public_access_block(Bucket="thera-suspended", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": True})
    write_outputs({"DataBucket": "thera-data", "BareBucket": "thera-bare",
                   "SuspendedBucket": "thera-suspended"})
    result = run(pytester, """
        import pytest

        @pytest.mark.aws_output(s3_bucket="DataBucket")
        def test_healthy(s3_bucket):
            assert s3_bucket.versioning == "Enabled" and s3_bucket.versioning_enabled
            assert s3_bucket.encryption == "aws:kms" and s3_bucket.kms_encrypted
            assert s3_bucket.public_access_blocked

        @pytest.mark.aws_output(s3_bucket="BareBucket")
        def test_bare_defaults(s3_bucket):
            assert s3_bucket.versioning is None
            assert s3_bucket.encryption == "AES256"  # what S3 reports since 2023

        @pytest.mark.aws_output(s3_bucket="SuspendedBucket")
        def test_versioning_suspended(s3_bucket):
            assert s3_bucket.versioning_enabled

        @pytest.mark.aws_output(s3_bucket="BareBucket")
        def test_not_kms(s3_bucket):
            assert s3_bucket.kms_encrypted

        @pytest.mark.aws_output(s3_bucket="BareBucket")
        def test_no_public_access_block(s3_bucket):
            assert s3_bucket.public_access_blocked

        @pytest.mark.aws_output(s3_bucket="SuspendedBucket")
        def test_partial_public_access_block(s3_bucket):
            assert s3_bucket.public_access_blocked

        def test_missing(aws):
            assert aws.s3_bucket("thera-nope").versioning_enabled
    """)
    result.assert_outcomes(passed=2, failed=5)
    result.stdout.fnmatch_lines([
        "*S3 bucket thera-suspended does not have versioning enabled (status: Suspended)*",
        "*aws s3api put-bucket-versioning --bucket thera-suspended --versioning-configuration "
        "Status=Enabled*",
        "*S3 bucket thera-bare default encryption is AES256, not SSE-KMS*",
        "*aws s3api put-bucket-encryption --bucket thera-bare*aws:kms*",
        "*S3 bucket thera-bare does not block all public access*",
        "*aws s3api put-public-access-block --bucket thera-bare*",
        "*S3 bucket thera-suspended does not block all public access*",
        "*S3 bucket thera-nope does not exist*",
    ])


# --------------------------------------------------------------------------- vocabulary


def deciding_hint(read: Any) -> tuple[Any, str]:
    """``read()`` and the hint key of the probe that decided it (the last unhealthy one,
    else the last one read)."""
    with recording() as records:
        value = read()
    unhealthy = [r for r in records if r.healthy is False]
    return value, (unhealthy or records)[-1].hint


def test_healthy_is_decided_by_a_probe_with_its_own_hint(aws_env) -> None:
    ids = _cognito(aws_env)
    pool, bare = UserPool(ids["pool"]), UserPool(ids["bare"])
    assert pool.healthy and pool.user("alice").healthy
    assert deciding_hint(lambda: bare.healthy) == (False, "cognito.user_pool.app_client_ids")
    assert deciding_hint(lambda: pool.user("bob").healthy) == (False, "cognito.user.status")
    assert deciding_hint(lambda: pool.user("carol").healthy) == (False, "cognito.user.enabled")
    assert deciding_hint(lambda: pool.user("zed").healthy) == (False, "cognito.user.missing")

    sqs = aws_env.client("sqs")
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    assert SqsQueue("jobs").healthy and SqsQueue("jobs-dlq").healthy
    sqs.send_message(QueueUrl=dlq, MessageBody="failed")
    assert deciding_hint(lambda: SqsQueue("jobs").healthy) == (False, "sqs.queue.dlq_depth")

    sns = aws_env.client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    assert deciding_hint(lambda: SnsTopic(topic).healthy) == (False, "sns.topic.confirmed_count")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=dlq_arn)
    assert SnsTopic(topic).healthy

    machine = _machines(aws_env)["bad"]
    assert StateMachine(machine).healthy  # ACTIVE; its failed runs are failed_executions'
    assert not StateMachine("gone").healthy


def test_metrics_use_each_service_namespace_and_dimensions(aws_env) -> None:
    sqs_url = aws_env.client("sqs").create_queue(QueueName="jobs")["QueueUrl"]
    topic = aws_env.client("sns").create_topic(Name="alarms")["TopicArn"]
    machine = _machines(aws_env)["ok"]
    put_datapoint(aws_env, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": "jobs"}, 3)
    put_datapoint(aws_env, "AWS/SNS", "NumberOfNotificationsFailed", {"TopicName": "alarms"}, 2)
    put_datapoint(aws_env, "AWS/States", "ExecutionsFailed", {"StateMachineArn": machine}, 1)
    assert SqsQueue(sqs_url).metric("NumberOfMessagesSent") == 3
    assert SnsTopic(topic).metric("NumberOfNotificationsFailed", minutes=15) == 2
    assert StateMachine(machine).metric("ExecutionsFailed", stat="Maximum") == 1
    with pytest.raises(ResourceNotFound):  # a missing queue is not a quiet one
        SqsQueue("gone").metric("NumberOfMessagesSent")


# --------------------------------------------------------------------------- catalog


def test_every_probe_hint_has_a_catalog_entry() -> None:
    from pytest_awshealth.plugin import builtin_catalog

    catalog = builtin_catalog()
    stack = ("missing", "status", "status_reason", "failed_events", "list_failed_events",
             "outputs")
    prefixes = {
        "cognito.user_pool": ("missing", "mfa_configuration", "app_client_ids"),
        "cognito.user": ("missing", "status", "enabled"),
        "cloudformation.stack": stack,
        "cdk.bootstrap": (*stack, "version", "version_at_least"),
        "ssm.parameter": ("missing", "type", "is_secure", "last_modified", "version", "reveal"),
        "secretsmanager.secret": ("missing", "rotation_enabled", "rotated_within", "last_changed",
                                  "scheduled_for_deletion", "kms_key_id", "reveal"),
        "stepfunctions.state_machine": ("missing", "status", "recent_executions",
                                        "list_executions", "last_execution_status",
                                        "failed_executions", "list_failed_executions",
                                        "last_failure", "metric"),
        "events.rule": ("missing", "status", "enabled", "schedule", "targets", "has_target"),
        "sns.topic": ("missing", "subscriptions", "pending_subscriptions", "confirmed_count",
                      "metric"),
        "sqs.queue": ("missing", "depth", "in_flight", "is_empty", "dead_letter_queue",
                      "dlq_depth", "metric"),
        "sts.identity": ("account", "arn"),
        "s3.bucket": ("missing", "versioning", "encryption", "public_access_blocked"),
    }
    missing = [f"{p}.{s}" for p, suffixes in prefixes.items() for s in suffixes
               if f"{p}.{s}" not in catalog]
    assert not missing


def test_hints_render_without_aws(aws_env) -> None:
    """Hint contexts must render even when the resource is gone (no exceptions leak)."""
    from pytest_awshealth.plugin import builtin_catalog

    catalog = builtin_catalog()
    aws = AwsContext()
    handles = [UserPool("us-east-1_Gone", aws=aws), CfnStack("gone", aws=aws),
               CdkBootstrap(aws=aws), SsmParameter("/gone", aws=aws), Secret("gone", aws=aws),
               StateMachine("gone", aws=aws), SnsTopic("gone", aws=aws), SqsQueue("gone", aws=aws),
               S3Bucket("gone", aws=aws), EventRule("gone", aws=aws)]
    for handle in handles:
        context = handle.hint_context()
        for key in [k for k in catalog if k.startswith(handle.hint_prefix + ".")]:
            text = catalog[key].render(context)
            assert handle.name in text or "<" in text, key


def test_context_is_independent_of_env(monkeypatch) -> None:
    """Handles never touch AWS at construction (ARN parsing only)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    aws = AwsContext(region="eu-west-1")
    for handle in (StateMachine("arn:aws:states:eu-west-1:1:stateMachine:m", aws=aws),
                   SnsTopic("arn:aws:sns:eu-west-1:1:t", aws=aws),
                   CfnStack("arn:aws:cloudformation:eu-west-1:1:stack/s/uuid", aws=aws)):
        assert handle.region == "eu-west-1"
