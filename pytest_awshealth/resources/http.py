"""HTTP endpoints (API Gateway stages, load balancers, any URL an output names)."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Collection, Iterable, Mapping, Optional, Union
from urllib.parse import urlsplit

from ..probes import probe, truthy
from ..remediation import Hint
from .acm import healthy_days
from .base import Resource
from .tls import TlsCertificate, TlsError, fetch_certificate

PROTECTED = (401, 403)
SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
HEALTHY_BODY: Mapping[str, Any] = MappingProxyType({"status": "healthy"})
Status = Union[int, Collection[int]]
# Commands the TLS hints share.
OPENSSL = ("openssl s_client -connect {host}:{port} -servername {host} </dev/null 2>/dev/null "
           "| openssl x509 -noout -subject -issuer -dates -ext subjectAltName")
CHAIN = ("openssl s_client -connect {host}:{port} -servername {host} -showcerts </dev/null "
         "2>/dev/null | grep -E '^ *[0-9] s:|i:'")
ACM_LIST = ("aws acm list-certificates --region {region} --query "
            "'CertificateSummaryList[].[DomainName,Status,NotAfter,CertificateArn]' --output table")
LISTENER_CERTS = ("aws elbv2 describe-listeners --load-balancer-arn <alb-arn> --region {region} "
                  "--query 'Listeners[?Protocol==`HTTPS`].[Port,Certificates]'")
SWAP_CERT = ("aws elbv2 modify-listener --listener-arn <listener-arn> --certificates "
             "CertificateArn=<certificate-arn> --region {region}")


@dataclass(frozen=True)
class HttpResponse:
    """Status, body and latency of one request; ``status`` is 0 when nothing answered."""

    url: str
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str = ""
    expected: tuple[int, ...] = field(default=(), repr=False)  # in the hint, as ranges

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A response header, whatever its case."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), default)

    @property
    def ok(self) -> bool:
        """The status is one of ``expected``; without expectation, any 2xx or 3xx."""
        if self.expected:
            return self.status in self.expected
        return 200 <= self.status < 400

    @property
    def http_status(self) -> int:
        """The status, which the catalog explains as ``http.status.<N>`` (0: no answer)."""
        return self.status

    def hint_context(self) -> dict[str, Any]:
        wanted = status_ranges(self.expected) or "2xx/3xx"
        return {"status": self.status or self.error, "url": self.url, "expected_status": wanted}


def status_ranges(codes: Iterable[int]) -> str:
    """Status codes as a reader writes them: ``(200, 201, 204)`` -> ``"200, 201 or 204"``,
    ``range(200, 500)`` -> ``"200-499"`` (runs of three or more become ranges)."""
    runs: list[list[int]] = []
    for code in sorted(set(codes)):
        if runs and code == runs[-1][-1] + 1:
            runs[-1].append(code)
        else:
            runs.append([code])
    parts = [f"{run[0]}-{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs]
    text = ", ".join(parts)
    head, comma, last = text.rpartition(", ")
    return f"{head} or {last}" if comma else text


@dataclass(frozen=True)
class JsonCheck:
    """A JSON health probe's outcome; truthy when the body held the expected items."""

    response: HttpResponse
    expected: Mapping[str, Any]
    problem: str = ""

    def __bool__(self) -> bool:
        return not self.problem

    def __repr__(self) -> str:
        return (f"JsonCheck(url={self.response.url!r}, status={self.response.status}, "
                f"problem={self.problem!r})")

    @property
    def ok(self) -> bool:
        return bool(self)

    def hint_context(self) -> dict[str, Any]:
        return {**self.response.hint_context(), "problem": self.problem,
                "expected_json": json.dumps(dict(self.expected))}


@dataclass(frozen=True)
class CorsCheck:
    """A CORS preflight's outcome; truthy when ``origin`` may call with ``method``."""

    response: HttpResponse
    origin: str
    method: str
    problem: str = ""

    def __bool__(self) -> bool:
        return not self.problem

    def __repr__(self) -> str:
        return (f"CorsCheck(url={self.response.url!r}, origin={self.origin!r}, "
                f"method={self.method!r}, problem={self.problem!r})")

    @property
    def ok(self) -> bool:
        return bool(self)

    @property
    def allow_origin(self) -> Optional[str]:
        return self.response.header("Access-Control-Allow-Origin")

    def hint_context(self) -> dict[str, Any]:
        return {**self.response.hint_context(), "origin": self.origin, "method": self.method,
                "problem": self.problem}


