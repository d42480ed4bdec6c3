"""DynamoDB tables."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import equals, probe, truthy
from ..remediation import Hint
from .base import Resource

R = "--table-name {name} --region {region}"


class DynamoTable(Resource):
    """A DynamoDB table: ``assert dynamo_table.ttl_enabled``."""

    service = "dynamodb"
    kind = "DynamoDB table"
    hint_prefix = "dynamodb.table"

    def describe(self) -> dict[str, Any]:
        return self.call("describe_table", TableName=self.name)["Table"]

    def _ttl(self) -> dict[str, Any]:
        return self.call("describe_time_to_live", TableName=self.name)["TimeToLiveDescription"]

    @property
    @probe("status", equals("ACTIVE"))
    def status(self) -> str:
        """TableStatus: ACTIVE when usable."""
        return self.describe()["TableStatus"]

    @property
    @probe("ttl", truthy)
    def ttl_enabled(self) -> bool:
        """True when Time to Live is ENABLED (ENABLING does not count yet)."""
        return self._ttl().get("TimeToLiveStatus") == "ENABLED"

    @property
    @probe("ttl")
    def ttl_attribute(self) -> Optional[str]:
        """The attribute TTL reads expiry times from, or None."""
        return self._ttl().get("AttributeName")

    @property
    @probe("billing")
    def billing_mode(self) -> str:
        """PAY_PER_REQUEST or PROVISIONED (tables created before on-demand report neither)."""
        summary = self.describe().get("BillingModeSummary") or {}
        return summary.get("BillingMode", "PROVISIONED")

    @property
    @probe("keys")
    def key_schema(self) -> dict[str, str]:
        """Key attribute names by role, e.g. ``{"HASH": "pk", "RANGE": "sk"}``."""
        return {k["KeyType"]: k["AttributeName"] for k in self.describe()["KeySchema"]}

    @property
    def arn(self) -> str:
        return self.describe()["TableArn"]

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "ttl_attribute": self._ttl_attribute_or_default}

    def _ttl_attribute_or_default(self) -> str:
        return self._ttl().get("AttributeName") or "ttl"


HINTS = {
    "dynamodb.table.missing": Hint(
        "DynamoDB table {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong table name"),
        (f"aws dynamodb describe-table {R}",
         "aws dynamodb list-tables --region {region}"),
        ("re-run the deploy (terraform apply / cdk deploy) so the table is created",)),
    "dynamodb.table.status": Hint(
        "DynamoDB table {name} in {region} is not ACTIVE",
        ("the table is still CREATING or UPDATING (an index backfill can take minutes)",
         "the table is being deleted, or its KMS key is inaccessible (INACCESSIBLE_ENCRYPTION_CREDENTIALS)"),
        (f"aws dynamodb describe-table {R} --query 'Table.[TableStatus,GlobalSecondaryIndexes[].IndexStatus]'",),
        (f"aws dynamodb wait table-exists {R}",)),
    "dynamodb.table.ttl": Hint(
        "DynamoDB table {name} in {region} does not have TTL enabled",
        ("TTL was never enabled (no ttl block in the table definition, or enabled = false)",
         "TTL was enabled on a different attribute name than the application writes",
         "TTL was disabled recently; it cannot be re-enabled for up to an hour after a change"),
        (f"aws dynamodb describe-time-to-live {R}",),
        (f'aws dynamodb update-time-to-live {R} --time-to-live-specification "Enabled=true, AttributeName={{ttl_attribute}}"',)),
    "dynamodb.table.billing": Hint(
        "DynamoDB table {name} in {region} has an unexpected billing mode",
        ("the table definition sets billing_mode differently from what the check expects",),
        (f"aws dynamodb describe-table {R} --query 'Table.BillingModeSummary'",),
        (f"aws dynamodb update-table {R} --billing-mode PAY_PER_REQUEST",)),
    "dynamodb.table.keys": Hint(
        "DynamoDB table {name} in {region} has an unexpected key schema",
        ("the table was created from an older definition; key schemas cannot change in place",),
        (f"aws dynamodb describe-table {R} --query 'Table.KeySchema'",),
        ("replace the table through the deploy tool (changing keys recreates it: back up data first)",)),
}


FIXTURES = {"dynamo_table": DynamoTable}
