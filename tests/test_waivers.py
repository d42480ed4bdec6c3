"""Waivers that expire: marker and file, against real (missing and present) buckets."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap

import pytest

from pytest_awshealth.verdicts import INCONCLUSIVE, WAIVED, verdict_of
from pytest_awshealth.waivers import EXPIRED, NOT_COVERED, Waiver, apply_waiver

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()
PAST = (TODAY - dt.timedelta(days=1)).isoformat()

OUTPUTS = {"missing_bucket": "no-such-bucket-here", "logs_bucket": "logs"}


def gate(pytester, body: str) -> None:
    (pytester.path / "outputs.json").write_text(json.dumps(OUTPUTS))
    pytester.makepyfile(test_gate=textwrap.dedent("""
        import pytest
    """) + textwrap.dedent(body))


def run(pytester, *args: str):
    return pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", *args)


@pytest.fixture
def buckets(aws_env):
    aws_env.client("s3").create_bucket(Bucket="logs")
    return aws_env


def test_marker_until_future_is_waived_with_exit_0(pytester, buckets) -> None:
    gate(pytester, f"""
        @pytest.mark.aws_output(s3_bucket="missing_bucket")
        @pytest.mark.aws_waiver("bucket moves in PROJ-1", until="{FUTURE}", owner="team-data")
        def test_missing(s3_bucket):
            assert s3_bucket.exists

        @pytest.mark.aws_output(s3_bucket="missing_bucket")
        @pytest.mark.aws_waiver("last day still holds", until="{TODAY.isoformat()}")
        def test_until_today(s3_bucket):
            assert s3_bucket.exists
    """)
    result = run(pytester, "-v", f"--junitxml={pytester.path / 'junit.xml'}")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*test_missing WAIVED*",
        "*awshealth waivers*",
        f"WAIVED test_gate.py::test_missing until {FUTURE}: bucket moves in PROJ-1, owner team-data",
        f"WAIVED test_gate.py::test_until_today until {TODAY.isoformat()}: last day still holds",
        "*2 waived*",
    ])
    junit = (pytester.path / "junit.xml").read_text()
    assert f'type="pytest.xfail" message="waived until {FUTURE}: bucket moves in PROJ-1"' in junit


def test_marker_until_past_fails_saying_expired(pytester, buckets) -> None:
    gate(pytester, f"""
        @pytest.mark.aws_output(s3_bucket="missing_bucket")
        @pytest.mark.aws_waiver("bucket moves in PROJ-1", until="{PAST}")
        def test_missing(s3_bucket):
            assert s3_bucket.exists
    """)
    result = run(pytester, "-rf")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*awshealth waiver*",
        f"waiver expired on {PAST}: bucket moves in PROJ-1 (until {PAST}; marker); "
        "this check counts again",
        f"EXPIRED test_gate.py::test_missing: waiver expired on {PAST} (bucket moves in PROJ-1)*",
        f"FAILED test_gate.py::test_missing - waiver expired on {PAST}: *",
    ])


def test_waiver_of_a_passing_check_says_it_can_be_removed(pytester, buckets) -> None:
    gate(pytester, f"""
        @pytest.mark.aws_output(s3_bucket="logs_bucket")
        @pytest.mark.aws_waiver("was missing last week", until="{FUTURE}")
        def test_logs(s3_bucket):
            assert s3_bucket.exists
    """)
    result = run(pytester, "-q")
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "REMOVABLE test_gate.py::test_logs passes: its waiver can be removed "
        f"(was missing last week, until {FUTURE})"])


WAIVERS_TOML = f"""
["test_gate.py::test_file_*"]
reason = "decommissioned in PROJ-9"
owner = "team-infra"
until = {FUTURE}

["*::test_old"]
reason = "should have been fixed"
owner = "team-infra"
until = "{PAST}"
"""

FILE_GATE = """
    @pytest.mark.aws_output(s3_bucket="missing_bucket")
    def test_file_waived(s3_bucket):
        assert s3_bucket.exists

    @pytest.mark.aws_output(s3_bucket="missing_bucket")
    def test_old(s3_bucket):
        assert s3_bucket.exists

    @pytest.mark.aws_output(s3_bucket="missing_bucket")
    def test_not_waived(s3_bucket):
        assert s3_bucket.exists

    @pytest.mark.aws_output(s3_bucket="missing_bucket")
    @pytest.mark.aws_waiver("marker wins over the file", until="%s")
    def test_file_marker(s3_bucket):
        assert s3_bucket.exists
