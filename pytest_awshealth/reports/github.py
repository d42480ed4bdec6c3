"""GitHub Actions: an ``::error`` workflow command per broken check, ``::warning`` per
inconclusive one (file and line of the test, the hint's title and text), and a Markdown
job summary for ``$GITHUB_STEP_SUMMARY``.

Paths follow pytest-github-actions-annotate-failures: relative to ``$GITHUB_WORKSPACE``,
after ``$PYTEST_RUN_PATH`` when pytest runs in a subfolder. When that plugin is active it
annotates every failed test already, so only checks it does not annotate get a command."""

from __future__ import annotations

import os
from typing import Mapping, Optional

from ..verdicts import BROKEN, INCONCLUSIVE
from .checks import SEVERITY, Check, Run, is_command, kind_of
from .info import RunInfo

OTHER_ANNOTATOR = "annotate_errors"  # pytest-github-actions-annotate-failures' plugin name


def enabled(mode: str, environ: Mapping[str, str]) -> bool:
    """``--aws-github``: ``on``, ``off``, or ``auto`` (when ``GITHUB_ACTIONS=true``)."""
    return mode == "on" or (mode == "auto" and environ.get("GITHUB_ACTIONS") == "true")


def escape_data(text: str) -> str:
    """The workflow-command escaping of a message (actions/toolkit ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """The escaping of a property value (``escapeProperty``: ``:`` and ``,`` too)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: Mapping[str, object], message: str) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items()
                     if v is not None)
    return f"::{command} {props}::{escape_data(message)}"


def github_path(path: str, rootdir: str, environ: Mapping[str, str]) -> str:
    """The test file as GitHub names it: relative to the workspace when inside it."""
    full = os.path.abspath(os.path.join(environ.get("PYTEST_RUN_PATH") or rootdir, path))
    workspace = environ.get("GITHUB_WORKSPACE")
    if workspace:
        try:
            relative = os.path.relpath(full, workspace)
        except ValueError:  # another drive on Windows
            return path
        if not relative.startswith(".."):
            return relative.replace(os.sep, "/")
    return path


def workflow_annotations(run: Run, rootdir: str, environ: Mapping[str, str],
                skip_failed: bool = False) -> list[str]:
    """One workflow command per broken (``error``) and inconclusive (``warning``) check;
    ``skip_failed`` leaves out failed tests another annotator reports."""
    commands = []
    for verdict, command in ((BROKEN, "error"), (INCONCLUSIVE, "warning")):
        for check in run.with_verdict(verdict):
            if skip_failed and check.failed:
                continue
            props = {"file": github_path(check.file, rootdir, environ), "line": check.fail_line,
                     "title": check.title or check.nodeid}
            commands.append(workflow_command(command, props, hint_text(check)))
    return commands


def hint_text(check: Check) -> str:
    """The hint as plain text: title, causes, diagnose and fix commands."""
    hint = check.hint
    if hint is None:
        return f"{check.nodeid}\n\n{check.message}".rstrip()
    lines = [str(hint["title"]), f"Check: {check.nodeid}"]
    for heading, key in (("Likely causes", "causes"), ("Diagnose (read-only)", "diagnose"),
                         ("Fix", "fix")):
        items = [str(i) for i in hint.get(key) or ()]
        if items:
            lines.append(f"{heading}:")
            lines += [f"  {'$' if is_command(i) and key != 'causes' else '-'} {i}" for i in items]
    return "\n".join(lines)


def step_summary(run: Run, info: RunInfo) -> str:
    """The job summary: counts, cost, a table of broken checks, their fix commands."""
    counts = run.counts()
    head = ", ".join(f"{counts[v]} {v}" for v in SEVERITY)
    out = [f"## awshealth: {head}", "",
           f"{sum(counts.values())} checks in {info.duration:.1f} s" + _cost(info) + "."]
    for verdict, label in ((BROKEN, "Broken"), (INCONCLUSIVE, "Inconclusive")):
        checks = run.with_verdict(verdict)
        if checks:
            out += ["", f"### {label} checks", "", *_table(checks), *_fixes(checks)]
    return "\n".join(out) + "\n"


def _cost(info: RunInfo) -> str:
    if info.calls is None:
        return ""
    throttled = f" ({info.throttled} throttled and retried)" if info.throttled else ""
    return f", {info.calls} AWS API calls{throttled}"


def _table(checks: list[Check]) -> list[str]:
    rows = ["| Check | Resource | Region | Problem |", "| --- | --- | --- | --- |"]
    for check in checks:
        resource = check.resource
        cells = [_code(check.nodeid), _cell(" ".join(filter(None, (
                     kind_of(resource.get("type")), _code(resource.get("name") or ""))))),
                 _cell(resource.get("region") or ""), _cell(check.title)]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _fixes(checks: list[Check]) -> list[str]:
    out: list[str] = []
    for check in checks:
        hint = check.hint
        if hint is None:
            continue
        commands = [str(c) for c in (*(hint.get("diagnose") or ()), *(hint.get("fix") or ()))]
        shell = [c for c in commands if is_command(c)]
        prose = [c for c in hint.get("fix") or () if not is_command(str(c))]
        if not shell and not prose:
            continue
        out += ["", f"**{_cell(str(hint['title']))}** ({_code(check.nodeid)})", ""]
        out += [f"- {_cell(str(p))}" for p in prose]
        if shell:
            out += ["", "```sh", *shell, "```"]
    return out


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: Optional[str]) -> str:
    if not text:
        return ""
    fence = "``" if "`" in text else "`"
    return f"{fence}{_cell(text)}{fence}"
