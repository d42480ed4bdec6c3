"""SQS queues and their dead-letter queues."""

from __future__ import annotations

import json
from typing import Any, Callable, Optional
from urllib.parse import urlparse

from ..probes import field, probe, truthy
from ..remediation import Hint
from .base import Resource, attempt
from .cloudwatch import Metrics

Q = "--queue-url {url} --region {region}"
DEPTH = Hint(
    "SQS queue {name} in {region} has an unexpected backlog",
    ("the consumer (Lambda event source mapping, ECS worker) is stopped, failing or too slow",
     "the visibility timeout is shorter than processing time, so messages reappear",
     "if this queue is a dead-letter queue (of a queue, an EventBridge target or a Lambda "
     "async invocation): deliveries failed and landed here"),
    ("aws sqs get-queue-attributes " + Q + " --attribute-names All",
     "aws sqs receive-message " + Q + " --max-number-of-messages 5 --visibility-timeout 0"
     "   # read the failed messages (they stay in the queue)",
     "aws lambda list-event-source-mappings --event-source-arn {arn} --region {region}"),
    ("aws lambda update-event-source-mapping --uuid <mapping-uuid> --enabled --region {region}"
     "   # if the consumer's mapping is disabled",
     "fix why deliveries failed (the messages and the target's logs say), then redrive or "
     "purge the dead-letter queue"))


