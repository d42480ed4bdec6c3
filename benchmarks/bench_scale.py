"""A big gate under real-world latency: the plugin against a hand-written boto3 script,
prefetch against its limit, and collection against plain pytest.

    python benchmarks/bench_scale.py [--quick] [--runs 3] [--resources 100] [--mix]
                                     [--bytecode cached|cold] [--all-plugins]
                                     [--sections latency limit collect calls]

Every AWS request goes to the embedded emulator (moto on 127.0.0.1, in this process),
which delays each one by the injected latency (``Emulator.inject_fault("*", delay=...)``),
as a region 20-50 ms away would. Every timed run is a new process (``python -m pytest``,
or ``python gate_by_hand.py``), so start-up, imports and client creation count. Sections:

``latency``
    N resources (DynamoDB tables; ``--mix``: tables, S3 buckets and SQS queues with
    dead-letter queues), 2 checks each reading different calls, at 0, 20 and 50 ms: the
    plugin serial (``-p no:xdist``), with ``-n 4``, with ``--aws-prefetch=off``, and a
    boto3 script making the same distinct reads one after another (and, for scale, 16
    resources at a time); each against the sequential script.
``limit``
    300 checks at 50 ms against the limit: distinct reads x 50 ms / 16 (the default
    ``--aws-concurrency``) + plain pytest running 300 trivial tests.
``collect``
    ``--collect-only -q`` of 2,000 tests with the plugin against plain pytest
    (``-p no:awshealth``), and over CDK outputs bound without their hash suffix at
    2,000 / 1,000 / 2 tests (2 per output): the plugin's extra time per test.
``calls``
    AWS calls per check of each example gate (:class:`bench_gate.CallCounter`).

Every pytest run, plugin or plain, gets ``-p no:hypothesispytest`` (hypothesis is a
dev dependency of this repository, not of a gate, and imports itself in every run's
terminal summary, ~1 s; ``--all-plugins`` keeps it). ``--bytecode cached`` (default)
keeps compiled and assertion-rewritten modules in a scratch ``PYTHONPYCACHEPREFIX``, after
one untimed run of each case; ``cold`` compiles them in every process, as with
``PYTHONDONTWRITEBYTECODE=1`` and an editable install. ``--quick`` runs small sizes at
one latency, once (a smoke run); ``--runs K`` reports the median of K runs, ``--best``
their fastest (as timeit does: on a shared machine noise only ever slows a run down,
CPU time included, so the fastest run is the closest to an idle machine).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_gate import CallCounter  # noqa: E402

#: The plugin's default ``--aws-concurrency`` (reads in flight while prefetching).
CONCURRENCY = 16
SECTIONS = ("latency", "limit", "collect", "calls")
SUMMARY = re.compile(r"awshealth: (\d+) AWS calls?, (\d+) throttled and retried"
                     r"(?:; (\d+) prefetched \((\d+) at a time, ([\d.]+) s\))?")
#: The handle fixture of each kind of resource, and the distinct reads of its 2 checks.
FIXTURES = {"table": "dynamo_table", "bucket": "s3_bucket", "queue": "sqs_queue"}
READS = {"table": 2, "bucket": 2, "queue": 3}  # a queue's dlq_depth: GetQueueUrl + attributes
#: Each probe's assertion; ``{h}`` is the handle argument.
ASSERTIONS = {
    "status": '{h}.status == "ACTIVE"',
    "ttl_enabled": "{h}.ttl_enabled",
    "pitr_enabled": "{h}.pitr_enabled",
    "versioning_enabled": "{h}.versioning_enabled",
    "public_access_blocked": "{h}.public_access_blocked",
    "depth": "{h}.depth == 0",
    "dlq_depth": "{h}.dlq_depth == 0",
}


@dataclass(frozen=True)
class Target:
    """One resource of the generated stack and the two probes its checks read."""

    kind: str  # a key of FIXTURES
    key: str  # its key in the outputs file
    ref: str  # how the gate's aws_output marker names it (the key, or the key less a suffix)
    value: str  # the output's value: the resource's name (a queue: its URL)
    probes: tuple[str, str]


@dataclass
class Timing:
    """The wall and CPU time of one case (median or fastest of its runs), and what its
    last run's output said."""

    seconds: float
    cpu: float  # user + system: the load of the machine hardly changes it
    calls: int = -1  # AWS calls (the plugin's summary line; the script's own count)
    prefetched: str = ""


