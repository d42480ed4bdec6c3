"""Handles made by name (``aws.lambda_fn("x")``) get hints that say where the name came
from, never an ``<output>`` placeholder; bound handles still name their output."""

from __future__ import annotations

import json

from pytest_awshealth.remediation import Hint
from pytest_awshealth.resources import DynamoTable


def test_dynamic_handles_hint_names_the_factory_call(pytester, aws_env) -> None:
    (pytester.path / "outputs.json").write_text(json.dumps({"fn": "ghost-bound"}))
    pytester.makepyfile("""
        import pytest

        def test_dynamic_lambda(aws):
            assert aws.lambda_fn("ghost-fn").status == "Active"

        def test_dynamic_table(aws):
            assert aws.dynamo_table("ghost-table").exists

        @pytest.mark.aws_output(lambda_fn="fn")
        def test_bound_lambda(lambda_fn):
            assert lambda_fn.status == "Active"
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    assert "<output>" not in out and "'<" not in out
    result.stdout.fnmatch_lines([
        "*the name passed to aws.lambda_fn() holds the wrong function name*",
        "*the name passed to aws.dynamo_table() holds the wrong table name*",
        "*output 'fn' holds the wrong function name*",
    ])


def test_plain_python_handle_and_templates_without_a_resource() -> None:
    hint = Hint("gone", ("output '{output}' is wrong", "see {output}"))
    by_class = DynamoTable("t", region="us-east-1").hint_context()
    assert "the name given to DynamoTable() is wrong" in hint.render(by_class)
    assert "see the name given to DynamoTable()" in hint.render(by_class)
    assert "the output or name the check uses is wrong" in hint.render({})
