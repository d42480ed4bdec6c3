"""The CloudFormation, CDK bootstrap, IAM, Step Functions, Cognito, SQS, SNS, EC2 security
group and caller identity handles: every probe calls only the operations it declares, has
its own hint and says what is healthy; ``healthy`` is the declared probes' verdict."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any, Callable

import pytest
from test_probe_reads_and_names import recorded, xform_title  # noqa: F401  (a fixture)

from pytest_awshealth.clients import AwsContext
from pytest_awshealth.errors import AwsHealthError
from pytest_awshealth.resources.cloudformation import CdkBootstrap, CfnStack
from pytest_awshealth.resources.cognito import CognitoUser, UserPool
from pytest_awshealth.resources.ec2 import SecurityGroup
from pytest_awshealth.resources.iam import IamRole
from pytest_awshealth.resources.registry import hints_of, probes
from pytest_awshealth.resources.sns import SnsTopic
from pytest_awshealth.resources.sqs import SqsQueue
from pytest_awshealth.resources.stepfunctions import StateMachine
from pytest_awshealth.resources.sts import CallerIdentity

READ = re.compile(r"^(Admin)?(Describe|Get|List|Head|Filter|Simulate)")
HANDLES = [CfnStack, CdkBootstrap, IamRole, StateMachine, UserPool, CognitoUser, SqsQueue,
           SnsTopic, SecurityGroup]
#: Arguments for the probes that are methods (no entry: called without arguments).
ARGUMENTS: dict[str, tuple[Any, ...]] = {
    "version_at_least": (21,), "trusts": ("lambda.amazonaws.com",), "can": ("s3:GetObject",),
    "denied_actions": (["s3:GetObject"],), "metric": ("NumberOfMessagesSent",),
    "allows_ingress": (443,)}
POOL = "pool"  # the key of the user pool's id in deploy()'s names


def deploy(emu: Any) -> dict[Any, str]:
    """One healthy resource of each handle type; their names by type."""
    cfn = emu.client("cloudformation")
    body = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    cfn.create_stack(StackName="app", TemplateBody=json.dumps(body))
    cfn.create_stack(StackName="CDKToolkit", TemplateBody=json.dumps(
        {**body, "Outputs": {"BootstrapVersion": {"Value": "21"}}}))
    iam = emu.client("iam")
    iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    iam.put_role_policy(RoleName="fn-role", PolicyName="read", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                "Resource": "*"}]}))
    pass_state = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    emu.client("stepfunctions").create_state_machine(
        name="daily", definition=json.dumps(pass_state),
        roleArn="arn:aws:iam::123456789012:role/sfn")
    idp = emu.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=pool, ClientName="web")
    idp.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="alice", Password="Sake-Sensei-42!",
                                Permanent=True)
    sqs = emu.client("sqs")
    dlq = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    sqs.create_queue(QueueName="jobs", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})})
    sns = emu.client("sns")
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=dlq_arn)
    group = emu.client("ec2").create_security_group(GroupName="web", Description="web")["GroupId"]
    emu.client("ec2").authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    return {CfnStack: "app", CdkBootstrap: "CDKToolkit", IamRole: "fn-role",
            StateMachine: "daily", UserPool: pool, CognitoUser: "alice", SqsQueue: "jobs",
            SnsTopic: "alarms", SecurityGroup: group, POOL: pool}


def maker(make: Callable[[type, str], Any], names: dict[Any, str]) -> Callable[[type, str], Any]:
    """``make``, with a user made through its pool."""
    return lambda cls, name: (make(UserPool, names[POOL]).user(name) if cls is CognitoUser
                              else make(cls, name))


@pytest.mark.parametrize("cls", HANDLES, ids=lambda cls: cls.__name__)
def test_every_probe_calls_only_what_it_declares(aws_env, recorded, cls) -> None:  # noqa: F811
    make, calls = recorded
    names = deploy(aws_env)
    make = maker(make, names)
    for probe_name, spec in probes(cls).items():
        calls.clear()
        handle = make(cls, names[cls])  # a fresh handle: nothing cached
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                value = getattr(handle, probe_name)
                if callable(value) and not isinstance(value, list):
                    value(*ARGUMENTS.get(probe_name, ()))
            except AwsHealthError:
                pass  # what it called until AWS said no still counts
        assert calls, f"{cls.__name__}.{probe_name} made no AWS call"
        declared = spec.operations(cls)
        assert set(calls) <= set(declared), (probe_name, calls, declared)
        writes = [op for op in calls if not READ.match(xform_title(op))]
        assert bool(writes) == (not spec.read_only), (probe_name, writes)


@pytest.mark.parametrize("cls", [*HANDLES, CallerIdentity], ids=lambda cls: cls.__name__)
def test_every_probe_has_its_own_hint_and_a_docstring(cls) -> None:
    catalog = hints_of(cls)
    if cls is not CallerIdentity:
        assert f"{cls.hint_prefix}.missing" in catalog
    for name, spec in probes(cls).items():
        assert spec.key(cls) in catalog, name
        if name in vars(cls):  # declared here: its docstring says what is healthy
            doc = getattr(cls, name).__doc__ or ""
            assert "healthy" in doc, f"{cls.__name__}.{name}: {doc!r}"


def test_healthy_is_the_verdict_of_the_declared_probes(aws_env, recorded) -> None:  # noqa: F811
    make, _ = recorded
    names = deploy(aws_env)
    make = maker(make, names)
    for cls in HANDLES:
        assert make(cls, names[cls]).healthy, cls.__name__
        assert not make(cls, "gone-" + names[cls]).healthy, cls.__name__
    assert CallerIdentity(AwsContext(region="us-east-1", endpoint_url=aws_env.url)).healthy


def test_result_types_and_the_pool_user_are_exported() -> None:
    import pytest_awshealth

    for name in ("CognitoUser", "CallerIdentity", "StackEvent", "StackEvents", "BootstrapCheck",
                 "PermissionCheck", "TrustCheck", "DeniedActions", "Execution", "Executions",
                 "ExecutionFailure", "Subscription", "IngressCheck"):
        assert name in pytest_awshealth.__all__ and getattr(pytest_awshealth, name).__doc__, name


def test_every_exported_name_resolves_and_the_old_certificate_name_warns() -> None:
    import warnings

    import pytest_awshealth

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no export is deprecated, each one resolves
        namespace: dict[str, object] = {}
        exec("from pytest_awshealth import *", namespace)
    assert set(pytest_awshealth.__all__) <= set(namespace)
    with pytest.warns(DeprecationWarning, match="Certificate is deprecated, use AcmCertificate"):
        assert pytest_awshealth.Certificate is pytest_awshealth.AcmCertificate
