"""AppSync APIs and ACM private CAs through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
SCHEMA = b"type Query { hello: String }"


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, str],
        gate: str) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(gate)
    return pytester.runpytest(*ARGS)


APPSYNC_GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(appsync_api="api_id")

    def test_healthy(appsync_api):
        assert appsync_api.healthy

    def test_observable(appsync_api):
        assert appsync_api.logging_enabled and appsync_api.tracing_enabled
"""


def make_api(emu: Any, observed: bool = True, schema: bool = True) -> str:
    appsync = emu.client("appsync")
    extra = ({"xrayEnabled": True, "logConfig": {
        "fieldLogLevel": "ERROR", "cloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/logs"}}
        if observed else {})
    api = appsync.create_graphql_api(name="web", authenticationType="API_KEY", **extra)
    api_id = api["graphqlApi"]["apiId"]
    appsync.start_schema_creation(apiId=api_id, definition=SCHEMA if schema else b"type Query {")
    return api_id


def test_appsync_healthy(pytester, write_outputs, aws_env) -> None:
    api = make_api(aws_env)
    run(pytester, write_outputs, {"api_id": api}, APPSYNC_GATE).assert_outcomes(passed=2)


def test_appsync_without_schema_or_logs(pytester, write_outputs, aws_env) -> None:
    api = make_api(aws_env, observed=False, schema=False)
    result = run(pytester, write_outputs, {"api_id": api}, APPSYNC_GATE)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        f"AppSync API {api} in us-east-1: its schema did not build (FAILED: Syntax Error*",
        f"*aws appsync get-schema-creation-status --api-id {api} --region us-east-1",
        f"AppSync API {api} in us-east-1 does not log resolver errors"])


PCA_GATE = """
    import pytest

    @pytest.mark.aws_output(private_ca="ca_arn")
    def test_ca(private_ca):
        assert private_ca.healthy
"""


def test_private_ca_pending_certificate(pytester, write_outputs, aws_env) -> None:
    arn = aws_env.client("acm-pca").create_certificate_authority(
        CertificateAuthorityConfiguration={"KeyAlgorithm": "RSA_2048",
                                           "SigningAlgorithm": "SHA256WITHRSA",
                                           "Subject": {"CommonName": "internal"}},
        CertificateAuthorityType="ROOT")["CertificateAuthorityArn"]
    result = run(pytester, write_outputs, {"ca_arn": arn}, PCA_GATE)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"Private CA {arn} in us-east-1 is not ACTIVE",
                                 "*PENDING_CERTIFICATE*"])
    aws_env.backend("acmpca").certificate_authorities[arn].status = "ACTIVE"  # certificate installed
    run(pytester, write_outputs, {"ca_arn": arn}, PCA_GATE).assert_outcomes(passed=1)
