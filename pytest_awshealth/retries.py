"""Retries, client-side rate limiting and fail-fast, shared by every client of a run.

botocore gives each client its own retry handler, quota and (adaptive mode) rate
limiter. A post-deploy gate needs them per process instead: one rate limiter for all
clients, so that throttling seen by one check slows the next ones down; a larger attempt
budget for throttling errors only (throttling costs time, never a verdict); a retry
quota that throttling cannot drain; no retries of an endpoint that refuses or never
answers, and a breaker that fails every later call to it at once.

Everything here is assembled from botocore's own pieces (``botocore.retries.standard``,
``.adaptive``, ``.bucket``, ``.throttling``, ``.quota``) and registered on each client's
event hooks under the ``unique_id`` botocore uses for its own handler, which it replaces.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from botocore.retries import adaptive, bucket, quota, standard, throttling

if TYPE_CHECKING:
    from botocore.client import BaseClient

#: Errors that are not retried: the endpoint refused, could not be reached or did not
#: answer within the read timeout. The first one opens the endpoint's breaker.
FAIL_FAST = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError)
#: Seconds: the first retry after throttling waits up to this long (then 2x, 4x...).
THROTTLING_BASE_DELAY = 0.05
#: Requests per second below which the shared limiter never slows a run, shared out
#: among xdist workers: a throttle that does not ease when we slow down cannot stall the
#: gate; the throttling attempt budget and the backoff cover the rest.
MIN_RATE = 50.0


class ThrottlingDetector(standard.ThrottlingErrorDetector):
    """botocore's throttling detection, plus the bare 503 S3 answers HEAD requests with."""

    def is_throttling_error_from_context(self, context: standard.RetryContext) -> bool:
        if super().is_throttling_error_from_context(context):
            return True
        response = context.http_response
        return (response is not None and response.status_code == 503
                and context.get_error_code() == "503")


class BudgetConditions(standard.BaseRetryableChecker):
    """``max_attempts`` for transient errors, ``throttle_attempts`` for throttling,
    none for endpoints that refuse or time out."""

    def __init__(self, max_attempts: int, throttle_attempts: int,
                 detector: ThrottlingDetector) -> None:
        self._standard = standard.StandardRetryConditions(max_attempts=max_attempts)
        self._throttled = standard.MaxAttemptsChecker(max(throttle_attempts, max_attempts))
        self._detector = detector

    def is_retryable(self, context: standard.RetryContext) -> bool:
        if isinstance(context.caught_exception, FAIL_FAST):
            return False
        if self._detector.is_throttling_error_from_context(context):
            return self._throttled.is_retryable(context)
        return self._standard.is_retryable(context)


class CountingPolicy(standard.RetryPolicy):
    """A retry policy that counts the throttled responses it retries."""

    def __init__(self, checker: BudgetConditions, backoff: standard.ExponentialBackoff,
                 detector: ThrottlingDetector, stats: CallStats) -> None:
        super().__init__(checker, backoff)
        self._detector = detector
        self._stats = stats

    def should_retry(self, context: standard.RetryContext) -> bool:
        retry = super().should_retry(context)
        if retry and self._detector.is_throttling_error_from_context(context):
            self._stats.add(throttled=1)
        return retry


class ThrottlingFreeQuota(standard.RetryQuotaChecker):
    """The standard retry quota, but throttled retries cost nothing: the rate limiter
    and backoff pace them, so heavy throttling cannot exhaust the quota (which still
    stops retry storms of transient errors)."""

    _THROTTLING_RETRY_COST = 0


class Backoff(standard.ExponentialBackoff):
    """botocore's jittered exponential backoff with a shorter throttling base delay
    (the shared rate limiter paces sending; the backoff only spreads the retries)."""

    def __init__(self, service_name: str, detector: ThrottlingDetector,
                 throttling_base: Optional[float] = None) -> None:
        super().__init__(service_name=service_name, throttling_detector=detector)
        base = THROTTLING_BASE_DELAY if throttling_base is None else throttling_base
        self._DEFAULT_BACKOFF_CONFIG = {**self._DEFAULT_BACKOFF_CONFIG,
                                        "throttling_base_scale": base}


@dataclass
class CallStats:
    """AWS calls made and throttled responses retried, in this process (thread-safe)."""

    calls: int = 0
    throttled: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def add(self, calls: int = 0, throttled: int = 0) -> None:
        with self._lock:
            self.calls += calls
            self.throttled += throttled

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.calls, self.throttled


