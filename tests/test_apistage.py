"""API Gateway stages (REST and HTTP APIs) through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
REST_GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(api_stage="invoke_url")

    def test_deployed(api_stage):
        assert api_stage.healthy
        assert api_stage.variables == {"backend": "prod-fn"}

    def test_observability(api_stage):
        assert api_stage.tracing_enabled and api_stage.logging_enabled

    def test_throttled(api_stage):
        assert api_stage.throttling

    def test_usage_plan(api_stage):
        assert api_stage.usage_plans == ["basic"]
"""


def make_rest_stage(emu: Any, *, observed: bool = True, plan: bool = True) -> str:
    apigw = emu.client("apigateway")
    api = apigw.create_rest_api(name="web")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api, stageName="prod", variables={"backend": "prod-fn"})
    if observed:
        apigw.update_stage(restApiId=api, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "200"}])
    if plan:
        apigw.create_usage_plan(name="basic", apiStages=[{"apiId": api, "stage": "prod"}])
    return f"https://{api}.execute-api.{emu.region}.amazonaws.com/prod"


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, str],
        gate: str) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(gate)
    return pytester.runpytest(*ARGS)


def test_a_configured_rest_stage_passes(pytester, write_outputs, aws_env) -> None:
    url = make_rest_stage(aws_env)
    run(pytester, write_outputs, {"invoke_url": url}, REST_GATE).assert_outcomes(passed=4)


def test_bare_stage_without_logs_limits_or_plan(pytester, write_outputs, aws_env) -> None:
    url = make_rest_stage(aws_env, observed=False, plan=False)
    api = url.split("//")[1].split(".")[0]
    result = run(pytester, write_outputs, {"invoke_url": url}, REST_GATE)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines_random([
        f"API Gateway stage prod of API {api} in us-east-1 does not send traces to X-Ray",
        f"*aws apigateway update-stage --rest-api-id {api} --stage-name prod --region us-east-1 "
        "--patch-operations op=replace,path=/tracingEnabled,value=true",
        f"API Gateway stage prod of API {api} in us-east-1 has no throttling limits",
        f"API Gateway stage prod of API {api} in us-east-1 is in no usage plan",
    ])


def test_missing_stage(pytester, write_outputs, aws_env) -> None:
    api = aws_env.client("apigateway").create_rest_api(name="web")["id"]
    result = run(pytester, write_outputs, {"invoke_url": f"{api}/prod"}, REST_GATE)
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines([f"API Gateway stage prod of API {api} does not exist in us-east-1*"])


def test_http_api_stage(pytester, write_outputs, aws_env) -> None:
    v2 = aws_env.client("apigatewayv2")
    api = v2.create_api(Name="web", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True,
                    DefaultRouteSettings={"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100})
    v2.create_stage(ApiId=api, StageName="bare")
    result = run(pytester, write_outputs, {"good": api, "bare": f"{api}/bare"}, """
        import pytest

        @pytest.mark.aws_output(http_api_stage=["good", "bare"])
        def test_stage(http_api_stage):
            assert http_api_stage.healthy
            assert http_api_stage.throttling == {"rate": 50.0, "burst": 100.0}
    """)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([f"API Gateway v2 stage bare of API {api} in us-east-1 has no deployment"])
