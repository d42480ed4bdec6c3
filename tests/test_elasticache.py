"""The ElastiCache replication group handle against the emulator: healthy, broken,
settling, missing."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.resources.elasticache import ElastiCacheReplicationGroup

GROUP = dict(Engine="redis", CacheNodeType="cache.t3.micro", ReplicationGroupDescription="cache")

CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(elasticache_group=["good", "bad"])
    def test_healthy(elasticache_group):
        assert elasticache_group.healthy and elasticache_group.engine == "redis"
        assert elasticache_group.primary_endpoint.startswith("master.")
    def test_fails_over(elasticache_group):
        assert elasticache_group.automatic_failover and elasticache_group.multi_az
    def test_tls(elasticache_group):
        assert elasticache_group.transit_encryption
    def test_encrypted_at_rest(elasticache_group):
        assert elasticache_group.at_rest_encryption
    def test_backups(elasticache_group):
        assert elasticache_group.snapshot_retention_days >= 1
"""


def test_healthy_group_passes_and_a_bare_one_fails_each_check_with_its_hint(
        pytester, aws_env) -> None:
    cache = aws_env.client("elasticache")
    cache.create_replication_group(
        ReplicationGroupId="sessions", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        MultiAZEnabled=True, TransitEncryptionEnabled=True, AtRestEncryptionEnabled=True,
        SnapshotRetentionLimit=7, **GROUP)
    cache.create_replication_group(ReplicationGroupId="scratch", NumCacheClusters=1, **GROUP)
    result = run_checks(pytester, {"good": "sessions", "bad": "scratch"}, CHECKS, "-rA")
    result.assert_outcomes(passed=6, failed=4)
    assert failed(result) == [f"test_{name}[bad]" for name in (
        "backups", "encrypted_at_rest", "fails_over", "tls")]
    group = "--replication-group-id scratch --region us-east-1"
    result.stdout.fnmatch_lines([
        "ElastiCache replication group scratch in us-east-1 does not fail over automatically",
        f"*aws elasticache increase-replica-count {group} --new-replica-count 1 *",
        f"*aws elasticache modify-replication-group {group} --automatic-failover-enabled "
        "--multi-az-enabled --apply-immediately",
        "ElastiCache replication group scratch in us-east-1 does not encrypt connections (TLS)",
        f"*aws elasticache modify-replication-group {group} --transit-encryption-enabled "
        "--transit-encryption-mode preferred --apply-immediately*",
        "ElastiCache replication group scratch in us-east-1 does not encrypt data at rest",
        f"*aws elasticache create-snapshot {group} --snapshot-name scratch-plain",
        "ElastiCache replication group scratch in us-east-1 keeps no automatic backups",
        f"*aws elasticache modify-replication-group {group} --snapshot-retention-limit 7 *",
    ])


def test_modifying_group_is_transitional_and_a_missing_one_names_the_output(
        pytester, aws_env) -> None:
    aws_env.client("elasticache").create_replication_group(
        ReplicationGroupId="sessions", NumCacheClusters=1, **GROUP)
    aws_env.edit_backend("elasticache", "replication_groups", "sessions", status="modifying")
    result = run_checks(pytester, {"busy": "sessions", "gone": "sessions-001"}, """
        import pytest
        @pytest.mark.aws_output(elasticache_group=["busy", "gone"])
        def test_available(elasticache_group):
            assert elasticache_group.healthy
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "ElastiCache replication group sessions in us-east-1 is not available",
        "*aws elasticache wait replication-group-available --replication-group-id sessions "
        "--region us-east-1",
        "modifying is a transitional state: pass --aws-settle SECONDS*",
        "ElastiCache replication group sessions-001 does not exist in us-east-1 "
        "(account 123456789012)",
        "*output 'gone' holds the wrong replication group ID (a member cluster's ID, such as "
        "<group>-001, is not the group's)",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    aws_env.client("elasticache").create_replication_group(
        ReplicationGroupId="sessions", NumCacheClusters=1, **GROUP)
    assert_probes_read_what_they_declare(aws_env, ElastiCacheReplicationGroup, "sessions")
