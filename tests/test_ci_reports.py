"""CI reports end to end against the emulator: the 80-column summary, GitHub Actions
annotations and job summary, the JSON report (against its shipped schema), SARIF (against
the official 2.1.0 schema), JUnit properties; for a small gate and every example gate."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from demo_runs import EXAMPLES as EXAMPLES_DIR, run_gate
from pytest_awshealth.emulator.stacks import EXAMPLES, get_stack
from pytest_awshealth.reports.github import escape_data, escape_property
from pytest_awshealth.reports.json_report import SCHEMA

jsonschema = pytest.importorskip("jsonschema")

SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
TTL_TITLE = "DynamoDB table state in us-east-1 does not have TTL enabled"
TTL_FIX = ('aws dynamodb update-time-to-live --table-name state --region us-east-1 '
           '--time-to-live-specification "Enabled=true, AttributeName=ttl"')
NO_OTHER_ANNOTATOR = ("-p", "no:pytest_github_actions_annotate_failures")

GATE = """
import pytest

@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_ttl(dynamo_table):
    assert dynamo_table.ttl_enabled

@pytest.mark.aws_output(dynamo_table="state_table_name")
def test_table_active(dynamo_table):
    assert dynamo_table.status == "ACTIVE"

@pytest.mark.aws_output(s3_bucket="logs_bucket")
def test_logs_bucket(s3_bucket):
    assert s3_bucket.exists
