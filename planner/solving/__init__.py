"""Solving: the built model on HiGHS, the methods that search it, and the answers they give.

* :mod:`~planner.solving.options` — :class:`~planner.solving.options.SolveOptions` and the
  settled objective, home side and limits of a solve (Pyomo-free);
* :mod:`~planner.solving.highs` — :class:`~planner.solving.highs.BuiltModel`, the HiGHS
  wrapper: the only user of Pyomo's internals;
* :mod:`~planner.solving.bounding` — package bounding's vectorised relaxation (numpy);
* :mod:`~planner.solving.methods` — the methods (one MIP, the Nash outer approximation,
  package bounding), declared once, and the ``--method`` choices;
* :mod:`~planner.solving.answer` — the one Result builder: exact re-check, tidy, reprice;
* :mod:`~planner.solving.deterministic` — the answer with Level II judged in the workbook;
* :mod:`~planner.solving.uncertain` — the answer with Level II judged in the Scenarios;
* :mod:`~planner.solving.api` — ``solve``, ``solve_top``.

Imports run down that list; the uncertain answer calls the deterministic one, never ``solve``.
"""
