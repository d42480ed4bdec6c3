"""S3 buckets."""

from __future__ import annotations

import json
from typing import Any, Optional

from ..errors import AwsCallError, ResourceNotFound
from ..probes import field, probe, truthy
from ..remediation import Hint
from .policy import allows
from .base import Resource

B = "--bucket {name}"
#: Real S3 encrypts every bucket with SSE-S3 since January 2023 and answers
#: GetBucketEncryption with AES256; emulators (moto) still answer this error instead.
NO_ENCRYPTION_CONFIG = "ServerSideEncryptionConfigurationNotFoundError"
PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                       "RestrictPublicBuckets")
VERSIONING_READ = ("get_bucket_versioning",)
ENCRYPTION_READ = ("get_bucket_encryption",)

VERSIONING = Hint(
    "S3 bucket {name} does not have versioning enabled (status: {versioning})",
    ("versioning was never enabled in the bucket definition (versioned: true / versioning block)",
     "versioning was suspended by hand; overwritten or deleted objects cannot be restored"),
    (f"aws s3api get-bucket-versioning {B}",),
    (f"aws s3api put-bucket-versioning {B} --versioning-configuration Status=Enabled",))
ENCRYPTION = Hint(
    "S3 bucket {name} default encryption is {encryption}, not SSE-KMS",
    ("the bucket uses the S3-managed default (SSE-S3, AES256) instead of a KMS key",
     "the encryption block was removed from the bucket definition, or changed by hand"),
    (f"aws s3api get-bucket-encryption {B}",),
    (f"aws s3api put-bucket-encryption {B} --server-side-encryption-configuration "
     "'{{\"Rules\":[{{\"ApplyServerSideEncryptionByDefault\":{{\"SSEAlgorithm\":\"aws:kms\","
     "\"KMSMasterKeyID\":\"<key-arn>\"}},\"BucketKeyEnabled\":true}}]}}'",))


