"""Web Stack (Terraform): a typical web application's edge, API, data and network.

CloudFront serves ``www.example.com`` (Route 53 alias) with an ACM certificate; a REST API
stage ``prod`` answers ``api.example.com``; the app keeps its data in an encrypted
Multi-AZ RDS PostgreSQL instance and its sessions in an ElastiCache Redis replication
group, both under a customer managed KMS key; private subnets reach S3 and Secrets
Manager through VPC endpoints.

How each state is produced on the emulator: every resource through ordinary API calls,
except where moto cannot: a distribution still ``InProgress`` (moto's state manager via
:meth:`Emulator.hold_state`). Breaks are ordinary API calls (modify-db-instance,
disable-key-rotation, update-distribution, change-resource-record-sets,
delete-vpc-endpoints, update-stage, modify-replication-group).
"""

from __future__ import annotations

from typing import Any

from pytest_awshealth.emulator.stacks import Break, Deployment, Stack, terraform_outputs

ACCOUNT, REGION = "123456789012", "us-east-1"
DOMAIN = "example.com"
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/4f1c2d3e-web"
DB, CACHE = "web-prod-db", "web-prod-sessions"


def provision(d: Deployment) -> None:
    _network(d)
    d.names["key_id"] = d.client("kms").create_key(Description="web-prod data")["KeyMetadata"]["KeyId"]
    d.client("kms").enable_key_rotation(KeyId=d.names["key_id"])
    d.client("kms").create_alias(AliasName="alias/web-prod", TargetKeyId=d.names["key_id"])
    d.client("rds").create_db_instance(
        DBInstanceIdentifier=DB, Engine="postgres", DBInstanceClass="db.t4g.medium",
        AllocatedStorage=50, MasterUsername="app", MasterUserPassword="not-a-real-pass-1",
        MultiAZ=True, StorageEncrypted=True, KmsKeyId=d.names["key_id"],
        BackupRetentionPeriod=7, DeletionProtection=True, PubliclyAccessible=False)
    d.client("elasticache").create_replication_group(
        ReplicationGroupId=CACHE, ReplicationGroupDescription="sessions", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        MultiAZEnabled=True, TransitEncryptionEnabled=True, AtRestEncryptionEnabled=True,
        SnapshotRetentionLimit=7)
    _api(d)
    _cdn(d)
    _dns(d, d.names["cdn_domain"])


def _network(d: Deployment) -> None:
    ec2 = d.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    s3 = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.s3",
                                 VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
    secrets = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.secretsmanager", VpcEndpointType="Interface",
        SubnetIds=[subnet], PrivateDnsEnabled=True)["VpcEndpoint"]["VpcEndpointId"]
    d.names.update(vpc_id=vpc, subnet_id=subnet, s3_endpoint=s3, secrets_endpoint=secrets)


def _api(d: Deployment) -> None:
    apigw = d.client("apigateway")
    api = apigw.create_rest_api(name="web-prod-api")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="prod")
    apigw.update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/tracingEnabled", "value": "true"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "500"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1000"}])
    d.names["api_url"] = f"https://{api}.execute-api.{REGION}.amazonaws.com/prod"


def _distribution_config(alias: str = f"www.{DOMAIN}", enabled: bool = True) -> dict[str, Any]:
    return {
        "CallerReference": "web-prod", "Comment": "web-prod", "Enabled": enabled,
        "Aliases": {"Quantity": 1, "Items": [alias]},
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "site", "DomainName": f"web-prod-site-{ACCOUNT}.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                                                  "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
        "ViewerCertificate": {"ACMCertificateArn": CERT, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021"}}


def _cdn(d: Deployment) -> None:
    found = d.client("cloudfront").create_distribution(DistributionConfig=_distribution_config())
    d.names["cdn_id"], d.names["cdn_domain"] = found["Distribution"]["Id"], found["Distribution"]["DomainName"]


def _dns(d: Deployment, www_target: str) -> None:
    r53 = d.client("route53")
    if "zone_id" not in d.names:
        zone = r53.create_hosted_zone(Name=DOMAIN, CallerReference="web-prod")["HostedZone"]["Id"]
        d.names["zone_id"] = zone.split("/")[-1]
    r53.change_resource_record_sets(HostedZoneId=d.names["zone_id"], ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": f"www.{DOMAIN}", "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": f"{www_target}.",
                "EvaluateTargetHealth": False}}}]})


def outputs(d: Deployment) -> dict[str, Any]:
    n = d.names
    return terraform_outputs({
        "vpc_id": n["vpc_id"], "private_subnet_id": n["subnet_id"],
        "s3_endpoint_id": n["s3_endpoint"], "secrets_endpoint_id": n["secrets_endpoint"],
        "data_key_alias": "alias/web-prod", "db_instance_id": DB,
        "sessions_cache_id": CACHE, "api_invoke_url": n["api_url"],
        "cdn_distribution_id": n["cdn_id"], "cdn_domain_name": n["cdn_domain"],
        "hosted_zone_name": DOMAIN, "site_hostname": f"www.{DOMAIN}"})


