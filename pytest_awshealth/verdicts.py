"""The three verdicts of a check (plus waived), and where a report carries them.

Every call-phase report of an awshealth run carries plain-data attributes, so they
survive pytest-xdist's serialisation and reach every report writer:

* ``report.awshealth_verdict``: one of :data:`VERDICTS`.
* ``report.awshealth_hints``: a list of hint dicts, each ``{"key", "title", "causes",
  "diagnose", "fix", "resource"}``; ``resource`` is ``{"type", "name", "region",
  "output", "arn"}`` (``None`` where unknown). Every string is already masked.
* ``report.awshealth_probes``: a list of ``{"resource", "probe", "value", "healthy",
  "transitional"}`` (``value`` a masked ``repr``).
* ``report.awshealth_reason`` (only where some state could not be read): one of
  ``access_denied``, ``throttled``, ``unreachable``, ``timeout``, ``server_error``,
  ``credentials`` (the :class:`~pytest_awshealth.errors.CouldNotCheck` reasons).

The first report of each process also carries ``report.awshealth_prefetch``, what it
prefetched: ``{"reads", "calls", "throttled", "seconds", "concurrency", "stopped"}``.
"""

from __future__ import annotations

from typing import Any, Optional

HEALTHY = "healthy"
BROKEN = "broken"
INCONCLUSIVE = "inconclusive"
WAIVED = "waived"
VERDICTS = (HEALTHY, BROKEN, INCONCLUSIVE, WAIVED)

VERDICT_ATTR = "awshealth_verdict"
HINTS_ATTR = "awshealth_hints"
PROBES_ATTR = "awshealth_probes"
REASON_ATTR = "awshealth_reason"
PREFETCH_ATTR = "awshealth_prefetch"


def verdict_of(report: Any) -> Optional[str]:
    """The verdict a test report carries; derived from its outcome when it carries none
    (None for setup/teardown reports that passed, and for skipped tests)."""
    verdict = getattr(report, VERDICT_ATTR, None)
    if verdict is not None:
        return str(verdict)
    if report.when == "call" and report.passed:
        return HEALTHY
    if report.failed:
        return BROKEN
    return None


def hints_of(report: Any) -> list[dict[str, Any]]:
    """The hint dicts a report carries (empty when none)."""
    return list(getattr(report, HINTS_ATTR, None) or [])


def probes_of(report: Any) -> list[dict[str, Any]]:
    """The probe dicts a report carries (empty when none)."""
    return list(getattr(report, PROBES_ATTR, None) or [])
