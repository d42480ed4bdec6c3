"""The EventBridge pipe handle against the emulator: running, stopped, failed to start,
failing executions, creating, missing."""

from __future__ import annotations

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.emulator.stacks import put_datapoint
from pytest_awshealth.resources.pipes import EventBridgePipe

SOURCE = "arn:aws:sqs:us-east-1:123456789012:orders"
TARGET = "arn:aws:states:us-east-1:123456789012:stateMachine:fulfil"

CHECKS = f"""
    import pytest
    pytestmark = pytest.mark.aws_output(eventbridge_pipe=["good", "stopped", "failed"])
    def test_healthy(eventbridge_pipe):
        assert eventbridge_pipe.healthy
    def test_wiring(eventbridge_pipe):
        assert (eventbridge_pipe.source, eventbridge_pipe.target) == ("{SOURCE}", "{TARGET}")
    def test_no_failures(eventbridge_pipe):
        assert eventbridge_pipe.execution_failures(minutes=15) == 0
"""


def pipe(emulator, name: str, failures: float = 0, **state) -> None:
    emulator.client("pipes").create_pipe(Name=name, Source=SOURCE, Target=TARGET,
                                         RoleArn="arn:aws:iam::123456789012:role/pipe")
    emulator.hold_state("pipes::pipe")  # moto would move it on at every describe
    emulator.edit_backend("pipes", "pipes", name, **{"status": "RUNNING", **state})
    put_datapoint(emulator, "AWS/EventBridge/Pipes", "ExecutionFailed", {"PipeName": name},
                  failures)


def test_running_pipe_passes_and_stopped_or_failing_pipes_fail_with_their_hints(
        pytester, aws_env) -> None:
    pipe(aws_env, "orders-to-fulfil")
    pipe(aws_env, "paused", status="STOPPED", desired_state="STOPPED")
    pipe(aws_env, "broken", failures=7, status="START_FAILED",
         state_reason="Pipe role cannot receive messages from the queue")
    result = run_checks(pytester, {"good": "orders-to-fulfil", "stopped": "paused",
                                   "failed": "broken"}, CHECKS, "-rA")
    result.assert_outcomes(passed=6, failed=3)
    assert failed(result) == ["test_healthy[failed]", "test_healthy[stopped]",
                              "test_no_failures[failed]"]
    result.stdout.fnmatch_lines([
        "EventBridge pipe paused in us-east-1 is not RUNNING: STOPPED",
        "*aws pipes start-pipe --name paused --region us-east-1   # a stopped pipe",
        "EventBridge pipe broken in us-east-1 is not RUNNING: START_FAILED (Pipe role cannot "
        "receive messages from the queue)",
        "EventBridge pipe broken in us-east-1 failed 7 executions in the last 15 min",
        "*--metric-name ExecutionFailed --dimensions Name=PipeName,Value=broken *",
    ])


def test_creating_pipe_is_transitional_and_a_missing_one_names_the_output(
        pytester, aws_env) -> None:
    pipe(aws_env, "orders-to-fulfil", status="CREATING")
    result = run_checks(pytester, {"new": "orders-to-fulfil", "gone": "ghost"}, """
        import pytest
        @pytest.mark.aws_output(eventbridge_pipe=["new", "gone"])
        def test_running(eventbridge_pipe):
            assert eventbridge_pipe.healthy
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "EventBridge pipe orders-to-fulfil in us-east-1 is not RUNNING: CREATING",
        "CREATING is a transitional state: pass --aws-settle SECONDS*",
        "EventBridge pipe ghost does not exist in us-east-1 (account 123456789012)",
        "*aws pipes list-pipes --region us-east-1 *",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    pipe(aws_env, "orders-to-fulfil")
    assert_probes_read_what_they_declare(aws_env, EventBridgePipe, "orders-to-fulfil",
                                         metric=("ExecutionFailed",))