# -- breaks


def _single_az(d: Deployment) -> None:
    d.client("rds").modify_db_instance(DBInstanceIdentifier=DB, MultiAZ=False, ApplyImmediately=True)


def _no_backups(d: Deployment) -> None:
    d.client("rds").modify_db_instance(DBInstanceIdentifier=DB, BackupRetentionPeriod=0,
                                       ApplyImmediately=True)


def _public_db(d: Deployment) -> None:
    d.client("rds").modify_db_instance(DBInstanceIdentifier=DB, PubliclyAccessible=True,
                                       ApplyImmediately=True)


def _no_failover(d: Deployment) -> None:
    d.client("elasticache").modify_replication_group(
        ReplicationGroupId=CACHE, AutomaticFailoverEnabled=False, MultiAZEnabled=False,
        ApplyImmediately=True)


def _rotation_off(d: Deployment) -> None:
    d.client("kms").disable_key_rotation(KeyId=d.names["key_id"])


def _key_disabled(d: Deployment) -> None:
    d.client("kms").disable_key(KeyId=d.names["key_id"])


def _cdn_disabled(d: Deployment) -> None:
    cloudfront = d.client("cloudfront")
    etag = cloudfront.get_distribution_config(Id=d.names["cdn_id"])["ETag"]
    cloudfront.update_distribution(Id=d.names["cdn_id"], IfMatch=etag,
                                   DistributionConfig=_distribution_config(enabled=False))


def _stale_dns(d: Deployment) -> None:
    _dns(d, "d111111abcdef8.cloudfront.net")  # the distribution a previous deploy replaced


def _endpoint_deleted(d: Deployment) -> None:
    d.client("ec2").delete_vpc_endpoints(VpcEndpointIds=[d.names["s3_endpoint"]])


def _unthrottled_api(d: Deployment) -> None:
    api = d.names["api_url"].split("//")[1].split(".")[0]
    d.client("apigateway").update_stage(restApiId=api, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/tracingEnabled", "value": "false"},
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "10000"},  # the
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "5000"}])  # account default


BREAKS = {
    "rds-single-az": Break(
        "database switched to Single-AZ to save money", _single_az, ("test_database_multi_az",),
        (f"*RDS DB instance {DB} in us-east-1*Multi-AZ*",
         f"*aws rds modify-db-instance --db-instance-identifier {DB}*--multi-az*")),
    "rds-backups": Break(
        "automated backups turned off (retention 0)", _no_backups, ("test_database_backups",),
        (f"*RDS DB instance {DB} in us-east-1*backup*",
         f"*aws rds modify-db-instance --db-instance-identifier {DB}*--backup-retention-period*")),
    "rds-public": Break(
        "database made publicly accessible", _public_db, ("test_database_private",),
        (f"*RDS DB instance {DB} in us-east-1*public*",)),
    "cache-failover": Break(
        "sessions cache without automatic failover", _no_failover, ("test_sessions_cache_fails_over",),
        (f"ElastiCache replication group {CACHE} in us-east-1 does not fail over automatically",)),
    "kms-rotation": Break(
        "automatic key rotation switched off", _rotation_off, ("test_data_key_rotates",),
        ("KMS key alias/web-prod in us-east-1 does not rotate its key material automatically",
         "*aws kms enable-key-rotation --key-id alias/web-prod --region us-east-1")),
    "kms-disabled": Break(
        "data key disabled", _key_disabled, ("test_data_key_enabled",),
        ("KMS key alias/web-prod in us-east-1 is not Enabled",
         "*aws kms enable-key --key-id alias/web-prod --region us-east-1")),
    "cdn-disabled": Break(
        "CloudFront distribution disabled", _cdn_disabled, ("test_cdn_serving",),
        ("CloudFront distribution * is disabled: it serves no requests",)),
    "dns-stale": Break(
        "www still aliases the distribution an earlier deploy replaced", _stale_dns,
        ("test_www_points_at_the_cdn",),
        (f"Route 53 zone {DOMAIN} has no A record www.{DOMAIN} pointing at *.cloudfront.net "
         "(found: d111111abcdef8.cloudfront.net)",)),
    "endpoint-deleted": Break(
        "S3 gateway endpoint deleted: private subnets lose S3", _endpoint_deleted,
        ("test_vpc_endpoints_available[s3_endpoint_id]",),
        ("VPC endpoint * in us-east-1 is not available",)),
    "api-unthrottled": Break(
        "API stage lost its throttling limits and tracing", _unthrottled_api,
        ("test_api_stage_throttled", "test_api_stage_traced"),
        ("API Gateway stage prod of API * in us-east-1 has no throttling limits",
         "API Gateway stage prod of API * in us-east-1 does not send traces to X-Ray")),
}

STACK = Stack("web_stack", "terraform-outputs.json", provision, outputs, BREAKS)
