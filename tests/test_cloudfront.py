"""CloudFront distributions through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(cloudfront_distribution="cdn_id")

    def test_healthy(cloudfront_distribution):
        assert cloudfront_distribution.healthy

    def test_serves_www(cloudfront_distribution):
        assert cloudfront_distribution.has_alias("www.example.com")

    def test_certificate(cloudfront_distribution):
        assert cloudfront_distribution.custom_certificate

    def test_origin(cloudfront_distribution):
        assert cloudfront_distribution.origins == ["site.s3.amazonaws.com"]
"""


def make_distribution(emu: Any, *, alias: str = "www.example.com", enabled: bool = True,
                      certificate: bool = True) -> str:
    viewer = ({"ACMCertificateArn": f"arn:aws:acm:us-east-1:{emu.account_id}:certificate/1",
               "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"}
              if certificate else {"CloudFrontDefaultCertificate": True})
    config = {
        "CallerReference": "ref", "Comment": "web", "Enabled": enabled,
        "Aliases": {"Quantity": 1, "Items": [alias]},
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "s3", "DomainName": "site.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                                                  "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}},
        "ViewerCertificate": viewer}
    return emu.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def run(pytester: pytest.Pytester, write_outputs: Any, cdn: str) -> pytest.RunResult:
    write_outputs({"cdn_id": cdn})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_a_deployed_distribution_passes(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, make_distribution(aws_env)).assert_outcomes(passed=4)


def test_disabled_without_alias_or_certificate(pytester, write_outputs, aws_env) -> None:
    cdn = make_distribution(aws_env, alias="old.example.com", enabled=False, certificate=False)
    result = run(pytester, write_outputs, cdn)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines_random([
        f"CloudFront distribution {cdn} is disabled: it serves no requests",
        f"CloudFront distribution {cdn} does not serve www.example.com (its aliases: old.example.com)",
        f"*aws cloudfront list-conflicting-aliases --distribution-id {cdn} --alias www.example.com",
        f"CloudFront distribution {cdn} serves its aliases without a certificate of its own*",
    ])


def test_in_progress_is_transitional(pytester, write_outputs, aws_env) -> None:
    aws_env.hold_state("cloudfront::distribution")  # moto deploys at once
    cdn = make_distribution(aws_env)
    result = run(pytester, write_outputs, cdn)
    result.stdout.fnmatch_lines([f"CloudFront distribution {cdn} is not Deployed",
                                 "*InProgress is a transitional state*"])


def test_missing(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs, "E0000000000000")
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(["CloudFront distribution E0000000000000 does not exist*"])
