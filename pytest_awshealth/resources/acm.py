"""ACM certificates, and the host name matching TLS checks share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from ..errors import ResourceNotFound
from ..probes import equals, field, probe, truthy, waiter_retries
from ..remediation import Hint
from .base import Resource

#: Fewer days left than this counts as unhealthy (ACM renews 60 days ahead).
RENEWAL_WARNING_DAYS = 30
KEY_TYPES = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1",
             "EC_secp521r1")
C = "--certificate-arn {arn} --region {region}"


def name_matches(pattern: str, host: str) -> bool:
    """Whether a certificate name (``*.example.com`` wildcards included) covers ``host``.

    A wildcard stands for exactly one left-most label, as browsers and ACM read it.
    """
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and rest == pattern[2:]
    return pattern == host


def days_until(moment: dt.datetime) -> float:
    """Days from now until ``moment`` (negative once passed), to 0.1 day."""
    return round((moment - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400, 1)


def healthy_days(days: Optional[float]) -> bool:
    """Healthy when at least :data:`RENEWAL_WARNING_DAYS` days are left."""
    return days is not None and days >= RENEWAL_WARNING_DAYS


def _certificate_status(certificate: AcmCertificate) -> Optional[str]:
    return certificate.describe().get("Status")


#: PENDING_VALIDATION: ``aws acm wait certificate-validated`` keeps waiting through it.
_VALIDATING = waiter_retries("acm", "CertificateValidated")
#: NotAfter and the days left are unknown until the certificate is issued.
_NOT_ISSUED_YET = waiter_retries("acm", "CertificateValidated", of=_certificate_status)


@dataclass(frozen=True)
class Coverage:
    """Whether a certificate's names cover ``domain``; truthy when they do."""

    domain: str
    names: tuple[str, ...]

    def __bool__(self) -> bool:
        return any(name_matches(name, self.domain) for name in self.names)

    @property
    def ok(self) -> bool:
        return bool(self)

    def hint_context(self) -> dict[str, Any]:
        return {"domain": self.domain, "names": ", ".join(self.names) or "(none)"}


EXPIRY = Hint(
    "ACM certificate for {cert_domain} in {region} expires in {days} days ({not_after})",
    ("IMPORTED certificates never renew by themselves: import the new one into the same ARN",
     "AMAZON_ISSUED certificates renew 60 days ahead only if the DNS validation records "
     "still exist and the certificate is in use",
     "no NotAfter yet: the certificate is not issued (see its status)"),
    (f"aws acm describe-certificate {C} "
     "--query 'Certificate.[Type,NotAfter,RenewalEligibility,RenewalSummary]'",),
    (f"aws acm renew-certificate {C}   # AMAZON_ISSUED, renewal eligible",
     f"aws acm import-certificate {C} --certificate fileb://cert.pem --private-key "
     "fileb://key.pem --certificate-chain fileb://chain.pem   # IMPORTED"))


