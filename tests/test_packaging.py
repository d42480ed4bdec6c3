"""What the wheel carries: every package (the examples too, as pytest_awshealth.examples)
and every data file the demo reads."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def packages_under(folder: Path, name: str) -> set[str]:
    return {".".join([name, *init.parent.relative_to(folder).parts])
            for init in folder.rglob("__init__.py") if "__pycache__" not in init.parts}


def test_every_package_is_listed() -> None:
    found = packages_under(ROOT / "pytest_awshealth", "pytest_awshealth")
    found |= packages_under(ROOT / "examples", "pytest_awshealth.examples")
    assert sorted(SETUPTOOLS["packages"]) == sorted(found)
    assert SETUPTOOLS["package-dir"] == {"pytest_awshealth.examples": "examples"}


def test_every_example_data_file_is_package_data() -> None:
    patterns = SETUPTOOLS["package-data"]["pytest_awshealth.examples"]
    data = [p.relative_to(ROOT / "examples").as_posix() for p in (ROOT / "examples").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert data and [f for f in data if not any(fnmatch.fnmatch(f, p) for p in patterns)] == []


def test_examples_import_from_the_package() -> None:
    from pytest_awshealth.emulator.stacks import examples_dir

    assert examples_dir().resolve() == (ROOT / "examples").resolve()
