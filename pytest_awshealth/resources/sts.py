"""The caller identity (STS)."""

from __future__ import annotations

from typing import Any

from ..clients import AwsContext
from ..probes import probe
from ..remediation import Hint


class CallerIdentity:
    """Who the checks run as: ``aws_identity.account``, ``aws_identity.arn``."""

    kind = "caller identity"
    hint_prefix = "sts.identity"

    def __init__(self, aws: AwsContext) -> None:
        self.aws = aws

    def __repr__(self) -> str:
        return "CallerIdentity()"

    @property
    @probe("account")
    def account(self) -> str:
        return self.aws.identity["Account"]

    @property
    @probe("account")
    def arn(self) -> str:
        return self.aws.identity["Arn"]

    @property
    def user_id(self) -> str:
        return self.aws.identity["UserId"]

    def hint_context(self) -> dict[str, Any]:
        return {"region": lambda: self.aws.region, "name": "caller"}


HINTS = {
    "sts.identity.account": Hint(
        "The checks run as an unexpected identity or account",
        ("AWS_PROFILE or the CI role points at another account than the deploy",
         "the role to assume (--aws-role-arn) is wrong or missing"),
        ("aws sts get-caller-identity", "aws configure list"),
        ("export AWS_PROFILE=<profile-of-the-deploy-account>   # or pass --aws-profile / --aws-role-arn",)),
}