# --------------------------------------------------------------------------- the stack


def second_probe(kind: str, index: int) -> str:
    """The second check of resource ``index``: tables alternate TTL and PITR."""
    return {"table": ("ttl_enabled", "pitr_enabled")[index % 2],
            "bucket": "public_access_blocked", "queue": "dlq_depth"}[kind]


def first_probe(kind: str) -> str:
    """The first check of every resource of ``kind``."""
    return {"table": "status", "bucket": "versioning_enabled", "queue": "depth"}[kind]


def kinds(count: int, mix: bool) -> list[str]:
    """``count`` kinds of resource: all tables, or tables, buckets and queues in turn."""
    cycle = ("table", "bucket", "queue") if mix else ("table",)
    return [cycle[i % len(cycle)] for i in range(count)]


def provision(emulator: Any, count: int, mix: bool, prefix: str) -> list[Target]:
    """Create ``count`` healthy resources on the emulator, with Terraform-style keys."""
    makers: dict[str, Callable[[Any, str], str]] = {
        "table": make_table, "bucket": make_bucket, "queue": make_queue}
    targets = []
    for index, kind in enumerate(kinds(count, mix)):
        name = f"{prefix}-{kind}-{index:04d}"
        value = makers[kind](emulator, name)
        key = f"{kind}_{index:04d}"
        targets.append(Target(kind, key, key, value, (first_probe(kind), second_probe(kind, index))))
    return targets


def make_table(emulator: Any, name: str) -> str:
    """An on-demand table with TTL and point-in-time recovery on."""
    dynamodb = emulator.client("dynamodb")
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})
    dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    return name


def make_bucket(emulator: Any, name: str) -> str:
    """A versioned bucket that blocks all public access."""
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
        flag: True for flag in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                "RestrictPublicBuckets")})
    return name


