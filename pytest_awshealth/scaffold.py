"""``awshealth init``: a first gate from a deploy outputs file.

Every string leaf of the outputs (top-level keys, and ``$.key.field`` inside objects) is
classified by its value (ARNs by service and resource type, URLs, ``sg-``/``srv-`` ids)
and then by its key (``*_bucket``, ``*TableName``, ``*FunctionName``...). Outputs that
name the same resource (a function's name and its ARN) get one check. Outputs that name
a part of another resource (a table's stream ARN, a load balancer's DNS name, a
service's task definition, its cluster, a pool's app client) add a check to that
resource. The rest is listed as comments at the top of the module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from .outputs import Outputs

ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[^:]*):(?P<account>[^:]*):"
                 r"(?P<resource>.+)$")
CDK_HASH = re.compile(r"[0-9A-F]{8}$")
URL = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Check:
    """How the generated module checks one resource type."""

    fixture: str
    test: str
    asserts: tuple[str, ...]
    comment: str = ""
    variant: str = ""  # e.g. "dead_letter": a queue that must stay empty

    @property
    def name(self) -> str:
        return f"{self.fixture}:{self.variant}" if self.variant else self.fixture


CHECKS: dict[str, Check] = {c.name: c for c in (
    Check("s3_bucket", "test_bucket_exists", ("s3_bucket.exists",)),
    Check("dynamo_table", "test_table_active", ('dynamo_table.status == "ACTIVE"',)),
    Check("lambda_fn", "test_function_active",
          ('lambda_fn.status == "Active"', "lambda_fn.reserved_concurrency != 0"),
          "reserved concurrency 0 throttles every invocation"),
    Check("sqs_queue", "test_queue_exists", ("sqs_queue.exists",)),
    Check("sqs_queue", "test_dead_letter_queue_empty", ("sqs_queue.is_empty",),
          "messages here are deliveries or jobs that failed", "dead_letter"),
    Check("sns_topic", "test_topic_subscriptions_confirmed",
          ("sns_topic.exists", "not sns_topic.pending_subscriptions")),
    Check("state_machine", "test_state_machine_active", ('state_machine.status == "ACTIVE"',)),
    Check("secret", "test_secret_exists", ("secret.exists", "not secret.scheduled_for_deletion")),
    Check("ssm_parameter", "test_parameter_exists", ("ssm_parameter.exists",)),
    Check("ecs_service", "test_service_at_desired_count",
          ('ecs_service.status == "ACTIVE"', "ecs_service.at_desired")),
    Check("target_group", "test_targets_healthy", ("target_group.all_healthy",)),
    Check("load_balancer", "test_load_balancer_active", ('load_balancer.status == "active"',)),
    Check("acm_certificate", "test_certificate_issued",
          ('acm_certificate.status == "ISSUED"', "acm_certificate.days_to_expiry >= 30")),
    Check("iam_role", "test_role_exists", ("iam_role.exists",)),
    Check("log_group", "test_log_group_exists", ("log_group.exists",)),
    Check("event_rule", "test_rule_enabled", ("event_rule.enabled", "event_rule.target_count > 0")),
    Check("cfn_stack", "test_stack_healthy", ("cfn_stack.healthy",)),
    Check("user_pool", "test_user_pool_exists", ("user_pool.exists",)),
    Check("athena", "test_workgroup_enabled", ("athena.enabled",)),
    Check("glue_database", "test_database_exists", ("glue_database.exists",)),
    Check("security_group", "test_security_group_exists", ("security_group.exists",)),
    Check("cloudmap_service", "test_discovery_service_has_instances",
          ("cloudmap_service.has_instances",)),
    Check("rest_api", "test_rest_api_deployed", ("rest_api.exists", "rest_api.stages")),
    Check("cloudwatch", "test_alarm_not_firing", ('cloudwatch.alarm_state(cloudwatch.name) != "ALARM"',),
          "INSUFFICIENT_DATA right after a deploy is normal for low-traffic metrics"),
    Check("http_endpoint", "test_endpoint_answers", ("http_endpoint.get(expect_status=ANSWERING).ok",),
          "any answer but a 5xx or no answer: deployed and serving; add your health path"),
)}

def declared(attribute: str) -> list[tuple[str, str]]:
    """``(value, fixture)`` for what each registered handle declares in ``attribute``
    (``id_prefixes``, ``arn_types``, ``output_words``), longest value first."""
    from .resources import RESOURCE_TYPES

    found = [(value, fixture) for fixture, cls in RESOURCE_TYPES.items()
             for value in getattr(cls, attribute, ())]
    return sorted(found, key=lambda pair: -len(pair[0]))


#: ARN service -> (resource prefix -> fixture); ``None`` marks a part of another resource.
ARN_TYPES: dict[str, dict[str, Optional[str]]] = {
    "dynamodb": {"table": "dynamo_table"}, "lambda": {"function": "lambda_fn"},
    "sqs": {"": "sqs_queue"}, "sns": {"": "sns_topic"}, "states": {"stateMachine": "state_machine"},
    "secretsmanager": {"secret": "secret"}, "ssm": {"parameter": "ssm_parameter"},
    "ecs": {"service": "ecs_service", "task-definition": None, "cluster": None},
    "elasticloadbalancing": {"targetgroup": "target_group", "loadbalancer": "load_balancer"},
    "acm": {"certificate": "acm_certificate"}, "iam": {"role": "iam_role"},
    "logs": {"log-group": "log_group"}, "events": {"rule": "event_rule"},
    "cloudformation": {"stack": "cfn_stack"}, "cognito-idp": {"userpool": "user_pool"},
    "s3": {"": "s3_bucket"},
}


def registered_arn_types() -> dict[str, dict[str, Optional[str]]]:
    """:data:`ARN_TYPES` and, for services it does not list, each registered handle's
    ``arn_format`` (``...:kinesis:...:stream/{name}``): a new handle module is found here
    without an edit (a handle takes its ARN as its name)."""
    from .resources import RESOURCE_TYPES

    found: dict[str, dict[str, Optional[str]]] = {}
    for fixture, cls in RESOURCE_TYPES.items():
        parts = cls.arn_format.split(":", 5)
        typed = re.fullmatch(r"([A-Za-z-]+)[:/]\{name\}", parts[5]) if len(parts) == 6 else None
        if typed and parts[2] not in ARN_TYPES:
            found.setdefault(parts[2], {}).setdefault(typed[1], fixture)
    return {**found, **ARN_TYPES}


def check_for(name: str) -> Check:
    """The check of a fixture (``fixture:variant``): :data:`CHECKS`' own, or for a handle
    without one, its one-glance verdict ``<fixture>.healthy``."""
    return CHECKS.get(name) or Check(name, f"test_{name}_healthy", (f"{name}.healthy",))


#: Key words (the last words of a key, lower case) -> fixture, longest first.
KEY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("state", "machine"), "state_machine"), (("log", "group"), "log_group"),
    (("user", "pool"), "user_pool"), (("work", "group"), "athena"), (("workgroup",), "athena"),
    (("security", "group"), "security_group"), (("rest", "api"), "rest_api"), (("bucket",), "s3_bucket"),
    (("table",), "dynamo_table"), (("function",), "lambda_fn"), (("lambda",), "lambda_fn"),
    (("queue",), "sqs_queue"), (("topic",), "sns_topic"), (("secret",), "secret"),
    (("parameter",), "ssm_parameter"), (("param",), "ssm_parameter"), (("fn",), "lambda_fn"),
    (("rule",), "event_rule"), (("database",), "glue_database"),
    (("alarm",), "cloudwatch"), (("role",), "iam_role"), (("stack",), "cfn_stack"),
)
NOISE_WORDS = frozenset({"name", "names", "id", "ids", "arn", "arns", "url", "urls", "s"})
NOT_RESOURCE_WORDS = frozenset({"region", "account", "project", "environment", "stage", "key",
                                "token", "password", "namespace", "version", "prefix", "port"})


@dataclass
class Found:
    """One string output and what it names."""

    ref: str
    value: str
    fixture: Optional[str] = None
    identity: str = ""
    why: str = ""
    part: str = ""  # "stream", "dns", "task_definition", "cluster", "app_client"
    names_resource: bool = True
    covered_by: Optional[str] = None  # the ref whose check covers this output
    variant: str = ""

    @property
    def check(self) -> str:
        return f"{self.fixture}:{self.variant}" if self.variant else str(self.fixture)

    @property
    def covered(self) -> bool:
        return self.fixture is not None or self.covered_by is not None


@dataclass
class Plan:
    """What the generated module checks, and what it could not."""

    source: str
    fmt: str
    found: list[Found] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)
    companions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, owner, part)

    def checked(self, check: str) -> list[Found]:
        return [f for f in self.found if f.fixture and f.check == check and f.covered_by is None]

    @property
    def coverage(self) -> tuple[int, int]:
        """(covered, total) over the outputs that name a resource."""
        naming = [f for f in self.found if f.names_resource]
        return sum(f.covered for f in naming), len(naming)


# -- classification ----------------------------------------------------------------------

def key_words(key: str) -> list[str]:
    """``StateTableName9A3F7E15`` -> ``['state', 'table', 'name']``; ``$.a_b.c`` -> ``a b c``."""
    key = CDK_HASH.sub("", key.lstrip("$."))
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", key)
    return [w for w in re.split(r"[\s_.\-/]+", spaced.lower()) if w]


def classify(ref: str, value: str, words: list[str]) -> Found:
    """What ``value`` (under key words ``words``) names."""
    found = _classify(Found(ref, value), value, words)
    joined = " ".join(words)
    if found.fixture == "sqs_queue" and ("dead letter" in joined or "dlq" in words
                                         or value.lower().endswith("dlq")):
        found.variant = "dead_letter"
    return found


def _classify(found: Found, value: str, words: list[str]) -> Found:
    arn = ARN.match(value)
    if arn:
        return _from_arn(found, arn)
    if URL.match(value):
        return _from_url(found, words)
    for prefix, fixture in (("sg-", "security_group"), ("srv-", "cloudmap_service"),
                            *declared("id_prefixes")):
        if value.startswith(prefix) and re.fullmatch(r"[a-z]+-[0-9a-z]+", value):
            return _named(found, fixture, value, f"{prefix} id")
    if re.fullmatch(r"[a-z]{2}-[a-z]+-\d_[0-9A-Za-z]+", value):
        return _named(found, "user_pool", value, "user pool id")
    if re.fullmatch(r"ns-[0-9a-z]+", value):
        found.why = "a Cloud Map namespace id: no handle for namespaces (its services are checked)"
        return found
    if value.endswith(".cloudfront.net"):
        found.names_resource, found.why = False, "a CloudFront domain name (check the distribution)"
        return found
    if re.fullmatch(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/[^\s]+", value):
        return _named(found, "ecr_repository", value.split("/", 1)[1].split(":")[0],
                      "ECR repository URI")
    if value.endswith(".elb.amazonaws.com"):
        found.part, found.why = "dns", "load balancer DNS name"
        return found
    return _from_key(found, words)


def _named(found: Found, fixture: str, identity: str, why: str) -> Found:
    found.fixture, found.identity, found.why = fixture, identity, why
    return found


def _from_arn(found: Found, arn: re.Match[str]) -> Found:
    service, resource = arn["service"], arn["resource"]
    kinds = registered_arn_types().get(service, {})
    typed = re.match(r"(?P<kind>[A-Za-z-]+)[:/](?P<rest>.*)$", resource)
    kind, rest = (typed["kind"], typed["rest"]) if typed else ("", resource)
    rest = re.sub(r":\*$", "", rest)  # log-group:NAME:*
    if "" in kinds:
        return _named(found, str(kinds[""]), resource, f"{service} ARN")
    for arn_type, fixture in declared("arn_types"):
        if arn_type in (f"{service}:{kind}", service) and kind not in kinds:
            return _named(found, fixture, found.value, f"{service} {kind} ARN")
    if kind not in kinds:
        found.why = f"ARN of {service} {kind}: no handle for it"
        return found
    fixture = kinds[kind]
    if fixture is None or (service == "dynamodb" and "/stream/" in rest):
        found.part = {"task-definition": "task_definition", "cluster": "cluster"}.get(kind, "stream")
        found.identity = rest.split("/stream/")[0] if found.part == "stream" else rest
        found.why = f"{service} {kind} ARN"
        return found
    identity = {"ecs_service": rest.split("/")[-1], "target_group": rest.split("/")[0],
                "load_balancer": rest.split("/")[-2] if "/" in rest else rest,
                "iam_role": rest.split("/")[-1], "cfn_stack": rest.split("/")[0],
                "lambda_fn": rest.split(":")[0], "ssm_parameter": "/" + rest.lstrip("/"),
                "secret": re.sub(r"-[A-Za-z0-9]{6}$", "", rest)}.get(fixture, rest)
    return _named(found, fixture, identity, f"{service} {kind} ARN")


def _from_url(found: Found, words: list[str]) -> Found:
    host = re.sub(r"^https?://", "", found.value, flags=re.IGNORECASE).split("/")[0].lower()
    queue_key = [w for w in words if w not in NOISE_WORDS][-1:] == ["queue"]
    if host.startswith("sqs.") or host == "queue.amazonaws.com" or ".sqs." in host or queue_key:
        return _named(found, "sqs_queue", found.value.rstrip("/").split("/")[-1], "SQS queue URL")
    if "console.aws.amazon.com" in host:
        found.why = "an AWS console link"
        return found
    return _named(found, "http_endpoint", found.value.rstrip("/"), "URL")


def _singular(word: str) -> str:
    plural = len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "as", "is", "us"))
    return word[:-1] if plural else word


def _from_key(found: Found, words: list[str]) -> Found:
    meaningful = [_singular(w) for w in words if w not in NOISE_WORDS]
    if "pool" in meaningful and "client" in meaningful:
        found.part, found.why = "app_client", "user pool app client id"
        return found
    patterns = [*KEY_WORDS, *((tuple(w.split()), f) for w, f in declared("output_words"))]
    for pattern, fixture in sorted(patterns, key=lambda p: -len(p[0])):
        if meaningful[-len(pattern):] == list(pattern):
            return _named(found, fixture, found.value, "key " + " ".join(words))
    if "cluster" in meaningful[-1:]:
        found.part, found.identity, found.why = "cluster", found.value, "ECS cluster name"
        return found
    if set(words) & NOT_RESOURCE_WORDS or not re.fullmatch(r"[\w./:@+=-]+", found.value):
        found.names_resource, found.why = False, "not a resource name"
    else:
        found.why = "not recognised"
    return found


# -- the plan ----------------------------------------------------------------------------

def plan(outputs: Outputs, source: str) -> Plan:
    """Classify every output of ``outputs`` (each leaf of an object or list by JSONPath) and
    pair the parts with their owners; what names nothing is kept, with the reason."""
    result = Plan(source, outputs.fmt)
    for ref, value, words in _leaves(outputs):
        if _sensitive(outputs, ref):
            result.found.append(Found(ref, "***", why="sensitive: not checked",
                                      names_resource=False))
            continue
        if not isinstance(value, str):
            why, value = ((value.why, value.value) if isinstance(value, Unchecked)
                          else ("not a string: no resource name", value))
            result.found.append(Found(ref, json.dumps(value, default=str), why=why,
                                      names_resource=False))
            continue
        result.found.append(classify(ref, value, words))
    _dedupe(result)
    _pair_parts(result)
    result.stacks = _stacks(outputs)
    return result


def _leaves(outputs: Outputs) -> Iterator[tuple[str, Any, list[str]]]:
    for key in outputs:
        try:
            value = outputs[key]
        except Exception:  # a masked secret: reported, never read
            yield key, "", ["secret"]
            continue
        if isinstance(value, (dict, list)) and not _sensitive(outputs, key):
            yield from _nested(_field("$", key), value, key_words(key))
        else:
            yield _short_key(outputs, key), value, key_words(key)


#: How deep into a nested output ``init`` looks for names (Terraform objects of objects).
MAX_DEPTH = 4


def _nested(path: str, value: Any, words: list[str], depth: int = 0
            ) -> Iterator[tuple[str, Any, list[str]]]:
    """Every leaf of an object or list output, by JSONPath; the top-level key's words
    classify them (a field name is a label: ``secrets.db.arn``)."""
    if isinstance(value, dict):
        items = [(_field(path, str(name)), inner) if '"' not in str(name) and "\\" not in str(name)
                 else (f"{path}[?]", Unchecked("a field name with quotes", inner))
                 for name, inner in value.items()]
    elif isinstance(value, list):
        items = [(f"{path}[{index}]", inner) for index, inner in enumerate(value)]
    else:
        yield path, value, words
        return
    if not items:
        kind = "object" if isinstance(value, dict) else "list"
        yield path, Unchecked(f"an empty {kind}", value), words
    for ref, inner in items:
        if depth + 1 >= MAX_DEPTH and isinstance(inner, (dict, list)):
            yield ref, Unchecked(f"nested deeper than {MAX_DEPTH} levels", inner), words
        elif isinstance(inner, Unchecked):
            yield ref, inner, words
        else:
            yield from _nested(ref, inner, words, depth + 1)


def _field(path: str, name: str) -> str:
    """``$.a.b``, or ``$.a["b-c"]`` for a name that is not an identifier."""
    return f"{path}.{name}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f'{path}["{name}"]'


@dataclass(frozen=True)
class Unchecked:
    """A part of an output ``init`` lists without reading it as a name, and why."""

    why: str
    value: Any


def _short_key(outputs: Outputs, key: str) -> str:
    """The CDK key without its hash suffix, when that still names only this output."""
    short = CDK_HASH.sub("", key)
    try:
        return short if short != key and outputs.key_for(short) == key else key
    except Exception:
        return key


def _sensitive(outputs: Outputs, ref: str) -> bool:
    try:
        return outputs.is_sensitive(ref)  # a JSONPath: whether it reads a sensitive output
    except Exception:
        return True


def _dedupe(result: Plan) -> None:
    """One check per resource: the first output naming it (a name before an ARN)."""
    owners: dict[tuple[str, str], Found] = {}
    ranked = sorted((f for f in result.found if f.fixture),
                    key=lambda f: f.value.startswith("arn:"))
    for found in ranked:
        key = (str(found.fixture), found.identity.lower())
        if key in owners:
            found.covered_by = owners[key].ref
        else:
            owners[key] = found


def _pair_parts(result: Plan) -> None:
    for found in result.found:
        owner = _owner(result, found)
        if owner is not None:
            found.covered_by = owner.ref
            result.companions.append((found.part, owner.ref, found.ref))


def _owner(result: Plan, part: Found) -> Optional[Found]:
    candidates = {
        "stream": lambda f: f.fixture == "dynamo_table" and f.identity == part.identity,
        "task_definition": lambda f: f.fixture == "ecs_service" and (
            part.identity.split(":")[0] == f.identity or _same_leaf(f.ref, part.ref)),
        "dns": lambda f: f.fixture == "load_balancer" and re.sub(
            r"^internal-", "", part.value).startswith(f.identity + "-"),
        "cluster": lambda f: f.fixture == "ecs_service" and f"/{part.identity}/" in f.value,
        "app_client": lambda f: f.fixture == "user_pool",
    }.get(part.part)
    if candidates is None:
        return None
    owners = [f for f in result.found if f.covered_by is None and candidates(f)]
    return owners[0] if owners and (part.part != "app_client" or len(owners) == 1) else None


def _same_leaf(a: str, b: str) -> bool:
    return a.startswith("$.") and b.startswith("$.") and a.rsplit(".", 1)[1] == b.rsplit(".", 1)[1]


def _stacks(outputs: Outputs) -> list[str]:
    stacks: list[str] = []
    for key in outputs:
        try:
            stack = outputs.resolve(key).stack
        except Exception:
            continue
        if stack and stack not in stacks:
            stacks.append(stack)
    return stacks


# -- rendering ---------------------------------------------------------------------------

COMPANION_TESTS = {
    "stream": ("dynamo_table", "test_table_stream_enabled", "dynamo_table.stream_enabled"),
    "dns": ("load_balancer", "test_load_balancer_dns_matches_output",
            "load_balancer.dns_name == aws_outputs[{part!r}]"),
    "task_definition": ("ecs_service", "test_service_runs_deployed_task_definition",
                        "ecs_service.task_definition == aws_outputs[{part!r}]"),
    "cluster": ("ecs_service", "test_service_in_cluster",
                "ecs_service.cluster == aws_outputs[{part!r}]"),
    "app_client": ("user_pool", "test_user_pool_has_app_client",
                   "aws_outputs[{part!r}] in user_pool.app_client_ids"),
}


def render(result: Plan, outputs_arg: str) -> str:
    """The generated test module."""
    covered, total = result.coverage
    lines = [f'"""Post-deploy smoke checks generated by `awshealth init {outputs_arg}`.',
             "", f"Run them: pytest --aws-outputs {outputs_arg} <this folder>",
             f"{covered} of {total} outputs that name a resource are checked; each check binds a",
             "resource fixture to an output and asserts what AWS reports for a healthy resource.",
             'This file is yours now: edit, split and extend it."""', "", "import pytest", ""]
    lines += _comments(result)
    if result.checked("http_endpoint"):
        lines += ["ANSWERING = range(200, 500)  # a 4xx still proves the endpoint is deployed", ""]
    names = [*CHECKS, *sorted({f.check for f in result.found if f.fixture} - set(CHECKS))]
    for name in names:
        refs = [f.ref for f in result.checked(name)]
        if refs:
            lines += _test(check_for(name), refs)
    for kind in COMPANION_TESTS:
        pairs = [(owner, part) for k, owner, part in result.companions if k == kind]
        if pairs:
            lines += _companion_test(kind, pairs)
    if result.stacks:
        lines += ["", f"STACKS = {_list(result.stacks)}", "", "",
                  '@pytest.mark.parametrize("stack", STACKS)', "def test_stack_healthy(aws, stack):",
                  "    assert aws.cfn_stack(stack).healthy", ""]
    return "\n".join(lines).rstrip() + "\n"


