"""ElastiCache (Redis OSS / Valkey) replication groups.

moto creates every group ``available`` and never changes it; the emulator sets another
status on moto's model: ``emulator.edit_backend("elasticache", "replication_groups",
"g", status="modifying")``. moto creates one member cluster whatever NumCacheClusters says.
"""

from __future__ import annotations

from typing import Any

from ..probes import empty, equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

G = "--replication-group-id {name} --region {region}"
DESCRIBE = f"aws elasticache describe-replication-groups {G}"
MODIFY = f"aws elasticache modify-replication-group {G}"
#: Statuses the group leaves by itself; create-failed and deleting do not end well.
SETTLING = ("creating", "modifying", "snapshotting")


def _failover_state(group: ElastiCacheReplicationGroup) -> Any:
    return group.describe().get("AutomaticFailover")


TRANSIT = Hint(
    "ElastiCache replication group {name} in {region} does not encrypt connections (TLS)",
    ("in-transit encryption is off by default and the definition does not turn it on",
     "TransitEncryptionMode is 'preferred' (a migration step): clients may still connect "
     "without TLS"),
    (DESCRIBE + " --query 'ReplicationGroups[].[TransitEncryptionEnabled,"
     "TransitEncryptionMode,AuthTokenEnabled]'",),
    (MODIFY + " --transit-encryption-enabled --transit-encryption-mode preferred "
     "--apply-immediately   # then switch the clients to TLS",
     MODIFY + " --transit-encryption-mode required --apply-immediately",
     "then set transit_encryption_enabled in the definition (older engine versions need a "
     "new group: create it from a backup with TLS on)"))


FAILOVER = Hint(
    "ElastiCache replication group {name} in {region} does not fail over automatically",
    ("automatic failover is off (the default for a group without replicas): losing the "
     "primary means downtime until someone promotes a replica",
     "the group has no replica to fail over to (NumCacheClusters / ReplicasPerNodeGroup is 1 or 0)",
     "Multi-AZ is off, so the replicas may sit in the primary's Availability Zone"),
    (DESCRIBE + " --query 'ReplicationGroups[].[AutomaticFailover,MultiAZ,MemberClusters]'",),
    (f"aws elasticache increase-replica-count {G} --new-replica-count 1 --apply-immediately"
     "   # if there is no replica",
     MODIFY + " --automatic-failover-enabled --multi-az-enabled --apply-immediately",
     "then set automatic_failover_enabled and multi_az_enabled in the definition"))


