"""Kinesis data streams.

moto keeps every stream ACTIVE; the emulator makes one CREATING or UPDATING by editing
moto's model: ``emulator.edit_backend("kinesis", "streams", name, status="UPDATING")``.
moto publishes no AWS/Kinesis metrics; tests put the iterator-age datapoints themselves.
"""

from __future__ import annotations

from typing import Any

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum

R = "--stream-name {name} --region {region}"
SUMMARY = f"aws kinesis describe-stream-summary {R}"
ITERATOR_AGE = "GetRecords.IteratorAgeMilliseconds"
CAPACITY = Hint(
    "Kinesis data stream {name} in {region} does not have the expected capacity",
    ("a resharding (UpdateShardCount) is in progress or was made by hand or by an autoscaler",
     "the stream is ON_DEMAND, which adds and removes shards by itself",
     "the stream definition sets another shard count or capacity mode than the check expects"),
    (SUMMARY + " --query 'StreamDescriptionSummary.[StreamModeDetails.StreamMode,OpenShardCount]'",
     f"aws kinesis list-shards {R} --query 'Shards[].[ShardId,SequenceNumberRange.EndingSequenceNumber]'"),
    (f"aws kinesis update-shard-count {R} --target-shard-count <shards> --scaling-type UNIFORM_SCALING",
     "aws kinesis update-stream-mode --stream-arn {arn} --stream-mode-details StreamMode=PROVISIONED "
     "--region {region}   # or ON_DEMAND",
     "better: set the shard count or mode in the stream definition and redeploy"))
ENCRYPTION = Hint(
    "Kinesis data stream {name} in {region} is not encrypted with the expected KMS key",
    ("server-side encryption is off by default and the stream definition does not turn it on",
     "encryption was stopped (StopStreamEncryption), or another key than the expected one is used"),
    (SUMMARY + " --query 'StreamDescriptionSummary.[EncryptionType,KeyId]'",),
    (f"aws kinesis start-stream-encryption {R} --encryption-type KMS --key-id alias/aws/kinesis",
     "producers and consumers then need kms:GenerateDataKey / kms:Decrypt on a customer managed key"))


class KinesisStream(Resource, Metrics):
    """A Kinesis data stream: ``assert kinesis_stream.healthy``,
    ``assert kinesis_stream.iterator_age_ms(minutes=15) < 60_000``."""

    fixture = "kinesis_stream"
    arn_types = ("kinesis:stream",)
    output_words = ("stream",)
    service = "kinesis"
    kind = "Kinesis data stream"
    hint_prefix = "kinesis.stream"
    arn_format = "arn:{partition}:kinesis:{region}:{account}:stream/{name}"
    named_from_arn = True
    describe_operations = ("describe_stream_summary",)
    healthy_when = ("status",)
    metric_namespace = "AWS/Kinesis"
    hints = {"missing": Hint(
        "Kinesis data stream {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong stream name"),
        (SUMMARY, "aws kinesis list-streams --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the stream is created",))}


    def describe(self) -> dict[str, Any]:
        return self.call("describe_stream_summary", StreamName=self.name)["StreamDescriptionSummary"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"StreamName": self.name}

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "arn": lambda: self.known_arn(ask=True) or "<stream-arn>"}

    status = field("StreamStatus", equals("ACTIVE"), transitional=not_yet("CREATING", "UPDATING"),
                   doc="StreamStatus (str): ACTIVE when healthy; CREATING and UPDATING settle by "
                   "themselves (an UPDATING stream still takes reads and writes).", hint=Hint(
        "Kinesis data stream {name} in {region} is not ACTIVE",
        ("the stream is still CREATING, or UPDATING while it reshards or changes mode or encryption",
         "the stream is being deleted (DELETING)"),
        (SUMMARY + " --query 'StreamDescriptionSummary.[StreamStatus,OpenShardCount]'",),
        (f"aws kinesis wait stream-exists {R}",)))
    shard_count = field("OpenShardCount", default=0, hint=CAPACITY,
                        doc="Open shards (int); healthy: what the stream definition sets.")
    stream_mode = field("StreamModeDetails.StreamMode", default="PROVISIONED", hint=CAPACITY,
                        doc="Capacity mode (str): PROVISIONED or ON_DEMAND; healthy: what "
                        "the stream definition sets.")
    encrypted = field("EncryptionType", truthy, hint=ENCRYPTION, then=lambda kind: kind == "KMS",
                      doc="True (healthy) when server-side encryption with KMS is on.")
    kms_key = field("KeyId", hint=ENCRYPTION,
                    doc="The KMS key (str: ID, ARN or alias) that encrypts the stream, or "
                    "None; healthy: the key the stream definition names.")
    retention_hours = field("RetentionPeriodHours", default=24, doc=(
        "How long records stay readable (int hours, 24 to 8760); healthy: at least what "
        "consumers need to catch up after an outage."), hint=Hint(
        "Kinesis data stream {name} in {region} keeps records for a shorter time than expected",
        ("the retention is the default 24 hours: the stream definition does not set it",
         "it was decreased by hand (DecreaseStreamRetentionPeriod)"),
        (SUMMARY + " --query 'StreamDescriptionSummary.RetentionPeriodHours'",),
        (f"aws kinesis increase-stream-retention-period {R} --retention-period-hours 168",
         "then set the retention in the stream definition, so the next deploy keeps it")))

    @probe(Hint(
        "Kinesis data stream {name} in {region}: consumers are behind, the oldest record read was "
        "{value} ms old ({statistic} over the last {minutes} min)",
        ("a consumer fails on a record and retries the same batch until it expires (a poison record)",
         "consumers are too slow or too few for the write rate (one Lambda per shard by default)",
         "a consumer is stopped: its event source mapping is disabled, or the KCL application is down"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/Kinesis --metric-name "
         f"{ITERATOR_AGE} --dimensions Name=StreamName,Value={{name}} --start-time {SINCE} "
         f"--end-time {NOW} --period 300 --statistics Maximum --region {{region}}",
         "aws lambda list-event-source-mappings --event-source-arn {arn} --region {region} "
         "--query 'EventSourceMappings[].[FunctionArn,State,LastProcessingResult]'"),
        ("fix the consumer's error (its logs name the record); on a Lambda mapping set "
         "--bisect-batch-on-function-error and --maximum-retry-attempts with an on-failure destination",
         "aws lambda update-event-source-mapping --uuid <mapping-uuid> --parallelization-factor 4 "
         "--region {region}   # more concurrent batches per shard",
         f"aws kinesis update-shard-count {R} --target-shard-count <shards> --scaling-type UNIFORM_SCALING")),
        reads=("describe", "get_metric_statistics"))
    def iterator_age_ms(self, minutes: int = 60) -> MetricSum:
        """The worst 5-minute Maximum of ``GetRecords.IteratorAgeMilliseconds`` over the last
        ``minutes`` (MetricSum, ms; 0.0 without reads); healthy: well below the retention."""
        return self.read_metric(ITERATOR_AGE, "Maximum", minutes)
