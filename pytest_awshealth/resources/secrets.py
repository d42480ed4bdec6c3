"""Secrets Manager secrets. Values are read only on an explicit call and never reported."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Optional

from ..errors import AwsCallError
from ..probes import probe, truthy
from ..redaction import SecretValue
from ..remediation import Hint
from .base import Resource


class Secret(Resource):
    """A Secrets Manager secret: ``assert secret.exists``."""

    fixture = "secret"
    service = "secretsmanager"
    kind = "Secrets Manager secret"
    hint_prefix = "secretsmanager.secret"

    def describe(self) -> dict[str, Any]:
        return self.call("describe_secret", SecretId=self.name)

    @property
    @probe("rotation", truthy)
    def rotation_enabled(self) -> bool:
        return bool(self.describe().get("RotationEnabled"))

    @property
    @probe("rotation")
    def last_rotated(self) -> Optional[datetime]:
        return self.describe().get("LastRotatedDate")

    @property
    @probe("changed")
    def last_changed(self) -> Optional[datetime]:
        """When the value or settings last changed (LastChangedDate)."""
        return self.describe().get("LastChangedDate")

    @probe("rotation", truthy)
    def rotated_within(self, days: float) -> bool:
        """True when LastRotatedDate is less than ``days`` old (False if never rotated).
        A value replaced by hand (put-secret-value) moves only ``last_changed``."""
        rotated = self.describe().get("LastRotatedDate")
        return rotated is not None and _age(rotated) <= timedelta(days=days)

    @property
    @probe("deletion", lambda scheduled: not scheduled)
    def scheduled_for_deletion(self) -> bool:
        """True when the secret is scheduled for deletion (DeletedDate is set); reads fail."""
        return self.describe().get("DeletedDate") is not None

    @property
    @probe("kms")
    def kms_key_id(self) -> Optional[str]:
        """The customer managed KMS key, or None for the default ``aws/secretsmanager`` key."""
        return self.describe().get("KmsKeyId")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "last_rotated": lambda: self.describe().get("LastRotatedDate") or "never",
                "deleted_date": lambda: self.describe().get("DeletedDate") or "-"}

    @probe("value", truthy)
    def value(self) -> SecretValue:
        """Read the current value (explicit only); it is masked in every report."""
        try:
            answer = self.call_fresh("get_secret_value", SecretId=self.name)
        except AwsCallError as exc:
            if exc.code == "InvalidRequestException" and "delet" in exc.message.lower():
                exc.hint = "secretsmanager.secret.deletion"  # AWS refuses reads until restored
            raise
        text = answer.get("SecretString")
        if text is None:
            text = answer.get("SecretBinary", b"").decode(errors="replace")
        self.aws.redactor.add_secret(text)
        return SecretValue(text)


def _age(moment: datetime) -> timedelta:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - moment


HINTS = {
    "secretsmanager.secret.missing": Hint(
        "Secrets Manager secret {name} does not exist in {region}",
        ("the secret was never created (it is often set up by hand after the first deploy)",
         "it is scheduled for deletion", "the name or ARN in output '{output}' is wrong"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region}",
         "aws secretsmanager list-secrets --region {region} --query 'SecretList[].Name'"),
        ("aws secretsmanager create-secret --name {name} --secret-string file://secret.json --region {region}",
         "aws secretsmanager restore-secret --secret-id {name} --region {region}   # if scheduled for deletion")),
    "secretsmanager.secret.rotation": Hint(
        "Secrets Manager secret {name} in {region} is not rotated (last rotated: {last_rotated})",
        ("rotation was never configured, or the rotation function fails",
         "the rotation Lambda cannot reach the service or lacks secretsmanager:PutSecretValue"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query '[RotationEnabled,LastRotatedDate,NextRotationDate]'",
         "aws logs tail /aws/lambda/<rotation-function> --since 1d --region {region}"),
        ("aws secretsmanager rotate-secret --secret-id {name} --region {region}",)),
    "secretsmanager.secret.changed": Hint(
        "Secrets Manager secret {name} in {region} changed at an unexpected time",
        ("the value was replaced by hand (put-secret-value) or by a rotation",),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query '[LastChangedDate,LastRotatedDate,VersionIdsToStages]'",),
        ("aws secretsmanager list-secret-version-ids --secret-id {name} --region {region}   # find the version to restore",)),
    "secretsmanager.secret.deletion": Hint(
        "Secrets Manager secret {name} in {region} is scheduled for deletion on {deleted_date}",
        ("someone ran delete-secret (with a recovery window) by hand or in a clean-up",
         "the stack that owned it was deleted or replaced it",
         "reads fail with InvalidRequestException until it is restored"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query DeletedDate",),
        ("aws secretsmanager restore-secret --secret-id {name} --region {region}",)),
    "secretsmanager.secret.kms": Hint(
        "Secrets Manager secret {name} in {region} is not encrypted with the expected KMS key",
        ("the secret uses the default aws/secretsmanager key, which cross-account readers cannot use",
         "the key was changed by hand"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query KmsKeyId",),
        ("aws secretsmanager update-secret --secret-id {name} --kms-key-id <key-arn> --region {region}",)),
    "secretsmanager.secret.value": Hint(
        "Secrets Manager secret {name} in {region} has an empty or unreadable value",
        ("the secret exists but no value was ever put", "the caller lacks secretsmanager:GetSecretValue or kms:Decrypt"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query VersionIdsToStages",),
        ("aws secretsmanager put-secret-value --secret-id {name} --secret-string file://secret.json --region {region}",)),
}
