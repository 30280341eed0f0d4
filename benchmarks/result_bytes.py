"""The JSON results of the bundled cases and the small corpus, for comparing two trees.

    python benchmarks/result_bytes.py OUT_DIR [--corpus ../shared/bench]
    python benchmarks/result_bytes.py --compare BEFORE_DIR AFTER_DIR

Runs ``planner solve FILE --json - --no-workbook`` in a fresh process for every bundled
workbook (spreadsheets/) with every deterministic objective, both methods and --top 3;
for the small corpus instances (random_10x4x20_s1..s3, parliament_s1..s2) with the
objectives they solve in seconds; and for scenario instances made from the Bonn case and
random_10x4x20_s2 (Scenarios rows, or reservation_sd with --samples), with expected,
robust and --min-ratification. Each result is written as OUT_DIR/<run>.json without
``solve_seconds``, the one key that differs between runs (and, under scenarios, without
``solver.time_limit``: the time left after the starting deal). A change that should not
change behaviour (a re-layout) leaves every file the same bytes: run the script before
and after, then ``--compare``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OBJECTIVES = ("own", "joint", "maxmin", "nash", "kalai")


def scenario_cases(folder: Path, corpus: Path) -> dict[str, Path]:
    """Scenario instances (table-form JSON) made from the Bonn case and, when present, a corpus instance."""
    import planner
    from planner.io.workbook import write_instance
    from planner.model import Scenario, ScenarioChange

    bonn = planner.read_instance(ROOT / "spreadsheets" / "bonn1978.xlsx")
    g = [x.id for x in bonn.groups]
    scenarios = (Scenario("calm", 0.5, ()),
                 Scenario("tense", 0.3, (ScenarioChange(g[0], 0.8), ScenarioChange(g[4], 0.5, weight_factor=1.5))),
                 Scenario("hawkish", 0.2, (ScenarioChange(g[5], 1.0), ScenarioChange(g[2], -0.3))))
    cases = {"bonn_scen": folder / "bonn_scen.json", "bonn_sd": folder / "bonn_sd.json"}
    write_instance(bonn.replace(scenarios=scenarios), cases["bonn_scen"])
    spread = tuple(dataclasses.replace(x, reservation_sd=0.5) if k % 3 == 0 else x for k, x in enumerate(bonn.groups))
    write_instance(bonn.replace(groups=spread), cases["bonn_sd"])
    if (corpus / "random_10x4x20_s2.xlsx").exists():
        r = planner.read_instance(corpus / "random_10x4x20_s2.xlsx")
        g = [x.id for x in r.groups]
        scenarios = tuple(Scenario(f"s{k}", 0.25, tuple(ScenarioChange(g[(7 * k + j) % len(g)], 0.4 * (j + 1))
                                                        for j in range(3))) for k in range(4))
        cases["random_scen"] = folder / "random_scen.json"
        write_instance(r.replace(scenarios=scenarios), cases["random_scen"])
    return cases


def runs(corpus: Path, scenarios: dict[str, Path]) -> dict[str, tuple]:
    """Every run: its name and the arguments of ``planner solve``."""
    out: dict[str, tuple] = {}
    bundled = [ROOT / "spreadsheets" / "bonn1978.xlsx", *sorted((ROOT / "spreadsheets" / "cases").glob("*.xlsx"))]
    for path in bundled:
        for objective in OBJECTIVES:
            out[f"{path.stem}-{objective}"] = (path, "--objective", objective)
        out[f"{path.stem}-own-mip"] = (path, "--objective", "own", "--method", "mip")
        out[f"{path.stem}-joint-mip"] = (path, "--objective", "joint", "--method", "mip")
        out[f"{path.stem}-top3"] = (path, "--top", "3")
    bonn = bundled[0]
    out["bonn-home-FRG"] = (bonn, "--home", "FRG")
    out["bonn-home-JPN-joint"] = (bonn, "--home", "JPN", "--objective", "joint")
    out["bonn-robust-noscen"] = (bonn, "--objective", "robust")
    for seed in (1, 2, 3):
        path = corpus / f"random_10x4x20_s{seed}.xlsx"
        if path.exists():
            for objective in ("own", "joint", "maxmin"):
                out[f"random_s{seed}-{objective}"] = (path, "--objective", objective)
    if (path := corpus / "random_10x4x20_s2.xlsx").exists():
        out["random_s2-nash"] = (path, "--objective", "nash")
        out["random_s2-kalai"] = (path, "--objective", "kalai")
    for seed in (1, 2):
        if (path := corpus / f"parliament_s{seed}.xlsx").exists():
            for objective in ("own", "joint"):
                out[f"parliament_s{seed}-{objective}"] = (path, "--objective", objective)
    scen = scenarios["bonn_scen"]
    out["bonn_scen-expected"] = (scen, "--objective", "expected")
    out["bonn_scen-robust"] = (scen, "--objective", "robust")
    out["bonn_scen-own-p06"] = (scen, "--objective", "own", "--min-ratification", "0.6")
    out["bonn_scen-joint-p07"] = (scen, "--objective", "joint", "--min-ratification", "0.7")
    out["bonn_scen-nash-p05"] = (scen, "--objective", "nash", "--min-ratification", "0.5")
    out["bonn_sd-expected-samples"] = (scenarios["bonn_sd"], "--objective", "expected", "--samples", "4", "--seed", "3")
    out["bonn_sd-own-samples-p08"] = (scenarios["bonn_sd"], "--samples", "6", "--min-ratification", "0.8")
    if "random_scen" in scenarios:
        out["random_scen-expected"] = (scenarios["random_scen"], "--objective", "expected")
        out["random_scen-robust"] = (scenarios["random_scen"], "--objective", "robust")
    return out


def write(out_dir: Path, corpus: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, args in runs(corpus, scenario_cases(Path(folder), corpus)).items():
            proc = subprocess.run([sys.executable, "-m", "planner", "solve", *map(str, args), "--no-workbook",
                                   "--json", "-", "-q"], capture_output=True, text=True, cwd=ROOT)
            if proc.returncode not in (0, 3):
                print(f"{name}: exit {proc.returncode}\n{proc.stderr}", file=sys.stderr)
                continue
            data = json.loads(proc.stdout)
            data.pop("solve_seconds", None)
            if "uncertainty" in data:
                data["solver"].pop("time_limit", None)
            (out_dir / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
            print(f"{name:32s} {data['status']:13s} {data['objective_value']}", flush=True)


def compare(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.glob("*.json")} | {p.name for p in after.glob("*.json")})
    differ = [n for n in names if not (before / n).exists() or not (after / n).exists()
              or (before / n).read_bytes() != (after / n).read_bytes()]
    for n in differ:
        print(f"differs: {n}")
    print(f"{len(names) - len(differ)} of {len(names)} results are the same bytes")
    return 1 if differ else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", nargs="?", type=Path)
    p.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "bench")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    a = p.parse_args()
    if a.compare:
        return compare(*a.compare)
    if a.out_dir is None:
        p.error("give OUT_DIR, or --compare BEFORE AFTER")
    write(a.out_dir, a.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
