"""Remediation: the hints (:mod:`.hint`), what AWS errors mean (:mod:`.codes`), and how a
failed check is judged and given its hints (:mod:`.diagnosis`).

One :class:`Catalog` holds every hint by key; the plugin assembles the built-in one from
the registered handles and :mod:`.codes`, and a ``pytest_awshealth_hints`` hook may
change any entry by its key.
"""

from __future__ import annotations

from .hint import ByService, Catalog, Context, FilledHint, Hint

__all__ = ["ByService", "Catalog", "Context", "FilledHint", "Hint"]
