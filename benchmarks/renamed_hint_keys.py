"""Compute ``RENAMED_HINT_KEYS`` (pytest_awshealth/deprecations.py), the built-in catalog's
aliases: each hint key of release 0.1 (class -> probe attribute -> key, recorded in
old_hint_keys.json) mapped to the keys its probes have now
(``<hint_prefix>.<attribute>``). Re-run after renaming or converting probes:

    python benchmarks/renamed_hint_keys.py           # print the table
    python benchmarks/renamed_hint_keys.py --write   # rewrite it in deprecations.py

tests/test_catalog.py fails while the committed table differs from this one.
"""

from __future__ import annotations

import json
import pprint
import sys
from pathlib import Path

from pytest_awshealth import deprecations
from pytest_awshealth.deprecations import renamed as renamed_attribute
from pytest_awshealth.resources import DEPRECATED_EXPORTS
from pytest_awshealth.resources.registry import handle_types, hints_of

OLD = json.loads((Path(__file__).parent / "old_hint_keys.json").read_text())
TABLE = "RENAMED_HINT_KEYS: dict[str, tuple[str, ...]] = "


def renamed() -> dict[str, tuple[str, ...]]:
    """Old key -> the current keys of the probes it was for, where the old key is gone."""
    classes = {cls.__name__: cls for cls in handle_types()}
    for cls in handle_types():  # a class renamed since 0.1 keeps its old name as an alias
        classes.update({name: cls for name, value in vars(sys.modules[cls.__module__]).items()
                        if value is cls and name not in classes})
    classes.update({old: classes[new] for old, new in DEPRECATED_EXPORTS.items()})
    aliases: dict[str, set[str]] = {}
    for class_name, probes in OLD.items():
        cls = classes.get(class_name)
        if cls is None:
            continue
        current = hints_of(cls)
        moved = {name: attr.new for klass in cls.__mro__ for name, attr in vars(klass).items()
                 if isinstance(attr, renamed_attribute)}
        for attribute, old_key in probes.items():
            if not old_key:
                continue
            attribute = moved.get(attribute, attribute)
            new_key = "missing" if attribute == "exists" else attribute
            new_key = f"{cls.hint_prefix}.{new_key}"
            if new_key != old_key and new_key in current and old_key not in current:
                aliases.setdefault(old_key, set()).add(new_key)
    return {old: tuple(sorted(new)) for old, new in sorted(aliases.items())}


def table_source() -> str:
    return TABLE + pprint.pformat(renamed(), width=96) + "\n"


def write() -> Path:
    """Replace the table at the end of deprecations.py with the computed one."""
    path = Path(deprecations.__file__)
    text = path.read_text()
    start = text.index(TABLE)
    path.write_text(text[:start] + table_source())
    return path


if __name__ == "__main__":
    if "--write" in sys.argv[1:]:
        print(f"wrote {len(renamed())} renamed keys to {write()}")
    else:
        print(table_source(), end="")
