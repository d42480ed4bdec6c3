"""The session's read cache and the prefetch: each distinct read is made once, before the
first test and many at once; a verdict never depends on it (prefetch on and off, serial
and under xdist, give the same verdicts for every example gate, breaks included). That
the example gates make at most one call per check is in test_examples.py."""

from __future__ import annotations

import ast
import textwrap
import threading

import pytest

from demo_runs import CallRecorder, deploy, gate, run_checks, suspect_checks, verdicts
from pytest_awshealth.clients import AwsContext
from pytest_awshealth.emulator.stacks import EXAMPLES, get_stack
from pytest_awshealth.errors import ResourceNotFound
from pytest_awshealth.prefetch import DESCRIBE, EVERY, attributes_read, warmups
from pytest_awshealth.readcache import ReadCache
from pytest_awshealth.resources import DynamoTable, LambdaFunction

TABLES = {"orders_table": "orders", "users_table": "users", "ghost_table": "ghost"}


def tree(source: str) -> ast.AST:
    return ast.parse(textwrap.dedent(source))


# --------------------------------------------------------------------------- units


def test_attributes_read_are_those_used_on_the_argument() -> None:
    body = tree("""
        def test(dynamo_table, other):
            assert dynamo_table.status == "ACTIVE" and dynamo_table.gsi_active("i")
            other.pitr_enabled
    """)
    assert attributes_read(body, "dynamo_table") == {"status", "gsi_active"}
    assert attributes_read(body, "other") == {"pitr_enabled"}


def test_a_handle_passed_on_cannot_be_told() -> None:
    body = tree("""
        def test(lambda_fn, aws):
            assert helper(aws, lambda_fn).can("x") and lambda_fn.timeout_s
    """)
    assert attributes_read(body, "lambda_fn") == {"timeout_s", EVERY}
    assert attributes_read(None, "lambda_fn") == {EVERY}


def test_warmups_are_read_only_properties_or_the_describe() -> None:
    names = {"status", "pitr_enabled", "gsi_active", "name", "region", "throttled_requests"}
    assert warmups(DynamoTable, names) == [DESCRIBE, "pitr_enabled", "status"]
    assert warmups(DynamoTable, {"healthy"}) == ["exists", "status", "all_gsis_active"]
    assert warmups(DynamoTable, {EVERY}) == [DESCRIBE]
    # an invocation runs the function: never prefetched, not even its describe
    assert warmups(LambdaFunction, {"invoke", "dry_run"}) == []


def test_one_flight_per_key_across_threads() -> None:
    cache, started, release = ReadCache(), threading.Event(), threading.Event()
    fetched: list[int] = []

    def fetch() -> dict:
        fetched.append(1)
        started.set()
        release.wait(5)
        return {"answer": len(fetched)}

    key = ("dynamodb", "us-east-1", "describe_table", (("TableName", "t"),))
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(key, fetch)))
               for _ in range(8)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert fetched == [1] and results == [{"answer": 1}] * 8
    cache.drop([key])
    assert cache.get(key, fetch) == {"answer": 2}


def test_handles_share_reads_and_refresh_drops_them(aws_env) -> None:
    aws_env.client("dynamodb").create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws = AwsContext(region="us-east-1")
    first, second, ghost = (DynamoTable(n, aws=aws) for n in ("orders", "orders", "ghost"))
    assert first.status == second.status == "ACTIVE"
    assert aws.resilience.stats.calls == 1
    aws_env.set_table_status("orders", "UPDATING")
    assert second.status == "ACTIVE"  # the session's answer
    second.refresh()
    assert first.status == "UPDATING" and aws.resilience.stats.calls == 2
    # a missing table: kept as what it is, raised fresh about each handle that reads it
    errors = []
    for handle in (ghost, DynamoTable("ghost", aws=aws, output="ghost_key")):
        with pytest.raises(ResourceNotFound) as excinfo:
            handle.describe()
        errors.append(excinfo.value)
    assert aws.resilience.stats.calls == 3
    assert [e.resource.output for e in errors] == [None, "ghost_key"]
    assert errors[0] is not errors[1]


# --------------------------------------------------------------------------- runs


def tables(emulator, *names: str, pitr: tuple[str, ...] = ()) -> None:
    dynamodb = emulator.client("dynamodb")
    for name in names:
        dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for name in pitr:
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


