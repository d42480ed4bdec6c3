"""VPCs, subnets, NAT gateways, VPC endpoints and network ACLs through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    @pytest.mark.aws_output(vpc="vpc_id")
    def test_vpc(vpc):
        assert vpc.healthy and vpc.dns_support

    @pytest.mark.aws_output(vpc="vpc_id")
    def test_vpc_dns_hostnames(vpc):
        assert vpc.dns_hostnames

    @pytest.mark.aws_output(subnet="subnet_id")
    def test_subnet(subnet):
        assert subnet.healthy and subnet.available_ips > 10

    @pytest.mark.aws_output(nat_gateway="nat_id")
    def test_nat(nat_gateway):
        assert nat_gateway.healthy

    @pytest.mark.aws_output(vpc_endpoint="endpoint_id")
    def test_endpoint(vpc_endpoint):
        assert vpc_endpoint.healthy
        assert vpc_endpoint.service_name.endswith(".dynamodb")

    @pytest.mark.aws_output(network_acl="acl_id")
    def test_acl_https(network_acl):
        assert network_acl.allows(443, "0.0.0.0/0")
"""


def make_network(emu: Any) -> dict[str, str]:
    ec2 = emu.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{emu.region}.dynamodb",
        VpcEndpointType="Gateway")["VpcEndpoint"]["VpcEndpointId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                 PortRange={"From": 443, "To": 443}, CidrBlock="0.0.0.0/0",
                                 RuleAction="allow", Egress=False)
    return {"vpc_id": vpc, "subnet_id": subnet, "nat_id": nat, "endpoint_id": endpoint,
            "acl_id": acl}


def run(pytester: pytest.Pytester, write_outputs: Any, outputs: dict[str, str]) -> pytest.RunResult:
    write_outputs(outputs)
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_a_healthy_network_passes(pytester, write_outputs, aws_env) -> None:
    run(pytester, write_outputs, make_network(aws_env)).assert_outcomes(passed=6)


def test_broken_network(pytester, write_outputs, aws_env) -> None:
    ids = make_network(aws_env)
    ec2 = aws_env.client("ec2")
    ec2.modify_vpc_attribute(VpcId=ids["vpc_id"], EnableDnsHostnames={"Value": False})
    # moto creates NAT gateways available and never fails one: set what AWS reports
    # for a gateway whose creation failed, through moto's backend
    nat = aws_env.backend("ec2").nat_gateways[ids["nat_id"]]
    nat.state, nat.failure_message = "failed", "Elastic IP address eipalloc-1 is already associated"
    # a DENY below the ALLOW: rules are read in number order
    ec2.create_network_acl_entry(NetworkAclId=ids["acl_id"], RuleNumber=50, Protocol="-1",
                                 CidrBlock="0.0.0.0/0", RuleAction="deny", Egress=False)
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ids["endpoint_id"]])
    result = run(pytester, write_outputs, ids)
    result.assert_outcomes(passed=2, failed=4)
    result.stdout.fnmatch_lines_random([
        f"VPC {ids['vpc_id']} in us-east-1 does not give instances DNS hostnames",
        f"*aws ec2 modify-vpc-attribute --vpc-id {ids['vpc_id']} --enable-dns-hostnames*",
        f"NAT gateway {ids['nat_id']} in us-east-1 is not available*",
        f"Network ACL {ids['acl_id']} in us-east-1 blocks inbound TCP port 443 for 0.0.0.0/0 "
        "(decided by rule 50)",
        f"*aws ec2 create-network-acl-entry --network-acl-id {ids['acl_id']} --ingress *",
        f"VPC endpoint {ids['endpoint_id']} *",
    ])


def test_subnet_out_of_addresses(pytester, write_outputs, aws_env) -> None:
    ids = make_network(aws_env)
    subnet = aws_env.backend("ec2").get_subnet(ids["subnet_id"])
    subnet._available_ip_addresses = 8  # moto's count before its own interfaces; AWS's
    # count drops as Lambda functions, tasks and endpoints take addresses
    result = run(pytester, write_outputs, ids)
    result.stdout.fnmatch_lines([f"Subnet {ids['subnet_id']} in us-east-1 is running out of IP addresses"])
