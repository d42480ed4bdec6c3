"""Elastic Load Balancing v2: target groups and load balancers (ALB/NLB)."""

from __future__ import annotations

from collections import Counter
from typing import Any, NamedTuple, Optional

from ..deprecations import renamed
from ..probes import empty, equals, field, probe, truthy, waiter_retries
from ..remediation import Hint
from .base import Resource
from .cloudwatch import Metrics, MetricSum

TG = "--target-group-arn {arn} --region {region}"
LB = "--load-balancer-arns {arn} --region {region}"
#: Target states that end by themselves (DescribeTargetHealth docs): ``initial`` while the
#: target registers and passes its first health checks, ``draining`` while it deregisters.
SETTLING_TARGET_STATES = frozenset({"initial", "draining"})
HEALTH_READS = ("describe", "describe_target_health")
METRIC_READS = ("describe", "get_metric_statistics")
#: The CloudWatch namespace of each load balancer type.
NAMESPACES = {"application": "AWS/ApplicationELB", "network": "AWS/NetworkELB",
              "gateway": "AWS/GatewayELB"}
HEALTH = Hint(
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
 "--region {region}   # after fixing the app"))


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


class _Elbv2Resource(Resource, Metrics):
    """A resource named by ARN or by name; hints show the short name and the ARN.
    Its metrics are read with ``metric(name, stat="Sum", minutes=60)``."""

    service = "elbv2"

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

    @property
    def metric_namespace(self) -> str:  # type: ignore[override]  # by load balancer type
        return NAMESPACES.get(self._balancer_type(), "AWS/ApplicationELB")

    def _balancer_type(self) -> str:
        raise NotImplementedError


