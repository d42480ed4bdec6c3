"""Bad input ends the run with one usage error (exit 4) that says what to do, never a
traceback: outputs files, option values, bound output values and a missing region."""

from __future__ import annotations

import os

import pytest

from pytest_awshealth.emulator.stacks import create_function, lambda_role, log_recent
from pytest_awshealth.errors import AwsCallError, ResourceNotFound, UnknownOutputError
from pytest_awshealth.outputs import MAX_BYTES, Outputs, parse_outputs
from pytest_awshealth.resources import AthenaWorkgroup, LambdaFunction, LogGroup, SnsTopic
from pytest_awshealth.resources.logs import may_match

USES_OUTPUTS = "def test_o(aws_outputs):\n    pass\n"
CALLS_AWS = "def test_t(aws):\n    assert aws.dynamo_table('t').exists\n"


def one_usage_error(result: pytest.RunResult, *fragments: str) -> str:
    """Assert exit 4 with exactly one ``ERROR:`` line holding ``fragments``; return it."""
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == pytest.ExitCode.USAGE_ERROR, output
    errors = [line for line in result.stderr.lines + result.stdout.lines
              if line.startswith("ERROR")]
    assert len(errors) == 1, output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    for noise in ("Traceback", "INTERNALERROR", "passed", "failed"):
        assert noise not in output, output
    return errors[0]


def run_with_file(pytester: pytest.Pytester, content: bytes) -> pytest.RunResult:
    (pytester.path / "outputs.json").write_bytes(content)
    pytester.makepyfile(USES_OUTPUTS)
    return pytester.runpytest("--aws-outputs", "outputs.json")


# --------------------------------------------------------------------------- outputs files


@pytest.mark.parametrize(("content", "expected"), [
    (b"[" * 100_000 + b"]" * 100_000, "nested more than 100 levels deep"),
    (b'{"a": ' + b"[" * 150 + b"]" * 150 + b"}", "nested more than 100 levels deep (output 'a')"),
    (b'{"n": ' + b"9" * 5000 + b"}", "a number with more than"),
    (b'{"a": NaN}', "contains NaN, which is not JSON"),
    (b'{"a": Infinity}', "contains Infinity"),
    (b'{"a": -Infinity}', "contains -Infinity"),
    (b'{"a": 1e999}', "a number too large"),
    (b'{"a": "\xe9t\xe9"}', "is not UTF-8 (bad byte at offset"),
    (b"\xff\xfe{\x00\x00", "is not UTF-16"),
    (b'{"a": "\\ud800"}', "lone surrogate"),
    (b'{"a": ', "invalid JSON"),
    (b"", "outputs file is empty"),
    (b"42", "unrecognised outputs format"),
    (b"[1, 2]", "unrecognised outputs format"),
    (b'{"Stacks": [{"StackName": "s", "Outputs": {"k": "v"}}]}', "'Outputs' must be a list"),
    (b'{"t": {"value": "orders", "type": "string"}, "Stacks": []}',
     "mixes formats: 1 key is a Terraform output but 'Stacks' is not; write it with "
     "`terraform output -json` alone"),
    (b'{"a": {"value": "x", "sensitive": false}, "b": {"value": "y", "sensitive": false}, '
     b'"c": "z"}', "2 keys are Terraform outputs but 'c' is not"),
], ids=["deep-array", "deep-value", "5000-digit-int", "nan", "infinity", "minus-infinity",
        "float-overflow", "not-utf8", "bad-utf16", "lone-surrogate", "truncated", "empty",
        "scalar", "array-of-numbers", "cfn-outputs-not-a-list", "terraform-and-cloudformation",
        "terraform-and-flat"])
def test_bad_outputs_file_is_one_usage_error(pytester, content: bytes, expected: str) -> None:
    line = one_usage_error(run_with_file(pytester, content), "outputs.json", expected)
    assert len(line) < 400


def test_utf16_with_bom_is_read(pytester) -> None:
    """Windows PowerShell's `>` writes UTF-16 with a BOM: read, not refused."""
    (pytester.path / "outputs.json").write_bytes('{"k": "v"}'.encode("utf-16"))
    pytester.makepyfile("def test_k(aws_outputs):\n    assert aws_outputs['k'] == 'v'\n")
    pytester.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=1)


def test_huge_outputs_file_is_refused_without_parsing(pytester) -> None:
    (pytester.path / "outputs.json").write_bytes(b'{"a": "' + b"x" * MAX_BYTES + b'"}')
    pytester.makepyfile(USES_OUTPUTS)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    one_usage_error(result, "outputs.json is larger than 16 MiB", "not a state file")


