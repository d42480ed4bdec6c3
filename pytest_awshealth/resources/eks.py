"""EKS clusters and managed node groups: ACTIVE, on the expected version, no health issues."""

from __future__ import annotations

from typing import Any

from ..probes import empty, equals, field, not_yet
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

C = "--name {name} --region {region}"
SETTLING = not_yet("CREATING", "UPDATING")


class EksCluster(Resource):
    """An EKS cluster by name: ``assert eks_cluster.healthy`` and
    ``assert eks_cluster.version == "1.31"``."""

    fixture = "eks_cluster"
    arn_types = ("eks:cluster",)
    output_words = ("eks cluster",)
    service = "eks"
    kind = "EKS cluster"
    hint_prefix = "eks.cluster"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("describe_cluster",)
    healthy_when = ("status", "health_issues")
    arn_format = "arn:{partition}:eks:{region}:{account}:cluster/{name}"
    hints = {"missing": Hint(
        "EKS cluster {name} does not exist in {region} (account {account})",
        ("the deploy did not create it (cluster creation takes 10-15 minutes and may have failed)",
         "the checks run in another region or account than the deploy"),
        ("aws eks list-clusters --region {region}",),
        ("re-run the deploy so the cluster exists",))}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_cluster", name=self.name)["cluster"]

    status = field("status", equals("ACTIVE"), transitional=SETTLING, doc=(
        "status: ACTIVE when usable; CREATING, UPDATING, DELETING or FAILED otherwise."),
        hint=Hint(
        "EKS cluster {name} in {region} is not ACTIVE",
        ("the cluster is still CREATING or UPDATING (a version upgrade takes tens of minutes)",
         "creation FAILED: the cluster role lacks AmazonEKSClusterPolicy, or the subnets are "
         "in too few Availability Zones"),
        (f"aws eks describe-cluster {C} --query 'cluster.[status,health]'",
         "aws eks list-updates --name {name} --region {region}"),
        (f"aws eks wait cluster-active {C}",)))
    version = field("version", doc="The Kubernetes version, e.g. \"1.31\".")
    endpoint = field("endpoint", doc="The API server endpoint URL.")
    health_issues = field("health.issues[].code", empty, default=[], doc=(
        "Codes of the cluster's health issues; healthy when none."), hint=Hint(
        "EKS cluster {name} in {region} reports health issues: {value}",
        ("the cluster's IAM role or KMS key was changed or deleted",
         "its subnets or security groups were deleted"),
        (f"aws eks describe-cluster {C} --query 'cluster.health'",),
        ("restore the role, key or network resource the issue names, then re-run the check",)))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: ", ".join(self.health_issues)}


class EksNodegroup(Resource):
    """A managed node group, bound as ``CLUSTER/NODEGROUP``: ``assert eks_nodegroup.healthy``."""

    fixture = "eks_nodegroup"
    output_words = ("node group", "nodegroup")
    service = "eks"
    kind = "EKS node group"
    hint_prefix = "eks.nodegroup"
    not_found_codes = NOT_FOUND_CODES
    describe_operations = ("describe_nodegroup",)
    healthy_when = ("status", "health_issues")
    hints = {"missing": Hint(
        "EKS node group {nodegroup} of cluster {cluster} does not exist in {region}",
        ("the deploy did not create it, or it was replaced under another name",),
        ("aws eks list-nodegroups --cluster-name {cluster} --region {region}",),
        ("re-run the deploy so the node group exists",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.cluster, _, self.nodegroup = name.partition("/")

    def describe(self) -> dict[str, Any]:
        return self.call("describe_nodegroup", clusterName=self.cluster,
                         nodegroupName=self.nodegroup)["nodegroup"]

    status = field("status", equals("ACTIVE"), transitional=SETTLING, doc=(
        "status: ACTIVE when its nodes serve; CREATING, UPDATING, DEGRADED, "
        "CREATE_FAILED..."), hint=Hint(
        "EKS node group {nodegroup} of cluster {cluster} in {region} is not ACTIVE",
        ("nodes cannot join: the node role lacks AmazonEKSWorkerNodePolicy or the subnets have "
         "no route to the cluster endpoint",
         "the instance type has no capacity, or the launch template is invalid"),
        ("aws eks describe-nodegroup --cluster-name {cluster} --nodegroup-name {nodegroup} "
         "--region {region} --query 'nodegroup.[status,health]'",),
        ("aws eks wait nodegroup-active --cluster-name {cluster} --nodegroup-name {nodegroup} "
         "--region {region}",)))
    version = field("version", doc="The Kubernetes version of the nodes.")
    health_issues = field("health.issues[].code", empty, default=[], doc=(
        "Codes of the node group's health issues (AccessDenied, Ec2SubnetInvalidConfiguration, "
        "NodeCreationFailure...); healthy when none."), hint=Hint(
        "EKS node group {nodegroup} of cluster {cluster} in {region} reports health issues: {value}",
        ("the node role or launch template changed after creation",
         "instances failed to launch or to join the cluster (NodeCreationFailure)"),
        ("aws eks describe-nodegroup --cluster-name {cluster} --nodegroup-name {nodegroup} "
         "--region {region} --query 'nodegroup.health'",),
        ("fix what the issue names (its message lists the affected resources), then update "
         "the node group through the deploy",)))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "cluster": self.cluster, "nodegroup": self.nodegroup,
                "value": lambda: ", ".join(self.health_issues)}
