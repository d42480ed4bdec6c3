"""Elastic Load Balancing v2: target groups and load balancers (ALB/NLB)."""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple, Optional

from ..probes import empty, equals, probe, truthy, waiter_retries
from ..remediation import Hint
from .base import Resource

TG = "--target-group-arn {arn} --region {region}"
LB = "--load-balancer-arns {arn} --region {region}"
#: Target states that end by themselves (DescribeTargetHealth docs): ``initial`` while the
#: target registers and passes its first health checks, ``draining`` while it deregisters.
SETTLING_TARGET_STATES = frozenset({"initial", "draining"})


def _targets_settling(group: TargetGroup, value: Any) -> Optional[str]:
    """Every target that is not healthy is ``initial`` or ``draining``, and some target is
    (or is becoming) healthy, so the group ends all healthy: a deployment replacing targets."""
    states = [t["TargetHealth"]["State"] for t in group._targets()]
    pending = {state for state in states if state != "healthy"}
    if not pending or not pending <= SETTLING_TARGET_STATES:
        return None
    if not any(state in ("healthy", "initial") for state in states):
        return None  # only draining targets left: the group ends empty
    return ", ".join(sorted(pending))


class TargetHealth(NamedTuple):
    """One target that is not healthy, as DescribeTargetHealth reports it."""

    id: str
    state: str
    reason: Optional[str]
    description: Optional[str]

    def __str__(self) -> str:
        detail = f"{self.reason}: {self.description}" if self.description else self.reason
        return f"{self.id} {self.state}" + (f" ({detail})" if detail else "")


class _Elbv2Resource(Resource):
    """A resource named by ARN or by name; hints show the short name and the ARN."""

    service = "elbv2"

    def __init__(self, name: str, **kwargs: Any) -> None:
        if name.startswith("arn:"):
            kwargs.setdefault("region", name.split(":")[3] or None)
        super().__init__(name, **kwargs)

    @property
    def is_arn(self) -> bool:
        return self.name.startswith("arn:")

    @property
    def short_name(self) -> str:
        """NAME from ``...:targetgroup/NAME/ID`` or ``...:loadbalancer/app/NAME/ID``."""
        return self.name.split("/")[-2] if self.is_arn else self.name

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "name": self.short_name, "arn": lambda: self.arn}

    @property
    def arn(self) -> str:
        raise NotImplementedError


class TargetGroup(_Elbv2Resource):
    """A target group: ``assert target_group.all_healthy``."""

    fixture = "target_group"
    kind = "target group"
    hint_prefix = "elbv2.target_group"

    def describe(self) -> dict[str, Any]:
        key = "TargetGroupArns" if self.is_arn else "Names"
        return self.call("describe_target_groups", **{key: [self.name]})["TargetGroups"][0]

    @property
    def arn(self) -> str:
        return self.name if self.is_arn else self.describe()["TargetGroupArn"]

    def _targets(self) -> list[dict[str, Any]]:
        answer = self.call("describe_target_health", TargetGroupArn=self.arn)
        return answer["TargetHealthDescriptions"]

    @property
    @probe("health", lambda counts: set(counts) == {"healthy"}, transitional=_targets_settling)
    def health_counts(self) -> dict[str, int]:
        """Targets by state, e.g. ``{"healthy": 2, "unhealthy": 1}``."""
        return dict(Counter(t["TargetHealth"]["State"] for t in self._targets()))

    @property
    @probe("health", truthy, transitional=_targets_settling)
    def healthy_count(self) -> int:
        """Targets in the ``healthy`` state."""
        return sum(t["TargetHealth"]["State"] == "healthy" for t in self._targets())

    @property
    @probe("health", empty, transitional=_targets_settling)
    def unhealthy_targets(self) -> list[TargetHealth]:
        """Targets not ``healthy`` (unhealthy, initial, draining, unused...), with the reason."""
        return [_target_health(t) for t in self._targets()
                if t["TargetHealth"]["State"] != "healthy"]

    @property
    @probe("health", truthy, transitional=_targets_settling)
    def all_healthy(self) -> bool:
        """True when at least one target is registered and every target is healthy."""
        states = [t["TargetHealth"]["State"] for t in self._targets()]
        return bool(states) and all(state == "healthy" for state in states)

    @property
    @probe("health_check")
    def health_check_path(self) -> Optional[str]:
        """The path the load balancer probes (HTTP/HTTPS health checks only)."""
        return self.describe().get("HealthCheckPath")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "targets": self._target_summary,
                "health_path": lambda: self.describe().get("HealthCheckPath", "/"),
                "health_port": lambda: self.describe().get("HealthCheckPort", "traffic-port")}

    def _target_summary(self) -> str:
        targets = [_target_health(t) for t in self._targets()]
        if not targets:
            return "no targets registered"
        bad = [str(t) for t in targets if t.state != "healthy"]
        return "; ".join(bad) if bad else f"{len(targets)} healthy"