def _companion_test(kind: str, pairs: list[tuple[str, str]]) -> list[str]:
    """One check of a part against its owner; parametrized when several pairs exist."""
    fixture, name, expression = COMPANION_TESTS[kind]
    if len(pairs) == 1:
        (owner, part), = pairs
        args = f"{fixture}, aws_outputs" if "aws_outputs" in expression else fixture
        return ["", f"@pytest.mark.aws_output({fixture}={owner!r})", f"def {name}({args}):",
                f"    assert {expression.format(part=part)}", ""]
    rows = "".join(f"    ({owner!r}, {part!r}),\n" for owner, part in pairs)
    return ["", f'@pytest.mark.parametrize("owner, part", [\n{rows}], ids={[_ident(p) for _, p in pairs]!r})',
            f"def {name}(aws, aws_outputs, owner, part):",
            f"    {fixture} = aws.from_output({fixture!r}, owner)",
            f"    assert {expression.replace('{part!r}', 'part')}", ""]


def _comments(result: Plan) -> list[str]:
    unchecked = [f for f in result.found if not f.covered]
    if not unchecked:
        return []
    lines = ["# Outputs without a check (bind them by hand if they name something to check):"]
    for found in unchecked:
        value = found.value if len(found.value) <= 60 else found.value[:57] + "..."
        lines.append(f"#   {found.ref} = {value!r}: {found.why}")
    return lines + [""]


