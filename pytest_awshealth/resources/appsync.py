"""AppSync GraphQL APIs: present, with a schema that built and logs switched on."""

from __future__ import annotations

from typing import Any

from ..probes import field, not_yet, one_of, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

A = "--api-id {name} --region {region}"


class AppSyncApi(Resource):
    """An AppSync GraphQL API by ID: ``assert appsync_api.healthy``."""

    fixture = "appsync_api"
    arn_types = ("appsync:apis",)
    output_words = ("graphql api", "appsync api")
    service = "appsync"
    kind = "AppSync API"
    hint_prefix = "appsync.api"
    not_found_codes = NOT_FOUND_CODES | {"GraphqlAPINotFound"}
    describe_operations = ("get_graphql_api",)
    healthy_when = ("schema_status",)
    hints = {"missing": Hint(
        "AppSync API {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced (its ID changed)",
         "output '{output}' holds the GraphQL URL; bind the API ID"),
        ("aws appsync list-graphql-apis --region {region}",),
        ("re-run the deploy so the API exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_graphql_api", apiId=self.name)["graphqlApi"]

    url = field("uris.GRAPHQL", doc="The GraphQL endpoint URL.")
    authentication = field("authenticationType", doc="API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS...")
    tracing_enabled = field("xrayEnabled", truthy, default=False, doc=(
        "True when requests are traced with X-Ray."), hint=Hint(
        "AppSync API {name} in {region} does not trace requests to X-Ray",
        ("xray_enabled is not set on the API",),
        (f"aws appsync get-graphql-api {A} --query graphqlApi.xrayEnabled",),
        ("set xray_enabled = true in the deploy and re-run it",)))
    logging_enabled = field("logConfig.fieldLogLevel", lambda level: level in ("ERROR", "ALL"),
                            default="NONE", doc=(
        "The field log level (NONE, ERROR, ALL); healthy when resolver errors are logged."),
        hint=Hint(
        "AppSync API {name} in {region} does not log resolver errors",
        ("no log_config, or field_log_level NONE: failing resolvers leave no trace",),
        (f"aws appsync get-graphql-api {A} --query graphqlApi.logConfig",),
        ("set log_config {{ field_log_level = \"ERROR\", cloudwatch_logs_role_arn = ... }} and redeploy",)))

    @property
    @probe(Hint(
        "AppSync API {name} in {region}: its schema did not build ({schema_detail})",
        ("the schema failed to build (a syntax error, or a type a resolver refers to is missing)",
         "the schema was never uploaded (start-schema-creation)"),
        (f"aws appsync get-schema-creation-status {A}",),
        ("fix the schema file and redeploy (the status's details name the error)",)),
     one_of("ACTIVE", "SUCCESS"), transitional=not_yet("PROCESSING"),
     reads=("get_schema_creation_status",))
    def schema_status(self) -> str:
        """The schema's status: ACTIVE or SUCCESS when built; PROCESSING, FAILED,
        NOT_APPLICABLE..."""
        answer = self.call("get_schema_creation_status", apiId=self.name)
        return str(answer.get("status", "NOT_APPLICABLE"))

    def hint_context(self) -> dict[str, Any]:
        def detail() -> str:  # the status and AWS's details (the syntax error)
            answer = self.call("get_schema_creation_status", apiId=self.name)
            return ": ".join(str(v) for v in (answer.get("status"), answer.get("details")) if v)
        return {**super().hint_context(), "schema_detail": detail}
