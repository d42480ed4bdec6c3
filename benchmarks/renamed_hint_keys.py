"""Print ``RENAMED_HINT_KEYS`` for pytest_awshealth/deprecations.py: each hint key of
release 0.1 (probe -> key, recorded in old_hint_keys.json) mapped to the keys the
probes have now (``<hint_prefix>.<attribute>``). Run after renaming probes:

    python benchmarks/renamed_hint_keys.py > /tmp/keys && edit deprecations.py
"""

from __future__ import annotations

import json
import pprint
from pathlib import Path

import sys

from pytest_awshealth.deprecations import renamed as renamed_attribute
from pytest_awshealth.resources.registry import handle_types, hints_of

OLD = json.loads((Path(__file__).parent / "old_hint_keys.json").read_text())


def renamed() -> dict[str, tuple[str, ...]]:
    classes = {cls.__name__: cls for cls in handle_types()}
    for cls in handle_types():  # a class renamed since 0.1 keeps its old name as an alias
        classes.update({name: cls for name, value in vars(sys.modules[cls.__module__]).items()
                        if value is cls and name not in classes})
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


if __name__ == "__main__":
    print("RENAMED_HINT_KEYS: dict[str, tuple[str, ...]] = " + pprint.pformat(renamed(), width=96))
