"""EC2 security groups: does traffic from the load balancer (or the internet) get in?"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ..errors import ResourceNotFound
from ..probes import probe, truthy
from ..remediation import Hint
from .base import Resource

G = "--group-ids {name} --region {region}"


@dataclass(frozen=True)
class IngressCheck:
    """Whether a security group admits TCP ``port`` from ``source`` (a CIDR or a group)."""

    port: int
    source: str
    allowed: bool

    def __bool__(self) -> bool:
        return self.allowed

    def hint_context(self) -> dict[str, Any]:
        option = (f"--source-group {self.source}" if self.source.startswith("sg-")
                  else f"--cidr {self.source}")
        return {"source_option": option}


class SecurityGroup(Resource):
    """A security group by ID (``sg-...``) or name:
    ``assert security_group.allows_ingress(8080, alb_group_id)``."""

    fixture = "security_group"
    service = "ec2"
    kind = "security group"
    hint_prefix = "ec2.security_group"
    not_found_codes = frozenset({"InvalidGroup.NotFound", "InvalidGroupId.Malformed"})
    describe_operations = ("describe_security_groups",)
    hints = {"missing": Hint(
        "Security group {name} does not exist in {region}",
        ("the network stack was replaced and the group has a new ID",
         "output '{output}' holds a stale ID, or the checks run in another region or VPC"),
        (f"aws ec2 describe-security-groups {G}",),
        ("re-run the deploy, then point the check at the new group's output",))}

    def describe(self) -> dict[str, Any]:
        key = "GroupIds" if self.name.startswith("sg-") else "GroupNames"
        groups = self.call("describe_security_groups", **{key: [self.name]})["SecurityGroups"]
        if not groups:
            raise ResourceNotFound(self, "DescribeSecurityGroups", "InvalidGroup.NotFound",
                                   f"no security group {self.name}", "ec2:DescribeSecurityGroups")
        return groups[0]

    @probe(Hint(
        "Security group {name} in {region} does not allow TCP {port} from {source}",
        ("no inbound rule for the port (the load balancer then reports targets unhealthy and "
         "answers 502/503/504)",
         "the rule names another source group or CIDR than the one the traffic comes from",
         "the rule was removed by hand or by a drifted stack update"),
        (f"aws ec2 describe-security-groups {G} --query 'SecurityGroups[0].IpPermissions'",),
        ("aws ec2 authorize-security-group-ingress --group-id {name} --protocol tcp --port "
         "{port} {source_option} --region {region}   # then add the rule to the stack",)), truthy)
    def allows_ingress(self, port: int, source: str = "0.0.0.0/0") -> IngressCheck:
        """Whether an inbound rule admits TCP ``port`` from ``source`` (:class:`IngressCheck`;
        healthy: admitted). ``source`` is a CIDR (covered by a rule's range) or a security
        group ID (named by a rule)."""
        rules = self.describe().get("IpPermissions", [])
        return IngressCheck(port, source, any(_admits(rule, port, source) for rule in rules))


def _covers_port(rule: dict[str, Any], port: int) -> bool:
    if rule.get("IpProtocol") == "-1":
        return True
    return (rule.get("IpProtocol") in ("tcp", "6")
            and rule.get("FromPort", 0) <= port <= rule.get("ToPort", 65535))


def _admits(rule: dict[str, Any], port: int, source: str) -> bool:
    if not _covers_port(rule, port):
        return False
    if source.startswith("sg-"):
        return any(pair.get("GroupId") == source for pair in rule.get("UserIdGroupPairs", []))
    wanted = ipaddress.ip_network(source, strict=False)
    ranges = [r.get("CidrIp") for r in rule.get("IpRanges", [])] + [
        r.get("CidrIpv6") for r in rule.get("Ipv6Ranges", [])]
    return any(wanted.version == ipaddress.ip_network(cidr).version
               and wanted.subnet_of(ipaddress.ip_network(cidr))  # type: ignore[arg-type]
               for cidr in ranges if cidr)