def _target_health(description: dict[str, Any]) -> TargetHealth:
    health = description["TargetHealth"]
    return TargetHealth(description["Target"]["Id"], health["State"], health.get("Reason"),
                        health.get("Description"))


class LoadBalancer(_Elbv2Resource):
    """An application or network load balancer: ``assert load_balancer.state == "active"``."""

    fixture = "load_balancer"
    kind = "load balancer"
    hint_prefix = "elbv2.load_balancer"

    def describe(self) -> dict[str, Any]:
        key = "LoadBalancerArns" if self.is_arn else "Names"
        return self.call("describe_load_balancers", **{key: [self.name]})["LoadBalancers"][0]

    @property
    def arn(self) -> str:
        return self.name if self.is_arn else self.describe()["LoadBalancerArn"]

    @property
    @probe("state", equals("active"), transitional=waiter_retries(
        "elbv2", "LoadBalancerAvailable", "LoadBalancers[].State.Code"))
    def state(self) -> str:
        """active, provisioning, active_impaired or failed."""
        return self.describe()["State"]["Code"]

    @property
    @probe("dns")
    def dns_name(self) -> str:
        return self.describe()["DNSName"]

    @property
    @probe("scheme")
    def scheme(self) -> str:
        """internet-facing or internal."""
        return self.describe().get("Scheme", "internet-facing")

    @property
    @probe("listeners")
    def listeners(self) -> list[tuple[str, int]]:
        """(protocol, port) of each listener, e.g. ``[("HTTPS", 443), ("HTTP", 80)]``."""
        answer = self.call("describe_listeners", LoadBalancerArn=self.arn)
        return [(item["Protocol"], item["Port"]) for item in answer["Listeners"]]

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "state": lambda: self.describe()["State"]["Code"],
                "state_reason": self._state_reason}

    def _state_reason(self) -> str:
        reason = self.describe()["State"].get("Reason")
        return f" ({reason})" if reason else ""


