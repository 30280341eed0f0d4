"""docs/tutorial.md works as written: every ```bash block runs, in order, in a copy of the repository's cases.

A block whose first line is ``# exit status N`` must end with status N, every other block with 0.
A ```text block right after a bash block shows (part of) its output: each of its lines
other than ``...`` must occur in what the block printed, up to runs of spaces. Every
figure the page shows (``figures/tutorial_*.png``) must be drawn by the blocks and be
committed in docs/figures with the same size.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from matplotlib.image import imread

from .conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.DOTALL | re.MULTILINE)
STATUS = re.compile(r"#\s*exit status (\d+)")
FIGURE = re.compile(r"\]\((figures/tutorial_[\w-]+\.png)\)")


@dataclass(frozen=True)
class Block:
    code: str
    status: int
    shown: str | None
    """The text block right after it, if any: what the page says it prints."""


@dataclass(frozen=True)
class Run:
    block: Block
    returncode: int
    output: str


def blocks(markdown: str) -> list[Block]:
    """The bash blocks of a page, each with its expected exit status and its shown output."""
    fences = list(FENCE.finditer(markdown))
    found = []
    for k, fence in enumerate(fences):
        if fence.group(1) != "bash":
            continue
        after = fences[k + 1] if k + 1 < len(fences) else None
        adjacent = after is not None and after.group(1) == "text" and not markdown[fence.end():after.start()].strip()
        status = STATUS.match(fence.group(2))
        found.append(Block(fence.group(2), int(status.group(1)) if status else 0, after.group(2) if adjacent else None))
    return found


def squeeze(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _shims(bin_dir: Path) -> None:
    """``planner`` and ``python`` as a user has them, running this repository's code."""
    bin_dir.mkdir()
    for name, command in (("planner", f'"{sys.executable}" -m planner'), ("python", f'"{sys.executable}"')):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(shim.stat().st_mode | stat.S_IEXEC)


@pytest.fixture(scope="module")
def tutorial_runs(tmp_path_factory) -> tuple[Path, list[Run]]:
    work = tmp_path_factory.mktemp("tutorial")
    shutil.copytree(ROOT / "spreadsheets", work / "spreadsheets", ignore=shutil.ignore_patterns("*.py", "source"))
    (work / "docs" / "figures").mkdir(parents=True)
    _shims(work / "bin")
    env = {**os.environ, "PATH": f"{work / 'bin'}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "MPLBACKEND": "Agg"}
    runs = []
    for block in blocks(TUTORIAL.read_text(encoding="utf-8")):
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block.code], check=False, cwd=work,
                              env=env, capture_output=True, text=True, timeout=120)
        runs.append(Run(block, proc.returncode, proc.stdout + proc.stderr))
    return work, runs


def test_the_page_has_the_walk_through_commands():
    code = "\n".join(b.code for b in blocks(TUTORIAL.read_text(encoding="utf-8")))
    for command in ("planner check", "planner solve", "planner winset", "planner frontier", "planner sweep",
                    "planner diagnose", "openpyxl", "-results.xlsx"):
        assert command in code, command


@pytest.mark.slow
def test_every_command_block_ends_with_the_status_the_page_gives(tutorial_runs):
    _, runs = tutorial_runs
    assert len(runs) >= 8
    for run in runs:
        assert run.returncode == run.block.status, f"{run.block.code}\n--- printed:\n{run.output}"
    assert any(run.block.status != 0 for run in runs)  # the page shows a refused workbook too


@pytest.mark.slow
def test_the_output_shown_is_what_the_commands_print(tutorial_runs):
    _, runs = tutorial_runs
    shown = [run for run in runs if run.block.shown is not None]
    assert len(shown) >= 6
    for run in shown:
        printed = squeeze(run.output)
        for line in squeeze(run.block.shown).splitlines():
            if line and line != "...":
                assert line in printed, f"{line!r} is not printed by\n{run.block.code}\n--- printed:\n{run.output}"


@pytest.mark.slow
def test_the_figures_are_drawn_by_the_commands_and_committed(tutorial_runs):
    work, _ = tutorial_runs
    figures = FIGURE.findall(TUTORIAL.read_text(encoding="utf-8"))
    assert len(figures) >= 2
    for figure in figures:
        drawn, committed = work / "docs" / figure, ROOT / "docs" / figure
        assert drawn.exists(), f"no command draws {figure}"
        assert committed.exists(), f"{figure} is not in docs/figures"
        assert imread(drawn).shape == imread(committed).shape


def test_the_readme_links_the_tutorial():
    assert "docs/tutorial.md" in (ROOT / "README.md").read_text(encoding="utf-8")
