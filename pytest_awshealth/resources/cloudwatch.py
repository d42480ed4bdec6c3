"""CloudWatch alarms and metric sums."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Iterator, Mapping

from ..errors import ResourceNotFound
from ..probes import empty, equals, field, not_yet, probe
from ..remediation import Hint
from .base import Resource

ALARM_TYPES = ["MetricAlarm", "CompositeAlarm"]
SINCE = "$(date -u -d '{minutes} minutes ago' +%FT%TZ)"
NOW = "$(date -u +%FT%TZ)"
C = "--region {region}"
METRIC_READS = ("get_metric_statistics",)


STATISTICS = frozenset({"SampleCount", "Average", "Sum", "Minimum", "Maximum"})


class MetricSum(float):
    """A metric's statistic over a window (its Sum, or the peak of another statistic); a
    float that also tells hints which metric it was."""

    namespace: str
    metric: str
    dimensions: dict[str, str]
    minutes: int
    period: int
    statistic: str

    def __new__(cls, value: float, namespace: str, metric: str, dimensions: Mapping[str, str],
                minutes: int, period: int, statistic: str = "Sum") -> MetricSum:
        self = super().__new__(cls, value)
        self.namespace, self.metric, self.dimensions = namespace, metric, dict(dimensions)
        self.minutes, self.period, self.statistic = minutes, period, statistic
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # type: ignore[override]  # copy and pickle
        return (float(self), self.namespace, self.metric, self.dimensions, self.minutes,
                self.period, self.statistic)

    def hint_context(self) -> dict[str, Any]:
        statistic_option = (f"--statistics {self.statistic}" if self.statistic in STATISTICS
                            else f"--extended-statistics {self.statistic}")
        return {"namespace": self.namespace, "metric": self.metric, "minutes": self.minutes,
                "statistic": self.statistic, "statistic_option": statistic_option,
                "period": self.period, "value": f"{float(self):g}",
                "dimensions": cli_dimensions(self.dimensions) or "none",
                "dimensions_note": (f" ({cli_dimensions(self.dimensions)})"
                                    if self.dimensions else ""),
                "dimensions_option": (f"--dimensions {cli_dimensions(self.dimensions)} "
                                      if self.dimensions else "")}


class AlarmState(str):
    """An alarm's StateValue (``OK``, ``ALARM``, ``INSUFFICIENT_DATA``) that remembers
    which alarm it belongs to and why it is in that state."""

    alarm: str
    reason: str

    def __new__(cls, state: str, alarm: str, reason: str = "") -> AlarmState:
        self = super().__new__(cls, state)
        self.alarm, self.reason = alarm, reason
        return self

    def __getnewargs__(self) -> tuple[str, str, str]:  # type: ignore[override]  # copy and pickle
        return (str(self), self.alarm, self.reason)

    def hint_context(self) -> dict[str, Any]:
        return {"alarm": self.alarm, "state": str(self), "reason": self.reason or "no reason given"}


def cli_dimensions(dimensions: Mapping[str, str]) -> str:
    """``{"FunctionName": "f"}`` as the CLI writes it: ``Name=FunctionName,Value=f``."""
    return " ".join(f"Name={key},Value={value}" for key, value in dimensions.items())


class CloudWatch(Resource):
    """The CloudWatch alarms whose names start with a prefix, and metric sums:
    ``assert not cloudwatch.alarms_in_alarm``."""

    fixture = "cloudwatch"
    service = "cloudwatch"
    kind = "CloudWatch alarms"
    hint_prefix = "cloudwatch"
    describe_operations = ("describe_alarms",)
    healthy_when = ("alarms_in_alarm",)
    hints = {"missing": Hint(
        "No CloudWatch alarm whose name starts with {name} exists in {region} (account {account})",
        ("the monitoring part of the stack was not deployed (a separate stack, or disabled by a flag)",
         "the alarm names use another prefix than output '{output}' / the check says",
         "the alarms live in another region (alarms on global services such as CloudFront "
         "or Route 53 health checks are in us-east-1)"),
        ("aws cloudwatch describe-alarms --alarm-name-prefix {name} " + C
         + " --query 'MetricAlarms[].[AlarmName,StateValue]'",),
        ("deploy the alarms (re-run the stack that defines them), or fix the prefix in the check",))}

    def describe(self) -> dict[str, Any]:
        """Every metric and composite alarm named ``<prefix>*``; none is "missing", so a
        mistyped prefix cannot make ``alarms_in_alarm`` pass vacuously."""
        __tracebackhide__ = True
        alarms = list(self._alarms(AlarmNamePrefix=self.name))
        if not alarms:
            raise ResourceNotFound(self, "DescribeAlarms", "ResourceNotFound",
                                   f"no alarm name starts with {self.name!r}",
                                   "cloudwatch:DescribeAlarms")
        return {"Alarms": alarms}

    def _alarms(self, **params: Any) -> Iterator[dict[str, Any]]:
        token = None
        while True:
            page = self.call("describe_alarms", AlarmTypes=ALARM_TYPES, **params,
                             **({"NextToken": token} if token else {}))
            yield from page.get("MetricAlarms", [])
            yield from page.get("CompositeAlarms", [])
            token = page.get("NextToken")
            if not token:
                return

    alarm_names = field("Alarms[].AlarmName", then=sorted, hint=Hint(
    "CloudWatch alarms with prefix {name} in {region} are not the expected ones",
    ("an alarm was not deployed (the monitoring stack or a flag left it out)",
     "the alarms were renamed; the check or output '{output}' still uses the old names"),
    ("aws cloudwatch describe-alarms --alarm-name-prefix {name} " + C
     + " --query 'MetricAlarms[].AlarmName'",),
    ("deploy the missing alarms (re-run the stack that defines them)",)),
                        doc="Names of all alarms with the prefix (sorted list of str); no "
                        "healthy value: compare it with the alarms the stack defines.")
    alarms_in_alarm = field("Alarms[?StateValue=='ALARM'].AlarmName", empty, default=[],
                            then=sorted, hint=Hint(
    "CloudWatch alarms {alarms} in {region} are in ALARM",
    ("the metric an alarm watches breached its threshold: the StateReason names the "
     "datapoints (errors, throttles, latency, unhealthy hosts...)",
     "the deploy broke the monitored component (new code raising, wrong configuration)",
     "a threshold too tight for normal traffic (false alarm)"),
    ("aws cloudwatch describe-alarms --alarm-name-prefix {name} --state-value ALARM " + C
     + " --query 'MetricAlarms[].[AlarmName,StateReason]'",
     "aws cloudwatch describe-alarm-history --alarm-name {first_alarm} "
     "--history-item-type StateUpdate --max-records 10 " + C),
    ("fix what the alarm's metric measures (see the StateReason and the component's logs); "
     "the alarm returns to OK at its next evaluation",
     "if the threshold is wrong, correct it in the stack and redeploy "
     "(aws cloudwatch put-metric-alarm with the new --threshold)")),
                            doc="Names of the alarms with the prefix that are in ALARM (sorted "
                            "list of str); healthy: empty.")

    def _firing(self) -> list[str]:
        __tracebackhide__ = True
        return sorted(a["AlarmName"] for a in self.describe()["Alarms"]
                      if a.get("StateValue") == "ALARM")

    @probe(Hint(
    "CloudWatch alarm {alarm} in {region} is {state}: {reason}",
    ("ALARM: the watched metric breached the threshold",
     "INSUFFICIENT_DATA: the metric has no datapoints (wrong namespace or dimension values, "
     "or the component has not run yet since the deploy)",
     "the alarm's evaluation period is longer than the time since the deploy"),
    ("aws cloudwatch describe-alarms --alarm-names {alarm} " + C
     + " --query 'MetricAlarms[].[StateValue,StateReason,Namespace,MetricName,Dimensions]'",
     "aws cloudwatch describe-alarm-history --alarm-name {alarm} "
     "--history-item-type StateUpdate --max-records 10 " + C),
    ("fix the component the alarm watches (its logs and the StateReason say why); the alarm "
     "returns to OK at its next evaluation",
     "aws cloudwatch set-alarm-state --alarm-name {alarm} --state-value OK --state-reason "
     "'fixed: <what you did>' " + C + "   # only to re-arm notifications after the fix",
     "aws cloudwatch list-metrics --namespace <namespace> --metric-name <metric> " + C
     + "   # check the dimensions the metric really has")), equals("OK"),
        transitional=not_yet("INSUFFICIENT_DATA"),
        reads=("describe_alarms",))  # by the alarm's name, not the handle's prefix
    def alarm_state(self, alarm: str) -> AlarmState:
        """The state of the alarm called ``alarm`` (any name, not only the prefix's): an
        :class:`AlarmState` (a str: OK, ALARM or INSUFFICIENT_DATA); healthy: OK,
        transitional while INSUFFICIENT_DATA."""
        __tracebackhide__ = True
        found = [a for a in self._alarms(AlarmNames=[alarm]) if a["AlarmName"] == alarm]
        if not found:
            exact = CloudWatch(alarm, aws=self.aws, region=self._region, output=self.output)
            raise ResourceNotFound(exact, "DescribeAlarms", "ResourceNotFound",
                                   f"no alarm named {alarm!r}", "cloudwatch:DescribeAlarms")
        found_alarm = found[0]
        return AlarmState(found_alarm.get("StateValue", "INSUFFICIENT_DATA"), alarm,
                          found_alarm.get("StateReason", ""))

    @probe(Hint(
    "CloudWatch metric {namespace} {metric}{dimensions_note} in {region} summed to {value} "
    "over the last {minutes} min, outside what the check allows",
    ("the component behind the metric misbehaves since the deploy",
     "the dimensions differ from what the service publishes (then the sum is 0)"),
    ("aws cloudwatch get-metric-statistics --namespace {namespace} --metric-name {metric} "
     "{dimensions_option}--start-time " + SINCE + " --end-time " + NOW
     + " --period {period} --statistics Sum " + C,),
    ("fix the component the metric measures (its logs show why), then re-run the check",)), reads=METRIC_READS)
    def metric_sum(self, namespace: str, metric: str, dimensions: Mapping[str, str],
                   minutes: int = 60, period: int = 300) -> MetricSum:
        """Sum of ``metric`` with exactly these ``dimensions`` over the last ``minutes``
        (:class:`MetricSum`, a float; 0.0 when there are no datapoints); no healthy value:
        compare it (``assert cloudwatch.metric_sum(...) < 5``)."""
        return self.sum_statistic(namespace, metric, dimensions, minutes, period)

    def sum_statistic(self, namespace: str, metric: str, dimensions: Mapping[str, str],
                      minutes: int = 60, period: int = 300) -> MetricSum:
        """:meth:`metric_sum` without recording a probe (for other handles' probes)."""
        if period < 60 or period % 60:
            raise ValueError(f"period must be a positive multiple of 60 seconds, not {period}")
        end = datetime.now(timezone.utc)
        answer = self.call_fresh(
            "get_metric_statistics", Namespace=namespace, MetricName=metric,
            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
            StartTime=end - timedelta(minutes=minutes), EndTime=end, Period=period,
            Statistics=["Sum"])
        total = sum(point.get("Sum", 0.0) for point in answer.get("Datapoints", []))
        return MetricSum(total, namespace, metric, dimensions, minutes, period)

    @probe(Hint(
    "CloudWatch metric {namespace} {metric}{dimensions_note} in {region} reached {value} "
    "({statistic} of the worst {period}s period in the last {minutes} min), outside what "
    "the check allows",
    ("the component is slow or saturated since the deploy (cold starts, a slow "
     "dependency, too little memory or CPU)",
     "traffic grew beyond what the service is sized for"),
    ("aws cloudwatch get-metric-statistics --namespace {namespace} --metric-name {metric} "
     "{dimensions_option}--start-time " + SINCE + " --end-time " + NOW
     + " --period {period} {statistic_option} " + C,),
    ("find the slow part in the component's logs or traces, then size it up (Lambda "
     "--memory-size, ECS task cpu/memory, DynamoDB capacity) or fix the dependency",)), reads=METRIC_READS)
    def metric_peak(self, namespace: str, metric: str, dimensions: Mapping[str, str],
                    statistic: str = "Average", minutes: int = 60,
                    period: int = 300) -> MetricSum:
        """The worst period's ``statistic`` (Average, Maximum, Minimum or a percentile such
        as ``p95``; the lowest period for Minimum, the highest otherwise) over the last
        ``minutes``, 0.0 without datapoints (:class:`MetricSum`, a float); no healthy
        value: compare it
        (``assert cloudwatch.metric_peak("AWS/Lambda", "Duration", dims, "p95") < 3000``).
        (The emulator answers Average/Maximum/Minimum; moto has no percentiles.)"""
        return self.peak_statistic(namespace, metric, dimensions, statistic, minutes, period)

    def peak_statistic(self, namespace: str, metric: str, dimensions: Mapping[str, str],
                       statistic: str = "Average", minutes: int = 60,
                       period: int = 300) -> MetricSum:
        """:meth:`metric_peak` without recording a probe (for other handles' probes)."""
        end = datetime.now(timezone.utc)
        kind = "Statistics" if statistic in STATISTICS else "ExtendedStatistics"
        answer = self.call_fresh(
            "get_metric_statistics", Namespace=namespace, MetricName=metric,
            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
            StartTime=end - timedelta(minutes=minutes), EndTime=end, Period=period,
            **{kind: [statistic]})
        values = [point.get(statistic, point.get("ExtendedStatistics", {}).get(statistic))
                  for point in answer.get("Datapoints", [])]
        worst = min if statistic == "Minimum" else max  # a Minimum's worst period is its lowest
        peak = worst((v for v in values if v is not None), default=0.0)
        return MetricSum(peak, namespace, metric, dimensions, minutes, period, statistic)

    def sum_over_dimension_sets(self, namespace: str, metric: str, dimensions: Mapping[str, str],
                                minutes: int = 60, period: int = 300) -> MetricSum:
        """Sum of ``metric`` over every dimension set that includes ``dimensions`` (found
        with ListMetrics), e.g. DynamoDB ThrottledRequests for each Operation of a table."""
        total = sum(self.sum_statistic(namespace, metric, found, minutes, period)
                    for found in self._metric_dimension_sets(namespace, metric, dimensions))
        return MetricSum(total, namespace, metric, dimensions, minutes, period)

    def _metric_dimension_sets(self, namespace: str, metric: str,
                               dimensions: Mapping[str, str]) -> list[dict[str, str]]:
        sets: list[dict[str, str]] = []
        token = None
        while True:
            page = self.call_fresh(
                "list_metrics", Namespace=namespace, MetricName=metric,
                Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
                **({"NextToken": token} if token else {}))
            for item in page.get("Metrics", []):
                found = {d["Name"]: d["Value"] for d in item.get("Dimensions", [])}
                if found not in sets:
                    sets.append(found)
            token = page.get("NextToken")
            if not token:
                return sets

    def hint_context(self) -> dict[str, Any]:
        return {**super().hint_context(), "alarms": self._firing_text,
                "first_alarm": self._first_firing}

    def _firing_text(self) -> str:
        return ", ".join(self._firing()) or "<none>"

    def _first_firing(self) -> str:
        return next(iter(self._firing()), "<alarm-name>")


METRIC_HINT = Hint(
    "{kind} {name} in {region}: CloudWatch metric {namespace} {metric}{dimensions_note} was "
    "{value} ({statistic} over the last {minutes} min), outside what the check allows",
    ("the resource misbehaves since the deploy (its logs or events show why)",
     "traffic grew beyond what the resource is sized for",
     "the dimensions differ from what the service publishes (then the value is 0)"),
    ("aws cloudwatch get-metric-statistics --namespace {namespace} --metric-name {metric} "
     "{dimensions_option}--start-time " + SINCE + " --end-time " + NOW
     + " --period {period} {statistic_option} --region {region}",
     "aws cloudwatch list-metrics --namespace {namespace} --metric-name {metric} "
     "--region {region}   # the dimensions the metric really has"),
    ("fix what the metric measures, then re-run the check (metrics lag by a few minutes)",))


class Metrics:
    """The one way a handle reads its CloudWatch metrics:
    ``handle.metric("Errors", stat="Sum", minutes=15)``. A handle that mixes this in sets
    ``metric_namespace`` and, where the resource's name is not the only dimension,
    overrides :meth:`metric_dimensions`."""

    #: The namespace the service publishes the resource's metrics in (``AWS/Lambda``).
    metric_namespace: ClassVar[str] = ""
    #: True where one resource publishes a metric under several dimension sets that all
    #: count (DynamoDB's ThrottledRequests per Operation): a Sum adds them all up.
    metric_dimension_sets: ClassVar[bool] = False

    def metric_dimensions(self) -> dict[str, str]:
        """The dimensions that select this resource's metrics."""
        raise NotImplementedError

    @probe(METRIC_HINT, reads=("describe", "get_metric_statistics", "list_metrics"))
    def metric(self, name: str, stat: str = "Sum", minutes: int = 60) -> MetricSum:
        """``stat`` of the resource's metric ``name`` over the last ``minutes``: the Sum, or
        for Average, Maximum, Minimum or a percentile (``p95``) the worst 5-minute period
        (the lowest for Minimum, e.g. free storage; the highest otherwise);
        0.0 without datapoints. A missing resource fails instead of reading as 0."""
        __tracebackhide__ = True
        return self.read_metric(name, stat, minutes)

    def read_metric(self, name: str, stat: str = "Sum", minutes: int = 60) -> MetricSum:
        """:meth:`metric` without recording a probe (for a handle's named metric probes)."""
        __tracebackhide__ = True
        handle: Any = self
        handle.describe()
        dimensions = self.metric_dimensions()
        metrics = CloudWatch(handle.name, aws=handle.aws, region=handle._region,
                             output=handle.output)
        if stat != "Sum":
            return metrics.peak_statistic(self.metric_namespace, name, dimensions, stat, minutes)
        if self.metric_dimension_sets:
            return metrics.sum_over_dimension_sets(self.metric_namespace, name, dimensions,
                                                   minutes)
        return metrics.sum_statistic(self.metric_namespace, name, dimensions, minutes)
