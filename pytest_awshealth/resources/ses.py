"""SES identities: can the application send from this address or domain?"""

from __future__ import annotations

from typing import Any

from ..errors import ResourceNotFound
from ..probes import equals, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource

I = "--identities {name} --region {region}"


class SesIdentity(Resource):
    """An SES email address or domain identity: ``assert ses_identity.healthy``."""

    fixture = "ses_identity"
    arn_types = ("ses:identity",)
    output_words = ("ses identity", "sender domain", "email identity")
    service = "ses"
    kind = "SES identity"
    hint_prefix = "ses.identity"
    describe_operations = ("get_identity_verification_attributes",)
    healthy_when = ("status",)
    hints = {"missing": Hint(
        "SES identity {name} is not set up in {region} (account {account})",
        ("the deploy did not create the identity, or created it in another region (SES "
         "identities are per region)",),
        ("aws ses list-identities --region {region}",),
        ("re-run the deploy, or: aws ses verify-domain-identity --domain {name} --region {region}",))}

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        found = self.call("get_identity_verification_attributes",
                          Identities=[self.name])["VerificationAttributes"]
        if self.name not in found:
            raise ResourceNotFound(self, "GetIdentityVerificationAttributes", "NotFound",
                                   f"no SES identity {self.name}",
                                   "ses:GetIdentityVerificationAttributes")
        return found[self.name]

    @property
    @probe(Hint(
        "SES identity {name} in {region} is not verified ({value})",
        ("the DNS TXT (domain) or confirmation mail (address) was never completed",
         "the verification record was removed from DNS, so SES revoked verification",
         "verification failed after 72 hours without the record (Failed): start again"),
        (f"aws ses get-identity-verification-attributes {I}",
         "dig +short TXT _amazonses.{name}"),
        ("publish the TXT record _amazonses.{name} with the token from verify-domain-identity, "
         "or click the link SES mailed to the address",)),
     equals("Success"), transitional=not_yet("Pending"))
    def status(self) -> str:
        """VerificationStatus: Success when SES may send from the identity; Pending,
        Failed, TemporaryFailure or NotStarted otherwise."""
        return str(self.describe().get("VerificationStatus", "NotStarted"))

    @property
    @probe(Hint(
        "SES identity {name} in {region} does not sign mail with DKIM",
        ("Easy DKIM was never enabled, or its three CNAME records are missing from DNS",),
        ("aws ses get-identity-dkim-attributes --identities {name} --region {region}",),
        ("aws ses verify-domain-dkim --domain {name} --region {region}   # then publish the "
         "three CNAME records it returns",)), truthy,
        reads=("get_identity_dkim_attributes",))
    def dkim_enabled(self) -> bool:
        """True when DKIM signing is enabled and verified (DkimVerificationStatus Success)."""
        found = self.call("get_identity_dkim_attributes", Identities=[self.name])["DkimAttributes"]
        attributes = found.get(self.name, {})
        return bool(attributes.get("DkimEnabled")) and \
            attributes.get("DkimVerificationStatus") == "Success"

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: self.status}
