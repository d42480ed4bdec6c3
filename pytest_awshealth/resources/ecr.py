"""ECR repositories: the image the deploy runs is there, and its scan is clean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..probes import field, probe, truthy
from ..remediation import Hint
from .base import NOT_FOUND_CODES, Resource

R = "--repository-name {name} --region {region}"
SEVERE = ("CRITICAL", "HIGH")


@dataclass(frozen=True)
class ScanFindings:
    """Finding counts by severity of one image's last scan (``{"HIGH": 2, ...}``)."""

    tag: str
    counts: dict[str, int]
    status: str

    def __bool__(self) -> bool:
        """True when the scan completed and found nothing CRITICAL or HIGH."""
        return self.status == "COMPLETE" and not any(self.counts.get(s) for s in SEVERE)

    def __getitem__(self, severity: str) -> int:
        return self.counts.get(severity, 0)

    def hint_context(self) -> dict[str, Any]:
        found = ", ".join(f"{n} {s}" for s, n in sorted(self.counts.items()) if n) or "none"
        return {"tag": self.tag, "findings": found, "scan_status": self.status}


class EcrRepository(Resource):
    """An ECR repository by name: ``assert ecr_repository.has_image("v1.4.2")``."""

    fixture = "ecr_repository"
    arn_types = ("ecr:repository",)
    output_words = ("repository", "ecr repository", "repository url", "repository uri")
    service = "ecr"
    kind = "ECR repository"
    hint_prefix = "ecr.repository"
    not_found_codes = NOT_FOUND_CODES | {"RepositoryNotFoundException"}
    describe_operations = ("describe_repositories",)
    arn_format = "arn:{partition}:ecr:{region}:{account}:repository/{name}"
    named_from_arn = True
    hints = {"missing": Hint(
        "ECR repository {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it lives in a shared tooling account",
         "output '{output}' holds the repository URI; bind its name"),
        ("aws ecr describe-repositories --region {region}",),
        ("re-run the deploy so the repository exists",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        if ".dkr.ecr." in name:  # a repository URI: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME
            host, _, path = name.partition("/")
            kwargs["region"] = kwargs.get("region") or host.split(".")[3]
            name = path.split(":", 1)[0].split("@", 1)[0]  # without a tag or digest
        super().__init__(name, **kwargs)

    def describe(self) -> dict[str, Any]:
        return self.call("describe_repositories", repositoryNames=[self.name])["repositories"][0]

    uri = field("repositoryUri", doc="The URI images are pushed to and pulled from.")
    scan_on_push = field("imageScanningConfiguration.scanOnPush", truthy, default=False, doc=(
        "True when every pushed image is scanned for vulnerabilities."), hint=Hint(
        "ECR repository {name} in {region} does not scan images on push",
        ("scan_on_push is off in the repository definition, and no registry-level scanning "
         "rule covers it",),
        (f"aws ecr describe-repositories --repository-names {{name}} --region {{region}} "
         "--query 'repositories[0].imageScanningConfiguration'",),
        (f"aws ecr put-image-scanning-configuration {R} --image-scanning-configuration scanOnPush=true",)))
    immutable_tags = field("imageTagMutability", default="MUTABLE", then=lambda m: m == "IMMUTABLE",
                           doc="True when a tag can't be pushed over (IMMUTABLE).")

    @probe(Hint(
        "ECR repository {name} in {region} has no image tagged {tag}",
        ("the CI pipeline did not push the image, or pushed it under another tag",
         "a lifecycle policy expired the image",
         "the service runs an image from another repository or account"),
        (f"aws ecr describe-images {R} --query 'sort_by(imageDetails,&imagePushedAt)[-5:].imageTags'",
         "aws ecr get-lifecycle-policy --repository-name {name} --region {region}"),
        ("push the image again: docker push <account>.dkr.ecr.{region}.amazonaws.com/{name}:{tag}",)),
     truthy, reads=("describe_images",))
    def has_image(self, tag: str) -> bool:
        """True when an image tagged ``tag`` is in the repository."""
        return tag in self._tags()

    def _tags(self) -> set[str]:
        tags: set[str] = set()
        token = None
        while True:
            page = self.call("describe_images", repositoryName=self.name,
                             **({"nextToken": token} if token else {}))
            for image in page.get("imageDetails", []):
                tags.update(image.get("imageTags", []))
            token = page.get("nextToken")
            if not token:
                return tags

    @probe(Hint(
        "ECR image {name}:{tag} in {region} has severe findings ({findings}; scan {scan_status})",
        ("the base image or a dependency has known CRITICAL/HIGH vulnerabilities",
         "the scan did not complete (unsupported image OS, or scanning is off)"),
        ("aws ecr describe-image-scan-findings {R} --image-id imageTag={tag} "
         "--query 'imageScanFindings.findingSeverityCounts'".replace("{R}", R),),
        ("rebuild the image on a patched base image and push it; re-scan: aws ecr start-image-scan "
         f"{R} --image-id imageTag={{tag}}",)),
     truthy, reads=("describe_image_scan_findings",))
    def scan_findings(self, tag: str) -> ScanFindings:
        """The last scan's finding counts by severity for the image tagged ``tag``; true
        when the scan completed without CRITICAL or HIGH findings."""
        answer = self.call("describe_image_scan_findings", repositoryName=self.name,
                           imageId={"imageTag": tag})
        counts = (answer.get("imageScanFindings") or {}).get("findingSeverityCounts") or {}
        status = (answer.get("imageScanStatus") or {}).get("status", "UNKNOWN")
        return ScanFindings(tag, {k: int(v) for k, v in counts.items()}, status)
