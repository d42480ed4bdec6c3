"""AWS Batch: compute environments and job queues that can run jobs."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceNotFound
from ..probes import equals, field, not_yet
from ..remediation import Hint
from .base import Resource

SETTLING = not_yet("CREATING", "UPDATING")


class _BatchResource(Resource):
    """A Batch resource read with one ``Describe*`` call by name or ARN."""

    service = "batch"
    operation = ""
    parameter = ""
    answer_key = ""

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        found = self.call(self.operation, **{self.parameter: [self.name]})[self.answer_key]
        if not found:
            raise ResourceNotFound(self, self.operation, "NotFound", f"no {self.kind} {self.name}",
                                   f"batch:{''.join(p.title() for p in self.operation.split('_'))}")
        return found[0]


class BatchComputeEnvironment(_BatchResource):
    """A Batch compute environment by name or ARN: ``assert batch_compute_environment.healthy``."""

    fixture = "batch_compute_environment"
    arn_types = ("batch:compute-environment",)
    output_words = ("compute environment",)
    kind = "Batch compute environment"
    hint_prefix = "batch.compute_environment"
    operation, parameter, answer_key = ("describe_compute_environments", "computeEnvironments",
                                        "computeEnvironments")
    describe_operations = ("describe_compute_environments",)
    healthy_when = ("status", "enabled")
    hints = {"missing": Hint(
        "Batch compute environment {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced under a generated name",),
        ("aws batch describe-compute-environments --region {region}",),
        ("re-run the deploy so the compute environment exists",))}

    status = field("status", equals("VALID"), transitional=SETTLING, doc=(
        "status: VALID when it can run jobs; INVALID says why in statusReason."), hint=Hint(
        "Batch compute environment {name} in {region} is not VALID ({reason})",
        ("its service role or instance role is missing or lacks permissions",
         "its subnets or security groups were deleted, or the launch template is invalid"),
        ("aws batch describe-compute-environments --compute-environments {name} --region {region} "
         "--query 'computeEnvironments[0].[status,statusReason]'",),
        ("fix what statusReason names, then re-run the deploy (an INVALID environment is "
         "updated, not repaired by itself)",)))
    enabled = field("state", equals("ENABLED"), default="DISABLED", then=str, doc=(
        "state: ENABLED when it takes jobs."), hint=Hint(
        "Batch compute environment {name} in {region} is DISABLED",
        ("it was disabled by hand or by the deploy; queued jobs wait in RUNNABLE forever",),
        ("aws batch describe-compute-environments --compute-environments {name} --region {region} "
         "--query 'computeEnvironments[0].state'",),
        ("aws batch update-compute-environment --compute-environment {name} --state ENABLED "
         "--region {region}",)))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "reason": lambda: self.describe().get("statusReason") or "no reason given"}


class BatchJobQueue(_BatchResource):
    """A Batch job queue by name or ARN: ``assert batch_job_queue.healthy``."""

    fixture = "batch_job_queue"
    arn_types = ("batch:job-queue",)
    output_words = ("job queue",)
    kind = "Batch job queue"
    hint_prefix = "batch.job_queue"
    operation, parameter, answer_key = "describe_job_queues", "jobQueues", "jobQueues"
    describe_operations = ("describe_job_queues",)
    healthy_when = ("status", "enabled")
    hints = {"missing": Hint(
        "Batch job queue {name} does not exist in {region} (account {account})",
        ("the deploy did not create it",),
        ("aws batch describe-job-queues --region {region}",),
        ("re-run the deploy so the queue exists",))}

    status = field("status", equals("VALID"), transitional=SETTLING, doc=(
        "status: VALID when jobs can be submitted."), hint=Hint(
        "Batch job queue {name} in {region} is not VALID",
        ("a compute environment it points at is INVALID or was deleted",),
        ("aws batch describe-job-queues --job-queues {name} --region {region} "
         "--query 'jobQueues[0].[status,statusReason,computeEnvironmentOrder]'",),
        ("repair or replace the compute environments it lists, then re-run the deploy",)))
    enabled = field("state", equals("ENABLED"), default="DISABLED", then=str, doc=(
        "state: ENABLED when it accepts jobs."), hint=Hint(
        "Batch job queue {name} in {region} is DISABLED: submitted jobs are refused",
        ("it was disabled by hand or by the deploy",),
        ("aws batch describe-job-queues --job-queues {name} --region {region} --query 'jobQueues[0].state'",),
        ("aws batch update-job-queue --job-queue {name} --state ENABLED --region {region}",)))
    compute_environments = field("computeEnvironmentOrder[].computeEnvironment", default=[],
                                 doc="ARNs of the compute environments, in order.")
