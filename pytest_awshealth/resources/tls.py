"""The certificate an HTTPS endpoint presents, read with or without a trusted chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..errors import AwsHealthError
from .acm import days_until, name_matches

if TYPE_CHECKING:
    import ssl


class TlsError(AwsHealthError):
    """No TLS certificate could be read from an endpoint."""


@dataclass(frozen=True)
class TlsCertificate:
    """The certificate an HTTPS endpoint presents."""

    host: str
    port: int
    subject: str
    issuer: str
    not_after: dt.datetime
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    trusted: bool = False
    verify_error: str = ""

    @property
    def days_to_expiry(self) -> float:
        return days_until(self.not_after)

    @property
    def names(self) -> tuple[str, ...]:
        return self.dns_names + self.ip_addresses

    def matches(self, host: str) -> bool:
        """Whether the Subject Alternative Names cover ``host`` (a name or an IP)."""
        if host in self.ip_addresses:
            return True
        return any(name_matches(name, host) for name in self.dns_names)

    def hint_context(self) -> dict[str, Any]:
        return {"host": self.host, "port": self.port, "tls_names": ", ".join(self.names) or
                "(none)", "tls_not_after": self.not_after.isoformat(),
                "tls_days": self.days_to_expiry, "tls_error": self.verify_error or "none"}


def fetch_certificate(host: str, port: int, cafile: Optional[str] = None,
                      timeout: float = 10.0) -> TlsCertificate:
    """The certificate ``host:port`` presents; ``trusted`` says whether its chain verifies
    (against the system CAs and ``cafile``). Host names are not checked here."""
    import ssl  # on first use: a gate without TLS checks never loads it

    try:
        try:
            return _verified_certificate(host, port, cafile, timeout)
        except ssl.SSLCertVerificationError as exc:
            return _unverified_certificate(host, port, timeout, exc.verify_message or str(exc))
    except OSError as exc:  # ssl.SSLError included
        raise TlsError(f"no TLS handshake with {host}:{port}: {exc}") from None


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float,
               binary: bool) -> Any:
    import socket

    with socket.create_connection((host, port), timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.getpeercert(binary_form=binary)


def _verified_certificate(host: str, port: int, cafile: Optional[str],
                          timeout: float) -> TlsCertificate:
    import ssl

    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = False  # judged separately, against the SANs
    cert = _handshake(host, port, context, timeout, binary=False)
    san = cert.get("subjectAltName", ())
    not_after = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]),
                                          dt.timezone.utc)
    return TlsCertificate(host, port, _common_name(cert.get("subject", ())),
                          _common_name(cert.get("issuer", ())), not_after,
                          tuple(v for k, v in san if k == "DNS"),
                          tuple(v for k, v in san if k == "IP Address"), trusted=True)


def _common_name(rdns: Any) -> str:
    return next((value for rdn in rdns for key, value in rdn if key == "commonName"), "")


def _unverified_certificate(host: str, port: int, timeout: float,
                            reason: str) -> TlsCertificate:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    der = _handshake(host, port, context, timeout, binary=True)
    return _parse_der(host, port, der, reason)


def _parse_der(host: str, port: int, der: bytes, reason: str) -> TlsCertificate:
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:
        raise TlsError(f"the certificate of {host}:{port} is not trusted ({reason}); install "
                       "'cryptography' to inspect untrusted certificates") from None
    cert = x509.load_der_x509_certificate(der)
    not_after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(
        tzinfo=dt.timezone.utc)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns, ips = san.get_values_for_type(x509.DNSName), san.get_values_for_type(x509.IPAddress)
    except x509.ExtensionNotFound:
        dns, ips = [], []

    def cn(name: Any) -> str:
        values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(values[0].value) if values else ""

    return TlsCertificate(host, port, cn(cert.subject), cn(cert.issuer), not_after, tuple(dns),
                          tuple(str(ip) for ip in ips), trusted=False, verify_error=reason)