def test_directory_instead_of_file(pytester) -> None:
    (pytester.path / "deploy").mkdir()
    pytester.makepyfile(USES_OUTPUTS)
    result = pytester.runpytest("--aws-outputs", "deploy")
    one_usage_error(result, "outputs path is a directory: deploy",
                    f"--aws-outputs {os.path.join('deploy', 'outputs.json')}")


def test_path_through_a_file_is_unreadable(pytester) -> None:
    (pytester.path / "outputs.json").write_text("{}")
    pytester.makepyfile(USES_OUTPUTS)
    result = pytester.runpytest("--aws-outputs", "outputs.json/nested.json")
    one_usage_error(result, "cannot read outputs file outputs.json/nested.json: Not a directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(pytester) -> None:
    path = pytester.path / "outputs.json"
    path.write_text("{}")
    path.chmod(0)
    pytester.makepyfile(USES_OUTPUTS)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    one_usage_error(result, "permission denied", "chmod u+r outputs.json")


@pytest.mark.parametrize(("ref", "expected"), [
    ("$" + ".a" * 5000, "longer than 1000"),
    ("$" + "..a" * 333, "matched nothing"),
    ("$.names[?(@ =~ '(')]", "could not be evaluated"),  # re.error while filtering
    ("$[", "invalid JSONPath"),
    ("$.\ud800", "invalid JSONPath '$.\\ud800'"),
    ("$.a\nb", "invalid JSONPath '$.a\\nb'"),
], ids=["too-long", "deep", "bad-regex", "unclosed", "surrogate", "newline"])
def test_hostile_jsonpath_is_an_unknown_output(ref: str, expected: str) -> None:
    outputs = Outputs(parse_outputs({"names": ["x", "y"], "a": {"a": "b"}}, "o.json"))
    with pytest.raises(UnknownOutputError) as info:
        outputs[ref]
    message = str(info.value)
    assert expected in message and "\n" not in message
    message.encode("utf-8")  # printable on any UTF-8 terminal
    assert ref not in outputs


def test_hostile_jsonpath_in_a_marker_is_one_usage_error(pytester, write_outputs) -> None:
    write_outputs({"names": ["x"]})
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(s3_bucket="$.names[?(@ =~ '(')]")
        def test_b(s3_bucket): pass
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-region", "us-east-1")
    one_usage_error(result, "unknown outputs in aws_output markers")
    result.stderr.fnmatch_lines(["*test_b*could not be evaluated*"])


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(("args", "expected"), [
    (["--aws-read-timeout=nan"], "--aws-read-timeout: invalid value 'nan' (command line): "
                                 "expected a number of seconds greater than 0"),
    (["--aws-connect-timeout=inf"], "--aws-connect-timeout: invalid value 'inf'"),
    (["--aws-read-timeout=0"], "--aws-read-timeout: invalid value '0'"),
    (["--aws-retry-mode="], "--aws-retry-mode: empty value (command line): expected one of "
                            "standard, adaptive, legacy; omit it to leave it unset"),
    (["--aws-stack="], "--aws-stack: empty value (command line): expected a CloudFormation "
                       "stack name"),
    (["--aws-outputs="], "--aws-outputs: empty value (command line)"),
    (["--aws-endpoint-url=not a url"], "--aws-endpoint-url: invalid value 'not a url' "
                                       "(command line): expected a URL with http://"),
    (["--aws-endpoint-url=ftp://host"], "expected a URL with http:// or https:// and a host"),
    (["--aws-endpoint-url=http://"], "expected a URL with http:// or https:// and a host"),
    (["--aws-endpoint-url=http://h:99999"], "--aws-endpoint-url: invalid value"),
    (["--aws-endpoint-url=http://[::1"], "expected a URL with http:// or https:// and a host"),
    (["--aws-region=useast1"], "--aws-region: invalid value 'useast1' (command line): "
                               "expected an AWS region such as us-east-1"),
    (["--aws-region=us east 1"], "--aws-region: invalid value 'us east 1'"),
    (["--aws-role-arn=checker"], "--aws-role-arn: invalid value 'checker' (command line): "
                                 "expected an IAM role ARN such as arn:aws:iam::123456789012"),
    (["--aws-role-arn=arn:aws:iam::123456789012:user/me"], "expected an IAM role ARN"),
    (["--aws-max-attempts=0"], "--aws-max-attempts: invalid value '0' (command line): "
                               "expected a whole number of attempts from 1 to 20"),
    (["--aws-max-attempts=1000"], "--aws-max-attempts: invalid value '1000'"),
    (["--aws-throttle-attempts=1000000"], "--aws-throttle-attempts: invalid value '1000000' "
                                          "(command line): expected a whole number of "
                                          "attempts from 1 to 30"),
    (["--aws-profile= "], "--aws-profile: invalid value ' '"),
    (["--aws-settle=nan"], "--aws-settle: invalid value 'nan'"),
    (["--aws-external-id=secret-ish value"], "--aws-external-id: invalid value (command line)"),
], ids=lambda value: value[0] if isinstance(value, list) else None)
def test_bad_option_is_one_usage_error(pytester, args: list[str], expected: str) -> None:
    pytester.makepyfile(USES_OUTPUTS)
    line = one_usage_error(pytester.runpytest(*args), expected)
    if "external-id" in expected:
        assert "secret-ish" not in line


@pytest.mark.parametrize("value", ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1",
                                   "ap-southeast-5", "us-isob-east-1"])
