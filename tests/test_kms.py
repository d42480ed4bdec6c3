"""KMS keys through the plugin: enabled, rotated, and open to the right principals."""

from __future__ import annotations

import json
from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(kms_key="data_key")

    def test_healthy(kms_key):
        assert kms_key.healthy

    def test_rotation(kms_key):
        assert kms_key.rotation_enabled

    def test_app_may_decrypt(kms_key):
        assert kms_key.policy_allows("arn:aws:iam::123456789012:role/app", "kms:Decrypt")
"""


def make_key(emu: Any, rotate: bool = True, policy: dict[str, Any] | None = None) -> str:
    kms = emu.client("kms")
    key_id = kms.create_key(Description="data", **(
        {"Policy": json.dumps(policy)} if policy else {}))["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/data", TargetKeyId=key_id)
    if rotate:
        kms.enable_key_rotation(KeyId=key_id)
    return key_id


def run(pytester: pytest.Pytester, write_outputs: Any, key: str) -> pytest.RunResult:
    write_outputs({"data_key": key})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_a_healthy_key_passes_by_alias(pytester, write_outputs, aws_env) -> None:
    make_key(aws_env)
    run(pytester, write_outputs, "alias/data").assert_outcomes(passed=3)


def test_disabled_key_without_rotation(pytester, write_outputs, aws_env) -> None:
    key_id = make_key(aws_env, rotate=False)
    aws_env.client("kms").disable_key(KeyId=key_id)
    result = run(pytester, write_outputs, key_id)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        f"KMS key {key_id} in us-east-1 is not Enabled",
        f"*aws kms enable-key --key-id {key_id} --region us-east-1",
        f"KMS key {key_id} in us-east-1 does not rotate its key material automatically",
        f"*aws kms enable-key-rotation --key-id {key_id} --region us-east-1",
    ])


def test_key_scheduled_for_deletion_is_broken(pytester, write_outputs, aws_env) -> None:
    key_id = make_key(aws_env)
    aws_env.client("kms").schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    result = run(pytester, write_outputs, key_id)
    result.stdout.fnmatch_lines(["*scheduled for deletion (PendingDeletion)*",
                                 f"*aws kms cancel-key-deletion --key-id {key_id}*"])
    assert result.ret == 1


def test_policy_that_names_another_role(pytester, write_outputs, aws_env) -> None:
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/admin"},
         "Action": "kms:*", "Resource": "*"}]}
    make_key(aws_env, policy=policy)
    result = run(pytester, write_outputs, "alias/data")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "KMS key alias/data in us-east-1: its key policy does not let "
        "arn:aws:iam::123456789012:role/app call kms:Decrypt (not allowed)",
        "*aws kms get-key-policy --key-id alias/data --region us-east-1 --policy-name default*"])


def test_missing_key(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs, "alias/nothing")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["KMS key alias/nothing does not exist in us-east-1*"])