"""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gate(pytester, aws_env, write_outputs, monkeypatch):
    """A table without TTL (broken), the same table ACTIVE (healthy), and a bucket whose
    S3 endpoint refuses connections (inconclusive)."""
    aws_env.client("dynamodb").create_table(
        TableName="state", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    write_outputs({"state_table_name": "state", "logs_bucket": "logs"})
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    pytester.makepyfile(test_gate=GATE)
    return pytester


@pytest.fixture
def on_github(pytester, monkeypatch) -> Path:
    """The environment of a GitHub Actions job; returns the step summary file."""
    summary = pytester.path / "step-summary.md"
    summary.write_text("## earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(pytester.path))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def validate(document: dict, schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text())
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = sorted(validator(schema, format_checker=validator.FORMAT_CHECKER)
                    .iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def section(result: pytest.RunResult, title: str) -> list[str]:
    """The lines of a ``=== title ===`` section of the terminal output."""
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if re.match(rf"^=+ {title} =+$", line))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^[=:]", lines[i])),
               len(lines))
    return lines[start + 1:end]


# -- 1. the summary for a CI log ----------------------------------------------------------

def test_summary_fits_80_columns_and_names_resource_and_problem(gate, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("CI", raising=False)  # pytest does not cut summary lines on CI
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", "-q")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    lines = section(result, "awshealth summary")
    assert lines[0] == "1 broken, 1 inconclusive, 0 waived, 1 healthy; 4 AWS calls"
    assert lines[1].split() == ["resource", "broken", "inconcl", "waived", "healthy"]
    assert lines[2].split() == ["DynamoDB", "table", "state", "1", "0", "0", "1"]
    assert lines[3].split() == ["S3", "bucket", "logs", "0", "1", "0", "0"]
    assert lines[4] == "BROKEN state: does not have TTL enabled"
    assert lines[5] == f"  $ {TTL_FIX}"
    assert lines[6].startswith("INCONCLUSIVE logs: Could not reach AWS endpoint http://127.0.0.1:")
    assert all(len(line) <= 80 for line in lines if not line.startswith("  $ "))
    failed = [line for line in result.stdout.lines if line.startswith("FAILED ")]
    assert failed == ["FAILED test_gate.py::test_ttl - state: does not have TTL enabled "
                      "[DynamoDB ta..."]
    assert len(failed[0]) <= 80


def test_summary_keeps_a_name_that_only_starts_with_the_resource(pytester, aws_env,
                                                                   write_outputs):
    """A prefix-bound handle (``cloudwatch`` on ``billing-`` ) whose title names a longer
    name keeps that name whole; a hint whose fixes are all advice shows it as advice."""
    cloudwatch = aws_env.client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="billing-errors", MetricName="Errors",
                                Namespace="App", Statistic="Sum", Period=60,
                                EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")
    cloudwatch.set_alarm_state(AlarmName="billing-errors", StateValue="ALARM",
                               StateReason="Threshold Crossed")
    write_outputs({"alarm_prefix": "billing-"})
    pytester.makepyfile(test_alarms="""
        import pytest

        @pytest.mark.aws_output(cloudwatch="alarm_prefix")
        def test_quiet(cloudwatch):
            assert not cloudwatch.alarms_in_alarm
    """)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist")
    lines = section(result, "awshealth summary")
    broken = lines.index("BROKEN billing-: CloudWatch alarms billing-errors in us-east-1 are "
                         "in ALARM")
    assert lines[broken + 1].startswith("  - fix what the alarm's metric measures")


def test_summary_can_be_switched_off(gate):
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist",
                            "-k", "table_active", "--aws-summary", "off")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*awshealth summary*")


def test_tests_without_the_plugin_get_no_summary(pytester):
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("-p", "no:xdist")
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*awshealth summary*")


# -- 2. GitHub Actions --------------------------------------------------------------------

def test_github_annotations_and_step_summary(gate, on_github):
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist",
                            *NO_OTHER_ANNOTATOR)
    assert section(result, "awshealth summary")[0] == \
        "1 broken, 1 inconclusive, 0 waived, 1 healthy; 4 AWS calls"
    commands = [line for line in result.stdout.lines if line.startswith("::")]
    assert len(commands) == 2, commands
    error, warning = commands
    assert error.startswith(f"::error file=test_gate.py,line=5,title={TTL_TITLE}::"
                            f"{TTL_TITLE}%0ACheck: test_gate.py::test_ttl%0ALikely causes:%0A"
                            "  - TTL was never enabled")
    assert error.endswith(f"%0AFix:%0A  $ {TTL_FIX}")
    assert warning.startswith("::warning file=test_gate.py,line=11,title=")
    assert "logs" in warning and "%0A" in warning and "\n" not in warning
    title = warning.split("title=", 1)[1].split("::", 1)[0]
    assert ":" not in title and "," not in title  # escaped as %3A / %2C

    summary = on_github.read_text().splitlines()
    assert summary[0] == "## earlier step"  # appended, not overwritten
    assert summary[1] == "## awshealth: 1 broken, 1 inconclusive, 0 waived, 1 healthy"
    assert summary[2] == ""
    assert re.fullmatch(r"3 checks in \d+\.\d s(, \d+ AWS API calls.*)?\.", summary[3])
    assert summary[4:10] == [
        "", "### Broken checks", "",
        "| Check | Resource | Region | Problem |",
        "| --- | --- | --- | --- |",
        f"| `test_gate.py::test_ttl` | DynamoDB table `state` | us-east-1 | {TTL_TITLE} |"]
    fixes = summary[10:]
    assert fixes[:3] == ["", f"**{TTL_TITLE}** (`test_gate.py::test_ttl`)", ""]
    block = fixes[fixes.index("```sh") + 1:fixes.index("```")]
    assert block == ["aws dynamodb describe-time-to-live --table-name state --region us-east-1",
                     TTL_FIX]
    assert "### Inconclusive checks" in fixes
    assert any(line.startswith("| `test_gate.py::test_logs_bucket` | S3 bucket `logs` |")
               for line in fixes)


def test_github_off(gate, on_github):
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", "-k", "ttl",
                            "--aws-github=off", *NO_OTHER_ANNOTATOR)
    result.assert_outcomes(failed=1)
    assert not [line for line in result.stdout.lines if line.startswith("::")]
    assert on_github.read_text() == "## earlier step\n"


def test_no_double_annotation_with_annotate_failures_plugin(gate, on_github):
    pytest.importorskip("pytest_github_actions_annotate_failures")
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist")
    ours = [line for line in result.stdout.lines if line.startswith("::error")]
    theirs = [line for line in result.stderr.lines if line.startswith("::error")]
    assert ours == [] and len(theirs) == 1 and "test_ttl" in theirs[0]


def test_bad_report_options_are_one_usage_error(pytester):
    result = pytester.runpytest("--aws-github=maybe", "-p", "no:xdist")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--aws-github: invalid value 'maybe'*auto, on, off*"])


def test_unwritable_report_path_is_one_line(gate):
    (gate.path / "taken").mkdir()
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", "-k", "active",
                            "--aws-report", "taken", "-q")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["awshealth: could not write taken: *"])  # on a line of its own
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert sorted(p.name for p in gate.path.glob("taken*")) == ["taken"]


def test_workflow_command_escaping():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


# -- 3., 4. JSON report and SARIF ---------------------------------------------------------

def test_json_report_sarif_and_junit_of_a_small_gate(gate):
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist",
                            "--aws-report", "out/report.json", "--aws-sarif", "out/gate.sarif",
                            "--junitxml", "junit.xml")
    assert result.ret != 0
    report = json.loads((gate.path / "out/report.json").read_text())
    validate(report, SCHEMA)
    assert report["outputs"] == [{"path": "outputs.json", "format": "plain"}]
    assert report["region"] == "us-east-1" and report["account"] == "123456789012"
    checks = {c["nodeid"]: c for c in report["checks"]}
    assert {n: c["verdict"] for n, c in checks.items()} == {
        "test_gate.py::test_ttl": "broken", "test_gate.py::test_table_active": "healthy",
        "test_gate.py::test_logs_bucket": "inconclusive"}
    ttl = checks["test_gate.py::test_ttl"]
    assert ttl["resource"] == {"type": "dynamo_table", "name": "state", "region": "us-east-1",
                               "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/state",
                               "output": "state_table_name"}
    # a healthy check's ARN needs no STS call: only what follows from the name, in every
    # run mode and order (the broken check's hint asked STS for the account)
    assert checks["test_gate.py::test_table_active"]["resource"]["arn"] is None
    assert checks["test_gate.py::test_logs_bucket"]["resource"]["arn"] == "arn:aws:s3:::logs"
    assert ttl["hint"]["title"] == TTL_TITLE and TTL_FIX in ttl["hint"]["fix"]
    assert any(p["probe"].endswith("ttl_enabled") and p["healthy"] is False
               for p in ttl["probes"])
    counted = [c["calls"] for c in report["checks"] if c["calls"] is not None]
    assert report["api_calls"] == sum(counted) + report["prefetched_calls"]
    assert report["prefetched_calls"] > 0  # the three checks' reads were made before them

    sarif = json.loads((gate.path / "out/gate.sarif").read_text())
    validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["dynamodb.table.ttl_enabled"]["shortDescription"]["text"] == \
        "DynamoDB table <name> in <region> does not have TTL enabled"
    assert "update-time-to-live" in rules["dynamodb.table.ttl_enabled"]["help"]["markdown"]
    levels = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r["level"]
              for r in run["results"]}
    assert levels == {"test_gate.py::test_ttl": "error",
                      "test_gate.py::test_logs_bucket": "warning"}
    ttl_result = next(r for r in run["results"] if r["ruleId"] == "dynamodb.table.ttl_enabled")
    assert ttl_result["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    related = ttl_result["relatedLocations"][0]["physicalLocation"]
    assert related == {"artifactLocation": {"uri": "outputs.json"}, "region": {"startLine": 1}}

    # 6. JUnit: properties per testcase, so CI test viewers can group by resource
    cases = {c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")}
             for c in ET.parse(gate.path / "junit.xml").iter("testcase")}
    ttl = cases["test_ttl"]
    assert ttl == {"aws_resource_type": "dynamo_table", "aws_resource_name": "state",
                   "aws_resource_arn": "arn:aws:dynamodb:us-east-1:123456789012:table/state",
                   "aws_region": "us-east-1", "aws_output": "state_table_name",
                   "aws_hint": "dynamodb.table.ttl_enabled", "aws_verdict": "broken"}
    assert cases["test_table_active"]["aws_verdict"] == "healthy"
    assert cases["test_logs_bucket"]["aws_verdict"] == "inconclusive"
    assert cases["test_logs_bucket"]["aws_resource_type"] == "s3_bucket"


def test_inconclusive_only_run_exits_6_with_summary_and_report(gate, monkeypatch):
    monkeypatch.setenv("AWSHEALTH_REPORT", "report.json")
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist", "-k", "logs")
    assert result.ret == 6
    assert section(result, "awshealth summary")[0] == \
        "0 broken, 1 inconclusive, 0 waived, 0 healthy; 1 AWS call"
    report = json.loads((gate.path / "report.json").read_text())
    validate(report, SCHEMA)
    assert report["exit_code"] == 6 and report["checks"][0]["verdict"] == "inconclusive"
    assert report["checks"][0]["message"].startswith("inconclusive: Could not reach AWS")


def test_reports_are_written_by_the_xdist_controller(gate, on_github):
    gate.makeini("[pytest]\naws_report = report.json\n")
    result = gate.runpytest("--aws-outputs", "outputs.json", "-n", "2", *NO_OTHER_ANNOTATOR)
    assert result.ret != 0
    commands = [line.split(" ", 1)[0] for line in result.stdout.lines if line.startswith("::")]
    assert commands == ["::error", "::warning"]  # once, from the controller
    assert on_github.read_text().count("## awshealth:") == 1
    report = json.loads((gate.path / "report.json").read_text())
    validate(report, SCHEMA)
    assert report["counts"] == {"healthy": 1, "broken": 1, "inconclusive": 1, "waived": 0}
    ttl = next(c for c in report["checks"] if c["nodeid"].endswith("test_ttl"))
    assert ttl["hint"]["title"] == TTL_TITLE and ttl["resource"]["name"] == "state"


def test_reports_mask_sensitive_values(pytester, aws_env, write_outputs):
    """A sensitive output that ends up in a failure message, a node id and a hint."""
    secret = "s3cr3t-Pa55w0rd-value"
    write_outputs({"db_password": {"value": secret, "sensitive": True, "type": "string"},
                   "state_table_name": {"value": secret, "sensitive": False, "type": "string"}},
                  "terraform-outputs.json")
    pytester.makepyfile(test_gate=f"""
        import pytest
        @pytest.mark.parametrize("name", ["{secret}"])
        @pytest.mark.aws_output(dynamo_table="state_table_name")
        def test_table(dynamo_table, name):
            assert dynamo_table.exists, name
    """)
    result = pytester.runpytest("--aws-outputs", "terraform-outputs.json", "-p", "no:xdist",
                                "--aws-report", "r.json", "--aws-sarif", "r.sarif",
                                "--aws-github", "on", "--junitxml", "j.xml", *NO_OTHER_ANNOTATOR)
    assert result.ret != 0
    for name in ("r.json", "r.sarif"):
        assert secret not in (pytester.path / name).read_text(), name
    validate(json.loads((pytester.path / "r.json").read_text()), SCHEMA)
    properties = [p.get("value") for p in ET.parse(pytester.path / "j.xml").iter("property")]
    assert "***" in properties and not [p for p in properties if secret in p]
    ours = section(result, "awshealth summary") + [
        line for line in result.stdout.lines if line.startswith("::")]
    assert len(ours) > 3 and not [line for line in ours if secret in line]


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_example_break_gives_valid_json_and_sarif(pytester, aws_env, api_stub, example):
    stack = get_stack(example)
    broken, expected = next(iter(stack.breaks.items()))
    source = (EXAMPLES_DIR / example / f"test_{example}.py").read_text()
    healthy = re.findall(r"^def (test_\w+)", source, re.MULTILINE)[:3]
    chosen = sorted({name.split("[")[0] for name in (*expected.fails, *healthy)})
    result = run_gate(pytester, aws_env, api_stub, example, "-p", "no:xdist", "-q",
                      "-k", " or ".join(chosen),  # the break's checks and a few healthy ones
                      "--aws-report", "report.json", "--aws-sarif", "gate.sarif",
                      breaks=(broken,))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = json.loads((pytester.path / "report.json").read_text())
    validate(report, SCHEMA)
    failing = sorted(c["nodeid"].split("::")[-1] for c in report["checks"]
                     if c["verdict"] == "broken")
    assert failing == sorted(expected.fails)
    assert report["counts"]["healthy"] == len(report["checks"]) - len(failing) > 0
    assert all(c["hint"] and c["hint"]["fix"] for c in report["checks"]
               if c["verdict"] == "broken")
    assert report["outputs"][0]["path"].endswith(stack.outputs_file)
    sarif = json.loads((pytester.path / "gate.sarif").read_text())
    validate(sarif, SARIF_SCHEMA)
    results = sarif["runs"][0]["results"]
    assert len(results) == len(failing)
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} == rule_ids


# -- 5. pytest-html -----------------------------------------------------------------------

class _Page(HTMLParser):
    """The text of a pytest-html 4 page and its JSON data blob (rows, logs, extras)."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.blob: dict = {}

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if found.get("id") == "data-container" and found.get("data-jsonblob"):
            self.blob = json.loads(found["data-jsonblob"])

    def handle_data(self, data):
        self.text.append(data)


