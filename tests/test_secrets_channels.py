"""Secrets never leave the process: plant secrets, grep every channel for them and for
each of their 8-character fragments."""

from __future__ import annotations

import json
import logging
import time
import warnings

import pytest

from pytest_awshealth.emulator.stacks import log_recent
from pytest_awshealth.masking import scrub_record, scrub_warning
from pytest_awshealth.redaction import FRAGMENT, MASK, Redactor, SecretValue

TF_SECRET = "tfsens4c1d9e8f-77aab3c2dd-q"  # a Terraform sensitive output
SM_SECRET = "smval8b7a6c5d-4e3f21gh99zz-k"  # a Secrets Manager secret, read with value()
SSM_SECRET = "ssm1a2b3c4d5e-6f7g8h9i0j-x"  # an SSM SecureString, read with value()
PLAIN_SSM = "plainssm0a9b8c7d-6e5f"  # a plain String parameter, read with value()
SECRETS = (TF_SECRET, SM_SECRET, SSM_SECRET, PLAIN_SSM)

OUTPUTS = {
    "admin_token": {"value": TF_SECRET, "type": "string", "sensitive": True},
    "slack_secret": {"value": "app/slack", "type": "string", "sensitive": False},
    "api_key_param": {"value": "/app/api_key", "type": "string", "sensitive": False},
    "app_logs": {"value": "/app/logs", "type": "string", "sensitive": False},
    "plain_param": {"value": "/app/plain", "type": "string", "sensitive": False},
}

LEAKY_TESTS = '''
import json, logging, sys, warnings
import pytest

TOKEN = json.load(open("outputs.json"))["admin_token"]["value"]  # a sensitive output, read at import
log = logging.getLogger("app")


@pytest.mark.parametrize("token", [TOKEN, TOKEN[3:15]])
def test_sensitive_value_as_param(token):
    assert token


@pytest.mark.parametrize("token", [1, 2], ids=[TOKEN, TOKEN[:12]])
def test_sensitive_explicit_ids(token):
    assert token


@pytest.mark.parametrize("x", [pytest.param(1, id=TOKEN[5:20])])
def test_sensitive_param_id(x):
    assert x


@pytest.mark.parametrize("x", [1], ids=lambda value: TOKEN)
def test_sensitive_id_function(x):
    assert x


def test_warning(aws_outputs):
    warnings.warn(f"token is {aws_outputs['admin_token']}")
    warnings.warn(UserWarning("head " + aws_outputs["admin_token"][:12]))


def test_terraform_output_leaks(aws_outputs, record_property, record_xml_attribute,
                                record_testsuite_property):
    token = aws_outputs["admin_token"]
    record_xml_attribute("token", token)
    record_testsuite_property("token_tail", token[-9:])
    parts = token.split("-")
    head = token[:12]
    record_property("token_head", head)
    log.debug("token %s parts %s", token, parts)
    log.info(f"head {head}")
    print("stdout", token, parts)
    print("stderr", head, file=sys.stderr)
    assert head == token


def test_skip_reason(aws_outputs):
    pytest.skip(f"needs {aws_outputs['admin_token'][:10]}")


def test_xfail_reason(aws_outputs):
    pytest.xfail(f"known: {aws_outputs['admin_token']}")


@pytest.mark.aws_output(secret="slack_secret")
def test_secrets_manager_value_leaks(secret):
    value = secret.reveal().reveal()
    parts = value.split("-")
    head = value[:12]
    log.warning("secret %s", value)
    log.debug("parts %r", parts)
    warnings.warn(f"secret {head}")
    print("stdout", value)
    assert value.startswith("nope"), parts


@pytest.mark.aws_output(ssm_parameter="api_key_param")
def test_ssm_value_leaks(ssm_parameter):
    value = ssm_parameter.reveal().reveal()
    parts, tail = value.split("-"), value[-14:]
    try:
        raise RuntimeError(f"api key {value} refused")
    except RuntimeError:
        log.exception("call failed")
    assert {"key": value} == {"key": tail}


@pytest.mark.aws_output(secret="slack_secret", log_group="app_logs")
def test_value_absent_takes_a_secret(secret, log_group):
    assert log_group.value_absent(secret.reveal())


@pytest.mark.aws_output(ssm_parameter="plain_param")
def test_plain_parameter_read_as_a_secret(ssm_parameter):
    assert ssm_parameter.reveal()  # botocore's DEBUG dump of the answer is masked too


@pytest.mark.aws_output(secret="slack_secret", log_group="app_logs")
def test_passing_test_with_logs(secret, log_group):
    value = secret.reveal()
    log.info("read %s", value.reveal())
    assert value == value.reveal()
'''

