"""RDS DB instances and DB clusters (Aurora, Multi-AZ DB clusters).

moto creates every instance and cluster ``available`` and never changes that; the
emulator sets another status on moto's model:
``emulator.edit_backend("rds", "databases", "db1", status="modifying")`` (clusters:
``"clusters"``). moto lacks DescribePendingMaintenanceActions; the emulator answers it:
``emulator.answer("rds", "DescribePendingMaintenanceActions", {...})``. moto reports
``PubliclyAccessible`` as absent when not set (AWS: false), read here as False.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

from ..probes import empty, equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

I = "--db-instance-identifier {name} --region {region}"
C = "--db-cluster-identifier {name} --region {region}"
#: Statuses RDS leaves by itself (DescribeDBInstances / DescribeDBClusters docs); others
#: (failed, stopped, storage-full, inaccessible-encryption-credentials...) need someone.
SETTLING = ("creating", "backing-up", "modifying", "rebooting", "renaming", "starting",
            "upgrading", "maintenance", "resetting-master-credentials", "failing-over",
            "configuring-enhanced-monitoring", "configuring-iam-database-auth",
            "configuring-log-exports", "storage-optimization", "storage-config-upgrade",
            "converting-to-vpc", "moving-to-vpc", "migrating", "promoting")
PENDING_MAINTENANCE = ("describe", "describe_pending_maintenance_actions")
MEMBERS = ("describe", "describe_db_instances")


class Cli(NamedTuple):
    """How the CLI names one kind of RDS resource."""

    kind: str  # "RDS DB instance"
    noun: str  # "instance": describe-db-instances, modify-db-instance, start-db-instance
    option: str  # --db-instance-identifier {name} --region {region}
    source_type: str  # describe-events --source-type

    def command(self, verb: str, rest: str = "") -> str:
        plural = "s" if verb == "describe" else ""
        return f"aws rds {verb}-db-{self.noun}{plural} {self.option}{rest}"


INSTANCE = Cli("RDS DB instance", "instance", I, "db-instance")
CLUSTER = Cli("RDS DB cluster", "cluster", C, "db-cluster")


def _missing(cli: Cli, listing: str) -> Hint:
    return Hint(
        f"{cli.kind} {{name}} does not exist in {{region}} (account {{account}})",
        ("the deploy did not create it, or it was deleted (a final snapshot may remain)",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong identifier (RDS identifiers are lower case)"),
        (cli.command("describe"), listing),
        ("re-run the deploy (terraform apply / cdk deploy) so it is created, or restore it "
         "from its latest snapshot",))


def _status(cli: Cli, query: str) -> Hint:
    return Hint(
        f"{cli.kind} {{name}} in {{region}} is not available",
        ("it is still creating, modifying, upgrading or backing up (these end by themselves)",
         "it was stopped (RDS starts a stopped database again after seven days)",
         "it failed, ran out of storage (storage-full), or lost its KMS key "
         "(inaccessible-encryption-credentials)"),
        (cli.command("describe", f" --query '{query}'"),
         f"aws rds describe-events --source-identifier {{name}} --source-type {cli.source_type} "
         "--duration 1440 --region {region}"),
        (f"aws rds wait db-{cli.noun}-available {cli.option}",
         cli.command("start") + "   # a stopped database"))


def _setting(cli: Cli, title: str, causes: tuple[str, ...], query: str, fix: str) -> Hint:
    return Hint(f"{cli.kind} {{name}} in {{region}} {title}", causes,
                (cli.command("describe", f" --query '{query}'"),),
                (cli.command("modify", f" {fix} --apply-immediately"),
                 "then set it in the database's definition, so the next deploy keeps it"))


def _encryption(cli: Cli, query: str, snapshot: str) -> Hint:
    return Hint(
        f"{cli.kind} {{name}} in {{region}} does not encrypt its storage",
        ("storage encryption is chosen at creation and was not turned on "
         "(storage_encrypted / StorageEncrypted)",),
        (cli.command("describe", f" --query '{query}'"),),
        (f"encryption cannot be turned on in place: {snapshot}, copy the snapshot with "
         "--kms-key-id, restore the copy and switch the application over",))


def _backups(cli: Cli, query: str) -> Hint:
    return _setting(cli, "keeps automated backups for fewer days than expected",
                    ("the retention is 0 (automated backups off) or the default 1 day",
                     "the database definition does not set backup_retention_period"),
                    query, "--backup-retention-period 7")


def _deletion(cli: Cli, query: str) -> Hint:
    return _setting(cli, "is not protected against deletion",
                    ("deletion protection is off by default and the definition does not turn it on",),
                    query, "--deletion-protection")


def _members_settling(cluster: RdsCluster, value: Any) -> Optional[str]:
    """The members' statuses, when every member that is not available will be by itself."""
    down = {cluster._statuses()[m] for m in cluster._down()}
    return ", ".join(sorted(down)) if down and down <= set(SETTLING) else None


