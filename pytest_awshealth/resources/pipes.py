"""EventBridge Pipes.

moto moves a pipe's CurrentState on every DescribePipe (CREATING -> RUNNING, and even
STOPPED -> STARTING -> RUNNING); the emulator holds pipes in their state with
``emulator.hold_state("pipes::pipe")`` and sets one on moto's model:
``emulator.edit_backend("pipes", "pipes", "p", status="STOPPED", desired_state="STOPPED")``. moto publishes no AWS/EventBridge/Pipes
metrics; tests put the ``ExecutionFailed`` datapoints themselves.
"""

from __future__ import annotations

from typing import Any

from ..probes import equals, field, not_yet, probe
from ..remediation import Hint
from .base import Resource
from .cloudwatch import NOW, SINCE, Metrics, MetricSum

P = "--name {name} --region {region}"
DESCRIBE = f"aws pipes describe-pipe {P}"
#: CurrentState values that end RUNNING by themselves (STOPPING ends STOPPED).
SETTLING = ("CREATING", "STARTING", "UPDATING")
WIRING = Hint(
    "EventBridge pipe {name} in {region} does not connect what the check expects",
    ("the pipe definition names another source, enrichment or target than the "
     "application's stack (an old ARN, or another environment's)",
     "the target was changed by hand (UpdatePipe)"),
    (DESCRIBE + " --query '[Source,Enrichment,Target,RoleArn]'",),
    ("fix the pipe definition and redeploy (aws pipes update-pipe changes it in place)",))


class EventBridgePipe(Resource, Metrics):
    """An EventBridge pipe: ``assert eventbridge_pipe.healthy``,
    ``assert eventbridge_pipe.execution_failures(minutes=15) == 0``."""

    fixture = "eventbridge_pipe"
    service = "pipes"
    kind = "EventBridge pipe"
    hint_prefix = "pipes.pipe"
    arn_format = "arn:{partition}:pipes:{region}:{account}:pipe/{name}"
    named_from_arn = True
    describe_operations = ("describe_pipe",)
    healthy_when = ("status",)
    metric_namespace = "AWS/EventBridge/Pipes"
    hints = {"missing": Hint(
        "EventBridge pipe {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "the checks run in another region or account than the deploy",
         "output '{output}' holds the wrong pipe name"),
        (DESCRIBE, "aws pipes list-pipes --region {region} --query 'Pipes[].[Name,CurrentState]'"),
        ("re-run the deploy (terraform apply / cdk deploy) so the pipe is created",))}


    def describe(self) -> dict[str, Any]:
        return self.call("describe_pipe", Name=self.name)

    def metric_dimensions(self) -> dict[str, str]:
        return {"PipeName": self.name}

    status = field("CurrentState", equals("RUNNING"), transitional=not_yet(*SETTLING), doc=(
        "CurrentState (str): RUNNING when healthy; CREATING, STARTING and UPDATING settle by "
        "themselves; STOPPED and *_FAILED states do not."), hint=Hint(
        "EventBridge pipe {name} in {region} is not RUNNING: {reason}",
        ("it was stopped (DesiredState STOPPED), by the definition or by hand",
         "it failed to create, start or update (CREATE_FAILED, START_FAILED, UPDATE_FAILED): "
         "its role cannot read the source or invoke the target, or the source is gone",
         "it is still CREATING, STARTING or UPDATING"),
        (DESCRIBE + " --query '[CurrentState,DesiredState,StateReason,RoleArn]'",
         "aws iam simulate-principal-policy --policy-source-arn <pipe-role-arn> "
         "--action-names sqs:ReceiveMessage states:StartExecution   # the source's and "
         "target's actions"),
        (f"aws pipes start-pipe {P}   # a stopped pipe",
         "a failed pipe: fix what StateReason names (usually the role's policy), then "
         f"aws pipes start-pipe {P}")))
    desired_state = field("DesiredState", equals("RUNNING"), doc=(
        "DesiredState (str): RUNNING (healthy) or STOPPED (someone means it to be off)."),
        hint=Hint(
        "EventBridge pipe {name} in {region} is meant to be stopped (DesiredState STOPPED)",
        ("the pipe definition sets desired_state = STOPPED",
         "someone stopped it by hand (StopPipe) and it was not started again"),
        (DESCRIBE + " --query '[CurrentState,DesiredState]'",),
        (f"aws pipes start-pipe {P}", "then set desired_state = RUNNING in the definition")))
    state_reason = field("StateReason", doc="Why the pipe is in its state (str), or None.")
    source = field("Source", hint=WIRING, doc="The source ARN (str): queue, stream, table "
                   "stream...; healthy: the application's source.")
    enrichment = field("Enrichment", hint=WIRING, doc="The enrichment ARN (str), or None; healthy: "
                       "what the definition names.")
    target = field("Target", hint=WIRING, doc="The target ARN (str); healthy: the application's "
                   "target.")

    @probe(Hint(
        "EventBridge pipe {name} in {region} failed {value} executions in the last {minutes} min",
        ("the target rejects the events (a Step Functions input error, a Lambda raising, an API "
         "destination answering errors)",
         "the enrichment fails or times out",
         "the pipe's role lost a permission on the target"),
        ("aws cloudwatch get-metric-statistics --namespace AWS/EventBridge/Pipes --metric-name "
         "ExecutionFailed --dimensions Name=PipeName,Value={name} --start-time " + SINCE
         + " --end-time " + NOW + " --period 300 --statistics Sum --region {region}",
         DESCRIBE + " --query 'LogConfiguration'   # where the pipe logs its failures"),
        ("fix the target or enrichment the pipe's log names; events from a queue source are "
         "retried, and go to the queue's dead-letter queue after maxReceiveCount",)),
        reads=("describe", "get_metric_statistics"))
    def execution_failures(self, minutes: int = 60) -> MetricSum:
        """Sum of ExecutionFailed (MetricSum) over the last ``minutes``; healthy: 0."""
        return self.read_metric("ExecutionFailed", minutes=minutes)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "reason": self._reason}

    def _reason(self) -> str:
        pipe = self.describe()
        state = pipe.get("CurrentState", "<unknown>")
        return f"{state} ({pipe['StateReason']})" if pipe.get("StateReason") else str(state)
