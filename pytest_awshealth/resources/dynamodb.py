"""DynamoDB tables."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum

R = "--table-name {name} --region {region}"
#: TableStatus / IndexStatus values that end ACTIVE by themselves (DescribeTable docs).
SETTLING = ("CREATING", "UPDATING")

TTL_READ = ("describe_time_to_live",)
STREAM = Hint(
        "DynamoDB table {name} in {region} does not have the expected stream",
        ("the stream is not enabled in the table definition",
         "it has another view type than the consumer needs (e.g. KEYS_ONLY instead of NEW_AND_OLD_IMAGES)",
         "it was disabled and re-enabled: that creates a new stream ARN, and triggers on the old one stop"),
        (f"aws dynamodb describe-table {R} --query 'Table.[StreamSpecification,LatestStreamArn]'",
         "aws lambda list-event-source-mappings --event-source-arn <latest-stream-arn> --region {region}"),
        (f"aws dynamodb update-table {R} --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",))
GSI = Hint(
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
         "\"Projection\":{{\"ProjectionType\":\"ALL\"}}}}}}]'"))
BACKUPS = Hint(
        "DynamoDB table {name} in {region} has no on-demand backups",
        ("no AWS Backup plan or scheduled job covers the table",
         "the backup plan selects resources by a tag the table lacks"),
        (f"aws dynamodb list-backups {R} --backup-type ALL",
         f"aws dynamodb describe-continuous-backups {R}"),
        (f"aws dynamodb create-backup {R} --backup-name {{name}}-manual",
         "add the table to an AWS Backup plan (aws backup create-backup-selection ...)"))
THROTTLES = Hint(
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
         "retry with exponential backoff (boto3 retries mode=adaptive), and spread writes over more keys"))


def _ttl_status(table: DynamoTable) -> Optional[str]:
    return table._ttl().get("TimeToLiveStatus")


def _index_status(table: DynamoTable, index: str) -> Optional[str]:
    return table._gsi_statuses().get(index)


def _indexes_settling(table: DynamoTable, value: Any) -> Optional[str]:
    """Every index that is not ACTIVE is being created, updated or removed."""
    pending = [s for s in table._gsi_statuses().values() if s != "ACTIVE"]
    known = all(s in SETTLING + ("DELETING",) for s in pending)
    return ", ".join(sorted(set(pending))) if pending and known else None


class DynamoTable(Resource, Metrics):
    """A DynamoDB table: ``assert dynamo_table.ttl_enabled``."""

    fixture = "dynamo_table"
    service = "dynamodb"
    kind = "DynamoDB table"
    hint_prefix = "dynamodb.table"
    arn_format = "arn:{partition}:dynamodb:{region}:{account}:table/{name}"
    named_from_arn = True
    not_found_codes = NOT_FOUND_CODES | {"TableNotFoundException"}  # DescribeContinuousBackups
    describe_operations = ("describe_table",)
    healthy_when = ("status", "all_gsis_active")
    metric_namespace = "AWS/DynamoDB"
    metric_dimension_sets = True  # ThrottledRequests etc. per Operation
    hints = {"missing": Hint(
        "DynamoDB table {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong table name"),
        (f"aws dynamodb describe-table {R}",
         "aws dynamodb list-tables --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the table is created",))}

    @classmethod
    def name_in(cls, arn: str) -> str:
        """The table's name, also from a stream ARN (``table/NAME/stream/LABEL``)."""
        name = super().name_in(arn)
        return name.split("/", 1)[0] if name != arn else arn

    def describe(self) -> dict[str, Any]:
        return self.call("describe_table", TableName=self.name)["Table"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"TableName": self.name}

    def _ttl(self) -> dict[str, Any]:
        return self.call("describe_time_to_live", TableName=self.name)["TimeToLiveDescription"]

    status = field("TableStatus", equals("ACTIVE"), transitional=not_yet(*SETTLING),
                   doc="TableStatus: ACTIVE when usable.", hint=Hint(
        "DynamoDB table {name} in {region} is not ACTIVE",
        ("the table is still CREATING or UPDATING (an index backfill can take minutes)",
         "the table is being deleted, or its KMS key is inaccessible (INACCESSIBLE_ENCRYPTION_CREDENTIALS)"),
        (f"aws dynamodb describe-table {R} --query 'Table.[TableStatus,GlobalSecondaryIndexes[].IndexStatus]'",),
        (f"aws dynamodb wait table-exists {R}",)))
    key_schema = field("KeySchema", default=[], hint=Hint(
        "DynamoDB table {name} in {region} has an unexpected key schema",
        ("the table was created from an older definition; key schemas cannot change in place",),
        (f"aws dynamodb describe-table {R} --query 'Table.KeySchema'",),
        ("replace the table through the deploy tool (changing keys recreates it: back up data first)",)),
                       then=lambda keys: {k["KeyType"]: k["AttributeName"] for k in keys},
                       doc='Key attribute names by role, e.g. ``{"HASH": "pk", "RANGE": "sk"}``.')
    arn = field("TableArn", doc="The table's ARN.")
    item_count = field("ItemCount", default=0, hint=Hint(
        "DynamoDB table {name} in {region} has an unexpected item count",
        ("ItemCount is refreshed only about every six hours: recent writes are not in it yet",
         "the writer has not run, failed, or writes to another table (check its configuration)",
         "TTL or a cleanup job deleted the items"),
        (f"aws dynamodb describe-table {R} --query 'Table.ItemCount'",
         f"aws dynamodb scan {R} --select COUNT   # exact, but reads (and bills) the whole table"),
        ("run the writer (or the data import) and re-check with scan --select COUNT",)),
                       doc="DescribeTable's ItemCount. AWS refreshes it only about every six hours, "
                       "so it lags recent writes; ``scan --select COUNT`` is exact but reads the whole "
                       "table.")
    stream_enabled = field("StreamSpecification.StreamEnabled", truthy, default=False, hint=STREAM,
                           doc="True when the table has a DynamoDB stream.")

    @property
    @probe(Hint(
        "DynamoDB table {name} in {region} does not have TTL enabled",
        ("TTL was never enabled (no ttl block in the table definition, or enabled = false)",
         "TTL was enabled on a different attribute name than the application writes",
         "TTL was disabled recently; it cannot be re-enabled for up to an hour after a change"),
        (f"aws dynamodb describe-time-to-live {R}",),
        (f'aws dynamodb update-time-to-live {R} --time-to-live-specification "Enabled=true, AttributeName={{ttl_attribute}}"',)), truthy, transitional=not_yet("ENABLING", of=_ttl_status), reads=TTL_READ)
    def ttl_enabled(self) -> bool:
        """True when Time to Live is ENABLED (ENABLING does not count yet)."""
        return self._ttl().get("TimeToLiveStatus") == "ENABLED"

    @property
    @probe(Hint(
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
         'disabling; better: fix the attribute in the table definition and redeploy')), reads=TTL_READ)
    def ttl_attribute(self) -> Optional[str]:
        """The attribute TTL reads expiry times from, or None."""
        return self._ttl().get("AttributeName")

    @property
    @probe(Hint(
        "DynamoDB table {name} in {region} has an unexpected billing mode",
        ("the table definition sets billing_mode differently from what the check expects",),
        (f"aws dynamodb describe-table {R} --query 'Table.BillingModeSummary'",),
        (f"aws dynamodb update-table {R} --billing-mode PAY_PER_REQUEST",)))
    def billing_mode(self) -> str:
        """PAY_PER_REQUEST or PROVISIONED (tables created before on-demand report neither)."""
        summary = self.describe().get("BillingModeSummary") or {}
        return summary.get("BillingMode", "PROVISIONED")

    @property
    @probe(Hint(
        "DynamoDB table {name} in {region} does not have point-in-time recovery enabled",
        ("PITR is off by default and the table definition does not turn it on",
         "it was disabled (disabling deletes the recovery window)"),
        (f"aws dynamodb describe-continuous-backups {R}",),
        (f"aws dynamodb update-continuous-backups {R} "
         "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true",)), truthy, reads=("describe_continuous_backups",))
    def pitr_enabled(self) -> bool:
        """True when point-in-time recovery is ENABLED."""
        answer = self.call("describe_continuous_backups", TableName=self.name)
        description = answer["ContinuousBackupsDescription"]
        pitr = description.get("PointInTimeRecoveryDescription") or {}
        return pitr.get("PointInTimeRecoveryStatus") == "ENABLED"

    @property
    @probe(STREAM)
    def stream_view_type(self) -> Optional[str]:
        """KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES; None without a stream."""
        spec = self.describe().get("StreamSpecification") or {}
        return spec.get("StreamViewType") if spec.get("StreamEnabled") else None

    @property
    @probe(GSI, transitional=_indexes_settling)
    def gsis(self) -> dict[str, str]:
        """Global secondary indexes by name, with their IndexStatus (ACTIVE when usable)."""
        return self._gsi_statuses()

    @probe(GSI, truthy, transitional=not_yet(*SETTLING, of=_index_status))
    def gsi_active(self, index: str) -> bool:
        """True when the index ``index`` exists and is ACTIVE (not CREATING/backfilling)."""
        return self._gsi_statuses().get(index) == "ACTIVE"

    @property
    @probe(GSI, truthy, transitional=_indexes_settling)
    def all_gsis_active(self) -> bool:
        """True when every global secondary index is ACTIVE (also when there are none)."""
        return all(status == "ACTIVE" for status in self._gsi_statuses().values())

    def _gsi_statuses(self) -> dict[str, str]:
        return {index["IndexName"]: index.get("IndexStatus", "ACTIVE")
                for index in self.describe().get("GlobalSecondaryIndexes") or []}

    @property
    @probe(BACKUPS, reads=("describe", "list_backups"))
    def backups(self) -> list[str]:
        """Names of the table's on-demand backups (user, system and AWS Backup)."""
        return self._backups()

    @property
    @probe(BACKUPS, truthy, reads=("describe", "list_backups"))
    def has_backups(self) -> bool:
        """True when at least one on-demand backup of the table exists."""
        return bool(self._backups())

    def _backups(self) -> list[str]:
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

    @probe(THROTTLES, reads=("describe", "list_metrics", "get_metric_statistics"))
    def throttled_requests(self, minutes: int = 60) -> MetricSum:
        """Sum of AWS/DynamoDB ThrottledRequests for the table over the last ``minutes``,
        across every Operation dimension it was published with:
        ``assert dynamo_table.throttled_requests(minutes=15) == 0``."""
        return self.read_metric("ThrottledRequests", minutes=minutes)

    @probe(THROTTLES, reads=("describe", "list_metrics", "get_metric_statistics"))
    def throttle_events(self, minutes: int = 60) -> MetricSum:
        """Sum of ReadThrottleEvents and WriteThrottleEvents for the table and its
        indexes over the last ``minutes``."""
        total = sum(self.read_metric(metric, minutes=minutes)
                    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"))
        return MetricSum(total, "AWS/DynamoDB", "ReadThrottleEvents+WriteThrottleEvents",
                         {"TableName": self.name}, minutes, 300)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "ttl_attribute": self._ttl_attribute_or_default,
                "index": self._first_inactive_index}

    def _first_inactive_index(self) -> str:
        inactive = [n for n, status in self._gsi_statuses().items() if status != "ACTIVE"]
        return inactive[0] if inactive else "<index-name>"

    def _ttl_attribute_or_default(self) -> str:
        return self._ttl().get("AttributeName") or "ttl"
