"""``--aws-sarif PATH``: broken and inconclusive checks as SARIF 2.1.0, for GitHub code
scanning and other SARIF viewers. One rule per hint key; one result per check, located at
the test, with the outputs-file line of the bound key as a related location."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Mapping, Optional

from ..verdicts import BROKEN, INCONCLUSIVE
from .checks import Check, Run, is_command
from .github import github_path, hint_text
from .info import RunInfo

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {BROKEN: "error", INCONCLUSIVE: "warning"}
SRCROOT = "SRCROOT"


def sarif_document(run: Run, info: RunInfo, catalog: Mapping[str, Any], outputs: Any,
                   rootdir: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The SARIF log (not yet masked). ``catalog`` gives generic rule texts by hint key,
    ``outputs`` (the run's Outputs or None) where each output key is."""
    checks = run.with_verdict(BROKEN, INCONCLUSIVE)
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for check in checks:
        key = rule_id(check)
        if key not in rules:
            rules[key] = _rule(key, check, catalog)
        results.append(_result(check, key, list(rules).index(key), outputs, rootdir, environ))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pytest-awshealth", "version": info.version,
                                "semanticVersion": info.version,
                                "rules": list(rules.values())}},
            "originalUriBaseIds": {SRCROOT: {"uri": Path(rootdir).resolve().as_uri() + "/"}},
            "invocations": [_invocation(info)],
            "results": results,
        }],
    }


def rule_id(check: Check) -> str:
    hint = check.hint
    return str(hint["key"]) if hint and hint.get("key") else f"awshealth.{check.verdict}"


def _rule(key: str, check: Check, catalog: Mapping[str, Any]) -> dict[str, Any]:
    """Generic texts from the catalog entry (``<name>`` placeholders), else the check's."""
    template = catalog.get(key)
    if template is not None:
        generic = template.render({})
        title, *_ = generic.splitlines()
        fill = _GenericFill(template)
        causes, diagnose, fix = fill("causes"), fill("diagnose"), fill("fix")
    else:
        hint = check.hint or {}
        title = check.title or f"check {check.verdict}"
        causes, diagnose, fix = ([str(i) for i in hint.get(k) or ()]
                                 for k in ("causes", "diagnose", "fix"))
    commands = [c for c in (*diagnose, *fix) if is_command(c)]
    prose = [c for c in fix if not is_command(c)]
    help_text = "\n".join([*(f"- {p}" for p in prose), *(f"$ {c}" for c in commands)]) or title
    markdown = "\n".join([*(f"- {p}" for p in prose),
                          *(["```sh", *commands, "```"] if commands else [])]) or title
    return {
        "id": key,
        "name": _pascal(key),
        "shortDescription": {"text": title},
        "fullDescription": {"text": ("Likely causes: " + "; ".join(causes)) if causes else title},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(check.verdict, "error")},
        "properties": {"tags": ["aws", "post-deploy", key.split(".")[0]]},
    }


class _GenericFill:
    """A catalog Hint's lists with every ``{field}`` shown as ``<field>``."""

    def __init__(self, template: Any) -> None:
        self._template = template

    def __call__(self, attribute: str) -> list[str]:
        from ..remediation import Hint

        items = getattr(self._template, attribute)
        return [Hint(item).render({}) for item in items]


def _pascal(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.replace("_", ".").split("."))


def _result(check: Check, key: str, index: int, outputs: Any, rootdir: str,
            environ: Mapping[str, str]) -> dict[str, Any]:
    location = {"physicalLocation": {
        "artifactLocation": {"uri": github_path(check.file, rootdir, environ),
                             **({} if environ.get("GITHUB_WORKSPACE") else {"uriBaseId": SRCROOT})},
        "region": {"startLine": check.fail_line}},
        "logicalLocations": [{"fullyQualifiedName": check.nodeid, "kind": "function"}]}
    result: dict[str, Any] = {
        "ruleId": key,
        "ruleIndex": index,
        "level": LEVELS[check.verdict],
        "message": {"text": hint_text(check)},
        "locations": [location],
        "partialFingerprints": {"awshealthCheck/v1": hashlib.sha256(
            f"{check.nodeid}\0{key}".encode()).hexdigest()[:32]},
        "properties": {"verdict": check.verdict,
                       "resource": {k: v for k, v in check.resource.items() if v}},
    }
    related = _output_location(check, outputs, rootdir, environ)
    if related:
        result["relatedLocations"] = [related]
    return result


def _output_location(check: Check, outputs: Any, rootdir: str,
                     environ: Mapping[str, str]) -> Optional[dict[str, Any]]:
    """Where the bound output key is in its outputs file, if it is in a file."""
    key = check.resource.get("output")
    if not key or outputs is None:
        return None
    source = _source_of(outputs, key)
    if source is None or not os.path.isfile(source):
        return None
    line = key_line(Path(source), key)
    physical: dict[str, Any] = {"artifactLocation": {"uri": _file_uri(source, rootdir, environ)}}
    if line:
        physical["region"] = {"startLine": line}
    return {"id": 1, "message": {"text": f"deploy output {key!r} names this resource"},
            "physicalLocation": physical}


def _source_of(outputs: Any, key: str) -> Optional[str]:
    try:
        return str(outputs.resolve(key).source)
    except Exception:  # noqa: BLE001 - a JSONPath or sensitive key: fall back to the file
        sources = [s for s in outputs.sources if not s.startswith("stack:")]
        return sources[0] if len(sources) == 1 else None


def key_line(path: Path, key: str) -> Optional[int]:
    """The 1-based line of ``"key"`` in a JSON file (the last step of a JSONPath)."""
    leaf = key.rsplit(".", 1)[-1].strip("$[]'\"") if key.startswith("$") else key
    needle = json.dumps(leaf)
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in text:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _file_uri(source: str, rootdir: str, environ: Mapping[str, str]) -> str:
    full = os.path.abspath(source)
    for base in (environ.get("GITHUB_WORKSPACE"), rootdir):
        if base and not os.path.relpath(full, base).startswith(".."):
            return os.path.relpath(full, base).replace(os.sep, "/")
    return Path(full).as_uri()


def _invocation(info: RunInfo) -> dict[str, Any]:
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    return {"executionSuccessful": info.exit_code in (0, 1, 6),
            "exitCode": info.exit_code if info.exit_code is not None else 0,
            "startTimeUtc": time.strftime(stamp, time.gmtime(info.started)),
            "endTimeUtc": time.strftime(stamp, time.gmtime(info.started + info.duration))}
