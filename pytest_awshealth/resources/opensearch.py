"""OpenSearch Service domains (OpenSearch and Elasticsearch engines).

moto never processes a configuration change and leaves ``DomainProcessingStatus`` out
(the status is then read from ``Created``/``Processing``/``Deleted``, as AWS sets
them); the emulator makes a domain busy on moto's model:
``emulator.edit_backend("opensearch", "domains", "logs", processing=True)``. moto publishes
no AWS/ES metrics; tests put the ``ClusterStatus.*`` datapoints themselves.
"""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum

D = "--domain-name {name} --region {region}"
DESCRIBE = f"aws opensearch describe-domain {D}"
UPDATE = f"aws opensearch update-domain-config {D}"
#: DomainProcessingStatus values that end Active by themselves.
SETTLING = ("Creating", "Modifying", "UpgradingEngineVersion", "UpdatingServiceSoftware")
METRICS = ("describe", "get_metric_statistics")


def _status_metric(health: str) -> str:
    """The CLI command that reads ``ClusterStatus.<health>`` for the domain."""
    return ("aws cloudwatch get-metric-statistics --namespace AWS/ES --metric-name "
            f"ClusterStatus.{health} --dimensions Name=DomainName,Value={{name}} "
            f"Name=ClientId,Value={{account}} --start-time {SINCE} --end-time {NOW} "
            "--period 60 --statistics Maximum --region {region}")


class ClusterHealth(str):
    """``green``, ``yellow``, ``red`` or ``unknown``; hints say it as ``{health}``."""

    def hint_context(self) -> dict[str, Any]:
        return {"health": str(self)}


def _busy(domain: OpenSearchDomain, value: Any) -> Optional[str]:
    return "processing" if value else None


