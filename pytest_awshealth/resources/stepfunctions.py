"""Step Functions state machines and their executions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Optional, Union

from ..deprecations import CallableCollection
from ..probes import empty, equals, field, not_yet, probe
from ..remediation import Hint
from .base import Resource, arn_region
from .cloudwatch import Metrics

FAILED_STATUSES = ("FAILED", "TIMED_OUT", "ABORTED")
#: Execution statuses that end by themselves (DescribeExecution docs).
RUNNING_STATUSES = ("RUNNING", "PENDING_REDRIVE")
MAX_RESULTS = 1000  # ListExecutions page size limit
#: History event detail fields that carry an error and a cause, most specific first.
_FAILURE_DETAILS = ("executionFailedEventDetails", "executionTimedOutEventDetails",
                    "executionAbortedEventDetails", "taskFailedEventDetails",
                    "lambdaFunctionFailedEventDetails", "lambdaFunctionTimedOutEventDetails",
                    "activityFailedEventDetails", "taskTimedOutEventDetails")
Since = Union[datetime, timedelta, None]
LIST = ("list_executions",)

A = "--state-machine-arn {arn} --region {region}"
E = "--execution-arn {execution_arn} --region {region}"
EXECUTIONS = Hint(
    "Step Functions state machine {name} in {region} has unexpected recent executions",
    ("the schedule (EventBridge rule) did not start it: rule disabled or missing target",
     "executions are still RUNNING, waiting on a task that never reports back"),
    ("aws stepfunctions list-executions " + A + " --max-items 10",
     "aws stepfunctions list-executions " + A + " --status-filter RUNNING"),
    ("aws stepfunctions start-execution " + A + " --input '{{}}'   # a manual run",))
FAILURES = Hint(
    "Step Functions state machine {name} in {region} has failed executions; newest: "
    "{execution} {error}: {cause}",
    ("a Lambda task timed out or raised (see the cause above)",
     "the state machine role lacks permission to invoke a task (States.TaskFailed / AccessDenied)",
     "a service quota or throttling limit was hit",
     "the input is invalid for a state (States.Runtime, JSONPath errors)"),
    ("aws stepfunctions list-executions " + A + " --status-filter FAILED --max-items 10",
     "aws stepfunctions describe-execution " + E + " --query '[status,error,cause]'",
     "aws stepfunctions get-execution-history " + E + " --reverse-order --max-items 10"),
    ("fix the failing task, then start a new run: aws stepfunctions start-execution " + A
     + " --input file://input.json",
     "aws stepfunctions redrive-execution " + E + "   # re-run from the failed state (Standard workflows)"))


@dataclass(frozen=True)
class Execution:
    """One execution as ListExecutions reports it."""

    arn: str
    name: str
    status: str
    start: Optional[datetime] = None
    stop: Optional[datetime] = None

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass(frozen=True)
class ExecutionFailure:
    """Why an execution failed: the error and cause AWS recorded."""

    arn: str
    name: str
    status: str
    error: str = ""
    cause: str = ""
    start: Optional[datetime] = None

    def hint_context(self) -> dict[str, Any]:
        return {"execution_arn": self.arn, "execution": self.name, "error": self.error or self.status,
                "cause": self.cause or "-"}


class Executions(CallableCollection, list):  # type: ignore[type-arg]
    """A list of :class:`Execution`, newest first; hints name the newest one's error and
    cause."""

    def __init__(self, items: list[Execution], explain: Callable[[Execution], ExecutionFailure]) -> None:
        super().__init__(items)
        self._explain = explain

    def hint_context(self) -> dict[str, Any]:
        if not self:
            return {}
        failure: dict[str, Any] = {}

        def lazy(key: str) -> Callable[[], str]:
            def value() -> str:
                if not failure:
                    failure.update(self._explain(self[0]).hint_context())
                return str(failure[key])
            return value

        return {"execution_arn": lazy("execution_arn"), "execution": lazy("execution"),
                "error": lazy("error"), "cause": lazy("cause")}


def _executions_running(machine: StateMachine, executions: Any) -> Optional[str]:
    """Some listed execution is still running and none has failed."""
    statuses = {e.status for e in executions or ()}
    if statuses & set(FAILED_STATUSES):
        return None
    running = statuses & set(RUNNING_STATUSES)
    return ", ".join(sorted(running)) or None


class StateMachine(Resource, Metrics):
    """A Step Functions state machine: ``assert not state_machine.failed_executions``."""

    fixture = "state_machine"
    service = "stepfunctions"
    kind = "Step Functions state machine"
    hint_prefix = "stepfunctions.state_machine"
    arn_format = "arn:{partition}:states:{region}:{account}:stateMachine:{name}"
    not_found_codes = frozenset({"StateMachineDoesNotExist", "ExecutionDoesNotExist",
                                 "ResourceNotFound"})
    #: STS GetCallerIdentity (once per run) for the ARN of one made by name.
    describe_operations = ("describe_state_machine", "get_caller_identity")
    healthy_when = ("status",)
    metric_namespace = "AWS/States"
    hints = {"missing": Hint(
        "Step Functions state machine {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or the definition failed validation so the stack rolled back",
         "output '{output}' holds a stale ARN (a replaced state machine gets a new name)"),
        ("aws stepfunctions list-state-machines --region {region} --query 'stateMachines[].[name,stateMachineArn]'",
         "aws stepfunctions describe-state-machine " + A),
        ("aws stepfunctions validate-state-machine-definition --definition file://state-machine.json",
         "re-run the deploy so the state machine is created"))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        self._arn: Optional[str] = None
        if name.startswith("arn:") and ":stateMachine:" in name:
            self._arn = name
            kwargs["region"] = kwargs.get("region") or arn_region(name)
            name = name.split(":stateMachine:", 1)[1].split(":", 1)[0]
        super().__init__(name, **kwargs)

    @property
    def arn(self) -> str:
        """The ARN given, or the one AWS gives a state machine of this name."""
        if self._arn is None:
            partition = self.aws.identity["Arn"].split(":")[1]
            self._arn = f"arn:{partition}:states:{self.region}:{self.aws.account}:stateMachine:{self.name}"
        return self._arn

    def describe(self) -> dict[str, Any]:
        return self.call("describe_state_machine", stateMachineArn=self.arn)

    def metric_dimensions(self) -> dict[str, str]:
        return {"StateMachineArn": self.arn}

    status = field("status", equals("ACTIVE"), default="ACTIVE", then=str, hint=Hint(
        "Step Functions state machine {name} in {region} is not ACTIVE",
        ("it is being deleted (DELETING): a delete ran while executions were still running",),
        ("aws stepfunctions describe-state-machine " + A + " --query status",),
        ("re-run the deploy once the deletion has finished",)),
                   doc="The state machine's status (str); healthy: ACTIVE (DELETING after "
                   "delete-state-machine).")

    @property
    @probe(EXECUTIONS, transitional=_executions_running, reads=LIST)
    def recent_executions(self) -> Executions:
        """The 10 newest executions, newest first (:class:`Executions`; no healthy value,
        transitional while one is RUNNING). ``list_executions(limit=)`` takes another limit."""
        return self._executions(10).formerly(self, "recent_executions", "list_executions")

    @probe(EXECUTIONS, transitional=_executions_running, reads=LIST)
    def list_executions(self, limit: int = 10) -> Executions:
        """The newest ``limit`` executions, newest first (:class:`Executions`; no healthy
        value, transitional while one is RUNNING)."""
        return self._executions(limit)

    def _executions(self, limit: int) -> Executions:
        return Executions([_execution(e) for e in self._recent(limit)], self.explain)

    @property
    @probe(EXECUTIONS, equals("SUCCEEDED"), transitional=not_yet(*RUNNING_STATUSES), reads=LIST)
    def last_execution_status(self) -> Optional[str]:
        """Status of the newest execution (str: SUCCEEDED, RUNNING, FAILED...; None if none
        ran); healthy: SUCCEEDED, transitional while RUNNING."""
        newest = self._recent(1)
        return str(newest[0].get("status", "")) if newest else None

    @property
    @probe(FAILURES, empty, reads=LIST)
    def failed_executions(self) -> Executions:
        """Executions among the 10 newest that FAILED, TIMED_OUT or were ABORTED
        (:class:`Executions`); healthy: empty. ``list_failed_executions(limit=, since=)``
        looks at another number of runs, or only at those started since a time."""
        return self._failed(10, None).formerly(self, "failed_executions", "list_failed_executions")

    @probe(FAILURES, empty, reads=LIST)
    def list_failed_executions(self, limit: int = 10, since: Since = None) -> Executions:
        """Executions among the newest ``limit`` (started after ``since`` if given: a
        datetime or a timedelta back from now) that FAILED, TIMED_OUT or were ABORTED
        (:class:`Executions`); healthy: empty. A failure older than the last ``limit`` runs
        no longer counts."""
        return self._failed(limit, since)

    def _failed(self, limit: int, since: Since) -> Executions:
        cutoff = _cutoff(since)
        failed = [e for e in map(_execution, self._recent(limit))
                  if e.failed and (cutoff is None or (e.start is not None and _aware(e.start) >= cutoff))]
        return Executions(failed, self.explain)

    @property
    @probe(FAILURES, reads=LIST + ("describe_execution", "get_execution_history"))
    def last_failure(self) -> Optional[ExecutionFailure]:
        """The newest FAILED / TIMED_OUT / ABORTED execution ever, with error and cause
        (:class:`ExecutionFailure`, None when none failed; no healthy value)."""
        newest: list[Execution] = []
        for status in FAILED_STATUSES:
            answer = self.call("list_executions", stateMachineArn=self.arn, statusFilter=status,
                               maxResults=1)
            newest += [_execution(e) for e in answer.get("executions", [])]
        if not newest:
            return None
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        return self.explain(max(newest, key=lambda e: _aware(e.start) if e.start else epoch))

    def _recent(self, limit: int) -> list[dict[str, Any]]:
        """Raw ListExecutions entries, newest first (one page: at most 1000)."""
        limit = max(1, min(limit, MAX_RESULTS))
        answer = self.call("list_executions", stateMachineArn=self.arn, maxResults=limit)
        return list(answer.get("executions", []))[:limit]

    def explain(self, execution: Execution) -> ExecutionFailure:
        """Error and cause of ``execution``: DescribeExecution, else its history."""
        detail = self.call("describe_execution", executionArn=execution.arn)
        error, cause = detail.get("error", ""), detail.get("cause", "")
        if not error and not cause:
            error, cause = self._from_history(execution.arn)
        return ExecutionFailure(execution.arn, execution.name, detail.get("status", execution.status),
                                error, cause, execution.start)

    def _from_history(self, execution_arn: str) -> tuple[str, str]:
        answer = self.call("get_execution_history", executionArn=execution_arn,
                           reverseOrder=True, maxResults=100)
        for event in sorted(answer.get("events", []), key=lambda e: e.get("id", 0), reverse=True):
            for detail in _FAILURE_DETAILS:
                if detail in event:
                    return event[detail].get("error", ""), event[detail].get("cause", "")
        return "", ""

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "arn": lambda: self.arn,
                "execution_arn": "<execution-arn>", "error": "<error>", "cause": "-"}


def _execution(raw: dict[str, Any]) -> Execution:
    return Execution(raw["executionArn"], raw.get("name") or raw["executionArn"].rsplit(":", 1)[-1],
                     raw.get("status", ""), raw.get("startDate"), raw.get("stopDate"))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _cutoff(since: Since) -> Optional[datetime]:
    if since is None:
        return None
    if isinstance(since, timedelta):
        return datetime.now(timezone.utc) - since
    return _aware(since)


