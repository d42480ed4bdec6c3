"""Outputs through the plugin: formats, JSONPath, CDK suffixes, unknown keys, sensitive values."""

from __future__ import annotations

import json

import pytest

SECRET = "tok-9f8e7d6c5b4a"
TF = {
    "state_table_name": {"value": "mlog-state", "type": "string", "sensitive": False},
    "lambda_names": {"value": {"detector": "mlog-detector"}, "type": ["object", {}],
                     "sensitive": False},
    "admin_token": {"value": SECRET, "type": "string", "sensitive": True},
}


def test_terraform_values_and_jsonpath(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makepyfile("""
        import pytest
        def test_plain(aws_outputs):
            assert aws_outputs["state_table_name"] == "mlog-state"
            assert aws_outputs["$.lambda_names.detector"] == "mlog-detector"
        def test_read_only(aws_outputs):
            with pytest.raises(TypeError):
                aws_outputs["x"] = 1
    """)
    pytester.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=2)


def test_cdk_suffix_resolves_and_ambiguity_is_explained(pytester, write_outputs) -> None:
    write_outputs({"SakeStack": {"ApiEndpoint4F160690": "https://x", "BucketA1B2C3D4": "b1",
                                 "BucketE5F6A7B8": "b2"}})
    pytester.makepyfile("""
        def test_suffix(aws_outputs):
            assert aws_outputs["ApiEndpoint"] == "https://x"
        def test_ambiguous(aws_outputs):
            aws_outputs["Bucket"]
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*BucketA1B2C3D4*BucketE5F6A7B8*"])


@pytest.mark.parametrize("data", [
    {"Stacks": [{"StackName": "thera", "Outputs": [{"OutputKey": "Key", "OutputValue": "v"}]}]},
    [{"OutputKey": "Key", "OutputValue": "v", "Description": "sam"}],
    {"Key": "v", "other": "[secret]"},
    {"Key": "v"},
], ids=["cloudformation", "sam", "pulumi", "plain"])
def test_each_format(pytester, write_outputs, data) -> None:
    write_outputs(data)
    pytester.makepyfile("def test_k(aws_outputs):\n    assert aws_outputs['Key'] == 'v'\n")
    pytester.runpytest("--aws-outputs", "outputs.json").assert_outcomes(passed=1)


def test_pulumi_secret_asks_for_show_secrets(pytester, write_outputs) -> None:
    write_outputs({"dbPassword": "[secret]", "bucket": "b"})
    pytester.makepyfile("def test_k(aws_outputs):\n    aws_outputs['dbPassword']\n")
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*--show-secrets*"])


def test_files_merge_and_conflicts_name_both_files(pytester, write_outputs) -> None:
    write_outputs({"a": "1", "b": "2"}, "one.json")
    write_outputs({"b": "3"}, "two.json")
    pytester.makepyfile("def test_k(aws_outputs):\n    pass\n")
    result = pytester.runpytest("--aws-outputs", "one.json", "--aws-outputs", "two.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR:*'b'*one.json*two.json*"])


def test_unknown_key_in_marker_is_one_usage_error(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(dynamo_table="state_tabel_name")
        def test_a(dynamo_table): pass
        @pytest.mark.aws_output(dynamo_table="state_tabel_name")
        def test_b(dynamo_table): pass
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown outputs in aws_output markers:",
                                 "*test_a*no output 'state_tabel_name'*closest: state_table_name*",
                                 "*test_b*"])


def test_unknown_key_in_a_list_is_named_once_on_its_own_test(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(dynamo_table=["state_table_name", "users_tabel", "orders_tabel"])
        def test_active(dynamo_table): pass
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    problems = result.stderr.lines[1:]
    assert [line.split(": ")[0].split("::")[1] for line in problems if line.strip()] == [
        "test_active[users_tabel]", "test_active[orders_tabel]"]


def test_unknown_key_at_runtime_names_file_and_closest(pytester, write_outputs) -> None:
    write_outputs(TF)
    pytester.makepyfile("def test_k(aws_outputs):\n    aws_outputs['state_table']\n")
    result = pytester.runpytest("--aws-outputs", "outputs.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no output 'state_table' in outputs.json*state_table_name*"])


SENSITIVE_TESTS = """
def test_compare(aws_outputs):
    assert aws_outputs["admin_token"] == "tok-0000"

def test_print(aws_outputs):
    print("token is", aws_outputs["admin_token"])
    assert False

def test_locals(aws_outputs):
    token = aws_outputs["admin_token"]
    assert token.startswith("nope")

def test_in_message(aws_outputs):
    assert not aws_outputs["admin_token"], aws_outputs["admin_token"]
"""


@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_sensitive_value_never_reported(pytester, write_outputs, extra) -> None:
    write_outputs(TF)
    pytester.makepyfile(SENSITIVE_TESTS)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--junitxml=junit.xml",
                                "-l", "-vv", "-rA", *extra)
    result.assert_outcomes(failed=4)
    everything = result.stdout.str() + result.stderr.str()
    junit = (pytester.path / "junit.xml").read_text()
    assert SECRET not in everything
    assert SECRET not in junit
    assert "9f8e7d6c" not in everything  # no partial diff either
    assert "***" in everything and "***" in junit


def test_hints_name_the_cdk_key_as_the_file_spells_it(pytester, aws_env) -> None:
    (pytester.path / "cdk-outputs.json").write_text(json.dumps(
        {"AppStack": {"StateTableName9A3F7E15": "gone-table"}}))
    pytester.makepyfile("""
        import pytest
        @pytest.mark.aws_output(dynamo_table="StateTableName")
        def test_table(dynamo_table):
            assert dynamo_table.exists
    """)
    result = pytester.runpytest("--aws-outputs", "cdk-outputs.json", "-p", "no:xdist")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*output 'StateTableName' (StateTableName9A3F7E15 in the "
                                 "outputs file)*"])
