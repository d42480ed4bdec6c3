"""Property test: whatever bytes an outputs file holds, the loader raises nothing but
OutputsError, and pytest ends with exit 0 or 4, never an INTERNALERROR or a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from pytest_awshealth.errors import AwsHealthError, OutputsError
from pytest_awshealth.outputs import load_outputs

SCALARS = (st.none() | st.booleans() | st.integers() | st.text(max_size=12)
           | st.floats(allow_nan=False, allow_infinity=False))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
NAME = st.text(st.characters(codec="ascii"), min_size=1, max_size=10)

#: Values shaped like each deploy tool's file, with random contents.
SHAPED = st.one_of(
    st.dictionaries(NAME, st.fixed_dictionaries(
        {"value": JSON}, optional={"type": JSON, "sensitive": JSON}), max_size=3),
    st.fixed_dictionaries({"Stacks": st.lists(st.fixed_dictionaries(
        {"StackName": st.text(max_size=6)},
        optional={"Outputs": JSON | st.lists(st.fixed_dictionaries(
            {"OutputKey": JSON, "OutputValue": JSON}), max_size=3)}), max_size=2)}),
    st.lists(st.fixed_dictionaries({"OutputKey": JSON, "OutputValue": JSON}), max_size=3),
    st.dictionaries(NAME, st.dictionaries(NAME, SCALARS, max_size=3), max_size=2),
    st.dictionaries(NAME, st.just("[secret]") | SCALARS, max_size=3),
)


@st.composite
def encoded(draw: Any, values: Any = JSON | SHAPED) -> bytes:
    """A JSON document, serialised and encoded in one of the ways files end up on disk."""
    text = json.dumps(draw(values), ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1"]))
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


@st.composite
def pathological(draw: Any) -> bytes:
    """Documents that crash naive loaders: deep nesting, huge numbers, non-JSON literals."""
    depth = draw(st.integers(90, 100_000))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
    body = draw(st.sampled_from([
        opener * depth + "1" + closer * depth,
        '{"n": ' + "7" * draw(st.integers(4000, 6000)) + "}",
        '{"n": ' + draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e400"])) + "}",
        '{"k": "\\ud8' + draw(st.sampled_from(["00", "3d"])) + '"}',
        '{"a": ' * draw(st.integers(1, 50)),
    ]))
    cut = draw(st.integers(0, 3))
    return body.encode() if not cut else body[:-cut].encode()


FILES = encoded() | pathological() | st.binary(max_size=64)


def _exercise(path: Path) -> None:
    """Load, then read every key and a hostile JSONPath: only AwsHealthError may escape."""
    try:
        outputs = load_outputs([str(path)])
    except OutputsError as exc:
        event("refused")
        assert "\n" not in str(exc) and str(path) in str(exc)
        str(exc).encode("utf-8")
        return
    event(f"loaded as {outputs.fmt}")
    repr(outputs)
    assert isinstance(outputs.sensitive_values, frozenset)
    for ref in [*outputs, "$..*", "$[?(@ =~ '(')]", "missing"]:
        try:
            outputs[ref]
        except AwsHealthError as exc:
            str(exc).encode("utf-8")


@settings(max_examples=150, deadline=2000, database=None)
@example(b"[" * 100_000 + b"]" * 100_000)
@example(b'{"n": ' + b"9" * 5000 + b"}")
@example(b'{"n": NaN}')
@example(b"\xef\xbb\xbf\xef\xbb\xbf{}")
@given(content=FILES)
def test_loader_raises_only_outputs_error(tmp_path_factory, content: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "property-outputs.json"
    path.write_bytes(content)
    _exercise(path)


@pytest.mark.filterwarnings("ignore:The `&` .intersection. operator is deprecated:DeprecationWarning")
@settings(max_examples=150, deadline=2000, database=None)
@given(ref=st.text(max_size=40).map(lambda text: "$" + text))
def test_any_jsonpath_is_an_answer_or_an_unknown_output(ref: str) -> None:
    from pytest_awshealth.outputs import Outputs, parse_outputs

    outputs = Outputs(parse_outputs({"a": {"b": [1, "x", {"c": None}]}, "n": 5}, "o.json"))
    try:
        outputs[ref]
    except AwsHealthError as exc:
        assert "\n" not in str(exc)
        str(exc).encode("utf-8")


READER = """
from pytest_awshealth.errors import AwsHealthError

def test_read_all(aws_outputs):
    for key in list(aws_outputs):
        try:
            aws_outputs[key]
        except AwsHealthError:
            pass
"""


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(b"[" * 100_000 + b"]" * 100_000)
@example(b'{"n": ' + b"9" * 5000 + b"}")
@example(b'{"Stacks": [{"StackName": "\\r", "Outputs": true}]}')  # a control character in a name
@given(content=FILES)
def test_pytest_exits_0_or_4_without_traceback(pytester: pytest.Pytester, content: bytes) -> None:
    pytester.makepyfile(test_reader=READER)
    (pytester.path / "outputs.json").write_bytes(content)
    result = pytester.runpytest_inprocess("--aws-outputs", "outputs.json", "-p", "no:xdist")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.USAGE_ERROR), output
    assert "Traceback" not in output and "INTERNALERROR" not in output, output
    if result.ret == pytest.ExitCode.USAGE_ERROR:
        errors = [line for line in result.stderr.lines if line.startswith("ERROR")]
        assert len(errors) == 1 and "outputs.json" in errors[0], output