HINTS = {
    "elbv2.target_group.missing": Hint(
        "Target group {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced and has a new ARN",
         "output '{output}' holds a stale ARN or the wrong name",
         "the checks run in another region or account than the deploy"),
        ("aws elbv2 describe-target-groups --names {name} --region {region}",
         "aws elbv2 describe-target-groups --region {region} --query "
         "'TargetGroups[].[TargetGroupName,TargetGroupArn]'"),
        ("re-run the deploy so the target group is created",)),
    "elbv2.target_group.health": Hint(
        "Target group {name} in {region} is not healthy: {targets}",
        ("Target.FailedHealthChecks / Target.Timeout: the app does not answer on the health "
         "check path {health_path} (port {health_port}) in time, or a security group blocks "
         "the load balancer from reaching the targets",
         "Target.ResponseCodeMismatch: the health check path answers with another status than "
         "the matcher expects (redirects to a login page count as failures)",
         "Elb.RegistrationInProgress (initial): targets were just registered; wait for the "
         "healthy threshold",
         "Target.NotInUse (unused): no listener forwards to this target group, or the target's "
         "Availability Zone is not enabled on the load balancer",
         "no targets registered: the ECS service has no running tasks or is not attached to "
         "this target group"),
        (f"aws elbv2 describe-target-health {TG}",
         "aws elbv2 describe-target-groups --target-group-arns {arn} --region {region} "
         "--query 'TargetGroups[0].[HealthCheckPath,HealthCheckPort,Matcher,LoadBalancerArns]'",
         "aws ec2 describe-security-groups --group-ids <target-sg> --region {region} "
         "--query 'SecurityGroups[0].IpPermissions'"),
        (f"aws elbv2 modify-target-group {TG} --health-check-path <path-that-returns-200>",
         "aws ec2 authorize-security-group-ingress --group-id <target-sg> --protocol tcp "
         "--port <app-port> --source-group <alb-sg> --region {region}",
         "aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment "
         "--region {region}   # after fixing the app")),
    "elbv2.target_group.health_check": Hint(
        "Target group {name} in {region} health-checks path {health_path}, not the one the "
        "check expects",
        ("the health check path does not match the app's health route (targets then fail "
         "health checks and the load balancer answers 502/503)",
         "the path was changed by hand, or the stack's default differs from the app"),
        ("aws elbv2 describe-target-groups --target-group-arns {arn} --region {region} "
         "--query 'TargetGroups[0].[HealthCheckPath,Matcher]'",),
        (f"aws elbv2 modify-target-group {TG} --health-check-path <app-health-route>   "
         "# then set the same path in the stack so the next deploy keeps it",)),
    "elbv2.load_balancer.missing": Hint(
        "Load balancer {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced and has a new ARN",
         "output '{output}' holds a stale ARN or the wrong name",
         "the checks run in another region or account than the deploy"),
        ("aws elbv2 describe-load-balancers --names {name} --region {region}",
         "aws elbv2 describe-load-balancers --region {region} --query "
         "'LoadBalancers[].[LoadBalancerName,State.Code]'"),
        ("re-run the deploy so the load balancer is created",)),
    "elbv2.load_balancer.state": Hint(
        "Load balancer {name} in {region} is {state}, not active{state_reason}",
        ("provisioning: it was just created; it becomes active within minutes",
         "active_impaired: it cannot scale or route in some Availability Zones",
         "failed: it could not be set up (subnets without free IPs, quota reached)"),
        (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].State'",),
        (f"aws elbv2 wait load-balancer-available {LB}",)),
    "elbv2.load_balancer.dns": Hint(
        "Load balancer {name} in {region} has an unexpected DNS name",
        ("the load balancer was replaced; DNS records still point at the old one",),
        (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].DNSName'",),
        ("update the Route 53 alias record to the load balancer's DNS name",)),
    "elbv2.load_balancer.scheme": Hint(
        "Load balancer {name} in {region} has an unexpected scheme",
        ("internal load balancers are not reachable from the internet (and vice versa)",),
        (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].Scheme'",),
        ("the scheme cannot change in place: fix it in the deploy, which replaces the "
         "load balancer",)),
    "elbv2.load_balancer.listeners": Hint(
        "Load balancer {name} in {region} lacks an expected listener",
        ("no HTTPS:443 listener (no certificate attached), or HTTP:80 does not redirect",),
        ("aws elbv2 describe-listeners --load-balancer-arn {arn} --region {region} "
         "--query 'Listeners[].[Protocol,Port,Certificates]'",),
        ("aws elbv2 create-listener --load-balancer-arn {arn} --protocol HTTPS --port 443 "
         "--certificates CertificateArn=<acm-cert-arn> --default-actions "
         "Type=forward,TargetGroupArn=<target-group-arn> --region {region}",)),
}
