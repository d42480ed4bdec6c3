"""Cognito user pools and their users."""

from __future__ import annotations

import re
from typing import Any, Optional

from ..probes import field, one_of, probe, truthy
from ..remediation import Hint
from .base import Resource

#: User statuses that can sign in (federated users are EXTERNAL_PROVIDER).
SIGN_IN_STATUSES = ("CONFIRMED", "EXTERNAL_PROVIDER")
_POOL_ID = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)_\w+$")

P = "--user-pool-id {pool_id} --region {region}"
U = "--user-pool-id {pool_id} --username {username} --region {region}"


def _pool_id(name: str) -> str:
    """A pool id from an id or an ARN (``arn:aws:cognito-idp:R:A:userpool/ID``)."""
    return name.rsplit("/", 1)[-1] if name.startswith("arn:") else name


def _pool_region(pool_id: str) -> Optional[str]:
    """The region a pool id names (``us-west-2_AbC`` -> ``us-west-2``)."""
    match = _POOL_ID.match(pool_id)
    return match.group(1) if match else None


class CognitoUser(Resource):
    """One user of a user pool: ``assert user_pool.user("alice").status == "CONFIRMED"``."""

    service = "cognito-idp"
    kind = "Cognito user"
    hint_prefix = "cognito.user"
    not_found_codes = frozenset({"UserNotFoundException", "ResourceNotFoundException"})
    describe_operations = ("admin_get_user",)
    healthy_when = ("status", "enabled")
    hints = {"missing": Hint(
        "Cognito user {username} does not exist in user pool {pool_id} ({region})",
        ("the user never signed up, or was deleted",
         "users sign in with an alias (email) but the check uses another username",
         "the user pool itself is missing or was replaced"),
        ("aws cognito-idp admin-get-user " + U,
         'aws cognito-idp list-users ' + P + ' --filter "username = \\"{username}\\""'),
        ("aws cognito-idp admin-create-user " + U + " --message-action SUPPRESS",))}

    def __init__(self, username: str, *, user_pool: str, **kwargs: Any) -> None:
        self.pool_id = _pool_id(user_pool)
        kwargs["region"] = kwargs.get("region") or _pool_region(self.pool_id)
        super().__init__(username, **kwargs)

    def describe(self) -> dict[str, Any]:
        return self.call("admin_get_user", UserPoolId=self.pool_id, Username=self.name)

    status = field("UserStatus", one_of(*SIGN_IN_STATUSES), default="UNKNOWN", then=str, hint=Hint(
        "Cognito user {username} in user pool {pool_id} ({region}) is {status}: they cannot sign in",
        ("UNCONFIRMED: the verification code never arrived (SES sandbox, spam) or expired after 24 h",
         "FORCE_CHANGE_PASSWORD: created by an admin with a temporary password never changed",
         "RESET_REQUIRED: an admin reset the password; the user must set a new one",
         "COMPROMISED/ARCHIVED: blocked by advanced security or archived"),
        ("aws cognito-idp admin-get-user " + U + " --query UserStatus",),
        ("aws cognito-idp admin-confirm-sign-up " + U + "   # UNCONFIRMED",
         "aws cognito-idp admin-set-user-password " + U
         + " --password '<new password>' --permanent   # FORCE_CHANGE_PASSWORD / RESET_REQUIRED",
         "aws cognito-idp resend-confirmation-code --client-id <app-client-id> --username {username} --region {region}")),
                   doc="UserStatus (str); healthy: CONFIRMED (or EXTERNAL_PROVIDER for federated "
                   "users). UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, ARCHIVED, "
                   "COMPROMISED cannot sign in (or not without a detour).")
    enabled = field("Enabled", truthy, default=True, then=bool, hint=Hint(
        "Cognito user {username} in user pool {pool_id} ({region}) is disabled",
        ("an admin disabled the account (admin-disable-user), e.g. during an incident",),
        ("aws cognito-idp admin-get-user " + U + " --query Enabled",),
        ("aws cognito-idp admin-enable-user " + U,)),
                    doc="Enabled (bool); healthy: True (False after admin-disable-user).")

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "username": self.name, "pool_id": self.pool_id,
                "status": lambda: self.describe().get("UserStatus", "UNKNOWN")}