CLUSTER_MEMBERS = CLUSTER.command("describe", " --query 'DBClusters[].DBClusterMembers[]"
                                  ".[DBInstanceIdentifier,IsClusterWriter]'")
NEW_MEMBER = ("aws rds create-db-instance --db-cluster-identifier {name} --db-instance-identifier "
              "{name}-%s --db-instance-class <class> --engine <engine> --region {region}   # "
              "better: add it to the cluster's definition and redeploy")
MEMBERS_HINT = Hint(
    "RDS DB cluster {name} in {region}: {problem}",
    ("a member is rebooting, modifying or failing over (these end by themselves)",
     "the cluster has no instance yet, or its writer was deleted (a cluster without "
     "instances takes no connections)",
     "a member failed or lost its KMS key (inaccessible-encryption-credentials)"),
    (CLUSTER_MEMBERS,
     "aws rds describe-db-instances --filters Name=db-cluster-id,Values={name} --region "
     "{region} --query 'DBInstances[].[DBInstanceIdentifier,DBInstanceStatus]'"),
    ("aws rds wait db-instance-available --db-instance-identifier {member} --region {region}",
     NEW_MEMBER % "writer" + " (a cluster without a writer)"))
READERS_HINT = Hint(
    "RDS DB cluster {name} in {region} has no reader instance to fail over to",
    ("the cluster was created with a writer only (fine for development, not for production)",
     "the reader was deleted, or became the writer in a failover and was not replaced"),
    (CLUSTER_MEMBERS,),
    (NEW_MEMBER % "reader-1",))


