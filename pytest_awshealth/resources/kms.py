"""KMS keys: usable (Enabled), rotated, and open to the principals that need them."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from typing import Any

from ..probes import equals, field, not_yet, probe, truthy
from ..remediation import Hint
from .base import Resource

K = "--key-id {name} --region {region}"
POLICY_READ = ("get_key_policy",)


@dataclass(frozen=True)
class KeyPolicyCheck:
    """Whether the key policy has an Allow statement for ``action`` by ``principal``
    (no Deny considered beyond an explicit matching Deny; grants and IAM are not read)."""

    principal: str
    action: str
    allowed: bool
    denied: bool = False

    def __bool__(self) -> bool:
        return self.allowed and not self.denied

    def hint_context(self) -> dict[str, Any]:
        return {"principal": self.principal, "action": self.action,
                "decision": "denied by a Deny statement" if self.denied else "not allowed"}


class KmsKey(Resource):
    """A KMS key by ID, ARN or alias (``alias/app``): ``assert kms_key.healthy``."""

    fixture = "kms_key"
    arn_types = ("kms:key", "kms:alias")
    output_words = ("key alias", "kms key", "key id", "key arn")
    service = "kms"
    kind = "KMS key"
    hint_prefix = "kms.key"
    describe_operations = ("describe_key",)
    healthy_when = ("status",)
    arn_format = ""  # an alias or ID does not give the key ARN without a call
    hints = {"missing": Hint(
        "KMS key {name} does not exist in {region} (account {account}), or the caller may "
        "not see it",
        ("the deploy did not create the key, or it was deleted after its waiting period",
         "the alias points nowhere (aliases are per region)",
         "output '{output}' holds a key from another region or account"),
        (f"aws kms describe-key {K}", "aws kms list-aliases --region {region}"),
        ("re-run the deploy so the key and its alias exist",))}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_key", KeyId=self.name)["KeyMetadata"]

    status = field("KeyState", equals("Enabled"), transitional=not_yet("Creating", "Updating"),
                   doc="KeyState: Enabled when usable (Disabled, PendingDeletion, "
                       "PendingImport and Unavailable refuse every cryptographic call).",
                   hint=Hint(
        "KMS key {name} in {region} is not Enabled",
        ("the key was disabled (every Encrypt/Decrypt with it fails with DisabledException)",
         "the key is scheduled for deletion (PendingDeletion): data encrypted under it becomes "
         "unreadable when the waiting period ends",
         "key material was never imported (PendingImport) or its custom key store is "
         "disconnected (Unavailable)"),
        (f"aws kms describe-key {K} --query 'KeyMetadata.[KeyState,DeletionDate]'",),
        (f"aws kms cancel-key-deletion {K}   # while PendingDeletion",
         f"aws kms enable-key {K}")))
    arn = field("Arn", doc="The key's ARN.")
    key_manager = field("KeyManager", doc="CUSTOMER or AWS (AWS managed keys rotate by themselves).")
    key_spec = field("KeySpec", default="SYMMETRIC_DEFAULT", doc="SYMMETRIC_DEFAULT, RSA_2048...")

    @property
    @probe(Hint(
        "KMS key {name} in {region} does not rotate its key material automatically",
        ("automatic rotation is off by default for customer managed keys",
         "the key definition lacks enable_key_rotation = true (Terraform) / enableKeyRotation (CDK)",
         "the key is asymmetric or HMAC, or uses imported material: those cannot rotate automatically"),
        (f"aws kms get-key-rotation-status {K}",),
        (f"aws kms enable-key-rotation {K}",)), truthy, reads=("describe", "get_key_rotation_status"))
    def rotation_enabled(self) -> bool:
        """True when automatic yearly rotation is on (AWS managed keys always rotate)."""
        if self.describe().get("KeyManager") == "AWS":
            return True
        key_id = self.describe()["KeyId"]
        return bool(self.call("get_key_rotation_status", KeyId=key_id).get("KeyRotationEnabled"))

    @probe(Hint(
        "KMS key {name} in {region}: its key policy does not let {principal} call {action} "
        "({decision})",
        ("the key policy names another role, or only the account root without the IAM "
         "delegation statement the principal's own policy then needs",
         "a Deny statement in the key policy matches the principal",
         "the principal was recreated: key policies pin the principal's unique ID"),
        (f"aws kms get-key-policy {K} --policy-name default --output text",
         "aws kms list-grants --key-id {name} --region {region}"),
        (f"aws kms put-key-policy {K} --policy-name default --policy file://key-policy.json"
         "   # add an Allow statement for {principal} and {action}",)),
     truthy, reads=("describe", "get_key_policy"))
    def policy_allows(self, principal: str, action: str = "kms:Decrypt") -> KeyPolicyCheck:
        """Whether the key policy allows ``principal`` (an IAM ARN or account ID) to call
        ``action``; an Allow for the account root counts, since IAM policies then decide."""
        key_id = self.describe()["KeyId"]
        text = self.call("get_key_policy", KeyId=key_id, PolicyName="default")["Policy"]
        statements = json.loads(text).get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        matching = [s for s in statements
                    if _matches_action(s, action) and _matches_principal(s, principal)]
        return KeyPolicyCheck(principal, action,
                              any(s.get("Effect") == "Allow" for s in matching),
                              any(s.get("Effect") == "Deny" for s in matching))


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _matches_action(statement: dict[str, Any], action: str) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower())
               for pattern in _listed(statement.get("Action")))


def _matches_principal(statement: dict[str, Any], principal: str) -> bool:
    named = statement.get("Principal")
    if named == "*":
        return True
    names = _listed(named.get("AWS")) if isinstance(named, dict) else []
    account = principal.split(":")[4] if principal.startswith("arn:") else principal
    return any(name in ("*", principal, account) or name == f"arn:aws:iam::{account}:root"
               or name.endswith(f":{account}:root") for name in names)
