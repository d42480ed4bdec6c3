"""ECR repositories through the plugin."""

from __future__ import annotations

import json
from typing import Any

import pytest

ARGS = ("--aws-outputs", "outputs.json", "-p", "no:cacheprovider", "-p", "no:xdist")
GATE = """
    import pytest

    pytestmark = pytest.mark.aws_output(ecr_repository="repo")

    def test_image_pushed(ecr_repository):
        assert ecr_repository.has_image("v1.4.2")

    def test_scanned(ecr_repository):
        assert ecr_repository.scan_on_push

    def test_clean(ecr_repository):
        assert ecr_repository.scan_findings("v1.4.2")
"""
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType":
                       "application/vnd.docker.distribution.manifest.v2+json",
                       "config": {"digest": "sha256:" + "1" * 64, "size": 1,
                                  "mediaType": "application/vnd.docker.container.image.v1+json"},
                       "layers": []})


def make_repo(emu: Any, tag: str = "v1.4.2", scan: bool = True,
              findings: dict[str, int] | None = None) -> str:
    ecr = emu.client("ecr")
    uri = ecr.create_repository(repositoryName="web", imageScanningConfiguration={
        "scanOnPush": scan})["repository"]["repositoryUri"]
    ecr.put_image(repositoryName="web", imageManifest=MANIFEST, imageTag=tag)
    ecr.start_image_scan(repositoryName="web", imageId={"imageTag": tag})
    emu.set_scan_findings("web", tag, findings or {"LOW": 2})
    return uri


def run(pytester: pytest.Pytester, write_outputs: Any, repo: str) -> pytest.RunResult:
    write_outputs({"repo": repo})
    pytester.makepyfile(GATE)
    return pytester.runpytest(*ARGS)


def test_pushed_and_scanned_image_passes_by_uri(pytester, write_outputs, aws_env) -> None:
    uri = make_repo(aws_env)
    run(pytester, write_outputs, uri).assert_outcomes(passed=3)


def test_missing_tag_and_no_scanning(pytester, write_outputs, aws_env) -> None:
    make_repo(aws_env, tag="v1.4.1", scan=False)
    result = run(pytester, write_outputs, "web")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines_random([
        "ECR repository web in us-east-1 has no image tagged v1.4.2",
        "ECR repository web in us-east-1 does not scan images on push",
        "*aws ecr put-image-scanning-configuration --repository-name web --region us-east-1 *",
    ])


def test_severe_findings(pytester, write_outputs, aws_env) -> None:
    make_repo(aws_env, findings={"CRITICAL": 1, "HIGH": 3})
    result = run(pytester, write_outputs, "web")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["ECR image web:v1.4.2 in us-east-1 has severe findings "
                                 "(1 CRITICAL, 3 HIGH; scan COMPLETE)"])
