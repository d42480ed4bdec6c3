"""One catalog, one lookup: the probes' hints, failed calls, AWS error codes and HTTP
statuses are all entries of one ``Catalog``, each changed through the hook by its key;
renamed keys are aliases that warn."""

from __future__ import annotations

import runpy
import warnings
from pathlib import Path

import pytest

from pytest_awshealth import Catalog, Hint
from pytest_awshealth.deprecations import RENAMED_HINT_KEYS
from pytest_awshealth.plugin import builtin_catalog
from pytest_awshealth.remediation import ByService
from pytest_awshealth.remediation.codes import own_code_keys

RENAMED_SCRIPT = Path(__file__).parents[1] / "benchmarks" / "renamed_hint_keys.py"
GONE = "error.code.ResourceNotFoundException"


def test_one_lookup_for_every_kind_of_hint() -> None:
    catalog = builtin_catalog()
    for key in ("dynamodb.table.ttl_enabled", "dynamodb.table.missing", "error.access_denied",
                "error.not_found", "error.code.AccessDenied", "error.code.ValidationException",
                "http.status.502"):
        assert isinstance(catalog[key], Hint), key
        assert key in catalog and key in list(catalog), key
    text = catalog.render("error.code.AccessDenied", {"operation": "GetItem", "kind": "table",
                                                      "name": "t", "code": "AccessDenied"})
    assert text is not None and text.startswith("GetItem on table t failed with AccessDenied")
    assert "AccessDenied means: the caller is not authorized" in text
    assert "error.code.NoSuchThing" not in catalog
    assert catalog.render("error.code.NoSuchThing", {}) is None


def test_the_service_picks_a_codes_note_inside_the_lookup() -> None:
    catalog = builtin_catalog()
    hint = catalog[GONE]
    assert isinstance(hint, ByService)
    table = catalog.render(GONE, {"action": "dynamodb:DescribeTable"}) or ""
    assert "the table or index does not exist" in table and "Lambda" not in table
    function = catalog.render(GONE, {"action": "lambda:GetFunction"}) or ""
    assert "the function, version, alias" in function and "DynamoDB" not in function
    anywhere = hint.render({})
    assert "DynamoDB: the table" in anywhere and "Lambda: the function" in anywhere
    assert catalog.fill(GONE, {"action": "dynamodb:DescribeTable"}).key == GONE  # type: ignore[union-attr]


def test_a_plain_hint_replaces_every_service_note() -> None:
    catalog = builtin_catalog()
    catalog[GONE] = Hint("Team: {name} is gone")
    assert catalog.render(GONE, {"action": "dynamodb:DescribeTable", "name": "t"}) == \
        "Team: t is gone"


def test_hook_changes_an_error_code_and_an_http_status(pytester, aws_env, api_stub,
                                                       write_outputs) -> None:
    aws_env.client("dynamodb").create_table(
        TableName="t", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="ValidationException",
                         message="1 validation error detected")
    api_stub.route("/health", status=502, body={"message": "Internal server error"})
    pytester.makeconftest("""
        from pytest_awshealth import Hint

        def pytest_awshealth_hints(catalog, config):
            assert catalog["error.code.ValidationException"].title
            catalog["error.code.ValidationException"] = Hint(
                "Team: {operation} on {name} was invalid ({message})", fix=("page #data",))
            catalog["http.status.502"] = Hint("Team: {url} answered {status}")
    """)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.aws_output(dynamo_table="table")
        def test_table(dynamo_table):
            assert dynamo_table.status == "ACTIVE"

        @pytest.mark.aws_output(http_endpoint="api")
        def test_health(http_endpoint):
            assert http_endpoint.get("/health").ok
    """)
    write_outputs({"table": "t", "api": api_stub.url})
    result = pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*Team: DescribeTable on t was invalid (1 validation error detected)*",
        f"*Team: {api_stub.url}/health answered 502*"])
    out = result.stdout.str()
    assert "ValidationException means" not in out and "Bad Gateway" not in out


def test_codes_looked_for_in_what_probes_read_are_the_projects_own() -> None:
    """A log line that mentions ``AccessDenied`` gets no extra hint from the built-in
    entry; a project's own code, or one it re-explains, is looked for."""
    catalog = builtin_catalog()
    assert own_code_keys(catalog) == []
    catalog["error.code.APP-42"] = Hint("{code} in {name}: payment failed")
    catalog["error.code.AccessDenied"] = Hint("Team: {code}")
    assert sorted(own_code_keys(catalog)) == ["error.code.APP-42", "error.code.AccessDenied"]


def test_aliases_read_set_and_delete_the_new_keys_with_a_warning() -> None:
    one, two, kept = Hint("one"), Hint("two"), Hint("kept")
    catalog = Catalog({"t.one": one, "t.two": two, "t.kept": kept},
                      aliases={"t.old": ("t.one", "t.two"), "t.kept": ("t.one",)})
    with pytest.warns(DeprecationWarning, match=r"hint key 't.old' is deprecated, use t.one / t.two"):
        assert catalog["t.old"] is one
    with pytest.warns(DeprecationWarning):
        assert catalog.render("t.old", {}) == "one"
    team = Hint("team")
    with pytest.warns(DeprecationWarning):
        catalog["t.old"] = team
    assert catalog["t.one"] is team and catalog["t.two"] is team
    assert "t.old" not in list(catalog)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert catalog["t.kept"] is kept  # a key the catalog still has is not an alias
    with pytest.warns(DeprecationWarning):
        del catalog["t.old"]
    assert sorted(catalog) == ["t.kept"]
    with pytest.raises(KeyError):
        Catalog({"t.one": one})["t.old"]


def test_a_catalog_entry_must_be_a_hint() -> None:
    with pytest.raises(TypeError, match="must be a Hint, not str"):
        Catalog()["error.code.X"] = "text"  # type: ignore[assignment]


def test_the_renamed_keys_table_is_the_one_the_script_computes() -> None:
    computed = runpy.run_path(str(RENAMED_SCRIPT))["renamed"]()
    assert computed == RENAMED_HINT_KEYS, (
        "handles were renamed or converted: run python benchmarks/renamed_hint_keys.py --write")
    catalog = builtin_catalog()
    with pytest.warns(DeprecationWarning, match="dynamodb.table.ttl_enabled"):
        assert catalog["dynamodb.table.ttl"] is catalog["dynamodb.table.ttl_enabled"]
