"""Per-testcase properties (resource type, name, region, hint key, verdict) through
``user_properties``: JUnit XML writes them as ``<property>`` elements, so CI test viewers
can group checks by resource; the other reports read the resource from them too."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from ..redaction import Redactor
from ..reporting import resource_dict
from ..resources.base import Resource
from ..verdicts import hints_of, verdict_of
from .checks import PROPERTY_PREFIX, RESOURCE_PROPERTIES, SEVERITY, VERDICT_PROPERTY


#: Fixtures that make a test an awshealth check (besides every resource fixture).
CORE_FIXTURES = frozenset({"aws", "aws_outputs", "aws_identity", "aws_context"})


def is_check(item: pytest.Item) -> bool:
    """True for a test that uses the plugin (its fixtures or ``aws_output`` marker): only
    those are counted and reported, not the other tests of a suite."""
    from ..resources import RESOURCE_TYPES

    names = set(getattr(item, "fixturenames", ()))
    return bool(names & CORE_FIXTURES or names & set(RESOURCE_TYPES)
                or item.get_closest_marker("aws_output"))


def handle_resource(item: pytest.Item) -> dict[str, Optional[str]]:
    """The first resource handle the test uses, described without asking AWS."""
    for value in (getattr(item, "funcargs", None) or {}).values():
        if isinstance(value, Resource):
            return resource_dict(value)
    return {}


def check_properties(item: pytest.Item, report: pytest.TestReport) -> list[tuple[str, str]]:
    """``aws_resource_type``, ``aws_resource_name``, ``aws_region``, ``aws_output``,
    ``aws_resource_arn``, ``aws_hint`` and ``aws_verdict`` for this check (known ones only)."""
    hints = hints_of(report)
    resource = dict(handle_resource(item))
    if hints and hints[0].get("resource"):
        resource.update({k: v for k, v in hints[0]["resource"].items() if v})
    props = [(prop, resource.get(key)) for prop, key in RESOURCE_PROPERTIES.items()]
    props += [("aws_hint", hints[0].get("key") if hints else None),
              (VERDICT_PROPERTY, verdict_of(report))]
    return [(name, str(value)) for name, value in props if value]


PHASE_REPORTS = pytest.StashKey[list[pytest.TestReport]]()


def add_properties(item: pytest.Item, report: pytest.TestReport, redactor: Redactor) -> None:
    """Put the check's properties on the report and the item (JUnit reads the teardown
    report, which copies the item's)."""
    item.stash.setdefault(PHASE_REPORTS, []).append(report)
    known = {name for name, _ in item.user_properties}
    for name, value in check_properties(item, report):
        if name in known:
            continue
        pair = (name, redactor.scrub(value))
        item.user_properties.append(pair)
        report.user_properties.append(pair)


def settle_verdict_property(item: pytest.Item, report: pytest.TestReport) -> None:
    """The teardown report (the one JUnit reads) gets the verdict the check ended with:
    a later wrapper may have changed it after the call report got its properties."""
    verdicts = [verdict_of(r) for r in item.stash.get(PHASE_REPORTS, [])]
    final = next((v for v in SEVERITY if v in verdicts), None)
    if final is None:
        return
    report.user_properties = [(k, final if k == VERDICT_PROPERTY else v)
                              for k, v in report.user_properties]


def properties(report: Any) -> dict[str, str]:
    """This plugin's properties on a report (empty for a test that is no check)."""
    return {str(k): str(v) for k, v in (getattr(report, "user_properties", ()) or ())
            if str(k).startswith(PROPERTY_PREFIX)}
