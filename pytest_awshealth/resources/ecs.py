"""ECS services."""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Optional

from ..errors import ResourceNotFound
from ..probes import empty, equals, not_yet, one_of, probe, truthy
from ..remediation import Hint
from .base import Resource

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
    def failed(self) -> bool:
        """Stopped by a failure (not by a deployment, a scale-in or a user)."""
        if any(code not in (0, None) for code in self.exit_codes):
            return True
        if self.stop_code:
            return self.stop_code in FAILED_STOP_CODES
        return bool(FAILURE_WORDS.search(self.reason))  # no stopCode: judge by the reason
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

    def __init__(self, name: str, *, cluster: Optional[str] = None, **kwargs: Any) -> None:
        derived_cluster, service_name, arn_region = _parse_service(name)
        kwargs.setdefault("region", arn_region)
        super().__init__(service_name, **kwargs)
        self.cluster = cluster or derived_cluster or DEFAULT_CLUSTER
        self._failed_tasks: list[StoppedTask] = []

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

    def _exists(self) -> bool:
        """A deleted service stays visible as INACTIVE for a while; it does not count."""
        return super()._exists() and self.describe().get("status") != "INACTIVE"

    @property
    def arn(self) -> str:
        return self.describe()["serviceArn"]

    @property
    @probe("status", equals("ACTIVE"))
    def status(self) -> str:
        """ACTIVE, DRAINING (being deleted) or INACTIVE (deleted)."""
        return self.describe()["status"]

    @property
    @probe("count", truthy, transitional=deployment_in_progress)
    def running_count(self) -> int:
        """Tasks in the RUNNING state."""
        return self.describe()["runningCount"]

    @property
    @probe("count", truthy)
    def desired_count(self) -> int:
        """Tasks the service should run (0 means scaled to zero)."""
        return self.describe()["desiredCount"]

    @property
    @probe("count", transitional=deployment_in_progress)
    def pending_count(self) -> int:
        """Tasks placed but not yet RUNNING (pulling images, starting)."""
        return self.describe()["pendingCount"]

    @property
    @probe("count", truthy, transitional=deployment_in_progress)
    def at_desired(self) -> bool:
        """True when runningCount equals a non-zero desiredCount."""
        service = self.describe()
        return service["desiredCount"] > 0 and service["runningCount"] == service["desiredCount"]

    @property
    @probe("rollout", one_of("COMPLETED", None), transitional=not_yet("IN_PROGRESS"))
    def rollout_state(self) -> Optional[str]:
        """The primary deployment's rolloutState: COMPLETED, IN_PROGRESS or FAILED; None
        when ECS reports none (CODE_DEPLOY or EXTERNAL deployment controllers)."""
        return self._primary_deployment().get("rolloutState")

    @probe("events")
    def events(self, limit: int = 5) -> list[str]:
        """The newest ``limit`` service event messages, newest first."""
        return [event["message"] for event in self.describe().get("events", [])[:limit]]

    @property
    @probe("task_definition")
    def task_definition(self) -> str:
        """The ARN of the task definition the service runs."""
        return self.describe()["taskDefinition"]

    @probe("failed_tasks", empty)
    def failed_tasks(self, limit: int = 10) -> list[StoppedTask]:
        """Recently stopped tasks of the service that failed (an essential container exited,
        the task failed to start or its health check failed); healthy when empty."""
        self.describe()  # a missing service must not pass as "no failures"
        arns = self.call_fresh("list_tasks", cluster=self.cluster, serviceName=self.name,
                               desiredStatus="STOPPED", maxResults=limit)["taskArns"]
        if not arns:
            return []
        tasks = [t for t in self.call_fresh("describe_tasks", cluster=self.cluster,
                                             tasks=arns)["tasks"]
                 if t.get("group", f"service:{self.name}") == f"service:{self.name}"]
        stopped = [StoppedTask(t["taskArn"].rsplit("/", 1)[-1], t.get("stopCode", ""),
                               t.get("stoppedReason", ""),
                               tuple(c.get("exitCode") for c in t.get("containers", [])))
                   for t in tasks]
        failed = [task for task in stopped if task.failed]
        self._failed_tasks = failed
        return failed

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
        field = self._field
        return {**super().hint_context(), "cluster": self.cluster,
                "running": field("runningCount"), "desired": field("desiredCount"),
                "pending": field("pendingCount"), "events": self._latest_events,
                "rollout_reason": lambda: self._primary_deployment().get("rolloutStateReason"),
                "log_group": self._log_group, "failed_tasks": self._failed_text,
                "first_failed_task": lambda: (self._failed_tasks[0].task_id
                                              if self._failed_tasks else "<task-id>")}

    def _failed_text(self) -> str:
        return "; ".join(f"{t.task_id} ({t.stop_code or 'stopped'}: {t.reason})"
                         for t in self._failed_tasks[:3]) or "none"

    def _field(self, key: str) -> Any:
        return lambda: self.describe()[key]

    def _latest_events(self) -> str:
        messages = [e["message"] for e in self.describe().get("events", [])[:3]]
        return " | ".join(messages) or "(no service events)"


