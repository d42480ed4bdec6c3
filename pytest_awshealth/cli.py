"""The ``awshealth`` command: ``awshealth demo`` runs an example gate on the embedded emulator;
``awshealth init`` writes a first gate; ``awshealth policy`` prints the IAM policy a gate needs."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping, Optional, Sequence

#: This command imports the plugin before pytest can rewrite it (installed from a wheel).
REWRITE_WARNING = ("ignore:Module already imported so cannot be rewritten; pytest_awshealth"
                   ":pytest.PytestAssertRewriteWarning")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="awshealth", description="pytest-awshealth: post-deploy AWS health checks.",
        epilog="Checks themselves run with pytest: pytest --aws-outputs FILE tests/smoke")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="provision an example stack on a local moto server and run its gate",
        description="Provision an example stack on an embedded moto server (127.0.0.1), "
                    "write its outputs file, and run the example's checks with pytest. "
                    "Arguments not listed here go to pytest (e.g. -n 2, --junitxml=FILE).")
    demo.add_argument("--example", default="mantissa_log", metavar="NAME",
                      help="example to run (default: mantissa_log)")
    demo.add_argument("--break", dest="breaks", default="", metavar="A,B",
                      help="comma-separated parts to break, to see failing checks and hints")
    demo.add_argument("--list-breaks", action="store_true", help="list the example's breaks")
    demo.add_argument("--outputs-dir", metavar="DIR",
                      help="keep the outputs file in DIR (default: a temporary directory)")
    demo.add_argument("--examples-dir", type=Path, metavar="DIR",
                      help="where the example test folders live (default: the installed "
                           "pytest_awshealth.examples)")
    add_init_parser(commands)
    add_policy_parser(commands)
    return parser


def add_init_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    init = commands.add_parser(
        "init", help="write a first gate (a pytest module) from a deploy outputs file",
        description="Read an outputs file (Terraform, CDK, CloudFormation, SAM, Pulumi or flat "
                    "JSON), recognise the resources its values name, and write a test module "
                    "with one bound health check per resource. Makes no AWS call.")
    init.add_argument("outputs", metavar="OUTPUTS", help="the deploy outputs file")
    init.add_argument("--out", default="tests/smoke", metavar="DIR",
                      help="folder (or .py file) to write to (default: tests/smoke)")
    init.add_argument("--dry-run", action="store_true", help="print the module, write nothing")
    init.add_argument("--force", action="store_true", help="overwrite an existing module")


def add_policy_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from .policy import FORMATS

    policy = commands.add_parser(
        "policy", help="print the least-privilege IAM policy the selected checks need",
        description="Collect the checks pytest would run (no AWS call) and print the IAM "
                    "policy they need: the actions their probes may call, scoped to the "
                    "resources the outputs name. Arguments not listed here go to pytest, "
                    "e.g. awshealth policy tests/smoke --aws-outputs outputs.json -k table.")
    policy.add_argument("--format", choices=FORMATS, default=None,
                        help="json (a policy document, the default), terraform (an "
                             "aws_iam_policy_document data block) or cdk (Python "
                             "aws_iam.PolicyStatement objects); default: --aws-policy-format")
    policy.add_argument("--account", metavar="ID",
                        help="account ID for the ARNs (default: AWS_ACCOUNT_ID, or the one "
                             "account the outputs' ARNs name)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args, pytest_args = parser.parse_known_args(argv)
    if args.command == "init":
        from .scaffold import init

        if pytest_args:
            parser.error(f"unrecognized arguments: {' '.join(pytest_args)}")
        return init(args.outputs, args.out, args.dry_run, args.force)
    if args.command == "policy":
        return policy(args, pytest_args)
    if args.command != "demo":
        parser.print_help()
        return 0 if args.command is None and not pytest_args else 2
    return demo(args, pytest_args)


def demo(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """Run the demo; returns pytest's exit code (2 for a bad demo argument)."""
    from .emulator.stacks import examples_dir, get_stack

    try:
        stack = get_stack(args.example)
    except (KeyError, ModuleNotFoundError) as exc:
        return _fail(str(exc).strip("'\""))
    if args.list_breaks:
        width = max(map(len, stack.breaks))
        for name, item in stack.breaks.items():
            print(f"{name:{width}}  {item.description}  (fails: {', '.join(item.fails)})")
        return 0
    breaks = tuple(b.strip() for b in args.breaks.split(",") if b.strip())
    unknown = [b for b in breaks if b not in stack.breaks]
    if unknown:
        return _fail(f"unknown break(s) {', '.join(unknown)} for {args.example}; "
                     f"choose from {', '.join(stack.breaks)}")
    tests = (args.examples_dir or examples_dir()) / args.example
    if not tests.is_dir():
        return _fail(f"example tests not found at {tests}; pass --examples-dir")
    return _run(stack, breaks, tests, args.outputs_dir, pytest_args)


def _run(stack, breaks, tests: Path, outputs_dir: Optional[str], pytest_args: list[str]) -> int:  # type: ignore[no-untyped-def]
    import pytest

    from .emulator import Emulator, HttpStub

    with Emulator() as emulator, HttpStub() as api, tempfile.TemporaryDirectory() as tmp:
        deployment = stack.deploy(emulator, api, breaks)
        directory = Path(outputs_dir or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        outputs = stack.write_outputs(deployment, directory)
        broken = f", broken: {', '.join(breaks)}" if breaks else ""
        print(f"awshealth demo: {stack.name} on moto at {emulator.url}{broken}; "
              f"outputs: {outputs}", flush=True)
        gc.freeze()  # the emulator's heap stays: the gate's collections skip it (~0.3 s each)
        with _environment(emulator.env(), emulator.ENV_TO_UNSET):
            # --confcutdir: a conftest.py above the examples (a venv inside a project) stays out
            return int(pytest.main([str(tests), "--aws-outputs", str(outputs),
                                    "--confcutdir", str(tests), "-p", "no:cacheprovider",
                                    "-W", REWRITE_WARNING, *pytest_args]))


def policy(args: argparse.Namespace, pytest_args: list[str]) -> int:
    """Print the policy the checks ``pytest_args`` select need; pytest's exit code on errors."""
    import io
    from contextlib import redirect_stdout

    import pytest

    from .policy import PolicyCollector

    collector = PolicyCollector(args.format, args.account)
    captured = io.StringIO()
    with redirect_stdout(captured):
        code = int(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider",
                                "-W", REWRITE_WARNING, *pytest_args], plugins=[collector]))
    if code != 0 or collector.text is None:
        sys.stderr.write(captured.getvalue())
        return code or 1
    print(collector.text, end="")
    for note in collector.notes:
        print(f"awshealth: note: {note}", file=sys.stderr)
    return 0


@contextmanager
def _environment(values: Mapping[str, str], unset: Sequence[str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _fail(message: str) -> int:
    print(f"awshealth: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
