"""Build the bundled workbooks from their readable sources.

    python spreadsheets/build.py

writes ``spreadsheets/bonn1978.xlsx`` from ``spreadsheets/source/bonn1978.json`` and the
case library's workbooks in ``spreadsheets/cases/`` (table form: one list of row objects
per sheet, including an About sheet the reader ignores)
and ``spreadsheets/template.xlsx`` from the schema in ``planner/schema.py``. A test
checks that the committed workbooks hold what these sources say.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from planner.io.template import write_template  # noqa: E402
from planner.io.workbook import write_tables  # noqa: E402

CASES = {"bonn1978": "bonn1978.xlsx", "panama1978": "cases/panama1978.xlsx",
         "eu_council_trade": "cases/eu_council_trade.xlsx", "brexit2019": "cases/brexit2019.xlsx",
         "kestrel_bay": "cases/kestrel_bay.xlsx"}
"""Each source in ``source/`` and the workbook it builds."""


def build(out_dir: Path = HERE) -> list[Path]:
    written = []
    for case, workbook in CASES.items():
        source = json.loads((HERE / "source" / f"{case}.json").read_text(encoding="utf-8"))
        target = out_dir / workbook
        write_tables(source["sheets"], target)
        written.append(target)
    write_template(out_dir / "template.xlsx")
    written.append(out_dir / "template.xlsx")
    return written


if __name__ == "__main__":
    for path in build():
        print(f"wrote {path.relative_to(HERE.parent)}")
