"""``--aws-report PATH``: one JSON document for the run and every check in it, valid
against ``report.schema.json`` (shipped in the package)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from .checks import SEVERITY, Check, Run, empty_resource
from .info import RunInfo

SCHEMA = Path(__file__).with_name("report.schema.json")
REPORT_VERSION = 1


def report_document(run: Run, info: RunInfo) -> dict[str, Any]:
    """The report as plain data (not yet masked: :func:`masking.write_json` does that)."""
    counts = run.counts()
    return {
        "report_version": REPORT_VERSION,
        "tool": {"name": "pytest-awshealth", "version": info.version},
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(info.started)),
        "duration": round(info.duration, 3),
        "exit_code": info.exit_code if info.exit_code is not None else 0,
        "outputs": info.outputs,
        "region": info.region,
        "account": info.account,
        "api_calls": info.calls,
        "prefetched_calls": sum(p.get("calls") or 0 for p in run.prefetched),
        "throttled_calls": info.throttled,
        "counts": {v: counts[v] for v in SEVERITY},
        "checks": [check_entry(c) for c in run],
    }


def check_entry(check: Check) -> dict[str, Any]:
    return {
        "nodeid": check.nodeid,
        "verdict": check.verdict,
        "file": check.file,
        "line": check.line,
        "resource": _resource(check.resource),
        "probes": [_probe(p) for p in check.probes],
        "hint": _hint(check.hints[0]) if check.hints else None,
        "other_hints": [_hint(h) for h in check.hints[1:]],
        "message": check.message,
        "duration": round(check.duration, 3),
        "calls": check.calls,
        "throttled_calls": check.throttled,
    }


def _resource(resource: Any) -> dict[str, Any]:
    found = empty_resource()
    for key in found:
        value = (resource or {}).get(key)
        found[key] = None if value is None else str(value)
    return found


def _hint(hint: dict[str, Any]) -> dict[str, Any]:
    return {"key": str(hint.get("key") or "unknown"), "title": str(hint.get("title") or ""),
            **{k: [str(i) for i in hint.get(k) or ()] for k in ("causes", "diagnose", "fix")},
            "resource": _resource(hint["resource"]) if hint.get("resource") else None}


def _probe(probe: dict[str, Any]) -> dict[str, Any]:
    entry = dict(probe)
    entry["probe"] = str(entry.get("probe", ""))
    entry["value"] = str(entry.get("value", ""))
    resource = entry.get("resource")
    if resource is not None and not isinstance(resource, (str, dict)):
        entry["resource"] = str(resource)
    return entry