OUTCOMES = {"passed": 10, "failed": 3, "skipped": 1, "xfailed": 1}
#: Under xdist every process would open (and truncate) the one --log-file: each worker
#: writes its own, as pytest-xdist's documentation advises.
LOG_FILE_PER_WORKER = """
import os

def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        config.option.log_file = f"run-{worker}.log"
"""


def plant_secrets(emu) -> None:
    emu.client("secretsmanager").create_secret(Name="app/slack", SecretString=SM_SECRET)
    emu.client("ssm").put_parameter(Name="/app/api_key", Value=SSM_SECRET, Type="SecureString")
    emu.client("ssm").put_parameter(Name="/app/plain", Value=PLAIN_SSM, Type="String")
    log_recent(emu, "/app/logs", "[INFO] started", "[INFO] no secrets here")


def fragments(secret: str) -> set[str]:
    return {secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


def leaks(text: str) -> list[str]:
    """Every secret or 8-character fragment of one that ``text`` shows."""
    return sorted({f for secret in SECRETS for f in fragments(secret) | {secret} if f in text})


@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_no_secret_in_any_channel(pytester, aws_env, write_outputs, extra) -> None:
    plant_secrets(aws_env)
    write_outputs(OUTPUTS)
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    pytester.makeconftest(LOG_FILE_PER_WORKER)
    result = pytester.runpytest(
        "--aws-outputs", "outputs.json", "-vv", "-rA", "-l",
        "-o", "log_cli=true", "--log-level=DEBUG", "--log-file=run.log", "--log-file-level=DEBUG",
        "--junitxml=junit.xml", "-o", "junit_logging=all", "--report-log=report.jsonl",
        "-W", "always", *extra)
    result.assert_outcomes(**OUTCOMES, warnings=result.parseoutcomes().get("warnings", 0))
    channels = {
        "terminal": result.stdout.str() + result.stderr.str(),
        "junit": (pytester.path / "junit.xml").read_text(),
        "report-log": (pytester.path / "report.jsonl").read_text(),
        "log-file": "".join(p.read_text() for p in sorted(pytester.path.glob("run*.log"))),
    }
    assert {name: leaks(text) for name, text in channels.items()} == {
        name: [] for name in channels}
    # each channel really carried the masked values (the checks above are not vacuous)
    terminal, junit, report_log = channels["terminal"], channels["junit"], channels["report-log"]
    assert "test_sensitive_value_as_param[***0]" in report_log
    assert 'name="test_sensitive_explicit_ids[***' in junit
    assert "warnings summary" in terminal and "token is ***" in terminal
    assert "secret ***" in junit and "Captured log" in terminal
    assert "needs ***" in terminal and "known: ***" in terminal and 'message="needs ***"' in junit
    if not extra:  # live logs show in serial runs only; botocore's dump of the response
        assert "live log call" in terminal
        assert "Response body" in terminal and '"SecretString": "***"' in terminal
        assert "['***', '***', 'k']" in terminal  # -l: fragments of 8+ characters
    assert "Response body" in channels["log-file"] and "GetParameter" in channels["log-file"]


def test_sensitive_ids_collect_the_same_serial_and_xdist(pytester, aws_env, write_outputs) -> None:
    write_outputs(OUTPUTS)
    pytester.makepyfile(test_leaky=LEAKY_TESTS)
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--collect-only", "-q",
                                "-k", "sensitive")
    ids = [line for line in result.stdout.lines if "::" in line]
    assert len(ids) == 6 and not leaks(result.stdout.str())
    assert "test_leaky.py::test_sensitive_value_as_param[***0]" in ids


# --------------------------------------------------------------------------- unit


def test_fragments_of_eight_or_more_are_masked() -> None:
    redactor = Redactor([TF_SECRET])
    assert redactor.scrub(f"x{TF_SECRET}y") == f"x{MASK}y"
    assert redactor.scrub(TF_SECRET[:12]) == MASK
    assert redactor.scrub(repr(TF_SECRET.split("-"))) == "['***', '***', 'q']"
    assert redactor.scrub(TF_SECRET[2:9]) == TF_SECRET[2:9]  # 7 characters: left alone
    assert redactor.scrub(f"{TF_SECRET[:8]} and {TF_SECRET[-8:]}") == f"{MASK} and {MASK}"
    assert not leaks(redactor.scrub(json.dumps({"k": TF_SECRET})))


