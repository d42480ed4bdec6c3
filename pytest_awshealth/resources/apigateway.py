"""API Gateway REST APIs (the control plane; the invoke URL is an ``http_endpoint``)."""

from __future__ import annotations

import re
from typing import Any

from ..errors import ResourceNotFound
from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource

API_ID = re.compile(r"^[a-z0-9]{10}$")


class RestApi(Resource):
    """A REST API by id (``k7x2m9q4ab``) or by name: ``assert rest_api.healthy``."""

    fixture = "rest_api"
    service = "apigateway"
    kind = "REST API"
    hint_prefix = "apigateway.rest_api"
    describe_operations = ("get_rest_api", "get_rest_apis")
    healthy_when = ("status", "stages")
    hints = {"missing": Hint(
        "REST API {name} does not exist in {region}",
        ("the deploy did not create it, or it was deleted and re-created with a new id",
         "output '{output}' holds a stale id or the wrong name",
         "the checks run in another region or account than the deploy"),
        ("aws apigateway get-rest-apis --region {region} --query 'items[].[id,name]'",),
        ("re-run the deploy, then refresh the outputs file",))}

    def describe(self) -> dict[str, Any]:
        if API_ID.match(self.name):
            return self.call("get_rest_api", restApiId=self.name)
        for api in self.call("get_rest_apis", limit=500).get("items", []):
            if api.get("name") == self.name:
                return api
        raise ResourceNotFound(self, "GetRestApis", "NotFoundException",
                               f"no REST API named {self.name!r}", "apigateway:GET")

    status = field("apiStatus", equals("AVAILABLE"), default="AVAILABLE",
                   transitional=not_yet("PENDING", "UPDATING"),
                   doc="The API's apiStatus (str: AVAILABLE, PENDING, UPDATING, FAILED; "
                   "AVAILABLE when AWS answers none); healthy: AVAILABLE, transitional while "
                   "PENDING or UPDATING.", hint=Hint(
        "REST API {name} in {region} is {value}, not AVAILABLE",
        ("FAILED: an update could not be applied (for a private API, its VPC endpoint or "
         "policy; for an edge-optimized one, its CloudFront distribution)",
         "PENDING / UPDATING that does not end: an update still in progress"),
        ("aws apigateway get-rest-api --rest-api-id {api_id} --region {region} "
         "--query '[apiStatus,apiStatusMessage]'",),
        ("fix what apiStatusMessage names, then re-run the deploy",)))

    @property
    def api_id(self) -> str:
        """The API's id (str), also when the handle was named by the API's name."""
        return str(self.describe()["id"])

    @property
    @probe(Hint(
        "REST API {name} in {region} has no deployed stage",
        ("the API was created but never deployed (no aws apigateway create-deployment)",),
        ("aws apigateway get-stages --rest-api-id {api_id} --region {region}",),
        ("aws apigateway create-deployment --rest-api-id {api_id} --stage-name prod --region {region}",)),
        truthy, reads=("describe", "get_stages"))
    def stages(self) -> list[str]:
        """Names of the deployed stages (list of str); healthy: not empty (empty: the API
        was never deployed)."""
        answer = self.call("get_stages", restApiId=self.api_id)
        return [stage["stageName"] for stage in answer.get("item", [])]

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "api_id": self.name if API_ID.match(self.name) else (lambda: self.api_id)}