class AcmCertificate(Resource):
    """An ACM certificate: ``assert acm_certificate.status == "ISSUED"``.

    ``name`` is a certificate ARN, or a domain name: the certificate whose DomainName
    it is (an ISSUED one first, then the one valid longest). An ARN also fixes the
    region (certificates for CloudFront live in us-east-1).
    """

    fixture = "acm_certificate"
    service = "acm"
    kind = "ACM certificate"
    hint_prefix = "acm.certificate"
    #: ``list_certificates`` finds the ARN of a certificate named by its domain.
    describe_operations = ("list_certificates", "describe_certificate")
    healthy_when = ("status", "days_to_expiry")
    hints = {"missing": Hint(
        "ACM certificate {name} does not exist in {region} (account {account})",
        ("the certificate was deleted or replaced (a new request gets a new ARN)",
         "certificates are regional: CloudFront uses us-east-1, a load balancer its own region",
         "output '{output}' holds a stale ARN"),
        ("aws acm list-certificates --region {region} "
         "--query 'CertificateSummaryList[].[DomainName,Status,CertificateArn]'",),
        ("re-run the deploy, or request a certificate: aws acm request-certificate "
         "--domain-name <domain> --validation-method DNS --region {region}",))}

    @property
    def arn(self) -> str:
        """The certificate's ARN (str; found by its domain when named by one)."""
        return self.name if self.name.startswith("arn:") else self._arn_by_domain()

    def describe(self) -> dict[str, Any]:
        return self.call("describe_certificate", CertificateArn=self.arn)["Certificate"]

    status = field("Status", equals("ISSUED"), transitional=_VALIDATING,
                   doc="The certificate's Status (str: ISSUED, PENDING_VALIDATION, EXPIRED, "
                   "FAILED, REVOKED, INACTIVE...); healthy: ISSUED, transitional while "
                   "PENDING_VALIDATION.", hint=Hint(
        "ACM certificate for {cert_domain} in {region} is {status}, not ISSUED ({arn})",
        ("PENDING_VALIDATION: the DNS validation CNAME records are not (yet) in the hosted "
         "zone: {validation_records}",
         "FAILED or VALIDATION_TIMED_OUT: validation did not finish within 72 hours, or CAA "
         "records forbid Amazon to issue for the domain",
         "EXPIRED: an imported certificate was not re-imported in time, or renewal could not "
         "validate the domain",
         "REVOKED / INACTIVE: the certificate was revoked or deactivated"),
        (f"aws acm describe-certificate {C} "
         "--query 'Certificate.[Status,FailureReason,DomainValidationOptions]'",
         "dig +short CNAME {validation_name}"),
        (f"aws acm wait certificate-validated {C}   # after creating the CNAME records above",
         "aws acm request-certificate --domain-name {cert_domain} --validation-method DNS "
         "--region {region}   # when FAILED or timed out")))
    not_after = field("NotAfter", transitional=_NOT_ISSUED_YET, hint=EXPIRY,
                      doc="When the certificate expires (datetime; None before it is issued; "
                      "no healthy value: see ``days_to_expiry``).")
    names = field("@", then=lambda c: _names(c), hint=Hint(
        "ACM certificate for {cert_domain} in {region} has unexpected names",
        ("the certificate was requested without some Subject Alternative Names",),
        (f"aws acm describe-certificate {C} --query 'Certificate.SubjectAlternativeNames'",),
        ("aws acm request-certificate --domain-name {cert_domain} --subject-alternative-names "
         "<more-names> --validation-method DNS --region {region}",)),
                  doc="DomainName followed by the other SubjectAlternativeNames (tuple of "
                  "str; no healthy value: compare it, or use ``covers(domain)``).")
    in_use_by = field("InUseBy", truthy, default=[], then=list, hint=Hint(
        "ACM certificate for {cert_domain} in {region} is not used by any load balancer or "
        "distribution",
        ("the HTTPS listener uses another certificate, or no HTTPS listener exists",
         "unused Amazon-issued certificates are not renewed"),
        (f"aws acm describe-certificate {C} --query 'Certificate.InUseBy'",
         "aws elbv2 describe-listeners --load-balancer-arn <alb-arn> --region {region} "
         "--query 'Listeners[].[Protocol,Port,Certificates]'"),
        ("aws elbv2 modify-listener --listener-arn <listener-arn> --certificates "
         "CertificateArn={arn} --region {region}",)),
                      doc="ARNs of the load balancers, distributions... that use the "
                      "certificate (list of str); healthy: not empty (unused Amazon-issued "
                      "certificates are not renewed).")
    type = field("Type", default="AMAZON_ISSUED", hint=Hint(
        "ACM certificate for {cert_domain} in {region} is {type}",
        ("IMPORTED certificates are not renewed by ACM",),
        (f"aws acm describe-certificate {C} --query 'Certificate.Type'",),
        ("request an Amazon-issued certificate with DNS validation instead",)),
                 doc="AMAZON_ISSUED (renews itself), IMPORTED (never renews) or PRIVATE "
                 "(str; no healthy value).")

    @property
    @probe(EXPIRY, healthy_days, transitional=_NOT_ISSUED_YET)
    def days_to_expiry(self) -> Optional[float]:
        """Days until NotAfter (float, negative when expired; None before it is issued);
        healthy: at least :data:`RENEWAL_WARNING_DAYS` (30)."""
        return self._days()

    @probe(Hint(
        "ACM certificate for {cert_domain} in {region} does not cover {domain} (names: {names})",
        ("the domain was not among the Subject Alternative Names when the certificate was "
         "requested (a wildcard covers one label only: *.example.com does not cover "
         "example.com or a.b.example.com)",
         "the listener or distribution uses another certificate than intended"),
        (f"aws acm describe-certificate {C} "
         "--query 'Certificate.[DomainName,SubjectAlternativeNames]'",),
        ("aws acm request-certificate --domain-name {domain} --subject-alternative-names "
         "{cert_domain} --validation-method DNS --region {region}",
         "aws elbv2 modify-listener --listener-arn <listener-arn> --certificates "
         "CertificateArn=<new-certificate-arn> --region {region}")), truthy)
    def covers(self, domain: str) -> Coverage:
        """Whether DomainName or a SubjectAlternativeName (wildcards too) covers ``domain``:
        a :class:`Coverage`; healthy: truthy."""
        return Coverage(domain, _names(self.describe()))

    def _days(self) -> Optional[float]:
        not_after = self.describe().get("NotAfter")
        return None if not_after is None else days_until(not_after)

    def _arn_by_domain(self) -> str:
        matches = [c for c in self._summaries() if c.get("DomainName") == self.name]
        if not matches:
            raise ResourceNotFound(self, "ListCertificates", "ResourceNotFoundException",
                                   f"no certificate for {self.name}", "acm:ListCertificates")
        return max(matches, key=_preference)["CertificateArn"]

    def _summaries(self) -> Iterable[dict[str, Any]]:
        token: Optional[str] = None
        while True:
            extra = {"NextToken": token} if token else {}
            answer = self.call("list_certificates", Includes={"keyTypes": list(KEY_TYPES)},
                               **extra)
            yield from answer.get("CertificateSummaryList", [])
            token = answer.get("NextToken")
            if not token:
                return

    def _domain(self) -> str:
        """The certificate's domain: its name when named by one, else from AWS."""
        return self.name if not self.name.startswith("arn:") else self.describe()["DomainName"]

    def hint_context(self) -> dict[str, Any]:
        described = self.describe
        return {**super().hint_context(), "arn": lambda: self.arn,
                "cert_domain": self._domain,
                "status": lambda: described()["Status"],
                "days": self._days, "not_after": lambda: described().get("NotAfter"),
                "type": lambda: described().get("Type", "AMAZON_ISSUED"),
                "validation_records": lambda: _validation_records(described()),
                "validation_name": lambda: _pending_records(described())[0][0]}


def _names(certificate: dict[str, Any]) -> tuple[str, ...]:
    names = [certificate.get("DomainName", "")] + certificate.get("SubjectAlternativeNames", [])
    return tuple(dict.fromkeys(n for n in names if n))


def _preference(summary: dict[str, Any]) -> tuple[bool, dt.datetime]:
    not_after = summary.get("NotAfter") or dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return summary.get("Status") == "ISSUED", not_after


def _pending_records(certificate: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, value) of the DNS validation CNAMEs of domains not validated yet."""
    return sorted({(o["ResourceRecord"]["Name"], o["ResourceRecord"]["Value"])
                   for o in certificate.get("DomainValidationOptions", [])
                   if o.get("ValidationStatus") != "SUCCESS" and o.get("ResourceRecord")})


def _validation_records(certificate: dict[str, Any]) -> str:
    records = _pending_records(certificate)
    return "; ".join(f"{name} CNAME {value}" for name, value in records) or "(none)"


def __getattr__(name: str) -> Any:
    """``Certificate``, the name of 0.1, with a DeprecationWarning."""
    if name == "Certificate":
        import warnings

        warnings.warn("Certificate is deprecated, use AcmCertificate", DeprecationWarning,
                      stacklevel=3)
        return AcmCertificate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
