"""DynamoDB global tables (version 2019.11.21): a table and its replicas in other regions.

moto keeps no replicas (``ReplicaUpdates`` are ignored and ``Replicas`` is never
answered); the emulator adds them to moto's DescribeTable answer:
``emulator.amend_answer("dynamodb", "DescribeTable", {"Table": {"Replicas": [...]}},
when={"TableName": "orders"})``. Legacy global tables (2017.11.29, DescribeGlobalTable)
are not covered.
"""

from __future__ import annotations

from typing import Any, Optional

from ..probes import field, not_yet, probe, truthy
from ..remediation import Hint
from .cloudwatch import NOW, SINCE, CloudWatch, MetricSum
from .dynamodb import DynamoTable

R = "--table-name {name} --region {region}"
#: ReplicaStatus values that end ACTIVE by themselves.
SETTLING = ("CREATING", "UPDATING", "DELETING")
REPLICAS = Hint(
    "DynamoDB global table {name} in {region}: {problem}",
    ("a new replica is still CREATING: it copies the whole table first",
     "the replica failed to create (CREATION_FAILED): the KMS key is not usable in that "
     "region, a table of that name already exists there, or an SCP denies the region",
     "the replica's KMS key was disabled (INACCESSIBLE_ENCRYPTION_CREDENTIALS), or its "
     "region was disabled for the account (REGION_DISABLED)",
     "the deploy never added the replica (a replica block missing for that region)"),
    (f"aws dynamodb describe-table {R} --query "
     "'Table.Replicas[].[RegionName,ReplicaStatus,ReplicaStatusDescription]'",
     "aws dynamodb describe-table --table-name {name} --region {replica_region} "
     "--query 'Table.[TableStatus,SSEDescription]'"),
    (f"aws dynamodb update-table {R} --replica-updates "
     "'[{{\"Create\":{{\"RegionName\":\"{replica_region}\"}}}}]'   # a missing replica",
     f"a failed replica: aws dynamodb update-table {R} --replica-updates "
     "'[{{\"Delete\":{{\"RegionName\":\"{replica_region}\"}}}}]', then create it again",
     "better: declare every replica in the table's definition and redeploy"))


def _replica_status(table: DynamoGlobalTable, replica_region: str) -> Optional[str]:
    return table._replicas().get(replica_region)


def _replicas_settling(table: DynamoGlobalTable, value: Any) -> Optional[str]:
    """Every replica that is not ACTIVE is being created, updated or removed."""
    pending = {s for s in table._replicas().values() if s != "ACTIVE"}
    return ", ".join(sorted(pending)) if pending and pending <= set(SETTLING) else None


class DynamoGlobalTable(DynamoTable):
    """A DynamoDB global table: every probe of :class:`DynamoTable`, and its replicas:
    ``assert dynamo_global_table.healthy``, ``assert dynamo_global_table.replica_regions ==
    ["eu-west-1", "us-east-1"]``."""

    fixture = "dynamo_global_table"
    kind = "DynamoDB global table"
    hint_prefix = "dynamodb.global_table"
    healthy_when = ("status", "all_gsis_active", "all_replicas_active")

    global_table_version = field("GlobalTableVersion", doc=(
        "``2019.11.21`` for a global table of the current version (str), None otherwise."))

    @property
    @probe(REPLICAS, transitional=_replicas_settling)
    def replicas(self) -> dict[str, str]:
        """Each replica's ReplicaStatus by region (dict of str), this region included;
        healthy: every one ACTIVE."""
        return self._replicas()

    @property
    @probe(REPLICAS)
    def replica_regions(self) -> list[str]:
        """The regions holding a replica (sorted list of str), this region included;
        healthy: the regions the table definition names."""
        return sorted(self._replicas())

    @property
    @probe(REPLICAS, truthy, transitional=_replicas_settling)
    def all_replicas_active(self) -> bool:
        """True (healthy) when the table has replicas and every one is ACTIVE; False for a
        table without replicas (not a global table)."""
        replicas = self._replicas()
        return bool(replicas) and all(status == "ACTIVE" for status in replicas.values())

    @probe(REPLICAS, truthy, transitional=not_yet(*SETTLING, of=_replica_status))
    def replica_active(self, replica_region: str) -> bool:
        """True (healthy) when the replica in ``replica_region`` exists and is ACTIVE."""
        return self._replicas().get(replica_region) == "ACTIVE"

    @probe(Hint(
        "DynamoDB global table {name}: writes in {region} reached {receiving_region} after "
        "{value} ms ({statistic} of the worst 5-minute period in the last {minutes} min)",
        ("the receiving replica is throttled (its write capacity or auto scaling is lower "
         "than this region's)",
         "a burst of writes, or a large item backlog after the replica was added or resumed"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/DynamoDB --metric-name "
         "ReplicationLatency --dimensions Name=TableName,Value={name} "
         "Name=ReceivingRegion,Value={receiving_region} --start-time " + SINCE + " --end-time "
         + NOW + " --period 300 --statistics Average --region {region}",
         "aws dynamodb describe-table --table-name {name} --region {receiving_region} "
         "--query 'Table.[BillingModeSummary,ProvisionedThroughput]'"),
        ("give the replica the same capacity as the source (PAY_PER_REQUEST, or matching auto "
         "scaling settings), then re-check",)),
        reads=("describe", "get_metric_statistics"))
    def replication_latency_ms(self, receiving_region: str, minutes: int = 60) -> MetricSum:
        """The worst 5-minute Average of ReplicationLatency (MetricSum, ms) from this region
        to ``receiving_region`` over the last ``minutes``, 0.0 without datapoints; healthy:
        about a second or less."""
        self.describe()
        metrics = CloudWatch(self.name, aws=self.aws, region=self._region, output=self.output)
        return metrics.peak_statistic("AWS/DynamoDB", "ReplicationLatency",
                                      {"TableName": self.name, "ReceivingRegion": receiving_region},
                                      "Average", minutes)

    def _replicas(self) -> dict[str, str]:
        return {replica["RegionName"]: replica.get("ReplicaStatus", "ACTIVE")
                for replica in self.describe().get("Replicas") or []}

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "problem": self._problem,
                "replica_region": self._first_unhealthy_replica}

    def _first_unhealthy_replica(self) -> str:
        return next((r for r, s in sorted(self._replicas().items()) if s != "ACTIVE"), "<region>")

    def _problem(self) -> str:
        replicas = self._replicas()
        if not replicas:
            return "has no replicas (it is not a global table)"
        down = [f"{region} ({status})" for region, status in sorted(replicas.items())
                if status != "ACTIVE"]
        if down:
            return "replicas not ACTIVE: " + ", ".join(down)
        return "replicas in " + ", ".join(sorted(replicas)) + ", not the expected regions"
