"""ECS services."""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Optional

from ..deprecations import former_method_list
from ..errors import ResourceNotFound
from ..probes import empty, equals, field, not_yet, one_of, probe, truthy
from ..remediation import Hint
from .base import Resource, arn_region
from .cloudwatch import Metrics

DEFAULT_CLUSTER = "default"
FAILED_STOP_CODES = frozenset({"TaskFailedToStart", "EssentialContainerExited"})
FAILURE_WORDS = re.compile(r"fail|exited|unhealthy|CannotPull|OutOfMemory|Timeout", re.I)


class StoppedTask(NamedTuple):
    """A stopped task: why ECS stopped it and how its containers exited."""

    task_id: str
    stop_code: str
    reason: str
    exit_codes: tuple[Optional[int], ...]

    @property
    def error_exit_codes(self) -> list[int]:
        """The containers' exit codes other than 0, sorted, once each."""
        return sorted({code for code in self.exit_codes if code not in (0, None)})

    @property
    def failed(self) -> bool:
        """Stopped by a failure (not by a deployment, a scale-in or a user)."""
        if self.error_exit_codes:
            return True
        if self.stop_code:
            return self.stop_code in FAILED_STOP_CODES
        return bool(FAILURE_WORDS.search(self.reason))  # no stopCode: judge by the reason


class FailedTasks(former_method_list):
    """The failed stopped tasks (a list of :class:`StoppedTask`); for hints
    ``{failed_tasks}`` (the first three, with why they stopped) and ``{first_failed_task}``."""

    def hint_context(self) -> dict[str, Any]:
        return {"failed_tasks": "; ".join(f"{t.task_id} ({t.stop_code or 'stopped'}: {t.reason}"
                                          f"{_exits(t.error_exit_codes)})" for t in self[:3])
                or "none",
                "first_failed_task": self[0].task_id if self else "<task-id>"}


def _exits(codes: list[int]) -> str:
    """``, exit code 137`` for the containers that exited with an error (137: killed,
    usually out of memory)."""
    if not codes:
        return ""
    return f", exit code{'s' if len(codes) > 1 else ''} {', '.join(map(str, codes))}"


S = "--cluster {cluster} --services {name} --region {region}"


def deployment_in_progress(service: EcsService, value: Any) -> Optional[str]:
    """ECS is still bringing the service to its desired count: a rollout is under way (or
    tasks are pending) and has not failed; the service is not being deleted."""
    from ..waiters import acceptor_states

    described = service.describe()
    if described.get("status") in acceptor_states("ecs", "ServicesStable", "failure"):
        return None  # DRAINING / INACTIVE: `aws ecs wait services-stable` gives up too
    primary = service._primary_deployment()
    if primary.get("rolloutState") == "FAILED" or not described.get("desiredCount"):
        return None
    rolling = (primary.get("rolloutState") == "IN_PROGRESS"
               or len(described.get("deployments", [])) > 1)
    if not rolling and not described.get("pendingCount"):
        return None
    return (f"deploying ({described.get('runningCount', 0)}/{described['desiredCount']} "
            f"running, {described.get('pendingCount', 0)} pending)")
U = "--cluster {cluster} --service {name} --region {region}"
FAILED_TASK_READS = ("describe", "list_tasks", "describe_tasks")
COUNT = Hint(
    "ECS service {name} in cluster {cluster} ({region}) runs {running} of {desired} "
    "tasks ({pending} pending)",
    ("latest service events: {events}",
     "tasks stop at start: the image cannot be pulled (wrong tag, no ECR permission or no "
     "route to ECR from private subnets), or the container exits (missing secret/env var)",
     "container or load balancer health checks fail, so ECS keeps replacing the tasks",
     "no capacity: no container instances registered, not enough CPU/memory, or the "
     "Fargate subnets have no free IP addresses",
     "desired count is 0: the service was scaled to zero"),
    (f"aws ecs describe-services {S} --query 'services[0].events[:5]'",
     "aws ecs list-tasks --cluster {cluster} --service-name {name} --desired-status STOPPED "
     "--region {region}",
     "aws ecs describe-tasks --cluster {cluster} --tasks <task-arn> --region {region} "
     "--query 'tasks[].[stoppedReason,containers[].reason]'",
     "aws ecs describe-clusters --clusters {cluster} --region {region} --query "
     "'clusters[0].[registeredContainerInstancesCount,runningTasksCount,pendingTasksCount]'",
     "aws logs tail {log_group} --since 30m --region {region}"),
    (f"aws ecs update-service {U} --force-new-deployment",
     f"aws ecs update-service {U} --desired-count 2   # if it was scaled to zero",
     f"aws ecs wait services-stable {S}"))


