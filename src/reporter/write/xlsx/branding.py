"""The ``[theme]`` on the workbook: the logo on Summary, and a print header on every sheet.

Colours are applied where the formats and charts are made (``cells.Styles`` and
``summary``); this module handles the logo (an SVG logo is rasterised to PNG, since Excel
files carry bitmaps) and the print header. With no theme it does nothing at all.
"""

from __future__ import annotations

import io
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reporter.theme import Theme

LOGO_HEIGHT = 48  # pixels on the Summary sheet, beside the headline table
HEADER_LOGO_HEIGHT = 28  # pixels in the print header


def logo_png(theme: Theme, height: int) -> tuple[io.BytesIO, float] | None:
    """The logo as PNG data and the scale that makes it ``height`` pixels high."""
    if not theme.logo:
        return None
    data = Path(theme.logo).read_bytes()
    if theme.logo_kind == "svg":
        import vl_convert  # the chart renderer also rasterises SVG, without a browser

        data = vl_convert.svg_to_png(data.decode("utf-8"), scale=1.0)
    from PIL import Image  # Pillow comes with WeasyPrint

    with Image.open(io.BytesIO(data)) as image:
        _width, pixels = image.size
    return io.BytesIO(data), height / max(pixels, 1)


def add_logo(ws: Worksheet, theme: Theme, row: int, col: int) -> None:
    """Float the logo over the empty cells at (row, col), LOGO_HEIGHT pixels high."""
    logo = logo_png(theme, LOGO_HEIGHT)
    if logo is None:
        return
    data, scale = logo
    ws.insert_image(
        row,
        col,
        "logo.png",
        {
            "image_data": data,
            "x_scale": scale,
            "y_scale": scale,
            "x_offset": 4,
            "y_offset": 2,
            "object_position": 3,
            "description": theme.company or "logo",
        },
    )


def _escape(text: str) -> str:
    return text.replace("&", "&&")


def print_header(workbook: Workbook, theme: Theme) -> None:
    """Logo, company and footer text in the printed header of every sheet."""
    if not (theme.logo or theme.company or theme.footer):
        return
    for ws in workbook.worksheets():
        options: dict[str, object] = {"margin": 0.3}
        left = ""
        logo = logo_png(theme, HEADER_LOGO_HEIGHT)
        if logo is not None:
            left = "&G"
            options["image_left"] = "logo.png"
            options["image_data_left"] = logo[0]
        # Excel refuses a header over 255 characters: keep the two texts well under it
        center = f"&C{_escape(theme.company[:60])}" if theme.company else ""
        right = f"&R{_escape(theme.footer[:120])}" if theme.footer else ""
        ws.set_header(f"&L{left}{center}{right}", options)
