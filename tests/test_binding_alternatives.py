"""One gate for every IaC tool: ``any_of`` alternatives and ``optional`` bindings,
checked at collection against the outputs and resolved against the real emulator."""

from __future__ import annotations

import json

import pytest

from pytest_awshealth import Alternatives, any_of, optional
from pytest_awshealth.outputs import Outputs, parse_outputs

TABLE = dict(BillingMode="PAY_PER_REQUEST",
             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

GATE = """
    import pytest
    from pytest_awshealth import any_of, optional

    @pytest.mark.aws_output(dynamo_table=any_of("state_table_name", "StateTableName"))
    def test_state_table(dynamo_table):
        assert dynamo_table.name == "state"
        assert dynamo_table.status == "ACTIVE"

    @pytest.mark.aws_output(sns_topic=optional("alarm_topic_arn", "AlarmTopicArn"))
    def test_alarm_topic(sns_topic):
        assert sns_topic.exists

    @pytest.mark.aws_output(s3_bucket=[any_of("logs_bucket", "LogsBucket"), optional("extra")])
    def test_buckets(s3_bucket):
        assert s3_bucket.exists
"""


def run(pytester, outputs: dict, *args: str):
    (pytester.path / "outputs.json").write_text(json.dumps(outputs))
    pytester.makepyfile(GATE)
    return pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", "-rs", *args)


@pytest.mark.parametrize("keys", [
    {"state_table_name": "state", "logs_bucket": "logs"},  # Terraform style
    {"StateTableName": "state", "LogsBucket": "logs"},  # CDK style
])
def test_same_gate_for_both_key_styles(pytester, aws_env, keys) -> None:
    aws_env.client("dynamodb").create_table(TableName="state", **TABLE)
    aws_env.client("s3").create_bucket(Bucket="logs")
    result = run(pytester, keys)
    result.assert_outcomes(passed=2, skipped=2)
    result.stdout.fnmatch_lines([
        "*optional sns_topic: no output 'alarm_topic_arn' or 'AlarmTopicArn' in these outputs*",
        "*optional s3_bucket: no output 'extra' in these outputs*",
    ])
    assert result.ret == 0


def test_first_present_alternative_wins(pytester, aws_env) -> None:
    aws_env.client("dynamodb").create_table(TableName="state", **TABLE)
    aws_env.client("s3").create_bucket(Bucket="logs")
    result = run(pytester, {"state_table_name": "state", "StateTableName": "other",
                            "logs_bucket": "logs", "alarm_topic_arn": "arn:aws:sns:us-east-1:"
                            "123456789012:no-such-topic", "extra": "logs"}, "-v")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_buckets?logs_bucket|LogsBucket? PASSED*",
                                 "*test_buckets?extra? PASSED*"])
    assert "output 'alarm_topic_arn'" in result.stdout.str()  # the hint names the chosen key


def test_required_alternatives_all_absent_is_one_usage_error(pytester, aws_env) -> None:
    result = run(pytester, {"logs_bucket": "logs"})
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*unknown outputs in aws_output markers:*",
        "*test_state_table: aws_output(dynamo_table=...): none of the outputs "
        "'state_table_name' or 'StateTableName' exists*optional()*",
    ])
    assert "test_alarm_topic" not in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_xdist_resolves_alternatives_the_same(pytester, aws_env) -> None:
    aws_env.client("dynamodb").create_table(TableName="state", **TABLE)
    aws_env.client("s3").create_bucket(Bucket="logs")
    (pytester.path / "outputs.json").write_text(json.dumps(
        {"StateTableName": "state", "LogsBucket": "logs"}))
    pytester.makepyfile(GATE)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "-n", "2")
    result.assert_outcomes(passed=2, skipped=2)


def test_from_output_accepts_alternatives(pytester, aws_env) -> None:
    aws_env.client("s3").create_bucket(Bucket="logs")
    (pytester.path / "outputs.json").write_text(json.dumps({"LogsBucket": "logs"}))
    pytester.makepyfile("""
        from pytest_awshealth import any_of, optional

        def test_dynamic(aws):
            bucket = aws.from_output("s3_bucket", any_of("logs_bucket", "LogsBucket"))
            assert bucket.name == "logs" and bucket.exists

        def test_dynamic_optional(aws):
            aws.from_output("s3_bucket", optional("archive_bucket"))
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist")
    result.assert_outcomes(passed=1, skipped=1)


def test_helpers_unit() -> None:
    outputs = Outputs(parse_outputs({"B": "x"}, "o.json"))
    assert any_of("a", "B").choose(outputs) == "B"
    assert optional("a").choose(outputs) is None
    assert repr(optional("a")) == "optional('a')"
    assert repr(any_of("a", "b", optional=True)) == "any_of('a', 'b', optional=True)"
    assert isinstance(any_of("a"), Alternatives)
    assert list(any_of("a", "B")) == ["a", "B"]  # walkers of binding references see each key
    with pytest.raises(TypeError, match="any_of"):
        any_of()
    with pytest.raises(TypeError, match="optional"):
        any_of("a", optional="yes")  # type: ignore[arg-type]
