"""pytest-html: each broken or inconclusive check's hint as an HTML extra on its row,
and the awshealth summary as a section above the results table."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest

from ..redaction import Redactor
from ..verdicts import BROKEN, INCONCLUSIVE, hints_of, verdict_of
from .checks import is_command

HINT_CLASS = "awshealth-hint"


def html_active(config: pytest.Config) -> bool:
    """True when pytest-html is installed and writing a report (``--html``)."""
    return config.pluginmanager.hasplugin("html") and bool(getattr(config.option, "htmlpath", None))


def add_hint_extras(report: pytest.TestReport, redactor: Redactor) -> None:
    """Append one HTML extra per hint to ``report.extras`` (plain dicts: xdist ships them)."""
    if verdict_of(report) not in (BROKEN, INCONCLUSIVE):
        return
    from pytest_html import extras

    snippets = [hint_html(hint, verdict_of(report) or "") for hint in hints_of(report)]
    if snippets:
        setattr(report, "extras", [*getattr(report, "extras", []),
                                   *(extras.html(redactor.scrub(s)) for s in snippets)])


def hint_html(hint: dict[str, Any], verdict: str) -> str:
    """A hint as an HTML block: title, causes, diagnose and fix commands."""
    parts = [f'<div class="{HINT_CLASS}" data-verdict="{escape(verdict)}" '
             f'style="border-left:4px solid {"#c00" if verdict == BROKEN else "#d80"};'
             f'padding:4px 10px;margin:6px 0">',
             f"<h4>awshealth {escape(verdict)}: {escape(str(hint.get('title', '')))}</h4>"]
    for heading, key in (("Likely causes", "causes"), ("Diagnose (read-only)", "diagnose"),
                         ("Fix", "fix")):
        items = [str(i) for i in hint.get(key) or ()]
        commands = [i for i in items if key != "causes" and is_command(i)]
        prose = [i for i in items if i not in commands]
        if not items:
            continue
        parts.append(f"<p><b>{heading}</b></p>")
        if prose:
            parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in prose) + "</ul>")
        if commands:
            parts.append("<pre>" + "\n".join(f"$ {escape(c)}" for c in commands) + "</pre>")
    return "".join(parts) + "</div>"


def summary_html(lines: list[str]) -> str:
    """The terminal summary as an HTML section."""
    body = escape("\n".join(lines))
    return (f'<div class="awshealth-summary"><h2>awshealth</h2>'
            f'<pre style="white-space:pre-wrap">{body}</pre></div>')
