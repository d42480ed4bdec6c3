"""Load deploy-tool outputs files into one read-only :class:`Outputs` mapping.

The format of each file is detected from the shape of its parsed JSON; the first
rule that matches wins:

* ``terraform`` -- ``terraform output -json``: a non-empty object whose every value
  is an object with a ``"value"`` key and a ``"type"`` or ``"sensitive"`` key. The
  ``sensitive`` flag marks the output sensitive.
* ``cloudformation`` -- ``aws cloudformation describe-stacks``: an object with a
  ``"Stacks"`` list whose items carry a ``"StackName"``; each stack's ``"Outputs"``
  list holds ``{"OutputKey", "OutputValue"}`` objects. Keys of all stacks merge; one
  key with different values in two stacks is an error.
* ``sam`` -- ``sam list stack-outputs --output json``: a top-level list of
  ``{"OutputKey", "OutputValue"}`` objects (also a bare CloudFormation outputs list).
* ``cdk`` -- ``cdk deploy --outputs-file``: a non-empty object mapping stack names
  (letters, digits, hyphens) to objects of alphanumeric logical IDs -> scalar values,
  none of them Terraform-shaped. Keys of all stacks merge; a key with different values
  in two stacks is only reachable as ``"Stack.Key"``.
* ``pulumi`` -- ``pulumi stack output --json``: an object with a top-level value that
  is exactly ``"[secret]"``; such outputs are sensitive and unusable.
* ``plain`` -- any other JSON object (``{}`` included); nested values are reached with
  a JSONPath such as ``"$.lambda_names.detector"``.

Files are UTF-8 (a BOM is tolerated) or UTF-16/UTF-32 as detected by :func:`json.detect_encoding`
(PowerShell's ``>`` writes UTF-16). Anything else raises
:class:`~pytest_awshealth.errors.OutputsError` with a one-line message naming the file: a
list of other objects, a scalar, an empty or undecodable file, invalid JSON, ``NaN`` or
``Infinity``, numbers out of range or longer than Python's int-string limit, nesting deeper
than :data:`MAX_DEPTH`, lone surrogate escapes, a file over :data:`MAX_BYTES`, a directory or
an unreadable path.

Lookups accept a key, a JSONPath starting with ``"$"``, ``"Stack.Key"`` (stacks of
CDK/CloudFormation files), and a key without its CDK logical-ID hash suffix (8
uppercase hex digits), e.g. ``"ApiEndpoint"`` for ``"ApiEndpoint4F160690"``. No
message ever contains an output value.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pytest_awshealth.errors import OutputsError, SensitiveOutputError, UnknownOutputError

if TYPE_CHECKING:
    from jsonpath_ng import DatumInContext, JSONPath

__all__ = [
    "PULUMI_SECRET",
    "Output",
    "Outputs",
    "load_outputs",
    "name_problem",
    "outputs_from_stacks",
    "parse_outputs",
]

PULUMI_SECRET = "[secret]"
"""Placeholder ``pulumi stack output --json`` writes for a secret without ``--show-secrets``."""

_SCALARS = (str, int, float, bool)
_CDK_STACK = re.compile(r"[A-Za-z][-A-Za-z0-9]*\Z")
_CDK_KEY = re.compile(r"[A-Za-z0-9]+\Z")
_CDK_SUFFIX = re.compile(r"[0-9A-F]{8}\Z")
_ACCEPTED = (
    "accepted: `terraform output -json`, `cdk deploy --outputs-file`, "
    "`aws cloudformation describe-stacks`, `sam list stack-outputs --output json`, "
    "`pulumi stack output --json`, or a JSON object of key -> value"
)
_MAX_LISTED = 10
MAX_BYTES = 16 * 2**20
"""Largest outputs file read (deploy outputs are kilobytes; a bigger file is the wrong one)."""
MAX_DEPTH = 100
"""Deepest nesting of arrays and objects accepted in an outputs file."""
MAX_JSONPATH = 1000
"""Longest JSONPath evaluated."""


@dataclass(frozen=True)
class Output:
    """One deploy output and where it came from."""

    key: str
    value: Any
    source: str
    sensitive: bool = False
    fmt: str = "plain"
    stack: str | None = None

    def __repr__(self) -> str:
        """Never show the value."""
        return (
            f"Output(key={self.key!r}, source={self.source!r}, fmt={self.fmt!r}, "
            f"stack={self.stack!r}, sensitive={self.sensitive!r})"
        )


# --------------------------------------------------------------------------- loading


def load_outputs(paths: Sequence[str | os.PathLike[str]]) -> Outputs:
    """Read, detect and merge outputs files, in order."""
    if isinstance(paths, (str, os.PathLike)):  # one path, not a sequence of characters
        paths = [paths]
    records: list[Output] = []
    sources: list[tuple[str, str]] = []
    for path in paths:
        source = os.fsdecode(path)
        fmt, found = _parse(_read_json(source), source)
        sources.append((source, fmt))
        records.extend(found)
    return Outputs(records, sources=sources)


def outputs_from_stacks(describe_stacks: dict[str, Any], source: str) -> Outputs:
    """Build :class:`Outputs` from a CloudFormation ``DescribeStacks`` response (boto3 shape)."""
    if not isinstance(describe_stacks, dict) or not _is_cloudformation(describe_stacks):
        raise OutputsError(
            f"{source}: expected a DescribeStacks response with a 'Stacks' list of stacks "
            "carrying 'StackName'"
        )
    records = _parse_cloudformation(describe_stacks, source)
    return Outputs(records, sources=[(source, "cloudformation")])


def parse_outputs(data: Any, source: str) -> list[Output]:
    """Detect the format of parsed JSON ``data`` and normalise it to records."""
    return _parse(data, source)[1]


def _read_json(source: str) -> Any:
    """Return the parsed JSON of ``source``; every failure is a one-line OutputsError."""
    text = _decode(_read_bytes(source), source)
    if not text.strip():
        raise OutputsError(
            f"outputs file is empty: {source}; write it with `terraform output -json > {source}` "
            "(or your deploy tool's equivalent)"
        )
    data = _loads(text, source)
    _check_tree(data, source)
    return data


def _read_bytes(source: str) -> bytes:
    """The file's bytes, at most :data:`MAX_BYTES`; any OS failure is an OutputsError."""
    try:
        with open(source, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise OutputsError(
            f"outputs file not found: {source}; create it with "
            f"`terraform output -json > {source}` (or pass the right path)"
        ) from None
    except IsADirectoryError:
        raise OutputsError(
            f"outputs path is a directory: {source}; pass the JSON file inside it, "
            f"e.g. --aws-outputs {os.path.join(source, 'outputs.json')}"
        ) from None
    except PermissionError:
        raise OutputsError(
            f"cannot read outputs file {source}: permission denied; make it readable "
            f"(`chmod u+r {source}`) or write it where the test run can read it"
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputsError(f"cannot read outputs file {source}: {reason}; pass a readable "
                           "JSON file") from None
    if len(raw) > MAX_BYTES:
        raise OutputsError(
            f"outputs file {source} is larger than {MAX_BYTES // 2**20} MiB; deploy outputs are "
            "a few kilobytes: pass the file from `terraform output -json` (not a state file)"
        )
    return raw


def _loads(text: str, source: str) -> Any:
    """``json.loads`` with NaN, Infinity, out-of-range and too-long numbers refused."""
    def constant(name: str) -> Any:
        raise OutputsError(
            f"outputs file {source} contains {name}, which is not JSON; write null or a "
            "string instead (or re-export the file with your deploy tool)"
        )

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise OutputsError(f"outputs file {source} contains a number too large for a "
                               "float; write it as a string")
        return value

    try:
        return json.loads(text, parse_constant=constant, parse_float=finite)
    except json.JSONDecodeError as exc:
        raise OutputsError(
            f"invalid JSON in {source} at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "expected the JSON object written by e.g. `terraform output -json`"
        ) from None
    except RecursionError:
        raise _too_deep(source) from None
    except ValueError:  # int longer than sys.get_int_max_str_digits()
        raise OutputsError(
            f"outputs file {source} contains a number with more than "
            f"{_max_digits()} digits; write it as a string"
        ) from None


def _max_digits() -> int:
    get = getattr(sys, "get_int_max_str_digits", None)
    return get() if get is not None else 4300


def _too_deep(source: str, key: str | None = None) -> OutputsError:
    where = f" (output {_shown(key)})" if key is not None else ""
    return OutputsError(
        f"outputs file {source} is nested more than {MAX_DEPTH} levels deep{where}; "
        "deploy outputs are a few levels deep: check it is the file your deploy tool wrote"
    )


def _check_tree(data: Any, source: str) -> None:
    """Refuse nesting beyond :data:`MAX_DEPTH` and strings that are not Unicode text."""
    stack: list[tuple[Any, int, str | None]] = [(data, 0, None)]
    while stack:
        node, depth, key = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(source, key)
        if isinstance(node, dict):
            for name, value in node.items():
                _check_text(name, source, key)
                stack.append((value, depth + 1, name if key is None else key))
        elif isinstance(node, list):
            stack.extend((item, depth + 1, key) for item in node)
        elif isinstance(node, str):
            _check_text(node, source, key)


def _check_text(text: str, source: str, key: str | None) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        where = f" in output {_shown(key)}" if key is not None else ""
        raise OutputsError(
            f"outputs file {source} has a \\u escape that is not a character (a lone "
            f"surrogate){where}; re-export the file with your deploy tool"
        ) from None


def _decode(raw: bytes, source: str) -> str:
    """Decode UTF-8 (BOM tolerated), or UTF-16/UTF-32 as PowerShell and others write it."""
    encoding = json.detect_encoding(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding.startswith("utf-8") else encoding.upper()
        raise OutputsError(
            f"outputs file {source} is not {name} (bad byte at offset {exc.start}); "
            "re-export it as UTF-8 JSON"
        ) from None


def _shown(text: str | None) -> str:
    """``text`` quoted for a one-line message: control characters and surrogates escaped."""
    text = str(text)
    if text.isprintable() and _encodable(text):
        return f"'{text}'"
    return ascii(text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# --------------------------------------------------------------------------- detection


def _parse(data: Any, source: str) -> tuple[str, list[Output]]:
    """Return ``(fmt, records)`` for parsed JSON ``data``."""
    if isinstance(data, list):
        return "sam", _parse_sam(data, source)
    if not isinstance(data, dict):
        raise _unrecognised(source, f"the top level is a JSON {_json_type(data)}")
    if _is_terraform(data):
        return "terraform", _parse_terraform(data, source)
    _refuse_partly_terraform(data, source)
    if _is_cloudformation(data):
        return "cloudformation", _parse_cloudformation(data, source)
    if _is_cdk(data):
        return "cdk", _parse_cdk(data, source)
    fmt = "pulumi" if any(_is_secret_placeholder(v) for v in data.values()) else "plain"
    return fmt, _parse_flat(data, source, fmt)


def _is_terraform_entry(value: Any) -> bool:
    if not isinstance(value, dict) or "value" not in value:
        return False
    return "type" in value or "sensitive" in value


def _is_terraform(data: dict[str, Any]) -> bool:
    return bool(data) and all(_is_terraform_entry(v) for v in data.values())


def _refuse_partly_terraform(data: dict[str, Any], source: str) -> None:
    """Half the keys or more in Terraform's ``{"value": ..., "type": ...}`` and the rest
    not: two files pasted into one, which no single reading would take whole."""
    others = [key for key, value in data.items() if not _is_terraform_entry(value)]
    if others and len(others) * 2 <= len(data):
        shown = ", ".join(repr(k) for k in others[:3]) + (", ..." if len(others) > 3 else "")
        count = len(data) - len(others)
        terraform = "key is a Terraform output" if count == 1 else "keys are Terraform outputs"
        raise OutputsError(
            f"outputs file {source} mixes formats: {count} {terraform} but {shown} "
            f"{'is' if len(others) == 1 else 'are'} not; write it with `terraform output -json` "
            "alone (other outputs: a second --aws-outputs)")


def _is_cloudformation(data: dict[str, Any]) -> bool:
    stacks = data.get("Stacks")
    return isinstance(stacks, list) and all(
        isinstance(s, dict) and isinstance(s.get("StackName"), str) for s in stacks
    )


def _is_cdk_stack(name: str, value: Any) -> bool:
    return (
        bool(_CDK_STACK.match(name))
        and isinstance(value, dict)
        and not _is_terraform_entry(value)
        and all(_CDK_KEY.match(k) and isinstance(v, _SCALARS) for k, v in value.items())
    )


def _is_cdk(data: dict[str, Any]) -> bool:
    return bool(data) and all(_is_cdk_stack(k, v) for k, v in data.items())


def _is_secret_placeholder(value: Any) -> bool:
    return isinstance(value, str) and value == PULUMI_SECRET


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _unrecognised(source: str, why: str) -> OutputsError:
    return OutputsError(f"unrecognised outputs format in {source}: {why}; {_ACCEPTED}")


# --------------------------------------------------------------------------- normalising


def _parse_terraform(data: dict[str, Any], source: str) -> list[Output]:
    return [
        Output(key, entry["value"], source, bool(entry.get("sensitive", False)), "terraform")
        for key, entry in data.items()
    ]


def _parse_cdk(data: dict[str, Any], source: str) -> list[Output]:
    return [
        Output(key, value, source, fmt="cdk", stack=stack)
        for stack, values in data.items()
        for key, value in values.items()
    ]


def _parse_flat(data: dict[str, Any], source: str, fmt: str) -> list[Output]:
    return [
        Output(key, value, source, fmt == "pulumi" and _is_secret_placeholder(value), fmt)
        for key, value in data.items()
    ]


def _parse_sam(data: list[Any], source: str) -> list[Output]:
    if not all(isinstance(i, dict) and "OutputKey" in i and "OutputValue" in i for i in data):
        raise _unrecognised(
            source, "a JSON array whose items are not {OutputKey, OutputValue} objects"
        )
    return [_stack_output(item, source, "sam", None, n) for n, item in enumerate(data, 1)]


def _parse_cloudformation(data: dict[str, Any], source: str) -> list[Output]:
    records: list[Output] = []
    for stack in data["Stacks"]:
        name = stack["StackName"]
        outputs = stack.get("Outputs") or []
        if not isinstance(outputs, list):
            raise OutputsError(f"malformed stack '{name}' in {source}: 'Outputs' must be a list")
        records.extend(
            _stack_output(item, source, "cloudformation", name, number)
            for number, item in enumerate(outputs, 1)
        )
    return records


def _stack_output(item: Any, source: str, fmt: str, stack: str | None, number: int) -> Output:
    """Normalise one ``{"OutputKey", "OutputValue"}`` object."""
    if not (
        isinstance(item, dict) and isinstance(item.get("OutputKey"), str) and "OutputValue" in item
    ):
        where = f"stack '{stack}' in {source}" if stack else source
        raise OutputsError(
            f"malformed output #{number} of {where}: "
            "expected an object with OutputKey and OutputValue"
        )
    return Output(item["OutputKey"], item["OutputValue"], source, fmt=fmt, stack=stack)


# --------------------------------------------------------------------------- mapping


class Outputs(Mapping[str, Any]):
    """Read-only mapping of output key -> plain value.

    Iteration yields every key; a CDK key whose value differs between stacks of one
    file is yielded (and only reachable) as ``"Stack.Key"``. Reading a Pulumi
    ``[secret]`` raises :class:`SensitiveOutputError`, so ``values()`` may raise too.
    """

    def __init__(
        self, outputs: Iterable[Output], *, sources: Iterable[tuple[str, str]] = ()
    ) -> None:
        """Merge ``outputs``; ``sources`` adds ``(source, fmt)`` pairs, e.g. of empty files."""
        self._formats: dict[str, str] = dict(sources)
        self._records: dict[str, Output] = {}
        self._ambiguous: dict[str, list[Output]] = {}
        self._stacks: dict[str, dict[str, Output]] = {}
        self._all = list(outputs)
        for record in self._all:
            self._add(record)
        self._entries = self._build_entries()
        self._sensitive = _sensitive_strings(self._entries.values())
        #: Keys by their name without a CDK hash suffix, per mapping looked up in (the
        #: mapping is kept, so its id stays its own).
        self._suffixless: dict[int, tuple[Mapping[str, Any], dict[str, list[str]]]] = {}
        #: What each reference located to (or why not): every test bound to a key looks
        #: it up, and a JSONPath is evaluated once.
        self._located: dict[str, tuple[Output, list[Output]] | UnknownOutputError] = {}

    def merged_with(self, other: Outputs) -> Outputs:
        """A new mapping holding both; conflicting keys raise as when loading files."""
        return Outputs([*self._all, *other._all],
                       sources=[*self._formats.items(), *other._formats.items()])

    # -- merging

    def _add(self, record: Output) -> None:
        self._formats.setdefault(record.source, record.fmt)
        if record.key in self._ambiguous:
            self._add_variant(record)
        else:
            self._add_record(record)
        if record.stack is not None:
            stack = self._stacks.setdefault(record.stack, {})
            stack[record.key] = _merged(stack.get(record.key), record)

    def _add_record(self, record: Output) -> None:
        previous = self._records.get(record.key)
        if previous is None or previous.value == record.value:
            self._records[record.key] = _merged(previous, record)
        elif _stack_variants(previous, record):
            del self._records[record.key]
            self._ambiguous[record.key] = [previous, record]
        else:
            raise _conflict(previous, record)

    def _add_variant(self, record: Output) -> None:
        variants = self._ambiguous[record.key]
        for index, variant in enumerate(variants):
            if variant.stack == record.stack:
                if variant.value != record.value:
                    raise _conflict(variant, record)
                variants[index] = _merged(variant, record)
                return
        if not _stack_variants(variants[0], record):
            raise _conflict(variants[0], record)
        variants.append(record)

    def _build_entries(self) -> dict[str, Output]:
        entries = dict(self._records)
        for key, variants in self._ambiguous.items():
            entries.update((f"{v.stack}.{key}", v) for v in variants)
        return entries

    # -- Mapping protocol

    def __getitem__(self, ref: str) -> Any:
        """Return the plain value of a key, ``Stack.Key``, suffix-less CDK key or JSONPath."""
        return self.resolve(ref).value

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, ref: object) -> bool:
        """Whether ``ref`` resolves, without reading (or refusing) its value."""
        try:
            self._locate(ref)
        except UnknownOutputError:
            return False
        return True

    def __repr__(self) -> str:
        return f"Outputs(keys={len(self)}, sources={self.sources!r})"

    # -- public API

    def resolve(self, ref: str) -> Output:
        """Return the record ``ref`` names; for a JSONPath, a record keyed by the path."""
        record, roots = self._locate(ref)
        for root in roots:
            if _is_pulumi_secret(root):
                raise _secret_error(root)
        return replace(record, value=_detached(record.value))

    def key_for(self, ref: str) -> str:
        """Return the real key ``ref`` resolves to (a JSONPath resolves to itself)."""
        record, _ = self._locate(ref)
        if record.key in self._ambiguous:
            return f"{record.stack}.{record.key}"
        return record.key

    def is_sensitive(self, ref: str) -> bool:
        """Whether ``ref`` is (or is read from) a sensitive output."""
        return self._locate(ref)[0].sensitive

    @property
    def sources(self) -> list[str]:
        """Source files (or ``stack:NAME``) in load order."""
        return list(self._formats)

    @property
    def formats(self) -> dict[str, str]:
        """Each source with its format, in load order."""
        return dict(self._formats)

    @property
    def sensitive_values(self) -> frozenset[str]:
        """``str()`` of every sensitive value and of every string inside one."""
        return self._sensitive

    @property
    def fmt(self) -> str:
        """Format of the sources, ``"mixed"`` if they differ (``"plain"`` if none)."""
        formats = set(self._formats.values())
        if len(formats) > 1:
            return "mixed"
        return formats.pop() if formats else "plain"

    # -- lookup

    def _locate(self, ref: object) -> tuple[Output, list[Output]]:
        """Return the record for ``ref`` and the top-level records it was read from."""
        if not isinstance(ref, str):
            raise UnknownOutputError(f"output references are strings, got {type(ref).__name__}")
        found = self._located.get(ref)
        if found is None:
            try:
                found = self._locate_once(ref)
            except UnknownOutputError as exc:
                found = exc
            self._located[ref] = found
        if isinstance(found, UnknownOutputError):
            raise type(found)(*found.args)
        return found

    def _locate_once(self, ref: str) -> tuple[Output, list[Output]]:
        if ref.startswith("$"):
            return self._query(ref)
        record = self._find(ref)
        return record, [record]

    def _find(self, ref: str) -> Output:
        key = self._match_key(ref, self._entries, self._where)
        if key is not None:
            return self._entries[key]
        key = self._match_key(ref, self._ambiguous, self._where)
        if key is not None:
            raise UnknownOutputError(self._ambiguous_message(key))
        record = self._find_in_stack(ref)
        if record is None:
            hint = _hint(ref, list(self))
            raise UnknownOutputError(f"no output {_shown(ref)} in {self._where()}; {hint}")
        return record

    def _match_key(self, ref: str, keys: Mapping[str, Any], where: Callable[[], str]) -> str | None:
        """``ref`` if it is a key of ``keys``, else the one key that is ``ref`` plus a CDK
        hash suffix (from an index built once per mapping, so lookups stay O(1)); ``where``
        names ``keys`` in the error."""
        if ref in keys:
            return ref
        kept = self._suffixless.get(id(keys))
        if kept is None or kept[0] is not keys:
            kept = self._suffixless[id(keys)] = (keys, _suffixless_index(keys))
        found = kept[1].get(ref, [])
        if len(found) > 1:
            raise UnknownOutputError(
                f"output '{ref}' is ambiguous in {where()}: it matches {', '.join(found)}; "
                "use the full key"
            )
        return found[0] if found else None

    def _find_in_stack(self, ref: str) -> Output | None:
        """Resolve ``Stack.Key``; None when ``ref`` does not start with a known stack."""
        stack, dot, name = ref.partition(".")
        records = self._stacks.get(stack) if dot else None
        if records is None:
            return None
        key = self._match_key(name, records, lambda: f"stack '{stack}'")
        if key is None:
            hint = _hint(name, list(records))
            raise UnknownOutputError(
                f"no output '{name}' in stack '{stack}' ({self._where()}); {hint}"
            )
        return records[key]

    def _query(self, ref: str) -> tuple[Output, list[Output]]:
        """Evaluate a JSONPath against ``{key: value}``."""
        matches = self._matches(ref)
        if not matches:
            hint = _hint(ref, list(self), close=False)
            raise UnknownOutputError(
                f"JSONPath {_shown(ref)} matched nothing in {self._where()}; {hint}")
        roots = self._roots(matches)
        values = [match.value for match in matches]
        return _query_record(ref, values[0] if len(values) == 1 else values, roots, self), roots

    def _matches(self, ref: str) -> list[DatumInContext]:
        """JSONPath matches; a path jsonpath-ng cannot parse or evaluate is an unknown output."""
        example = "write e.g. '$.lambda_names.detector'"
        if len(ref) > MAX_JSONPATH:
            raise UnknownOutputError(
                f"JSONPath of {len(ref)} characters is longer than {MAX_JSONPATH}; {example}")
        try:
            expression = _jsonpath(ref)
        except Exception as exc:  # noqa: BLE001 - JSONPathError, RecursionError, re.error...
            raise UnknownOutputError(
                f"invalid JSONPath {_shown(ref)} ({_reason(exc)}); {example}") from None
        document = {key: record.value for key, record in self._entries.items()}
        for stack, records in self._stacks.items():  # $.Stack.Key, as CDK nests its file
            document.setdefault(stack, {key: record.value for key, record in records.items()})
        try:
            return list(expression.find(document))
        except Exception as exc:  # noqa: BLE001 - filters and functions can raise anything
            raise UnknownOutputError(
                f"JSONPath {_shown(ref)} could not be evaluated ({_reason(exc)}); {example}"
            ) from None

    def _roots(self, matches: list[DatumInContext]) -> list[Output]:
        """Top-level records the matches were read from (all of them if unknown)."""
        names = [_root_key(match) for match in matches]
        if any(name not in self._entries for name in names):
            return list(self._entries.values())
        return list({name: self._entries[name] for name in names if name is not None}.values())

    def _where(self) -> str:
        return ", ".join(self._formats) or "(no outputs loaded)"

    def _ambiguous_message(self, key: str) -> str:
        stacks = [v.stack for v in self._ambiguous[key]]
        return (
            f"output '{key}' has different values in stacks {', '.join(map(str, stacks))} "
            f"of {self._where()}; pick one as '{stacks[0]}.{key}'"
        )


# --------------------------------------------------------------------------- helpers


def name_problem(ref: str, value: Any) -> str | None:
    """Why the value of output ``ref`` cannot name a resource, or None when it can."""
    if isinstance(value, str):
        if not value.strip():
            return (f"output '{ref}' is empty, a resource name is needed: check that the deploy "
                    f"sets it (e.g. `terraform output {ref}`) and re-export the outputs")
        if value != value.strip():
            return (f"output '{ref}' has leading or trailing whitespace, which no resource name "
                    "has: re-export the outputs as JSON from the deploy tool")
        return None
    if isinstance(value, (dict, list)):
        path = ref if ref.startswith("$") else f"$.{ref}"
        if isinstance(value, dict):
            return (f"output '{ref}' is a JSON object, not a resource name; address one "
                    f"field with a JSONPath such as \"{path}.<field>\"")
        return (f"output '{ref}' is a JSON array, not a resource name; address one item "
                f"with a JSONPath such as \"{path}[0]\" (a list of them checks each)")
    kind = "null" if value is None else type(value).__name__
    article = "an" if kind[0] in "aeiou" else "a"
    return (f"output '{ref}' is {'null' if value is None else f'{article} {kind}'}, not a resource "
            "name; bind an output that holds the name")



def _reason(exc: BaseException) -> str:
    """One line about a library error, without its traceback."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return ascii(text)[1:-1] if not _encodable(text) else text


def _merged(previous: Output | None, record: Output) -> Output:
    """Keep the first record of equal definitions, sensitive if either is."""
    if previous is None:
        return record
    if record.sensitive and not previous.sensitive:
        return replace(previous, sensitive=True)
    return previous


def _stack_variants(first: Output, second: Output) -> bool:
    """Whether two definitions of a key are per-stack CDK values of one file."""
    return (
        first.source == second.source
        and first.fmt == second.fmt == "cdk"
        and first.stack != second.stack
    )


def _conflict(first: Output, second: Output) -> OutputsError:
    key = first.key
    if first.source != second.source:
        return OutputsError(
            f"output '{key}' has different values in {first.source} and {second.source}; "
            "remove it from one file or make them agree"
        )
    if first.stack != second.stack:
        return OutputsError(
            f"output '{key}' has different values in stacks '{first.stack}' and '{second.stack}' "
            f"of {first.source}; load one stack's outputs or rename one output"
        )
    return OutputsError(
        f"output '{key}' is defined twice with different values in {first.source}; keep one"
    )


def _suffixless_index(keys: Iterable[str]) -> dict[str, list[str]]:
    """Keys that end in a CDK logical-ID hash suffix, by the name before it
    (``TableName1A2B3C4D`` under ``TableName``)."""
    index: dict[str, list[str]] = {}
    for key in keys:
        if len(key) > 8 and _CDK_SUFFIX.match(key, len(key) - 8):
            index.setdefault(key[:-8], []).append(key)
    return index


@lru_cache(maxsize=4096)
def _jsonpath(ref: str) -> JSONPath:
    """``ref`` parsed once per process (jsonpath-ng is imported on first use)."""
    from jsonpath_ng.ext import parse

    return parse(ref)


def _hint(ref: str, keys: list[str], close: bool = True) -> str:
    """Suggest up to 3 close keys, else list up to 10 available ones."""
    matches = difflib.get_close_matches(ref, keys, n=3) if close else []
    if matches:
        return "closest: " + ", ".join(map(_plain, matches))
    if not keys:
        return "no outputs were loaded"
    more = f" (and {len(keys) - _MAX_LISTED} more)" if len(keys) > _MAX_LISTED else ""
    return "available: " + ", ".join(map(_plain, keys[:_MAX_LISTED])) + more


def _plain(key: str) -> str:
    """A key as listed in a message: as is unless it would break the line."""
    return key if key.isprintable() else ascii(key)


def _root_key(match: DatumInContext) -> str | None:
    """Top-level key a JSONPath match was read from, or None if unknown."""
    from jsonpath_ng import Root

    node = match
    while node.context is not None and not isinstance(node.context.path, Root):
        node = node.context
    fields: tuple[str, ...] = getattr(node.path, "fields", ()) if node.context is not None else ()
    return fields[0] if len(fields) == 1 else None


def _query_record(ref: str, value: Any, roots: list[Output], outputs: Outputs) -> Output:
    """Synthesise the record of a JSONPath result from its root records."""
    if not roots:
        return Output(ref, value, ", ".join(outputs.sources), fmt=outputs.fmt)
    formats = {r.fmt for r in roots}
    stacks = {r.stack for r in roots}
    return Output(
        key=ref,
        value=value,
        source=", ".join(dict.fromkeys(r.source for r in roots)),
        sensitive=any(r.sensitive for r in roots),
        fmt=formats.pop() if len(formats) == 1 else "mixed",
        stack=stacks.pop() if len(stacks) == 1 else None,
    )


def _is_pulumi_secret(record: Output) -> bool:
    return record.fmt == "pulumi" and record.sensitive and _is_secret_placeholder(record.value)


def _secret_error(record: Output) -> SensitiveOutputError:
    return SensitiveOutputError(
        f"output '{record.key}' in {record.source} is a Pulumi secret, its value was not exported; "
        f"re-export with `pulumi stack output --json --show-secrets > {record.source}`"
    )


def _detached(value: Any) -> Any:
    """Copy containers so callers cannot mutate the shared outputs."""
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


def _sensitive_strings(records: Iterable[Output]) -> frozenset[str]:
    found: set[str] = set()
    for record in records:
        if record.sensitive and record.value is not None:
            found.add(str(record.value))
            found.update(_string_leaves(record.value))
    return frozenset(s for s in found if s and s != PULUMI_SECRET)


def _string_leaves(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _string_leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _string_leaves(item)
