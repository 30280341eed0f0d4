"""Reports: everything planner writes about its answers, rendered from plain data.

* :mod:`~planner.report.results_workbook` — the results workbook of a solve;
* :mod:`~planner.report.analysis_workbooks` — the frontier and sweep workbooks (with charts);
* :mod:`~planner.report.terminal` — the summaries and tables printed on the terminal;
* :mod:`~planner.report.plots` — the figures (PNG and SVG).

Reports read Results, DataFrames and the Instance; they never solve (the figures' package
clouds use the Pyomo-free bounding arithmetic), so importing them loads neither Pyomo nor HiGHS.
"""
