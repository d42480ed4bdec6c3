"""S3 buckets."""

from __future__ import annotations

import fnmatch
import json
from typing import Any, Iterable

from ..errors import ResourceNotFound
from ..probes import probe, truthy
from ..remediation import Hint
from .base import Resource

B = "--bucket {name}"


class S3Bucket(Resource):
    """An S3 bucket: ``assert s3_bucket.exists``."""

    service = "s3"
    kind = "S3 bucket"
    hint_prefix = "s3.bucket"

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
        matching = [s for s in _statements(self.policy())
                    if _matches(s, principal, action, target)]
        return any(s.get("Effect") == "Allow" for s in matching) and not any(
            s.get("Effect") == "Deny" for s in matching)

    def is_not_found(self, code: str) -> bool:
        return code in ("NoSuchBucket", "404", "NotFound", "NoSuchBucketPolicy")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "location": lambda: self.location}


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _principals(statement: dict[str, Any]) -> Iterable[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    if isinstance(principal, dict):
        return [p for values in principal.values() for p in _as_list(values)]
    return _as_list(principal)


def _matches(statement: dict[str, Any], principal: str, action: str, target: str) -> bool:
    principals = list(_principals(statement))
    return (("*" in principals or principal in principals)
            and any(fnmatch.fnmatchcase(action.lower(), a.lower())
                    for a in _as_list(statement.get("Action")))
            and any(fnmatch.fnmatchcase(target, r) or target == r
                    for r in _as_list(statement.get("Resource"))))


HINTS = {
    "s3.bucket.missing": Hint(
        "S3 bucket {name} does not exist or is not visible to account {account}",
        ("the deploy did not create it (check the apply log), or it was deleted",
         "output '{output}' holds the wrong bucket name",
         "the credentials lack s3:ListBucket on it (a 403 means it exists but is not yours)"),
        (f"aws s3 ls s3://{{name}}", f"aws s3api get-bucket-location {B}"),
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
}

FIXTURES = {"s3_bucket": S3Bucket}
