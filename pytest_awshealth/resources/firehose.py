"""Amazon Data Firehose streams (delivery streams).

moto keeps every stream ACTIVE and leaves ``Status`` out of the encryption
configuration; the emulator sets both on moto's model:
``emulator.edit_backend("firehose", "delivery_streams", "s", delivery_stream_status="CREATING")``
(``delivery_stream_encryption_configuration={..., "Status": "ENABLED"}``). moto publishes
no AWS/Firehose metrics; tests put the ``DeliveryTo*`` datapoints themselves.
"""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum

S = "--delivery-stream-name {name} --region {region}"
DESCRIBE = f"aws firehose describe-delivery-stream {S}"
METRICS = ("describe", "get_metric_statistics")
#: Destination description key -> (destination, metric prefix, where its target is named).
DESTINATIONS = {
    "ExtendedS3DestinationDescription": ("S3", "DeliveryToS3", "BucketARN"),
    "S3DestinationDescription": ("S3", "DeliveryToS3", "BucketARN"),
    "RedshiftDestinationDescription": ("Redshift", "DeliveryToRedshift", "ClusterJDBCURL"),
    "AmazonopensearchserviceDestinationDescription": (
        "OpenSearch", "DeliveryToAmazonOpenSearchService", "DomainARN"),
    "AmazonOpenSearchServerlessDestinationDescription": (
        "OpenSearch Serverless", "DeliveryToAmazonOpenSearchServerless", "CollectionEndpoint"),
    "ElasticsearchDestinationDescription": ("Elasticsearch", "DeliveryToElasticsearch", "DomainARN"),
    "SplunkDestinationDescription": ("Splunk", "DeliveryToSplunk", "HECEndpoint"),
    "HttpEndpointDestinationDescription": (
        "HTTP endpoint", "DeliveryToHttpEndpoint", "EndpointConfiguration.Url"),
    "SnowflakeDestinationDescription": ("Snowflake", "DeliveryToSnowflake", "AccountUrl"),
    "IcebergDestinationDescription": (
        "Iceberg", "DeliveryToIceberg", "CatalogConfiguration.CatalogARN"),
}
ERROR_LOGS = ("aws logs filter-log-events --log-group-name /aws/kinesisfirehose/{name} "
              "--start-time $(date -d '{minutes} minutes ago' +%s000) --region {region}")
DELIVERY = Hint(
    "Firehose stream {name} in {region} does not deliver to {destination} as it should "
    "({metric}: {value}, {statistic} over the last {minutes} min)",
    ("the stream's role cannot write to the destination (the bucket policy, a KMS key "
     "policy or the role's own policy denies it)",
     "the destination refuses or is unreachable (an OpenSearch domain that is red or full, "
     "an HTTP endpoint answering errors, a Redshift COPY failing)",
     "a transformation Lambda fails or times out, so records go to the error prefix",
     "no delivery was attempted in the window (the metric has no datapoints): nothing was sent"),
    ("aws cloudwatch get-metric-statistics --namespace AWS/Firehose --metric-name {metric} "
     "--dimensions Name=DeliveryStreamName,Value={name} --start-time " + SINCE + " --end-time "
     + NOW + " --period 300 --statistics {statistic} --region {region}",
     ERROR_LOGS + "   # the DestinationDelivery error log, when error logging is on",
     DESCRIBE + " --query 'DeliveryStreamDescription.Destinations[0]'"),
    ("fix what the error log names (permissions on the destination, the destination's "
     "health, the transformation), then re-check: Firehose retries failed deliveries "
     "(S3 for 24 hours) and sends what it gives up on to the backup or error prefix",))


def _encryption_status(stream: FirehoseStream) -> Optional[str]:
    return (stream.describe().get("DeliveryStreamEncryptionConfiguration") or {}).get("Status")


