"""HTTP endpoints (API Gateway stages, load balancers, any URL an output names)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlsplit

from ..probes import probe, truthy
from ..remediation import Hint
from .base import Resource

PROTECTED = (401, 403)


@dataclass(frozen=True)
class HttpResponse:
    """Status, body and latency of one request; ``status`` is 0 when nothing answered."""

    url: str
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: float = 0.0
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    def hint_context(self) -> dict[str, Any]:
        return {"status": self.status or self.error, "url": self.url}


class HttpEndpoint(Resource):
    """A base URL: ``assert http_endpoint.get("/health").status == 200``."""

    kind = "HTTP endpoint"
    hint_prefix = "http.endpoint"

    def __init__(self, name: str, *, timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(name.rstrip("/"), **kwargs)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"HttpEndpoint({self.name!r})"

    @property
    def url(self) -> str:
        return self.name

    def request(self, method: str, path: str = "", headers: Optional[dict[str, str]] = None,
                body: Optional[bytes] = None) -> HttpResponse:
        """Send one request; connection errors give status 0 and ``error``."""
        url = self.url + (path if not path or path.startswith("/") else "/" + path)
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as answer:
                return _response(url, answer.status, answer.read(), answer.headers, start)
        except urllib.error.HTTPError as exc:
            return _response(url, exc.code, exc.read(), exc.headers, start)
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return HttpResponse(url, 0, latency_ms=_ms(start), error=str(reason))

    @probe("get", lambda response: response.ok)
    def get(self, path: str = "", headers: Optional[dict[str, str]] = None) -> HttpResponse:
        """GET ``path`` relative to the endpoint."""
        return self.request("GET", path, headers)

    @probe("reachable", truthy)
    def reachable(self, path: str = "") -> bool:
        """True when the endpoint answers with 2xx/3xx, or 401/403 (up but protected)."""
        response = self.request("GET", path)
        return response.ok or response.status in PROTECTED

    def hint_context(self) -> dict[str, Any]:
        host = urlsplit(self.url).hostname or ""
        api_id = host.split(".")[0] if ".execute-api." in host else "<api-id>"
        return {**super().hint_context(), "url": self.url, "api_id": api_id,
                "region": lambda: self.region}


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _response(url: str, status: int, raw: bytes, headers: Any, start: float) -> HttpResponse:
    return HttpResponse(url, status, raw.decode(errors="replace"), dict(headers.items()), _ms(start))


HINTS = {
    "http.endpoint.get": Hint(
        "{url} answered {status}",
        ("404: the stage or route is not deployed (API Gateway needs a new deployment after changes)",
         "5xx: the integration (Lambda, ECS task) behind it fails or times out",
         "0 / connection error: wrong URL in output '{output}', DNS, or the API is not deployed"),
        ("curl -sv {url}", "aws apigateway get-deployments --rest-api-id {api_id} --region {region}"),
        ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod --region {region}",)),
    "http.endpoint.reachable": Hint(
        "{url} is not reachable",
        ("the API is not deployed or the URL in output '{output}' is wrong",
         "the backend fails (5xx), or a route is missing (404)",
         "note: 401 and 403 count as reachable: the API is up and requires authentication"),
        ("curl -sv {url}/health", "aws apigateway get-deployments --rest-api-id {api_id} --region {region}"),
        ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod --region {region}",)),
}

FIXTURES = {"http_endpoint": HttpEndpoint}