class ElastiCacheReplicationGroup(Resource):
    """An ElastiCache replication group: ``assert elasticache_group.healthy``,
    ``assert elasticache_group.automatic_failover and elasticache_group.transit_encryption``."""

    fixture = "elasticache_group"
    arn_types = ("elasticache:replicationgroup",)
    output_words = ("cache", "replication group", "redis")
    service = "elasticache"
    kind = "ElastiCache replication group"
    hint_prefix = "elasticache.replication_group"
    arn_format = "arn:{partition}:elasticache:{region}:{account}:replicationgroup:{name}"
    not_found_codes = NOT_FOUND_CODES | {"ReplicationGroupNotFoundFault"}
    named_from_arn = True
    describe_operations = ("describe_replication_groups",)
    healthy_when = ("status", "unavailable_node_groups")
    hints = {"missing": Hint(
        "ElastiCache replication group {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong replication group ID (a member cluster's ID, such as "
         "<group>-001, is not the group's)"),
        (DESCRIBE, "aws elasticache describe-replication-groups --region {region} "
         "--query 'ReplicationGroups[].ReplicationGroupId'"),
        ("re-run the deploy (terraform apply / cdk deploy) so the group is created",))}


    def describe(self) -> dict[str, Any]:
        answer = self.call("describe_replication_groups", ReplicationGroupId=self.name)
        return answer["ReplicationGroups"][0]

    status = field("Status", equals("available"), transitional=not_yet(*SETTLING), hint=Hint(
        "ElastiCache replication group {name} in {region} is not available",
        ("it is still creating, or modifying (a scaling, version upgrade or setting change)",
         "creation failed (create-failed): see the group's events",
         "it is being deleted"),
        (DESCRIBE + " --query 'ReplicationGroups[].[Status,NodeGroups[].Status]'",
         "aws elasticache describe-events --source-identifier {name} --source-type "
         "replication-group --duration 1440 --region {region}"),
        (f"aws elasticache wait replication-group-available {G}",)),
        doc="Status (str): ``available`` when healthy; creating, modifying and snapshotting "
        "settle by themselves.")
    unavailable_node_groups = field(
        "NodeGroups[?Status != 'available'].NodeGroupId", empty, default=[],
        transitional=not_yet(*SETTLING, of=lambda group: group.describe().get("Status")),
        doc="Node groups (shards) that are not ``available`` (list of str); healthy: empty.",
        hint=Hint(
            "ElastiCache replication group {name} in {region} has shards that are not available",
            ("a shard is being modified, resharded or failing over",
             "a node was replaced after a hardware failure and is still syncing"),
            (DESCRIBE + " --query 'ReplicationGroups[].NodeGroups[].[NodeGroupId,Status,"
             "NodeGroupMembers[].[CacheClusterId,CurrentRole]]'",),
            (f"aws elasticache wait replication-group-available {G}",)))
    engine = field("Engine", doc="The engine (str): ``redis`` or ``valkey``.")
    primary_endpoint = field("NodeGroups[0].PrimaryEndpoint.Address || ConfigurationEndpoint.Address",
                             doc="The address clients write to (str): the primary endpoint, or "
                             "the configuration endpoint in cluster mode.")
    automatic_failover = field("AutomaticFailover", truthy, hint=FAILOVER,
                               then=lambda state: state == "enabled",
                               transitional=not_yet("enabling", of=_failover_state),
                               doc="True (healthy) when AutomaticFailover is ``enabled`` "
                               "(``enabling`` settles by itself).")
    multi_az = field("MultiAZ", truthy, hint=FAILOVER, then=lambda state: state == "enabled",
                     doc="True (healthy) when the replicas sit in other Availability Zones.")
    at_rest_encryption = field("AtRestEncryptionEnabled", truthy, default=False, hint=Hint(
        "ElastiCache replication group {name} in {region} does not encrypt data at rest",
        ("at-rest encryption is chosen at creation and was not turned on",),
        (DESCRIBE + " --query 'ReplicationGroups[].[AtRestEncryptionEnabled,KmsKeyId]'",),
        (f"aws elasticache create-snapshot {G} --snapshot-name {{name}}-plain",
         "create a new group from that snapshot with --at-rest-encryption-enabled and switch "
         "the clients over (it cannot be turned on in place)")),
        then=bool, doc="True (healthy) when data and backups are encrypted at rest.")
    snapshot_retention_days = field("SnapshotRetentionLimit", truthy, default=0, hint=Hint(
        "ElastiCache replication group {name} in {region} keeps no automatic backups",
        ("SnapshotRetentionLimit is 0, the default: no daily snapshot is taken",),
        (DESCRIBE + " --query 'ReplicationGroups[].[SnapshotRetentionLimit,SnapshotWindow]'",),
        (MODIFY + " --snapshot-retention-limit 7 --apply-immediately",)),
        doc="Days automatic snapshots are kept (int, 0 = none); healthy: at least 1.")

    @property
    @probe(TRANSIT, truthy)
    def transit_encryption(self) -> bool:
        """True (healthy) when connections must use TLS: in-transit encryption is on and its
        mode is not ``preferred`` (which still lets clients in without TLS)."""
        group = self.describe()
        return (bool(group.get("TransitEncryptionEnabled"))
                and group.get("TransitEncryptionMode") != "preferred")