class FirehoseStream(Resource, Metrics):
    """An Amazon Data Firehose stream: ``assert firehose_stream.healthy``,
    ``assert firehose_stream.destination_arn == "arn:aws:s3:::lake"``,
    ``assert firehose_stream.delivery_success(minutes=30) == 1``."""

    fixture = "firehose_stream"
    service = "firehose"
    kind = "Firehose stream"
    hint_prefix = "firehose.stream"
    arn_format = "arn:{partition}:firehose:{region}:{account}:deliverystream/{name}"
    named_from_arn = True
    describe_operations = ("describe_delivery_stream",)
    healthy_when = ("status",)
    metric_namespace = "AWS/Firehose"
    hints = {"missing": Hint(
        "Firehose stream {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong stream name"),
        (DESCRIBE, "aws firehose list-delivery-streams --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the stream is created",))}


    def describe(self) -> dict[str, Any]:
        answer = self.call("describe_delivery_stream", DeliveryStreamName=self.name)
        return answer["DeliveryStreamDescription"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"DeliveryStreamName": self.name}

    status = field("DeliveryStreamStatus", equals("ACTIVE"), transitional=not_yet("CREATING"),
                   doc="DeliveryStreamStatus (str): ACTIVE when healthy; CREATING settles by "
                   "itself, CREATING_FAILED does not.", hint=Hint(
        "Firehose stream {name} in {region} is not ACTIVE",
        ("the stream is still CREATING (a minute or two)",
         "creation failed (CREATING_FAILED): its role cannot be assumed, or cannot reach "
         "the source stream or the destination's KMS key",
         "the stream is being deleted"),
        (DESCRIBE + " --query 'DeliveryStreamDescription.[DeliveryStreamStatus,"
         "FailureDescription]'",),
        ("a failed stream: fix the role or key its FailureDescription names, delete the "
         "stream and re-run the deploy",)))
    source_type = field("DeliveryStreamType", doc="Where records come from (str): ``DirectPut``, "
                        "``KinesisStreamAsSource`` or ``MSKAsSource``.")
    source_stream_arn = field("Source.KinesisStreamSourceDescription.KinesisStreamARN",
                              doc="The Kinesis data stream read from (str), or None.")
    encrypted = field("DeliveryStreamEncryptionConfiguration.Status", truthy, default="DISABLED",
                      then=lambda status: status == "ENABLED",
                      transitional=not_yet("ENABLING", of=_encryption_status),
                      doc="True (healthy) when server-side encryption is ENABLED (a stream "
                      "reading a Kinesis data stream relies on that stream's encryption).",
                      hint=Hint(
        "Firehose stream {name} in {region} does not encrypt the data it buffers",
        ("server-side encryption is off in the stream definition",
         "enabling failed (ENABLING_FAILED): the stream's role may not use the KMS key"),
        (DESCRIBE + " --query 'DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration'",),
        (f"aws firehose start-delivery-stream-encryption {S} "
         "--delivery-stream-encryption-configuration-input KeyType=AWS_OWNED_CMK",)))

    @property
    @probe(Hint(
        "Firehose stream {name} in {region} delivers to {destination} {target}, not where "
        "the check expects",
        ("the stream definition names another bucket, domain or endpoint than the "
         "application's stack (an old name, or another environment's)",
         "the destination was changed by hand (UpdateDestination)"),
        (DESCRIBE + " --query 'DeliveryStreamDescription.Destinations'",),
        ("fix the destination in the stream definition and redeploy (aws firehose "
         "update-destination changes it in place)",)))
    def destination(self) -> str:
        """Where records go (str): ``S3``, ``Redshift``, ``OpenSearch``, ``Splunk``,
        ``HTTP endpoint``, ``Snowflake``, ``Iceberg``...; healthy: what the definition sets."""
        return self._destination()[0]

    @property
    @probe("destination")
    def destination_arn(self) -> Optional[str]:
        """The bucket ARN, domain ARN, JDBC URL or endpoint URL the stream delivers to
        (str); healthy: the one the application reads from."""
        return self._destination()[2]

    @probe(DELIVERY, equals(1.0), reads=METRICS)
    def delivery_success(self, minutes: int = 60) -> MetricSum:
        """The lowest ``DeliveryTo<destination>.Success`` (MetricSum, 0 to 1) in any
        5-minute period of the last ``minutes``: 1.0 (healthy) when every delivery attempt
        succeeded; 0.0 also when no attempt was made (no datapoints)."""
        return self.read_metric(self._metric("Success"), "Minimum", minutes)

    @probe(DELIVERY, reads=METRICS)
    def data_freshness_s(self, minutes: int = 60) -> MetricSum:
        """The age in seconds of the oldest record not yet delivered (MetricSum, the highest
        ``DeliveryTo<destination>.DataFreshness`` of the last ``minutes``); healthy: below the
        buffering interval plus a few minutes (it climbs while deliveries fail and retry)."""
        return self.read_metric(self._metric("DataFreshness"), "Maximum", minutes)

    def _destination(self) -> tuple[str, str, Optional[str]]:
        """(destination, metric prefix, target) of the first destination."""
        import jmespath

        found = (self.describe().get("Destinations") or [{}])[0]
        for key, (destination, prefix, target) in DESTINATIONS.items():
            if key in found:
                return destination, prefix, jmespath.search(target, found[key])
        return "unknown", "DeliveryToS3", None

    def _metric(self, suffix: str) -> str:
        return f"{self._destination()[1]}.{suffix}"

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "destination": lambda: self._destination()[0],
                "target": lambda: self._destination()[2] or "<unknown>"}
