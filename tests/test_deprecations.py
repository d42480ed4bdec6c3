"""Names of release 0.1 keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import pytest

from pytest_awshealth.deprecations import RENAMED_HINT_KEYS
from pytest_awshealth.plugin import builtin_catalog
from pytest_awshealth.remediation import Hint


def test_every_renamed_key_points_at_existing_keys() -> None:
    catalog = builtin_catalog()
    for old, new in RENAMED_HINT_KEYS.items():
        assert old not in catalog._entries, old
        assert all(key in catalog._entries for key in new), (old, new)


def test_old_key_reads_sets_and_deletes_the_new_ones() -> None:
    catalog = builtin_catalog()
    with pytest.warns(DeprecationWarning, match="dynamodb.table.ttl_enabled"):
        assert catalog["dynamodb.table.ttl"] is catalog["dynamodb.table.ttl_enabled"]
    team = Hint("GSI {index} of {name}: page #data")
    with pytest.warns(DeprecationWarning):
        catalog["dynamodb.table.gsi"] = team
    assert catalog["dynamodb.table.gsi_active"] is team and catalog["dynamodb.table.gsis"] is team
    with pytest.warns(DeprecationWarning):
        del catalog["dynamodb.table.gsi"]
    assert "dynamodb.table.gsi_active" not in catalog


def test_hook_with_an_old_key_still_changes_the_hint(pytester, aws_env, write_outputs) -> None:
    aws_env.client("dynamodb").create_table(
        TableName="state", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    pytester.makeconftest("""
        from pytest_awshealth import Hint

        def pytest_awshealth_hints(catalog, config):
            catalog["dynamodb.table.ttl"] = Hint("Team hint: TTL off on {name}")
    """)
    pytester.makepyfile("""
        import pytest

        @pytest.mark.aws_output(dynamo_table="table")
        def test_ttl(dynamo_table):
            assert dynamo_table.ttl_enabled
    """)
    write_outputs({"table": "state"})
    with pytest.warns(DeprecationWarning, match="hint key 'dynamodb.table.ttl' is deprecated"):
        result = pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["Team hint: TTL off on state"])
