"""The handle reference (REFERENCE.md) and the README's table of resource types are
generated from the registry and kept current."""

from __future__ import annotations

from pathlib import Path

from pytest_awshealth.reference import reference, resource_table
from pytest_awshealth.resources import RESOURCE_TYPES

ROOT = Path(__file__).resolve().parents[1]


def test_reference_md_is_current() -> None:
    assert (ROOT / "REFERENCE.md").read_text() == reference(), \
        "regenerate: python -m pytest_awshealth.reference > REFERENCE.md"


def test_readme_lists_every_resource_type() -> None:
    readme = (ROOT / "README.md").read_text()
    assert resource_table() in readme, \
        "paste python -m pytest_awshealth.reference --table into the README"
    assert f"knows {len(RESOURCE_TYPES)} resource types" in readme


def test_every_probe_is_documented() -> None:
    text = reference()
    assert "`: \n" not in text and ": \n" not in text.replace("`:\n", "")
    for cls in set(RESOURCE_TYPES.values()):
        assert cls.__doc__, f"{cls.__name__} has no docstring"
