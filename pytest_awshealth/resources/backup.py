"""AWS Backup plans: rules that run, and recent jobs that complete."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..probes import empty, field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

JOB_WINDOW = timedelta(days=1)
FAILED = ("FAILED", "ABORTED", "EXPIRED", "PARTIAL")


class BackupPlan(Resource):
    """An AWS Backup plan by ID: ``assert backup_plan.healthy`` (it has rules and none of
    its jobs of the last day failed). moto has no ListBackupJobs: the emulator answers it
    through its answer layer in the tests."""

    fixture = "backup_plan"
    output_words = ("backup plan",)
    service = "backup"
    kind = "AWS Backup plan"
    hint_prefix = "backup.plan"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("get_backup_plan",)
    healthy_when = ("rules", "failed_jobs")
    hints = {"missing": Hint(
        "AWS Backup plan {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or output '{output}' holds the plan's name, not its ID",),
        ("aws backup list-backup-plans --region {region}",),
        ("re-run the deploy so the plan exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_backup_plan", BackupPlanId=self.name)

    rules = field("BackupPlan.Rules[].RuleName", truthy, default=[], doc=(
        "Names of the plan's rules; a plan without rules backs nothing up."), hint=Hint(
        "AWS Backup plan {name} in {region} has no rules",
        ("the plan was created without a rule (schedule, target vault, lifecycle)",),
        ("aws backup get-backup-plan --backup-plan-id {name} --region {region}",),
        ("add a rule in the deploy (aws_backup_plan rule {{ schedule = \"cron(0 5 * * ? *)\" ... }})",)))

    @property
    @probe(Hint(
        "AWS Backup plan {name} in {region}: backup jobs of the last day did not complete ({value})",
        ("the backup role lacks permissions on the resources (AccessDenied in the job's message)",
         "the target vault's access policy or KMS key denies the write",
         "a resource was deleted or is in a state that cannot be backed up"),
        ("aws backup list-backup-jobs --by-state FAILED --by-created-after "
         "$(date -u -d '1 day ago' +%FT%TZ) --region {region}",
         "aws backup describe-backup-job --backup-job-id <job-id> --region {region}"),
        ("fix the cause in the job's StatusMessage, then: aws backup start-backup-job "
         "--backup-vault-name <vault> --resource-arn <resource-arn> --iam-role-arn <role-arn> "
         "--region {region}",)),
     empty, reads=("describe", "list_backup_jobs"))
    def failed_jobs(self) -> list[str]:
        """``"<resource ARN>: <state>"`` for each of the plan's jobs of the last day that
        FAILED, ABORTED, EXPIRED or ended PARTIAL; healthy when empty."""
        self.describe()
        since = datetime.now(timezone.utc) - JOB_WINDOW
        found: list[str] = []
        token = None
        while True:
            page = self.call("list_backup_jobs", ByCreatedAfter=since,
                             **({"NextToken": token} if token else {}))
            for job in page.get("BackupJobs", []):
                if (job.get("CreatedBy") or {}).get("BackupPlanId") == self.name \
                        and job.get("State") in FAILED:
                    found.append(f"{job.get('ResourceArn', '?')}: {job['State']}")
            token = page.get("NextToken")
            if not token:
                return found

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: "; ".join(self.failed_jobs) or "none"}
