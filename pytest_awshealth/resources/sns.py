"""SNS topics and their subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ..probes import empty, probe, truthy
from ..remediation import Hint
from .base import Resource, arn_region
from .cloudwatch import Metrics

PENDING = "PendingConfirmation"  # what ListSubscriptionsByTopic shows instead of an ARN
#: The listing alone tells a pending subscription (listed as PendingConfirmation).
SUBSCRIPTION_READS = ("list_subscriptions_by_topic",)
T = "--topic-arn {arn} --region {region}"
SUBSCRIPTIONS = Hint(
    "SNS topic {name} in {region} has no confirmed subscription: notifications reach nobody",
    ("the subscription was never created (email subscriptions are often set up by hand)",
     "every subscription is still pending confirmation",
     "the subscriber (queue, function) was deleted and its subscription with it"),
    ("aws sns list-subscriptions-by-topic " + T,),
    ("aws sns subscribe " + T + " --protocol <sqs|lambda|https|email> --notification-endpoint "
     "<queue or function ARN, URL or address>   # or re-run the deploy that creates it",))


@dataclass(frozen=True)
class Subscription:
    """One subscription of a topic."""

    protocol: str
    endpoint: str
    arn: str
    pending: bool


class SnsTopic(Resource, Metrics):
    """An SNS topic: ``assert not sns_topic.pending_subscriptions``."""

    fixture = "sns_topic"
    service = "sns"
    kind = "SNS topic"
    hint_prefix = "sns.topic"
    #: STS GetCallerIdentity (once per run) for the ARN of one made by name.
    describe_operations = ("get_topic_attributes", "get_caller_identity")
    healthy_when = ("confirmed_count",)
    metric_namespace = "AWS/SNS"
    hints = {"missing": Hint(
        "SNS topic {name} does not exist in {region} (account {account})",
        ("the deploy did not create it, or it was deleted",
         "output '{output}' holds another account's or region's topic ARN"),
        ("aws sns list-topics --region {region} --query 'Topics[].TopicArn'",
         "aws sns get-topic-attributes " + T),
        ("aws sns create-topic --name {name} --region {region}   # or re-run the deploy",))}

    def __init__(self, name: str, **kwargs: Any) -> None:
        self._arn: Optional[str] = None
        if name.startswith("arn:"):
            self._arn = name
            kwargs["region"] = kwargs.get("region") or arn_region(name)
            name = name.rsplit(":", 1)[-1]
        super().__init__(name, **kwargs)

    @property
    def arn(self) -> str:
        """The ARN given, or the one a topic of this name has in this account and region."""
        if self._arn is None:
            partition = self.aws.identity["Arn"].split(":")[1]
            self._arn = f"arn:{partition}:sns:{self.region}:{self.aws.account}:{self.name}"
        return self._arn

    def describe(self) -> dict[str, Any]:
        return self.call("get_topic_attributes", TopicArn=self.arn)["Attributes"]

    def metric_dimensions(self) -> dict[str, str]:
        return {"TopicName": self.name}

    @property
    @probe(SUBSCRIPTIONS, truthy, reads=SUBSCRIPTION_READS)
    def subscriptions(self) -> list[Subscription]:
        """Every subscription (list[:class:`Subscription`], ``pending`` when not confirmed
        yet); healthy: any exist."""
        return self._subscriptions()

    @property
    @probe(Hint(
        "SNS topic {name} in {region} has subscriptions pending confirmation: {pending_endpoints}",
        ("the confirmation email was not clicked (it expires after 3 days), or went to spam",
         "a cross-account SQS/HTTPS endpoint never confirmed (the owner must confirm the token)",
         "an HTTPS endpoint does not answer the SubscriptionConfirmation request"),
        ("aws sns list-subscriptions-by-topic " + T
         + " --query \"Subscriptions[?SubscriptionArn=='PendingConfirmation']\"",
         "aws sns get-subscription-attributes --subscription-arn <subscription-arn> --region {region}"),
        ("aws sns subscribe " + T + " --protocol email --notification-endpoint <address>"
         "   # sends a new confirmation message",
         "aws sns confirm-subscription " + T + " --token <token from the confirmation message>")),
        empty, reads=SUBSCRIPTION_READS)
    def pending_subscriptions(self) -> list[Subscription]:
        """Subscriptions awaiting confirmation: they receive nothing
        (list[:class:`Subscription`]); healthy: empty."""
        return [s for s in self._subscriptions() if s.pending]

    @property
    @probe(SUBSCRIPTIONS, lambda count: count > 0, reads=SUBSCRIPTION_READS)
    def confirmed_count(self) -> int:
        """How many subscriptions are confirmed (int); healthy: more than 0."""
        return sum(1 for s in self._subscriptions() if not s.pending)

    def _subscriptions(self) -> list[Subscription]:
        found: list[Subscription] = []
        token: Optional[str] = None
        while True:
            params: dict[str, Any] = {"TopicArn": self.arn}
            if token:
                params["NextToken"] = token
            answer = self.call("list_subscriptions_by_topic", **params)
            found += [self._subscription(s) for s in answer.get("Subscriptions", [])]
            token = answer.get("NextToken")
            if not token:
                return found

    def _subscription(self, raw: dict[str, Any]) -> Subscription:
        arn = raw.get("SubscriptionArn", "")
        # AWS lists an unconfirmed subscription as PendingConfirmation, not by its ARN:
        # no GetSubscriptionAttributes per subscription is needed
        return Subscription(raw.get("Protocol", ""), raw.get("Endpoint", ""), arn, arn == PENDING)

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "arn": lambda: self.arn,
                "pending_endpoints": self._pending_endpoints}

    def _pending_endpoints(self) -> str:
        pending = [f"{s.protocol}:{s.endpoint}" for s in self._subscriptions() if s.pending]
        return ", ".join(pending) or "none"


