"""ACM Private CA: the certificate authority that signs internal certificates."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from ..probes import equals, field, not_yet, probe
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

CA = "--certificate-authority-arn {name} --region {region}"


def _days_left(value: Any) -> Optional[float]:
    if not isinstance(value, datetime):
        return None
    return (value - datetime.now(timezone.utc)).total_seconds() / 86400


class PrivateCa(Resource):
    """An ACM private certificate authority by ARN: ``assert private_ca.healthy``."""

    fixture = "private_ca"
    arn_types = ("acm-pca:certificate-authority",)
    output_words = ("certificate authority", "private ca")
    service = "acm-pca"
    kind = "private CA"
    hint_prefix = "acmpca.ca"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("describe_certificate_authority",)
    healthy_when = ("status", "expires_in_days")
    hints = {"missing": Hint(
        "Private CA {name} does not exist (account {account}, {region})",
        ("the CA was deleted (it stays restorable for its restoration period)",
         "output '{output}' holds a CA of another region"),
        ("aws acm-pca list-certificate-authorities --region {region}",),
        (f"aws acm-pca restore-certificate-authority {CA}   # within the restoration period",))}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_certificate_authority",
                         CertificateAuthorityArn=self.name)["CertificateAuthority"]

    status = field("Status", equals("ACTIVE"), transitional=not_yet("CREATING"), doc=(
        "Status: ACTIVE when it issues certificates; PENDING_CERTIFICATE until its own "
        "certificate is installed, DISABLED, EXPIRED, FAILED, DELETED."), hint=Hint(
        "Private CA {name} in {region} is not ACTIVE",
        ("its CA certificate was never installed (PENDING_CERTIFICATE): the deploy created the "
         "CA but not the aws_acmpca_certificate_authority_certificate",
         "it was disabled, or its certificate expired (EXPIRED)"),
        (f"aws acm-pca describe-certificate-authority {CA} "
         "--query 'CertificateAuthority.[Status,FailureReason,NotAfter]'",),
        (f"aws acm-pca update-certificate-authority {CA} --status ACTIVE   # when DISABLED",
         "install the CA certificate (get-certificate-authority-csr, issue-certificate, "
         "import-certificate-authority-certificate) when PENDING_CERTIFICATE")))
    ca_type = field("Type", doc="ROOT or SUBORDINATE.")

    @property
    @probe(Hint(
        "Private CA {name} in {region}: its own certificate expires in {value} days",
        ("the CA certificate's validity runs out; every certificate it issued then fails "
         "validation",),
        (f"aws acm-pca describe-certificate-authority {CA} --query 'CertificateAuthority.NotAfter'",),
        ("renew the CA certificate (issue a new one for the CA's CSR and import it) before it expires",)),
     lambda days: days is None or days > 30)
    def expires_in_days(self) -> Optional[float]:
        """Days until the CA's own certificate expires (None before one is installed);
        healthy above 30."""
        days = _days_left(self.describe().get("NotAfter"))
        return None if days is None else round(days, 1)
