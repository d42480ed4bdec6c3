"""API Gateway v2: HTTP and WebSocket APIs (their stages: :mod:`.apistage`)."""

from __future__ import annotations

from typing import Any

from ..probes import field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

A = "--api-id {name} --region {region}"


class HttpApi(Resource):
    """An HTTP or WebSocket API (API Gateway v2) by ID: ``assert http_api.healthy`` and
    ``assert http_api.has_route("GET /health")``."""

    fixture = "http_api"
    service = "apigatewayv2"
    kind = "API Gateway v2 API"
    hint_prefix = "apigatewayv2.api"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("get_api",)
    healthy_when = ("stages",)
    output_words = ("http api", "websocket api", "api id")
    hints = {"missing": Hint(
        "API Gateway v2 API {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or replaced it (its ID changed)",
         "output '{output}' holds the API's endpoint URL; bind its ID"),
        ("aws apigatewayv2 get-apis --region {region} --query 'Items[].[ApiId,Name,ProtocolType]'",),
        ("re-run the deploy so the API exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_api", ApiId=self.name)

    protocol = field("ProtocolType", doc="HTTP or WEBSOCKET.")
    endpoint = field("ApiEndpoint", doc="The default endpoint URL (str).")
    default_endpoint_disabled = field("DisableExecuteApiEndpoint", default=False,
                                      doc="True when only custom domains serve the API.")

    @property
    @probe(Hint(
        "API Gateway v2 API {name} in {region} has no stage: nothing serves it",
        ("the deploy created the API but no stage (an HTTP API needs $default or a named stage)",),
        (f"aws apigatewayv2 get-stages {A}",),
        (f"aws apigatewayv2 create-stage {A} --stage-name '$default' --auto-deploy",)),
     truthy, reads=("describe", "get_stages"))
    def stages(self) -> list[str]:
        """Names of the API's stages; healthy when there is at least one."""
        self.describe()
        return sorted(s["StageName"] for s in self.call("get_stages", ApiId=self.name).get("Items", []))

    @property
    @probe(Hint(
        "API Gateway v2 API {name} in {region} has no routes",
        ("the routes were never created, or the deploy that adds them failed",),
        (f"aws apigatewayv2 get-routes {A} --query 'Items[].RouteKey'",),
        ("add the routes in the deploy and re-run it",)), truthy, reads=("describe", "get_routes"))
    def routes(self) -> list[str]:
        """Route keys (``GET /health``, ``$default``, ``$connect``...); healthy when any."""
        self.describe()
        return sorted(r["RouteKey"] for r in self.call("get_routes", ApiId=self.name).get("Items", []))

    @probe(Hint(
        "API Gateway v2 API {name} in {region} has no route {route} (routes: {routes})",
        ("the route was renamed or removed in the latest deploy",
         "the method or path differs (route keys are 'METHOD /path', case-sensitive)"),
        (f"aws apigatewayv2 get-routes {A} --query 'Items[].RouteKey'",),
        (f"aws apigatewayv2 create-route {A} --route-key '{{route}}' --target integrations/<integration-id>",)),
     truthy, reads=("describe", "get_routes"))
    def has_route(self, route: str) -> bool:
        """True when the API has the route key ``route`` (``"GET /health"``)."""
        self.describe()
        keys = {r["RouteKey"] for r in self.call("get_routes", ApiId=self.name).get("Items", [])}
        return route in keys

    def hint_context(self) -> dict[str, Any]:
        def routes() -> str:
            items = self.call("get_routes", ApiId=self.name).get("Items", [])
            return ", ".join(sorted(r["RouteKey"] for r in items)) or "none"
        return {**super().hint_context(), "routes": routes}
