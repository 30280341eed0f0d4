"""What every command shares: the command record, exit statuses, option types and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_SOLVER = 0, 1, 2, 3
EXIT_FAILED_SOME = 4
"""planner batch: some instances did not run (the summary says which)."""


@dataclass(frozen=True)
class Command:
    """A command of ``planner``: its name, its one-line help, its options and what it does.

    ``arguments`` adds the command's options to its parser; ``run`` takes the parsed
    arguments and returns the exit status. A command's module imports what it needs to
    run inside ``run``, so that parsing loads nothing heavy. ``files`` names input and
    output files beyond the usual options (``workbook``, ``--output``, ``--json``, ...), so
    that no output may be an input: ``(inputs, [(option, output), ...])``.
    """

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    files: Callable[[argparse.Namespace], tuple[list[Path], list[tuple[str, Path]]]] | None = None


def number(minimum: float, strict: bool):
    """An argparse type: a number above (``strict``) or at least ``minimum``."""
    words = f"a number {'>' if strict else '>='} {minimum:g}"

    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            x = float("nan")
        if not (x > minimum if strict else x >= minimum):
            raise argparse.ArgumentTypeError(f"expected {words}, got {text!r}")
        return x

    return parse


positive = number(0, strict=True)
non_negative = number(0, strict=False)


def probability(text: str) -> float:
    try:
        p = float(text)
    except ValueError:
        p = float("nan")
    if not 0 < p <= 1:
        raise argparse.ArgumentTypeError(f"expected a probability in (0, 1], got {text!r}")
    return p


def count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return int(text)


def non_negative_count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def emit_json(data: dict, target: str) -> None:
    """Write ``data`` as JSON to the file ``target`` (atomically), or to standard output for ``-``."""
    from ..io.atomic import write_text

    text = json.dumps(data, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        write_text(target, text)


def say(args, text: str) -> None:
    """Human-readable output: to stdout, or stderr when stdout carries JSON."""
    if getattr(args, "quiet", False):
        return
    stream = sys.stderr if getattr(args, "json", None) == "-" else sys.stdout
    print(text, file=stream)


def output_beside(args, kind: str) -> Path:
    """``--output``, or ``<name>-<kind>.xlsx`` beside the input; never the input itself."""
    src = Path(args.workbook)
    out = Path(args.output) if args.output else src.with_name(f"{src.stem}-{kind}.xlsx")
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--output {out}: expected a path ending in .xlsx")
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise UsageError(f"--output {out}: refusing to overwrite the input workbook")
    return out


def known_side(instance, option: str, side: str) -> str:
    """``side``, when it is a side of the instance; else a usage error naming ``option``."""
    if side not in instance.side_ids:
        raise UsageError(f"{option} {side}: not a side of the workbook (sides: {', '.join(instance.side_ids)})")
    return side


def records(table) -> list[dict]:
    """A DataFrame's rows as JSON-ready dicts (missing values as None)."""
    return table.astype(object).where(table.notna(), None).to_dict(orient="records")
