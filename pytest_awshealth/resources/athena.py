"""Athena workgroups and queries."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from typing import Any, Optional

from ..deprecations import renamed
from ..errors import AwsCallError, ResourceNotFound
from ..probes import equals, field, probe, truthy
from ..remediation import Hint
from .base import Resource

DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
NOT_FOUND_WORDS = re.compile(r"not found|does not exist", re.I)
QUERY_READS = ("describe", "start_query_execution", "get_query_execution", "get_query_results",
               "stop_query_execution")
W = "--work-group {name} --region {region}"
ENABLED = Hint(
    "Athena workgroup {name} in {region} is DISABLED: queries in it are rejected",
    ("the workgroup was disabled by hand or by a cost-control action",),
    ("aws athena get-work-group " + W + " --query WorkGroup.State",),
    ("aws athena update-work-group --work-group {name} --state ENABLED --region {region}",))


@dataclass(frozen=True)
class QueryResult:
    """The end state of an Athena query."""

    query_id: str
    state: str
    reason: str = ""
    rows: list[list[Optional[str]]] = dataclasses.field(default_factory=list)
    bytes_scanned: int = 0

    @property
    def ok(self) -> bool:
        return self.state == "SUCCEEDED"

    def hint_context(self) -> dict[str, Any]:
        return {"query_id": self.query_id, "reason": self.reason or self.state}


class AthenaWorkgroup(Resource):
    """An Athena workgroup: ``assert athena.query("SELECT 1").ok``."""

    fixture = "athena"
    service = "athena"
    kind = "Athena workgroup"
    hint_prefix = "athena.workgroup"
    describe_operations = ("get_work_group",)
    healthy_when = ("status",)
    hints = {"missing": Hint(
        "Athena workgroup {name} does not exist in {region}",
        ("the deploy did not create it", "output '{output}' is wrong"),
        ("aws athena list-work-groups --region {region}", "aws athena get-work-group " + W),
        ("re-run the deploy so the workgroup is created",))}

    def describe(self) -> dict[str, Any]:
        group = self.call("get_work_group", WorkGroup=self.name).get("WorkGroup")
        if not group:  # real AWS raises InvalidRequestException for an unknown workgroup
            raise ResourceNotFound(self, "GetWorkGroup", "InvalidRequestException",
                                   f"WorkGroup {self.name} is not found.", "athena:GetWorkGroup")
        return group

    def is_not_found(self, code: str) -> bool:
        return code == "ResourceNotFoundException"

    def _map_error(self, client: Any, method: str, exc: Any) -> AwsCallError:
        """InvalidRequestException means "not found" only when it says so; Athena also
        uses it for a disabled workgroup or a missing result location."""
        mapped = super()._map_error(client, method, exc)
        if (type(mapped) is AwsCallError and mapped.code == "InvalidRequestException"
                and NOT_FOUND_WORDS.search(mapped.message)):
            mapped = ResourceNotFound(self, mapped.operation, mapped.code, mapped.message,
                                      mapped.action)
            mapped.__suppress_context__ = True
        return mapped

    status = field("State", equals("ENABLED"), hint=ENABLED,
                   doc="The workgroup's State (str: ENABLED or DISABLED); healthy: ENABLED.")
    enabled = field("State", truthy, then=lambda state: state == "ENABLED", hint=ENABLED,
                    doc="True (healthy) when the workgroup's State is ENABLED.")
    workgroup_exists = renamed("exists")
    workgroup_enabled = renamed("enabled")

    @probe(Hint(
        "Athena query {query_id} in workgroup {name} ({region}) did not succeed: {reason}",
        ("the Glue database or table does not exist, or the table schema does not match the data",
         "the workgroup has no query result location, or cannot write to it",
         "the workgroup is disabled, or the caller lacks athena/glue/s3 permissions"),
        ("aws athena get-query-execution --query-execution-id {query_id} --region {region} --query 'QueryExecution.Status'",
         "aws athena get-work-group " + W),
        ('aws athena start-query-execution --query-string "SELECT 1" ' + W + "   # retry after fixing the cause",)),
        lambda result: result.ok, reads=QUERY_READS, read_only=False)
    def query(self, sql: str, database: Optional[str] = None, timeout: float = 60.0,
              output_location: Optional[str] = None) -> QueryResult:
        """Run ``sql`` in this workgroup and wait (with backoff) until it ends or ``timeout``:
        :class:`QueryResult`; healthy: ``.ok`` (SUCCEEDED). Only on an explicit call.

        A query AWS refuses to start (a DISABLED workgroup, no result location) is a FAILED
        result with AWS's reason; the workgroup's state is checked first, as emulators
        run queries in disabled workgroups."""
        if self.describe().get("State") == "DISABLED":
            return QueryResult("(not started)", "FAILED", f"workgroup {self.name} is DISABLED")
        params: dict[str, Any] = {"QueryString": sql, "WorkGroup": self.name}
        if database:
            params["QueryExecutionContext"] = {"Database": database}
        if output_location:
            params["ResultConfiguration"] = {"OutputLocation": output_location}
        try:
            query_id = self.call_fresh("start_query_execution", **params)["QueryExecutionId"]
        except AwsCallError as exc:
            if type(exc) is not AwsCallError or exc.code != "InvalidRequestException":
                raise
            return QueryResult("(not started)", "FAILED", exc.message)
        execution = self._wait(query_id, timeout)
        status = execution["Status"]
        result = QueryResult(query_id, status["State"], status.get("StateChangeReason", ""),
                             bytes_scanned=execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        if result.ok:
            return QueryResult(**{**result.__dict__, "rows": self._rows(query_id)})
        return result

    def _wait(self, query_id: str, timeout: float) -> dict[str, Any]:
        deadline, delay = time.monotonic() + timeout, 0.05
        while True:
            execution = self.call_fresh("get_query_execution",
                                        QueryExecutionId=query_id)["QueryExecution"]
            state = execution["Status"]["State"]
            if state in DONE:
                return execution
            if time.monotonic() + delay > deadline:
                self._stop(query_id)
                execution["Status"] = {"State": "TIMED_OUT",
                                       "StateChangeReason": f"still {state} after {timeout:g}s"}
                return execution
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _stop(self, query_id: str) -> None:
        try:
            self.call_fresh("stop_query_execution", QueryExecutionId=query_id)
        except AwsCallError:
            pass

    def _rows(self, query_id: str) -> list[list[Optional[str]]]:
        answer = self.call_fresh("get_query_results", QueryExecutionId=query_id)
        rows = answer.get("ResultSet", {}).get("Rows", [])
        return [[cell.get("VarCharValue") for cell in row.get("Data", [])] for row in rows]

