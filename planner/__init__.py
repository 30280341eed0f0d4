"""planner: the best ratifiable package deal in a two-level game (Putnam, 1988).

The Python API::

    import planner
    instance = planner.read_workbook("spreadsheets/bonn1978.xlsx")
    result = planner.solve(instance, objective="nash")
    result.to_dict()                      # the JSON result
    planner.write_results(result, "bonn1978-results.xlsx")

The model, the evaluator and the errors are light and imported here; the other names are
loaded on first use, so that ``import planner`` (and the command line's ``--version``,
``check`` and ``template``) does not load pandas, Pyomo or HiGHS.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# Imported here, not on first use: ``planner.evaluate`` is also a module, which would
# otherwise shadow the function once anything imports it.
from .errors import InputError, InputErrors
from .evaluate import Deal, Evaluation, evaluate
from .model import Action, Body, Group, Instance, Issue, Link, Member, Option, Rule, Settings, Side, Transfer

__version__ = "0.1.0"

_HOMES = {
    "planner.analysis.power": ("pivotal_groups", "power_indices"),
    "planner.analysis.sweep": ("breakpoints", "sweep", "tornado"),
    "planner.io.excel_read": ("read_instance", "read_json", "read_workbook"),
    "planner.report.results_workbook": ("write_results",),
    "planner.result": ("Result", "top_frame"),
    "planner.solving.api": ("solve", "solve_top"),
    "planner.solving.options": ("SolveOptions",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "Action", "Body", "Deal", "Evaluation", "Group", "InputError", "InputErrors", "Instance", "Issue", "Link", "Member",
    "Option", "Result", "Rule", "Settings", "Side", "SolveOptions", "Transfer", "breakpoints", "evaluate", "pivotal_groups",
    "power_indices", "read_instance", "read_json", "read_workbook", "solve", "solve_top", "sweep", "top_frame", "tornado",
    "write_results",
]


def __getattr__(name: str):
    """A public name, imported from its module the first time it is asked for."""
    if name not in _HOME_OF:
        raise AttributeError(f"module 'planner' has no attribute {name!r}")
    value = getattr(import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from .analysis.power import pivotal_groups, power_indices
    from .analysis.sweep import breakpoints, sweep, tornado
    from .io.excel_read import read_instance, read_json, read_workbook
    from .report.results_workbook import write_results
    from .result import Result, top_frame
    from .solving.api import solve, solve_top
    from .solving.options import SolveOptions
