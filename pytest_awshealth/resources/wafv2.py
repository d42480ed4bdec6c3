"""WAFv2 web ACLs: do they exist, and do they protect the resources they should?"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..probes import field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

NOT_FOUND = NOT_FOUND_CODES | {"WAFNonexistentItemException"}


@dataclass(frozen=True)
class Protection:
    """Which web ACL (if any) guards ``resource``."""

    resource: str
    web_acl: str  # the ARN of the ACL found on the resource, "" for none

    expected: str = ""

    def __bool__(self) -> bool:
        return bool(self.web_acl) and self.web_acl == self.expected

    def hint_context(self) -> dict[str, Any]:
        return {"resource": self.resource, "found": self.web_acl or "no web ACL"}


class WebAcl(Resource):
    """A WAFv2 web ACL by ARN (``arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID``):
    ``assert waf_web_acl.protects(alb_arn)``. CloudFront ACLs (scope CLOUDFRONT) live in
    us-east-1 and are attached through the distribution, not :meth:`protects`."""

    fixture = "waf_web_acl"
    arn_types = ("wafv2",)
    output_words = ("web acl",)
    service = "wafv2"
    kind = "WAF web ACL"
    hint_prefix = "wafv2.web_acl"
    not_found_codes = NOT_FOUND
    describe_operations = ("get_web_acl",)
    hints = {"missing": Hint(
        "WAF web ACL {acl_name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or replaced it (the ID in the ARN changed)",
         "output '{output}' holds an ACL of the other scope (CLOUDFRONT ACLs live in us-east-1)"),
        ("aws wafv2 list-web-acls --scope {scope} --region {region}",),
        ("re-run the deploy and refresh the outputs file",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        parts = name.split(":")
        if len(parts) >= 6 and parts[2] == "wafv2" and "region" not in kwargs:
            kwargs["region"] = parts[3] or None
        super().__init__(name, **kwargs)
        path = parts[5].split("/") if len(parts) >= 6 else ["regional", "webacl", name, ""]
        self.scope = "CLOUDFRONT" if path[0] == "global" else "REGIONAL"
        self.acl_name = path[2] if len(path) > 2 else name
        self.acl_id = path[3] if len(path) > 3 else ""

    def describe(self) -> dict[str, Any]:
        return self.call("get_web_acl", Name=self.acl_name, Scope=self.scope, Id=self.acl_id)["WebACL"]

    default_action = field("keys(DefaultAction)[0]", default="", then=str.upper, doc=(
        "ALLOW or BLOCK: what happens to requests no rule matches."))
    rules = field("Rules[].Name", default=[], doc="Names of the ACL's rules, in priority order.")

    @probe(Hint(
        "WAF web ACL {acl_name} in {region} does not protect {resource} (found: {found})",
        ("the association was never made (aws_wafv2_web_acl_association / CfnWebACLAssociation)",
         "the resource was replaced (a new load balancer or stage ARN) and the association "
         "went with the old one",
         "another web ACL is associated instead (a resource has at most one)"),
        ("aws wafv2 get-web-acl-for-resource --resource-arn {resource} --region {region}",),
        ("aws wafv2 associate-web-acl --web-acl-arn {name} --resource-arn {resource} --region {region}",)),
     truthy, reads=("get_web_acl_for_resource",))
    def protects(self, resource: str) -> Protection:
        """Whether this ACL is the one associated with ``resource`` (an ALB, API Gateway
        stage, AppSync API or Cognito user pool ARN)."""
        found = self.call("get_web_acl_for_resource", ResourceArn=resource).get("WebACL") or {}
        return Protection(resource, str(found.get("ARN", "")), self.name)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "acl_name": self.acl_name, "scope": self.scope}
