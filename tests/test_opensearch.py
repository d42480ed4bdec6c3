"""The OpenSearch domain handle against the emulator: healthy, broken (red cluster,
no encryption), processing, no metrics, missing."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.resources.opensearch import OpenSearchDomain

CHECKS = """
    import pytest
    pytestmark = pytest.mark.aws_output(opensearch_domain=["good", "bad"])
    def test_healthy(opensearch_domain):
        assert opensearch_domain.healthy
    def test_green(opensearch_domain):
        assert opensearch_domain.cluster_health(minutes=15) == "green"
    def test_encrypted(opensearch_domain):
        assert opensearch_domain.encrypted_at_rest and opensearch_domain.node_to_node_encryption
    def test_https_only(opensearch_domain):
        assert opensearch_domain.enforces_https
    def test_storage(opensearch_domain):
        assert opensearch_domain.free_storage_mb(minutes=30) > 2048
"""


def cluster_status(emulator, domain: str, **values: float) -> None:
    dimensions = {"DomainName": domain, "ClientId": emulator.account_id}
    for health, value in values.items():
        put_datapoint(emulator, "AWS/ES", f"ClusterStatus.{health}", dimensions, value)


def test_green_encrypted_domain_passes_and_a_red_open_one_fails_with_its_hints(
        pytester, aws_env) -> None:
    search = aws_env.client("opensearch")
    search.create_domain(DomainName="search", EngineVersion="OpenSearch_2.11",
                         EncryptionAtRestOptions={"Enabled": True},
                         NodeToNodeEncryptionOptions={"Enabled": True},
                         DomainEndpointOptions={"EnforceHTTPS": True})
    search.create_domain(DomainName="logs", EngineVersion="OpenSearch_2.11")
    cluster_status(aws_env, "search", green=1, yellow=0, red=0)
    cluster_status(aws_env, "logs", green=0, yellow=0, red=1)
    for domain, free in (("search", (40_000, 38_000)), ("logs", (9_000, 300))):
        for minutes_ago, value in zip((2, 12), free):
            put_datapoint(aws_env, "AWS/ES", "FreeStorageSpace",
                          {"DomainName": domain, "ClientId": aws_env.account_id}, value,
                          minutes_ago=minutes_ago)
    result = run_checks(pytester, {"good": "search", "bad": "logs"}, CHECKS, "-rA")
    result.assert_outcomes(passed=5, failed=5)
    assert failed(result) == [f"test_{name}[bad]" for name in (
        "encrypted", "green", "healthy", "https_only", "storage")]
    domain = "--domain-name logs --region us-east-1"
    result.stdout.fnmatch_lines([
        "OpenSearch domain logs in us-east-1: cluster health was red in the last 15 min",
        "*red: a primary shard is unassigned*",
        "*--metric-name ClusterStatus.red --dimensions Name=DomainName,Value=logs "
        "Name=ClientId,Value=123456789012 *",
        "OpenSearch domain logs in us-east-1 does not encrypt data at rest",
        f"*aws opensearch update-domain-config {domain} --encryption-at-rest-options Enabled=true",
        "OpenSearch domain logs in us-east-1 accepts plain HTTP",
        f"*aws opensearch update-domain-config {domain} --domain-endpoint-options "
        "EnforceHTTPS=true,TLSSecurityPolicy=Policy-Min-TLS-1-2-2019-07",
        "OpenSearch domain logs in us-east-1 ran low on storage: 300 MiB free at the lowest in "
        "the last 30 min",
        f"*aws opensearch update-domain-config {domain} --ebs-options EBSEnabled=true,VolumeSize=<GiB>",
    ])


def test_processing_domain_is_transitional_without_metrics_unknown_and_missing_named(
        pytester, aws_env) -> None:
    aws_env.client("opensearch").create_domain(DomainName="search")
    aws_env.edit_backend("opensearch", "domains", "search", processing=True)
    result = run_checks(pytester, {"busy": "search", "gone": "ghost"}, """
        import pytest
        @pytest.mark.aws_output(opensearch_domain="busy")
        def test_active(opensearch_domain):
            assert opensearch_domain.status == "Active"
        @pytest.mark.aws_output(opensearch_domain="busy")
        def test_health_known(opensearch_domain):
            assert opensearch_domain.cluster_health() == "green"
        @pytest.mark.aws_output(opensearch_domain="gone")
        def test_missing(opensearch_domain):
            assert opensearch_domain.healthy
    """)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "OpenSearch domain search in us-east-1 is not Active",
        "*aws opensearch describe-domain-change-progress --domain-name search --region us-east-1",
        "Modifying is a transitional state: pass --aws-settle SECONDS*",
        "OpenSearch domain search in us-east-1: cluster health was unknown in the last 15 min",
        "OpenSearch domain ghost does not exist in us-east-1 (account 123456789012)",
        "*aws opensearch list-domain-names --region us-east-1",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    aws_env.client("opensearch").create_domain(DomainName="search")
    assert_probes_read_what_they_declare(aws_env, OpenSearchDomain, "search",
                                         metric=("CPUUtilization",))
