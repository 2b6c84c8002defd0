"""Are two finance workbooks the same cells? The before/after check of a writer speed-up.

    .venv/bin/python benchmarks/same_workbook.py BEFORE.xlsx AFTER.xlsx

Reads both with openpyxl, every sheet, twice: as written (formulas as their text) and with
the values saved beside the formulas (what a reader that does not recalculate shows). Per
cell it compares the value, the saved value, the number format, bold/italic/colour of the
font, the fill, the alignment (horizontal, wrap) and the quote prefix; per sheet the sheet
order, merged ranges, column widths, row heights, frozen panes, autofilter, print area and
comments. ``docProps/core.xml`` (the file's creation time) is ignored. Before the cell
comparison the zip members are compared byte by byte, which says whether the files are
byte-identical apart from that. Prints each difference (sheet, cell, what) and exits 1 when
there is any, 0 when the cells are identical.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

IGNORED_PARTS = {"docProps/core.xml"}
MAX_SHOWN = 40


def _colour(colour: Any) -> Any:
    if colour is None:
        return None
    return colour.rgb if isinstance(colour.rgb, str) else f"theme {colour.theme}"


def _style(cell: Any) -> tuple[Any, ...]:
    font, fill, align = cell.font, cell.fill, cell.alignment
    return (
        cell.number_format,
        bool(font.b),
        bool(font.i),
        _colour(font.color),
        font.sz,
        _colour(fill.fgColor) if fill is not None and fill.fill_type else None,
        align.horizontal,
        align.vertical,
        bool(align.wrap_text),
        bool(cell.quotePrefix),
        cell.border.top.style if cell.border is not None else None,
        cell.border.bottom.style if cell.border is not None else None,
    )


def _cells(ws: Worksheet) -> dict[str, tuple[Any, ...]]:
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None and not cell.has_style:
                continue
            comment = cell.comment.text if cell.comment is not None else None
            out[cell.coordinate] = (cell.value, cell.data_type, comment, *_style(cell))
    return out


def _sheet(ws: Worksheet) -> dict[str, Any]:
    return {
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
        "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
        "freeze": ws.freeze_panes,
        "autofilter": ws.auto_filter.ref,
        "print_area": ws.print_area,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        "footer": ws.oddFooter.center.text if ws.oddFooter is not None else None,
        "fit": (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.page_setup.orientation),
        "charts": len(ws._charts),
        "data_validations": len(ws.data_validations.dataValidation),
        "conditional": len(ws.conditional_formatting),
    }


def byte_differences(a: Path, b: Path) -> list[str]:
    """Zip members that differ byte for byte (or exist in one file only)."""
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        names_a, names_b = set(za.namelist()), set(zb.namelist())
        out = [f"part {n} only in one file" for n in sorted(names_a ^ names_b)]
        for name in sorted((names_a & names_b) - IGNORED_PARTS):
            if za.read(name) != zb.read(name):
                out.append(f"part {name} differs")
    return out


def cell_differences(a: Path, b: Path) -> list[str]:
    """Every sheet, cell or sheet setting that differs, as readable lines."""
    out: list[str] = []
    books = [
        (openpyxl.load_workbook(a), openpyxl.load_workbook(a, data_only=True)),
        (openpyxl.load_workbook(b), openpyxl.load_workbook(b, data_only=True)),
    ]
    (fa, va), (fb, vb) = books
    if fa.sheetnames != fb.sheetnames:
        return [f"sheets differ: {fa.sheetnames} != {fb.sheetnames}"]
    for name in fa.sheetnames:
        sa, sb = _sheet(fa[name]), _sheet(fb[name])
        out += [f"{name}: {k} {sa[k]!r} != {sb[k]!r}" for k in sa if sa[k] != sb[k]]
        for label, (xa, xb) in {
            "cell": (_cells(fa[name]), _cells(fb[name])),
            "saved value": (
                {k: v[0] for k, v in _cells(va[name]).items()},
                {k: v[0] for k, v in _cells(vb[name]).items()},
            ),
        }.items():
            for ref in sorted(xa.keys() | xb.keys()):
                if xa.get(ref) != xb.get(ref):
                    out.append(f"{name}!{ref}: {label} {xa.get(ref)!r} != {xb.get(ref)!r}")
    return out


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = Path(sys.argv[1]), Path(sys.argv[2])
    parts = byte_differences(a, b)
    print("zip members: " + ("byte-identical" if not parts else "; ".join(parts)))
    cells = cell_differences(a, b)
    for line in cells[:MAX_SHOWN]:
        print(line)
    if len(cells) > MAX_SHOWN:
        print(f"… and {len(cells) - MAX_SHOWN} more")
    print("identical cells" if not cells else f"{len(cells)} difference(s)")
    sys.exit(1 if cells else 0)


if __name__ == "__main__":
    main()