CHECKS = """
    import pytest

    @pytest.mark.aws_output(dynamo_table=["orders_table", "users_table"])
    def test_active(dynamo_table):
        assert dynamo_table.status == "ACTIVE"

    @pytest.mark.aws_output(dynamo_table=["orders_table", "users_table"])
    def test_pitr(dynamo_table):
        assert dynamo_table.pitr_enabled

    @pytest.mark.aws_output(dynamo_table="ghost_table")
    def test_ghost(dynamo_table):
        assert dynamo_table.status == "ACTIVE"

    @pytest.mark.aws_output(dynamo_table="orders_table")
    def test_name_only(dynamo_table):
        assert dynamo_table.name == "orders"
"""


def test_prefetch_makes_the_reads_before_the_first_test(pytester, aws_env) -> None:
    tables(aws_env, "orders", "users", pitr=("orders",))
    runs = {}
    for mode in ("on", "off"):
        recorder = CallRecorder()
        result = run_checks(pytester, TABLES, CHECKS, "-rA", "-p", "no:xdist",
                            f"--aws-prefetch={mode}", plugins=[recorder])
        runs[mode] = (verdicts(result), recorder)
    (on, prefetched), (off, plain) = runs["on"], runs["off"]
    assert on == off and sorted(t for t, v in on.items() if v == "FAILED") == [
        "test_ghost", "test_pitr[users_table]"]
    # the 5 distinct reads, all before the first test (then one STS call for the hint's
    # account); none made twice, none that the tests do not make
    assert prefetched.before_tests == 5 and prefetched.calls[5:] == [("sts", "GetCallerIdentity", "{}")]
    assert plain.before_tests == 0 and sorted(plain.calls) == sorted(prefetched.calls)
    assert prefetched.repeated() == {} and prefetched.reads == plain.reads


def test_a_prefetched_failure_keeps_its_own_verdict_and_hint(pytester, aws_env) -> None:
    tables(aws_env, "orders", "users")
    result = run_checks(pytester, TABLES, CHECKS, "-rA", "-p", "no:xdist")
    result.stdout.fnmatch_lines(["*DynamoDB table ghost does not exist in us-east-1*",
                                 "*output 'ghost_table' holds the wrong table name*"])
    result.stdout.fnmatch_lines(["awshealth: 6 AWS calls, 0 throttled and retried; 5 prefetched (16 at a time, *)"])


def test_prefetch_records_no_probe_into_a_test(pytester, aws_env) -> None:
    tables(aws_env, "orders")
    pytester.makeconftest("""
        import pytest
        from pytest_awshealth.state import RECORDS

        @pytest.hookimpl(trylast=True)
        def pytest_runtest_teardown(item):
            records = item.stash.get(RECORDS, [])
            print(f"\\nRECORDS {item.name}: {[r.name for r in records]}")
    """)
    result = run_checks(pytester, {"orders_table": "orders"}, """
        import pytest

        @pytest.mark.aws_output(dynamo_table="orders_table")
        def test_status(dynamo_table):
            assert dynamo_table.status == "ACTIVE" and dynamo_table.pitr_enabled is False

        @pytest.mark.aws_output(dynamo_table="orders_table")
        def test_nothing_read(dynamo_table):
            assert dynamo_table.name == "orders"
    """, "-s", "-p", "no:xdist")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["RECORDS test_status: ['status', 'pitr_enabled']",
                                 "RECORDS test_nothing_read: []"])


def test_nothing_that_runs_anything_is_prefetched(pytester, aws_env) -> None:
    from pytest_awshealth.emulator.stacks import create_function, lambda_role

    create_function(aws_env, "api", lambda_role(aws_env, "api-role"))
    recorder = CallRecorder()
    result = run_checks(pytester, {"api_fn": "api"}, """
        import pytest

        @pytest.mark.aws_output(lambda_fn="api_fn")
        def test_invoke(lambda_fn):
            assert lambda_fn.invoke({"ping": 1}).ok
    """, "-p", "no:xdist", plugins=[recorder])
    result.assert_outcomes(passed=1)
    assert recorder.before_tests == 0  # the test reads the configuration, then invokes once
    assert [op for _, op, _ in recorder.calls] == ["GetFunctionConfiguration", "Invoke"]


