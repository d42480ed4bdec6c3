"""``awshealth init``: the gate it writes from each example's outputs file passes on the
healthy emulator stack, covers >= 90% of the outputs that name a resource, and fails on
breaks of those resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from demo_runs import provision
from pytest_awshealth.cli import main
from pytest_awshealth.outputs import load_outputs
from pytest_awshealth.scaffold import classify, generate, key_words, plan

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLES = {p.parent.name: p for p in EXAMPLES.glob("*/*.json")}

#: example -> breaks of resources the generated gate checks, and a test it must fail then
BREAKS = {
    "mantissa_log": {"bucket": "test_bucket_exists[rules_bucket]",
                     "function": "test_function_active[detection_engine_function_name]"},
    "sake_sensei": {"ecs": "test_endpoint_answers",
                    "stack": "test_stack_healthy[SakeSenseiStorageStack]"},
    "agent_runtime": {"stream": "test_table_stream_enabled"},
    "iracing_stats": {"secret": "test_secret_exists"},
    "thera_pipeline": {"scheduler_role": "test_dead_letter_queue_empty"},
    "web_stack": {"kms-disabled": "test_kms_key_healthy",
                  "endpoint-deleted": "test_vpc_endpoint_healthy[s3_endpoint_id]"},
}


def escaped(test_id: str) -> str:
    """``fnmatch`` reads ``[...]`` as a character class."""
    return "".join({"[": "[[]", "]": "[]]"}.get(c, c) for c in test_id)


def run_generated(pytester, outputs: Path, *args: str):
    return pytester.runpytest_inprocess(str(pytester.path / "smoke"), "--aws-outputs",
                                        str(outputs), "-p", "no:cacheprovider", "-rf", *args)


@pytest.mark.parametrize("example", sorted(BREAKS))
def test_generated_gate_passes_healthy_and_fails_breaks(pytester, aws_env, api_stub,
                                                        example) -> None:
    """One deploy per example: init on its outputs, run healthy, then break and re-run."""
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    deployment = provision(aws_env, api_stub, example)
    outputs = stack.write_outputs(deployment, pytester.path)
    assert main(["init", str(outputs), "--out", str(pytester.path / "smoke")]) == 0
    covered, total = plan(load_outputs([outputs]), str(outputs)).coverage
    assert covered / total >= 0.9, (covered, total)

    # web_stack's API URL is a real-looking execute-api host, which only DNS could reach
    only = ("-k", "not test_endpoint_answers") if example == "web_stack" else ()
    healthy = run_generated(pytester, outputs, "-p", "no:xdist", *only)
    assert healthy.ret == 0, healthy.stdout.str()
    assert healthy.parseoutcomes()["passed"] >= 8

    for broken, failing in BREAKS[example].items():  # cumulative, as a bad day would be
        stack.breaks[broken].apply(deployment)
        outputs = stack.write_outputs(deployment, pytester.path)
        result = run_generated(pytester, outputs, "-p", "no:xdist", *only)
        assert result.ret == pytest.ExitCode.TESTS_FAILED, broken
        result.stdout.fnmatch_lines([f"FAILED *::{escaped(failing)}*"])
    if example == "mantissa_log":  # the same verdicts under xdist
        result = run_generated(pytester, outputs, "-n", "2")
        result.stdout.fnmatch_lines(["FAILED *::test_bucket_exists[[]rules_bucket[]]*"])
        assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.parametrize("example", sorted(SAMPLES))
def test_committed_samples_are_covered(example) -> None:
    text, result = generate(str(SAMPLES[example]))
    covered, total = result.coverage
    assert covered / total >= 0.9, (example, covered, total)
    compile(text, "generated.py", "exec")
    assert text.count("@pytest.mark.aws_output(") >= 5


def test_dry_run_prints_and_existing_file_is_kept(pytester, capsys) -> None:
    path = pytester.path / "outputs.json"
    path.write_text(json.dumps({"state_table_name": "t", "aws_region": "us-east-1",
                                "odd": "x y"}))
    assert main(["init", str(path), "--dry-run", "--out", str(pytester.path / "s")]) == 0
    out = capsys.readouterr().out
    assert "@pytest.mark.aws_output(dynamo_table='state_table_name')" in out
    assert "#   aws_region = 'us-east-1': not a resource name" in out
    assert not (pytester.path / "s").exists()
    assert main(["init", str(path), "--out", str(pytester.path / "s")]) == 0
    target = pytester.path / "s" / "test_deploy_smoke.py"
    target.write_text("# mine\n")
    capsys.readouterr()
    assert main(["init", str(path), "--out", str(pytester.path / "s")]) == 2
    assert "exists; pass --force" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"
    assert main(["init", str(path), "--out", str(pytester.path / "s"), "--force"]) == 0
    assert "dynamo_table" in target.read_text()


def test_bad_outputs_file_is_one_error(pytester, capsys) -> None:
    (pytester.path / "bad.json").write_text("{nope")
    assert main(["init", str(pytester.path / "bad.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("awshealth init: error: ") and "Traceback" not in err


@pytest.mark.parametrize("key, value, fixture", [
    ("t", "arn:aws:dynamodb:us-east-1:1:table/orders", "dynamo_table"),  # handles take ARNs
    ("b", "arn:aws:s3:::assets", "s3_bucket"),
    ("lg", "arn:aws:logs:us-east-1:1:log-group:/ecs/api:*", "log_group"),
    ("s", "arn:aws:scheduler:us-east-1:1:schedule/default/nightly", "eventbridge_schedule"),
    ("image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web", "ecr_repository"),
    ("f", "arn:aws:lambda:us-east-1:1:function:fn:live", "lambda_fn"),
    ("q", "https://sqs.eu-west-1.amazonaws.com/1/jobs", "sqs_queue"),
    ("q", "arn:aws:sqs:eu-west-1:1:jobs", "sqs_queue"),
    ("sm", "arn:aws:states:us-east-1:1:stateMachine:flow", "state_machine"),
    ("p", "arn:aws:ssm:us-east-1:1:parameter/app/key", "ssm_parameter"),
    ("r", "arn:aws:events:us-east-1:1:rule/nightly", "event_rule"),
    ("OrdersTableName", "orders", "dynamo_table"),
    ("orders_table_name", "orders", "dynamo_table"),
    ("ApiFunctionName", "api", "lambda_fn"),
    ("jobs_queue_url", "https://sqs.us-east-1.amazonaws.com/1/jobs", "sqs_queue"),
    ("JobsQueueUrl", "http://127.0.0.1:4566/000000000000/jobs", "sqs_queue"),  # an emulator's
    ("site", "https://example.com/", "http_endpoint"),
    ("uploads_bucket", "uploads", "s3_bucket"),
    ("app_log_group", "/app/logs", "log_group"),
    ("pool", "eu-west-1_AbC123", "user_pool"),
    ("project_name", "shop", None),
    ("s", "arn:aws:kinesis:us-east-1:1:stream/clicks", "kinesis_stream"),  # from the registry
    ("db", "arn:aws:rds:us-east-1:1:db:orders-db", "rds_instance"),
    ("apiKeyParam", "/billing/api-key", "ssm_parameter"),  # "key" names the parameter's use
    ("featureFlagsParam", "/billing/flags", "ssm_parameter"),
    ("workerFn", "billing-worker", "lambda_fn"),
])
def test_classify(key, value, fixture) -> None:
    assert classify(key, value, key_words(key)).fixture == fixture


def test_key_words() -> None:
    assert key_words("StateTableName9A3F7E15") == ["state", "table", "name"]
    assert key_words("$.lambda_names") == ["lambda", "names"]


def test_dead_letter_queues_must_be_empty_and_endpoints_answer() -> None:
    dlq = classify("ScheduleDeadLetterQueueUrl", "https://sqs.us-east-1.amazonaws.com/1/x-dlq",
                   key_words("ScheduleDeadLetterQueueUrl"))
    assert (dlq.fixture, dlq.variant) == ("sqs_queue", "dead_letter")
    from pytest_awshealth.outputs import Outputs, parse_outputs
    from pytest_awshealth.scaffold import render

    outputs = Outputs(parse_outputs({"jobs_dlq_url": dlq.value, "api_url": "https://x.io"}, "o"))
    text = render(plan(outputs, "o.json"), "o.json")
    assert "def test_dead_letter_queue_empty(sqs_queue):\n" in text
    assert "assert sqs_queue.is_empty" in text
    assert "assert http_endpoint.get(expect_status=ANSWERING).ok" in text


def test_a_handle_without_a_written_check_gets_its_healthy_verdict() -> None:
    from pytest_awshealth.outputs import Outputs, parse_outputs
    from pytest_awshealth.scaffold import render

    outputs = Outputs(parse_outputs({"clicks_stream_arn": "arn:aws:kinesis:us-east-1:1:stream/clicks"},
                                    "o"))
    text = render(plan(outputs, "o.json"), "o.json")
    assert "@pytest.mark.aws_output(kinesis_stream='clicks_stream_arn')" in text
    assert "def test_kinesis_stream_healthy(kinesis_stream):\n    assert kinesis_stream.healthy" in text


def test_nested_outputs_are_bound_by_jsonpath_and_the_rest_listed(pytester, aws_env) -> None:
    """Terraform objects of objects and lists: each leaf that names a resource gets a check
    by its JSONPath; numbers, empty and too-deep values are listed with the reason."""
    secret_arn = aws_env.client("secretsmanager").create_secret(
        Name="app/db", SecretString="s3cr3t-value")["ARN"]
    logs = aws_env.client("logs")
    for group in ("/app/api", "/app/worker"):
        logs.create_log_group(logGroupName=group)
    aws_env.client("sqs").create_queue(QueueName="orders")
    queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/orders"  # as from AWS
    outputs = pytester.path / "terraform-outputs.json"
    outputs.write_text(json.dumps({name: {"value": value, "type": "dynamic", "sensitive": sensitive}
                                   for name, value, sensitive in (
        ("secrets", {"db": {"name": "app/db", "arn": secret_arn}}, False),
        ("log_groups", ["/app/api", "/app/worker"], False),
        ("queues", {"orders-main": queue_url}, False),
        ("replicas", 3, False),
        ("tags", {}, False),
        ("deep", {"a": {"b": {"c": {"d": {"e": "f"}}}}}, False),
        ("db_credentials", {"password": "hunter2-hunter2"}, True))}))
    assert main(["init", str(outputs), "--out", str(pytester.path / "smoke")]) == 0
    text = next((pytester.path / "smoke").glob("test_*.py")).read_text()
    assert "@pytest.mark.aws_output(secret='$.secrets.db.name')" in text  # one check: name = ARN
    assert "log_group=['$.log_groups[0]', '$.log_groups[1]']" in text
    assert """sqs_queue='$.queues["orders-main"]'""" in text
    for listed in ("#   replicas = '3': not a string", "#   $.tags = '{}': an empty object",
                   "#   $.deep.a.b.c.d = '{\"e\": \"f\"}': nested deeper than 4 levels",
                   "#   db_credentials = '***': sensitive: not checked"):
        assert listed in text, text
    assert "password" not in text and "hunter2" not in text

    healthy = run_generated(pytester, outputs, "-p", "no:xdist")
    assert healthy.ret == 0, healthy.stdout.str()
    logs.delete_log_group(logGroupName="/app/worker")
    broken = run_generated(pytester, outputs, "-p", "no:xdist")
    assert broken.ret == pytest.ExitCode.TESTS_FAILED
    assert [line.split(" - ")[0] for line in broken.stdout.lines if line.startswith("FAILED")] \
        == [f"FAILED smoke/{next((pytester.path / 'smoke').glob('test_*.py')).name}"
            "::test_log_group_exists[log_groups[1]]"]
