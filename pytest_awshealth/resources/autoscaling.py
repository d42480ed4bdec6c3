"""EC2 Auto Scaling groups: as many healthy instances in service as desired."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceNotFound
from ..probes import empty, field, probe, truthy
from ..remediation import Hint
from .base import Resource

G = "--auto-scaling-group-names {name} --region {region}"
LAUNCHING = ("Pending", "Pending:Wait", "Pending:Proceed", "Warmed:Pending")


def _launching(group: AutoScalingGroup, value: Any) -> Any:
    """Instances still launching will come InService by themselves."""
    states = {i.get("LifecycleState") for i in group.describe().get("Instances", [])}
    waiting = sorted(states & set(LAUNCHING))
    return ", ".join(waiting) if waiting else None


class AutoScalingGroup(Resource):
    """An Auto Scaling group by name: ``assert autoscaling_group.healthy``."""

    fixture = "autoscaling_group"
    arn_types = ("autoscaling",)
    output_words = ("autoscaling group", "asg", "auto scaling group")
    service = "autoscaling"
    kind = "Auto Scaling group"
    hint_prefix = "autoscaling.group"
    describe_operations = ("describe_auto_scaling_groups",)
    healthy_when = ("at_desired", "suspended_processes")
    hints = {"missing": Hint(
        "Auto Scaling group {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or named it with a generated suffix",
         "output '{output}' holds the launch template instead of the group"),
        (f"aws autoscaling describe-auto-scaling-groups {G}",),
        ("re-run the deploy so the group exists",))}

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        groups = self.call("describe_auto_scaling_groups",
                           AutoScalingGroupNames=[self.name])["AutoScalingGroups"]
        if not groups:
            raise ResourceNotFound(self, "DescribeAutoScalingGroups", "NotFound",
                                   f"no Auto Scaling group {self.name}",
                                   "autoscaling:DescribeAutoScalingGroups")
        return groups[0]

    desired = field("DesiredCapacity", default=0, doc="DesiredCapacity (int).")

    @property
    @probe(Hint(
        "Auto Scaling group {name} in {region} has {in_service} of {desired} instances "
        "InService and Healthy",
        ("instances fail their health checks (ELB health checks replace instances the "
         "target group marks unhealthy)",
         "launches fail: a bad AMI or launch template, no capacity for the instance type, "
         "or an exhausted subnet (see the scaling activities)",
         "instances are still launching (Pending)"),
        (f"aws autoscaling describe-scaling-activities --auto-scaling-group-name {{name}} "
         "--max-items 5 --region {region}",
         f"aws autoscaling describe-auto-scaling-groups {G} "
         "--query 'AutoScalingGroups[0].Instances[].[InstanceId,LifecycleState,HealthStatus]'"),
        ("fix the cause in the failed scaling activity's StatusMessage, then: aws autoscaling "
         "start-instance-refresh --auto-scaling-group-name {name} --region {region}",)),
     truthy, transitional=_launching)
    def at_desired(self) -> bool:
        """True when InService-and-Healthy instances reach the desired capacity."""
        return self.in_service >= self.desired

    @property
    def in_service(self) -> int:
        """How many instances are InService and Healthy."""
        return sum(1 for i in self.describe().get("Instances", [])
                   if i.get("LifecycleState") == "InService" and i.get("HealthStatus") == "Healthy")

    suspended_processes = field("SuspendedProcesses[].ProcessName", empty, default=[], doc=(
        "Names of suspended scaling processes (Launch, HealthCheck, ReplaceUnhealthy...); "
        "healthy when none."), hint=Hint(
        "Auto Scaling group {name} in {region} has suspended processes: {value}",
        ("someone suspended them during an incident or a deploy and never resumed them",
         "a suspended HealthCheck or ReplaceUnhealthy leaves broken instances in service"),
        (f"aws autoscaling describe-auto-scaling-groups {G} --query 'AutoScalingGroups[0].SuspendedProcesses'",),
        ("aws autoscaling resume-processes --auto-scaling-group-name {name} --region {region}",)))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "desired": lambda: self.desired,
                "in_service": lambda: self.in_service,
                "value": lambda: ", ".join(self.suspended_processes) or "none"}

