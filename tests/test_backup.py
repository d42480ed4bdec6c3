"""AWS Backup plans through the plugin (ListBackupJobs through the emulator's answer layer)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    @pytest.mark.aws_output(backup_plan="plan_id")
    def test_backups(backup_plan):
        assert backup_plan.healthy
"""
DB = "arn:aws:rds:us-east-1:123456789012:db:web-prod-db"


def make_plan(emu: Any) -> str:
    backup = emu.client("backup")
    backup.create_backup_vault(BackupVaultName="prod")
    return backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [
        {"RuleName": "daily", "TargetBackupVaultName": "prod",
         "ScheduleExpression": "cron(0 5 * * ? *)"}]})["BackupPlanId"]


def jobs(plan: str, *states: str) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    return {"BackupJobs": [{"BackupJobId": f"job-{i}", "ResourceArn": DB, "State": state,
                            "CreationDate": now, "CreatedBy": {"BackupPlanId": plan}}
                           for i, state in enumerate(states)]}


def run(pytester: pytest.Pytester, write_outputs: Any, plan: str) -> pytest.RunResult:
    write_outputs({"plan_id": plan})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_completed_jobs_pass(pytester, write_outputs, aws_env) -> None:
    plan = make_plan(aws_env)
    aws_env.answer("backup", "ListBackupJobs", jobs(plan, "COMPLETED", "COMPLETED"))
    run(pytester, write_outputs, plan).assert_outcomes(passed=1)


def test_failed_job(pytester, write_outputs, aws_env) -> None:
    plan = make_plan(aws_env)
    aws_env.answer("backup", "ListBackupJobs", jobs(plan, "COMPLETED", "FAILED"))
    result = run(pytester, write_outputs, plan)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        f"AWS Backup plan {plan} in us-east-1: backup jobs of the last day did not complete "
        f"({DB}: FAILED)",
        "*aws backup list-backup-jobs --by-state FAILED *"])


def test_missing_plan(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs, "0000-nothing")
    result.stdout.fnmatch_lines(["AWS Backup plan 0000-nothing does not exist in us-east-1*"])
