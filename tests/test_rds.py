"""RDS DB instance and DB cluster handles against the emulator: healthy, broken, settling,
missing. Pending maintenance comes from the emulator's answer layer (moto lacks it)."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.resources.rds import RdsCluster, RdsInstance

DB = dict(Engine="postgres", DBInstanceClass="db.t3.micro", MasterUsername="admin_user",
          MasterUserPassword="correct-horse-9", AllocatedStorage=20)
AURORA = dict(Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")

INSTANCE_CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(rds_instance=["good", "bad"])
    def test_healthy(rds_instance):
        assert rds_instance.healthy and rds_instance.engine == "postgres"
    def test_multi_az(rds_instance):
        assert rds_instance.multi_az
    def test_backups(rds_instance):
        assert rds_instance.backup_retention_days >= 7
    def test_encrypted(rds_instance):
        assert rds_instance.storage_encrypted
    def test_protected(rds_instance):
        assert rds_instance.deletion_protection
    def test_private(rds_instance):
        assert not rds_instance.publicly_accessible
    def test_no_pending_maintenance(rds_instance):
        assert not rds_instance.pending_maintenance
"""


def test_instance_healthy_passes_and_a_careless_one_fails_each_check_with_its_hint(
        pytester, aws_env) -> None:
    rds = aws_env.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="orders-db", MultiAZ=True, BackupRetentionPeriod=7,
                           StorageEncrypted=True, DeletionProtection=True,
                           PubliclyAccessible=False, **DB)
    rds.create_db_instance(DBInstanceIdentifier="legacy-db", BackupRetentionPeriod=0,
                           PubliclyAccessible=True, **DB)
    aws_env.answer("rds", "DescribePendingMaintenanceActions", {"PendingMaintenanceActions": [{
        "ResourceIdentifier": "arn:aws:rds:us-east-1:123456789012:db:legacy-db",
        "PendingMaintenanceActionDetails": [{"Action": "system-update",
                                             "Description": "New Operating System update"}]}]})
    result = run_checks(pytester, {"good": "orders-db", "bad": "legacy-db"}, INSTANCE_CHECKS, "-rA")
    result.assert_outcomes(passed=8, failed=6)
    assert failed(result) == [f"test_{name}[bad]" for name in (
        "backups", "encrypted", "multi_az", "no_pending_maintenance", "private", "protected")]
    option = "--db-instance-identifier legacy-db --region us-east-1"
    result.stdout.fnmatch_lines([
        "RDS DB instance legacy-db in us-east-1 is not Multi-AZ",
        f"*aws rds modify-db-instance {option} --multi-az --apply-immediately",
        "RDS DB instance legacy-db in us-east-1 keeps automated backups for fewer days than expected",
        f"*aws rds modify-db-instance {option} --backup-retention-period 7 --apply-immediately",
        "RDS DB instance legacy-db in us-east-1 does not encrypt its storage",
        f"*aws rds create-db-snapshot {option} --db-snapshot-identifier legacy-db-plain*",
        "RDS DB instance legacy-db in us-east-1 is not protected against deletion",
        f"*aws rds modify-db-instance {option} --deletion-protection --apply-immediately",
        "RDS DB instance legacy-db in us-east-1 is publicly accessible",
        f"*aws rds modify-db-instance {option} --no-publicly-accessible --apply-immediately",
        "RDS DB instance legacy-db in us-east-1 has pending maintenance: system-update",
        "*aws rds apply-pending-maintenance-action --resource-identifier "
        "arn:aws:rds:us-east-1:123456789012:db:legacy-db --apply-action system-update "
        "--opt-in-type next-maintenance --region us-east-1",
    ])


