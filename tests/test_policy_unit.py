"""Resource-policy evaluation shared by the S3, Lambda and IAM trust probes."""

from __future__ import annotations

from pytest_awshealth.resources.policy import allows

TRAIL = {"Service": "cloudtrail.amazonaws.com"}


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_allow_matches_principal_action_and_resource_wildcards() -> None:
    policy = doc({"Effect": "Allow", "Principal": TRAIL, "Action": "s3:Put*",
                  "Resource": "arn:aws:s3:::logs/cloudtrail/*"})
    assert allows(policy, "cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::logs/cloudtrail/*")
    assert not allows(policy, "cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::logs/other/*")
    assert not allows(policy, "config.amazonaws.com", "s3:PutObject", "arn:aws:s3:::logs/cloudtrail/*")


def test_explicit_deny_wins() -> None:
    policy = doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
                 {"Effect": "Deny", "Principal": TRAIL, "Action": ["s3:PutObject"], "Resource": "*"})
    assert allows(policy, "config.amazonaws.com", "s3:PutObject", "arn:aws:s3:::b/k")
    assert not allows(policy, "cloudtrail.amazonaws.com", "s3:PutObject", "arn:aws:s3:::b/k")


def test_account_id_and_root_arn_are_the_same_principal() -> None:
    policy = doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                  "Action": "sts:AssumeRole"})
    assert allows(policy, "123456789012", "sts:AssumeRole")
    assert not allows(policy, "210987654321", "sts:AssumeRole")


def test_single_statement_object_and_condition_hook() -> None:
    policy = {"Statement": {"Effect": "Allow", "Principal": TRAIL, "Action": "s3:GetBucketAcl",
                            "Resource": "arn:aws:s3:::b"}}
    assert allows(policy, "cloudtrail.amazonaws.com", "s3:getbucketacl", "arn:aws:s3:::b")
    assert not allows(policy, "cloudtrail.amazonaws.com", "s3:GetBucketAcl", "arn:aws:s3:::b",
                      condition=lambda statement: False)
    assert not allows({}, "cloudtrail.amazonaws.com", "s3:GetBucketAcl")
