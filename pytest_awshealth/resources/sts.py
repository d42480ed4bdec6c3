"""The caller identity (STS)."""

from __future__ import annotations

from typing import Any

from ..clients import AwsContext
from ..probes import probe
from ..remediation import Hint
from .registry import catalog

IDENTITY = Hint(
    "The checks run as an unexpected identity or account",
    ("AWS_PROFILE or the CI role points at another account than the deploy",
     "the role to assume (--aws-role-arn) is wrong or missing"),
    ("aws sts get-caller-identity", "aws configure list"),
    ("export AWS_PROFILE=<profile-of-the-deploy-account>   # or pass --aws-profile / --aws-role-arn",))


@catalog
class CallerIdentity:
    """Who the checks run as: ``aws_identity.account``, ``aws_identity.arn``. Not a
    resource (no fixture of its own: ``aws_identity`` yields it); its hints are cataloged."""

    kind = "caller identity"
    hint_prefix = "sts.identity"
    describe_operations = ("get_caller_identity",)

    def __init__(self, aws: AwsContext) -> None:
        self.aws = aws

    def __repr__(self) -> str:
        return "CallerIdentity()"

    @property
    @probe(IDENTITY)
    def account(self) -> str:
        """The account id (str) the checks run in; no healthy value (compare it)."""
        return self.aws.identity["Account"]

    @property
    @probe(IDENTITY)
    def arn(self) -> str:
        """The caller's ARN (str: a user, or an assumed-role session); no healthy value."""
        return self.aws.identity["Arn"]

    @property
    def user_id(self) -> str:
        """The caller's UserId (str)."""
        return self.aws.identity["UserId"]

    @property
    def healthy(self) -> bool:
        """True when STS accepts the credentials (rejected ones fail with their own hint)."""
        return bool(self.account)

    def hint_context(self) -> dict[str, Any]:
        return {"region": lambda: self.aws.region, "name": "caller"}