class HttpEndpoint(Resource):
    """A base URL: ``assert http_endpoint.get("/health").ok``.

    ``cafile`` names extra CA certificates to trust (a private CA, a test stub's); for
    handles bound from outputs, set ``SSL_CERT_FILE`` instead (OpenSSL reads it).
    """

    fixture = "http_endpoint"
    kind = "HTTP endpoint"
    hint_prefix = "http.endpoint"
    #: No AWS operation: the probes send HTTP requests (or open a TLS connection).
    describe_operations = ()
    hints = {"missing": Hint(
        "{url} does not answer: nothing accepts the connection",
        ("the host in output '{output}' does not resolve (a typo, a deleted API or load "
         "balancer, a DNS record not yet propagated)",
         "nothing listens on port {port}, or a security group / network ACL drops the connection",
         "the URL names another stage, region or account than the deploy created"),
        ("curl -sv --max-time 10 {url}", "dig +short {host}",
         "aws apigateway get-rest-apis --region {region} --query 'items[].[id,name]'"),
        ("re-run the deploy and bind the URL it outputs",))}

    def __init__(self, name: str, *, timeout: float = 10.0, cafile: Optional[str] = None,
                 **kwargs: Any) -> None:
        super().__init__(name.rstrip("/"), **kwargs)
        self.timeout = timeout
        self.cafile = cafile

    def __repr__(self) -> str:
        return f"HttpEndpoint({self.name!r})"

    @property
    def url(self) -> str:
        return self.name

    def request(self, method: str, path: str = "", headers: Optional[dict[str, str]] = None,
                body: Optional[bytes] = None) -> HttpResponse:
        """Send one request; connection errors give status 0 and ``error``."""
        import ssl  # on first use: importing them costs every process ~50 ms
        import urllib.error
        import urllib.request

        url = self.url + (path if not path or path.startswith("/") else "/" + path)
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        context = ssl.create_default_context(cafile=self.cafile) if self.cafile else None
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout, context=context) as answer:
                return _response(url, answer.status, answer.read(), answer.headers, start)
        except urllib.error.HTTPError as exc:
            return _response(url, exc.code, exc.read(), exc.headers, start)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return HttpResponse(url, 0, latency_ms=_ms(start), error=str(reason))

    @probe(Hint(
    "{url} answered {status} (expected {expected_status})",
    ("404: the stage or route is not deployed (API Gateway needs a new deployment after changes)",
     "502/503 behind a load balancer: no healthy targets (ECS tasks not running or failing "
     "health checks)",
     "5xx: the integration (Lambda, ECS task) behind it fails or times out",
     "0 / connection error: wrong URL in output '{output}', DNS, or the API is not deployed"),
    ("curl -sv {url}", "aws apigateway get-deployments --rest-api-id {api_id} --region {region}",
     "aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region {region}"),
    ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod --region {region}",
     "aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment "
     "--region {region}   # when the tasks behind a load balancer are down")),
           lambda response: response.ok, read_only=False)
    def get(self, path: str = "", expect_status: Optional[Status] = None, *,
            headers: Optional[dict[str, str]] = None) -> HttpResponse:
        """GET ``path``: an :class:`HttpResponse`; healthy: its ``ok``, which means
        ``expect_status`` (one status or several) if given, else any 2xx/3xx."""
        response = self.request("GET", path, headers)
        return _expecting(response, expect_status)

    @probe(Hint(
    "{url} is not reachable",
    ("the API is not deployed or the URL in output '{output}' is wrong",
     "the backend fails (5xx), or a route is missing (404)",
     "note: 401 and 403 count as reachable: the API is up and requires authentication"),
    ("curl -sv {url}/health", "aws apigateway get-deployments --rest-api-id {api_id} --region {region}"),
    ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod --region {region}",)), truthy, read_only=False)
    def reachable(self, path: str = "") -> bool:
        """True (healthy) when the endpoint answers with 2xx/3xx, or 401/403 (up but
        protected)."""
        response = self.request("GET", path)
        return response.ok or response.status in PROTECTED

    @probe(Hint(
    "Health check {url} is not healthy: {problem}",
    ("the service is up but reports a dependency down (database, secret, downstream API)",
     "the route answers with an error page instead of JSON (a load balancer 502/503 page, "
     "a login redirect)",
     "the health route is another path than the check uses"),
    ("curl -s -i {url}",
     "aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region {region}",
     "aws logs tail <service-log-group> --since 15m --region {region}"),
    ("aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment "
     "--region {region}   # after fixing the dependency the body names",)), truthy, read_only=False)
    def json_ok(self, path: str = "/health",
                expected: Optional[Mapping[str, Any]] = None) -> JsonCheck:
        """GET ``path``: truthy when it answers 200 with a JSON object containing every
        item of ``expected`` (default ``{"status": "healthy"}``; nested dicts match as
        subsets): a :class:`JsonCheck`; healthy: truthy."""
        wanted = HEALTHY_BODY if expected is None else expected
        response = self.request("GET", path, {"Accept": "application/json"})
        return JsonCheck(response, wanted, _json_problem(response, wanted))

    @probe(Hint(
    "{url} does not allow cross-origin {method} requests from {origin}: {problem}",
    ("API Gateway REST API: the resource has no OPTIONS method (Enable CORS) or the "
     "change was not deployed",
     "API Gateway HTTP API: the CORS configuration does not list the origin or method",
     "an authorizer also guards OPTIONS, so the preflight gets 401/403",
     "Lambda proxy integrations and containers behind a load balancer must send the CORS "
     "headers themselves (framework CORS middleware not configured for this origin)"),
    ("curl -s -i -X OPTIONS {url} -H 'Origin: {origin}' "
     "-H 'Access-Control-Request-Method: {method}'",
     "aws apigatewayv2 get-api --api-id {api_id} --region {region} --query CorsConfiguration",
     "aws apigateway get-resources --rest-api-id {api_id} --region {region} "
     "--query 'items[].[path,resourceMethods]'"),
    ("aws apigatewayv2 update-api --api-id {api_id} --region {region} --cors-configuration "
     "AllowOrigins={origin},AllowMethods={method},OPTIONS,AllowHeaders=authorization,content-type",
     "aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod "
     "--region {region}   # REST APIs, after adding the OPTIONS method")), truthy, read_only=False)
    def cors_allows(self, origin: str, path: str = "", method: str = "GET") -> CorsCheck:
        """Send a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method):
        truthy when it answers 2xx, allows ``origin`` (or ``*``) and, for methods other
        than GET/HEAD/POST, lists ``method`` in Access-Control-Allow-Methods: a
        :class:`CorsCheck`; healthy: truthy."""
        method = method.upper()
        headers = {"Origin": origin, "Access-Control-Request-Method": method}
        response = self.request("OPTIONS", path, headers)
        return CorsCheck(response, origin, method, _cors_problem(response, origin, method))

    @property
    @probe(Hint(
    "The TLS certificate of {host}:{port} is not as expected (names: {tls_names}, "
    "expires {tls_not_after})",
    ("the listener or custom domain serves another certificate than intended",),
    (OPENSSL, ACM_LIST, LISTENER_CERTS),
    (SWAP_CERT,)))
    def tls_certificate(self) -> TlsCertificate:
        """The certificate the server presents, read even when it is not trusted (a
        :class:`TlsCertificate`; no healthy value: see the ``tls_*`` probes)."""
        return self._tls()

    @property
    @probe(Hint(
    "The TLS certificate of {host}:{port} expires in {tls_days} days ({tls_not_after})",
    ("an imported ACM certificate was not re-imported (ACM never renews imported ones)",
     "ACM could not renew: the DNS validation CNAME records were removed",
     "the listener still serves an old certificate although a new one was issued"),
    (OPENSSL, ACM_LIST,
     "aws acm describe-certificate --certificate-arn <certificate-arn> --region {region} "
     "--query 'Certificate.[Type,Status,NotAfter,RenewalSummary]'"),
    ("aws acm renew-certificate --certificate-arn <certificate-arn> --region {region}",
     "aws acm import-certificate --certificate-arn <certificate-arn> --certificate "
     "fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem "
     "--region {region}   # imported certificates",
     SWAP_CERT)), healthy_days)
    def tls_days_to_expiry(self) -> float:
        """Days until the served certificate expires (float, negative once expired);
        healthy: at least 30."""
        return self._tls().days_to_expiry

    @property
    @probe(Hint(
    "The TLS certificate of {host}:{port} does not cover {host} (names: {tls_names})",
    ("the certificate lacks this name as a Subject Alternative Name (a wildcard covers one "
     "label only)",
     "the listener has no certificate for this name and serves its default one (SNI)",
     "DNS for {host} points at another load balancer or distribution"),
    (OPENSSL, ACM_LIST, LISTENER_CERTS, "dig +short {host}"),
    ("aws acm request-certificate --domain-name {host} --validation-method DNS "
     "--region {region}",
     "aws elbv2 add-listener-certificates --listener-arn <listener-arn> --certificates "
     "CertificateArn=<certificate-arn> --region {region}")), truthy)
    def tls_hostname_matches(self) -> bool:
        """True (healthy) when the served certificate's Subject Alternative Names cover the
        URL's host."""
        return self._tls().matches(self.host)

    @property
    @probe(Hint(
    "The TLS certificate of {host}:{port} is not trusted: {tls_error}",
    ("the certificate expired", "it is self-signed or from a private CA (pass cafile=...)",
     "an imported certificate was imported without its intermediate chain"),
    (CHAIN, OPENSSL, ACM_LIST),
    ("aws acm import-certificate --certificate-arn <certificate-arn> --certificate "
     "fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem "
     "--region {region}",
     SWAP_CERT)), truthy)
    def tls_trusted(self) -> bool:
        """True (healthy) when the certificate chain verifies against the system CAs (and
        ``cafile``)."""
        return self._tls().trusted

    def _exists(self) -> bool:
        """Something answers at the URL (any HTTP status, even 404 or 5xx)."""
        return self.request("GET").status != 0

    @property
    def healthy(self) -> bool:
        """The one-glance verdict: the endpoint answers (2xx/3xx, or 401/403: up but
        protected), read by :meth:`reachable`, whose hint a failure shows."""
        __tracebackhide__ = True
        return bool(self.reachable())

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    def _tls(self) -> TlsCertificate:
        key = ("tls",)
        if key not in self._cache:
            if urlsplit(self.url).scheme != "https":
                raise TlsError(f"{self.url} is not an https:// URL: it has no TLS certificate")
            self._cache[key] = fetch_certificate(self.host, self.port, self.cafile, self.timeout)
        return self._cache[key]

    def hint_context(self) -> dict[str, Any]:
        host = self.host
        api_id = host.split(".")[0] if ".execute-api." in host else "<api-id>"
        tls = self._tls_field
        return {**super().hint_context(), "url": self.url, "api_id": api_id,
                "region": lambda: self.region, "host": host, "port": self.port,
                "tls_names": tls("tls_names"), "tls_not_after": tls("tls_not_after"),
                "tls_days": tls("tls_days"), "tls_error": tls("tls_error")}

    def _tls_field(self, key: str) -> Any:
        return lambda: self._tls().hint_context()[key]


# --------------------------------------------------------------------------- checks


def _expecting(response: HttpResponse, expect_status: Optional[Status]) -> HttpResponse:
    if expect_status is None:
        return response
    codes = (expect_status,) if isinstance(expect_status, int) else tuple(expect_status)
    return dataclasses.replace(response, expected=codes)


def _json_problem(response: HttpResponse, expected: Mapping[str, Any]) -> str:
    if response.status != 200:
        return f"status {response.status or response.error}, expected 200"
    try:
        body = response.json()
    except ValueError:
        return f"the body is not JSON: {response.body[:80]!r}"
    return _subset_problem(body, expected, "")


def _subset_problem(body: Any, expected: Mapping[str, Any], where: str) -> str:
    if not expected:
        return ""
    if not isinstance(body, dict):
        return f"{where or 'the body'} is not a JSON object"
    for key, want in expected.items():
        path = f"{where}.{key}" if where else key
        if key not in body:
            return f"no {path!r} in the body"
        if isinstance(want, Mapping):
            problem = _subset_problem(body[key], want, path)
            if problem:
                return problem
        elif body[key] != want:
            return f"{path} is {body[key]!r}, expected {want!r}"
    return ""


def _cors_problem(response: HttpResponse, origin: str, method: str) -> str:
    if not 200 <= response.status < 300:
        return f"the preflight answered {response.status or response.error}, not 2xx"
    allowed = response.header("Access-Control-Allow-Origin")
    if allowed is None:
        return "no Access-Control-Allow-Origin header"
    if allowed.strip() not in ("*", origin):
        return f"Access-Control-Allow-Origin is {allowed!r}, not {origin!r}"
    methods = {m.strip().upper() for m in
               (response.header("Access-Control-Allow-Methods") or "").split(",")}
    if method not in SIMPLE_METHODS and not methods & {method, "*"}:
        return f"Access-Control-Allow-Methods does not list {method}"
    return ""


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _response(url: str, status: int, raw: bytes, headers: Any, start: float) -> HttpResponse:
    return HttpResponse(url, status, raw.decode(errors="replace"), dict(headers.items()), _ms(start))
