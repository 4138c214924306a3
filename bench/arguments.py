"""Command lines of the benchmark scripts (a helper module, not a benchmark).

Each script parses its arguments before it generates data or starts a server, so `--help` (its module docstring:
what it measures, its targets, what it writes) answers at once and a bad argument is a usage error (exit 2),
never a traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_SIZES = (10_000, 100_000)


def parser(script: str, doc: str | None) -> argparse.ArgumentParser:
    """A parser for `python bench/SCRIPT` whose help starts with the script's docstring, as written."""
    return argparse.ArgumentParser(prog=f"python bench/{Path(script).name}", description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def service_count(text: str) -> int:
    """A number of services to generate: a whole number ≥ 1 (`10000` or `10_000`)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of services (e.g. 10000)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a number of services must be at least 1, not {value}")
    return value


def add_sizes(parser: argparse.ArgumentParser, what: str) -> None:
    """The positional N …: numbers of services, one run each (DEFAULT_SIZES when none is given)."""
    default = " ".join(str(n) for n in DEFAULT_SIZES)
    parser.add_argument("sizes", nargs="*", type=service_count, metavar="N",
                        help=f"numbers of services to generate, {what} (default: {default})")


def add_keep_and_child(parser: argparse.ArgumentParser, keep: str) -> None:
    """`--keep DIR` (a graph built once and measured again later) and the hidden `--child STEP ARG…` by which
    a script runs its own steps in child processes (a graph builder and a measurer, each in a fresh process)."""
    parser.add_argument("--keep", type=Path, metavar="DIR", help=keep)
    parser.add_argument("--child", nargs="+", metavar="ARG", help=argparse.SUPPRESS)


def check_child(parser: argparse.ArgumentParser, args: argparse.Namespace, steps: dict[str, int]) -> None:
    """A usage error unless `--child` names one of `steps` with as many arguments as it takes."""
    if args.child and steps.get(args.child[0]) != len(args.child) - 1:
        parser.error(f"--child takes a step and its arguments: {steps}")
