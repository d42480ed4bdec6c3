"""DynamoDB tables."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource
from .cloudwatch import NOW, SINCE, CloudWatch, MetricSum

R = "--table-name {name} --region {region}"


class DynamoTable(Resource):
    """A DynamoDB table: ``assert dynamo_table.ttl_enabled``."""

    service = "dynamodb"
    kind = "DynamoDB table"
    hint_prefix = "dynamodb.table"
    arn_format = "arn:{partition}:dynamodb:{region}:{account}:table/{name}"
    not_found_codes = NOT_FOUND_CODES | {"TableNotFoundException"}  # DescribeContinuousBackups

    def __init__(self, name: str, **kwargs: Any) -> None:
        if name.startswith("arn:") and ":table/" in name:
            name = name.split(":table/", 1)[1].split("/", 1)[0]
        super().__init__(name, **kwargs)
        self._asked: dict[str, Any] = {}  # the last index asked about, for hints

    def describe(self) -> dict[str, Any]:
        return self.call("describe_table", TableName=self.name)["Table"]

    def _ttl(self) -> dict[str, Any]:
        return self.call("describe_time_to_live", TableName=self.name)["TimeToLiveDescription"]

    @property
    @probe("status", equals("ACTIVE"))
    def status(self) -> str:
        """TableStatus: ACTIVE when usable."""
        return self.describe()["TableStatus"]

    @property
    @probe("ttl", truthy)
    def ttl_enabled(self) -> bool:
        """True when Time to Live is ENABLED (ENABLING does not count yet)."""
        return self._ttl().get("TimeToLiveStatus") == "ENABLED"

    @property
    @probe("ttl_attribute")
    def ttl_attribute(self) -> Optional[str]:
        """The attribute TTL reads expiry times from, or None."""
        return self._ttl().get("AttributeName")

    @property
    @probe("billing")
    def billing_mode(self) -> str:
        """PAY_PER_REQUEST or PROVISIONED (tables created before on-demand report neither)."""
        summary = self.describe().get("BillingModeSummary") or {}
        return summary.get("BillingMode", "PROVISIONED")

    @property
    @probe("keys")
    def key_schema(self) -> dict[str, str]:
        """Key attribute names by role, e.g. ``{"HASH": "pk", "RANGE": "sk"}``."""
        return {k["KeyType"]: k["AttributeName"] for k in self.describe()["KeySchema"]}

    @property
    def arn(self) -> str:
        return self.describe()["TableArn"]

    @property
    @probe("pitr", truthy)
    def pitr_enabled(self) -> bool:
        """True when point-in-time recovery is ENABLED."""
        answer = self.call("describe_continuous_backups", TableName=self.name)
        description = answer["ContinuousBackupsDescription"]
        pitr = description.get("PointInTimeRecoveryDescription") or {}
        return pitr.get("PointInTimeRecoveryStatus") == "ENABLED"

    @property
    @probe("stream", truthy)
    def stream_enabled(self) -> bool:
        """True when the table has a DynamoDB stream."""
        return bool((self.describe().get("StreamSpecification") or {}).get("StreamEnabled"))

    @property
    @probe("stream")
    def stream_view_type(self) -> Optional[str]:
        """KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES; None without a stream."""
        spec = self.describe().get("StreamSpecification") or {}
        return spec.get("StreamViewType") if spec.get("StreamEnabled") else None

    @property
    @probe("gsi")
    def gsis(self) -> dict[str, str]:
        """Global secondary indexes by name, with their IndexStatus (ACTIVE when usable)."""
        return {index["IndexName"]: index.get("IndexStatus", "ACTIVE")
                for index in self.describe().get("GlobalSecondaryIndexes") or []}

    @probe("gsi", truthy)
    def gsi_active(self, name: str) -> bool:
        """True when the index ``name`` exists and is ACTIVE (not CREATING/backfilling)."""
        self._asked["index"] = name
        return self._gsi_statuses().get(name) == "ACTIVE"

    @property
    @probe("gsi", truthy)
    def all_gsis_active(self) -> bool:
        """True when every global secondary index is ACTIVE (also when there are none)."""
        return all(status == "ACTIVE" for status in self._gsi_statuses().values())

    def _gsi_statuses(self) -> dict[str, str]:
        return {index["IndexName"]: index.get("IndexStatus", "ACTIVE")
                for index in self.describe().get("GlobalSecondaryIndexes") or []}

    @property
    @probe("items")
    def item_count(self) -> int:
        """DescribeTable's ItemCount. AWS refreshes it only about every six hours, so it
        lags recent writes; ``scan --select COUNT`` is exact but reads the whole table."""
        return int(self.describe().get("ItemCount", 0))

    @property
    @probe("backups")
    def backups(self) -> list[str]:
        """Names of the table's on-demand backups (user, system and AWS Backup)."""
        self.describe()  # ListBackups of an unknown table is just empty
        names: list[str] = []
        start = None
        while True:
            page = self.call("list_backups", TableName=self.name, BackupType="ALL",
                             **({"ExclusiveStartBackupArn": start} if start else {}))
            names.extend(b["BackupName"] for b in page.get("BackupSummaries", []))
            start = page.get("LastEvaluatedBackupArn")
            if not start:
                return names

    @property
    @probe("backups", truthy)
    def has_backups(self) -> bool:
        """True when at least one on-demand backup of the table exists."""
        return bool(self.backups)

    @probe("throttles")
    def throttled_requests(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/DynamoDB ThrottledRequests for the table over the last ``minutes``,
        across every Operation dimension it was published with:
        ``assert dynamo_table.throttled_requests(minutes=15) == 0``."""
        return self._table_metric("ThrottledRequests", minutes)

    @probe("throttles")
    def throttle_events(self, minutes: int = 60) -> MetricSum:
        """Sum of ReadThrottleEvents and WriteThrottleEvents for the table and its
        indexes over the last ``minutes``."""
        total = sum(self._table_metric(metric, minutes)
                    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"))
        return MetricSum(total, "AWS/DynamoDB", "ReadThrottleEvents+WriteThrottleEvents",
                         {"TableName": self.name}, minutes, 300)

    def _table_metric(self, metric: str, minutes: int) -> MetricSum:
        self.describe()  # a missing table must not pass as "not throttled"
        metrics = CloudWatch(self.name, aws=self.aws, region=self._region, output=self.output)
        return metrics.sum_over_dimension_sets("AWS/DynamoDB", metric,
                                               {"TableName": self.name}, minutes)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "ttl_attribute": self._ttl_attribute_or_default,
                "index": self._asked.get("index") or self._first_inactive_index}

    def _first_inactive_index(self) -> str:
        inactive = [n for n, status in self._gsi_statuses().items() if status != "ACTIVE"]
        return inactive[0] if inactive else "<index-name>"

    def _ttl_attribute_or_default(self) -> str:
        return self._ttl().get("AttributeName") or "ttl"


HINTS = {
    "dynamodb.table.missing": Hint(
        "DynamoDB table {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong table name"),
        (f"aws dynamodb describe-table {R}",
         "aws dynamodb list-tables --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the table is created",)),
    "dynamodb.table.status": Hint(
        "DynamoDB table {name} in {region} is not ACTIVE",
        ("the table is still CREATING or UPDATING (an index backfill can take minutes)",
         "the table is being deleted, or its KMS key is inaccessible (INACCESSIBLE_ENCRYPTION_CREDENTIALS)"),
        (f"aws dynamodb describe-table {R} --query 'Table.[TableStatus,GlobalSecondaryIndexes[].IndexStatus]'",),
        (f"aws dynamodb wait table-exists {R}",)),
    "dynamodb.table.ttl_attribute": Hint(
        "DynamoDB table {name} in {region} reads TTL from attribute '{ttl_attribute}', not the "
        "one the check expects",
        ("the table definition names another attribute than the application writes expiry "
         "times to (items then never expire)",
         "TTL was switched on by hand with a different attribute name"),
        (f"aws dynamodb describe-time-to-live {R}",),
        (f'aws dynamodb update-time-to-live {R} --time-to-live-specification '
         '"Enabled=false, AttributeName={ttl_attribute}"',
         f'aws dynamodb update-time-to-live {R} --time-to-live-specification '
         '"Enabled=true, AttributeName=<expected-attribute>"   # allowed about an hour after '
         'disabling; better: fix the attribute in the table definition and redeploy')),
    "dynamodb.table.ttl": Hint(
        "DynamoDB table {name} in {region} does not have TTL enabled",
        ("TTL was never enabled (no ttl block in the table definition, or enabled = false)",
         "TTL was enabled on a different attribute name than the application writes",
         "TTL was disabled recently; it cannot be re-enabled for up to an hour after a change"),
        (f"aws dynamodb describe-time-to-live {R}",),
        (f'aws dynamodb update-time-to-live {R} --time-to-live-specification "Enabled=true, AttributeName={{ttl_attribute}}"',)),
    "dynamodb.table.billing": Hint(
        "DynamoDB table {name} in {region} has an unexpected billing mode",
        ("the table definition sets billing_mode differently from what the check expects",),
        (f"aws dynamodb describe-table {R} --query 'Table.BillingModeSummary'",),
        (f"aws dynamodb update-table {R} --billing-mode PAY_PER_REQUEST",)),
    "dynamodb.table.keys": Hint(
        "DynamoDB table {name} in {region} has an unexpected key schema",
        ("the table was created from an older definition; key schemas cannot change in place",),
        (f"aws dynamodb describe-table {R} --query 'Table.KeySchema'",),
        ("replace the table through the deploy tool (changing keys recreates it: back up data first)",)),
    "dynamodb.table.pitr": Hint(
        "DynamoDB table {name} in {region} does not have point-in-time recovery enabled",
        ("PITR is off by default and the table definition does not turn it on",
         "it was disabled (disabling deletes the recovery window)"),
        (f"aws dynamodb describe-continuous-backups {R}",),
        (f"aws dynamodb update-continuous-backups {R} "
         "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",)),
    "dynamodb.table.stream": Hint(
        "DynamoDB table {name} in {region} does not have the expected stream",
        ("the stream is not enabled in the table definition",
         "it has another view type than the consumer needs (e.g. KEYS_ONLY instead of NEW_AND_OLD_IMAGES)",
         "it was disabled and re-enabled: that creates a new stream ARN, and triggers on the old one stop"),
        (f"aws dynamodb describe-table {R} --query 'Table.[StreamSpecification,LatestStreamArn]'",
         "aws lambda list-event-source-mappings --event-source-arn <latest-stream-arn> --region {region}"),
        (f"aws dynamodb update-table {R} --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",)),
    "dynamodb.table.gsi": Hint(
        "DynamoDB table {name} in {region}: global secondary index {index} is missing or not ACTIVE",
        ("the index is still CREATING while it backfills (large tables take a long time)",
         "the deploy that adds it failed (only one index can be created per table update)",
         "queries use another index name than the table defines"),
        (f"aws dynamodb describe-table {R} "
         "--query 'Table.GlobalSecondaryIndexes[].[IndexName,IndexStatus,Backfilling]'",),
        ("wait for the backfill to finish and re-run the check, or re-run the deploy that creates {index}",
         f"aws dynamodb update-table {R} --attribute-definitions AttributeName=<attr>,AttributeType=S "
         "--global-secondary-index-updates "
         "'[{{\"Create\":{{\"IndexName\":\"{index}\",\"KeySchema\":[{{\"AttributeName\":\"<attr>\",\"KeyType\":\"HASH\"}}],"
         "\"Projection\":{{\"ProjectionType\":\"ALL\"}}}}}}]'")),
    "dynamodb.table.items": Hint(
        "DynamoDB table {name} in {region} has an unexpected item count",
        ("ItemCount is refreshed only about every six hours: recent writes are not in it yet",
         "the writer has not run, failed, or writes to another table (check its configuration)",
         "TTL or a cleanup job deleted the items"),
        (f"aws dynamodb describe-table {R} --query 'Table.ItemCount'",
         f"aws dynamodb scan {R} --select COUNT   # exact, but reads (and bills) the whole table"),
        ("run the writer (or the data import) and re-check with scan --select COUNT",)),
    "dynamodb.table.backups": Hint(
        "DynamoDB table {name} in {region} has no on-demand backups",
        ("no AWS Backup plan or scheduled job covers the table",
         "the backup plan selects resources by a tag the table lacks"),
        (f"aws dynamodb list-backups {R} --backup-type ALL",
         f"aws dynamodb describe-continuous-backups {R}"),
        (f"aws dynamodb create-backup {R} --backup-name {{name}}-manual",
         "add the table to an AWS Backup plan (aws backup create-backup-selection ...)")),
    "dynamodb.table.throttles": Hint(
        "DynamoDB table {name} in {region} was throttled ({metric}: {value}) in the last {minutes} min",
        ("provisioned capacity is lower than the traffic (or auto scaling reacts too slowly)",
         "a hot partition key concentrates traffic (on-demand tables throttle too)",
         "a global secondary index lacks write capacity, which throttles writes to the table"),
        ("aws cloudwatch list-metrics --namespace AWS/DynamoDB --metric-name ThrottledRequests "
         "--dimensions Name=TableName,Value={name} --region {region}",
         "aws cloudwatch get-metric-statistics --namespace AWS/DynamoDB --metric-name ThrottledRequests "
         "--dimensions Name=TableName,Value={name} Name=Operation,Value=PutItem --start-time " + SINCE
         + " --end-time " + NOW + " --period 300 --statistics Sum --region {region}",
         f"aws dynamodb describe-table {R} --query 'Table.[BillingModeSummary,ProvisionedThroughput]'"),
        (f"aws dynamodb update-table {R} --billing-mode PAY_PER_REQUEST",
         f"aws dynamodb update-table {R} --provisioned-throughput ReadCapacityUnits=10,WriteCapacityUnits=10",
         "retry with exponential backoff (boto3 retries mode=adaptive), and spread writes over more keys")),
}


FIXTURES = {"dynamo_table": DynamoTable}
