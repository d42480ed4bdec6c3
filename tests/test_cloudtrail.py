"""CloudTrail trails through the plugin."""

from __future__ import annotations

from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(cloudtrail_trail="trail")

    def test_healthy(cloudtrail_trail):
        assert cloudtrail_trail.healthy

    def test_everywhere(cloudtrail_trail):
        assert cloudtrail_trail.multi_region and cloudtrail_trail.log_file_validation
"""


def make_trail(emu: Any, *, multi_region: bool = True, logging: bool = True) -> None:
    emu.client("s3").create_bucket(Bucket="audit-logs")
    ct = emu.client("cloudtrail")
    ct.create_trail(Name="audit", S3BucketName="audit-logs", IsMultiRegionTrail=multi_region,
                    EnableLogFileValidation=True)
    if logging:
        ct.start_logging(Name="audit")


def run(pytester: pytest.Pytester, write_outputs: Any, trail: str) -> pytest.RunResult:
    write_outputs({"trail": trail})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_a_logging_trail_passes(pytester, write_outputs, aws_env) -> None:
    make_trail(aws_env)
    run(pytester, write_outputs, "audit").assert_outcomes(passed=2)


def test_stopped_single_region_trail(pytester, write_outputs, aws_env) -> None:
    make_trail(aws_env, multi_region=False, logging=False)
    result = run(pytester, write_outputs, "audit")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines_random([
        "CloudTrail trail audit in us-east-1 is not logging",
        "*aws cloudtrail start-logging --name audit --region us-east-1",
        "CloudTrail trail audit records only us-east-1",
    ])


def test_delivery_error(pytester, write_outputs, aws_env) -> None:
    make_trail(aws_env)
    # moto never fails a delivery: add the error AWS reports when the bucket policy breaks
    status = aws_env.backend("cloudtrail").trails["audit"].status
    original = status.description
    status.description = lambda: {**original(), "LatestDeliveryError": "AccessDenied"}
    result = run(pytester, write_outputs, "audit")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["CloudTrail trail audit in us-east-1 fails to deliver logs: AccessDenied"])


def test_missing(pytester, write_outputs, aws_env) -> None:
    result = run(pytester, write_outputs, "nothing")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["CloudTrail trail nothing does not exist in us-east-1*"])
