"""WAFv2 web ACLs and SES identities through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, str],
        gate: str) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(gate)
    return pytester.runpytest(*ARGS)


WAF_GATE = """
    import pytest

    @pytest.mark.aws_output(waf_web_acl="acl_arn")
    def test_protects_the_alb(waf_web_acl, aws_outputs):
        assert waf_web_acl.exists and waf_web_acl.default_action == "ALLOW"
        assert waf_web_acl.protects(aws_outputs["alb_arn"])
"""


def make_acl(emu: Any) -> str:
    return emu.client("wafv2").create_web_acl(
        Name="web", Scope="REGIONAL", DefaultAction={"Allow": {}}, Rules=[],
        VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                          "MetricName": "web"})["Summary"]["ARN"]


ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"


def test_web_acl_associated(pytester, write_outputs, aws_env) -> None:
    acl = make_acl(aws_env)
    aws_env.client("wafv2").associate_web_acl(WebACLArn=acl, ResourceArn=ALB)
    run(pytester, write_outputs, {"acl_arn": acl, "alb_arn": ALB}, WAF_GATE).assert_outcomes(passed=1)


def test_web_acl_not_associated(pytester, write_outputs, aws_env) -> None:
    acl = make_acl(aws_env)
    result = run(pytester, write_outputs, {"acl_arn": acl, "alb_arn": ALB}, WAF_GATE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"WAF web ACL web in us-east-1 does not protect {ALB} (found: no web ACL)",
        f"*aws wafv2 associate-web-acl --web-acl-arn {acl} --resource-arn {ALB} --region us-east-1"])


SES_GATE = """
    import pytest

    @pytest.mark.aws_output(ses_identity="sender_domain")
    def test_sender(ses_identity):
        assert ses_identity.healthy
"""


def hold_pending(emu: Any, domain: str) -> None:
    """moto verifies every identity at once; AWS keeps a domain Pending until it sees the
    TXT record. Wrap the backend's answer for ``domain``."""
    backend = emu.backend("ses")
    original = backend.get_identity_verification_attributes

    def attributes(identities: Any = None) -> dict[str, dict[str, str]]:
        found = original(identities)
        if domain in found:
            found[domain] = {**found[domain], "VerificationStatus": "Pending"}
        return found

    backend.get_identity_verification_attributes = attributes


def test_ses_domain_verified_pending_and_missing(pytester, write_outputs, aws_env) -> None:
    ses = aws_env.client("ses")
    ses.verify_domain_identity(Domain="example.com")
    ses.verify_domain_identity(Domain="pending.example.com")
    hold_pending(aws_env, "pending.example.com")
    result = run(pytester, write_outputs, {"a": "example.com", "b": "nothing.example",
                                           "c": "pending.example.com"}, """
        import pytest

        @pytest.mark.aws_output(ses_identity=["a", "b", "c"])
        def test_sender(ses_identity):
            assert ses_identity.healthy
    """)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines_random([
        "SES identity nothing.example is not set up in us-east-1*",
        "SES identity pending.example.com in us-east-1 is not verified (Pending)",
        "*dig +short TXT _amazonses.pending.example.com"])