""" % FUTURE


@pytest.mark.parametrize("xdist", [False, True], ids=["serial", "n2"])
def test_waivers_file_and_marker_together(pytester, buckets, xdist) -> None:
    gate(pytester, FILE_GATE)
    (pytester.path / "waivers.toml").write_text(WAIVERS_TOML)
    args = ("-n", "2") if xdist else ("-p", "no:xdist")
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-waivers", "waivers.toml",
                                "-rf", *args)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        f"WAIVED test_gate.py::test_file_waived until {FUTURE}: decommissioned in PROJ-9, owner team-infra",
        f"WAIVED test_gate.py::test_file_marker until {FUTURE}: marker wins over the file",
        f"EXPIRED test_gate.py::test_old: waiver expired on {PAST} (should have been fixed, owner team-infra)*",
        f"FAILED test_gate.py::test_old - waiver expired on {PAST}*",
        "FAILED test_gate.py::test_not_waived*",
        "*2 failed, 2 waived*",
    ])


def test_yaml_file_and_env_variable(pytester, buckets, monkeypatch) -> None:
    pytest.importorskip("yaml")
    gate(pytester, FILE_GATE)
    (pytester.path / "waivers.yml").write_text(textwrap.dedent(f"""
        "test_gate.py::test_*":
          reason: everything waived
          owner: team-infra
          until: {FUTURE}
    """))
    monkeypatch.setenv("AWSHEALTH_WAIVERS", "waivers.yml")
    result = run(pytester)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*awshealth: *waivers=waivers.yml (env AWSHEALTH_WAIVERS)*",
                                 "*4 waived*"])


@pytest.mark.parametrize("name, content, expected", [
    ("waivers.toml", '["a"]\nreason = "r"\nowner = "o"\nuntil = "2027-13-01"\nticket = 1\n\n'
                     '["b"]\nuntil = 2027-01-01\n', [
        "*waivers file waivers.toml: 2 bad entries:",
        "*'a': unknown key 'ticket'; until: expected a date YYYY-MM-DD, got '2027-13-01'",
        "*'b': missing reason; missing owner",
        "*each entry takes: reason = *"]),
    ("waivers.toml", '["a"\nreason = ', ["*waivers file waivers.toml is not valid TOML: *"]),
    ("waivers.json", '["not", "a mapping"]',
     ["*waivers file waivers.json: expected a mapping of node id patterns to waivers, got list"]),
    ("waivers.ini", "x", ["*unknown format '.ini'; use .toml, .yaml/.yml (needs PyYAML) or .json"]),
])
def test_malformed_waivers_file_is_one_usage_error(pytester, buckets, name, content,
                                                   expected) -> None:
    gate(pytester, FILE_GATE)
    (pytester.path / name).write_text(content)
    result = run(pytester, "--aws-waivers", name)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *" + expected[0].lstrip("*"), *expected[1:]])
    assert result.stderr.str().count("ERROR") == 1
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert "test_gate.py" not in result.stdout.str()  # nothing ran


def test_unreadable_waivers_file_is_a_usage_error(pytester, buckets) -> None:
    gate(pytester, FILE_GATE)
    result = run(pytester, "--aws-waivers", "nope.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: waivers file nope.toml cannot be read: *"])


@pytest.mark.parametrize("marker, message", [
    ('aws_waiver("why")', "*until='YYYY-MM-DD' is required (every waiver expires)*"),
    ('aws_waiver("why", until="soon")', "*aws_waiver(until=...): expected a date YYYY-MM-DD, got 'soon'*"),
    ('aws_waiver("", until="2027-01-01")', "*expected why the check may fail*"),
    ('aws_waiver("why", until="2027-01-01", ticket=3)', "*unexpected keyword argument 'ticket'*"),
])
def test_bad_marker_is_one_usage_error(pytester, buckets, marker, message) -> None:
    gate(pytester, f"""
        @pytest.mark.aws_output(s3_bucket="missing_bucket")
        @pytest.mark.{marker}
        def test_missing(s3_bucket):
            assert s3_bucket.exists
    """)
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: test_gate.py::test_missing: *" + message.lstrip("*")])


def _inconclusive_report() -> pytest.TestReport:
    report = pytest.TestReport("t.py::test_x", ("t.py", 1, "test_x"), {}, "skipped",
                               ("t.py", 1, "Skipped: inconclusive: access denied"), "call")
    report.awshealth_verdict = INCONCLUSIVE  # type: ignore[attr-defined]
    return report


def test_inconclusive_checks_are_waived_only_when_the_waiver_says_so() -> None:
    until = TODAY + dt.timedelta(days=1)
    plain, covering = Waiver("known", until), Waiver("known", until, inconclusive=True)
    report = _inconclusive_report()
    apply_waiver(report, plain, TODAY)
    assert verdict_of(report) == INCONCLUSIVE
    assert report.awshealth_waiver["status"] == NOT_COVERED  # type: ignore[attr-defined]
    report = _inconclusive_report()
    apply_waiver(report, covering, TODAY)
    assert verdict_of(report) == WAIVED and report.skipped
    report = _inconclusive_report()
    apply_waiver(report, covering, until + dt.timedelta(days=1))
    assert verdict_of(report) == INCONCLUSIVE
    assert report.awshealth_waiver["status"] == EXPIRED  # type: ignore[attr-defined]


def test_inconclusive_check_with_the_verdicts_gate(pytester, aws_env) -> None:
    """AccessDenied makes a check inconclusive (exit 6); a broken-only waiver leaves it so,
    ``inconclusive=True`` waives it (exit 0)."""
    aws_env.client("dynamodb").create_table(
        TableName="state", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    aws_env.inject_fault("dynamodb", "DescribeTable", error_code="AccessDeniedException")
    (pytester.path / "outputs.json").write_text(json.dumps({"table": "state"}))
    pytester.makepyfile(test_gate=f"""
        import pytest

        @pytest.mark.aws_output(dynamo_table="table")
        @pytest.mark.aws_waiver("known broken", until="{FUTURE}")
        def test_broken_only(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """)
    result = run(pytester)
    assert result.ret == 6
    result.stdout.fnmatch_lines(["NOT WAIVED test_gate.py::test_broken_only is inconclusive; "
                                 "the waiver covers broken checks only"])
    pytester.makepyfile(test_gate=f"""
        import pytest

        @pytest.mark.aws_output(dynamo_table="table")
        @pytest.mark.aws_waiver("CI role lacks DescribeTable", until="{FUTURE}", inconclusive=True)
        def test_covered(dynamo_table):
            assert dynamo_table.status == "ACTIVE"
    """)
    result = run(pytester)
    assert result.ret == 0
    result.stdout.fnmatch_lines([f"WAIVED test_gate.py::test_covered until {FUTURE}: CI role *",
                                 "*1 waived*"])


def test_the_last_line_lists_inconclusive_before_waived_whatever_came_first(pytester,
                                                                           buckets) -> None:
    """Under xdist reports arrive in any order; pytest lists the plugin's categories in the
    order it first saw them. Here the waived check runs first."""
    buckets.deny("s3")
    gate(pytester, f"""
        @pytest.mark.aws_output(s3_bucket="missing_bucket")
        @pytest.mark.aws_waiver("bucket moves in PROJ-1", until="{FUTURE}", inconclusive=True)
        def test_a_waived(s3_bucket):
            assert s3_bucket.exists

        @pytest.mark.aws_output(s3_bucket="logs_bucket")
        def test_b_inconclusive(s3_bucket):
            assert s3_bucket.exists

        def test_c_plain():
            pass
    """)
    result = run(pytester, "-q")
    assert result.ret == 6
    assert re.search(r"1 passed, 1 inconclusive, 1 waived in [\d.]+s", result.stdout.lines[-1]), \
        result.stdout.lines[-1]
