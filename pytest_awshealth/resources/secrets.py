"""Secrets Manager secrets. Values are read only on an explicit call and never reported."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..deprecations import renamed_method
from ..errors import AwsCallError
from ..probes import field, probe, truthy
from ..redaction import SecretValue
from ..remediation import Hint
from .base import Resource

S = "--secret-id {name} --region {region}"
ROTATION = Hint(
    "Secrets Manager secret {name} in {region} is not rotated (last rotated: {last_rotated})",
    ("rotation was never configured, or the rotation function fails",
     "the rotation Lambda cannot reach the service or lacks secretsmanager:PutSecretValue"),
    ("aws secretsmanager describe-secret " + S + " --query '[RotationEnabled,LastRotatedDate,NextRotationDate]'",
     "aws logs tail /aws/lambda/<rotation-function> --since 1d --region {region}"),
    ("aws secretsmanager rotate-secret " + S,))


class Secret(Resource):
    """A Secrets Manager secret: ``assert secret.exists``."""

    fixture = "secret"
    service = "secretsmanager"
    kind = "Secrets Manager secret"
    hint_prefix = "secretsmanager.secret"
    describe_operations = ("describe_secret",)
    healthy_when = ("scheduled_for_deletion",)
    hints = {"missing": Hint(
        "Secrets Manager secret {name} does not exist in {region}",
        ("the secret was never created (it is often set up by hand after the first deploy)",
         "it is scheduled for deletion", "the name or ARN in output '{output}' is wrong"),
        ("aws secretsmanager describe-secret " + S,
         "aws secretsmanager list-secrets --region {region} --query 'SecretList[].Name'"),
        ("aws secretsmanager create-secret --name {name} --secret-string file://secret.json --region {region}",
         "aws secretsmanager restore-secret " + S + "   # if scheduled for deletion"))}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_secret", SecretId=self.name)

    rotation_enabled = field("RotationEnabled", truthy, default=False, then=bool, hint=ROTATION,
                             doc="True (healthy) when rotation is configured.")
    last_rotated = field("LastRotatedDate", hint=ROTATION, doc="When the secret was last "
                         "rotated (datetime), or None if never; no healthy value.")
    last_changed = field("LastChangedDate", doc="When the value or settings last changed "
                         "(datetime, LastChangedDate), or None; no healthy value.", hint=Hint(
        "Secrets Manager secret {name} in {region} changed at an unexpected time",
        ("the value was replaced by hand (put-secret-value) or by a rotation",),
        ("aws secretsmanager describe-secret " + S + " --query '[LastChangedDate,LastRotatedDate,VersionIdsToStages]'",),
        ("aws secretsmanager list-secret-version-ids " + S + "   # find the version to restore",)))
    scheduled_for_deletion = field(
        "DeletedDate", lambda scheduled: not scheduled, then=lambda deleted: deleted is not None,
        doc="True when the secret is scheduled for deletion (bool: DeletedDate is set, reads "
        "fail); healthy: False.", hint=Hint(
        "Secrets Manager secret {name} in {region} is scheduled for deletion on {deleted_date}",
        ("someone ran delete-secret (with a recovery window) by hand or in a clean-up",
         "the stack that owned it was deleted or replaced it",
         "reads fail with InvalidRequestException until it is restored"),
        ("aws secretsmanager describe-secret " + S + " --query DeletedDate",),
        ("aws secretsmanager restore-secret " + S,)))
    kms_key_id = field("KmsKeyId", doc="The customer managed KMS key (str), or None for the "
                       "default ``aws/secretsmanager`` key; no healthy value.", hint=Hint(
        "Secrets Manager secret {name} in {region} is not encrypted with the expected KMS key",
        ("the secret uses the default aws/secretsmanager key, which cross-account readers cannot use",
         "the key was changed by hand"),
        ("aws secretsmanager describe-secret " + S + " --query KmsKeyId",),
        ("aws secretsmanager update-secret --secret-id {name} --kms-key-id <key-arn> --region {region}",)))

    @probe(ROTATION, truthy)
    def rotated_within(self, days: float) -> bool:
        """True (healthy) when LastRotatedDate is less than ``days`` old (False if never
        rotated). A value replaced by hand (put-secret-value) moves only ``last_changed``."""
        rotated = self.describe().get("LastRotatedDate")
        return rotated is not None and _age(rotated) <= timedelta(days=days)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(),
                "last_rotated": lambda: self.describe().get("LastRotatedDate") or "never",
                "deleted_date": lambda: self.describe().get("DeletedDate") or "-"}

    @probe(Hint(
        "Secrets Manager secret {name} in {region} has an empty or unreadable value",
        ("the secret exists but no value was ever put", "the caller lacks secretsmanager:GetSecretValue or kms:Decrypt"),
        ("aws secretsmanager describe-secret " + S + " --query VersionIdsToStages",),
        ("aws secretsmanager put-secret-value --secret-id {name} --secret-string file://secret.json --region {region}",)),
        truthy, reads=("get_secret_value",))
    def reveal(self) -> SecretValue:
        """Read the current value, only on an explicit call: a :class:`SecretValue`, masked
        in every report (``.reveal()`` on it gives the plain string); healthy: not empty."""
        try:
            answer = self.call("get_secret_value", SecretId=self.name)
        except AwsCallError as exc:
            if exc.code == "InvalidRequestException" and "delet" in exc.message.lower():
                exc.hint = f"{self.hint_prefix}.scheduled_for_deletion"  # reads fail until restored
            raise
        text = answer.get("SecretString")
        if text is None:
            text = answer.get("SecretBinary", b"").decode(errors="replace")
        self.aws.redactor.add_secret(text)
        return SecretValue(text)

    value = renamed_method("reveal")


def _age(moment: datetime) -> timedelta:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc) - moment
