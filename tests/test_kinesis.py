"""The Kinesis data stream handle against the emulator: healthy, broken, updating, missing."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.resources.kinesis import KinesisStream

CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(kinesis_stream=["good", "bad"])
    def test_healthy(kinesis_stream):
        assert kinesis_stream.healthy
    def test_capacity(kinesis_stream):
        assert (kinesis_stream.stream_mode, kinesis_stream.shard_count) == ("PROVISIONED", 2)
    def test_encrypted(kinesis_stream):
        assert kinesis_stream.encrypted and kinesis_stream.kms_key == "alias/aws/kinesis"
    def test_retention(kinesis_stream):
        assert kinesis_stream.retention_hours >= 168
    def test_consumers_keep_up(kinesis_stream):
        assert kinesis_stream.iterator_age_ms(minutes=15) < 60_000
"""


def stream(emulator, name: str, shards: int, iterator_age_ms: float) -> None:
    kinesis = emulator.client("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    put_datapoint(emulator, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds",
                  {"StreamName": name}, iterator_age_ms)


def test_healthy_stream_passes_and_a_neglected_one_fails_each_check_with_its_hint(
        pytester, aws_env) -> None:
    stream(aws_env, "clicks", 2, 1200)
    aws_env.client("kinesis").start_stream_encryption(
        StreamName="clicks", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    aws_env.client("kinesis").increase_stream_retention_period(
        StreamName="clicks", RetentionPeriodHours=168)
    stream(aws_env, "orders", 1, 125_000)
    result = run_checks(pytester, {"good": "clicks", "bad": "orders"}, CHECKS, "-rA")
    result.assert_outcomes(passed=6, failed=4)
    assert failed(result) == [f"test_{name}[bad]" for name in (
        "capacity", "consumers_keep_up", "encrypted", "retention")]
    result.stdout.fnmatch_lines([
        "Kinesis data stream orders in us-east-1 does not have the expected capacity",
        "*aws kinesis update-shard-count --stream-name orders --region us-east-1 "
        "--target-shard-count <shards> --scaling-type UNIFORM_SCALING",
        "Kinesis data stream orders in us-east-1 is not encrypted with the expected KMS key",
        "*aws kinesis start-stream-encryption --stream-name orders --region us-east-1 "
        "--encryption-type KMS --key-id alias/aws/kinesis",
        "Kinesis data stream orders in us-east-1 keeps records for a shorter time than expected",
        "*aws kinesis increase-stream-retention-period --stream-name orders --region us-east-1 "
        "--retention-period-hours 168",
        "Kinesis data stream orders in us-east-1: consumers are behind, the oldest record read "
        "was 125000 ms old (Maximum over the last 15 min)",
        "*--metric-name GetRecords.IteratorAgeMilliseconds --dimensions Name=StreamName,Value=orders*",
        "*aws lambda list-event-source-mappings --event-source-arn "
        "arn:aws:kinesis:us-east-1:123456789012:stream/orders --region us-east-1*",
    ])


MISSING_OR_SETTLING = """
    import pytest
    @pytest.mark.aws_output(kinesis_stream=["settling", "gone"])
    def test_active(kinesis_stream):
        assert kinesis_stream.healthy
"""


def test_updating_stream_is_transitional_and_a_missing_one_names_account_and_output(
        pytester, aws_env) -> None:
    stream(aws_env, "clicks", 1, 0)
    aws_env.edit_backend("kinesis", "streams", "clicks", status="UPDATING")
    result = run_checks(pytester, {"settling": "clicks", "gone": "ghost"}, MISSING_OR_SETTLING)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "Kinesis data stream clicks in us-east-1 is not ACTIVE",
        "*awshealth settling*",
        "UPDATING is a transitional state: pass --aws-settle SECONDS*",
        "Kinesis data stream ghost does not exist in us-east-1 (account 123456789012)",
        "*output 'gone' holds the wrong stream name*",
        "*aws kinesis list-streams --region us-east-1*",
        "FAILED test_checks.py::test_active[[]settling[]] - clicks: is not ACTIVE*",
        "FAILED test_checks.py::test_active[[]gone[]] - ghost: does not exist in us-east-1*",
    ], consecutive=False)


def test_a_stream_named_by_its_arn_is_read_in_the_arn_region(pytester, aws_env) -> None:
    aws_env.client("kinesis", region="eu-west-1").create_stream(StreamName="clicks", ShardCount=3)
    arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"
    result = run_checks(pytester, {"stream": arn}, """
        import pytest
        @pytest.mark.aws_output(kinesis_stream="stream")
        def test_capacity(kinesis_stream):
            assert kinesis_stream.name == "clicks" and kinesis_stream.region == "eu-west-1"
            assert kinesis_stream.shard_count == 4
    """)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "Kinesis data stream clicks in eu-west-1 does not have the expected capacity",
        "*aws kinesis list-shards --stream-name clicks --region eu-west-1 *"])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    stream(aws_env, "clicks", 1, 0)
    assert_probes_read_what_they_declare(aws_env, KinesisStream, "clicks", metric=("IncomingRecords",))