def test_real_region_names_are_accepted(pytester, value: str) -> None:
    pytester.makepyfile(f"def test_r(aws_context):\n    assert aws_context.region == {value!r}\n")
    pytester.runpytest("--aws-region", value).assert_outcomes(passed=1)


def test_bad_value_from_own_environment_names_the_variable(pytester, monkeypatch) -> None:
    monkeypatch.setenv("AWSHEALTH_READ_TIMEOUT", "inf")
    pytester.makepyfile(USES_OUTPUTS)
    one_usage_error(pytester.runpytest(),
                    "--aws-read-timeout: invalid value 'inf' (env AWSHEALTH_READ_TIMEOUT)")


def test_explicitly_empty_ini_value_is_an_error(pytester) -> None:
    pytester.makeini("[pytest]\naws_stack =\n")
    pytester.makepyfile(USES_OUTPUTS)
    one_usage_error(pytester.runpytest(), "--aws-stack: empty value (ini aws_stack)")


def test_every_bad_option_is_listed_in_one_error(pytester) -> None:
    pytester.makeini("[pytest]\naws_read_timeout = nan\n")
    pytester.makepyfile(USES_OUTPUTS)
    result = pytester.runpytest("--aws-stack=", "--aws-region=useast1")
    one_usage_error(result, "3 invalid awshealth options")
    result.stderr.fnmatch_lines(["*--aws-stack: empty value (command line)*",
                                 "*--aws-region: invalid value 'useast1' (command line)*",
                                 "*--aws-read-timeout: invalid value 'nan' (ini aws_read_timeout)*"])


def test_help_works_with_broken_options(pytester) -> None:
    pytester.makeini("[pytest]\naws_read_timeout = nan\n")
    result = pytester.runpytest("--aws-retry-mode=", "--aws-endpoint-url=nope", "--help")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*--aws-endpoint-url=URL*"])


def test_bad_shared_aws_variable_spares_unrelated_runs(pytester, monkeypatch) -> None:
    """AWS_REGION belongs to every AWS tool: a bad one only matters to tests calling AWS."""
    monkeypatch.setenv("AWS_REGION", "local")
    pytester.makepyfile("def test_unrelated():\n    pass\n")
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makepyfile(CALLS_AWS)
    one_usage_error(pytester.runpytest(), "--aws-region: invalid value 'local' (env AWS_REGION)")


# --------------------------------------------------------------------------- bindings

