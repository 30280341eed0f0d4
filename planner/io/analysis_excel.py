"""Analysis workbooks: the frontier (Frontier and Bargaining sheets, scatter chart, figure) and sweeps (line chart)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.chart import Reference, ScatterChart, Series
from openpyxl.drawing.image import Image

from .frames import frames_workbook, save_workbook


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


def write_sweep(table: pd.DataFrame, path: str | Path, x_column: str, y_columns: list[str]) -> None:
    """The Sweep sheet with a native line chart of the chosen columns against the swept parameter."""
    from openpyxl.chart import LineChart

    wb = frames_workbook({"Sweep": table})
    ws = wb["Sweep"]
    if len(table) and y_columns:
        chart = LineChart()
        chart.title = "Sweep"
        chart.x_axis.title = x_column
        chart.y_axis.title = "utility"
        for name in y_columns:
            col = list(table.columns).index(name) + 1
            chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=len(table) + 1), titles_from_data=True)
        x = list(table.columns).index(x_column) + 1
        chart.set_categories(Reference(ws, min_col=x, min_row=2, max_row=len(table) + 1))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        ws.add_chart(chart, f"{_column_after(table)}2")
    save_workbook(wb, path)