@dataclass(frozen=True)
class Trip:
    """Why an endpoint's breaker is open."""

    reason: str  # "unreachable" or "timeout"
    code: str
    message: str


class Breaker:
    """Per-endpoint (scheme://host:port) fail-fast: once an endpoint refused, was
    unreachable or did not answer in time, later calls to it fail at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, Trip] = {}

    def trip(self, endpoint: str, trip: Trip) -> None:
        with self._lock:
            self._open.setdefault(endpoint, trip)

    def tripped(self, endpoint: str) -> Optional[Trip]:
        with self._lock:
            return self._open.get(endpoint)

    def reset(self) -> None:
        with self._lock:
            self._open.clear()


def xdist_share(rate: float) -> float:
    """This process's share of ``rate`` when pytest-xdist runs several workers."""
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT", "")
    return rate / int(workers) if workers.isdigit() and int(workers) > 0 else rate


def shared_rate_limiter(min_rate: float) -> adaptive.ClientRateLimiter:
    """botocore's adaptive-mode rate limiter, one for every client that registers it."""
    clock = bucket.Clock()
    return adaptive.ClientRateLimiter(
        rate_adjustor=throttling.CubicCalculator(starting_max_rate=0,
                                                 start_time=clock.current_time()),
        rate_clocker=adaptive.RateClocker(clock),
        token_bucket=bucket.TokenBucket(max_rate=1, clock=clock, min_rate=min_rate),
        throttling_detector=ThrottlingDetector(standard.RetryEventAdapter()),
        clock=clock,
    )


class Resilience:
    """The retry, rate and fail-fast state of one run in one process."""

    def __init__(self, mode: str = "adaptive", max_attempts: int = 3,
                 throttle_attempts: int = 12, min_rate: Optional[float] = None) -> None:
        self.mode = mode
        self.max_attempts = max_attempts
        self.throttle_attempts = throttle_attempts
        self.stats = CallStats()
        self.breaker = Breaker()
        self.min_rate = xdist_share(MIN_RATE if min_rate is None else min_rate)
        self.limiter = shared_rate_limiter(self.min_rate) if mode == "adaptive" else None

    @property
    def botocore_retries(self) -> dict[str, Any]:
        """The ``retries`` of the clients' ``Config``; "standard" and "adaptive" clients
        are made in standard mode and get :meth:`install`'s handler instead."""
        if self.mode == "legacy":
            return {"mode": "legacy", "total_max_attempts": self.max_attempts}
        return {"mode": "standard", "total_max_attempts": max(self.max_attempts,
                                                             self.throttle_attempts)}

    def install(self, client: BaseClient) -> BaseClient:
        """Count calls on ``client`` and, unless in legacy mode, replace botocore's retry
        handler with this run's and register the shared rate limiter."""
        client.meta.events.register("before-call", self._count_call,
                                    unique_id="awshealth-count-calls")
        if self.mode == "legacy":
            return client
        service = client.meta.service_model.service_id.hyphenize()
        unique_id = f"retry-config-{service}"
        client.meta.events.unregister(f"needs-retry.{service}", unique_id=unique_id)
        handler, retry_quota = self._handler(service)
        client.meta.events.register(f"needs-retry.{service}", handler.needs_retry,
                                    unique_id=unique_id)
        client.meta.events.register(f"after-call.{service}", retry_quota.release_retry_quota,
                                    unique_id="awshealth-retry-quota")
        if self.limiter is not None:
            client.meta.events.register("before-send", self.limiter.on_sending_request,
                                        unique_id="awshealth-rate-limit-send")
            client.meta.events.register("needs-retry", self.limiter.on_receiving_response,
                                        unique_id="awshealth-rate-limit-receive")
        return client

    def _handler(self, service: str) -> tuple[standard.RetryHandler, ThrottlingFreeQuota]:
        adapter = standard.RetryEventAdapter()
        detector = ThrottlingDetector(adapter)
        retry_quota = ThrottlingFreeQuota(quota.RetryQuota(), detector)
        policy = CountingPolicy(
            BudgetConditions(self.max_attempts, self.throttle_attempts, detector),
            Backoff(service, detector), detector, self.stats)
        handler = standard.RetryHandler(retry_policy=policy, retry_event_adapter=adapter,
                                        retry_quota=retry_quota, service_name=service)
        return handler, retry_quota

    def _count_call(self, **_: Any) -> None:
        self.stats.add(calls=1)
