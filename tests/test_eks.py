"""EKS clusters and node groups through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
ROLE = "arn:aws:iam::123456789012:role/eks"
GATE = """
    import pytest

    @pytest.mark.aws_output(eks_cluster="cluster")
    def test_cluster(eks_cluster):
        assert eks_cluster.healthy and eks_cluster.version == "1.31"

    @pytest.mark.aws_output(eks_nodegroup="nodes")
    def test_nodes(eks_nodegroup):
        assert eks_nodegroup.healthy
"""


def make_cluster(emu: Any) -> None:
    eks = emu.client("eks")
    eks.create_cluster(name="prod", version="1.31", roleArn=ROLE,
                       resourcesVpcConfig={"subnetIds": ["subnet-1", "subnet-2"]})
    eks.create_nodegroup(clusterName="prod", nodegroupName="general", nodeRole=ROLE,
                         subnets=["subnet-1"])


def run(pytester: pytest.Pytester, write_outputs: Any) -> pytest.RunResult:
    write_outputs({"cluster": "prod", "nodes": "prod/general"})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_active_cluster_and_nodes_pass(pytester, write_outputs, aws_env) -> None:
    make_cluster(aws_env)
    run(pytester, write_outputs).assert_outcomes(passed=2)


def test_degraded_node_group_and_creating_cluster(pytester, write_outputs, aws_env) -> None:
    make_cluster(aws_env)
    # moto makes both ACTIVE at once: set what EKS reports while a cluster is created and
    # when nodes fail to join
    cluster = aws_env.backend("eks").clusters["prod"]
    cluster.status = "CREATING"
    group = cluster.nodegroups["general"]
    group.status = "DEGRADED"
    group.health = {"issues": [{"code": "NodeCreationFailure", "message": "Instances failed to join"}]}
    result = run(pytester, write_outputs)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        "EKS cluster prod in us-east-1 is not ACTIVE",
        "*CREATING is a transitional state*",
        "EKS node group general of cluster prod in us-east-1 is not ACTIVE",
        "*aws eks describe-nodegroup --cluster-name prod --nodegroup-name general --region us-east-1*",
    ])


def test_missing(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random(["EKS cluster prod does not exist in us-east-1*",
                                        "EKS node group general of cluster prod does not exist*"])
