"""AWS Cloud Map (service discovery) services."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from ..errors import ResourceNotFound
from ..probes import probe, resources_seen, truthy
from ..remediation import Hint
from .base import Resource, arn_region
from .ecs import EcsService, deployment_in_progress

NOT_FOUND = frozenset({"ServiceNotFound", "NamespaceNotFound", "ResourceNotFoundException"})
#: Operation statuses of a request Cloud Map has not finished (ListOperations docs).
UNFINISHED = ("SUBMITTED", "PENDING")
#: What the instance probes may call: the ID lookup, ListInstances, and (when there are
#: none) the registrations still in flight.
INSTANCE_READS = ("describe", "list_instances", "list_operations", "get_operation")
INSTANCES = Hint(
"Cloud Map service {service_name} ({service_id}) in {region} has no registered instances",
("the ECS service behind it has no running tasks (tasks register when they start and "
 "deregister when they stop)",
 "the ECS service has no serviceRegistries entry pointing at this Cloud Map service",
 "tasks fail their health checks and are deregistered",
 "callers resolve names in another namespace than the one tasks register in"),
("aws servicediscovery list-instances --service-id {service_id} --region {region}",
 "aws servicediscovery list-services --filters "
 "Name=NAMESPACE_ID,Values={namespace_id},Condition=EQ --region {region}",
 "aws ecs describe-services --cluster <cluster> --services <service> --region {region} "
 "--query 'services[0].[runningCount,serviceRegistries]'"),
("aws ecs update-service --cluster <cluster> --service <service> "
 "--force-new-deployment --region {region}   # once tasks can start",))


def _registering(service: CloudMapService, value: Any) -> Optional[str]:
    """A RegisterInstance for this service is still being processed (it is asynchronous),
    or an ECS service this check read earlier registers into it and is still deploying
    (ECS registers each task once it runs)."""
    pending = service.pending_registrations
    if pending:
        return f"{len(pending)} registration(s) {'/'.join(UNFINISHED)}"
    for ecs in resources_seen():
        if _registers_into(ecs, service) and (state := deployment_in_progress(ecs, None)):
            return f"ECS service {ecs.name} {state}"
    return None


def _registers_into(handle: Any, service: CloudMapService) -> bool:
    if not isinstance(handle, EcsService):
        return False
    registries = handle.describe().get("serviceRegistries") or []
    return any(r.get("registryArn", "").rsplit("/", 1)[-1] == service.service_id
               for r in registries)


class CloudMapService(Resource):
    """A Cloud Map service: ``assert cloudmap_service.has_instances``.

    ``name`` is a service ID (``srv-...``), a service ARN, or a service name; a name
    is looked up with ListServices, within ``namespace`` (a name or ``ns-...`` ID)
    when given.
    """

    fixture = "cloudmap_service"
    service = "servicediscovery"
    kind = "Cloud Map service"
    hint_prefix = "servicediscovery.service"
    describe_operations = ("list_namespaces", "list_services", "get_service")
    healthy_when = ("has_instances",)
    hints = {"missing": Hint(
        "Cloud Map service {name} does not exist in {region} (namespace {namespace})",
        ("the deploy did not create it, or it lives in another namespace",
         "output '{output}' holds the wrong service ID or name",
         "the checks run in another region or account than the deploy"),
        ("aws servicediscovery list-namespaces --region {region}",
         "aws servicediscovery list-services --region {region} "
         "--query 'Services[].[Name,Id]'"),
        ("re-run the deploy so the service discovery service is created",))}

    def __init__(self, name: str, *, namespace: Optional[str] = None, **kwargs: Any) -> None:
        if name.startswith("arn:"):
            kwargs.setdefault("region", arn_region(name))
            name = name.rsplit("/", 1)[-1]
        super().__init__(name, **kwargs)
        self.namespace = namespace

    def __repr__(self) -> str:
        suffix = f", namespace={self.namespace!r}" if self.namespace else ""
        return f"CloudMapService({self.name!r}{suffix})"

    def is_not_found(self, code: str) -> bool:
        return code in NOT_FOUND

    @property
    def service_id(self) -> str:
        """The ``srv-...`` ID (looked up by name when a name was given)."""
        return self.name if _is_service_id(self.name) else self._id_by_name()

    def describe(self) -> dict[str, Any]:
        return self.call("get_service", Id=self.service_id)["Service"]

    @property
    @probe(INSTANCES, truthy, transitional=_registering, reads=INSTANCE_READS)
    def instance_count(self) -> int:
        """How many instances are registered (int; ECS registers one per running task);
        healthy: at least one."""
        return len(self._instances())

    @property
    @probe(INSTANCES, truthy, transitional=_registering, reads=INSTANCE_READS)
    def has_instances(self) -> bool:
        """True (healthy) when at least one instance is registered."""
        return bool(self._instances())

    @property
    @probe(INSTANCES, truthy, transitional=_registering, reads=INSTANCE_READS)
    def instances(self) -> list[dict[str, Any]]:
        """Registered instances (list of dict:
        ``[{"Id": ..., "Attributes": {"AWS_INSTANCE_IPV4": ...}}]``); healthy: not empty."""
        return self._instances()

    @property
    def pending_registrations(self) -> list[str]:
        """IDs of this service's RegisterInstance operations that are not finished (list
        of str; a property since 0.2, a method before)."""
        service_id = self.service_id
        filters = [{"Name": "SERVICE_ID", "Values": [service_id], "Condition": "EQ"},
                   {"Name": "STATUS", "Values": list(UNFINISHED), "Condition": "IN"},
                   {"Name": "TYPE", "Values": ["REGISTER_INSTANCE"], "Condition": "IN"}]
        unfinished = [o["Id"] for o in self._pages("list_operations", "Operations", Filters=filters)
                      if o.get("Status") in UNFINISHED]
        return [op for op in unfinished if self._registers_here(op, service_id)]

    def _registers_here(self, operation_id: str, service_id: str) -> bool:
        detail = self.call("get_operation", OperationId=operation_id)["Operation"]
        return (detail.get("Type") == "REGISTER_INSTANCE"
                and (detail.get("Targets") or {}).get("SERVICE") == service_id)

    def _instances(self) -> list[dict[str, Any]]:
        return list(self._pages("list_instances", "Instances", ServiceId=self.service_id))

    def _pages(self, method: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
        token: Optional[str] = None
        while True:
            answer = self.call(method, **params, **({"NextToken": token} if token else {}))
            yield from answer.get(key, [])
            token = answer.get("NextToken")
            if not token:
                return

    def _namespace_id(self) -> Optional[str]:
        if not self.namespace or self.namespace.startswith("ns-"):
            return self.namespace
        for namespace in self._pages("list_namespaces", "Namespaces"):
            if namespace["Name"] == self.namespace:
                return namespace["Id"]
        raise ResourceNotFound(self, "ListNamespaces", "NamespaceNotFound",
                               f"no namespace named {self.namespace}",
                               "servicediscovery:ListNamespaces")

    def _id_by_name(self) -> str:
        namespace_id = self._namespace_id()
        filters = ({"Filters": [{"Name": "NAMESPACE_ID", "Values": [namespace_id],
                                 "Condition": "EQ"}]} if namespace_id else {})
        for summary in self._pages("list_services", "Services", **filters):
            if summary["Name"] == self.name and self._in_namespace(summary["Id"], namespace_id):
                return summary["Id"]
        where = f" in namespace {self.namespace}" if self.namespace else ""
        raise ResourceNotFound(self, "ListServices", "ServiceNotFound",
                               f"no service named {self.name}{where}",
                               "servicediscovery:ListServices")

    def _in_namespace(self, service_id: str, namespace_id: Optional[str]) -> bool:
        if namespace_id is None:
            return True
        return self.call("get_service", Id=service_id)["Service"].get("NamespaceId") == namespace_id

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "service_id": lambda: self.service_id,
                "service_name": lambda: (self.describe()["Name"] if _is_service_id(self.name)
                                         else self.name),
                "namespace": self.namespace or "<namespace>",
                "namespace_id": lambda: self.describe().get("NamespaceId", "<namespace-id>")}


def _is_service_id(name: str) -> bool:
    return name.startswith("srv-") and "." not in name

