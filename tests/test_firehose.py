"""The Firehose stream handle against the emulator: healthy, failing deliveries, no
encryption, another destination, creating, missing."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.resources.firehose import FirehoseStream

CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(firehose_stream=["good", "bad"])
    def test_healthy(firehose_stream):
        assert firehose_stream.healthy and firehose_stream.source_type == "DirectPut"
    def test_destination(firehose_stream):
        assert firehose_stream.destination == "S3"
        assert firehose_stream.destination_arn == "arn:aws:s3:::lake"
    def test_encrypted(firehose_stream):
        assert firehose_stream.encrypted
    def test_delivers(firehose_stream):
        assert firehose_stream.delivery_success(minutes=15) == 1
    def test_fresh(firehose_stream):
        assert firehose_stream.data_freshness_s(minutes=15) < 900
"""


def stream(emulator, name: str, bucket: str, success: float, freshness: float) -> None:
    emulator.client("s3").create_bucket(Bucket=bucket)
    emulator.client("firehose").create_delivery_stream(
        DeliveryStreamName=name, DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": f"arn:aws:s3:::{bucket}"})
    dimensions = {"DeliveryStreamName": name}
    put_datapoint(emulator, "AWS/Firehose", "DeliveryToS3.Success", dimensions, success)
    put_datapoint(emulator, "AWS/Firehose", "DeliveryToS3.DataFreshness", dimensions, freshness)


def test_healthy_stream_passes_and_a_failing_one_fails_each_check_with_its_hint(
        pytester, aws_env) -> None:
    stream(aws_env, "events", "lake", 1, 70)
    aws_env.edit_backend("firehose", "delivery_streams", "events",
                         delivery_stream_encryption_configuration={
                             "KeyType": "AWS_OWNED_CMK", "Status": "ENABLED"})
    stream(aws_env, "clicks", "old-lake", 0, 5400)
    result = run_checks(pytester, {"good": "events", "bad": "clicks"}, CHECKS, "-rA")
    result.assert_outcomes(passed=6, failed=4)
    assert failed(result) == [f"test_{name}[bad]" for name in (
        "delivers", "destination", "encrypted", "fresh")]
    result.stdout.fnmatch_lines([
        "Firehose stream clicks in us-east-1 delivers to S3 arn:aws:s3:::old-lake, not where "
        "the check expects",
        "Firehose stream clicks in us-east-1 does not encrypt the data it buffers",
        "*aws firehose start-delivery-stream-encryption --delivery-stream-name clicks "
        "--region us-east-1 --delivery-stream-encryption-configuration-input KeyType=AWS_OWNED_CMK",
        "Firehose stream clicks in us-east-1 does not deliver to S3 as it should "
        "(DeliveryToS3.Success: 0, Minimum over the last 15 min)",
        "*--metric-name DeliveryToS3.Success --dimensions Name=DeliveryStreamName,Value=clicks *",
        "*aws logs filter-log-events --log-group-name /aws/kinesisfirehose/clicks *",
        "Firehose stream clicks in us-east-1 does not deliver to S3 as it should "
        "(DeliveryToS3.DataFreshness: 5400, Maximum over the last 15 min)",
    ])


def test_creating_stream_is_transitional_and_a_missing_one_names_the_output(
        pytester, aws_env) -> None:
    stream(aws_env, "events", "lake", 1, 0)
    aws_env.edit_backend("firehose", "delivery_streams", "events",
                         delivery_stream_status="CREATING")
    result = run_checks(pytester, {"new": "events", "gone": "ghost"}, """
        import pytest
        @pytest.mark.aws_output(firehose_stream=["new", "gone"])
        def test_active(firehose_stream):
            assert firehose_stream.healthy
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "Firehose stream events in us-east-1 is not ACTIVE",
        "*aws firehose describe-delivery-stream --delivery-stream-name events --region us-east-1 *",
        "CREATING is a transitional state: pass --aws-settle SECONDS*",
        "Firehose stream ghost does not exist in us-east-1 (account 123456789012)",
        "*aws firehose list-delivery-streams --region us-east-1",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    stream(aws_env, "events", "lake", 1, 0)
    assert_probes_read_what_they_declare(aws_env, FirehoseStream, "events",
                                         metric=("IncomingRecords",))