def make_queue(emulator: Any, name: str) -> str:
    """An empty queue with an empty dead-letter queue of its own; its URL."""
    sqs = emulator.client("sqs")
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    redrive = {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": "3"}
    return str(sqs.create_queue(QueueName=name, Attributes={
        "RedrivePolicy": json.dumps(redrive)})["QueueUrl"])


def synthetic_tables(count: int, cdk: bool) -> list[Target]:
    """``count`` tables that need not exist (for ``--collect-only``); CDK keys carry an
    8-hex-digit logical-ID suffix the markers leave out."""
    targets = []
    for index in range(count):
        if cdk:
            ref = f"Table{index:04d}"
            key = ref + hashlib.md5(ref.encode()).hexdigest()[:8].upper()
        else:
            ref = key = f"table_{index:04d}"
        targets.append(Target("table", key, ref, f"scale-table-{index:04d}",
                              ("status", "ttl_enabled")))
    return targets


def distinct_reads(targets: list[Target]) -> int:
    """The distinct AWS reads the targets' checks need."""
    return sum(READS[t.kind] for t in targets)


# --------------------------------------------------------------------------- the files


def write_outputs(targets: list[Target], folder: Path, cdk: bool = False) -> Path:
    """``terraform output -json`` (or ``cdk deploy --outputs-file``) of the targets."""
    if cdk:
        data: dict[str, Any] = {"ScaleStack": {t.key: t.value for t in targets}}
    else:
        data = {t.key: {"value": t.value, "type": "string", "sensitive": False} for t in targets}
    path = folder / ("cdk-outputs.json" if cdk else "terraform-outputs.json")
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def write_ini(folder: Path) -> None:
    """A pytest.ini, so the folder is the rootdir; the marker is registered for plain
    pytest too (an unknown-marker warning per test would slow only plain pytest down)."""
    folder.joinpath("pytest.ini").write_text(
        "[pytest]\nmarkers =\n    aws_output: bind resource fixtures to deploy outputs\n")


def write_gate(targets: list[Target], folder: Path) -> Path:
    """``test_gate.py``: one test per check, bound to its resource's output."""
    folder.mkdir(parents=True, exist_ok=True)
    write_ini(folder)
    lines = ['"""A generated post-deploy gate: two checks per resource."""', "",
             "import pytest", ""]
    for target in targets:
        fixture = FIXTURES[target.kind]
        for probe in target.probes:
            lines += ["", f"@pytest.mark.aws_output({fixture}={target.ref!r})",
                      f"def test_{target.key}_{probe}({fixture}):",
                      f"    assert {ASSERTIONS[probe].format(h=fixture)}", ""]
    path = folder / "test_gate.py"
    path.write_text("\n".join(lines))
    return path


def write_trivial(count: int, folder: Path) -> Path:
    """``count`` tests that touch nothing: what pytest itself costs."""
    folder.mkdir(parents=True, exist_ok=True)
    write_ini(folder)
    path = folder / "test_trivial.py"
    path.write_text("".join(f"\n\ndef test_{i:04d}():\n    assert True\n" for i in range(count)))
    return path


#: The gate as one would write it without the plugin: per resource, its reads one after
#: another, then the checks; it prints how many calls it made.
SCRIPT = '''\
"""The gate by hand: each resource's reads with boto3, one after another (or, with a
thread count after the file, that many resources at a time)."""
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
assert ENDPOINT.startswith("http://127.0.0.1:"), "the benchmark only talks to the emulator"
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
session = boto3.Session(region_name=os.environ["AWS_REGION"])
clients = {}
calls = 0
lock = threading.Lock()


def count(**_):
    global calls
    with lock:
        calls += 1


def client(service):
    with lock:
        if service not in clients:
            config = Config(max_pool_connections=max(10, THREADS))
            clients[service] = session.client(service, endpoint_url=ENDPOINT, config=config)
            clients[service].meta.events.register("before-call", count)
        return clients[service]


def check_table(name, probes):
    dynamodb = client("dynamodb")
    ok = dynamodb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    if "ttl_enabled" in probes:
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        ok &= ttl.get("TimeToLiveStatus") == "ENABLED"
    if "pitr_enabled" in probes:
        backups = dynamodb.describe_continuous_backups(TableName=name)
        pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        ok &= pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    return ok


def check_bucket(name, probes):
    s3 = client("s3")
    ok = s3.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
    block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
    return ok and all(block.values())


def check_queue(url, probes):
    sqs = client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    ok = int(attributes["ApproximateNumberOfMessages"]) == 0
    target = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    _, _, _, _, owner, name = target.split(":")
    dlq_url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]
    return ok and int(dlq["ApproximateNumberOfMessages"]) == 0


def check(resource):
    checker = {"table": check_table, "bucket": check_bucket, "queue": check_queue}
    return checker[resource["kind"]](resource["value"], resource["probes"])


resources = json.load(open(sys.argv[1]))
if THREADS > 1:  # botocore clients are thread-safe
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(check, resources))
else:
    results = [check(resource) for resource in resources]
failed = [r["value"] for r, ok in zip(resources, results) if not ok]
print(f"{calls} calls, {len(failed)} failed")
sys.exit(1 if failed else 0)
'''


def write_script(targets: list[Target], folder: Path) -> Path:
    """The hand-written gate and the resources it reads (``checks.json``)."""
    folder.joinpath("checks.json").write_text(json.dumps(
        [{"kind": t.kind, "value": t.value, "probes": t.probes} for t in targets]))
    path = folder / "gate_by_hand.py"
    path.write_text(SCRIPT)
    return path


# --------------------------------------------------------------------------- running


def process_env(emulator: Any, root: Path, bytecode: str) -> dict[str, str]:
    """This environment pointed at the emulator: fake credentials, no profile or config
    file, no pytest options from the shell. ``bytecode`` "cached" keeps compiled and
    assertion-rewritten modules in a scratch pycache (steady state, as on a machine
    that ran the gate before); "cold" compiles them in every process (as with
    PYTHONDONTWRITEBYTECODE=1 and no .pyc files, or a CI job's first run)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PYTEST_", "AWSHEALTH_", "PYTHONPYCACHEPREFIX"))}
    env.update(emulator.env())
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = str(root / "no-aws-config")
    if bytecode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def children_cpu() -> float:
    """User + system seconds of the processes this one started and waited for (and of
    theirs: xdist's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time, CPU time and output of ``cmd``, which must succeed (the stack is
    healthy)."""
    start, cpu = time.perf_counter(), children_cpu()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}:\n"
                         f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds, cpu, done.stdout


def timing(seconds: float, cpu: float, output: str) -> Timing:
    """A :class:`Timing` with the call counts the run printed."""
    found = SUMMARY.search(output)
    if found:
        note = (f"{found.group(3)} prefetched, {found.group(4)} at a time, {found.group(5)} s"
                if found.group(3) else "")
        return Timing(seconds, cpu, int(found.group(1)), note)
    by_hand = re.search(r"(\d+) calls, 0 failed", output)
    return Timing(seconds, cpu, int(by_hand.group(1)) if by_hand else -1)


@dataclass
class Stage:
    """A provisioned stack with its gate, outputs and script, in ``folder``."""

    targets: list[Target]
    folder: Path
    outputs: Path
    script: Path


@dataclass
class Bench:
    """What the sections share: the emulator, the options, a scratch folder, and the
    environment and pytest options of every timed process."""

    emulator: Any
    args: argparse.Namespace
    root: Path
    env: dict[str, str]
    #: For every pytest run, plugin or plain: hypothesis, a dev dependency of this repo
    #: and not of a gate, imports itself in every run's terminal summary (~1 s).
    pytest_options: tuple[str, ...] = ("-p", "no:hypothesispytest")

    @property
    def statistic(self) -> str:
        """What the tables show: "median of 3 run(s)" or "fastest of 3 run(s)"."""
        return f"{'fastest' if self.args.best else 'median'} of {self.args.runs} run(s)"

    def pytest(self, folder: Path, *extra: str) -> list[str]:
        """``python -m pytest FOLDER -q`` without the cache plugin."""
        return [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
                *self.pytest_options, *extra]

    def gate(self, stage: Stage, *extra: str) -> list[str]:
        """The stage's gate with the plugin, pointed at the emulator."""
        return self.pytest(stage.folder, "--aws-outputs", str(stage.outputs),
                           "--aws-endpoint-url", self.emulator.url,
                           "--aws-region", self.emulator.region, *extra)

    def script(self, stage: Stage, threads: int = 1) -> list[str]:
        """The stage's hand-written boto3 gate, ``threads`` resources at a time."""
        return [sys.executable, str(stage.script), str(stage.folder / "checks.json"),
                str(threads)]

    def stage(self, count: int, name: str) -> Stage:
        """Wipe the emulator, provision ``count`` resources, write the gate and the script."""
        self.emulator.reset()
        targets = provision(self.emulator, count, self.args.mix, name[:3])
        folder = self.root / name
        write_gate(targets, folder)
        return Stage(targets, folder, write_outputs(targets, folder),
                     write_script(targets, folder))

    def warm(self, cases: dict[str, list[str]], cwd: Path) -> None:
        """Run each case once, untimed (call it before injecting latency): compiled
        modules, rewritten test files and the OS's file cache are then as in a steady
        state."""
        for cmd in cases.values():
            run(cmd, cwd, self.env)

    def timed(self, cases: dict[str, list[str]], cwd: Path,
              env: dict[str, str] | None = None) -> dict[str, Timing]:
        """The median (``--best``: fastest) wall and CPU time of each case over ``--runs``
        rounds (cases interleaved, so that a slow spell of the machine spreads over all
        of them)."""
        seconds: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        outputs: dict[str, str] = {}
        for _ in range(self.args.runs):
            for name, cmd in cases.items():
                took, used, outputs[name] = run(cmd, cwd, env or self.env)
                seconds[name].append(took)
                cpu[name].append(used)
        pick = min if self.args.best else statistics.median
        return {name: timing(pick(seconds[name]), pick(cpu[name]), outputs[name])
                for name in cases}


# --------------------------------------------------------------------------- sections


def latency_section(bench: Bench) -> None:
    """The plugin (serial, -n 4, prefetch off) against the boto3 script, per latency;
    0 ms first: the fixed cost of each (start-up, imports, collection)."""
    args = bench.args
    gate = bench.stage(args.resources, "latency")
    cases = {
        "plugin serial": bench.gate(gate, "-p", "no:xdist"),
        "plugin -n 4": bench.gate(gate, "-n", "4"),
        "plugin serial, prefetch off": bench.gate(gate, "-p", "no:xdist", "--aws-prefetch=off"),
        "boto3 script, sequential": bench.script(gate),
        f"boto3 script, {CONCURRENCY} threads": bench.script(gate, CONCURRENCY),
    }
    bench.warm(cases, gate.folder)
    present = sorted(set(kinds(args.resources, args.mix)))
    print(f"\n== {len(gate.targets)} resources ({', '.join(present)}), {2 * len(gate.targets)} "
          f"checks, {distinct_reads(gate.targets)} distinct reads; median of {args.runs} "
          f"run(s), each a new process, {args.bytecode} bytecode")
    print(f"{'latency':>7}  {'case':28} {'wall s':>7} {'/script':>7} {'cpu s':>6} {'calls':>6}"
          "  prefetch")
    for latency in [0.0, *args.latencies]:
        bench.emulator.clear_faults()
        if latency:
            bench.emulator.inject_fault("*", delay=latency)
        results = bench.timed(cases, gate.folder)
        script = results["boto3 script, sequential"].seconds
        for name, result in results.items():
            print(f"{latency * 1000:5.0f}ms  {name:28} {result.seconds:7.2f} "
                  f"{result.seconds / script:6.2f}x {result.cpu:6.2f} {result.calls:6d}  "
                  f"{result.prefetched}", flush=True)
    bench.emulator.clear_faults()
    cold = {name: cases[name] for name in ("plugin serial", "boto3 script, sequential")}
    cold_env = process_env(bench.emulator, bench.root, "cold")
    results = bench.timed(cold, gate.folder, cold_env)
    print("    0ms  cold bytecode (compiled in each process): " + ", ".join(
        f"{name} {r.seconds:.2f} s (cpu {r.cpu:.2f})" for name, r in results.items()))


def limit_section(bench: Bench) -> None:
    """The plugin at 50 ms against reads x latency / concurrency + plain pytest."""
    latency = 0.050
    gate = bench.stage(bench.args.limit_checks // 2, "limit")
    trivial = bench.root / "trivial"
    write_trivial(2 * len(gate.targets), trivial)
    cases = {"plugin": bench.gate(gate, "-p", "no:xdist"),
             "plain": bench.pytest(trivial, "-p", "no:awshealth", "-p", "no:xdist"),
             "threads": bench.script(gate, CONCURRENCY)}
    bench.warm(cases, bench.root)
    bench.emulator.inject_fault("*", delay=latency)
    results = bench.timed(cases, bench.root)
    bench.emulator.clear_faults()
    checks, reads = 2 * len(gate.targets), distinct_reads(gate.targets)
    plugin, plain = results["plugin"], results["plain"].seconds
    limit = reads * latency / CONCURRENCY + plain
    print(f"\n== {checks} checks at {latency * 1000:.0f} ms, {reads} distinct reads, "
          f"{bench.statistic}")
    print(f"  plugin serial:                 {plugin.seconds:6.2f} s  (cpu {plugin.cpu:.2f} s; "
          f"{plugin.calls} AWS calls; {plugin.prefetched})")
    print(f"  plain pytest, {checks} trivial tests: {plain:6.2f} s")
    print(f"  limit {reads} x {latency:.3f} s / {CONCURRENCY} + plain: {limit:6.2f} s")
    print(f"  plugin / limit:                {plugin.seconds / limit:6.2f}x  (target <= 2)")
    threads = results["threads"].seconds
    print(f"  for scale: the boto3 script, {CONCURRENCY} threads: {threads:6.2f} s (the emulator's "
          f"own cost per request is in it, not in the limit); plugin / (it + plain) "
          f"{plugin.seconds / (threads + plain):.2f}x")


def collect_section(bench: Bench) -> None:
    """``--collect-only -q`` time with the plugin against plain pytest; over CDK keys
    bound without their suffix, at three sizes: the plugin's extra time per test must
    not grow with the size (linear collection)."""
    big, small = bench.args.collect_tests, bench.args.collect_tests // 2
    rows = [("terraform keys", big, False), ("CDK, no suffix", big, True),
            ("CDK, no suffix", small, True), ("CDK, no suffix", 2, True)]
    print(f"\n== --collect-only -q, {bench.statistic}")
    print(f"  {'outputs':16} {'tests':>5} {'outputs':>7} {'plugin s':>8} {'plain s':>7} "
          f"{'ratio':>6} {'extra s':>7}  cpu: {'plugin':>6} {'plain':>6} {'ratio':>6}")
    extra: dict[int, float] = {}
    counted: dict[tuple[str, int], tuple[int, int]] = {}
    for label, tests, cdk in rows:
        folder = bench.root / f"collect-{tests}-{'cdk' if cdk else 'tf'}"
        targets = synthetic_tables(tests // 2, cdk)
        write_gate(targets, folder)
        outputs = write_outputs(targets, folder, cdk=cdk)
        cases = {"plugin": bench.pytest(folder, "--collect-only", "--aws-outputs", str(outputs)),
                 "plain": bench.pytest(folder, "--collect-only", "-p", "no:awshealth")}
        bench.warm(cases, folder)
        results = bench.timed(cases, folder)
        plugin, plain = results["plugin"], results["plain"]
        if cdk:
            extra[tests] = plugin.cpu - plain.cpu
        print(f"  {label:16} {tests:5d} {len(targets):7d} {plugin.seconds:8.2f} "
              f"{plain.seconds:7.2f} {plugin.seconds / plain.seconds:5.2f}x "
              f"{plugin.seconds - plain.seconds:7.2f}       {plugin.cpu:6.2f} {plain.cpu:6.2f} "
              f"{plugin.cpu / plain.cpu:5.2f}x", flush=True)
        if bench.args.instructions:
            counted[label, tests] = (instructions(cases["plugin"], folder, bench.env),
                                     instructions(cases["plain"], folder, bench.env))
    first = (extra[small] - extra[2]) / (small - 2) * 1000
    second = (extra[big] - extra[small]) / (big - small) * 1000
    print(f"  the plugin's extra CPU per test, CDK: {first:.2f} ms from 2 to {small} tests, "
          f"{second:.2f} ms from {small} to {big} (equal: linear; the second larger: not)")
    if counted:
        print("\n== --collect-only -q, instructions executed (valgrind: the same in every run, "
              "whatever the machine's load)")
        for (label, tests), (plugin_ir, plain_ir) in counted.items():
            print(f"  {label:16} {tests:5d} tests: plugin {plugin_ir / 1e6:7.0f} M, plain "
                  f"{plain_ir / 1e6:7.0f} M, {plugin_ir / plain_ir:.3f}x, extra "
                  f"{(plugin_ir - plain_ir) / 1e6:5.0f} M")
        per_test = [((counted["CDK, no suffix", b][0] - counted["CDK, no suffix", b][1])
                     - (counted["CDK, no suffix", a][0] - counted["CDK, no suffix", a][1]))
                    / (b - a) / 1000 for a, b in ((2, small), (small, big))]
        print(f"  extra per test, CDK: {per_test[0]:.0f} k from 2 to {small} tests, "
              f"{per_test[1]:.0f} k from {small} to {big} (equal: linear)")


def instructions(cmd: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The instructions ``cmd`` executes, counted by valgrind (no timing noise)."""
    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind on PATH")
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *cmd], cwd=cwd, env=env, capture_output=True, text=True)
    found = re.search(r"refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(cmd)} under valgrind exited {done.returncode}:\n"
                         f"{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def calls_section(bench: Bench) -> None:
    """AWS calls per check of each example gate, counted as bench_gate.py counts them
    (in this process: serial, prefetch on, no latency)."""
    from pytest_awshealth.emulator import HttpStub
    from pytest_awshealth.emulator.stacks import EXAMPLES

    print("\n== AWS calls per check of the example gates (serial, prefetch on)")
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(bench.env)
        with HttpStub() as api:
            for example in EXAMPLES[:1] if bench.args.quick else EXAMPLES:
                counter = example_calls(bench, api, example)
                total = sum(counter.calls.values())
                top = ", ".join(f"{op} {n}" for op, n in counter.calls.most_common(3))
                print(f"  {example:16} {counter.tests:3d} checks {total:4d} calls "
                      f"{total / max(counter.tests, 1):5.2f}/check  ({top})", flush=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def example_calls(bench: Bench, api: Any, example: str) -> CallCounter:
    """Deploy ``example`` on a wiped emulator and run its gate in this process."""
    from pytest_awshealth.emulator.stacks import get_stack

    stack = get_stack(example)
    bench.emulator.reset()
    folder = bench.root / "examples" / example
    folder.mkdir(parents=True)
    outputs = stack.write_outputs(stack.deploy(bench.emulator, api), folder)
    counter = CallCounter()
    with open(folder / "out.txt", "w") as out, contextlib.redirect_stdout(out):
        code = pytest.main([str(ROOT / "examples" / example), "--aws-outputs", str(outputs),
                            "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                            *bench.pytest_options,
                            "-W", "ignore::pytest.PytestAssertRewriteWarning",
                            "--aws-endpoint-url", bench.emulator.url,
                            "--aws-region", bench.emulator.region], plugins=[counter])
    if code != 0:
        raise SystemExit(f"{example}: gate exited {code}:\n{(folder / 'out.txt').read_text()}")
    return counter


# --------------------------------------------------------------------------- main


def options(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; ``--quick`` shrinks every size and keeps one latency, one run."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, 20 ms, 1 run")
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs")
    parser.add_argument("--instructions", action="store_true",
                        help="collect: also count instructions with valgrind (deterministic)")
    parser.add_argument("--best", action="store_true",
                        help="the fastest of the runs instead of their median")
    parser.add_argument("--resources", type=int, default=100, help="resources of the gate")
    parser.add_argument("--mix", action="store_true",
                        help="tables, S3 buckets and SQS queues instead of tables only")
    parser.add_argument("--bytecode", choices=("cached", "cold"), default="cached",
                        help="cached: steady state (default); cold: compile in every process")
    parser.add_argument("--all-plugins", action="store_true",
                        help="keep every installed pytest plugin (hypothesis's too)")
    parser.add_argument("--sections", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    args = parser.parse_args(argv)
    args.latencies = [0.020, 0.050]
    args.limit_checks, args.collect_tests = 300, 2000
    if args.quick:
        args.runs, args.latencies = 1, [0.020]
        args.resources, args.limit_checks, args.collect_tests = 12, 30, 200
    return args


def main() -> None:
    from pytest_awshealth.emulator import Emulator

    args = options()
    print(f"python {sys.version.split()[0]}, pytest {pytest.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    sections: dict[str, Callable[[Bench], None]] = {
        "latency": latency_section, "limit": limit_section, "collect": collect_section,
        "calls": calls_section}
    with Emulator() as emulator, tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bench = Bench(emulator, args, root, process_env(emulator, root, args.bytecode))
        if args.all_plugins:
            bench.pytest_options = ()
        for name in args.sections:
            sections[name](bench)


if __name__ == "__main__":
    main()
