"""The network a stack runs in: VPC, subnets, NAT gateways, VPC endpoints, network ACLs."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from ..errors import ResourceNotFound
from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource

AVAILABLE = equals("available")
PENDING = not_yet("pending")
EC2_NOT_FOUND = frozenset({"InvalidVpcID.NotFound", "InvalidSubnetID.NotFound",
                           "NatGatewayNotFound", "InvalidVpcEndpointId.NotFound",
                           "InvalidNetworkAclID.NotFound", "InvalidVpcEndpointId.Malformed"})


class _Ec2Network(Resource):
    """A network resource read with one EC2 ``Describe*`` call by ID."""

    service = "ec2"
    not_found_codes = EC2_NOT_FOUND
    operation = ""
    id_parameter = ""
    answer_key = ""

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        found = self.call(self.operation, **{self.id_parameter: [self.name]})[self.answer_key]
        if not found:
            raise ResourceNotFound(self, self.operation, "NotFound", f"no {self.kind} {self.name}",
                                   f"ec2:{_pascal(self.operation)}")
        return found[0]


def _pascal(operation: str) -> str:
    return "".join(part.title() for part in operation.split("_"))


def _missing(kind: str, command: str) -> dict[str, Hint]:
    return {"missing": Hint(
        f"{kind} {{name}} does not exist in {{region}} (account {{account}})",
        ("the deploy did not create it, or it was replaced (IDs change on replacement)",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds a stale ID"),
        (f"aws ec2 {command} --region {{region}}",),
        ("re-run the deploy and refresh the outputs file (terraform output -json)",))}


class Vpc(_Ec2Network):
    """A VPC by ID: ``assert vpc.healthy`` and ``assert vpc.dns_hostnames``."""

    fixture = "vpc"
    id_prefixes = ("vpc-",)
    arn_types = ("ec2:vpc",)
    output_words = ("vpc",)
    kind = "VPC"
    hint_prefix = "ec2.vpc"
    operation, id_parameter, answer_key = "describe_vpcs", "VpcIds", "Vpcs"
    describe_operations = ("describe_vpcs",)
    healthy_when = ("status",)
    hints = _missing("VPC", "describe-vpcs --vpc-ids {name}")

    status = field("State", AVAILABLE, transitional=PENDING, doc="State: available when usable.",
                   hint=Hint("VPC {name} in {region} is not available",
                             ("the VPC is still pending right after creation",),
                             ("aws ec2 describe-vpcs --vpc-ids {name} --region {region}",),
                             ("wait: aws ec2 wait vpc-available --vpc-ids {name} --region {region}",)))
    cidr_block = field("CidrBlock", doc="The VPC's primary IPv4 CIDR block.")

    @property
    @probe(Hint(
        "VPC {name} in {region} does not give instances DNS hostnames",
        ("enableDnsHostnames is off (the default for VPCs not made by the console wizard)",
         "interface VPC endpoints with private DNS need both DNS support and DNS hostnames"),
        ("aws ec2 describe-vpc-attribute --vpc-id {name} --attribute enableDnsHostnames --region {region}",),
        ("aws ec2 modify-vpc-attribute --vpc-id {name} --enable-dns-hostnames '{{\"Value\":true}}' "
         "--region {region}",)), truthy, reads=("describe_vpc_attribute",))
    def dns_hostnames(self) -> bool:
        """True when instances get public DNS hostnames (enableDnsHostnames)."""
        return self._attribute("enableDnsHostnames")

    @property
    @probe(Hint(
        "VPC {name} in {region} has DNS resolution switched off",
        ("enableDnsSupport was turned off: nothing in the VPC resolves names through the "
         "Amazon DNS server, including AWS service endpoints",),
        ("aws ec2 describe-vpc-attribute --vpc-id {name} --attribute enableDnsSupport --region {region}",),
        ("aws ec2 modify-vpc-attribute --vpc-id {name} --enable-dns-support '{{\"Value\":true}}' "
         "--region {region}",)), truthy, reads=("describe_vpc_attribute",))
    def dns_support(self) -> bool:
        """True when the Amazon DNS server resolves names in the VPC (enableDnsSupport)."""
        return self._attribute("enableDnsSupport")

    def _attribute(self, name: str) -> bool:
        answer = self.call("describe_vpc_attribute", VpcId=self.name, Attribute=name)
        return bool(answer.get(name[0].upper() + name[1:], {}).get("Value"))


class Subnet(_Ec2Network):
    """A subnet by ID: ``assert subnet.healthy`` and ``assert subnet.available_ips > 10``."""

    fixture = "subnet"
    id_prefixes = ("subnet-",)
    arn_types = ("ec2:subnet",)
    output_words = ("subnet",)
    kind = "subnet"
    hint_prefix = "ec2.subnet"
    operation, id_parameter, answer_key = "describe_subnets", "SubnetIds", "Subnets"
    describe_operations = ("describe_subnets",)
    healthy_when = ("status",)
    hints = _missing("Subnet", "describe-subnets --subnet-ids {name}")

    status = field("State", AVAILABLE, transitional=PENDING, doc="State: available when usable.",
                   hint=Hint("Subnet {name} in {region} is not available",
                             ("the subnet is still pending right after creation",),
                             ("aws ec2 describe-subnets --subnet-ids {name} --region {region}",),
                             ("wait: aws ec2 wait subnet-available --subnet-ids {name} --region {region}",)))
    available_ips = field("AvailableIpAddressCount", default=0, doc=(
        "Free IPv4 addresses (int): Lambda, ECS tasks and endpoints each take one; 0 means "
        "new ones fail with 'insufficient free addresses'."), hint=Hint(
        "Subnet {name} in {region} is running out of IP addresses",
        ("Lambda functions in the VPC, ECS tasks and interface endpoints each hold an address",
         "the subnet's CIDR block is too small for the workload's peak"),
        ("aws ec2 describe-subnets --subnet-ids {name} --region {region} "
         "--query 'Subnets[0].[CidrBlock,AvailableIpAddressCount]'",
         "aws ec2 describe-network-interfaces --filters Name=subnet-id,Values={name} --region {region}"),
        ("add a larger subnet to the VPC (a subnet's CIDR cannot grow) and move the workload to it",)))
    vpc_id = field("VpcId", doc="The VPC the subnet belongs to.")
    availability_zone = field("AvailabilityZone", doc="The subnet's Availability Zone.")
    maps_public_ip = field("MapPublicIpOnLaunch", default=False,
                           doc="True when instances launched here get a public IP.")


class NatGateway(_Ec2Network):
    """A NAT gateway by ID: ``assert nat_gateway.healthy``."""

    fixture = "nat_gateway"
    id_prefixes = ("nat-",)
    arn_types = ("ec2:natgateway",)
    output_words = ("nat gateway", "nat")
    kind = "NAT gateway"
    hint_prefix = "ec2.nat_gateway"
    operation, id_parameter, answer_key = "describe_nat_gateways", "NatGatewayIds", "NatGateways"
    describe_operations = ("describe_nat_gateways",)
    healthy_when = ("status",)
    hints = _missing("NAT gateway", "describe-nat-gateways --nat-gateway-ids {name}")

    status = field("State", AVAILABLE, transitional=PENDING,
                   doc="State: available when it routes; failed, deleting, deleted otherwise.",
                   hint=Hint(
        "NAT gateway {name} in {region} is not available ({failure})",
        ("it failed to create: no free Elastic IP, the subnet has no route to an internet "
         "gateway, or an account limit was reached (the failure message says which)",
         "it was deleted: private subnets routed through it have lost internet access"),
        ("aws ec2 describe-nat-gateways --nat-gateway-ids {name} --region {region} "
         "--query 'NatGateways[0].[State,FailureCode,FailureMessage]'",
         "aws ec2 describe-route-tables --filters Name=route.nat-gateway-id,Values={name} --region {region}"),
        ("fix the cause in the failure message, then re-run the deploy (a failed NAT "
         "gateway is not repaired in place; the deploy creates a new one)",)))

    def hint_context(self) -> dict[str, Any]:
        def failure() -> str:
            found = self.describe()
            return found.get("FailureMessage") or found.get("FailureCode") or "no failure message"
        return {**super().hint_context(), "failure": failure}


class VpcEndpoint(_Ec2Network):
    """A VPC endpoint by ID (``vpce-...``): ``assert vpc_endpoint.healthy`` and
    ``assert vpc_endpoint.service_name.endswith(".s3")``."""

    fixture = "vpc_endpoint"
    id_prefixes = ("vpce-",)
    arn_types = ("ec2:vpc-endpoint",)
    output_words = ("endpoint",)
    kind = "VPC endpoint"
    hint_prefix = "ec2.vpc_endpoint"
    operation, id_parameter, answer_key = "describe_vpc_endpoints", "VpcEndpointIds", "VpcEndpoints"
    describe_operations = ("describe_vpc_endpoints",)
    healthy_when = ("status",)
    hints = _missing("VPC endpoint", "describe-vpc-endpoints --vpc-endpoint-ids {name}")

    status = field("State", lambda state: str(state).lower() == "available",
                   transitional=not_yet("pending", "Pending", "pendingAcceptance", "PendingAcceptance"),
                   doc="State: available when it carries traffic (AWS writes it in either case).",
                   hint=Hint(
        "VPC endpoint {name} in {region} is not available",
        ("an endpoint to a PrivateLink service waits for the provider to accept it "
         "(pendingAcceptance), or was rejected",
         "creation failed (e.g. private DNS needs enableDnsSupport and enableDnsHostnames on the VPC)",
         "it was deleted outside the deploy (State deleting or deleted; AWS lists it for a while)"),
        ("aws ec2 describe-vpc-endpoints --vpc-endpoint-ids {name} --region {region} "
         "--query 'VpcEndpoints[0].[State,ServiceName,LastError]'",),
        ("ask the service provider to accept the connection, or fix the VPC's DNS attributes "
         "and re-run the deploy",
         "deleted: re-run the deploy to create it again, and bind the new id it outputs")))
    service_name = field("ServiceName", doc="The service it serves, e.g. com.amazonaws.us-east-1.s3.")
    endpoint_type = field("VpcEndpointType", doc="Gateway, Interface or GatewayLoadBalancer.")
    private_dns_enabled = field("PrivateDnsEnabled", truthy, default=False, doc=(
        "True when the service's public name resolves to the endpoint inside the VPC "
        "(Interface endpoints)."), hint=Hint(
        "VPC endpoint {name} in {region} has private DNS off: the service's default name "
        "still resolves to its public endpoint",
        ("private_dns_enabled is not set on the interface endpoint",
         "SDKs in the VPC then go through the NAT gateway (or fail without one)"),
        ("aws ec2 describe-vpc-endpoints --vpc-endpoint-ids {name} --region {region} "
         "--query 'VpcEndpoints[0].PrivateDnsEnabled'",),
        ("aws ec2 modify-vpc-endpoint --vpc-endpoint-id {name} --private-dns-enabled --region {region}",)))


@dataclass(frozen=True)
class AclDecision:
    """What a network ACL does with traffic on ``port`` from (or to) ``cidr``."""

    port: int
    cidr: str
    egress: bool
    rule: str  # the rule number that decided, or "*" for the default deny
    allowed: bool

    def __bool__(self) -> bool:
        return self.allowed

    def hint_context(self) -> dict[str, Any]:
        return {"port": self.port, "cidr": self.cidr, "rule": self.rule,
                "direction": "outbound" if self.egress else "inbound",
                "egress_option": "--egress" if self.egress else "--ingress"}


class NetworkAcl(_Ec2Network):
    """A network ACL by ID: ``assert network_acl.allows(443, "0.0.0.0/0")``. Rules are
    read in rule-number order and the first that matches decides, as AWS does."""

    fixture = "network_acl"
    id_prefixes = ("acl-",)
    arn_types = ("ec2:network-acl",)
    output_words = ("network acl", "acl")
    kind = "network ACL"
    hint_prefix = "ec2.network_acl"
    operation, id_parameter, answer_key = "describe_network_acls", "NetworkAclIds", "NetworkAcls"
    describe_operations = ("describe_network_acls",)
    hints = _missing("Network ACL", "describe-network-acls --network-acl-ids {name}")

    @probe(Hint(
        "Network ACL {name} in {region} blocks {direction} TCP port {port} for {cidr} "
        "(decided by rule {rule})",
        ("a lower-numbered DENY rule matches before the ALLOW rule",
         "no rule allows it, so the default rule (*) denies it",
         "ACLs are stateless: return traffic needs the ephemeral ports 1024-65535 allowed too"),
        ("aws ec2 describe-network-acls --network-acl-ids {name} --region {region} "
         "--query 'NetworkAcls[0].Entries'",),
        ("aws ec2 create-network-acl-entry --network-acl-id {name} {egress_option} --rule-number "
         "<free number below {rule}> --protocol tcp --port-range From={port},To={port} "
         "--cidr-block {cidr} --rule-action allow --region {region}",)), truthy)
    def allows(self, port: int, cidr: str = "0.0.0.0/0", egress: bool = False) -> AclDecision:
        """Whether TCP ``port`` from ``cidr`` (to it, with ``egress``) passes the ACL."""
        entries = sorted((e for e in self.describe().get("Entries", [])
                          if bool(e.get("Egress")) == egress), key=lambda e: e["RuleNumber"])
        for entry in entries:
            if _entry_matches(entry, port, cidr):
                number = "*" if entry["RuleNumber"] >= 32767 else str(entry["RuleNumber"])
                return AclDecision(port, cidr, egress, number, entry.get("RuleAction") == "allow")
        return AclDecision(port, cidr, egress, "*", False)


def _entry_matches(entry: dict[str, Any], port: int, cidr: str) -> bool:
    if str(entry.get("Protocol")) not in ("-1", "6"):
        return False
    ports = entry.get("PortRange")
    if str(entry.get("Protocol")) == "6" and ports and not ports["From"] <= port <= ports["To"]:
        return False
    block = entry.get("CidrBlock")
    if not block:
        return False
    try:
        return ipaddress.ip_network(cidr, strict=False).subnet_of(ipaddress.ip_network(block))
    except (TypeError, ValueError):
        return False