class RdsInstance(Resource):
    """An RDS DB instance: ``assert rds_instance.healthy``, ``assert rds_instance.multi_az``."""

    fixture = "rds_instance"
    arn_types = ("rds:db",)
    output_words = ("db instance", "database instance", "db")
    service = "rds"
    kind = INSTANCE.kind
    hint_prefix = "rds.instance"
    arn_format = "arn:{partition}:rds:{region}:{account}:db:{name}"
    not_found_codes = NOT_FOUND_CODES | {"DBInstanceNotFound", "DBInstanceNotFoundFault"}
    named_from_arn = True
    describe_operations = ("describe_db_instances",)
    healthy_when = ("status",)
    hints = {"missing": _missing(INSTANCE, "aws rds describe-db-instances --region {region} "
                                 "--query 'DBInstances[].DBInstanceIdentifier'")}


    def describe(self) -> dict[str, Any]:
        return self.call("describe_db_instances", DBInstanceIdentifier=self.name)["DBInstances"][0]

    status = field("DBInstanceStatus", equals("available"), transitional=not_yet(*SETTLING),
                   hint=_status(INSTANCE, "DBInstances[].[DBInstanceStatus,PendingModifiedValues]"),
                   doc="DBInstanceStatus (str): ``available`` when healthy; creating, modifying, "
                   "backing-up, upgrading... settle by themselves.")
    engine = field("Engine", doc="The engine (str), e.g. ``postgres``, ``mysql``.")
    engine_version = field("EngineVersion", doc="The engine version (str), e.g. ``16.3``.")
    endpoint = field("Endpoint.Address", doc="The DNS name clients connect to (str), or None "
                     "while creating.")
    multi_az = field("MultiAZ", truthy, default=False, doc="True (healthy) when a standby in "
                     "another Availability Zone takes over on failure.", hint=_setting(
        INSTANCE, "is not Multi-AZ",
        ("the instance was created Single-AZ (multi_az = false, the default)",
         "a development setting reached production"),
        "DBInstances[].[MultiAZ,AvailabilityZone,SecondaryAvailabilityZone]", "--multi-az"))
    backup_retention_days = field("BackupRetentionPeriod", truthy, default=0, doc=(
        "Days automated backups are kept (int, 0 = off); healthy: at least 1, usually 7 or more."),
        hint=_backups(INSTANCE, "DBInstances[].[BackupRetentionPeriod,PreferredBackupWindow]"))
    storage_encrypted = field("StorageEncrypted", truthy, default=False, doc=(
        "True (healthy) when the storage is encrypted with KMS."), hint=_encryption(
        INSTANCE, "DBInstances[].[StorageEncrypted,KmsKeyId]",
        f"aws rds create-db-snapshot {I} --db-snapshot-identifier {{name}}-plain"))
    deletion_protection = field("DeletionProtection", truthy, default=False, doc=(
        "True (healthy) when the instance cannot be deleted until protection is turned off."),
        hint=_deletion(INSTANCE, "DBInstances[].DeletionProtection"))
    publicly_accessible = field("PubliclyAccessible", equals(False), default=False, doc=(
        "True when the endpoint resolves to a public IP; healthy: False."), hint=Hint(
        "RDS DB instance {name} in {region} is publicly accessible",
        ("publicly_accessible = true in the definition (often left from a debugging session)",
         "the instance sits in public subnets; with an open security group it is reachable "
         "from the internet"),
        (INSTANCE.command("describe", " --query 'DBInstances[].[PubliclyAccessible,"
                          "DBSubnetGroup.Subnets[].SubnetIdentifier,"
                          "VpcSecurityGroups[].VpcSecurityGroupId]'"),),
        (INSTANCE.command("modify", " --no-publicly-accessible --apply-immediately"),
         "then set publicly_accessible = false in the definition and reach the database "
         "through the VPC (a bastion, SSM port forwarding or RDS Proxy)")))

    @property
    @probe(Hint(
        "RDS DB instance {name} in {region} has pending maintenance: {actions}",
        ("AWS scheduled an OS or engine update (system-update, db-upgrade, hardware-maintenance)",
         "an update past its forced-apply date is applied in the next maintenance window, "
         "with a restart (a Multi-AZ instance fails over instead)"),
        ("aws rds describe-pending-maintenance-actions --resource-identifier {arn} --region {region}",
         INSTANCE.command("describe", " --query 'DBInstances[].PreferredMaintenanceWindow'")),
        ("aws rds apply-pending-maintenance-action --resource-identifier {arn} "
         "--apply-action {first_action} --opt-in-type next-maintenance --region {region}",
         "or apply it now, in a quiet hour: --opt-in-type immediate")), empty,
        reads=PENDING_MAINTENANCE)
    def pending_maintenance(self) -> list[str]:
        """The pending maintenance actions (list of str, e.g. ``["system-update"]``);
        healthy: empty."""
        return self._pending()

    def _pending(self) -> list[str]:
        arn = self.describe()["DBInstanceArn"]
        answer = self.call("describe_pending_maintenance_actions", ResourceIdentifier=arn)
        return [detail["Action"] for resource in answer.get("PendingMaintenanceActions", [])
                if resource.get("ResourceIdentifier") == arn
                for detail in resource.get("PendingMaintenanceActionDetails", [])]

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "arn": lambda: self.known_arn(ask=True) or "<db-instance-arn>",
                "actions": lambda: ", ".join(self._pending()) or "<none>",
                "first_action": lambda: next(iter(self._pending()), "<action>")}


