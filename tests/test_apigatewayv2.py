"""API Gateway v2 HTTP APIs through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(http_api="api_id")

    def test_healthy(http_api):
        assert http_api.healthy and http_api.protocol == "HTTP"

    def test_health_route(http_api):
        assert http_api.has_route("GET /health")
"""


def run(pytester: pytest.Pytester, write_outputs: Any, api: str) -> pytest.RunResult:
    write_outputs({"api_id": api})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_api_with_stage_and_route(pytester, write_outputs, aws_env) -> None:
    v2 = aws_env.client("apigatewayv2")
    api = v2.create_api(Name="web", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    v2.create_route(ApiId=api, RouteKey="GET /health")
    run(pytester, write_outputs, api).assert_outcomes(passed=2)


def test_api_without_stage_or_route(pytester, write_outputs, aws_env) -> None:
    v2 = aws_env.client("apigatewayv2")
    api = v2.create_api(Name="web", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=api, RouteKey="GET /status")
    result = run(pytester, write_outputs, api)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        f"API Gateway v2 API {api} in us-east-1 has no stage: nothing serves it",
        f"API Gateway v2 API {api} in us-east-1 has no route GET /health (routes: GET /status)",
        f"*aws apigatewayv2 create-stage --api-id {api} --region us-east-1 --stage-name '$default' --auto-deploy"])


def test_missing_api(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, "abc123").stdout.fnmatch_lines(
        ["API Gateway v2 API abc123 does not exist in us-east-1*"])
