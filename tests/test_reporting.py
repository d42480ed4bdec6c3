"""Hints in the terminal and JUnit XML, user hints, the catalog hook, and AWS error mapping."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

TABLE_SCHEMA = dict(BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

TTL_TEST = """
import pytest
@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_ttl(dynamo_table):
    assert dynamo_table.ttl_enabled
"""


@pytest.fixture
def table_project(pytester, aws_env, write_outputs):
    aws_env.client("dynamodb").create_table(TableName="state", **TABLE_SCHEMA)
    write_outputs({"state_table_name": "state"})
    return pytester


def test_hint_reaches_junit_xml(table_project) -> None:
    table_project.makepyfile(TTL_TEST)
    result = table_project.runpytest("--aws-outputs", "outputs.json", "--junitxml=junit.xml")
    result.assert_outcomes(failed=1)
    failure = ET.parse(table_project.path / "junit.xml").find(".//failure")
    assert failure is not None
    # the short summary message leads with resource and problem (it must fit 80 columns)
    assert failure.get("message") == "state: does not have TTL enabled [DynamoDB table, us-east-1]"
    assert "aws dynamodb update-time-to-live --table-name state --region us-east-1" in failure.text


def test_hint_survives_xdist(table_project) -> None:
    table_project.makepyfile(TTL_TEST)
    result = table_project.runpytest("--aws-outputs", "outputs.json", "-n", "2")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*awshealth remediation*",
                                 "*aws dynamodb update-time-to-live --table-name state*"])


def test_user_remediation_marker(table_project) -> None:
    table_project.makepyfile("""
        import pytest
        @pytest.mark.aws_remediation("Ask #data-platform before re-enabling TTL.")
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_ttl(dynamo_table):
            assert dynamo_table.ttl_enabled
    """)
    result = table_project.runpytest("--aws-outputs", "outputs.json")
    result.stdout.fnmatch_lines(["*update-time-to-live*", "Ask #data-platform before re-enabling TTL."])


def test_catalog_hook_replaces_and_adds_entries(table_project) -> None:
    table_project.makeconftest("""
        from pytest_awshealth import Hint
        def pytest_awshealth_hints(catalog, config):
            catalog["dynamodb.table.ttl_enabled"] = Hint(
                "Team hint: TTL off on {name}", fix=("make enable-ttl TABLE={name}",))
    """)
    table_project.makepyfile(TTL_TEST)
    result = table_project.runpytest("--aws-outputs", "outputs.json")
    result.stdout.fnmatch_lines(["Team hint: TTL off on state", "*make enable-ttl TABLE=state"])


def test_custom_probe_uses_a_hook_added_hint(table_project) -> None:
    table_project.makeconftest("""
        from pytest_awshealth import DynamoTable, Hint, probe
        class OrdersTable(DynamoTable):
            hint_prefix = "orders"
            @property
            @probe("keys_ok", lambda ok: ok)
            def has_order_key(self):
                return self.key_schema.get("HASH") == "order_id"
        def pytest_awshealth_hints(catalog, config):
            catalog["orders.keys_ok"] = Hint("{name}: wrong partition key", fix=("recreate {name}",))
    """)
    table_project.makepyfile("""
        from conftest import OrdersTable
        def test_keys(aws_context, aws_outputs):
            assert OrdersTable(aws_outputs["state_table_name"], aws=aws_context).has_order_key
    """)
    result = table_project.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["state: wrong partition key", "*recreate state"])


def test_project_error_code_seen_in_a_log_line_shows_its_hook_hint(pytester, aws_env,
                                                                   write_outputs) -> None:
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="/app/orders")
    logs.create_log_stream(logGroupName="/app/orders", logStreamName="web")
    logs.put_log_events(logGroupName="/app/orders", logStreamName="web", logEvents=[
        {"timestamp": int(time.time() * 1000) - 60_000, "message": "[ERROR] ORD-7 card declined"}])
    write_outputs({"orders_log": "/app/orders"})
    pytester.makeconftest("""
        from pytest_awshealth import Hint
        def pytest_awshealth_hints(catalog, config):
            catalog["error.code.ORD-7"] = Hint("{code} in {name}: the payment provider declined",
                                               fix=("rotate the provider key of {region}",))
            catalog["error.code.ORD-8"] = Hint("{code}: never seen")
    """)
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(log_group="orders_log")
        def test_no_errors(log_group):
            assert not log_group.errors("ERROR")
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["Log group /app/orders in us-east-1 has recent error lines",
                                 "ORD-7 in /app/orders: the payment provider declined",
                                 "*rotate the provider key of us-east-1"])
    assert "never seen" not in result.stdout.str()


@pytest.mark.parametrize(("code", "expected"), [
    ("AccessDeniedException", ["Access denied: the caller may not perform dynamodb:DescribeTable "
                               "on DynamoDB table state (us-east-1)",
                               "*aws iam simulate-principal-policy*dynamodb:DescribeTable*"]),
    ("ThrottlingException", ["AWS throttled DescribeTable on DynamoDB table state "
                             "(ThrottlingException) in us-east-1: retries exhausted*",
                             "*--aws-retry-mode adaptive*"]),
])
def test_error_codes_map_to_hints(table_project, aws_env, code, expected) -> None:
    """Could not read the state: inconclusive (exit 6), with the hint for the code."""
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code=code)
    table_project.makepyfile("""
        import pytest
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_status(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """)
    result = table_project.runpytest("--aws-outputs", "outputs.json", "--aws-max-attempts", "1")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines(expected)


def test_expired_token_stops_the_run_once(table_project, aws_env) -> None:
    aws_env.inject_fault("dynamodb", error_code="ExpiredTokenException",
                         message="The security token included in the request is expired")
    table_project.makepyfile("""
        import pytest
        @pytest.mark.parametrize("n", range(10))
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_status(dynamo_table, n):
            assert dynamo_table.status == "ACTIVE"
    """)
    result = table_project.runpytest("--aws-outputs", "outputs.json")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines(["AWS rejected the credentials (ExpiredTokenException)*",
                                 "*Interrupted: AWS credentials are missing or rejected*"])


def test_unreachable_endpoint_hint(table_project) -> None:
    table_project.makepyfile(TTL_TEST)
    result = table_project.runpytest("--aws-outputs", "outputs.json",
                                     "--aws-endpoint-url", "http://127.0.0.1:9",
                                     "--aws-max-attempts", "1", "--aws-connect-timeout", "1")
    assert result.ret == 6
    assert result.parseoutcomes() == {"inconclusive": 1}
    result.stdout.fnmatch_lines(["Could not reach AWS endpoint http://127.0.0.1:9 "
                                 "(connect timeout 1 s, max attempts 1)*"])


def test_passing_run_adds_nothing(table_project, aws_env) -> None:
    aws_env.client("dynamodb").update_time_to_live(
        TableName="state", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"})
    table_project.makepyfile(TTL_TEST)
    result = table_project.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(passed=1)
    assert "remediation" not in result.stdout.str()


def test_bad_remediation_marker_is_a_usage_error(pytester) -> None:
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_remediation()
        def test_t(): pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *::test_t: *aws_remediation*"])
