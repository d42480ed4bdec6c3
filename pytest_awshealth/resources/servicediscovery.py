"""(being written)"""

from __future__ import annotations

FIXTURES: dict = {}
HINTS: dict = {}
