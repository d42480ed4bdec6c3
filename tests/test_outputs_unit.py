"""Unit tests of :mod:`pytest_awshealth.outputs` (no AWS, no pytester)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pytest_awshealth.errors import (
    ConfigError,
    OutputsError,
    SensitiveOutputError,
    UnknownOutputError,
)
from pytest_awshealth.outputs import (
    Output,
    Outputs,
    load_outputs,
    outputs_from_stacks,
    parse_outputs,
)

TERRAFORM = {
    "state_table_name": {"value": "orders-state", "type": "string", "sensitive": False},
    "api_url": {"value": "https://abc.execute-api.eu-west-1.amazonaws.com/prod", "type": "string"},
    "db_password": {"value": "hunter2-very-secret", "type": "string", "sensitive": True},
    "lambda_names": {
        "value": {"detector": "orders-detector", "notifier": "orders-notifier"},
        "type": ["map", "string"],
        "sensitive": False,
    },
    "db_credentials": {
        "value": {"user": "admin", "password": "s3cr3t-pass", "port": 5432, "tags": ["", "x-tag"]},
        "type": ["object", {}],
        "sensitive": True,
    },
}

CDK = {
    "ApiStack": {
        "ApiEndpoint4F160690": "https://api.example.com/",
        "TableName": "orders",
        "Region": "eu-west-1",
    },
    "WebStack": {
        "ServiceLoadBalancerDNSEC5B149E": "web-123.elb.amazonaws.com",
        "Region": "eu-west-1",
    },
}

DESCRIBE_STACKS = {
    "Stacks": [
        {
            "StackName": "orders-api",
            "StackStatus": "CREATE_COMPLETE",
            "Outputs": [
                {"OutputKey": "ApiUrl", "OutputValue": "https://api", "ExportName": "orders-ApiUrl"},
                {"OutputKey": "Region", "OutputValue": "eu-west-1"},
            ],
        },
        {
            "StackName": "orders-data",
            "Outputs": [
                {"OutputKey": "TableName", "OutputValue": "orders"},
                {"OutputKey": "Region", "OutputValue": "eu-west-1"},
            ],
        },
        {"StackName": "orders-empty"},
    ]
}

SAM = [
    {"OutputKey": "HelloWorldApi", "OutputValue": "https://hello", "Description": "API URL"},
    {"OutputKey": "HelloWorldFunction", "OutputValue": "arn:aws:lambda:fn", "Description": "ARN"},
]

PULUMI = {"bucketName": "my-bucket-1234", "dbPassword": "[secret]", "config": {"a": [1, 2]}}


def write(directory: Path, name: str, data: Any) -> str:
    """Write ``data`` as JSON to ``directory/name`` and return the path."""
    path = directory / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def terraform(tmp_path: Path) -> Outputs:
    return load_outputs([write(tmp_path, "terraform-outputs.json", TERRAFORM)])


@pytest.fixture
def cdk(tmp_path: Path) -> Outputs:
    return load_outputs([write(tmp_path, "cdk-outputs.json", CDK)])


# --------------------------------------------------------------------------- terraform


def test_terraform_detected_and_values_plain(terraform: Outputs) -> None:
    assert terraform.fmt == "terraform"
    assert terraform["state_table_name"] == "orders-state"
    assert terraform["lambda_names"] == {"detector": "orders-detector", "notifier": "orders-notifier"}
    assert set(terraform) == set(TERRAFORM)
    assert len(terraform) == len(TERRAFORM)


def test_terraform_sensitive_flag(terraform: Outputs) -> None:
    assert terraform.is_sensitive("db_password")
    assert not terraform.is_sensitive("api_url")
    assert terraform.resolve("db_password").sensitive
    assert terraform["db_password"] == "hunter2-very-secret"


def test_terraform_nested_map_by_jsonpath(terraform: Outputs) -> None:
    assert terraform["$.lambda_names.detector"] == "orders-detector"
    record = terraform.resolve("$.lambda_names.detector")
    assert record.key == "$.lambda_names.detector"
    assert record.value == "orders-detector"
    assert record.fmt == "terraform"
    assert not record.sensitive
    assert terraform.key_for("$.lambda_names.detector") == "$.lambda_names.detector"


def test_jsonpath_several_matches_give_a_list(terraform: Outputs) -> None:
    assert sorted(terraform["$.lambda_names.*"]) == ["orders-detector", "orders-notifier"]


def test_jsonpath_sensitive_when_root_key_is(terraform: Outputs) -> None:
    assert terraform.is_sensitive("$.db_credentials.user")
    assert terraform.resolve("$.db_credentials.user").sensitive
    assert not terraform.is_sensitive("$.lambda_names.detector")


def test_jsonpath_without_match_is_unknown(terraform: Outputs) -> None:
    with pytest.raises(UnknownOutputError, match=r"\$\.lambda_names\.nope.*matched nothing"):
        terraform["$.lambda_names.nope"]
    assert "$.lambda_names.nope" not in terraform
    assert "$.lambda_names.detector" in terraform


def test_invalid_jsonpath_is_unknown_and_one_line(terraform: Outputs) -> None:
    with pytest.raises(UnknownOutputError, match="invalid JSONPath") as info:
        terraform["$.a?b"]
    assert "\n" not in str(info.value)


def test_returned_values_cannot_mutate_outputs(terraform: Outputs) -> None:
    terraform["lambda_names"]["detector"] = "changed"
    assert terraform["$.lambda_names.detector"] == "orders-detector"


# --------------------------------------------------------------------------- cdk


def test_cdk_detected_and_stacks_merged(cdk: Outputs) -> None:
    assert cdk.fmt == "cdk"
    assert cdk["TableName"] == "orders"
    assert cdk["Region"] == "eu-west-1"  # equal in both stacks
    assert cdk.resolve("TableName").stack == "ApiStack"
    assert cdk.resolve("ServiceLoadBalancerDNSEC5B149E").stack == "WebStack"


def test_cdk_suffix_resolution(cdk: Outputs) -> None:
    assert cdk["ApiEndpoint"] == "https://api.example.com/"
    assert cdk.key_for("ApiEndpoint") == "ApiEndpoint4F160690"
    assert cdk.key_for("ServiceLoadBalancerDNS") == "ServiceLoadBalancerDNSEC5B149E"
    assert "ApiEndpoint" in cdk
    assert "ApiEndpoin" not in cdk  # the suffix must be exactly 8 hex characters


def test_cdk_suffix_ambiguity_names_matching_keys(tmp_path: Path) -> None:
    data = {"StackA": {"ApiEndpoint4F160690": "a"}, "StackB": {"ApiEndpointABCDEF12": "b"}}
    outputs = load_outputs([write(tmp_path, "cdk.json", data)])
    with pytest.raises(UnknownOutputError) as info:
        outputs["ApiEndpoint"]
    message = str(info.value)
    assert "ApiEndpoint4F160690" in message and "ApiEndpointABCDEF12" in message
    assert "'a'" not in message and "'b'" not in message
    assert outputs["StackB.ApiEndpoint"] == "b"
    assert outputs["StackA.ApiEndpoint4F160690"] == "a"


def test_cdk_stack_dot_key(cdk: Outputs) -> None:
    assert cdk["ApiStack.TableName"] == "orders"
    assert cdk["WebStack.ServiceLoadBalancerDNS"] == "web-123.elb.amazonaws.com"
    assert cdk.key_for("ApiStack.ApiEndpoint") == "ApiEndpoint4F160690"
    with pytest.raises(UnknownOutputError, match="no output 'TableName' in stack 'WebStack'"):
        cdk["WebStack.TableName"]


def test_cdk_key_differing_between_stacks_needs_stack(tmp_path: Path) -> None:
    data = {"Dev": {"BucketName": "dev-bucket"}, "Prod": {"BucketName": "prod-bucket"}}
    outputs = load_outputs([write(tmp_path, "cdk.json", data)])
    assert sorted(outputs) == ["Dev.BucketName", "Prod.BucketName"]
    assert outputs["Prod.BucketName"] == "prod-bucket"
    assert outputs.key_for("Dev.BucketName") == "Dev.BucketName"
    with pytest.raises(UnknownOutputError, match="Dev, Prod") as info:
        outputs["BucketName"]
    assert "bucket'" not in str(info.value)


def test_suffix_resolution_applies_to_other_formats(tmp_path: Path) -> None:
    outputs = load_outputs([write(tmp_path, "plain.json", {"QueueUrlA1B2C3D4": "https://q"})])
    assert outputs["QueueUrl"] == "https://q"


def test_jsonpath_reads_cdk_stacks_as_the_file_nests_them(tmp_path: Path) -> None:
    outputs = load_outputs([write(tmp_path, "cdk.json", {
        "ApiStack": {"TableName1A2B3C4D": "api-table"},
        "JobsStack": {"TableName1A2B3C4D": "jobs-table", "QueueUrl9F8E7D6C": "https://q"}})])
    assert outputs["$.JobsStack.TableName1A2B3C4D"] == "jobs-table"
    assert outputs["$.ApiStack.TableName1A2B3C4D"] == "api-table"
    assert outputs["$.QueueUrl9F8E7D6C"] == "https://q"  # a key in one stack only, as before
    assert outputs["JobsStack.TableName"] == "jobs-table"


# --------------------------------------------------------------------------- cloudformation / sam


def test_cloudformation_describe_stacks(tmp_path: Path) -> None:
    outputs = load_outputs([write(tmp_path, "stacks.json", DESCRIBE_STACKS)])
    assert outputs.fmt == "cloudformation"
    assert dict(outputs) == {"ApiUrl": "https://api", "Region": "eu-west-1", "TableName": "orders"}
    assert outputs.resolve("TableName").stack == "orders-data"
    assert outputs["orders-data.Region"] == "eu-west-1"


def test_cloudformation_conflict_between_stacks_names_both(tmp_path: Path) -> None:
    data = {
        "Stacks": [
            {"StackName": "one", "Outputs": [{"OutputKey": "Url", "OutputValue": "u1"}]},
            {"StackName": "two", "Outputs": [{"OutputKey": "Url", "OutputValue": "u2"}]},
        ]
    }
    with pytest.raises(OutputsError) as info:
        load_outputs([write(tmp_path, "stacks.json", data)])
    message = str(info.value)
    assert "'Url'" in message and "'one'" in message and "'two'" in message
    assert "u1" not in message and "u2" not in message


def test_sam_list_stack_outputs(tmp_path: Path) -> None:
    outputs = load_outputs([write(tmp_path, "sam.json", SAM)])
    assert outputs.fmt == "sam"
    assert outputs["HelloWorldApi"] == "https://hello"
    assert outputs.resolve("HelloWorldFunction").fmt == "sam"


def test_bare_cloudformation_outputs_list_is_sam() -> None:
    records = parse_outputs([{"OutputKey": "K", "OutputValue": "v"}], "outputs.json")
    assert records == [Output("K", "v", "outputs.json", fmt="sam")]


def test_outputs_from_stacks() -> None:
    response = dict(DESCRIBE_STACKS, ResponseMetadata={"HTTPStatusCode": 200})
    outputs = outputs_from_stacks(response, "stack:orders-api")
    assert outputs.sources == ["stack:orders-api"]
    assert outputs.fmt == "cloudformation"
    assert outputs["ApiUrl"] == "https://api"
    assert outputs.resolve("ApiUrl").source == "stack:orders-api"


def test_outputs_from_stacks_rejects_other_shapes() -> None:
    with pytest.raises(OutputsError, match="stack:x.*DescribeStacks"):
        outputs_from_stacks({"Nope": []}, "stack:x")


# --------------------------------------------------------------------------- pulumi / plain


def test_pulumi_secret_is_sensitive_and_unusable(tmp_path: Path) -> None:
    path = write(tmp_path, "pulumi.json", PULUMI)
    outputs = load_outputs([path])
    assert outputs.fmt == "pulumi"
    assert outputs["bucketName"] == "my-bucket-1234"
    assert outputs.is_sensitive("dbPassword")
    assert "dbPassword" in outputs
    with pytest.raises(SensitiveOutputError) as info:
        outputs["dbPassword"]
    message = str(info.value)
    assert "Pulumi secret" in message
    assert f"pulumi stack output --json --show-secrets > {path}" in message
    with pytest.raises(SensitiveOutputError):
        outputs.resolve("$.dbPassword")
    assert "[secret]" not in outputs.sensitive_values


def test_plain_object_with_nested_values(tmp_path: Path) -> None:
    data = {"bucket": "b-1", "ports": [80, 443], "nested": {"deep": {"x": 1}}}
    outputs = load_outputs([write(tmp_path, "out.json", data)])
    assert outputs.fmt == "plain"
    assert outputs["ports"] == [80, 443]
    assert outputs["$.nested.deep.x"] == 1
    assert outputs["$.ports[1]"] == 443
    assert outputs.sensitive_values == frozenset()


def test_object_of_underscore_maps_is_plain_not_cdk() -> None:
    records = parse_outputs({"lambda_names": {"detector": "d"}}, "x.json")
    assert [(r.key, r.fmt, r.stack) for r in records] == [("lambda_names", "plain", None)]


def test_empty_object_is_plain_without_outputs(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.json", {})
    outputs = load_outputs([path])
    assert len(outputs) == 0
    assert outputs.sources == [path]
    with pytest.raises(UnknownOutputError, match="no outputs were loaded"):
        outputs["anything"]


# --------------------------------------------------------------------------- merging


def test_merge_two_files_equal_values_ok(tmp_path: Path) -> None:
    first = write(tmp_path, "terraform-outputs.json", TERRAFORM)
    second = write(tmp_path, "extra.json", {"state_table_name": "orders-state", "queue": "q"})
    outputs = load_outputs([first, second])
    assert outputs.sources == [first, second]
    assert outputs.fmt == "mixed"
    assert outputs["state_table_name"] == "orders-state"
    assert outputs.resolve("state_table_name").source == first
    assert outputs.resolve("queue").source == second


def test_merge_keeps_sensitivity_of_either_definition(tmp_path: Path) -> None:
    first = write(tmp_path, "a.json", {"token": "abcdefgh"})
    second = write(tmp_path, "b.json", {"token": {"value": "abcdefgh", "sensitive": True}})
    outputs = load_outputs([first, second])
    assert outputs.is_sensitive("token")
    assert "abcdefgh" in outputs.sensitive_values


def test_merge_conflict_names_key_and_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "one.json", {"queue": "q-one"})
    second = write(tmp_path, "two.json", {"queue": "q-two"})
    with pytest.raises(OutputsError) as info:
        load_outputs([first, second])
    message = str(info.value)
    assert "'queue'" in message and first in message and second in message
    assert "q-one" not in message and "q-two" not in message


def test_same_format_files_keep_format(tmp_path: Path) -> None:
    first = write(tmp_path, "a.json", {"x": {"value": 1, "type": "number"}})
    second = write(tmp_path, "b.json", {"y": {"value": 2, "type": "number"}})
    assert load_outputs([first, second]).fmt == "terraform"


def test_single_path_string_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", {"x": 1})
    assert load_outputs(path)["x"] == 1  # type: ignore[arg-type]
    assert load_outputs([Path(path)])["x"] == 1


# --------------------------------------------------------------------------- file errors


def test_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.json")
    with pytest.raises(OutputsError) as info:
        load_outputs([missing])
    message = str(info.value)
    assert message == (
        f"outputs file not found: {missing}; create it with "
        f"`terraform output -json > {missing}` (or pass the right path)"
    )
    assert isinstance(info.value, ConfigError)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_malformed_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}\n', encoding="utf-8")
    with pytest.raises(OutputsError) as info:
        load_outputs([str(path)])
    message = str(info.value)
    assert str(path) in message
    assert "line 4, column 1" in message
    assert "terraform output -json" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\xff\xfe{\x00}", "not UTF-16"),
        (b'{"a": "\xe9"}', "not UTF-8"),
    ],
)
def test_unreadable_content(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "out.json"
    path.write_bytes(content)
    with pytest.raises(OutputsError, match=expected) as info:
        load_outputs([str(path)])
    assert str(path) in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-32"])
def test_utf8_bom_and_utf16_or_32_are_accepted(tmp_path: Path, encoding: str) -> None:
    """PowerShell's `>` writes UTF-16 with a BOM; JSON's own detection reads it."""
    path = tmp_path / "out.json"
    path.write_bytes(json.dumps({"x": "y\u00e9"}).encode(encoding))
    assert load_outputs([str(path)])["x"] == "y\u00e9"


@pytest.mark.parametrize(
    "data",
    [42, "text-value", None, True, [{"name": "x"}], [1, 2]],
    ids=["number", "string", "null", "bool", "array-of-objects", "array-of-numbers"],
)
def test_unrecognised_shape(tmp_path: Path, data: Any) -> None:
    path = write(tmp_path, "odd.json", data)
    with pytest.raises(OutputsError) as info:
        load_outputs([path])
    message = str(info.value)
    assert "unrecognised outputs format" in message and path in message
    for accepted in ("terraform output -json", "cdk deploy --outputs-file", "describe-stacks",
                     "sam list stack-outputs", "pulumi stack output --json"):
        assert accepted in message
    assert "text-value" not in message


def test_malformed_cloudformation_output(tmp_path: Path) -> None:
    data = {"Stacks": [{"StackName": "s", "Outputs": [{"OutputValue": "v"}]}]}
    with pytest.raises(OutputsError, match="malformed output #1 of stack 's'"):
        load_outputs([write(tmp_path, "stacks.json", data)])


# --------------------------------------------------------------------------- lookups


def test_unknown_key_suggests_closest(tmp_path: Path) -> None:
    outputs = load_outputs([write(tmp_path, "terraform-outputs.json", TERRAFORM)])
    with pytest.raises(UnknownOutputError) as info:
        outputs["state_tabel"]
    message = str(info.value)
    assert message.startswith("no output 'state_tabel' in ")
    assert "terraform-outputs.json; closest: state_table_name" in message
    assert "orders-state" not in message


def test_unknown_key_lists_available_keys_when_nothing_close(tmp_path: Path) -> None:
    data = {f"key{i:02d}": i for i in range(12)}
    outputs = load_outputs([write(tmp_path, "out.json", data)])
    with pytest.raises(UnknownOutputError) as info:
        outputs["zzzzzzzzzz"]
    message = str(info.value)
    assert "available: key00, key01" in message and "key09" in message
    assert "key10" not in message and "(and 2 more)" in message


def test_unknown_key_is_a_key_error(terraform: Outputs) -> None:
    assert terraform.get("nope", "default") == "default"
    assert "nope" not in terraform
    assert 42 not in terraform
    with pytest.raises(KeyError):
        terraform["nope"]


def test_sensitive_values(terraform: Outputs) -> None:
    values = terraform.sensitive_values
    assert "hunter2-very-secret" in values
    assert {"admin", "s3cr3t-pass", "x-tag"} <= values
    assert str(TERRAFORM["db_credentials"]["value"]) in values
    assert "" not in values
    assert "5432" not in values  # only string leaves of containers
    assert "orders-state" not in values
    assert isinstance(values, frozenset)


def test_repr_has_no_values(terraform: Outputs) -> None:
    text = repr(terraform)
    assert "keys=5" in text and "terraform-outputs.json" in text
    for entry in TERRAFORM.values():
        assert str(entry["value"]) not in text
    assert "hunter2" not in str(terraform)
    assert "hunter2" not in repr(terraform.resolve("db_password"))


def test_mapping_is_read_only(terraform: Outputs) -> None:
    assert not hasattr(terraform, "__setitem__")
    assert not hasattr(terraform, "__delitem__")
    with pytest.raises(TypeError):
        terraform["new"] = "value"  # type: ignore[index]
    with pytest.raises(TypeError):
        del terraform["api_url"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        terraform.update({"x": 1})  # type: ignore[attr-defined]


def test_output_record_is_frozen() -> None:
    record = Output("k", "v", "f.json")
    with pytest.raises(AttributeError):
        record.value = "w"  # type: ignore[misc]


def test_outputs_constructed_directly() -> None:
    outputs = Outputs([Output("a", 1, "x.json"), Output("b", "s3cret!", "y.json", sensitive=True)])
    assert outputs.sources == ["x.json", "y.json"]
    assert outputs.fmt == "plain"
    assert outputs.sensitive_values == frozenset({"s3cret!"})
    assert dict(outputs) == {"a": 1, "b": "s3cret!"}
