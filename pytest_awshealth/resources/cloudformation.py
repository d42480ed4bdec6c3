"""CloudFormation stacks (CDK, SAM, plain templates) and the CDK bootstrap stack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

from ..deprecations import CallableCollection
from ..errors import AwsCallError, ResourceNotFound
from ..probes import empty, field, not_yet, one_of, probe, truthy
from ..remediation import Hint
from .base import Resource, attempt

#: The only settled, good states. UPDATE_ROLLBACK_COMPLETE is settled but means the last
#: update failed and was undone.
HEALTHY_STATUSES = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE")
#: Operations under way that end in one of HEALTHY_STATUSES. Not the rollbacks
#: (ROLLBACK_, UPDATE_ROLLBACK_, IMPORT_ROLLBACK_*_IN_PROGRESS) nor DELETE_IN_PROGRESS: they
#: end in states botocore's stack waiters treat as failures; nor REVIEW_IN_PROGRESS, which
#: waits for someone to execute a change set.
SETTLING_STATUSES = ("CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS",
                     "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_IN_PROGRESS")
EVENT_PAGES = 5  # describe-stack-events pages (100 events each) searched for failures
USER_INITIATED = "User Initiated"  # reason of the stack event that starts each operation
EVENTS_READ = ("describe", "describe_stack_events")
#: The bootstrap version is the stack's output or, failing that, an SSM parameter.
VERSION_READS = ("describe", "get_parameter")

S = "--stack-name {name} --region {region}"
FAILED_EVENTS = ("aws cloudformation describe-stack-events " + S
                 + " --query \"StackEvents[?contains(ResourceStatus,'FAILED')]"
                 ".[LogicalResourceId,ResourceType,ResourceStatusReason]\" --output table")
#: ``{kind}`` and ``{deploy_command}`` come from the handle: a CDK bootstrap stack is
#: deployed again with ``cdk bootstrap``, any other stack with ``cdk deploy`` and the like.
STATUS = Hint(
    "{kind} {name} in {region} is {status}, not CREATE_COMPLETE/UPDATE_COMPLETE",
    ("first failure: {failure}",
     "*_IN_PROGRESS: a deploy is still running (or hung on a resource that never stabilises)",
     "ROLLBACK_COMPLETE: the first create failed; the stack must be deleted before a new deploy",
     "UPDATE_ROLLBACK_COMPLETE: the last update failed and was rolled back (old version is live)",
     "UPDATE_ROLLBACK_FAILED: rollback itself failed, usually a resource changed or deleted by hand",
     "IAM: the CloudFormation execution role lacks permissions; or a name already exists"),
    ("aws cloudformation describe-stacks " + S
     + " --query 'Stacks[0].[StackStatus,StackStatusReason]'", FAILED_EVENTS),
    ("aws cloudformation continue-update-rollback " + S
     + "   # UPDATE_ROLLBACK_FAILED (add --resources-to-skip <LogicalId> if needed)",
     "aws cloudformation delete-stack " + S + " && aws cloudformation wait "
     "stack-delete-complete " + S + "   # ROLLBACK_COMPLETE",
     "aws cloudformation wait stack-update-complete " + S + "   # *_IN_PROGRESS",
     "{deploy_command}   # after fixing the failure above"))
FAILED = Hint(
    "{kind} {name} in {region} has failed resource events",
    ("first failure: {failure}",
     "a resource already exists outside the stack (import it or delete it)",
     "the execution role lacks a permission the resource needs",
     "a service quota or an invalid property value"),
    (FAILED_EVENTS,),
    ("aws cloudformation import-stack-resources " + S
     + " --resources-to-import file://resources.json --template-body file://template.json"
     "   # resource exists already", "{deploy_command}   # after fixing the failure above"))
VERSION = Hint(
    "CDK bootstrap stack {name} in {region} is version {found}, the app needs {required}",
    ("the bootstrap stack predates the CDK version the app uses "
     "(\"requires bootstrap stack version X, found Y\")",
     "the SSM parameter {version_parameter} is missing (bootstrapped with another qualifier)"),
    ("aws ssm get-parameter --name {version_parameter} --region {region} --query Parameter.Value",
     "aws cloudformation describe-stacks " + S
     + " --query \"Stacks[0].Outputs[?OutputKey=='BootstrapVersion'].OutputValue\""),
    ("cdk bootstrap aws://{account}/{region}   # upgrades the existing bootstrap stack",))


@dataclass(frozen=True)
class StackEvent:
    """One resource event of a stack, e.g. a CREATE_FAILED with its reason."""

    logical_id: str
    resource_type: str
    status: str
    reason: str = ""
    physical_id: str = ""
    timestamp: Optional[datetime] = None

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason or '-'}"


class StackEvents(CallableCollection, list):  # type: ignore[type-arg]
    """A list of :class:`StackEvent`, newest first."""


@dataclass(frozen=True)
class BootstrapCheck:
    """The answer of :meth:`CdkBootstrap.version_at_least`; true when new enough."""

    found: Optional[int]
    required: int

    def __bool__(self) -> bool:
        return self.found is not None and self.found >= self.required

    def hint_context(self) -> dict[str, Any]:
        return {"found": "none" if self.found is None else self.found, "required": self.required}


class CfnStack(Resource):
    """A CloudFormation stack: ``assert cfn_stack.healthy``."""

    fixture = "cfn_stack"
    service = "cloudformation"
    kind = "CloudFormation stack"
    hint_prefix = "cloudformation.stack"
    describe_operations = ("describe_stacks",)
    healthy_when = ("status",)
    hints = {"missing": Hint(
        "CloudFormation stack {name} does not exist in {region} (account {account})",
        ("the deploy never ran in this account/region, or the stack was deleted",
         "a CDK stack name differs per environment (stage prefix) from output '{output}'",
         "the checks run in another region than the deploy"),
        ("aws cloudformation list-stacks --region {region} --query "
         "\"StackSummaries[?StackStatus!='DELETE_COMPLETE'].[StackName,StackStatus]\" --output table",),
        ("cdk deploy {name}   # or: sam deploy --stack-name {name} / aws cloudformation deploy",))}

    def describe(self) -> dict[str, Any]:
        stacks = self.call("describe_stacks", StackName=self.name).get("Stacks", [])
        if not stacks or stacks[0].get("StackStatus") == "DELETE_COMPLETE":
            # a deleted stack is still described when asked by its stack id
            raise ResourceNotFound(self, "DescribeStacks", "ValidationError",
                                   f"Stack with id {self.name} does not exist",
                                   "cloudformation:DescribeStacks")
        return stacks[0]

    def _map_error(self, client: Any, method: str, exc: Any) -> AwsCallError:
        mapped = super()._map_error(client, method, exc)
        if (not isinstance(mapped, ResourceNotFound) and mapped.code == "ValidationError"
                and "does not exist" in mapped.message):
            mapped = ResourceNotFound(self, mapped.operation, mapped.code, mapped.message,
                                      mapped.action)
            mapped.__suppress_context__ = True
        return mapped

    status = field("StackStatus", one_of(*HEALTHY_STATUSES), hint=STATUS, then=str,
                   transitional=not_yet(*SETTLING_STATUSES),
                   doc="StackStatus (str); healthy: CREATE_COMPLETE, UPDATE_COMPLETE or "
                   "IMPORT_COMPLETE, transitional while a create, update or import runs.")

    @property
    @probe(STATUS, reads=EVENTS_READ)
    def status_reason(self) -> Optional[str]:
        """StackStatusReason, or the latest reason the stack's own events give (str or
        None; informational, no healthy value)."""
        reason = self.describe().get("StackStatusReason")
        if reason:
            return str(reason)
        status = self.describe()["StackStatus"]
        own = next((e for e in self._events() if self._is_own(e) and e.status == status), None)
        return (own.reason or None) if own else None

    @property
    @probe(FAILED, empty, reads=EVENTS_READ)
    def failed_events(self) -> StackEvents:
        """The 10 newest resource events of the latest stack operation whose status ends
        in ``_FAILED`` (:class:`StackEvents`); healthy: empty. ``list_failed_events``
        takes another limit or every operation."""
        return self._failed_events(10, True).formerly(self, "failed_events", "list_failed_events")

    @probe(FAILED, empty, reads=EVENTS_READ)
    def list_failed_events(self, limit: int = 10, latest_only: bool = True) -> StackEvents:
        """The ``limit`` newest resource events whose status ends in ``_FAILED``
        (:class:`StackEvents`; healthy: empty), from the latest stack operation only unless
        ``latest_only`` is False. The stack's own events (e.g. UPDATE_ROLLBACK_FAILED) are
        not resource events."""
        return self._failed_events(limit, latest_only)

    def _failed_events(self, limit: int, latest_only: bool) -> StackEvents:
        events = self._latest_operation() if latest_only else self._events()
        return StackEvents([e for e in events
                            if e.status.endswith("_FAILED") and not self._is_own(e)][:limit])

    outputs = field("Outputs", default=[], then=lambda found: {
        o["OutputKey"]: o.get("OutputValue", "") for o in found}, hint=Hint(
        "{kind} {name} in {region} lacks an expected output",
        ("the deployed template is older than the code (the deploy did not run or failed)",
         "the output was renamed (CDK adds a hash suffix to logical ids)"),
        ("aws cloudformation describe-stacks " + S + " --query 'Stacks[0].Outputs'",),
        ("{deploy_command}",)), doc="Stack outputs by OutputKey (dict[str, str]); no healthy value.")

    def _events(self) -> list[StackEvent]:
        """Events, newest first (at most EVENT_PAGES pages)."""
        events: list[StackEvent] = []
        token: Optional[str] = None
        for _ in range(EVENT_PAGES):
            params: dict[str, Any] = {"StackName": self.name}
            if token:
                params["NextToken"] = token
            answer = self.call("describe_stack_events", **params)
            events += [_event(e) for e in answer.get("StackEvents", [])]
            token = answer.get("NextToken")
            if not token:
                break
        return events

    def _latest_operation(self) -> list[StackEvent]:
        """Events of the newest operation: back to the stack's last "User Initiated" event."""
        events = self._events()
        for index, event in enumerate(events):
            if self._is_own(event) and event.reason == USER_INITIATED:
                return events[:index + 1]
        return events

    def _is_own(self, event: StackEvent) -> bool:
        """True for the stack's own events (nested stacks have other logical ids)."""
        return (event.resource_type == "AWS::CloudFormation::Stack"
                and event.logical_id in (self.name, attempt(lambda: self.describe()["StackName"])))

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "status": self._status_or_unknown,
                "failure": self._first_failure, "deploy_command": self._deploy_command}

    def _deploy_command(self) -> str:
        return f"cdk deploy {self.name}   # or: sam deploy / aws cloudformation deploy"

    def _status_or_unknown(self) -> str:
        return str(attempt(lambda: self.describe()["StackStatus"], "not found"))

    def _first_failure(self) -> str:
        failed = [e for e in attempt(self._latest_operation, [])
                  if e.status.endswith("_FAILED") and not self._is_own(e)]
        # the oldest failure of the latest operation is usually the cause; later ones cascade
        return str(failed[-1]) if failed else "none recorded"


