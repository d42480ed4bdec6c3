"""Every string a report writes passes through the run's redactor."""

from __future__ import annotations

import json
import os
from typing import Any

from ..redaction import Redactor


def masked(document: Any, redactor: Redactor) -> Any:
    """A copy of a JSON-like document with every string (keys too) scrubbed."""
    if isinstance(document, str):
        return redactor.scrub(document) if document in redactor else document
    if isinstance(document, dict):
        return {masked(k, redactor): masked(v, redactor) for k, v in document.items()}
    if isinstance(document, (list, tuple)):
        return [masked(v, redactor) for v in document]
    return document


def write_json(path: str, document: Any, redactor: Redactor) -> None:
    """Write ``document`` masked, creating the folder; atomically (a reader never sees half)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    temporary = f"{path}.tmp{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(masked(document, redactor), stream, indent=2)
            stream.write("\n")
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