class RdsCluster(Resource):
    """An RDS DB cluster (Aurora or Multi-AZ DB cluster) and its member instances:
    ``assert rds_cluster.healthy`` (available, with an available writer and members)."""

    fixture = "rds_cluster"
    arn_types = ("rds:cluster",)
    output_words = ("db cluster", "aurora cluster")
    service = "rds"
    kind = CLUSTER.kind
    hint_prefix = "rds.cluster"
    arn_format = "arn:{partition}:rds:{region}:{account}:cluster:{name}"
    not_found_codes = NOT_FOUND_CODES | {"DBClusterNotFoundFault", "DBClusterNotFound"}
    named_from_arn = True
    describe_operations = ("describe_db_clusters",)
    healthy_when = ("status", "writer_available", "unavailable_members")
    hints = {"missing": _missing(CLUSTER, "aws rds describe-db-clusters --region {region} "
                                 "--query 'DBClusters[].DBClusterIdentifier'")}


    def describe(self) -> dict[str, Any]:
        return self.call("describe_db_clusters", DBClusterIdentifier=self.name)["DBClusters"][0]

    status = field("Status", equals("available"), transitional=not_yet(*SETTLING),
                   hint=_status(CLUSTER, "DBClusters[].[Status,DBClusterMembers[]"
                                ".[DBInstanceIdentifier,IsClusterWriter]]"),
                   doc="Status (str): ``available`` when healthy; creating, modifying, "
                   "failing-over, upgrading... settle by themselves.")
    engine = field("Engine", doc="The engine (str), e.g. ``aurora-postgresql``.")
    endpoint = field("Endpoint", doc="The writer endpoint (str).")
    reader_endpoint = field("ReaderEndpoint", doc="The reader endpoint (str).")
    backup_retention_days = field("BackupRetentionPeriod", truthy, default=0, doc=(
        "Days automated backups are kept (int, 1 to 35); healthy: at least 1, usually 7 or more."),
        hint=_backups(CLUSTER, "DBClusters[].[BackupRetentionPeriod,PreferredBackupWindow]"))
    storage_encrypted = field("StorageEncrypted", truthy, default=False, doc=(
        "True (healthy) when the cluster volume is encrypted with KMS."), hint=_encryption(
        CLUSTER, "DBClusters[].[StorageEncrypted,KmsKeyId]",
        f"aws rds create-db-cluster-snapshot {C} --db-cluster-snapshot-identifier {{name}}-plain"))
    deletion_protection = field("DeletionProtection", truthy, default=False, doc=(
        "True (healthy) when the cluster cannot be deleted until protection is turned off."),
        hint=_deletion(CLUSTER, "DBClusters[].DeletionProtection"))

    @property
    @probe(MEMBERS_HINT)
    def writer(self) -> Optional[str]:
        """The writer instance's identifier (str), or None without one; healthy: an
        identifier (the one the definition names)."""
        return self._writer()

    @property
    @probe(READERS_HINT, truthy)
    def readers(self) -> list[str]:
        """The reader instances' identifiers (list of str); healthy (a failover target):
        not empty."""
        return self._readers()

    @property
    @probe(MEMBERS_HINT, truthy, transitional=_members_settling, reads=MEMBERS)
    def writer_available(self) -> bool:
        """True (healthy) when the cluster has a writer and it is ``available``."""
        writer = self._writer()
        return writer is not None and self._statuses().get(writer) == "available"

    @property
    @probe(MEMBERS_HINT, empty, transitional=_members_settling, reads=MEMBERS)
    def unavailable_members(self) -> list[str]:
        """Member instances (writer or reader) that are not ``available`` (list of str);
        healthy: empty."""
        return self._down()

    @property
    @probe(MEMBERS_HINT, reads=MEMBERS)
    def member_statuses(self) -> dict[str, str]:
        """Each member's DBInstanceStatus (dict of str), e.g. ``{"db-1": "available"}``;
        healthy: every one ``available``."""
        return self._statuses()

    def _members(self) -> list[dict[str, Any]]:
        return list(self.describe().get("DBClusterMembers") or [])

    def _writer(self) -> Optional[str]:
        return next((m["DBInstanceIdentifier"] for m in self._members()
                     if m.get("IsClusterWriter")), None)

    def _readers(self) -> list[str]:
        return [m["DBInstanceIdentifier"] for m in self._members() if not m.get("IsClusterWriter")]

    def _statuses(self) -> dict[str, str]:
        names = [m["DBInstanceIdentifier"] for m in self._members()]
        if not names:
            return {}
        answer = self.call("describe_db_instances",
                           Filters=[{"Name": "db-cluster-id", "Values": [self.name]}])
        found = {i["DBInstanceIdentifier"]: i["DBInstanceStatus"] for i in answer["DBInstances"]}
        return {name: found.get(name, "deleted") for name in names}

    def _down(self) -> list[str]:
        return sorted(m for m, status in self._statuses().items() if status != "available")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "problem": self._problem, "member": self._member}

    def _member(self) -> str:
        return next(iter(self._down()), None) or self._writer() or "<instance-id>"

    def _problem(self) -> str:
        down, writer = self._down(), self._writer()
        if writer is None:
            return "no writer instance"
        if down:
            return "members not available: " + ", ".join(down)
        return f"writer {writer}, readers {', '.join(self._readers()) or 'none'}"