def test_modifying_instance_is_transitional_and_a_missing_one_names_the_output(
        pytester, aws_env) -> None:
    aws_env.client("rds").create_db_instance(DBInstanceIdentifier="orders-db", **DB)
    aws_env.edit_backend("rds", "databases", "orders-db", status="modifying")
    result = run_checks(pytester, {"busy": "orders-db", "gone": "ghost-db"}, """
        import pytest
        @pytest.mark.aws_output(rds_instance=["busy", "gone"])
        def test_available(rds_instance):
            assert rds_instance.healthy
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "RDS DB instance orders-db in us-east-1 is not available",
        "*aws rds describe-events --source-identifier orders-db --source-type db-instance "
        "--duration 1440 --region us-east-1",
        "*aws rds wait db-instance-available --db-instance-identifier orders-db --region us-east-1",
        "modifying is a transitional state: pass --aws-settle SECONDS*",
        "RDS DB instance ghost-db does not exist in us-east-1 (account 123456789012)",
        "*output 'gone' holds the wrong identifier*",
    ])


def aurora(emulator, cluster: str, *members: str) -> None:
    rds = emulator.client("rds")
    rds.create_db_cluster(DBClusterIdentifier=cluster, Engine=AURORA["Engine"],
                          MasterUsername="admin_user", MasterUserPassword="correct-horse-9")
    for member in members:  # the first is the writer
        rds.create_db_instance(DBInstanceIdentifier=member, DBClusterIdentifier=cluster, **AURORA)


def test_cluster_members_decide_health_and_a_missing_reader_fails_with_its_hint(
        pytester, aws_env) -> None:
    aurora(aws_env, "orders", "orders-1", "orders-2")
    aurora(aws_env, "lonely", "lonely-1")
    aurora(aws_env, "degraded", "degraded-1", "degraded-2")
    aws_env.edit_backend("rds", "databases", "degraded-1", status="rebooting")
    result = run_checks(pytester, {"good": "orders", "lonely": "lonely", "degraded": "degraded"}, """
        import pytest
        pytestmark = pytest.mark.aws_output(rds_cluster=["good", "lonely", "degraded"])
        def test_healthy(rds_cluster):
            assert rds_cluster.healthy
        def test_failover_target(rds_cluster):
            assert rds_cluster.readers
        def test_members(rds_cluster):
            assert rds_cluster.writer == rds_cluster.name + "-1"
            assert rds_cluster.member_statuses[rds_cluster.writer] in ("available", "rebooting")
    """, "-rA")
    result.assert_outcomes(passed=7, failed=2)
    assert failed(result) == ["test_failover_target[lonely]", "test_healthy[degraded]"]
    result.stdout.fnmatch_lines([
        "RDS DB cluster degraded in us-east-1: members not available: degraded-1",
        "*aws rds describe-db-instances --filters Name=db-cluster-id,Values=degraded "
        "--region us-east-1*",
        "*aws rds wait db-instance-available --db-instance-identifier degraded-1 --region us-east-1",
        "rebooting is a transitional state*",
        "RDS DB cluster lonely in us-east-1 has no reader instance to fail over to",
        "*aws rds create-db-instance --db-cluster-identifier lonely --db-instance-identifier "
        "lonely-reader-1 --db-instance-class <class> --engine <engine> --region us-east-1 *",
    ])


def test_cluster_settings_and_a_missing_cluster(pytester, aws_env) -> None:
    aurora(aws_env, "orders", "orders-1")
    result = run_checks(pytester, {"cluster": "orders", "gone": "ghost"}, """
        import pytest
        @pytest.mark.aws_output(rds_cluster="cluster")
        def test_encrypted(rds_cluster):
            assert rds_cluster.backup_retention_days >= 1
            assert rds_cluster.storage_encrypted
        @pytest.mark.aws_output(rds_cluster="gone")
        def test_missing(rds_cluster):
            assert rds_cluster.healthy
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "RDS DB cluster orders in us-east-1 does not encrypt its storage",
        "*aws rds create-db-cluster-snapshot --db-cluster-identifier orders --region us-east-1 "
        "--db-cluster-snapshot-identifier orders-plain*",
        "RDS DB cluster ghost does not exist in us-east-1 (account 123456789012)",
        "*aws rds describe-db-clusters --region us-east-1 --query 'DBClusters[].DBClusterIdentifier'",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    aws_env.client("rds").create_db_instance(DBInstanceIdentifier="orders-db", **DB)
    aws_env.answer("rds", "DescribePendingMaintenanceActions", {"PendingMaintenanceActions": []})
    aurora(aws_env, "orders", "orders-1", "orders-2")
    assert_probes_read_what_they_declare(aws_env, RdsInstance, "orders-db")
    assert_probes_read_what_they_declare(aws_env, RdsCluster, "orders")


def test_an_answer_that_is_no_aws_answer_is_inconclusive(pytester, aws_env) -> None:
    """An HTML error page instead of an AWS answer (a proxy's, or moto's for an action it
    lacks): the state is unknown, not broken, and one line without a parser traceback."""
    aws_env.client("rds").create_db_instance(DBInstanceIdentifier="orders-db", **DB)
    result = run_checks(pytester, {"db": "orders-db"}, """
        import pytest
        @pytest.mark.aws_output(rds_instance="db")
        def test_no_pending_maintenance(rds_instance):
            assert not rds_instance.pending_maintenance
    """, "-rA")
    assert result.ret == 6, result.stdout.str()
    result.stdout.fnmatch_lines(["INCONCLUSIVE *test_no_pending_maintenance - *"
                                 "DescribePendingMaintenanceActions*Unable to parse response*"
                                 "not an AWS answer*"])
    assert "Traceback" not in result.stdout.str() and "doctype" not in result.stdout.str()