class UserPool(Resource):
    """A Cognito user pool: ``assert user_pool.user_status("alice") == "CONFIRMED"``."""

    fixture = "user_pool"
    service = "cognito-idp"
    kind = "Cognito user pool"
    hint_prefix = "cognito.user_pool"
    not_found_codes = frozenset({"ResourceNotFoundException"})
    describe_operations = ("describe_user_pool",)
    healthy_when = ("app_client_ids",)
    hints = {"missing": Hint(
        "Cognito user pool {pool_id} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was replaced (a replaced pool gets a new id)",
         "output '{output}' holds a stale pool id",
         "the checks run in another region than the pool (the id starts with its region)"),
        ("aws cognito-idp describe-user-pool " + P,
         "aws cognito-idp list-user-pools --max-results 60 --region {region}"),
        ("re-run the deploy (cdk deploy / terraform apply) and refresh the outputs file",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        pool_id = _pool_id(name)
        kwargs["region"] = kwargs.get("region") or _pool_region(pool_id)
        super().__init__(pool_id, **kwargs)
        self._users: dict[str, CognitoUser] = {}

    def describe(self) -> dict[str, Any]:
        return self.call("describe_user_pool", UserPoolId=self.name)["UserPool"]

    @property
    def pool_id(self) -> str:
        return self.name

    mfa_configuration = field("MfaConfiguration", one_of("ON", "OPTIONAL"), default="OFF",
                              then=str, hint=Hint(
        "Cognito user pool {pool_id} in {region} does not have the expected MFA configuration",
        ("MFA is OFF: the pool was created without an mfa setting",
         "MFA was switched to OPTIONAL/OFF by hand, or the environment's config differs"),
        ("aws cognito-idp get-user-pool-mfa-config " + P,
         "aws cognito-idp describe-user-pool " + P + " --query UserPool.MfaConfiguration"),
        ("aws cognito-idp set-user-pool-mfa-config " + P
         + " --mfa-configuration OPTIONAL --software-token-mfa-configuration Enabled=true",)),
                              doc="MfaConfiguration (str: OFF, ON or OPTIONAL); healthy: ON or "
                              "OPTIONAL.")

    @property
    @probe(Hint(
        "Cognito user pool {pool_id} in {region} has no app client",
        ("the app client was not created by the deploy, or was deleted",
         "the frontend uses a client id from another pool"),
        ("aws cognito-idp list-user-pool-clients " + P,),
        ("aws cognito-idp create-user-pool-client " + P + " --client-name web --no-generate-secret",)),
        truthy, reads=("list_user_pool_clients",))
    def app_client_ids(self) -> list[str]:
        """Ids of the pool's app clients (list[str]); healthy: at least one (a pool without
        one cannot be signed in to)."""
        ids: list[str] = []
        token: Optional[str] = None
        while True:
            params: dict[str, Any] = {"UserPoolId": self.name, "MaxResults": 60}
            if token:
                params["NextToken"] = token
            answer = self.call("list_user_pool_clients", **params)
            ids += [c["ClientId"] for c in answer.get("UserPoolClients", [])]
            token = answer.get("NextToken")
            if not token:
                return ids

    def user(self, username: str) -> CognitoUser:
        """The handle of one user; its probes name the user in hints."""
        if username not in self._users:
            self._users[username] = CognitoUser(username, user_pool=self.name, aws=self.aws,
                                                region=self._region, output=self.output)
        return self._users[username]

    def user_status(self, username: str) -> str:
        """``user(username).status``: CONFIRMED healthy; a missing user fails with a hint."""
        return self.user(username).status

    def user_enabled(self, username: str) -> bool:
        """``user(username).enabled``."""
        return self.user(username).enabled

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "pool_id": self.name}