BOUND = """
import pytest
@pytest.mark.aws_output(dynamo_table="empty")
def test_empty(dynamo_table): pass
@pytest.mark.aws_output(dynamo_table="empty")
def test_empty_again(dynamo_table): pass
@pytest.mark.aws_output(s3_bucket=["names", "count", "nothing", "padded", "good", "$.groups",
                                   "table_arn", "bucket_arn"])
def test_each(s3_bucket): pass
"""
VALUES = {"empty": "", "names": {"a": "b"}, "count": 3, "nothing": None, "padded": " b\n",
          "good": "bucket", "groups": ["logs-a", "logs-b"], "bucket_arn": "arn:aws:s3:::bucket",
          "table_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders"}


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_unusable_bound_values_are_one_usage_error(pytester, write_outputs, xdist) -> None:
    write_outputs(VALUES)
    pytester.makepyfile(BOUND)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-region", "us-east-1",
                                *xdist)
    one_usage_error(result, "7 problems before any check could run")
    result.stderr.fnmatch_lines([
        "*test_empty (and 1 more): aws_output(dynamo_table=...): output 'empty' is empty*",
        "*::test_each?names?: aws_output(s3_bucket=...): output 'names' is a JSON object*"
        "\"$.names.<field>\"*",
        "*::test_each?count?: *output 'count' is an int, not a resource name*",
        "*::test_each?nothing?: *output 'nothing' is null*",
        "*::test_each?padded?: *output 'padded' has leading or trailing whitespace*",
        "*::test_each?groups?: *output '$.groups' is a JSON array*one item with a JSONPath "
        "such as \"$.groups?0?\"*",
        "*::test_each?table_arn?: *output 'table_arn' holds a dynamodb ARN; s3_bucket needs the "
        "name or ARN of the S3 bucket (s3): bind the output that names it",
    ])
    assert "'good'" not in result.stderr.str() and "'bucket_arn'" not in result.stderr.str()
    assert "table/orders" not in result.stderr.str()  # the value is not shown


def test_sensitive_empty_value_names_the_key_only(pytester, write_outputs) -> None:
    write_outputs({"db": {"value": {"host": "h0st-s3cr3t"}, "type": "map", "sensitive": True}})
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(secret="db")
        def test_s(secret): pass
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-region", "us-east-1")
    one_usage_error(result, "output 'db' is a JSON object")
    assert "h0st-s3cr3t" not in result.stdout.str() + result.stderr.str()


# --------------------------------------------------------------------------- region


@pytest.fixture
def no_region(pytester, monkeypatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(pytester.path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(pytester.path / "no-credentials"))


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_no_region_is_one_usage_error_before_any_call(pytester, no_region, xdist) -> None:
    pytester.makepyfile("""
        import pytest
        @pytest.mark.parametrize("n", range(5))
        def test_t(aws, n):
            raise AssertionError("must not run")
    """)
    result = pytester.runpytest(*xdist)
    one_usage_error(result, "no AWS region for 5 test(s) that call AWS (e.g. test_",
                    "pass --aws-region REGION, set AWS_REGION")


def test_no_region_is_fine_for_collect_only(pytester, no_region) -> None:
    pytester.makepyfile(CALLS_AWS)
    result = pytester.runpytest("--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*1 test collected*"])


def test_no_region_is_fine_for_tests_that_do_not_call_aws(pytester, write_outputs,
                                                          no_region) -> None:
    write_outputs({"k": "v"})
    pytester.makepyfile("""
        def test_o(aws_outputs):
            assert aws_outputs["k"] == "v"
        def test_plain():
            pass
    """)
    pytester.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=2)