class SqsQueue(Resource, Metrics):
    """An SQS queue by URL, ARN or name: ``assert sqs_queue.dlq_depth == 0``."""

    fixture = "sqs_queue"
    service = "sqs"
    kind = "SQS queue"
    hint_prefix = "sqs.queue"
    not_found_codes = frozenset({"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})
    #: GetQueueUrl only when the queue was given by name or ARN.
    describe_operations = ("get_queue_url", "get_queue_attributes")
    healthy_when = ("dlq_depth",)
    metric_namespace = "AWS/SQS"
    hints = {"missing": Hint(
        "SQS queue {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted (a recreated queue needs 60 s)",
         "output '{output}' holds another account's or region's queue URL"),
        ("aws sqs list-queues --queue-name-prefix {name} --region {region}",
         "aws sqs get-queue-url --queue-name {name} --region {region}"),
        ("aws sqs create-queue --queue-name {name} --region {region}   # or re-run the deploy",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        self._url: Optional[str] = None
        self.owner: Optional[str] = None
        region: Optional[str] = None
        if name.startswith(("https://", "http://")):
            self._url = name
            path = urlparse(name).path.strip("/").split("/")
            self.owner, name = (path[0] if len(path) > 1 else None), path[-1]
            region = _url_region(self._url)
        elif name.startswith("arn:"):
            _, _, _, region, self.owner, name = name.split(":", 5)
        kwargs["region"] = kwargs.get("region") or region or None
        super().__init__(name, **kwargs)

    @property
    def url(self) -> str:
        """The queue URL (GetQueueUrl when only a name or ARN was given)."""
        if self._url is not None:
            return self._url
        params: dict[str, Any] = {"QueueName": self.name}
        if self.owner:
            params["QueueOwnerAWSAccountId"] = self.owner
        return str(self.call("get_queue_url", **params)["QueueUrl"])

    def describe(self) -> dict[str, Any]:
        return self.call("get_queue_attributes", QueueUrl=self.url, AttributeNames=["All"])["Attributes"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"QueueName": self.name}

    arn = field("QueueArn", doc="The queue's ARN (str).")
    depth = field("ApproximateNumberOfMessages", default=0, then=int, hint=DEPTH,
                  doc="ApproximateNumberOfMessages (int): messages waiting to be received; "
                  "no healthy value (compare it in the test).")
    in_flight = field("ApproximateNumberOfMessagesNotVisible", default=0, then=int, hint=DEPTH,
                      doc="ApproximateNumberOfMessagesNotVisible (int): received, not yet "
                      "deleted; no healthy value.")

    @property
    @probe(DEPTH, truthy)
    def is_empty(self) -> bool:
        """True when no message is waiting or in flight (healthy): for a dead-letter queue
        bound directly (an EventBridge target's or a Lambda function's),
        ``assert sqs_queue.is_empty``."""
        attributes = self.describe()
        return not (int(attributes.get("ApproximateNumberOfMessages", 0))
                    or int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)))

    @property
    @probe(Hint(
        "SQS queue {name} in {region} has no dead-letter queue (RedrivePolicy)",
        ("the queue was created without a redrive policy, so poison messages retry until they expire",),
        ("aws sqs get-queue-attributes " + Q + " --attribute-names RedrivePolicy",),
        ("aws sqs set-queue-attributes " + Q + " --attributes file://redrive.json"
         "   # {{\"RedrivePolicy\": \"{{\\\"deadLetterTargetArn\\\":\\\"<dlq-arn>\\\","
         "\\\"maxReceiveCount\\\":\\\"5\\\"}}\"}}",)), truthy)
    def dead_letter_queue(self) -> Optional[SqsQueue]:
        """The queue RedrivePolicy sends failed messages to (:class:`SqsQueue`), or None
        when no DLQ is configured; healthy: configured."""
        return self._dlq()

    @property
    @probe(Hint(
        "Dead-letter queue of SQS queue {name} ({region}) holds {dlq_depth} message(s): processing failed",
        ("the consumer raised or timed out maxReceiveCount times on these messages",
         "a deploy broke the consumer (permissions, missing config, code error)",
         "malformed messages from a producer"),
        ("aws sqs get-queue-attributes --queue-url {dlq_url} --region {region} --attribute-names All",
         "aws sqs receive-message --queue-url {dlq_url} --region {region} --max-number-of-messages 5"
         " --visibility-timeout 0   # look, do not delete"),
        ("aws sqs start-message-move-task --source-arn {dlq_arn} --region {region}"
         "   # redrive to the source queue after fixing the consumer",
         "aws sqs purge-queue --queue-url {dlq_url} --region {region}   # only if the messages are worthless")),
        lambda depth: not depth)
    def dlq_depth(self) -> Optional[int]:
        """Messages in the dead-letter queue (int; healthy: 0); None, also healthy, when
        there is no DLQ."""
        dlq = self._dlq()
        return None if dlq is None else int(dlq.describe().get("ApproximateNumberOfMessages", 0))

    def _dlq_arn(self) -> Optional[str]:
        policy = self.describe().get("RedrivePolicy")
        if not policy:
            return None
        return (json.loads(policy) if isinstance(policy, str) else policy).get("deadLetterTargetArn")

    def _dlq(self) -> Optional[SqsQueue]:
        """The DLQ's handle (one per handle, so its answers are cached too)."""
        target = self._dlq_arn()
        if target is None:
            return None
        key = ("dlq", target)
        if key not in self._cache:
            self._cache[key] = SqsQueue(target, aws=self.aws)
        return self._cache[key]

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "url": lambda: self.url, "arn": lambda: self.arn,
                "dlq_arn": lambda: self._dlq_arn() or "<dlq-arn>",
                "dlq_url": lambda: self._dlq_field(lambda q: q.url, "<dlq-url>"),
                "dlq_depth": lambda: self._dlq_field(
                    lambda q: q.describe().get("ApproximateNumberOfMessages", "?"), "?")}

    def _dlq_field(self, read: Callable[[SqsQueue], Any], default: str) -> Any:
        """``read(dlq)`` for hint templates, or ``default`` when there is no readable DLQ."""
        dlq = attempt(self._dlq)
        return default if dlq is None else attempt(lambda: read(dlq), default)


def _url_region(url: str) -> Optional[str]:
    """``https://sqs.eu-west-1.amazonaws.com/...`` -> ``eu-west-1``."""
    parts = (urlparse(url).hostname or "").split(".")
    return parts[1] if len(parts) > 3 and parts[0] == "sqs" and parts[-2] == "amazonaws" else None