def _test(check: Check, refs: list[str]) -> list[str]:
    binding = repr(refs[0]) if len(refs) == 1 else _list(refs)
    lines = ["", f"@pytest.mark.aws_output({check.fixture}={binding})",
             f"def {check.test}({check.fixture}):"]
    if check.comment:
        lines.append(f"    # {check.comment}")
    lines += [f"    assert {expression}" for expression in check.asserts]
    return lines + [""]


def _list(refs: list[str]) -> str:
    one_line = "[" + ", ".join(map(repr, refs)) + "]"
    if len(one_line) < 60:
        return one_line
    return "[\n" + "".join(f"    {r!r},\n" for r in refs) + "]"


def _ident(ref: str) -> str:
    return re.sub(r"\W+", "_", ref.lstrip("$.")).strip("_").lower()


def generate(outputs_path: str) -> tuple[str, Plan]:
    """The test module for ``outputs_path`` and the plan behind it."""
    from .outputs import load_outputs

    outputs = load_outputs([outputs_path])
    result = plan(outputs, outputs_path)
    return render(result, Path(outputs_path).name), result


def module_name(outputs_path: str) -> str:
    """``test_<stack or file>_smoke.py``."""
    stem = re.sub(r"[-_.]?outputs?$", "", Path(outputs_path).stem, flags=re.IGNORECASE)
    return f"test_{re.sub(r'[^0-9a-z]+', '_', stem.lower()).strip('_') or 'deploy'}_smoke.py"


def init(outputs_path: str, out: str = "tests/smoke", dry_run: bool = False,
         force: bool = False) -> int:
    """``awshealth init``: write (or print) the module; 2 for a bad argument."""
    import sys

    from .errors import ConfigError

    try:
        text, result = generate(outputs_path)
    except ConfigError as exc:
        print(f"awshealth init: error: {exc}", file=sys.stderr)
        return 2
    covered, total = result.coverage
    if dry_run:
        sys.stdout.write(text)
        return 0
    target = Path(out) / module_name(outputs_path) if not out.endswith(".py") else Path(out)
    if target.exists() and not force:
        print(f"awshealth init: error: {target} exists; pass --force to overwrite it, or "
              "--dry-run to see the module", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"awshealth init: wrote {target}: {text.count(chr(10) + 'def test_')} test functions, "
          f"{covered} of {total} outputs that name a resource checked; run: "
          f"pytest --aws-outputs {outputs_path} {target.parent}")
    return 0
