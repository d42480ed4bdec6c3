"""Hooks of pytest-awshealth, for conftest.py files and plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

    from .remediation import Catalog


def pytest_awshealth_hints(catalog: Catalog, config: pytest.Config) -> None:
    """Add or replace remediation hints, e.g.
    ``catalog["dynamodb.table.ttl_enabled"] = Hint("...", fix=("...",))``."""
