"""EC2 instances: running, and passing their status checks."""

from __future__ import annotations

from typing import Any, Optional

from ..errors import ResourceNotFound
from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource

I = "--instance-ids {name} --region {region}"


def _checks_settling(instance: Ec2Instance, value: Any) -> Optional[str]:
    statuses = set(instance._check_statuses())
    return "initializing" if "initializing" in statuses else None


class Ec2Instance(Resource):
    """An EC2 instance by ID (``i-...``): ``assert ec2_instance.healthy``."""

    fixture = "ec2_instance"
    id_prefixes = ("i-",)
    arn_types = ("ec2:instance",)
    output_words = ("instance id",)
    service = "ec2"
    kind = "EC2 instance"
    hint_prefix = "ec2.instance"
    not_found_codes = frozenset({"InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"})
    describe_operations = ("describe_instances",)
    healthy_when = ("status", "status_checks_ok")
    arn_format = "arn:{partition}:ec2:{region}:{account}:instance/{name}"
    hints = {"missing": Hint(
        "EC2 instance {name} does not exist in {region} (account {account})",
        ("the instance was terminated and replaced (an Auto Scaling group or a deploy made a new one)",
         "output '{output}' holds a stale ID, or the checks run in another region"),
        (f"aws ec2 describe-instances {I}",),
        ("refresh the outputs file, or bind the Auto Scaling group instead of one instance",))}

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        reservations = self.call("describe_instances", InstanceIds=[self.name])["Reservations"]
        instances = [i for r in reservations for i in r.get("Instances", [])]
        if not instances:
            raise ResourceNotFound(self, "DescribeInstances", "InvalidInstanceID.NotFound",
                                   f"no instance {self.name}", "ec2:DescribeInstances")
        return instances[0]

    status = field("State.Name", equals("running"), transitional=not_yet("pending"), doc=(
        "State.Name: running when in use; pending, stopping, stopped, shutting-down, terminated."),
        hint=Hint(
        "EC2 instance {name} in {region} is not running",
        ("it was stopped (by hand, a schedule, or a failed system status check with auto-recovery off)",
         "it is terminated: an Auto Scaling group or spot interruption replaced it",
         "it fails to boot (check the console output)"),
        (f"aws ec2 describe-instances {I} --query 'Reservations[0].Instances[0].[State,StateReason]'",
         f"aws ec2 get-console-output --instance-id {{name}} --region {{region}} --latest"),
        (f"aws ec2 start-instances {I}",)))
    instance_type = field("InstanceType", doc="e.g. t3.micro.")
    private_ip = field("PrivateIpAddress", doc="The primary private IPv4 address.")

    @property
    @probe(Hint(
        "EC2 instance {name} in {region} fails its status checks ({checks})",
        ("the system check failed: the underlying host has a problem (stop and start moves it)",
         "the instance check failed: the OS does not boot, the disk is full, or the network "
         "configuration is broken"),
        (f"aws ec2 describe-instance-status {I} --include-all-instances",
         "aws ec2 get-console-output --instance-id {name} --region {region} --latest"),
        (f"aws ec2 stop-instances {I} && aws ec2 start-instances {I}   # system check",
         "fix the OS from the console output or a rescue instance   # instance check")),
     truthy, transitional=_checks_settling, reads=("describe_instance_status",))
    def status_checks_ok(self) -> bool:
        """True when both the system and the instance status checks are ok."""
        statuses = self._check_statuses()
        return bool(statuses) and all(s == "ok" for s in statuses)

    def _check_statuses(self) -> list[str]:
        answer = self.call("describe_instance_status", InstanceIds=[self.name],
                           IncludeAllInstances=True).get("InstanceStatuses", [])
        if not answer:
            return []
        found = answer[0]
        return [found.get("SystemStatus", {}).get("Status", "not-applicable"),
                found.get("InstanceStatus", {}).get("Status", "not-applicable")]

    def hint_context(self) -> dict[str, Any]:
        def checks() -> str:
            system, instance = (self._check_statuses() + ["unknown", "unknown"])[:2]
            return f"system {system}, instance {instance}"
        return {**super().hint_context(), "checks": checks}