def _event(raw: dict[str, Any]) -> StackEvent:
    return StackEvent(raw.get("LogicalResourceId", ""), raw.get("ResourceType", ""),
                      raw.get("ResourceStatus", ""), raw.get("ResourceStatusReason") or "",
                      raw.get("PhysicalResourceId") or "", raw.get("Timestamp"))


class CdkBootstrap(CfnStack):
    """The CDK bootstrap stack (CDKToolkit): ``assert cdk_bootstrap.version_at_least(21)``."""

    fixture = "cdk_bootstrap"
    kind = "CDK bootstrap stack"
    hint_prefix = "cdk.bootstrap"
    default_name = "CDKToolkit"
    hints = {"missing": Hint(
        "CDK is not bootstrapped in account {account} region {region}: stack {name} does not exist",
        ("cdk bootstrap was never run for this account/region (every region needs its own)",
         "bootstrapped with a custom --toolkit-stack-name or --qualifier (expected {qualifier})",
         "the CDKToolkit stack was deleted, e.g. by an account clean-up"),
        ("aws cloudformation describe-stacks " + S,
         "aws ssm get-parameter --name {version_parameter} --region {region}"),
        ("cdk bootstrap aws://{account}/{region}",))}

    def __init__(self, name: str = "CDKToolkit", *, qualifier: str = "hnb659fds",
                 **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.qualifier = qualifier

    @property
    def version_parameter(self) -> str:
        return f"/cdk-bootstrap/{self.qualifier}/version"

    @property
    @probe(VERSION, lambda v: v is not None, reads=VERSION_READS)
    def version(self) -> Optional[int]:
        """Bootstrap version (int): the stack's BootstrapVersion output, else the SSM
        parameter; healthy: known (None when neither has it)."""
        return self._read_version()

    @probe(VERSION, truthy, reads=VERSION_READS)
    def version_at_least(self, required: int) -> BootstrapCheck:
        """Whether the bootstrap is new enough for a CDK app that requires ``required``
        (:class:`BootstrapCheck`, true when it is: healthy)."""
        return BootstrapCheck(self._read_version(), required)

    def _read_version(self) -> Optional[int]:
        outputs = attempt(lambda: self.describe().get("Outputs", []), [])
        found = next((o.get("OutputValue") for o in outputs
                      if o.get("OutputKey") == "BootstrapVersion"), None)
        if found is None:
            found = self._ssm_version()
        return int(found) if found is not None and str(found).isdigit() else None

    def _ssm_version(self) -> Optional[str]:
        from .ssm import SsmParameter

        parameter = SsmParameter(self.version_parameter, aws=self.aws, region=self._region)
        answer = attempt(lambda: parameter.call("get_parameter", Name=parameter.name))
        return None if answer is None else str(answer["Parameter"].get("Value", ""))

    def _deploy_command(self) -> str:
        return f"cdk bootstrap aws://{attempt_account(self)}/{self.region}"

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "qualifier": self.qualifier,
                "version_parameter": self.version_parameter,
                "found": lambda: self._read_version() or "none",
                "required": "the app's minimum"}


def attempt_account(handle: Resource) -> str:
    """The account for a command line, or ``<account>`` when STS cannot say."""
    try:
        return handle.aws.account
    except Exception:  # a hint must render even when AWS cannot answer
        return "<account>"