def _parse_service(name: str) -> tuple[Optional[str], str, Optional[str]]:
    """(cluster, service, region) from a name, ``CLUSTER/SERVICE`` or a service ARN."""
    region = None
    if name.startswith("arn:") and ":service/" in name:
        region = name.split(":")[3] or None
        name = name.split(":service/", 1)[1]
    cluster, _, service = name.rpartition("/")
    return cluster or None, service, region


HINTS = {
    "ecs.service.missing": Hint(
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
         "bind the service ARN, or use aws.ecs_service('{name}', cluster='<cluster>')")),
    "ecs.service.status": Hint(
        "ECS service {name} in cluster {cluster} ({region}) is not ACTIVE",
        ("DRAINING: the service is being deleted", "INACTIVE: the service was deleted"),
        (f"aws ecs describe-services {S} --query 'services[0].[status,events[:5]]'",),
        ("re-run the deploy so the service is recreated",)),
    "ecs.service.count": Hint(
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
         f"aws ecs wait services-stable {S}")),
    "ecs.service.rollout": Hint(
        "The latest deployment of ECS service {name} in cluster {cluster} ({region}) has not "
        "completed: {rollout_reason}",
        ("IN_PROGRESS: new tasks are still starting or failing to pass health checks",
         "FAILED: the deployment circuit breaker stopped the rollout after tasks kept failing",
         "latest service events: {events}"),
        (f"aws ecs describe-services {S} --query 'services[0].deployments'",
         f"aws ecs describe-services {S} --query 'services[0].events[:5]'",
         "aws logs tail {log_group} --since 30m --region {region}"),
        (f"aws ecs update-service {U} --force-new-deployment   # after fixing why tasks fail",
         f"aws ecs wait services-stable {S}")),
    "ecs.service.events": Hint(
        "ECS service {name} in cluster {cluster} ({region}) reported: {events}",
        ("the service events name the reason tasks do not start or stay healthy",),
        (f"aws ecs describe-services {S} --query 'services[0].events[:10]'",),
        (f"aws ecs update-service {U} --force-new-deployment   # after fixing the cause",)),
    "ecs.service.failed_tasks": Hint(
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
         f"aws ecs update-service {U} --force-new-deployment   # retry with the same definition",)),
    "ecs.service.task_definition": Hint(
        "ECS service {name} in cluster {cluster} ({region}) runs an unexpected task definition",
        ("the deploy registered a new revision but did not update the service",
         "a rollback put the previous revision back"),
        (f"aws ecs describe-services {S} --query 'services[0].[taskDefinition,deployments]'",),
        (f"aws ecs update-service {U} --task-definition <family:revision>",)),
}
