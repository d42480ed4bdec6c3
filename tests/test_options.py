"""Options, their ini twins and environment fallbacks, the header, and usage errors."""

from __future__ import annotations

import pytest

TF = {"state_table_name": {"value": "tbl", "type": "string", "sensitive": False}}

PASSING = """
def test_outputs(aws_outputs):
    assert aws_outputs["state_table_name"] == "tbl"
"""


def test_help_lists_the_option_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([
        "AWS post-deploy health checks:",
        "*--aws-outputs=PATH*", "*--aws-stack=NAME*", "*--aws-region=REGION*",
        "*--aws-profile=PROFILE*", "*--aws-role-arn=ARN*", "*--aws-external-id=ID*",
        "*--aws-endpoint-url=URL*", "*--aws-retry-mode=MODE*", "*--aws-max-attempts=N*",
        "*--aws-connect-timeout=SECONDS*", "*--aws-read-timeout=SECONDS*",
        "*aws_outputs (linelist)*",
    ])


def test_help_works_with_a_missing_outputs_file(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--aws-outputs", "missing.json", "--help")
    assert result.ret == pytest.ExitCode.OK


def test_missing_outputs_file_is_one_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--aws-outputs", "missing.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
    assert len(errors) == 1, result.stderr.lines
    assert "outputs file not found: missing.json" in errors[0]
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_malformed_outputs_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    (pytester.path / "bad.json").write_text('{"a": ')
    result = pytester.runpytest("--aws-outputs", "bad.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *bad.json*line 1*"])


def test_outputs_from_command_line_shown_in_header(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["awshealth: outputs=outputs.json (command line)*",
                                 "awshealth: 1 outputs (terraform) from outputs.json"])


def test_outputs_from_environment(pytester, write_outputs, monkeypatch) -> None:
    write_outputs(TF)
    pytester.makepyfile(PASSING)
    monkeypatch.setenv("AWSHEALTH_OUTPUTS", "outputs.json")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["awshealth: outputs=outputs.json (env AWSHEALTH_OUTPUTS)*"])


def test_outputs_from_ini(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makeini("[pytest]\naws_outputs = outputs.json\naws_region = eu-west-1\n")
    pytester.makepyfile(PASSING)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*outputs=outputs.json (ini aws_outputs)*"])


def test_command_line_beats_environment(pytester, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    pytester.makepyfile("def test_region(aws_context):\n    assert aws_context.region == 'ap-south-1'\n")
    result = pytester.runpytest("--aws-region", "ap-south-1")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*region=ap-south-1 (command line)*"])


def test_invalid_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PASSING)
    result = pytester.runpytest("--aws-max-attempts", "zero")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --aws-max-attempts: invalid value 'zero' (command line)*"])


def test_retry_and_timeouts_reach_botocore(pytester: pytest.Pytester, aws_env) -> None:
    pytester.makepyfile("""
        def test_config(aws_context):
            config = aws_context.client("dynamodb").meta.config
            resilience = aws_context.resilience  # replaces botocore's handler (standard mode)
            assert config.retries["mode"] == "standard"
            assert (resilience.mode, resilience.max_attempts) == ("adaptive", 7)
            assert resilience.limiter is not None
            assert (config.connect_timeout, config.read_timeout) == (1.5, 9.0)
            assert aws_context.client("dynamodb") is aws_context.client("dynamodb")
    """)
    result = pytester.runpytest("--aws-retry-mode", "adaptive", "--aws-max-attempts", "7",
                                "--aws-connect-timeout", "1.5", "--aws-read-timeout", "9")
    result.assert_outcomes(passed=1)


def test_endpoint_url_option(pytester: pytest.Pytester, aws_env, monkeypatch) -> None:
    url = aws_env.url
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    aws_env.client("dynamodb").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    pytester.makepyfile("def test_t(aws):\n    assert aws.dynamo_table('t').exists\n")
    result = pytester.runpytest("--aws-endpoint-url", url)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*endpoint-url={url} (command line)*"])


def test_botocore_service_endpoint_env_still_works(pytester, aws_env, monkeypatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", aws_env.url)
    aws_env.client("s3").create_bucket(Bucket="only-s3")
    pytester.makepyfile("def test_b(aws):\n    assert aws.s3_bucket('only-s3').exists\n")
    pytester.runpytest().assert_outcomes(passed=1)


def test_stack_outputs_are_read_live_from_cloudformation(pytester, aws_env) -> None:
    template = ('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, '
                '"Outputs": {"TableName": {"Value": "live-table"}}}')
    aws_env.client("cloudformation").create_stack(StackName="live", TemplateBody=template)
    pytester.makepyfile("def test_o(aws_outputs):\n    assert aws_outputs['TableName'] == 'live-table'\n")
    result = pytester.runpytest("--aws-stack", "live")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*stack=live (command line)*"])


def test_role_is_assumed(pytester, aws_env) -> None:
    role = aws_env.client("iam").create_role(
        RoleName="checker", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    pytester.makepyfile("""
        def test_role(aws_identity):
            assert ":assumed-role/checker/pytest-awshealth" in aws_identity.arn
    """)
    result = pytester.runpytest("--aws-role-arn", role, "--aws-external-id", "ext-1")
    result.assert_outcomes(passed=1)


def test_no_aws_call_before_tests_run(pytester, aws_env) -> None:
    """Collection with --aws-stack must not call AWS (the stack does not even exist)."""
    pytester.makepyfile("def test_o(aws_outputs):\n    pass\n")
    result = pytester.runpytest("--aws-stack", "nope", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*1 test collected*"])


def test_heavy_modules_are_not_imported_at_collection(pytester) -> None:
    """boto3, botocore, ssl, urllib.request and jsonpath_ng load when first needed (a
    gate without HTTP or JSONPath checks never pays for them)."""
    pytester.makepyfile("""
        import sys
        def test_lazy():
            heavy = {"boto3", "botocore", "ssl", "urllib.request", "jsonpath_ng"}
            assert sorted(heavy & set(sys.modules)) == []
    """)
    result = pytester.runpytest_subprocess("-p", "no:xdist")
    result.assert_outcomes(passed=1)


def test_missing_credentials_stop_the_run_with_one_error(pytester, aws_env, monkeypatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(pytester.path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(pytester.path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    pytester.makepyfile("""
        import pytest
        @pytest.mark.parametrize("n", range(20))
        def test_t(aws, n):
            assert aws.dynamo_table("t").exists
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines(["*NoCredentialsError*", "*AWS rejected the credentials*",
                                 "*aws sts get-caller-identity*", "*Interrupted*"])
