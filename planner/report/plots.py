"""Figures: the two-level game in utility space.

The classic picture: one point per package at the two negotiators' package utilities
(before side payments), coloured by who would ratify it (neither side, only the home side,
only the other, both), the Pareto frontier of feasible deals, the reservation lines and
the bargaining solutions, labelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..analysis.winset import ratifying  # noqa: E402
from ..formulation.coefficients import negotiator_linear  # noqa: E402
from ..io.atomic import atomic_path  # noqa: E402
from ..model import Instance  # noqa: E402
from ..solving import bounding  # noqa: E402

if TYPE_CHECKING:
    from ..analysis.frontier import Frontier

COLOURS = {"neither": "#c8c8c8", "only home": "#6baed6", "only other": "#fd8d3c", "both": "#31a354"}
MAX_PACKAGES = 200_000
SAMPLE = 20_000


def package_cloud(instance: Instance, home: str, other: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, bool]:
    """Package utilities (n x 2, before payments), who ratifies each (0 neither .. 3 both), and whether all are shown."""
    if instance.package_count <= MAX_PACKAGES:
        grid, complete = bounding.packages(instance), True
    else:
        rng = np.random.default_rng(seed)
        grid = np.stack([rng.integers(0, len(i.options), SAMPLE) for i in instance.issues], axis=1).astype(np.int32)
        grid, complete = grid[bounding.abides(instance, grid)], False
    linears = [negotiator_linear(instance, home), negotiator_linear(instance, other)]
    utilities = bounding.values(instance, linears, grid, [home, other])
    ok = ratifying(instance, grid)
    return utilities, ok[home].astype(int) + 2 * ok[other].astype(int), complete


def utility_space_figure(instance: Instance, frontier: Frontier, solutions: dict[str, tuple[float, float]],
                         title: str | None = None):
    """The utility-space figure (a matplotlib Figure)."""
    home, other = frontier.home, frontier.other
    utilities, who, complete = package_cloud(instance, home, other)
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=120)
    labels = ["neither", "only home", "only other", "both"]
    names = {"only home": f"only {home} ratifies", "only other": f"only {other} ratifies",
             "neither": "neither ratifies", "both": f"both {home} and {other} ratify"}
    for code, key in enumerate(labels):
        pts = utilities[who == code]
        if len(pts):
            ax.scatter(pts[:, 0], pts[:, 1], s=10 if len(utilities) > 2000 else 28, c=COLOURS[key], alpha=0.7,
                       label=f"{names[key]} ({len(pts):,})", edgecolors="none", zorder=1)
    if frontier.points:
        fx = [p.home_utility for p in frontier.points]
        fy = [p.other_utility for p in frontier.points]
        ax.step(fx, fy, where="post", color="black", lw=1.4, zorder=2, label=f"Pareto frontier ({len(fx)} deals)")
        ax.scatter(fx, fy, color="black", s=22, zorder=3)
    for side, axis_line in ((home, ax.axvline), (other, ax.axhline)):
        r = instance.side(side).reservation
        if r is not None:
            axis_line(r, color="#b2182b", ls="--", lw=1, zorder=0)
    markers = iter("*DPXsv^<>ph")
    for label, (x, y) in solutions.items():
        ax.scatter([x], [y], marker=next(markers, "o"), s=130, zorder=4, edgecolors="black", linewidths=0.6,
                   label=f"{label} ({x:.3g}, {y:.3g})")
    ax.set_xlabel(f"{instance.side(home).name} negotiator's utility")
    ax.set_ylabel(f"{instance.side(other).name} negotiator's utility")
    sample = "" if complete else f" (a uniform sample of {len(utilities):,} packages)"
    ax.set_title(title or f"{instance.settings.title or instance.name}: packages, win-sets and bargaining solutions{sample}",
                 fontsize=10)
    ax.grid(alpha=0.25)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), framealpha=0.9)
    note = ("Dashed red lines: negotiators' reservations. Points: package utilities before side payments; "
            "the frontier and the solutions are feasible deals, payments included")
    if len(instance.sides) > 2:
        note += f", ratified by every side ({', '.join(instance.side_ids)})"
    fig.text(0.01, 0.005, note + ".", fontsize=6.5, color="#444444")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def save_figure(fig, base: str | Path) -> list[Path]:
    """Save as ``base.png`` and ``base.svg`` (atomically) and close the figure."""
    base = Path(base)
    written = []
    for suffix in (".png", ".svg"):
        target = base.with_suffix(suffix)
        with atomic_path(target) as tmp, plt.rc_context({"svg.hashsalt": "planner"}):
            fig.savefig(tmp, format=suffix[1:], metadata={"Date": None} if suffix == ".svg" else None)
        written.append(target)
    plt.close(fig)
    return written


def tying_hands_figure(table, side: str, parameter: str, sides: tuple[str, ...], title: str = ""):
    """Negotiators' utilities in the bargaining deal, and the side's win-set share, as its hands are tied."""
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    x = table["threshold"] if "threshold" in table else table["change"]
    for s in sides:
        ax.plot(x, table[f"U_{s}"], marker="o", lw=1.6 if s == side else 1.0, label=f"{s} negotiator's utility")
    ax.set_xlabel(f"{side}'s {'body threshold' if 'threshold' in table else parameter + ' shift'}")
    ax.set_ylabel("utility in the bargaining deal")
    ax.grid(alpha=0.25)
    share = ax.twinx()
    share.plot(x, 100 * table["winset_share"], color="#636363", ls="--", marker=".", label=f"{side}'s win-set (% of packages)")
    share.set_ylabel(f"{side}'s win-set, % of packages")
    broken = table[table["status"] != "optimal"]
    for value in (broken["threshold"] if "threshold" in broken else broken["change"]):
        ax.axvline(value, color="#b2182b", ls=":", lw=1)
    lines = ax.get_legend_handles_labels()[0] + share.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + share.get_legend_handles_labels()[1]
    ax.legend(lines, labels, fontsize=8, loc="best")
    ax.set_title(title or f"Tying {side}'s hands: the win-set shrinks, the bargain moves (red: no agreement)", fontsize=10)
    fig.tight_layout()
    return fig


def sweep_figure(table, parameters: list[str], sides: tuple[str, ...], title: str = ""):
    """One parameter: the objective and each negotiator's utility against it (grey bands: no agreement).

    Two parameters: a heat map of the objective over the grid (blank: no agreement).
    """
    if len(parameters) == 2:
        return _heat_map(table, parameters, title)
    x = parameters[0]
    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    table = table.sort_values(x)
    ax.plot(table[x], table["objective_value"], color="black", lw=2.2, label="objective", zorder=3, drawstyle="steps-mid")
    for s in sides:
        ax.plot(table[x], table[f"U_{s}"], lw=1.2, marker=".", label=f"{s} negotiator's utility", drawstyle="steps-mid")
    half = float(np.median(np.diff(table[x]))) / 2 if len(table) > 1 else 0.5
    for value in table[table["status"] != "optimal"][x]:
        ax.axvspan(value - half, value + half, color="#d9d9d9", lw=0, zorder=0)
    changed = table[table["package_changed"]][x]
    for value in changed:
        ax.axvline(value, color="#2171b5", ls=":", lw=1)
    ax.set_xlabel(x)
    ax.set_ylabel("utility")
    ax.grid(alpha=0.25)
    ax.legend(fontsize=8, loc="best")
    ax.set_title(title or f"Sweep of {x}\n(grey: no agreement, or none proven optimal; dotted blue: the package changes)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def _heat_map(table, parameters: list[str], title: str):
    from ..analysis.sweep import objective_grid

    rows, cols = parameters
    grid = objective_grid(table, parameters)
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    image = ax.imshow(grid.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" for v in grid.columns], rotation=90, fontsize=7)
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" for v in grid.index], fontsize=7)
    ax.set_xlabel(cols)
    ax.set_ylabel(rows)
    fig.colorbar(image, ax=ax, label="objective value")
    ax.set_title(title or "Objective over the grid (white: no agreement)", fontsize=10)
    fig.tight_layout()
    return fig


def tornado_figure(table, title: str = ""):
    """Each parameter's change of the objective when moved down and up, largest swing on top."""
    order = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * len(table)), dpi=120)
    y = np.arange(len(order))
    base = order["objective_base"].astype(float)
    for column, colour, label in (("objective_low", "#d6604d", "parameter down"),
                                  ("objective_high", "#4393c3", "parameter up")):
        change = order[column].astype(float) - base
        ax.barh(y, change, color=colour, alpha=0.85, label=label)
        for k in np.flatnonzero(change.isna().to_numpy()):
            ax.text(0, y[k], f" {label}: no agreement", va="center", fontsize=7, color=colour)
    ax.set_yticks(y, order["parameter"], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("change of the objective from its base value")
    ax.legend(fontsize=8, loc="best")
    ax.grid(axis="x", alpha=0.25)
    ax.set_title(title or "Tornado: which parameters move the objective most", fontsize=10)
    fig.tight_layout()
    return fig
