"""The ``planner`` command: parse, call the API, print. Exit codes as in the result format.

Each command group's module holds its commands' options beside their handlers
(:class:`~planner.cli.common.Command`); this module assembles the parser, refuses outputs
that are inputs, applies the reading limits and turns errors into exit statuses. Parsing
imports nothing heavy: a handler imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from pathlib import Path

from .. import __version__
from ..errors import InputErrors, SolverRefused, UsageError
from ..io.limits import CELLS_VARIABLE, DEFAULT_CELLS, DEFAULT_UNPACKED_MB, UNPACKED_VARIABLE
from ..processes import environment
from .analyses import DIAGNOSE, FRONTIER, POWER, SCHELLING, SWEEP, WINSET
from .batch import BATCH
from .common import EXIT_BUG, EXIT_INPUT, EXIT_OK, EXIT_SOLVER, Command, count, positive
from .instances import CHECK, CONVERT, GENERATE, IMPORT_GENIUS, TEMPLATE
from .solve import SOLVE

ISSUES_URL = "the project's issue tracker"

COMMANDS: tuple[Command, ...] = (SOLVE, CHECK, WINSET, FRONTIER, SCHELLING, SWEEP, BATCH, CONVERT, DIAGNOSE, POWER,
                                 GENERATE, IMPORT_GENIUS, TEMPLATE)
"""Every command, in the order ``planner --help`` lists them."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="planner", description="Best ratifiable package deals in two-level games (Putnam, 1988).")
    p.add_argument("--version", action="version", version=f"planner {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.arguments(sub.add_parser(command.name, help=command.help))
    for command in sub.choices.values():  # every command reads within the same limits
        command.add_argument("--max-cells", type=count, metavar="N",
                             help=f"refuse workbooks whose sheets span more cells (default {DEFAULT_CELLS:,}; "
                                  f"env {CELLS_VARIABLE})")
        command.add_argument("--max-unpacked-mb", type=positive, metavar="MB",
                             help=f"refuse workbooks that unpack, or JSON files larger than this (default {DEFAULT_UNPACKED_MB}; "
                                  f"env {UNPACKED_VARIABLE})")
    return p


def _command(name: str) -> Command:
    return next(c for c in COMMANDS if c.name == name)


def _refuse_overwriting_inputs(args) -> None:
    """No output of any command may be one of its input files (also through a link)."""
    inputs = [Path(getattr(args, name)) for name in ("workbook", "source", "domain", "profile_a", "profile_b")
              if getattr(args, name, None)]
    outputs = [(option, Path(value)) for option, name in (("--output", "output"), ("--json", "json"), ("TARGET", "target"))
               if (value := getattr(args, name, None)) and value != "-"]
    if getattr(args, "plot", None):
        outputs += [("--plot", Path(args.plot).with_suffix(suffix)) for suffix in (".png", ".svg")]
    command = _command(args.command)
    if command.files is not None:
        more_inputs, more_outputs = command.files(args)
        inputs += more_inputs
        outputs += more_outputs
    known = _identities(inputs)  # one look-up per output: a batch of 10,000 files has 20,000 outputs
    for option, target in outputs:
        source = known.get(_identity(target))
        if source is not None:
            raise UsageError(f"{option} {target}: refusing to overwrite the input {source}")


def _identity(path: Path) -> tuple | None:
    """What makes two paths one file: device and inode when it exists (links included), else the resolved path."""
    try:
        if path.exists():
            st = path.stat()
            return ("inode", st.st_dev, st.st_ino)
        return ("path", str(path.resolve()))
    except OSError:
        return None


def _identities(paths: list[Path]) -> dict[tuple, Path]:
    found: dict[tuple, Path] = {}
    for path in paths:
        key = _identity(path)
        if key is not None:
            found.setdefault(key, path)
    return found


def _reading_limits(args) -> contextlib.AbstractContextManager[None]:
    """``--max-cells`` and ``--max-unpacked-mb`` as the environment of this run (worker processes inherit it)."""
    given = {CELLS_VARIABLE: args.max_cells, UNPACKED_VARIABLE: args.max_unpacked_mb}
    return environment({name: repr(value) for name, value in given.items() if value is not None})


def _negative_values_attached(argv: list[str]) -> list[str]:
    """``--values -3:0:0.5`` as ``--values=-3:0:0.5``: argparse would read the range as an option."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--values" and arg[:1] == "-" and (arg[1:2].isdigit() or arg[1:2] == "."):
            out[-1] = f"--values={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(_negative_values_attached(sys.argv[1:] if argv is None else list(argv)))
    try:
        _refuse_overwriting_inputs(args)
        with _reading_limits(args):
            return _command(args.command).run(args)
    except InputErrors as exc:
        print(exc.message(), file=sys.stderr)
        return EXIT_INPUT
    except UsageError as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except SolverRefused as exc:
        print(f"planner {args.command}: {exc}", file=sys.stderr)
        return EXIT_SOLVER
    except BrokenPipeError:  # the reader went away (e.g. `planner solve X | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted; no output was written", file=sys.stderr)
        return 130
    except Exception:  # a bug: say where it happened and where to report it
        print(traceback.format_exc(), file=sys.stderr)
        print(f"planner: internal error (a bug). Please report it, with the input, on {ISSUES_URL}.", file=sys.stderr)
        return EXIT_BUG
