"""A tiny configurable HTTP(S) server standing in for an API (e.g. API Gateway).

moto does not serve API Gateway invoke URLs, so checks of an HTTP endpoint run
against an :class:`HttpStub` instead::

    with HttpStub({"/health": Route(body={"ok": True})}, tls=True) as stub:
        urllib.request.urlopen(stub.url + "/health", cafile=stub.cafile)

With ``tls`` the stub makes a throwaway CA and a server certificate for
``hostname`` (SAN DNS:hostname and IP:127.0.0.1) valid ``cert_days`` days (negative:
already expired); clients trust it through :attr:`HttpStub.cafile`. :attr:`url`
always names ``localhost``, so a ``hostname`` other than localhost gives a hostname
mismatch.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Union

Body = Union[str, bytes, dict, list]


@dataclass
class Route:
    """The canned answer for one path (and optionally one method)."""

    status: int = 200
    body: Body = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> tuple[bytes, str]:
        """The body as bytes and its default content type."""
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        return self.body.encode(), "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Call:
    """One request the stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


_NOT_FOUND = Route(status=404, body={"message": "Not Found"})


class _Handler(BaseHTTPRequestHandler):
    """Answers every request from the routes of ``self.server.stub``."""

    server: _Server

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool = True) -> None:
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        stub = self.server.stub
        stub.record(Call(self.command, path, dict(self.headers.items()), body))
        route = stub.lookup(self.command, path)
        if route.delay > 0:
            time.sleep(route.delay)
        self._send(route, send_body)

    def _send(self, route: Route, send_body: bool) -> None:
        payload, content_type = route.encoded()
        headers = {"Content-Type": content_type, **route.headers}
        self.send_response(route.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if send_body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """No request logging."""


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that does the TLS handshake in the request thread."""

    daemon_threads = True

    def __init__(self, stub: HttpStub, context: ssl.SSLContext | None) -> None:
        self.stub = stub
        self.ssl_context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is not None:
            request.settimeout(10)
            request = self.ssl_context.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up or reject the certificate are expected; stay quiet."""


class HttpStub:
    """A configurable HTTP(S) server on 127.0.0.1 in a daemon thread."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        *,
        tls: bool = False,
        hostname: str = "localhost",
        cert_days: float = 90,
    ) -> None:
        self.tls = tls
        self.hostname = hostname
        self.cert_days = cert_days
        self.cafile: str | None = None
        self.cert_not_after: dt.datetime | None = None
        self.calls: list[Call] = []
        self._routes: dict[tuple[str | None, str], Route] = {
            (None, p): r for p, r in (routes or {}).items()
        }
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, or ``https://localhost:PORT`` with tls."""
        if self._server is None:
            raise RuntimeError("HttpStub is not started")
        port = self._server.server_port
        return f"https://localhost:{port}" if self.tls else f"http://127.0.0.1:{port}"

    def route(
        self,
        path: str,
        status: int = 200,
        body: Body = "",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        method: str | None = None,
    ) -> None:
        """Set or replace the answer for ``path`` (for one ``method``, or any)."""
        key = (method.upper() if method else None, path)
        with self._lock:
            self._routes[key] = Route(status, body, dict(headers or {}), delay)

    def snapshot(self) -> dict[tuple[str | None, str], Route]:
        """A copy of the routes, for :meth:`restore` (as :meth:`Emulator.snapshot`)."""
        with self._lock:
            return copy.deepcopy(self._routes)

    def restore(self, routes: dict[tuple[str | None, str], Route]) -> None:
        """Answer with a copy of ``routes`` (a :meth:`snapshot`) only, and forget the calls."""
        with self._lock:
            self._routes = copy.deepcopy(routes)
            self.calls.clear()

    def lookup(self, method: str, path: str) -> Route:
        """The route for a request; HEAD falls back to GET; 404 JSON when none."""
        candidates = [(method, path), (None, path)]
        if method == "HEAD":
            candidates.insert(1, ("GET", path))
        with self._lock:
            return next((self._routes[k] for k in candidates if k in self._routes), _NOT_FOUND)

    def record(self, call: Call) -> None:
        """Remember a request in :attr:`calls`."""
        with self._lock:
            self.calls.append(call)

    def start(self) -> HttpStub:
        """Bind a free port and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server(self, self._ssl_context() if self.tls else None)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="awshealth-httpstub", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and delete the generated certificate files."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
        self._server = self._thread = self._tmpdir = None
        self.cafile = None

    def __enter__(self) -> HttpStub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _ssl_context(self) -> ssl.SSLContext:
        self._tmpdir = tempfile.mkdtemp(prefix="awshealth-stub-")
        certfile, keyfile, cafile, not_after = write_certificates(
            Path(self._tmpdir), self.hostname, self.cert_days
        )
        self.cafile, self.cert_not_after = str(cafile), not_after
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        return context


# --------------------------------------------------------------------------- certificates


def write_certificates(
    directory: Path, hostname: str, days: float
) -> tuple[Path, Path, Path, dt.datetime]:
    """Write a CA, and a server certificate and key signed by it, into ``directory``.

    Returns (server cert, server key, CA cert, server NotAfter).
    """
    from cryptography.hazmat.primitives import serialization

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    ca_key, ca_cert = _make_ca(now)
    key, cert, not_after = _make_leaf(ca_key, ca_cert, hostname, now, days)
    pem = serialization.Encoding.PEM
    paths = directory / "server.pem", directory / "server.key", directory / "ca.pem"
    paths[0].write_bytes(cert.public_bytes(pem))
    paths[1].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths[2].write_bytes(ca_cert.public_bytes(pem))
    return paths[0], paths[1], paths[2], not_after


def _name(common_name: str) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _make_ca(now: dt.datetime) -> tuple[Any, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("pytest-awshealth test CA")
    usage = x509.KeyUsage(True, False, False, False, False, True, True, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _make_leaf(
    ca_key: Any, ca_cert: Any, hostname: str, now: dt.datetime, days: float
) -> tuple[Any, Any, dt.datetime]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    key = ec.generate_private_key(ec.SECP256R1())
    not_after = now + dt.timedelta(days=days)
    not_before = min(now, not_after) - dt.timedelta(days=1)
    san = x509.SubjectAlternativeName(
        [x509.DNSName(hostname), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(hostname))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(san, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert, not_after