class OpenSearchDomain(Resource, Metrics):
    """An OpenSearch Service domain: ``assert opensearch_domain.healthy``,
    ``assert opensearch_domain.cluster_health(minutes=15) == "green"``."""

    fixture = "opensearch_domain"
    service = "opensearch"
    kind = "OpenSearch domain"
    hint_prefix = "opensearch.domain"
    arn_format = "arn:{partition}:es:{region}:{account}:domain/{name}"
    named_from_arn = True
    describe_operations = ("describe_domain",)
    healthy_when = ("status",)
    metric_namespace = "AWS/ES"
    hints = {"missing": Hint(
        "OpenSearch domain {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong domain name (the endpoint or ARN is not the name)"),
        (DESCRIBE, "aws opensearch list-domain-names --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the domain is created",))}


    def describe(self) -> dict[str, Any]:
        return self.call("describe_domain", DomainName=self.name)["DomainStatus"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"DomainName": self.name, "ClientId": self._account()}

    def _account(self) -> str:
        return str(self.describe()["ARN"]).split(":")[4]

    @property
    @probe(Hint(
        "OpenSearch domain {name} in {region} is not Active",
        ("a configuration change or software update is running (a blue/green deployment can "
         "take an hour on a large domain)",
         "the domain is being created or deleted",
         "a change is stuck: validation failed, or the cluster is red so shards cannot move"),
        (DESCRIBE + " --query 'DomainStatus.[DomainProcessingStatus,Processing,"
         "UpgradeProcessing,ModifyingProperties]'",
         f"aws opensearch describe-domain-change-progress {D}"),
        ("wait for the change to finish and re-run the check (pass --aws-settle SECONDS)",
         f"aws opensearch cancel-domain-config-change {D}   # a change that is stuck")),
        equals("Active"), transitional=not_yet(*SETTLING))
    def status(self) -> str:
        """DomainProcessingStatus (str): ``Active`` when healthy; Creating, Modifying,
        UpgradingEngineVersion and UpdatingServiceSoftware settle by themselves."""
        domain = self.describe()
        if domain.get("DomainProcessingStatus"):
            return str(domain["DomainProcessingStatus"])
        if domain.get("Deleted"):
            return "Deleting"
        if not domain.get("Created", True):
            return "Creating"
        busy = domain.get("Processing") or domain.get("UpgradeProcessing")
        return "Modifying" if busy else "Active"

    processing = field("Processing", equals(False), default=False, transitional=_busy, doc=(
        "True while a configuration change is applied; healthy: False."), hint=Hint(
        "OpenSearch domain {name} in {region} is processing a configuration change",
        ("a change made by the deploy (instance type, count, storage, version) is being applied",
         "AWS is applying a service software update"),
        (f"aws opensearch describe-domain-change-progress {D}",),
        ("wait for it to finish and re-run the check (pass --aws-settle SECONDS)",)))
    engine_version = field("EngineVersion", doc="The engine and version (str), e.g. "
                           "``OpenSearch_2.11``.")
    endpoint = field("Endpoint || Endpoints.vpc", doc="The domain's endpoint (str): public, or "
                     "the VPC endpoint.")
    encrypted_at_rest = field("EncryptionAtRestOptions.Enabled", truthy, default=False,
                              doc="True (healthy) when data at rest is encrypted with KMS.",
                              hint=Hint(
        "OpenSearch domain {name} in {region} does not encrypt data at rest",
        ("encryption at rest is off in the domain definition (it is on by default only for "
         "domains created since 2023 with a recent engine)",),
        (DESCRIBE + " --query 'DomainStatus.EncryptionAtRestOptions'",),
        (UPDATE + " --encryption-at-rest-options Enabled=true",
         "then set encrypt_at_rest in the definition")))
    node_to_node_encryption = field("NodeToNodeEncryptionOptions.Enabled", truthy, default=False,
                                    doc="True (healthy) when nodes talk to each other over TLS.",
                                    hint=Hint(
        "OpenSearch domain {name} in {region} does not encrypt traffic between its nodes",
        ("node-to-node encryption is off in the domain definition",),
        (DESCRIBE + " --query 'DomainStatus.NodeToNodeEncryptionOptions'",),
        (UPDATE + " --node-to-node-encryption-options Enabled=true",)))
    enforces_https = field("DomainEndpointOptions.EnforceHTTPS", truthy, default=False,
                           doc="True (healthy) when the endpoint refuses plain HTTP.", hint=Hint(
        "OpenSearch domain {name} in {region} accepts plain HTTP",
        ("EnforceHTTPS is off in the domain definition",),
        (DESCRIBE + " --query 'DomainStatus.DomainEndpointOptions'",),
        (UPDATE + " --domain-endpoint-options EnforceHTTPS=true,"
         "TLSSecurityPolicy=Policy-Min-TLS-1-2-2019-07",)))

    @probe(Hint(
        "OpenSearch domain {name} in {region}: cluster health was {health} in the last {minutes} min",
        ("red: a primary shard is unassigned, so some data cannot be read or written (a node "
         "failed, or the disk filled up and writes were blocked)",
         "yellow: a replica shard is unassigned (a one-node domain with replicas configured is "
         "always yellow; otherwise a node was lost or is being replaced)",
         "unknown: no ClusterStatus datapoints (a new domain, or another account or region)"),
        (_status_metric("red"),
         _status_metric("yellow"),
         DESCRIBE + " --query 'DomainStatus.[ClusterConfig,EBSOptions]'"),
        ("find the unassigned shards: GET _cluster/allocation/explain on the domain endpoint",
         "free or add storage (delete old indices, or update-domain-config --ebs-options "
         "VolumeSize=<GiB>), or add nodes (--cluster-config InstanceCount=<n>)",
         "give every index as many replicas as there are spare nodes (0 on a one-node domain)")),
        equals("green"), reads=METRICS)
    def cluster_health(self, minutes: int = 15) -> ClusterHealth:
        """The worst cluster health (str) over the last ``minutes``: ``green`` (healthy),
        ``yellow``, ``red``, or ``unknown`` without ClusterStatus datapoints."""
        for health in ("red", "yellow"):
            if self.read_metric(f"ClusterStatus.{health}", "Maximum", minutes) >= 1:
                return ClusterHealth(health)
        seen = self.read_metric("ClusterStatus.green", "SampleCount", minutes)
        return ClusterHealth("green" if seen else "unknown")

    @probe(Hint(
        "OpenSearch domain {name} in {region} ran low on storage: {value} MiB free at the "
        "lowest in the last {minutes} min",
        ("the indices grew beyond the volume (no retention policy deletes old ones)",
         "below 20% free, shard allocation slows; near zero, OpenSearch blocks writes"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/ES --metric-name FreeStorageSpace "
         "--dimensions Name=DomainName,Value={name} Name=ClientId,Value={account} --start-time "
         + SINCE + " --end-time " + NOW + " --period 300 --statistics Minimum --region {region}",),
        (UPDATE + " --ebs-options EBSEnabled=true,VolumeSize=<GiB>",
         "delete old indices, or add an Index State Management policy that does")),
        reads=METRICS)
    def free_storage_mb(self, minutes: int = 60) -> MetricSum:
        """The lowest FreeStorageSpace (MetricSum, MiB, the domain's total) of any 5-minute
        period in the last ``minutes``, 0.0 without datapoints; healthy: well above 20% of
        the storage."""
        return self.read_metric("FreeStorageSpace", "Minimum", minutes)

    @property
    def healthy(self) -> bool:
        """The one-glance verdict: the domain exists, is Active, and its cluster health over
        the last 15 minutes is green or yellow (every primary shard assigned)."""
        __tracebackhide__ = True
        return super().healthy and self.cluster_health() in ("green", "yellow")