class TargetGroup(_Elbv2Resource):
    """A target group: ``assert target_group.all_healthy``."""

    fixture = "target_group"
    kind = "target group"
    hint_prefix = "elbv2.target_group"
    describe_operations = ("describe_target_groups",)
    healthy_when = ("all_healthy",)
    hints = {"missing": Hint(
        "Target group {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced and has a new ARN",
         "output '{output}' holds a stale ARN or the wrong name",
         "the checks run in another region or account than the deploy"),
        ("aws elbv2 describe-target-groups --names {name} --region {region}",
         "aws elbv2 describe-target-groups --region {region} --query "
         "'TargetGroups[].[TargetGroupName,TargetGroupArn]'"),
        ("re-run the deploy so the target group is created",))}

    def describe(self) -> dict[str, Any]:
        key = "TargetGroupArns" if self.is_arn else "Names"
        return self.call("describe_target_groups", **{key: [self.name]})["TargetGroups"][0]

    @property
    def arn(self) -> str:
        """The target group's ARN (str)."""
        return self.name if self.is_arn else self.describe()["TargetGroupArn"]

    def metric_dimensions(self) -> dict[str, str]:
        """``TargetGroup`` (``targetgroup/NAME/ID``) and, when a load balancer forwards to
        it, that ``LoadBalancer`` (``app/NAME/ID``): the pair the per-group metrics carry."""
        dimensions = {"TargetGroup": self.arn.split(":", 5)[5]}
        balancers = self.describe().get("LoadBalancerArns") or []
        if balancers:
            dimensions["LoadBalancer"] = balancers[0].split(":loadbalancer/", 1)[1]
        return dimensions

    def _balancer_type(self) -> str:
        protocol = self.describe().get("Protocol", "HTTP")
        if protocol == "GENEVE":
            return "gateway"
        return "network" if protocol in ("TCP", "UDP", "TLS", "TCP_UDP") else "application"

    def _targets(self) -> list[dict[str, Any]]:
        answer = self.call("describe_target_health", TargetGroupArn=self.arn)
        return answer["TargetHealthDescriptions"]

    @property
    @probe(HEALTH, lambda counts: set(counts) == {"healthy"}, transitional=_targets_settling,
           reads=HEALTH_READS)
    def health_counts(self) -> dict[str, int]:
        """Targets by state (dict of str to int, e.g. ``{"healthy": 2, "unhealthy": 1}``);
        healthy: only ``healthy`` targets."""
        return dict(Counter(t["TargetHealth"]["State"] for t in self._targets()))

    @property
    @probe(HEALTH, truthy, transitional=_targets_settling, reads=HEALTH_READS)
    def healthy_count(self) -> int:
        """Targets in the ``healthy`` state (int); healthy: at least one."""
        return sum(t["TargetHealth"]["State"] == "healthy" for t in self._targets())

    @property
    @probe(HEALTH, empty, transitional=_targets_settling, reads=HEALTH_READS)
    def unhealthy_targets(self) -> list[TargetHealth]:
        """Targets not ``healthy`` (unhealthy, initial, draining, unused...), with the
        reason (list of :class:`TargetHealth`); healthy: empty."""
        return [_target_health(t) for t in self._targets()
                if t["TargetHealth"]["State"] != "healthy"]

    @property
    @probe(HEALTH, truthy, transitional=_targets_settling, reads=HEALTH_READS)
    def all_healthy(self) -> bool:
        """True (healthy) when at least one target is registered and every target is
        healthy."""
        states = [t["TargetHealth"]["State"] for t in self._targets()]
        return bool(states) and all(state == "healthy" for state in states)

    health_check_path = field("HealthCheckPath", hint=Hint(
    "Target group {name} in {region} health-checks path {health_path}, not the one the "
    "check expects",
    ("the health check path does not match the app's health route (targets then fail "
     "health checks and the load balancer answers 502/503)",
     "the path was changed by hand, or the stack's default differs from the app"),
    ("aws elbv2 describe-target-groups --target-group-arns {arn} --region {region} "
     "--query 'TargetGroups[0].[HealthCheckPath,Matcher]'",),
    (f"aws elbv2 modify-target-group {TG} --health-check-path <app-health-route>   "
     "# then set the same path in the stack so the next deploy keeps it",)),
                              doc="The path the load balancer probes (str; None for TCP "
                              "health checks; no healthy value: compare it).")

    @probe(Hint(
        "{kind} {name} in {region}: targets answered {value} HTTP 5xx responses "
        "({metric}) in the last {minutes} min",
        ("the app behind the target group fails requests since the deploy (its logs say why)",
         "targets run out of memory or CPU and time out"),
        ("aws cloudwatch get-metric-statistics --namespace {namespace} --metric-name {metric} "
         "{dimensions_option}--start-time $(date -u -d '{minutes} minutes ago' +%FT%TZ) "
         "--end-time $(date -u +%FT%TZ) --period 300 --statistics Sum --region {region}",),
        ("fix the error the app logs, redeploy, then re-run the check",)),
        reads=METRIC_READS)
    def target_5xx(self, minutes: int = 60) -> MetricSum:
        """Sum of HTTPCode_Target_5XX_Count over the last ``minutes`` (:class:`MetricSum`,
        a float); healthy: 0 (``assert target_group.target_5xx(minutes=15) == 0``)."""
        return self.read_metric("HTTPCode_Target_5XX_Count", minutes=minutes)

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
    """An application or network load balancer: ``assert load_balancer.status == "active"``."""

    fixture = "load_balancer"
    kind = "load balancer"
    hint_prefix = "elbv2.load_balancer"
    describe_operations = ("describe_load_balancers",)
    healthy_when = ("status",)
    hints = {"missing": Hint(
        "Load balancer {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced and has a new ARN",
         "output '{output}' holds a stale ARN or the wrong name",
         "the checks run in another region or account than the deploy"),
        ("aws elbv2 describe-load-balancers --names {name} --region {region}",
         "aws elbv2 describe-load-balancers --region {region} --query "
         "'LoadBalancers[].[LoadBalancerName,State.Code]'"),
        ("re-run the deploy so the load balancer is created",))}

    def describe(self) -> dict[str, Any]:
        key = "LoadBalancerArns" if self.is_arn else "Names"
        return self.call("describe_load_balancers", **{key: [self.name]})["LoadBalancers"][0]

    @property
    def arn(self) -> str:
        """The load balancer's ARN (str)."""
        return self.name if self.is_arn else self.describe()["LoadBalancerArn"]

    def metric_dimensions(self) -> dict[str, str]:
        """``LoadBalancer``: ``app/NAME/ID`` (``net/...`` for a network load balancer)."""
        return {"LoadBalancer": self.arn.split(":loadbalancer/", 1)[1]}

    def _balancer_type(self) -> str:
        return self.describe().get("Type", "application")

    status = field("State.Code", equals("active"), transitional=waiter_retries(
        "elbv2", "LoadBalancerAvailable", "LoadBalancers[].State.Code"),
        doc="State.Code (str: active, provisioning, active_impaired or failed); healthy: "
        "active, transitional while provisioning.", hint=Hint(
    "Load balancer {name} in {region} is {state}, not active{state_reason}",
    ("provisioning: it was just created; it becomes active within minutes",
     "active_impaired: it cannot scale or route in some Availability Zones",
     "failed: it could not be set up (subnets without free IPs, quota reached)"),
    (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].State'",),
    (f"aws elbv2 wait load-balancer-available {LB}",)))
    state = renamed("status")
    dns_name = field("DNSName", doc="The load balancer's DNS name (str; no healthy value: "
                     "compare it with the DNS records).", hint=Hint(
    "Load balancer {name} in {region} has an unexpected DNS name",
    ("the load balancer was replaced; DNS records still point at the old one",),
    (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].DNSName'",),
    ("update the Route 53 alias record to the load balancer's DNS name",)))
    scheme = field("Scheme", default="internet-facing", doc="internet-facing or internal "
                   "(str; no healthy value).", hint=Hint(
    "Load balancer {name} in {region} has an unexpected scheme",
    ("internal load balancers are not reachable from the internet (and vice versa)",),
    (f"aws elbv2 describe-load-balancers {LB} --query 'LoadBalancers[0].Scheme'",),
    ("the scheme cannot change in place: fix it in the deploy, which replaces the "
     "load balancer",)))

    @property
    @probe(Hint(
    "Load balancer {name} in {region} lacks an expected listener",
    ("no HTTPS:443 listener (no certificate attached), or HTTP:80 does not redirect",),
    ("aws elbv2 describe-listeners --load-balancer-arn {arn} --region {region} "
     "--query 'Listeners[].[Protocol,Port,Certificates]'",),
    ("aws elbv2 create-listener --load-balancer-arn {arn} --protocol HTTPS --port 443 "
     "--certificates CertificateArn=<acm-cert-arn> --default-actions "
     "Type=forward,TargetGroupArn=<target-group-arn> --region {region}",)), reads=("describe", "describe_listeners"))
    def listeners(self) -> list[tuple[str, int]]:
        """(protocol, port) of each listener (list of tuples, e.g.
        ``[("HTTPS", 443), ("HTTP", 80)]``); no healthy value: look for the one you need."""
        answer = self.call("describe_listeners", LoadBalancerArn=self.arn)
        return [(item["Protocol"], item["Port"]) for item in answer["Listeners"]]

    @probe(Hint(
        "{kind} {name} in {region} answered {value} HTTP 5xx responses itself ({metric}) in "
        "the last {minutes} min",
        ("no healthy target to forward to (503), or targets closed connections or timed "
         "out (502/504)",
         "a listener rule forwards to an empty target group"),
        ("aws cloudwatch get-metric-statistics --namespace {namespace} --metric-name {metric} "
         "{dimensions_option}--start-time $(date -u -d '{minutes} minutes ago' +%FT%TZ) "
         "--end-time $(date -u +%FT%TZ) --period 300 --statistics Sum --region {region}",
         "aws elbv2 describe-target-health --target-group-arn <target-group-arn> --region {region}"),
        ("make the targets healthy (see the target group check), then re-run the check",)),
        reads=METRIC_READS)
    def elb_5xx(self, minutes: int = 60) -> MetricSum:
        """Sum of HTTPCode_ELB_5XX_Count (errors the load balancer answered itself) over the
        last ``minutes`` (:class:`MetricSum`, a float); healthy: 0."""
        return self.read_metric("HTTPCode_ELB_5XX_Count", minutes=minutes)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "state": lambda: self.describe()["State"]["Code"],
                "state_reason": self._state_reason}

    def _state_reason(self) -> str:
        reason = self.describe()["State"].get("Reason")
        return f" ({reason})" if reason else ""

