"""The end-of-run summary for a CI log: verdict counts by resource, then one line per
broken or inconclusive check (resource and problem, within the terminal width) with its
first fix (a command where the hint has one) on the next line."""

from __future__ import annotations

from .checks import SEVERITY, Run, fit, headline, is_command
from ..verdicts import BROKEN, INCONCLUSIVE

#: Resources listed one per line; past this, only those with a problem are.
MAX_RESOURCE_ROWS = 20
COUNT_COLUMNS = (("broken", 6), ("inconcl", 7), ("waived", 6), ("healthy", 7))


def summary_lines(run: Run, width: int = 80, list_inconclusive: bool = True) -> list[str]:
    """The summary, each line at most ``width`` columns (fix commands excepted: they are
    meant to be copied whole); ``list_inconclusive=False`` counts them only
    (``--aws-inconclusive=pass``)."""
    width = max(width, 40)
    counts = run.counts()
    lines = [", ".join(f"{counts[v]} {v}" for v in SEVERITY) + _cost(run)]
    lines += _resource_table(run, width)
    listed = ((BROKEN, "BROKEN"), (INCONCLUSIVE, "INCONCLUSIVE"))[:2 if list_inconclusive else 1]
    for verdict, mark in listed:
        for check in run.with_verdict(verdict):
            lines.append(fit(f"{mark} {headline(check.title, check.resource)}", width))
            fix = check.first_fix()
            if fix:  # a command to copy, or advice where the hint has no command
                lines.append(f"  {'$' if is_command(fix) else '-'} {fix}")
    return lines


def _cost(run: Run) -> str:
    calls, throttled = run.calls, run.throttled
    if calls is None:
        return ""
    noun = "call" if calls == 1 else "calls"
    return f"; {calls} AWS {noun}" + (f" ({throttled} throttled)" if throttled else "")


def _resource_table(run: Run, width: int) -> list[str]:
    table = run.by_resource()
    if not table:
        return []
    name_width = width - sum(w + 1 for _, w in COUNT_COLUMNS)
    rows = list(table.items())
    hidden = 0
    if len(rows) > MAX_RESOURCE_ROWS:
        shown = [(n, c) for n, c in rows if c["healthy"] != sum(c.values())]
        hidden, rows = len(rows) - len(shown), shown
    head = "resource".ljust(name_width) + "".join(f" {t:>{w}}" for t, w in COUNT_COLUMNS)
    lines = [head]
    for name, row in rows:
        cells = "".join(f" {row[v]:>{w}}" for v, (_, w) in zip(SEVERITY, COUNT_COLUMNS))
        lines.append(fit(name, name_width).ljust(name_width) + cells)
    if hidden:
        lines.append(f"... and {hidden} more resources, all healthy")
    return lines