def test_region_from_the_profile_counts(pytester, no_region, monkeypatch) -> None:
    config = pytester.path / "config"
    config.write_text("[profile checks]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    pytester.makepyfile("def test_r(aws_context):\n    assert aws_context.region == 'eu-west-1'\n")
    pytester.runpytest("--aws-profile", "checks").assert_outcomes(passed=1)


@pytest.mark.parametrize("region", [[], ["--aws-region", "eu-west-1"]], ids=["", "with-region"])
def test_unknown_profile_is_one_usage_error(pytester, no_region, region) -> None:
    pytester.makepyfile(CALLS_AWS)
    result = pytester.runpytest("--aws-profile", "nope", *region)
    one_usage_error(result, "AWS profile 'nope' is not in your AWS config",
                    "aws configure --profile nope")


def test_region_in_profile_that_is_not_a_region(pytester, no_region, monkeypatch) -> None:
    config = pytester.path / "config"
    config.write_text("[default]\nregion = useast1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    pytester.makepyfile(CALLS_AWS)
    one_usage_error(pytester.runpytest(), "region 'useast1' (your AWS config) is not an AWS "
                                          "region")


# --------------------------------------------------------------------------- emulator quirks


def test_dry_run_of_a_missing_function_is_not_found(aws_env) -> None:
    """moto answers DryRun 204 for any name; AWS says ResourceNotFound, and so must we."""
    answer = aws_env.client("lambda").invoke(FunctionName="gone", InvocationType="DryRun")
    assert answer["StatusCode"] == 204  # the quirk is still there
    create_function(aws_env, "here", lambda_role(aws_env, "r"))
    assert LambdaFunction("here").dry_run()
    with pytest.raises(ResourceNotFound, match="does not exist"):
        LambdaFunction("gone").dry_run()


def test_dry_run_of_a_missing_function_fails_with_the_missing_hint(pytester, aws_env,
                                                                    write_outputs) -> None:
    write_outputs({"fn": "deleted-fn"})
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(lambda_fn="fn")
        def test_dry(lambda_fn):
            assert lambda_fn.dry_run()
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Lambda function deleted-fn does not exist in us-east-1*"])


def test_invoke_of_a_missing_function_is_not_found(aws_env) -> None:
    """moto answers 200 and echoes the payload for any name."""
    answer = aws_env.client("lambda").invoke(FunctionName="gone", Payload=b"{}")
    assert answer["StatusCode"] == 200 and not answer.get("FunctionError")
    with pytest.raises(ResourceNotFound, match="does not exist"):
        LambdaFunction("gone").invoke({"ping": 1})


def test_query_in_a_disabled_workgroup_fails_as_on_aws(aws_env) -> None:
    """AWS refuses StartQueryExecution in a DISABLED workgroup; moto runs the query."""
    athena = aws_env.client("athena")
    athena.create_work_group(Name="off", Configuration={
        "ResultConfiguration": {"OutputLocation": "s3://results/"}})
    aws_env.set_athena_workgroup_state("off", "DISABLED")
    started = athena.start_query_execution(QueryString="SELECT 1", WorkGroup="off")
    status = athena.get_query_execution(QueryExecutionId=started["QueryExecutionId"])
    assert status["QueryExecution"]["Status"]["State"] == "SUCCEEDED"  # the quirk
    result = AthenaWorkgroup("off").query("SELECT 1", timeout=5)
    assert (result.ok, result.state, result.reason) == (False, "FAILED",
                                                        "workgroup off is DISABLED")


def test_athena_invalid_request_is_not_found_only_when_it_says_so(aws_env) -> None:
    athena = aws_env.client("athena")
    athena.create_work_group(Name="wg")
    aws_env.inject_fault("athena", "StartQueryExecution", error_code="InvalidRequestException",
                         message="No output location provided", count=1)
    result = AthenaWorkgroup("wg").query("SELECT 1", timeout=5)
    assert (result.state, result.reason) == ("FAILED", "No output location provided")
    aws_env.inject_fault("athena", "GetWorkGroup", error_code="InvalidRequestException",
                         message="WorkGroup nope is not found.", count=1)
    assert not AthenaWorkgroup("nope").exists


@pytest.mark.parametrize(("pattern", "message", "expected"), [
    ("?ERROR ?Exception", "INFO all good", False),
    ("?ERROR ?Exception", "java.lang.Exception: boom", True),
    ("?ERROR ?Exception", "[error] lower case", True),  # a superset: case ignored
    ("ERROR timeout", "ERROR disk full", False),
    ('"Task timed out"', "Task timed out after 3.00 seconds", True),
    ("ERROR -Retrying", "ERROR Retrying", True),  # exclusions are left to AWS
    ("{ $.level = \"ERROR\" }", "anything", True),
    ("[ip, user, status=5*]", "anything", True),
    ("%ERR(OR)?%", "anything", True),
    ('"unbalanced', "anything", True),
    ("", "anything", True),
])
def test_term_patterns_are_rechecked_as_a_superset_of_aws(pattern, message, expected) -> None:
    assert may_match(pattern, message) is expected


def test_or_pattern_does_not_report_every_line_as_an_error(aws_env) -> None:
    """moto returns every event for ``?ERROR ?Exception``; AWS only the matching ones."""
    log_recent(aws_env, "/app", "INFO started", "ERROR db down", "INFO done")
    raw = aws_env.client("logs").filter_log_events(logGroupName="/app",
                                                   filterPattern="?ERROR ?Exception")
    assert len(raw["events"]) == 3  # the quirk
    group = LogGroup("/app")
    assert group.errors("?ERROR ?Exception") == ["ERROR db down"]
    assert not group.no_lines_matching("?ERROR ?Exception")
    assert group.no_lines_matching("?Exception ?Traceback")


def test_unreadable_subscriptions_are_not_counted_as_confirmed(aws_env) -> None:
    sns = aws_env.client("sns")
    arn = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs",
                  Endpoint="arn:aws:sqs:us-east-1:123456789012:q")
    aws_env.inject_fault("sns", "ListSubscriptionsByTopic", error_code="AuthorizationError",
                         status=403, message="not authorized")
    with pytest.raises(AwsCallError) as info:
        SnsTopic(arn).pending_subscriptions
    assert not isinstance(info.value, ResourceNotFound)
