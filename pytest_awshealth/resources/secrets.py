"""Secrets Manager secrets. Values are read only on an explicit call and never reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from ..probes import probe, truthy
from ..redaction import MASK
from ..remediation import Hint
from .base import Resource


class SecretValue:
    """A secret string that prints as ``***``; ``reveal()`` returns the plain value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"SecretValue({MASK!r})"

    __str__ = lambda self: MASK  # noqa: E731

    def __eq__(self, other: object) -> bool:
        other = other.reveal() if isinstance(other, SecretValue) else other
        return self._value == other

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)


class Secret(Resource):
    """A Secrets Manager secret: ``assert secret.exists``."""

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

    @probe("value", truthy)
    def value(self) -> SecretValue:
        """Read the current value (explicit only); it is masked in every report."""
        answer = self.call_fresh("get_secret_value", SecretId=self.name)
        text = answer.get("SecretString")
        if text is None:
            text = answer.get("SecretBinary", b"").decode(errors="replace")
        self.aws.redactor.add(text)
        return SecretValue(text)


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
        "Secrets Manager secret {name} in {region} is not rotated",
        ("rotation was never configured, or the rotation function fails",),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query '[RotationEnabled,LastRotatedDate]'",),
        ("aws secretsmanager rotate-secret --secret-id {name} --region {region}",)),
    "secretsmanager.secret.value": Hint(
        "Secrets Manager secret {name} in {region} has an empty or unreadable value",
        ("the secret exists but no value was ever put", "the caller lacks secretsmanager:GetSecretValue or kms:Decrypt"),
        ("aws secretsmanager describe-secret --secret-id {name} --region {region} --query VersionIdsToStages",),
        ("aws secretsmanager put-secret-value --secret-id {name} --secret-string file://secret.json --region {region}",)),
}

FIXTURES = {"secret": Secret}