def html_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_pytest_html_shows_hints_and_summary(gate):
    pytest.importorskip("pytest_html")
    result = gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist",
                            "--html=report.html", "--self-contained-html")
    assert result.ret != 0
    page = html_page(gate.path / "report.html")
    text = "".join(page.text)
    assert "1 broken, 1 inconclusive, 0 waived, 1 healthy" in text  # the summary section
    assert "BROKEN state: does not have TTL enabled" in text
    tests = page.blob["tests"]
    ttl_extras = "".join(e["content"] for run in tests["test_gate.py::test_ttl"]
                         for e in run["extras"])
    assert f"awshealth broken: {TTL_TITLE}" in ttl_extras
    assert "TTL was never enabled" in ttl_extras
    assert html_escape(f"$ {TTL_FIX}") in ttl_extras
    bucket = "".join(e["content"] for run in tests["test_gate.py::test_logs_bucket"]
                     for e in run["extras"])
    assert "awshealth inconclusive: Could not reach AWS endpoint" in bucket
    assert not [e for run in tests["test_gate.py::test_table_active"] for e in run["extras"]]


def test_chromium_renders_the_hint(gate, tmp_path):
    """The report in a real browser: the hint is in the rendered DOM (skips without Chromium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed")
    pytest.importorskip("pytest_html")
    gate.runpytest("--aws-outputs", "outputs.json", "-p", "no:xdist",
                   "--html=report.html", "--self-contained-html")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
         "--dump-dom", (gate.path / "report.html").as_uri()],
        capture_output=True, text=True, timeout=60, check=True).stdout
    assert f"awshealth broken: {TTL_TITLE}" in dom
    assert "BROKEN state: does not have TTL enabled" in dom


@pytest.mark.parametrize(("title", "resource", "line"), [
    ("DynamoDB table t1 in us-east-1 does not have TTL enabled",
     {"name": "t1", "region": "us-east-1", "type": "dynamo_table"},
     "t1: does not have TTL enabled [DynamoDB table, us-east-1]"),
    ("Log group /app/api does not exist in us-east-1",  # the kind capitalised as a sentence
     {"name": "/app/api", "region": "us-east-1", "type": "log_group"},
     "/app/api: does not exist in us-east-1 [log group]"),
    ("CloudWatch alarms billing-errors in us-east-1 are in ALARM",  # a longer name than bound
     {"name": "billing-", "region": "us-east-1", "type": "cloudwatch"},
     "billing-: CloudWatch alarms billing-errors in us-east-1 are in ALARM"),
])
def test_short_lines_lead_with_the_resource(title, resource, line) -> None:
    from pytest_awshealth.reports.checks import headline

    assert headline(title, resource, where=True) == line
