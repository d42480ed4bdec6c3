"""Web Stack post-deploy gate: edge, API, data and network of a typical web application.

    terraform output -json > terraform-outputs.json
    pytest --aws-outputs terraform-outputs.json examples/web_stack
"""

import pytest

ENDPOINTS = ["s3_endpoint_id", "secrets_endpoint_id"]


def test_aws_credentials_work(aws_identity):
    assert aws_identity.account


# -- network


@pytest.mark.aws_output(vpc="vpc_id")
def test_vpc_resolves_names(vpc):
    assert vpc.healthy and vpc.dns_support and vpc.dns_hostnames


@pytest.mark.aws_output(vpc_endpoint=ENDPOINTS)
def test_vpc_endpoints_available(vpc_endpoint):
    assert vpc_endpoint.healthy


# -- data


@pytest.mark.aws_output(kms_key="data_key_alias")
def test_data_key_enabled(kms_key):
    assert kms_key.healthy


@pytest.mark.aws_output(kms_key="data_key_alias")
def test_data_key_rotates(kms_key):
    assert kms_key.rotation_enabled


@pytest.mark.aws_output(rds_instance="db_instance_id")
def test_database_available(rds_instance):
    assert rds_instance.status == "available" and rds_instance.storage_encrypted


@pytest.mark.aws_output(rds_instance="db_instance_id")
def test_database_multi_az(rds_instance):
    assert rds_instance.multi_az


@pytest.mark.aws_output(rds_instance="db_instance_id")
def test_database_backups(rds_instance):
    assert rds_instance.backup_retention_days >= 7


@pytest.mark.aws_output(rds_instance="db_instance_id")
def test_database_private(rds_instance):
    assert not rds_instance.publicly_accessible


@pytest.mark.aws_output(elasticache_group="sessions_cache_id")
def test_sessions_cache_available(elasticache_group):
    assert elasticache_group.healthy and elasticache_group.transit_encryption


@pytest.mark.aws_output(elasticache_group="sessions_cache_id")
def test_sessions_cache_fails_over(elasticache_group):
    assert elasticache_group.automatic_failover


# -- API


@pytest.mark.aws_output(api_stage="api_invoke_url")
def test_api_stage_deployed(api_stage):
    assert api_stage.healthy and api_stage.logging_enabled


@pytest.mark.aws_output(api_stage="api_invoke_url")
def test_api_stage_throttled(api_stage):
    assert api_stage.throttling


@pytest.mark.aws_output(api_stage="api_invoke_url")
def test_api_stage_traced(api_stage):
    assert api_stage.tracing_enabled


# -- edge and DNS


@pytest.mark.aws_output(cloudfront_distribution="cdn_distribution_id")
def test_cdn_serving(cloudfront_distribution):
    assert cloudfront_distribution.healthy


@pytest.mark.aws_output(cloudfront_distribution="cdn_distribution_id")
def test_cdn_serves_the_site_with_its_certificate(cloudfront_distribution, aws_outputs):
    assert cloudfront_distribution.has_alias(aws_outputs["site_hostname"])
    assert cloudfront_distribution.custom_certificate


@pytest.mark.aws_output(hosted_zone="hosted_zone_name")
def test_www_points_at_the_cdn(hosted_zone, aws_outputs):
    assert hosted_zone.resolves_to(aws_outputs["site_hostname"], aws_outputs["cdn_domain_name"])
