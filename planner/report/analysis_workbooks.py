"""Analysis workbooks: the frontier (Frontier and Bargaining sheets, scatter chart, figure), sweeps (line
chart, heat map, tornado) and plain tables (win-sets, tying hands, diagnosis, power)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.drawing.image import Image

from ..io.frames import frames_workbook, save_workbook


def write_frames(frames: dict[str, pd.DataFrame], path: str | Path) -> None:
    """One sheet per DataFrame: styled header, frozen pane, fitted widths, booleans coloured."""
    save_workbook(frames_workbook(frames), path)


def write_frontier(frontier: pd.DataFrame, bargaining: pd.DataFrame, path: str | Path,
                   figure_png: str | Path | None = None) -> None:
    """Write the frontier points and bargaining solutions; chart the frontier natively; embed the figure."""
    wb = frames_workbook({"Frontier": frontier, "Bargaining": bargaining})
    ws = wb["Frontier"]
    if len(frontier):
        chart = ScatterChart()
        chart.title = "Pareto frontier"
        chart.style = 13
        chart.x_axis.title = str(frontier.columns[0])
        chart.y_axis.title = str(frontier.columns[1])
        xs = Reference(ws, min_col=1, min_row=2, max_row=len(frontier) + 1)
        ys = Reference(ws, min_col=2, min_row=1, max_row=len(frontier) + 1)
        series = Series(ys, xs, title_from_data=True)
        series.marker.symbol = "circle"
        chart.series.append(series)
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        ws.add_chart(chart, f"{_column_after(frontier)}2")
    if figure_png is not None:
        picture = wb.create_sheet("Figure")
        image = Image(str(figure_png))
        image.width, image.height = image.width * 0.75, image.height * 0.75
        picture.add_image(image, "A1")
    save_workbook(wb, path)


def _column_after(frame: pd.DataFrame) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(frame.columns) + 2)


def write_sweeps(studies: list[tuple[str, str, list[str], pd.DataFrame]], path: str | Path,
                 sides: tuple[str, ...]) -> None:
    """One sheet per study (name, kind, parameters, table).

    A one-parameter sweep gets a native line chart of the objective and each negotiator's
    utility; a two-parameter grid a heat map of the objective (a colour scale, blank where
    there is no agreement); a tornado a bar chart of each parameter's change of the
    objective down and up.
    """
    names = sheet_names([name for name, *_ in studies])
    frames = {}
    for sheet, (_, kind, _, table) in zip(names, studies):
        if kind == "tornado":
            table = table.assign(change_low=table["objective_low"] - table["objective_base"],
                                 change_high=table["objective_high"] - table["objective_base"])
        frames[sheet] = table
    wb = frames_workbook(frames)
    for sheet, (_, kind, parameters, _) in zip(names, studies):
        ws, table = wb[sheet], frames[sheet]
        if not len(table):
            continue
        if kind == "tornado":
            _tornado_chart(ws, table)
        elif len(parameters) == 2:
            _heat_map(ws, table, parameters)
        else:
            _line_chart(ws, table, parameters[0], ["objective_value"] + [f"U_{s}" for s in sides])
    save_workbook(wb, path)


def sheet_names(names: list[str]) -> list[str]:
    """Valid, distinct Excel sheet names (at most 31 characters, none of []:*?/\\)."""
    out: list[str] = []
    for name in names:
        base = "".join("_" if c in "[]:*?/\\" else c for c in str(name)).strip("'")[:28] or "Sweep"
        candidate, k = base, 2
        while candidate.lower() in {o.lower() for o in out}:
            candidate, k = f"{base}_{k}", k + 1
        out.append(candidate)
    return out


def _line_chart(ws, table: pd.DataFrame, x_column: str, y_columns: list[str]) -> None:
    from openpyxl.chart import LineChart

    chart = LineChart()
    chart.title = f"Sweep of {x_column}"
    chart.x_axis.title = x_column
    chart.y_axis.title = "utility"
    chart.width, chart.height = 20, 10
    for name in y_columns:
        col = list(table.columns).index(name) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=len(table) + 1), titles_from_data=True)
    x = list(table.columns).index(x_column) + 1
    chart.set_categories(Reference(ws, min_col=x, min_row=2, max_row=len(table) + 1))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, f"{_column_after(table)}2")


def _heat_map(ws, table: pd.DataFrame, parameters: list[str]) -> None:
    """The objective as a rows-by-columns block beside the table, coloured by a three-colour scale."""
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    from ..analysis.sweep import objective_grid
    from ..io.styles import HEADER_FILL, HEADER_FONT, UTILITY, put

    rows, cols = parameters
    grid = objective_grid(table, parameters)
    left = len(table.columns) + 2
    corner = put(ws, 1, left, f"objective: {rows} (down) x {cols} (across)")
    corner.font, corner.fill = HEADER_FONT, HEADER_FILL
    for j, c in enumerate(grid.columns, start=1):
        cell = ws.cell(row=1, column=left + j, value=float(c))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for i, r in enumerate(grid.index, start=2):
        cell = ws.cell(row=i, column=left, value=float(r))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for j, c in enumerate(grid.columns, start=1):
            v = grid.loc[r, c]
            target = ws.cell(row=i, column=left + j, value=None if pd.isna(v) else float(v))
            target.number_format = UTILITY
    area = f"{get_column_letter(left + 1)}2:{get_column_letter(left + len(grid.columns))}{len(grid.index) + 1}"
    ws.conditional_formatting.add(area, ColorScaleRule(start_type="min", start_color="F8696B", mid_type="percentile",
                                                       mid_value=50, mid_color="FFEB84", end_type="max",
                                                       end_color="63BE7B"))
    ws.column_dimensions[get_column_letter(left)].width = 40


def _tornado_chart(ws, table: pd.DataFrame) -> None:
    from openpyxl.chart import BarChart

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Tornado: change of the objective"
    chart.y_axis.title = "change from the base value"
    chart.width, chart.height = 20, max(6, 1 + 1.2 * len(table))
    for name in ("change_low", "change_high"):
        col = list(table.columns).index(name) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=len(table) + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(table) + 1))
    chart.overlap = 100
    chart.x_axis.scaling.orientation = "maxMin"  # the largest swing on top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, f"{_column_after(table)}2")