class EcsService(Resource):
    """An ECS service: ``assert ecs_service.at_desired``.

    ``name`` is a service name, ``CLUSTER/SERVICE``, or a service ARN
    (``arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE``). Without a cluster in
    the name or ``cluster=...``, ECS's own default applies: the cluster ``default``.
    """

    fixture = "ecs_service"
    service = "ecs"
    kind = "ECS service"
    hint_prefix = "ecs.service"
    describe_operations = ("describe_services",)
    healthy_when = ("status", "at_desired", "rollout_state")
    metric_namespace = "AWS/ECS"
    hints = {"missing": Hint(
        "ECS service {name} does not exist in cluster {cluster} ({region}, account {account})",
        ("the deploy did not create the service, or it was deleted (INACTIVE)",
         "the cluster name is wrong: without cluster=... or a service ARN, ECS looks in the "
         "cluster named 'default'",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong service name"),
        ("aws ecs list-services --cluster {cluster} --region {region}",
         "aws ecs list-clusters --region {region}",
         f"aws ecs describe-services {S} --query 'services[0].status'"),
        ("re-run the deploy so the service is created",
         "bind the service ARN, or use aws.ecs_service('{name}', cluster='<cluster>')"))}

    def __init__(self, name: str, *, cluster: Optional[str] = None, **kwargs: Any) -> None:
        derived_cluster, service_name, arn_region = _parse_service(name)
        kwargs.setdefault("region", arn_region)
        super().__init__(service_name, **kwargs)
        self.cluster = cluster or derived_cluster or DEFAULT_CLUSTER

    def __repr__(self) -> str:
        return f"EcsService({self.name!r}, cluster={self.cluster!r})"

    def describe(self) -> dict[str, Any]:
        answer = self.call("describe_services", cluster=self.cluster, services=[self.name])
        if not answer.get("services"):
            failure = (answer.get("failures") or [{}])[0]
            raise ResourceNotFound(self, "DescribeServices", failure.get("reason", "MISSING"),
                                   f"service {self.name} not found in cluster {self.cluster}",
                                   "ecs:DescribeServices")
        return answer["services"][0]

    def metric_dimensions(self) -> dict[str, str]:
        return {"ClusterName": self.cluster, "ServiceName": self.name}

    def _exists(self) -> bool:
        """A deleted service stays visible as INACTIVE for a while; it does not count."""
        return super()._exists() and self.describe().get("status") != "INACTIVE"

    arn = field("serviceArn", doc="The service's ARN (str).")
    status = field("status", equals("ACTIVE"), doc="The service's status (str: ACTIVE, "
                   "DRAINING while being deleted, INACTIVE once deleted); healthy: ACTIVE.",
                   hint=Hint(
    "ECS service {name} in cluster {cluster} ({region}) is not ACTIVE",
    ("DRAINING: the service is being deleted", "INACTIVE: the service was deleted"),
    (f"aws ecs describe-services {S} --query 'services[0].[status,events[:5]]'",),
    ("re-run the deploy so the service is recreated",)))
    running_count = field("runningCount", truthy, transitional=deployment_in_progress,
                          hint=COUNT, doc="Tasks in the RUNNING state (int); healthy: at "
                          "least one, transitional while a deployment brings it up.")
    desired_count = field("desiredCount", truthy, hint=COUNT, doc="Tasks the service should "
                          "run (int); healthy: not 0 (0: scaled to zero).")
    pending_count = field("pendingCount", transitional=deployment_in_progress, hint=COUNT,
                          doc="Tasks placed but not yet RUNNING (int: pulling images, "
                          "starting); no healthy value of its own.")

    @property
    @probe(COUNT, truthy, transitional=deployment_in_progress)
    def at_desired(self) -> bool:
        """True (healthy) when runningCount equals a non-zero desiredCount."""
        service = self.describe()
        return service["desiredCount"] > 0 and service["runningCount"] == service["desiredCount"]

    rollout_state = field("deployments[?status=='PRIMARY'] | [0].rolloutState",
                          one_of("COMPLETED", None), transitional=not_yet("IN_PROGRESS"),
                          doc="The primary deployment's rolloutState (str: COMPLETED, "
                          "IN_PROGRESS or FAILED; None when ECS reports none, with the "
                          "CODE_DEPLOY or EXTERNAL deployment controllers); healthy: "
                          "COMPLETED or None, transitional while IN_PROGRESS.",
                          hint=Hint(
    "The latest deployment of ECS service {name} in cluster {cluster} ({region}) has not "
    "completed: {rollout_reason}",
    ("IN_PROGRESS: new tasks are still starting or failing to pass health checks",
     "FAILED: the deployment circuit breaker stopped the rollout after tasks kept failing",
     "latest service events: {events}"),
    (f"aws ecs describe-services {S} --query 'services[0].deployments'",
     f"aws ecs describe-services {S} --query 'services[0].events[:5]'",
     "aws logs tail {log_group} --since 30m --region {region}"),
    (f"aws ecs update-service {U} --force-new-deployment   # after fixing why tasks fail",
     f"aws ecs wait services-stable {S}")))
    events = field("events[].message", default=[],
                   then=lambda messages: former_method_list(
                       messages, name="events", call=lambda limit=5: messages[:limit]),
                   doc="The service's event messages, newest first (list of str; ECS keeps "
                   "the last 100); no healthy value: read them (``ecs_service.events[:3]``).",
                   hint=Hint(
    "ECS service {name} in cluster {cluster} ({region}) reported: {events}",
    ("the service events name the reason tasks do not start or stay healthy",),
    (f"aws ecs describe-services {S} --query 'services[0].events[:10]'",),
    (f"aws ecs update-service {U} --force-new-deployment   # after fixing the cause",)))
    task_definition = field("taskDefinition", doc="The ARN of the task definition the "
                            "service runs (str); no healthy value: compare it with the one "
                            "the deploy registered.", hint=Hint(
    "ECS service {name} in cluster {cluster} ({region}) runs an unexpected task definition",
    ("the deploy registered a new revision but did not update the service",
     "a rollback put the previous revision back"),
    (f"aws ecs describe-services {S} --query 'services[0].[taskDefinition,deployments]'",),
    (f"aws ecs update-service {U} --task-definition <family:revision>",)))

    @property
    @probe(Hint(
    "ECS service {name} in cluster {cluster} ({region}) has failed tasks: {failed_tasks}",
    ("the container exits at start (bad configuration, missing secret or environment "
     "variable, crash): its log says why",
     "the image cannot be pulled (wrong tag, no ECR permission, no route to ECR)",
     "the container or load balancer health check fails, so ECS replaces the task",
     "the task runs out of memory (OutOfMemoryError: raise the task's memory)"),
    ("aws ecs describe-tasks --cluster {cluster} --tasks {first_failed_task} --region "
     "{region} --query 'tasks[].{{reason:stoppedReason,code:stopCode,containers:"
     "containers[].{{name:name,exit:exitCode,reason:reason}}}}'",
     "aws logs tail {log_group} --since 30m --region {region}"),
    ("fix the cause in the task definition or image, and deploy it",
     f"aws ecs update-service {U} --force-new-deployment   # retry with the same definition",)), empty, reads=FAILED_TASK_READS)
    def failed_tasks(self) -> FailedTasks:
        """The service's recently stopped tasks (the last 10) that failed: an essential
        container exited, the task failed to start or its health check failed
        (:class:`FailedTasks`, a list of :class:`StoppedTask`); healthy: empty."""
        return self._failed_tasks(10)

    def _failed_tasks(self, limit: int = 10) -> FailedTasks:
        self.describe()  # a missing service must not pass as "no failures"
        arns = self.call("list_tasks", cluster=self.cluster, serviceName=self.name,
                               desiredStatus="STOPPED", maxResults=limit)["taskArns"]
        tasks = [t for t in self.call("describe_tasks", cluster=self.cluster,
                                       tasks=arns)["tasks"]
                 if t.get("group", f"service:{self.name}") == f"service:{self.name}"] if arns else []
        stopped = [StoppedTask(t["taskArn"].rsplit("/", 1)[-1], t.get("stopCode", ""),
                               t.get("stoppedReason", ""),
                               tuple(c.get("exitCode") for c in t.get("containers", [])))
                   for t in tasks]
        return FailedTasks([task for task in stopped if task.failed], name="failed_tasks",
                           call=self._failed_tasks)

    def _primary_deployment(self) -> dict[str, Any]:
        deployments = self.describe().get("deployments", [])
        return next((d for d in deployments if d.get("status") == "PRIMARY"), {})

    def _log_group(self) -> str:
        """The awslogs group of the task definition's first container that has one."""
        task = self.call("describe_task_definition", taskDefinition=self.task_definition)
        for container in task["taskDefinition"].get("containerDefinitions", []):
            config = container.get("logConfiguration") or {}
            if config.get("logDriver") == "awslogs":
                return config["options"]["awslogs-group"]
        return "<log-group>"

    def hint_context(self) -> dict[str, Any]:
        value = self._value
        return {**super().hint_context(), "cluster": self.cluster,
                "running": value("runningCount"), "desired": value("desiredCount"),
                "pending": value("pendingCount"), "events": self._latest_events,
                "rollout_reason": lambda: self._primary_deployment().get("rolloutStateReason"),
                "log_group": self._log_group, "failed_tasks": "none",
                "first_failed_task": "<task-id>"}

    def _value(self, key: str) -> Any:
        return lambda: self.describe()[key]

    def _latest_events(self) -> str:
        messages = [e["message"] for e in self.describe().get("events", [])[:3]]
        return " | ".join(messages) or "(no service events)"


def _parse_service(name: str) -> tuple[Optional[str], str, Optional[str]]:
    """(cluster, service, region) from a name, ``CLUSTER/SERVICE`` or a service ARN."""
    region = None
    if name.startswith("arn:") and ":service/" in name:
        region = arn_region(name)
        name = name.split(":service/", 1)[1]
    cluster, _, service = name.rpartition("/")
    return cluster or None, service, region