class S3Bucket(Resource):
    """An S3 bucket: ``assert s3_bucket.exists``."""

    fixture = "s3_bucket"
    service = "s3"
    kind = "S3 bucket"
    hint_prefix = "s3.bucket"
    arn_format = "arn:{partition}:s3:::{name}"
    describe_operations = ("head_bucket",)
    hints = {"missing": Hint(
        "S3 bucket {name} does not exist or is not visible to account {account}",
        ("the deploy did not create it (check the apply log), or it was deleted",
         "output '{output}' holds the wrong bucket name",
         "the credentials lack s3:ListBucket on it (a 403 means it exists but is not yours)"),
        ("aws s3 ls s3://{name}", f"aws s3api get-bucket-location {B}"),
        ("aws s3 mb s3://{name} --region {region}   # or re-run the deploy",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name.removeprefix("arn:aws:s3:::").removeprefix("s3://").rstrip("/"), **kwargs)

    def describe(self) -> dict[str, Any]:
        return self.call("head_bucket", Bucket=self.name)

    def _location(self) -> dict[str, Any]:
        return self.call("get_bucket_location", Bucket=self.name)

    def _versioning(self) -> dict[str, Any]:
        return self.call("get_bucket_versioning", Bucket=self.name)

    location = field("LocationConstraint", read="_location", then=lambda found: found or "us-east-1",
                     reads=("get_bucket_location",), doc="The region the bucket lives in (str; "
                     "``us-east-1`` when S3 reports none; no healthy value).", hint=Hint(
        "S3 bucket {name} is in {location}, not where the checks expect",
        ("the bucket was created in another region than the rest of the stack",),
        (f"aws s3api get-bucket-location {B}",),
        ("recreate the bucket in the right region (bucket regions cannot change)",)))
    versioning = field("Status", read="_versioning", reads=VERSIONING_READ, hint=VERSIONING,
                       doc='The versioning status (str: "Enabled" or "Suspended"; None when '
                       "versioning was never turned on; no healthy value).")
    versioning_enabled = field("Status", truthy, read="_versioning", reads=VERSIONING_READ,
                               then=lambda status: status == "Enabled", hint=VERSIONING,
                               doc="True (healthy) when versioning is Enabled.")
    encryption = field("SSEAlgorithm", read="_encryption_rule", reads=ENCRYPTION_READ,
                       default="AES256", then=str, hint=ENCRYPTION,
                       doc='Default encryption algorithm (str: "AES256" for SSE-S3, "aws:kms" '
                       'or "aws:kms:dsse"; no healthy value). A bucket without a configuration '
                       "reports AES256, as S3 has since 2023.")
    kms_encrypted = field("SSEAlgorithm", truthy, read="_encryption_rule", reads=ENCRYPTION_READ,
                          default="", then=lambda algorithm: str(algorithm).startswith("aws:kms"),
                          hint=ENCRYPTION, doc="True (healthy) when default encryption uses KMS "
                          "(aws:kms or aws:kms:dsse).")

    @probe(Hint(
        "S3 bucket {name} has no objects under the expected prefix",
        ("the producer has not written yet (first delivery can take minutes)",
         "the producer writes under another prefix, or lacks s3:PutObject",
         "the upload step of the deploy did not run"),
        ("aws s3 ls s3://{name}/{prefix} --recursive | head -20",),
        ("aws s3 sync ./rules s3://{name}/rules/   # upload the expected files",)),
        truthy, reads=("list_objects_v2",))
    def objects(self, prefix: str = "", limit: int = 1000) -> list[str]:
        """Keys under ``prefix``, at most ``limit`` (list of str); healthy: not empty:
        ``assert s3_bucket.objects("rules/")``."""
        answer = self.call("list_objects_v2", Bucket=self.name, Prefix=prefix, MaxKeys=limit)
        return [item["Key"] for item in answer.get("Contents", [])]

    def policy(self) -> dict[str, Any]:
        """The bucket policy document, or an empty dict when the bucket has none."""
        try:
            return json.loads(self.call("get_bucket_policy", Bucket=self.name)["Policy"])
        except ResourceNotFound as exc:
            if exc.code == "NoSuchBucketPolicy":
                return {}
            raise

    @probe(Hint(
        "S3 bucket policy of {name} does not allow the expected principal and action",
        ("the policy lacks a statement for {principal} (e.g. CloudTrail's AWSCloudTrailWrite)",
         "the statement's Resource does not cover the prefix the service writes to",
         "an explicit Deny overrides the Allow"),
        (f"aws s3api get-bucket-policy {B} --query Policy --output text",),
        (f"aws s3api put-bucket-policy {B} --policy file://bucket-policy.json",)),
        truthy, reads=("get_bucket_policy",))
    def policy_allows(self, principal: str, action: str, resource_suffix: str = "") -> bool:
        """True (healthy) when the bucket policy allows ``principal`` (a service like
        ``cloudtrail.amazonaws.com``, an ARN, or ``*``) to do ``action`` on
        ``arn:aws:s3:::BUCKET/resource_suffix`` and no statement denies it.
        Conditions are not evaluated."""
        target = f"arn:aws:s3:::{self.name}" + (f"/{resource_suffix}" if resource_suffix else "")
        return allows(self.policy(), principal, action, target)

    @property
    @probe(Hint(
        "S3 bucket {name} does not block all public access",
        ("the bucket has no Block Public Access configuration, or one of its four settings is off",
         "it was relaxed on purpose for a website or a public dataset (then skip this check)"),
        (f"aws s3api get-public-access-block {B}",
         f"aws s3api get-bucket-policy-status {B}"),
        (f"aws s3api put-public-access-block {B} --public-access-block-configuration "
         "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",)),
        truthy, reads=("get_public_access_block",))
    def public_access_blocked(self) -> bool:
        """True (healthy) when the bucket's Block Public Access has all four settings on
        (the account-level setting is not consulted)."""
        try:
            answer = self.call("get_public_access_block", Bucket=self.name)
        except AwsCallError as exc:
            if exc.code == "NoSuchPublicAccessBlockConfiguration":
                return False
            raise
        config = answer.get("PublicAccessBlockConfiguration", {})
        return all(config.get(flag) is True for flag in PUBLIC_ACCESS_FLAGS)

    def _encryption_rule(self) -> dict[str, Any]:
        try:
            answer = self.call("get_bucket_encryption", Bucket=self.name)
        except AwsCallError as exc:
            if exc.code == NO_ENCRYPTION_CONFIG and not isinstance(exc, ResourceNotFound):
                return {"SSEAlgorithm": "AES256"}
            raise
        rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        return rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}

    def is_not_found(self, code: str) -> bool:
        return code in ("NoSuchBucket", "404", "NotFound", "NoSuchBucketPolicy")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "location": lambda: self._location().get("LocationConstraint") or "us-east-1",
                "versioning": lambda: self._versioning().get("Status", "never enabled"),
                "encryption": lambda: self._encryption_rule().get("SSEAlgorithm", "AES256")}
