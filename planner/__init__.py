"""planner: the best ratifiable package deal in a two-level game (Putnam, 1988).

The Python API::

    import planner
    instance = planner.read_workbook("spreadsheets/bonn1978.xlsx")
    result = planner.solve(instance, objective="nash")
    result.to_dict()                      # the JSON result
    planner.write_results(result, "bonn1978-results.xlsx")
"""

from .errors import InputError, InputErrors
from .evaluate import Deal, Evaluation, evaluate
from .io.excel_read import read_instance, read_json, read_workbook
from .model import (
    Action,
    Body,
    Group,
    Instance,
    Issue,
    Link,
    Member,
    Option,
    Rule,
    Settings,
    Side,
    Transfer,
)
from .result import Result, top_frame
from .solving.api import solve, solve_top
from .solving.options import SolveOptions

__version__ = "0.1.0"


def sweep(instance, grid=None, scenarios=None, **kwargs):
    """Solve at every point of a grid of named parameters (see :mod:`planner.analysis.sweep`)."""
    from .analysis.sweep import sweep as _sweep

    return _sweep(instance, grid, scenarios, **kwargs)


def breakpoints(instance, name, lo, hi, **kwargs):
    """Where the optimal package or feasibility changes as one parameter moves (:mod:`planner.analysis.sweep`)."""
    from .analysis.sweep import breakpoints as _breakpoints

    return _breakpoints(instance, name, lo, hi, **kwargs)


def tornado(instance, params, rel=0.1, **kwargs):
    """Each parameter moved down and up by ``rel``, ranked by the change in the objective."""
    from .analysis.sweep import tornado as _tornado

    return _tornado(instance, params, rel, **kwargs)


def power_indices(instance, body=None, **kwargs):
    """Banzhaf and Shapley–Shubik indices of the members of each body (see :mod:`planner.analysis.power`)."""
    from .analysis.power import power_indices as _power_indices

    return _power_indices(instance, body, **kwargs)


def pivotal_groups(instance, deal):
    """Each body member's support, margin and pivotality for a deal (see :mod:`planner.analysis.power`)."""
    from .analysis.power import pivotal_groups as _pivotal_groups

    return _pivotal_groups(instance, deal)


def write_results(result: Result, path, top=()) -> None:
    """Write the results workbook (sheets Summary, Package, Support, Votes, Payments, Transfers; Top with ``top``)."""
    from .io.results_excel import write_results as _write

    _write(result, path, top)


__all__ = [
    "Action", "Body", "Deal", "Evaluation", "Group", "InputError", "InputErrors", "Instance", "Issue", "Link", "Member",
    "Option", "Result", "Rule", "Settings", "Side", "SolveOptions", "Transfer", "evaluate", "read_instance",
    "read_json", "read_workbook", "solve", "sweep", "breakpoints", "tornado", "solve_top", "top_frame", "write_results",
    "power_indices", "pivotal_groups",
]
