"""``docs/model.md``: the model's mathematics, rendered from the docstrings that state it.

Every constraint family (:data:`planner.formulation.rows.FAMILIES`), the objectives, the
scenario blocks, the presolve, package bounding, the package tree, the support cuts, the Nash
method and the safeguards state
their mathematics in their docstrings, beside the code; this module puts them together as
one page. Regenerate with ``python -m planner.mathematics > docs/model.md``; a test fails
when the page and the docstrings differ.
"""

from __future__ import annotations

import inspect
import re

from .formulation import presolve, rows, scenarios
from .solving import answer, bounding, cuts, heuristics, methods, tree
from .solving.highs import BuiltModel
from .solving.options import SolveOptions


def markdown(doc: str | None) -> str:
    """A docstring as Markdown: ``:math:`x``` as ``$x$``, cross-references as code."""
    text = inspect.cleandoc(doc or "")
    text = re.sub(r":math:`([^`]*)`", r"$\1$", text)
    text = re.sub(r":(?:func|mod|class|meth|data|attr):`(~?)([^`]*)`",
                  lambda m: f"`{m.group(2).rpartition('.')[2] if m.group(1) else m.group(2)}`", text)
    return text.replace("``", "`")


def body(module) -> str:
    """A module's docstring without its summary line."""
    return markdown(module.__doc__).partition("\n\n")[2]


def render_markdown() -> str:
    """The page ``docs/model.md``."""
    out = [
        "# The model's mathematics",
        "",
        "Generated from the docstrings of `planner/formulation/` and `planner/solving/` by",
        "`python -m planner.mathematics > docs/model.md`; a test checks that this page and the",
        "docstrings agree.",
        "",
        body(rows),
        "",
        "## Constraints",
        "",
    ]
    for title, family in rows.FAMILIES:
        out += [f"**{title}.** {markdown(family.__doc__)}", ""]
    out += [
        "## Objectives",
        "",
        markdown(rows.add_objective.__doc__),
        "",
        f"**The Nash outer approximation.** {markdown(methods.nash_outer_approximation.__doc__)}",
        "",
        "## Scenarios",
        "",
        body(scenarios),
        "",
        f"**Scenario blocks.** {markdown(scenarios.add_scenarios.__doc__)}",
        "",
        f"**Expected utility.** {markdown(scenarios.add_expected_objective.__doc__)}",
        "",
        f"**Ratification floor.** {markdown(scenarios.add_ratification_floor.__doc__)}",
        "",
        "## Package bounding (own and joint, when packages can be listed)",
        "",
        body(bounding),
        "",
        markdown(methods.package_bounding.__doc__),
        "",
        "## The package tree (own and joint, any number of packages)",
        "",
        body(tree),
        "",
        markdown(methods.package_tree.__doc__),
        "",
        f"**Neighbourhoods.** {markdown(tree.search_neighbourhoods.__doc__)}",
        "",
        f"**Starting packages.** {body(heuristics)}",
        "",
        "## Support cuts",
        "",
        body(cuts),
        "",
        markdown(methods.mip_with_cuts.__doc__),
        "",
        "## Presolve",
        "",
        body(presolve),
        "",
        "## Safeguards",
        "",
        body(answer),
        "",
        f"* {_item(BuiltModel.run.__doc__)}",
        f"* {_item(SolveOptions.__doc__)}",
        "",
    ]
    return "\n".join(out)


def _item(doc: str) -> str:
    """A docstring's second paragraph (the first says what the code does) as one list item."""
    return markdown(doc).split("\n\n")[1].replace("\n", "\n  ")


if __name__ == "__main__":  # pragma: no cover
    print(render_markdown(), end="")
