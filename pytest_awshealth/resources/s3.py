"""S3 buckets."""

from __future__ import annotations

import json
from typing import Any, Optional

from ..errors import AwsCallError, ResourceNotFound
from ..probes import probe, truthy
from ..remediation import Hint
from .policy import allows
from .base import Resource

B = "--bucket {name}"
#: Real S3 encrypts every bucket with SSE-S3 since January 2023 and answers
#: GetBucketEncryption with AES256; emulators (moto) still answer this error instead.
NO_ENCRYPTION_CONFIG = "ServerSideEncryptionConfigurationNotFoundError"
PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                       "RestrictPublicBuckets")


class S3Bucket(Resource):
    """An S3 bucket: ``assert s3_bucket.exists``."""

    fixture = "s3_bucket"
    service = "s3"
    kind = "S3 bucket"
    hint_prefix = "s3.bucket"
    arn_format = "arn:{partition}:s3:::{name}"

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name.removeprefix("arn:aws:s3:::").removeprefix("s3://").rstrip("/"), **kwargs)

    def describe(self) -> dict[str, Any]:
        return self.call("head_bucket", Bucket=self.name)

    @property
    @probe("region")
    def location(self) -> str:
        """The region the bucket lives in (``us-east-1`` when S3 reports none)."""
        answer = self.call("get_bucket_location", Bucket=self.name)
        return answer.get("LocationConstraint") or "us-east-1"

    @probe("objects", truthy)
    def objects(self, prefix: str = "", limit: int = 1000) -> list[str]:
        """Keys under ``prefix`` (at most ``limit``): ``assert s3_bucket.objects("rules/")``."""
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

    @probe("policy", truthy)
    def policy_allows(self, principal: str, action: str, resource_suffix: str = "") -> bool:
        """True when the bucket policy allows ``principal`` (a service like
        ``cloudtrail.amazonaws.com``, an ARN, or ``*``) to do ``action`` on
        ``arn:aws:s3:::BUCKET/resource_suffix`` and no statement denies it.
        Conditions are not evaluated."""
        target = f"arn:aws:s3:::{self.name}" + (f"/{resource_suffix}" if resource_suffix else "")
        return allows(self.policy(), principal, action, target)

    @property
    @probe("versioning")
    def versioning(self) -> Optional[str]:
        """"Enabled", "Suspended", or None when versioning was never turned on."""
        return self.call("get_bucket_versioning", Bucket=self.name).get("Status")

    @property
    @probe("versioning", truthy)
    def versioning_enabled(self) -> bool:
        return self.call("get_bucket_versioning", Bucket=self.name).get("Status") == "Enabled"

    @property
    @probe("encryption")
    def encryption(self) -> str:
        """Default encryption algorithm: "AES256" (SSE-S3), "aws:kms" or "aws:kms:dsse".
        A bucket without a configuration reports AES256, as S3 has since 2023."""
        return str(self._encryption_rule().get("SSEAlgorithm", "AES256"))

    @property
    @probe("encryption", truthy)
    def kms_encrypted(self) -> bool:
        """True when default encryption uses KMS (aws:kms or aws:kms:dsse)."""
        return str(self._encryption_rule().get("SSEAlgorithm", "")).startswith("aws:kms")

    @property
    @probe("public_access", truthy)
    def public_access_blocked(self) -> bool:
        """True when the bucket's Block Public Access has all four settings on (the account-level
        setting is not consulted)."""
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
        return {**super().hint_context(), "location": lambda: self.location,
                "versioning": lambda: self.call("get_bucket_versioning", Bucket=self.name).get(
                    "Status", "never enabled"),
                "encryption": lambda: self._encryption_rule().get("SSEAlgorithm", "AES256")}


HINTS = {
    "s3.bucket.missing": Hint(
        "S3 bucket {name} does not exist or is not visible to account {account}",
        ("the deploy did not create it (check the apply log), or it was deleted",
         "output '{output}' holds the wrong bucket name",
         "the credentials lack s3:ListBucket on it (a 403 means it exists but is not yours)"),
        ("aws s3 ls s3://{name}", f"aws s3api get-bucket-location {B}"),
        ("aws s3 mb s3://{name} --region {region}   # or re-run the deploy",)),
    "s3.bucket.region": Hint(
        "S3 bucket {name} is in {location}, not where the checks expect",
        ("the bucket was created in another region than the rest of the stack",),
        (f"aws s3api get-bucket-location {B}",),
        ("recreate the bucket in the right region (bucket regions cannot change)",)),
    "s3.bucket.objects": Hint(
        "S3 bucket {name} has no objects under the expected prefix",
        ("the producer has not written yet (first delivery can take minutes)",
         "the producer writes under another prefix, or lacks s3:PutObject",
         "the upload step of the deploy did not run"),
        ("aws s3 ls s3://{name}/ --recursive | head -20",),
        ("aws s3 sync ./rules s3://{name}/rules/   # upload the expected files",)),
    "s3.bucket.policy": Hint(
        "S3 bucket policy of {name} does not allow the expected principal and action",
        ("the policy lacks a statement for the service principal (e.g. CloudTrail's AWSCloudTrailWrite)",
         "the statement's Resource does not cover the prefix the service writes to",
         "an explicit Deny overrides the Allow"),
        (f"aws s3api get-bucket-policy {B} --query Policy --output text",),
        (f"aws s3api put-bucket-policy {B} --policy file://bucket-policy.json",)),
    "s3.bucket.versioning": Hint(
        "S3 bucket {name} does not have versioning enabled (status: {versioning})",
        ("versioning was never enabled in the bucket definition (versioned: true / versioning block)",
         "versioning was suspended by hand; overwritten or deleted objects cannot be restored"),
        (f"aws s3api get-bucket-versioning {B}",),
        (f"aws s3api put-bucket-versioning {B} --versioning-configuration Status=Enabled",)),
    "s3.bucket.encryption": Hint(
        "S3 bucket {name} default encryption is {encryption}, not SSE-KMS",
        ("the bucket uses the S3-managed default (SSE-S3, AES256) instead of a KMS key",
         "the encryption block was removed from the bucket definition, or changed by hand"),
        (f"aws s3api get-bucket-encryption {B}",),
        (f"aws s3api put-bucket-encryption {B} --server-side-encryption-configuration "
         "'{{\"Rules\":[{{\"ApplyServerSideEncryptionByDefault\":{{\"SSEAlgorithm\":\"aws:kms\","
         "\"KMSMasterKeyID\":\"<key-arn>\"}},\"BucketKeyEnabled\":true}}]}}'",)),
    "s3.bucket.public_access": Hint(
        "S3 bucket {name} does not block all public access",
        ("the bucket has no Block Public Access configuration, or one of its four settings is off",
         "it was relaxed on purpose for a website or a public dataset (then skip this check)"),
        (f"aws s3api get-public-access-block {B}",
         f"aws s3api get-bucket-policy-status {B}"),
        (f"aws s3api put-public-access-block {B} --public-access-block-configuration "
         "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",)),
}
