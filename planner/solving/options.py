"""The options of a solve, and the objective, home side and limits a solve uses.

Pyomo-free: the command line and the analyses build options without loading the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..formulation.presolve import FormulationOptions
from ..model import Instance


@dataclass(frozen=True)
class SolveOptions:
    """Solver settings. ``None`` for time_limit / mip_gap means: the workbook's Settings.

    HiGHS runs with one thread and a fixed random seed by default, so results are
    reproducible (the result's ``solver`` key records both).
    """

    time_limit: float | None = None
    mip_gap: float | None = None
    threads: int = 1
    random_seed: int = 0
    formulation: FormulationOptions = FormulationOptions()
    nash_iterations: int = 500
    method: str = "auto"  # a --method choice (planner.solving.methods.choices): "auto" picks the method that applies
    max_package_checks: int = 2000
    log: object = None  # a stream for HiGHS's progress log (e.g. sys.stderr), or None for silence
    deadline: float | None = None  # a time.perf_counter() by which every solve of the run stops (planner solve: start + limit)


def settle(instance: Instance, objective: str | None, home: str | None, options: SolveOptions | None,
           time_limit: float | None = None, mip_gap: float | None = None) -> tuple[str, str, SolveOptions]:
    """The objective, home side and options a solve uses: the arguments given, else the Settings'."""
    options = options or SolveOptions()
    options = replace(options, time_limit=time_limit if time_limit is not None else options.time_limit,
                      mip_gap=mip_gap if mip_gap is not None else options.mip_gap)
    return objective or instance.settings.objective, _home(instance, home), options


def _home(instance: Instance, home: str | None) -> str:
    home = home or instance.settings.home_side
    if home not in instance.side_ids:
        raise ValueError(f"home side {home!r} is not a side of the instance ({', '.join(instance.side_ids)})")
    return home
