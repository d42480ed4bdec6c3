"""CloudTrail trails: recording, in every region, delivering without errors."""

from __future__ import annotations

from typing import Any

from ..errors import ResourceNotFound
from ..probes import empty, field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

T = "--name {name} --region {region}"
STATUS_READ = ("get_trail_status",)


class CloudTrailTrail(Resource):
    """A CloudTrail trail by name or ARN: ``assert cloudtrail_trail.healthy``."""

    fixture = "cloudtrail_trail"
    arn_types = ("cloudtrail:trail",)
    output_words = ("trail",)
    service = "cloudtrail"
    kind = "CloudTrail trail"
    hint_prefix = "cloudtrail.trail"
    not_found_codes = NOT_FOUND_CODES | {"TrailNotFoundException"}
    describe_operations = ("describe_trails",)
    healthy_when = ("logging", "delivery_error")
    arn_format = "arn:{partition}:cloudtrail:{region}:{account}:trail/{name}"
    hints = {"missing": Hint(
        "CloudTrail trail {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it lives in the organization's management account",
         "a single-region trail was created in another region"),
        ("aws cloudtrail describe-trails --region {region}",),
        ("re-run the deploy so the trail exists",))}

    def describe(self) -> dict[str, Any]:
        __tracebackhide__ = True
        trails = self.call("describe_trails", trailNameList=[self.name],
                           includeShadowTrails=True).get("trailList", [])
        if not trails:
            raise ResourceNotFound(self, "DescribeTrails", "TrailNotFoundException",
                                   f"no trail {self.name}", "cloudtrail:DescribeTrails")
        return trails[0]

    def _status(self) -> dict[str, Any]:
        return self.call("get_trail_status", Name=self.describe().get("TrailARN", self.name))

    multi_region = field("IsMultiRegionTrail", truthy, default=False, doc=(
        "True when the trail records events in every region."), hint=Hint(
        "CloudTrail trail {name} records only {region}",
        ("the trail was created single-region: API calls in other regions go unrecorded",),
        (f"aws cloudtrail describe-trails --trail-name-list {{name}} --region {{region}}",),
        (f"aws cloudtrail update-trail {T} --is-multi-region-trail",)))
    log_file_validation = field("LogFileValidationEnabled", truthy, default=False, doc=(
        "True when CloudTrail signs digest files, so tampering with logs is detectable."),
        hint=Hint(
        "CloudTrail trail {name} in {region} does not validate its log files",
        ("log file integrity validation is off (enable_log_file_validation)",),
        ("aws cloudtrail describe-trails --trail-name-list {name} --region {region}",),
        (f"aws cloudtrail update-trail {T} --enable-log-file-validation",)))
    bucket = field("S3BucketName", doc="The bucket the trail delivers to.")

    @property
    @probe(Hint(
        "CloudTrail trail {name} in {region} is not logging",
        ("logging was stopped (stop-logging), or never started after the trail was created",),
        (f"aws cloudtrail get-trail-status {T}",),
        (f"aws cloudtrail start-logging {T}",)), truthy, reads=("describe",) + STATUS_READ)
    def logging(self) -> bool:
        """True while the trail records API calls (IsLogging)."""
        return bool(self._status().get("IsLogging"))

    @property
    @probe(Hint(
        "CloudTrail trail {name} in {region} fails to deliver logs: {value}",
        ("the bucket policy no longer lets cloudtrail.amazonaws.com write (AccessDenied)",
         "the bucket was deleted (NoSuchBucket), or its KMS key policy denies CloudTrail"),
        (f"aws cloudtrail get-trail-status {T} --query '[LatestDeliveryError,LatestDeliveryTime]'",
         "aws s3api get-bucket-policy --bucket <trail-bucket>"),
        ("restore the bucket policy statement for cloudtrail.amazonaws.com (s3:PutObject on "
         "AWSLogs/{account}/*, s3:GetBucketAcl) and re-check",)),
     empty, reads=("describe",) + STATUS_READ)
    def delivery_error(self) -> str:
        """The last S3 delivery error (``""`` when the last delivery worked)."""
        return str(self._status().get("LatestDeliveryError") or "")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "value": lambda: self.delivery_error or "none"}