def test_rejected_credentials_stop_the_prefetch(pytester, aws_env) -> None:
    tables(aws_env, *(f"t{n}" for n in range(20)))
    aws_env.expire_credentials()
    recorder = CallRecorder()
    result = run_checks(pytester, {f"k{n}": f"t{n}" for n in range(20)}, """
        import pytest

        @pytest.mark.aws_output(dynamo_table=[f"k{n}" for n in range(20)])
        def test_status(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """, "-p", "no:xdist", "--aws-concurrency=2", plugins=[recorder])
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*AWS rejected the credentials (ExpiredTokenException)*",
                                 "*Interrupted*", "*= 1 inconclusive in *"])
    # two in flight when the first answer came back, at most; the test reads the kept one
    assert recorder.before_tests == len(recorder.calls) <= 3


def test_throttling_slows_the_prefetch_never_a_verdict(pytester, aws_env, monkeypatch) -> None:
    import pytest_awshealth.retries as retries

    monkeypatch.setattr(retries, "THROTTLING_BASE_DELAY", 0.002)
    tables(aws_env, *(f"t{n}" for n in range(12)))
    aws_env.throttle("dynamodb", fraction=0.5, max_consecutive=3)
    result = run_checks(pytester, {f"k{n}": f"t{n}" for n in range(12)}, """
        import pytest

        @pytest.mark.aws_output(dynamo_table=[f"k{n}" for n in range(12)])
        def test_status(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """, "-p", "no:xdist")
    result.assert_outcomes(passed=12)
    summary = result.stdout.str().split("awshealth: 12 AWS calls, ")[1]
    assert int(summary.split()[0]) > 0 and "12 prefetched" in summary


# --------------------------------------------------------------------------- example gates


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_verdicts_do_not_depend_on_prefetch(pytester, aws_env, api_stub, name) -> None:
    """Every break at once, one deploy: prefetch off and on serially (each making no
    identical read twice, and the same reads), then on under ``-n 2``. A gate is also
    a rerun: the runs before must not change what the next one sees. Only checks that
    some break fails may fail (test_examples.py runs only those for each break)."""
    outputs = deploy(pytester, aws_env, api_stub, name, tuple(get_stack(name).breaks))
    found, recorders = {}, {}
    for mode, args in (("off", ("-p", "no:xdist")), ("on", ("-p", "no:xdist")),
                       ("xdist", ("-n", "2"))):
        recorder = recorders[mode] = CallRecorder()
        prefetch = "off" if mode == "off" else "on"
        result = gate(pytester, name, outputs, "-rA", f"--aws-prefetch={prefetch}", *args,
                      plugins=() if mode == "xdist" else (recorder,))
        found[mode] = verdicts(result)
    assert found["on"] == found["off"] == found["xdist"]
    failing = {check for check, verdict in found["off"].items() if verdict == "FAILED"}
    assert failing and failing <= set(suspect_checks(name))  # no check outside every break's
    for mode in ("off", "on"):
        assert recorders[mode].repeated() == {}, mode
    assert recorders["on"].before_tests > 0
    assert recorders["on"].reads == recorders["off"].reads


@pytest.mark.parametrize(("args", "prefetches"), [
    (("-p", "no:xdist"), True),                        # auto: a serial run prefetches
    (("-n", "2"), False),                              # auto: xdist workers do not
    (("-n", "2", "--aws-prefetch=on"), True)],         # unless asked to
    ids=["serial", "xdist", "xdist-on"])
def test_auto_prefetches_in_a_serial_run_only(pytester, aws_env, args, prefetches) -> None:
    tables(aws_env, "orders", "users", pitr=("orders",))
    result = run_checks(pytester, TABLES, CHECKS, *args)
    assert ("prefetched (" in result.stdout.str()) is prefetches, result.stdout.str()
    assert sorted(t for t, v in verdicts(result).items() if v == "FAILED") == [
        "test_ghost", "test_pitr[users_table]"]


def test_connection_pools_hold_the_reads_in_flight(aws_env) -> None:
    wide, narrow = (AwsContext(region="us-east-1", endpoint_url=aws_env.url, concurrency=n)
                    for n in (32, 4))
    assert wide.client("dynamodb").meta.config.max_pool_connections == 32
    assert narrow.client("dynamodb").meta.config.max_pool_connections == 10  # botocore's floor