def test_fragment_index_finds_exactly_the_windows_a_brute_force_finds() -> None:
    import random

    rng = random.Random(6)
    for _ in range(300):
        secret = "".join(rng.choice("ab-c1") for _ in range(rng.randint(8, 20)))
        text = "".join(rng.choice("ab-c1xy") for _ in range(rng.randint(0, 60)))
        cut = rng.randint(0, len(text))
        text = text[:cut] + secret[rng.randint(0, 4):] + text[cut:]
        grams = {secret[i:i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}
        covered = [False] * len(text)
        for i in range(len(text) - FRAGMENT + 1):
            if text[i:i + FRAGMENT] in grams:
                covered[i:i + FRAGMENT] = [True] * FRAGMENT
        expected, i = [], 0
        while i < len(text):
            if covered[i]:
                expected.append(MASK)
                while i < len(text) and covered[i]:
                    i += 1
            else:
                expected.append(text[i])
                i += 1
        assert Redactor([secret]).scrub(text) == "".join(expected), (secret, text)


def test_short_values_are_masked_whole_only() -> None:
    redactor = Redactor(["abc", "pin-42"])
    assert redactor.scrub("abc pin-42 pin-4") == f"abc {MASK} pin-4"


def test_json_secret_fields_are_masked_but_not_its_keys() -> None:
    document = json.dumps({"client_id": "addon-1", "client_secret": "cs-91xq7-9a8b7c"})
    redactor = Redactor()
    redactor.add_secret(document)
    assert redactor.scrub(document) == MASK
    assert redactor.scrub("client_id=addon-1 secret=cs-91xq7-9a") == f"client_id={MASK} secret={MASK}"
    assert redactor.scrub('"client_secret": x') == '"client_secret": x'
    body = json.dumps({"SecretString": document}).encode()
    assert redactor.scrub(repr(body)) == """b'{"SecretString": "***"}'"""


def test_escaped_forms_are_masked() -> None:
    secret = 'p\u00e4ss"w\\ord-1234'
    redactor = Redactor([secret])
    for form in (json.dumps(secret), repr(secret), repr(json.dumps(secret).encode()),
                 "https://x/?k=" + "p%C3%A4ss%22w%5Cord-1234"):
        assert MASK in redactor.scrub(form) and "ord-1234" not in redactor.scrub(form)


def test_mask_plain_data_for_report_writers() -> None:
    redactor = Redactor([SM_SECRET])
    data = {"hints": [{"title": f"value {SM_SECRET[:10]}"}], SM_SECRET: (1, SecretValue("x"))}
    assert redactor.mask(data) == {"hints": [{"title": f"value {MASK}"}], MASK: (1, MASK)}


def test_masking_a_megabyte_log_is_fast_and_linear() -> None:
    redactor = Redactor(SECRETS)
    redactor.update(f"secret-number-{i:04d}-abcdef" for i in range(50))
    line = "2026-01-01T00:00:00Z INFO request id 4f1c9e2a-0b7d handled in 12 ms\n"
    megabyte = line * (1_000_000 // len(line)) + SM_SECRET

    def seconds(text: str) -> float:  # the best of two, against a busy machine
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            scrubbed = redactor.scrub(text)
            best = min(best, time.perf_counter() - start)
        assert scrubbed.endswith(MASK) and scrubbed.count(MASK) == text.count(SM_SECRET)
        return best

    quarter, full = seconds(megabyte[-250_000:]), seconds(megabyte)
    assert full < 2.0, f"masking 1 MB took {full:.2f} s"
    assert full < 8 * quarter, f"not linear: 250 kB in {quarter:.3f} s, 1 MB in {full:.3f} s"


def test_log_records_and_warnings_are_scrubbed() -> None:
    redactor = Redactor([SSM_SECRET])
    record = logging.LogRecord("app", logging.INFO, __file__, 1, "key %s", (SSM_SECRET,), None)
    try:
        raise ValueError(SSM_SECRET[:10])
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    scrub_record(record, redactor)
    assert record.getMessage() == f"key {MASK}" and MASK in (record.exc_text or "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn(f"leak {SSM_SECRET}", DeprecationWarning)
    scrub_warning(caught[0], redactor)
    assert str(caught[0].message) == f"leak {MASK}" and caught[0].category is DeprecationWarning


def test_probes_take_secret_values(aws_env) -> None:
    from pytest_awshealth.clients import AwsContext
    from pytest_awshealth.resources import LogGroup

    log_recent(aws_env, "/app/logs", f"oops {SM_SECRET}")
    group = LogGroup("/app/logs", aws=AwsContext(region="us-east-1", endpoint_url=aws_env.url))
    assert group.value_absent(SecretValue(SM_SECRET)) == False  # noqa: E712  # an Absence
    assert group.value_absent(SecretValue("never-logged-value")) == True  # noqa: E712
    assert SM_SECRET in group.aws.redactor


def test_botocore_dump_of_a_secret_read_is_masked(aws_env, caplog) -> None:
    from pytest_awshealth.clients import AwsContext

    plant_secrets(aws_env)
    context = AwsContext(region="us-east-1", endpoint_url=aws_env.url)
    client = context.client("secretsmanager")
    with caplog.at_level(logging.DEBUG, logger="botocore"):
        client.get_secret_value(SecretId="app/slack")
    assert SM_SECRET in context.redactor  # learnt before botocore parsed (and logged) it
    dumps = [r.getMessage() for r in caplog.records if "Response body" in r.getMessage()]
    assert dumps and SM_SECRET in dumps[0]  # no factory outside a run: the raw dump...
    assert SM_SECRET not in context.redactor.scrub(dumps[0])  # ...that the run masks



def test_probes_take_secret_values_nested_in_headers(api_stub) -> None:
    from pytest_awshealth.clients import AwsContext
    from pytest_awshealth.resources import HttpEndpoint

    api_stub.route("/private", 200, "ok")
    endpoint = HttpEndpoint(api_stub.url, aws=AwsContext(region="us-east-1"))
    assert endpoint.get("/private", headers={"x-api-key": SecretValue(SSM_SECRET)}).ok
    assert api_stub.calls[-1].headers.get("X-Api-Key") == SSM_SECRET
    assert SSM_SECRET in endpoint.aws.redactor


def test_collection_error_is_scrubbed(pytester, aws_env, write_outputs) -> None:
    write_outputs(OUTPUTS)
    pytester.makepyfile(test_broken='''
        import json
        TOKEN = json.load(open("outputs.json"))["admin_token"]["value"]
        raise RuntimeError(f"cannot use {TOKEN[:15]} here")
    ''')
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--report-log=report.jsonl")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*RuntimeError: cannot use *** here*"])
    assert not leaks(result.stdout.str() + (pytester.path / "report.jsonl").read_text())


def test_session_credentials_are_masked(aws_env, monkeypatch) -> None:
    from pytest_awshealth.clients import AwsContext

    token = "FwoGZXIvYXdzEJr//////////wEaDFakeSessionToken0123456789abcdef"
    monkeypatch.setenv("AWS_SESSION_TOKEN", token)
    context = AwsContext(region="us-east-1", endpoint_url=aws_env.url)
    context.client("sts").get_caller_identity()
    assert token in context.redactor and token[10:30] in context.redactor
    assert "testing" not in context.redactor  # the emulator's 7-character key: too short


PULUMI_SHOWN = {"dbPassword": "pulumipw-5e6f7a8b9c", "bucket": "app-bucket"}


def test_aws_sensitive_masks_outputs_of_any_format(pytester, write_outputs) -> None:
    write_outputs(PULUMI_SHOWN)  # `pulumi stack output --json --show-secrets`: no marks
    pytester.makepyfile('''
        import json, pytest
        PASSWORD = json.load(open("outputs.json"))["dbPassword"]

        @pytest.mark.parametrize("value", [PASSWORD])
        def test_id(value):
            assert value

        def test_print(aws_outputs):
            print(aws_outputs["dbPassword"][:10], aws_outputs["bucket"])
            assert False
    ''')
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-sensitive", "dbPassword",
                                "-v", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_id[[]***[]] PASSED*", "*** app-bucket*"])
    assert "pulumipw" not in result.stdout.str()


def test_aws_sensitive_unknown_key_is_a_usage_error(pytester, write_outputs) -> None:
    write_outputs(PULUMI_SHOWN)
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--aws-outputs", "outputs.json", "--aws-sensitive", "dbPasword")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --aws-sensitive dbPasword: *dbPassword*"])
