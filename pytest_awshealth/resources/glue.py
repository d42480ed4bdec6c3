"""Glue Data Catalog databases."""

from __future__ import annotations

from typing import Any, Optional

from ..probes import probe
from ..remediation import Hint
from .base import Resource


class GlueDatabase(Resource):
    """A Glue database: ``assert "cloudtrail" in glue_database.tables``."""

    fixture = "glue_database"
    service = "glue"
    kind = "Glue database"
    hint_prefix = "glue.database"
    arn_format = "arn:{partition}:glue:{region}:{account}:database/{name}"
    named_from_arn = True
    describe_operations = ("get_database",)
    hints = {"missing": Hint(
        "Glue database {name} does not exist in {region}",
        ("the deploy did not create the catalog database", "output '{output}' is wrong",
         "Athena queries run in another region than the catalog"),
        ("aws glue get-database --name {name} --region {region}",
         "aws glue get-databases --region {region} --query 'DatabaseList[].Name'"),
        ("aws glue create-database --database-input Name={name} --region {region}   # or re-run the deploy",))}

    def describe(self) -> dict[str, Any]:
        return self.call("get_database", Name=self.name)["Database"]

    @property
    @probe(Hint(
        "Glue database {name} in {region} lacks an expected table",
        ("the crawler has not run yet, or failed", "the table definition was not deployed"),
        ("aws glue get-tables --database-name {name} --region {region} --query 'TableList[].Name'",
         "aws glue list-crawlers --region {region}"),
        ("aws glue start-crawler --name <crawler-name> --region {region}",)), reads=("get_tables",))
    def tables(self) -> list[str]:
        """Names of the tables in the database (list of str, every page; no healthy value:
        ``assert "cloudtrail" in glue_database.tables``)."""
        names: list[str] = []
        token: Optional[str] = None
        while True:
            answer = self.call("get_tables", DatabaseName=self.name,
                               **({"NextToken": token} if token else {}))
            names.extend(table["Name"] for table in answer.get("TableList", []))
            token = answer.get("NextToken")
            if not token:
                return names
