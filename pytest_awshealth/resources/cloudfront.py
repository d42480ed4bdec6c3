"""CloudFront distributions: deployed, enabled, serving the right names with a certificate."""

from __future__ import annotations

from typing import Any

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

D = "--id {name}"


class CloudFrontDistribution(Resource):
    """A CloudFront distribution by ID (``E2ABC...``):
    ``assert cloudfront_distribution.healthy`` and
    ``assert cloudfront_distribution.has_alias("www.example.com")``."""

    fixture = "cloudfront_distribution"
    arn_types = ("cloudfront:distribution",)
    output_words = ("distribution",)
    service = "cloudfront"
    kind = "CloudFront distribution"
    hint_prefix = "cloudfront.distribution"
    not_found_codes = NOT_FOUND_CODES | {"NoSuchDistribution"}
    describe_operations = ("get_distribution",)
    healthy_when = ("status", "enabled")
    arn_format = "arn:{partition}:cloudfront::{account}:distribution/{name}"
    hints = {"missing": Hint(
        "CloudFront distribution {name} does not exist (account {account})",
        ("the deploy did not create it, or it was deleted (disable, then delete)",
         "output '{output}' holds the domain name (d123.cloudfront.net) instead of the ID"),
        ("aws cloudfront list-distributions --query "
         "'DistributionList.Items[].[Id,DomainName,Aliases.Items]'",),
        ("re-run the deploy, and bind the distribution's ID output",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_distribution", Id=self.name)["Distribution"]

    status = field("Status", equals("Deployed"), transitional=not_yet("InProgress"), doc=(
        "Status: Deployed once every edge location serves the latest configuration; "
        "InProgress for up to several minutes after a change."), hint=Hint(
        "CloudFront distribution {name} is not Deployed",
        ("a configuration change is still propagating to the edge locations (InProgress)",),
        (f"aws cloudfront get-distribution {D} --query 'Distribution.[Status,LastModifiedTime]'",),
        (f"aws cloudfront wait distribution-deployed {D}",)))
    enabled = field("DistributionConfig.Enabled", truthy, default=False, doc=(
        "True when the distribution serves requests (a disabled one answers nothing)."),
        hint=Hint(
        "CloudFront distribution {name} is disabled: it serves no requests",
        ("it was disabled by hand or by the deploy (enabled = false), e.g. as the first step "
         "of deleting it",),
        (f"aws cloudfront get-distribution-config {D} --query 'DistributionConfig.Enabled'",),
        ("set enabled = true in the deploy and re-run it (update-distribution needs the whole "
         "config and its ETag: get-distribution-config first)",)))
    domain_name = field("DomainName", doc="The distribution's own name, e.g. d123.cloudfront.net.")
    aliases = field("DistributionConfig.Aliases.Items", default=[],
                    doc="The alternate domain names (CNAMEs) it serves, a list of str.")
    origins = field("DistributionConfig.Origins.Items[].DomainName", default=[],
                    doc="Its origins' domain names, a list of str.")

    @probe(Hint(
        "CloudFront distribution {name} does not serve {alias} (its aliases: {aliases})",
        ("the alternate domain name is missing from the distribution's aliases, so CloudFront "
         "answers 403 for it even when DNS points here",
         "the alias is attached to another distribution (an alias belongs to one only)"),
        (f"aws cloudfront get-distribution {D} --query 'Distribution.DistributionConfig.Aliases'",
         "aws cloudfront list-conflicting-aliases --distribution-id {name} --alias {alias}"),
        ("add {alias} to the distribution's aliases in the deploy (with a certificate that "
         "covers it) and re-run it",)), truthy)
    def has_alias(self, alias: str) -> bool:
        """True when ``alias`` is one of the distribution's alternate domain names."""
        return alias.lower().rstrip(".") in {a.lower() for a in self.aliases}

    @property
    @probe(Hint(
        "CloudFront distribution {name} serves its aliases without a certificate of its own "
        "({certificate_source})",
        ("the viewer certificate is CloudFront's default (*.cloudfront.net): browsers reject it "
         "for the aliases",
         "the ACM certificate is not in us-east-1 (CloudFront only uses certificates from there)"),
        (f"aws cloudfront get-distribution {D} --query 'Distribution.DistributionConfig.ViewerCertificate'",
         "aws acm list-certificates --region us-east-1"),
        ("request or import a certificate in us-east-1 covering the aliases and set it as the "
         "viewer certificate (acm_certificate_arn, ssl_support_method = sni-only) in the deploy",)),
     truthy)
    def custom_certificate(self) -> bool:
        """True when the viewer certificate is an ACM or IAM certificate, not CloudFront's
        default (needed whenever the distribution has aliases)."""
        viewer = self.describe().get("DistributionConfig", {}).get("ViewerCertificate", {})
        return bool(viewer.get("ACMCertificateArn") or viewer.get("IAMCertificateId"))

    def hint_context(self) -> dict[str, Any]:
        def source() -> str:
            viewer = self.describe().get("DistributionConfig", {}).get("ViewerCertificate", {})
            return str(viewer.get("CertificateSource") or "cloudfront default")
        return {**super().hint_context(), "aliases": lambda: ", ".join(self.aliases) or "none",
                "certificate_source": source}
