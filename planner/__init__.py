"""planner: the best ratifiable package deal in a two-level game (Putnam, 1988).

The Python API::

    import planner
    instance = planner.read_workbook("spreadsheets/bonn1978.xlsx")
    result = planner.solve(instance, objective="nash")
    result.to_dict()                      # the JSON result
    planner.write_results(result, "bonn1978-results.xlsx")
"""

from .evaluate import Deal, Evaluation, evaluate
from .io.errors import InputError, InputErrors
from .io.excel_read import read_instance, read_json, read_workbook
from .model import Body, Group, Instance, Issue, Link, Member, Option, Rule, Settings, Side, Transfer
from .result import Result
from .solve import SolveOptions, solve

__version__ = "0.1.0"


def write_results(result: Result, path) -> None:
    """Write the results workbook (sheets Summary, Package, Support, Votes, Payments, Transfers)."""
    from .io.results_excel import write_results as _write

    _write(result, path)


__all__ = [
    "Body", "Deal", "Evaluation", "Group", "InputError", "InputErrors", "Instance", "Issue", "Link", "Member",
    "Option", "Result", "Rule", "Settings", "Side", "SolveOptions", "Transfer", "evaluate", "read_instance",
    "read_json", "read_workbook", "solve", "write_results",
]
