"""Route 53 hosted zones, records and health checks through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
ALB = "web-alb-123.us-east-1.elb.amazonaws.com"
GATE = f"""
    import pytest

    pytestmark = pytest.mark.aws_output(hosted_zone="zone", route53_health_check="check_id")

    def test_zone(hosted_zone):
        assert hosted_zone.healthy and not hosted_zone.private

    def test_api_points_at_the_alb(hosted_zone):
        assert hosted_zone.resolves_to("api.example.com", "{ALB}")

    def test_www_exists(hosted_zone):
        assert hosted_zone.has_record("www.example.com", "CNAME")

    def test_endpoint_healthy(route53_health_check):
        assert route53_health_check.healthy
"""


def make_zone(emu: Any, alias_target: str = ALB) -> dict[str, str]:
    r53 = emu.client("route53")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="1")["HostedZone"]["Id"]
    changes = [
        {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "api.example.com", "Type": "A", "AliasTarget": {
                "HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": f"dualstack.{alias_target}.",
                "EvaluateTargetHealth": True}}},
        {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "CNAME", "TTL": 60,
            "ResourceRecords": [{"Value": "example.com"}]}}]
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    check = r53.create_health_check(CallerReference="c", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": "api.example.com", "Port": 443,
        "ResourcePath": "/health"})["HealthCheck"]["Id"]
    return {"zone_id": zone.split("/")[-1], "check_id": check}


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, str]) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


@pytest.mark.parametrize("by", ["name", "id"])
def test_healthy_zone_by_name_or_id(pytester, write_outputs, aws_env, by) -> None:
    ids = make_zone(aws_env)
    zone = "example.com" if by == "name" else ids["zone_id"]
    run(pytester, write_outputs, {"zone": zone, "check_id": ids["check_id"]}).assert_outcomes(passed=4)


def test_stale_alias_and_failing_health_check(pytester, write_outputs, aws_env) -> None:
    ids = make_zone(aws_env, alias_target="old-alb-9.us-east-1.elb.amazonaws.com")
    aws_env.set_health_check_status(ids["check_id"], "Failure: HTTP Status Code 503, Service Unavailable")
    result = run(pytester, write_outputs, {"zone": "example.com", "check_id": ids["check_id"]})
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines_random([
        f"Route 53 zone example.com has no A record api.example.com pointing at {ALB} "
        "(found: dualstack.old-alb-9.us-east-1.elb.amazonaws.com)",
        f"*aws route53 list-resource-record-sets --hosted-zone-id {ids['zone_id']} *",
        f"Route 53 health check {ids['check_id']} reports the endpoint unhealthy: "
        "Failure: HTTP Status Code 503, Service Unavailable",
        f"*aws route53 get-health-check-status --health-check-id {ids['check_id']}",
    ])


def test_missing_zone_and_check(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs, {"zone": "nothing.example", "check_id": "abc-123"})
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines_random([
        "Route 53 hosted zone nothing.example does not exist*",
        "Route 53 health check abc-123 does not exist*"])
