"""The commands that read, check and write instances without solving them:
``check``, ``template``, ``convert``, ``generate`` and ``import-genius``."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputErrors, UsageError
from .common import EXIT_OK, Command, count, emit_json, say


# -- check -----------------------------------------------------------------------------------------
def check_arguments(c) -> None:
    c.add_argument("workbook")
    c.add_argument("--json", metavar="FILE", help="write the check's findings as JSON (- for standard output)")


def run_check(args) -> int:
    from ..io.excel_read import read_instance
    from ..io.names import describe_ignored
    from ..report.terminal import describe_instance

    try:
        instance = read_instance(args.workbook)
    except InputErrors as exc:
        if args.json:
            emit_json({"valid": False, "errors": [e.to_dict() for e in exc.errors], "problems": exc.total,
                       "not_listed": exc.counts()}, args.json)
        raise
    say(args, describe_instance(instance))
    if instance.ignored:
        say(args, "\n" + describe_ignored(instance.ignored))
    say(args, "\nThe workbook is valid.")
    if args.json:
        emit_json({"valid": True, "errors": [], "sides": len(instance.sides), "issues": len(instance.issues),
                   "packages": _json_count(instance.package_count), "groups": len(instance.groups),
                   "bodies": len(instance.bodies), "ignored": list(instance.ignored)}, args.json)
    return EXIT_OK


def _json_count(n: int) -> int | float | None:
    """A count as JSON: exact while a reader's 64-bit integer holds it, else a float, else null."""
    if n < 2**63:
        return n
    return float(n) if n.bit_length() <= 1023 else None


# -- template --------------------------------------------------------------------------------------
def template_arguments(t) -> None:
    t.add_argument("path")
    t.add_argument("--force", action="store_true", help="replace PATH if it exists")


def run_template(args) -> int:
    from ..io.template import write_template

    path = Path(args.path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"template {path}: expected a path ending in .xlsx")
    if path.exists() and not args.force:
        raise UsageError(f"template {path}: the file exists (use --force to replace it)")
    write_template(path)
    print(f"Template written to {path}. Fill it in, then run: planner check {path}")
    return EXIT_OK


# -- convert ---------------------------------------------------------------------------------------
def convert_arguments(c) -> None:
    c.add_argument("source")
    c.add_argument("target")
    c.add_argument("--force", action="store_true", help="replace TARGET if it exists")


def run_convert(args) -> int:
    from ..io.excel_read import carried_tables, read_instance
    from ..io.workbook import write_instance

    source, target = Path(args.source), Path(args.target)
    for path, what in ((source, "SOURCE"), (target, "TARGET")):
        if path.suffix.lower() not in (".xlsx", ".json"):
            raise UsageError(f"{what} {path}: expected a path ending in .xlsx or .json")
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        raise UsageError(f"TARGET {target}: refusing to overwrite the source")
    if target.exists() and not args.force:
        raise UsageError(f"TARGET {target}: the file exists (use --force to replace it)")
    instance = read_instance(source)
    write_instance(instance, target, carried_tables(source))
    print(f"{source} -> {target}")
    dropped = [item for item in instance.ignored if not item.startswith("sheet ")]
    if dropped:
        print(f"Not converted (columns the planner does not read): {'; '.join(dropped)}")
    return EXIT_OK


# -- generate --------------------------------------------------------------------------------------
def generate_arguments(n) -> None:
    n.add_argument("out_dir", metavar="OUT_DIR", help="folder for the instance files (created if missing)")
    n.add_argument("--kind", choices=("random", "parliament"), default="random", help="which family (default random)")
    n.add_argument("--size", choices=("small", "medium", "large"), default="small", help="default small")
    n.add_argument("--seed", type=int, default=1, help="seed of the first instance (default 1)")
    n.add_argument("--count", type=count, default=1, help="instances to write, seeds SEED, SEED+1, ... (default 1)")
    n.add_argument("--format", choices=("xlsx", "json"), default="xlsx", help="instance workbooks or table-form JSON")
    n.add_argument("--force", action="store_true", help="replace files that exist")
    n.add_argument("--json", metavar="FILE", help="list the files written as JSON (- for standard output)")


def run_generate(args) -> int:
    from ..generate import SIZES, write_generated

    try:
        paths = write_generated(args.kind, args.size, args.seed, args.count, args.out_dir, f".{args.format}", args.force)
    except FileExistsError as exc:
        raise UsageError(f"{exc} exists (use --force to replace)") from None
    shape = "x".join(map(str, SIZES[args.kind][args.size]))
    say(args, f"{len(paths)} {args.kind} instance(s) of size {args.size} ({shape}) written to {args.out_dir}:\n"
        + "\n".join(f"  {p.name}" for p in paths))
    if args.json:
        emit_json({"format": 1, "kind": args.kind, "size": args.size, "files": [str(p) for p in paths]}, args.json)
    return EXIT_OK


# -- import-genius ---------------------------------------------------------------------------------
def import_genius_arguments(g) -> None:
    g.add_argument("domain")
    g.add_argument("profile_a")
    g.add_argument("profile_b")
    g.add_argument("-o", "--output", required=True, metavar="PATH", help="the instance workbook to write (.xlsx or .json)")
    g.add_argument("--names", nargs=2, metavar=("A", "B"), help="side ids for the two parties (default: from the profiles)")
    g.add_argument("--force", action="store_true", help="replace OUTPUT if it exists")


def run_import_genius(args) -> int:
    from ..io.genius import import_genius
    from ..io.workbook import write_instance
    from ..report.terminal import count_text

    out = Path(args.output)
    if out.suffix.lower() not in (".xlsx", ".json"):
        raise UsageError(f"--output {out}: expected a path ending in .xlsx or .json")
    if out.exists() and not args.force:
        raise UsageError(f"--output {out}: the file exists (use --force to replace it)")
    if out.resolve() in {Path(p).resolve() for p in (args.domain, args.profile_a, args.profile_b)}:
        raise UsageError(f"--output {out}: refusing to overwrite an input")
    instance = import_genius(args.domain, args.profile_a, args.profile_b, tuple(args.names) if args.names else None)
    write_instance(instance, out)
    print(f"{instance.settings.title}: {len(instance.issues)} issues, {count_text(instance.package_count)} packages; "
          f"written to {out}")
    return EXIT_OK


CHECK = Command("check", "validate a workbook without solving", check_arguments, run_check)
TEMPLATE = Command("template", "write a blank instance workbook with notes on every column", template_arguments, run_template)
CONVERT = Command("convert", "convert an instance between .xlsx and .json (table form)", convert_arguments, run_convert)
GENERATE = Command("generate", "write synthetic instances (random, or a parliament in parties against a council)",
                   generate_arguments, run_generate)
IMPORT_GENIUS = Command("import-genius", "a workbook from a GENIUS (.xml) or GeniusWeb (.json) domain and two profiles",
                        import_genius_arguments, run_import_genius)
