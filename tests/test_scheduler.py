"""The EventBridge Scheduler schedule handle against the emulator: healthy, disabled,
ended, another target, a schedule in another group, missing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from demo_runs import assert_probes_read_what_they_declare, failed, run_checks

from pytest_awshealth.resources.scheduler import EventBridgeSchedule

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:nightly-report"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:schedule-dlq"

CHECKS = f"""
    import pytest
    pytestmark = pytest.mark.aws_output(eventbridge_schedule=["good", "disabled", "old"])
    def test_healthy(eventbridge_schedule):
        assert eventbridge_schedule.healthy
    def test_target(eventbridge_schedule):
        assert eventbridge_schedule.target_arn == "{FUNCTION}"
        assert eventbridge_schedule.dead_letter_queue
"""


def schedule(emulator, name: str, target: str = FUNCTION, group: str = "default", **extra) -> None:
    emulator.client("scheduler").create_schedule(
        Name=name, GroupName=group, ScheduleExpression="cron(0 2 * * ? *)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": target, "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                "DeadLetterConfig": {"Arn": QUEUE}}, **extra)


def test_enabled_schedule_passes_and_disabled_ended_misdirected_ones_fail_with_hints(
        pytester, aws_env) -> None:
    aws_env.client("scheduler").create_schedule_group(Name="reports")
    schedule(aws_env, "nightly", group="reports")
    schedule(aws_env, "paused", State="DISABLED")
    schedule(aws_env, "campaign", target=FUNCTION.replace("nightly-report", "old-report"),
             EndDate=datetime.now(timezone.utc) - timedelta(days=3))
    result = run_checks(pytester, {"good": "reports/nightly", "disabled": "paused",
                                   "old": "campaign"}, CHECKS, "-rA")
    result.assert_outcomes(passed=3, failed=3)
    assert failed(result) == ["test_healthy[disabled]", "test_healthy[old]", "test_target[old]"]
    result.stdout.fnmatch_lines([
        "EventBridge Scheduler schedule paused (group default) in us-east-1 is not ENABLED",
        "*aws scheduler update-schedule --name paused --group-name default --region us-east-1 "
        "--state ENABLED *",
        "EventBridge Scheduler schedule campaign (group default) in us-east-1 has ended: its end "
        "date has passed, so it never runs again",
        "*aws scheduler get-schedule --name campaign --group-name default --region us-east-1 "
        "--query '[[]State,StartDate,EndDate,ScheduleExpression[]]'",
        "EventBridge Scheduler schedule campaign (group default) in us-east-1 does not invoke "
        "what the check expects",
    ])


def test_missing_schedule_names_its_group(pytester, aws_env) -> None:
    schedule(aws_env, "nightly")
    result = run_checks(pytester, {"wrong_group": "reports/nightly", "gone": "weekly"}, """
        import pytest
        @pytest.mark.aws_output(eventbridge_schedule=["wrong_group", "gone"])
        def test_exists(eventbridge_schedule):
            assert eventbridge_schedule.exists
    """)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "EventBridge Scheduler schedule nightly does not exist in group reports in us-east-1 "
        "(account 123456789012)",
        "*it lives in another schedule group than the check says*",
        "EventBridge Scheduler schedule weekly does not exist in group default in us-east-1 "
        "(account 123456789012)",
        "*aws scheduler get-schedule --name weekly --group-name default --region us-east-1",
    ])


def test_every_probe_reads_only_what_it_declares(aws_env) -> None:
    schedule(aws_env, "nightly")
    assert_probes_read_what_they_declare(aws_env, EventBridgeSchedule, "nightly")
