"""Briefing charts as SVG text, drawn by Vega-Lite through vl-convert (no browser).

Vega-Lite picks the ticks, formats the numbers, fits the labels and escapes every text
(a segment called ``<b>`` prints as that text). We only say what to draw and in which
colours; counts always get whole-number ticks (1 deal reads 0 / 1, never 0 / 0.5 / 1).
Chosen over matplotlib's SVG backend by measurement: 1.3-2.5× faster per chart once
warm (see docs/branding.md); the first chart in a process pays ~0.6-3 s to start V8.

Every chart is a plain function of figures the metrics core computed, so the same
numbers appear in the chart, the tables and metrics.json.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import vl_convert

from reporter.errors import OutputError, is_panic
from reporter.printable import without_controls
from reporter.theme import DEFAULT, Theme
from reporter.write.briefing import format as fmt
from reporter.write.running import through

VEGA_LITE = "5.20"  # pinned: a library upgrade must not move every chart by a pixel
LABEL_CHARS = 22
DATA = "rows"  # the name the rows go by in the compiled Vega spec
WIDTH = 330


@dataclass(frozen=True)
class Comparison:
    """The segment comparison chart and how many segments did not fit on it."""

    svg: str
    shown: int
    hidden: int


def short(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (chart labels have no room)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _printable(value: Any) -> Any:
    """``value`` (a spec: dicts, lists, text) with control characters removed from all text."""
    if isinstance(value, str):
        return without_controls(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _number(value: Any) -> float | None:
    return None if fmt.missing(value) else float(value)


def _config(theme: Theme) -> dict[str, Any]:
    """The look shared by every chart: the theme's font, small grey axes, no frame."""
    grey = "#666666"
    return {
        "font": f"{theme.font}, sans-serif",
        "view": {"stroke": None},
        "axis": {
            "labelFontSize": 7.5,
            "labelColor": grey,
            "titleFontSize": 7.5,
            "titleColor": grey,
            "titleFontWeight": "normal",
            "gridColor": "#E3E8EE",
            "domainColor": "#777777",
            "tickColor": "#777777",
        },
        "text": {"fontSize": 7.5},
        "background": None,
    }


def _count_axis(top: float, title: str) -> dict[str, Any]:
    """A count scale from 0 with whole-number ticks only (1, 2 or 5 deals read cleanly)."""
    axis: dict[str, Any] = {"title": title, "tickMinStep": 1, "format": ",d", "grid": True}
    scale: dict[str, Any] = {"domainMin": 0, "nice": True, "zero": True}
    if top <= 5:
        # Vega splits a short axis into fifths (0, 0.2, …); up to five, tick every count.
        end = max(int(top), 1)
        scale = {"domain": [0, end]}
        axis["values"] = list(range(end + 1))
    return {"scale": scale, "axis": axis}


@dataclass(frozen=True)
class Chart:
    """A chart not drawn yet: plain text, so it can travel to a briefing worker.

    ``shape`` is the Vega-Lite spec without its rows (compiled once per shape), ``rows``
    the rows as JSON; :func:`draw` turns it into SVG.
    """

    shape: str
    rows: str


def chart(spec: dict[str, Any], theme: Theme) -> Chart:
    """The :class:`Chart` of a Vega-Lite ``spec`` whose ``data`` is ``{"values": rows}``."""
    rows = _printable(spec["data"]["values"])
    bare = {**spec, "data": {"name": DATA}, "config": _config(theme)}
    return Chart(json.dumps(_printable(bare), sort_keys=True), json.dumps(rows))


def _render(spec: dict[str, Any], theme: Theme) -> str:
    """SVG of a Vega-Lite ``spec`` whose ``data`` is ``{"values": rows}``."""
    return draw(chart(spec, theme))


def draw(drawing: Chart) -> str:
    """The SVG of ``drawing``.

    Compiling Vega-Lite to Vega is a quarter of the time and depends only on the chart's
    shape, not its rows: it is done once per shape (per process) and reused with each
    briefing's rows.
    """
    # allowed_base_urls=[]: a chart never fetches anything, whatever its data says.
    # Control characters out: a NUL in a segment name makes vl-convert abort the process
    # (a Rust panic in a function that cannot unwind: no exception to catch).
    try:
        vega = json.loads(_compiled(drawing.shape))
        for data in vega["data"]:
            if data.get("name") == DATA:
                data["values"] = json.loads(drawing.rows)
        svg: str = vl_convert.vega_to_svg(vega, allowed_base_urls=[])
    except BaseException as exc:
        if not is_panic(exc):  # pyo3's PanicException is not an Exception
            raise
        raise OutputError(
            f"a briefing chart could not be drawn (the chart renderer failed: {exc})",
            hint="check the segment and rep names for unusual characters; report it",
        ) from None
    # the briefing's CSS sizes charts by class (max-width: 100%)
    return svg.replace('class="marks"', 'class="chart marks"', 1)


@functools.lru_cache(maxsize=64)
def _compiled(shape: str) -> str:
    """The Vega spec (JSON text) of a Vega-Lite spec without rows."""
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", **json.loads(shape)}
    return json.dumps(vl_convert.vegalite_to_vega(spec, vl_version=VEGA_LITE))


def trend_svg(trend: pd.DataFrame, theme: Theme = DEFAULT, height: int = 200) -> str:
    """Won opportunities as bars (left axis), win rate with its interval (right axis).

    ``trend`` has the report's TREND_COLUMNS, oldest quarter first.
    """
    return draw(trend_chart(trend, theme, height))


def trend_chart(trend: pd.DataFrame, theme: Theme = DEFAULT, height: int = 200) -> Chart:
    """The trend chart of :func:`trend_svg`, not drawn yet."""
    colours = theme.palette
    rows: list[dict[str, Any]] = []
    for r in trend.itertuples(index=False):
        to_date = getattr(r, "to_date", None)
        running = not fmt.missing(to_date) and bool(to_date)
        rows.append(
            {
                # "|" breaks the axis label: "FY2026 Q4" over "to 15 Nov"
                "quarter": str(r.quarter) + (f"|{through(to_date)}" if running else ""),
                "running": running,
                "won": _number(r.won_opportunities),
                "won_label": f"{fmt.integer(r.won_opportunities)} won",
                "rate": _number(r.win_rate),
                "rate_label": fmt.percent(r.win_rate),
                "lo": _number(r.ci_low),
                "hi": _number(r.ci_high),
            }
        )
    top = max((r["won"] or 0.0 for r in rows), default=0.0)
    x = {
        "field": "quarter",
        "type": "ordinal",
        "sort": None,
        "axis": {"title": None, "labelAngle": 0, "labelExpr": "split(datum.value, '|')"},
    }
    rate_scale = {"domain": [0, 1]}
    rate_axis = {"title": None, "format": ".0%", "orient": "right", "labelColor": colours.accent}
    spec = {
        "width": WIDTH - 70,
        "height": height - 50,
        "data": {"values": rows},
        "encoding": {"x": x},
        "layer": [
            {
                "encoding": {
                    "y": {"field": "won", "type": "quantitative", **_count_axis(top, "won")}
                },
                "layer": [
                    {
                        # a quarter still running is a pale bar with a dashed outline
                        "mark": {
                            "type": "bar",
                            "color": colours.bar,
                            "width": {"band": 0.5},
                            "stroke": colours.bar,
                            "strokeWidth": 0.8,
                        },
                        "encoding": {
                            "opacity": {
                                "condition": {"test": "datum.running", "value": 0.35},
                                "value": 1,
                            },
                            "strokeDash": {
                                "condition": {"test": "datum.running", "value": [3, 2]},
                                "value": [1, 0],
                            },
                        },
                    },
                    {
                        "mark": {"type": "text", "dy": -5, "color": "#333333"},
                        "encoding": {"text": {"field": "won_label"}},
                    },
                ],
            },
            {
                "transform": [{"filter": "datum.rate != null"}],
                "layer": [
                    {
                        "mark": {
                            "type": "rule",
                            "color": colours.whisker_accent,
                            "strokeWidth": 1.2,
                        },
                        "transform": [{"filter": "datum.lo != null && datum.hi != null"}],
                        "encoding": {
                            "y": {
                                "field": "lo",
                                "type": "quantitative",
                                "scale": rate_scale,
                                "axis": rate_axis,
                            },
                            "y2": {"field": "hi"},
                        },
                    },
                    {
                        "mark": {
                            "type": "line",
                            "color": colours.accent,
                            "strokeWidth": 1.6,
                            "point": {"color": colours.accent, "size": 22},
                        },
                        "encoding": {
                            "y": {
                                "field": "rate",
                                "type": "quantitative",
                                "scale": rate_scale,
                                "axis": rate_axis,
                            }
                        },
                    },
                    {
                        # the running quarter's rate is an open point
                        "mark": {
                            "type": "point",
                            "filled": True,
                            "fill": "white",
                            "stroke": colours.accent,
                            "size": 30,
                            "opacity": 1,
                        },
                        "transform": [{"filter": "datum.running"}],
                        "encoding": {
                            "y": {"field": "rate", "type": "quantitative", "scale": rate_scale}
                        },
                    },
                    {
                        "mark": {
                            "type": "text",
                            "dx": 5,
                            "dy": -5,
                            "align": "left",
                            "fontWeight": "bold",
                            "color": colours.accent,
                        },
                        "encoding": {
                            "y": {"field": "rate", "type": "quantitative", "scale": rate_scale},
                            "text": {"field": "rate_label"},
                        },
                    },
                ],
            },
        ],
        "resolve": {"scale": {"y": "independent"}},
    }
    return chart(spec, theme)


def comparison_svg(
    segments: pd.DataFrame, highlight: str, theme: Theme = DEFAULT, limit: int = 16
) -> Comparison:
    """Win rate per segment as horizontal bars with interval whiskers; ``highlight`` marked.

    ``segments`` has SEGMENT_COLUMNS for one dimension; see :func:`comparison_chart`.
    """
    drawing, shown, hidden = comparison_chart(segments, highlight, theme, limit)
    return Comparison(svg=draw(drawing), shown=shown, hidden=hidden)


def comparison_chart(
    segments: pd.DataFrame, highlight: str, theme: Theme = DEFAULT, limit: int = 16
) -> tuple[Chart, int, int]:
    """The comparison chart not drawn yet, how many segments it shows and how many not.

    ``segments`` has SEGMENT_COLUMNS for one dimension. At most ``limit`` rows are drawn
    (the highlighted segment always among them, the rest by number of closed outcomes);
    directional segments are pale and their value carries ``*``.
    """
    colours = theme.palette
    frame = segments.assign(closed_n=segments["won"].fillna(0) + segments["lost"].fillna(0))
    frame = frame.assign(is_me=frame["segment"].astype(str) == str(highlight))
    frame = frame.sort_values(["is_me", "closed_n"], ascending=False, kind="stable")
    shown = frame.head(limit).sort_values("segment", key=lambda s: s.astype(str), kind="stable")
    rows = []
    for r in shown.itertuples(index=False):
        directional = True if fmt.missing(r.directional) else bool(r.directional)
        kind = "me" if r.is_me else ("directional" if directional else "other")
        rows.append(
            {
                "segment": short(r.segment),
                "rate": _number(r.win_rate),
                "lo": _number(r.ci_low),
                "hi": _number(r.ci_high),
                "kind": kind,
                "label": fmt.percent(r.win_rate) + (" *" if directional else ""),
            }
        )
    y = {
        "field": "segment",
        "type": "nominal",
        "sort": None,
        "axis": {"title": None, "labelLimit": 118},
    }
    x_scale = {"domain": [0, 1]}
    spec = {
        "width": WIDTH - 190,
        "height": {"step": 18},
        "data": {"values": rows},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "height": 12},
                "encoding": {
                    "x": {
                        "field": "rate",
                        "type": "quantitative",
                        "scale": x_scale,
                        "axis": {"title": None, "format": ".0%", "tickCount": 4, "grid": True},
                    },
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "legend": None,
                        "scale": {
                            "domain": ["me", "other", "directional"],
                            "range": [colours.primary, colours.bar_pale, colours.bar_faint],
                        },
                    },
                },
            },
            {
                "mark": {"type": "errorbar", "ticks": {"size": 6}, "color": "#333333"},
                "transform": [{"filter": "datum.lo != null && datum.hi != null"}],
                "encoding": {
                    "x": {"field": "lo", "type": "quantitative", "scale": x_scale, "title": None},
                    "x2": {"field": "hi"},
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4},
                "encoding": {
                    "x": {"datum": 1, "type": "quantitative", "scale": x_scale},
                    "text": {"field": "label"},
                    "color": {
                        "condition": {"test": "datum.kind == 'me'", "value": colours.primary},
                        "value": "#333333",
                    },
                    "fontWeight": {
                        "condition": {"test": "datum.kind == 'me'", "value": "bold"},
                        "value": "normal",
                    },
                },
            },
        ],
    }
    return chart(spec, theme), len(rows), len(frame) - len(rows)


def rep_bars_svg(reps: pd.DataFrame, theme: Theme = DEFAULT, limit: int = 10) -> str:
    """Won opportunities per rep as horizontal bars, most first (``rep``, ``won_opportunities``)."""
    colours = theme.palette
    top = reps.sort_values("won_opportunities", ascending=False, kind="stable").head(limit)
    rows: list[dict[str, Any]] = [
        {"rep": short(r.rep), "won": _number(r.won_opportunities)}
        for r in top.itertuples(index=False)
    ]
    most = max((r["won"] or 0.0 for r in rows), default=0.0)
    spec = {
        "width": WIDTH - 150,
        "height": {"step": 16},
        "data": {"values": rows},
        "mark": {"type": "bar", "color": colours.bar, "height": 11},
        "encoding": {
            "y": {"field": "rep", "type": "nominal", "sort": None, "axis": {"title": None}},
            "x": {"field": "won", "type": "quantitative", **_count_axis(most, "won opportunities")},
        },
    }
    return _render(spec, theme)


def placeholder(name: str) -> str:
    """Where chart ``name`` goes in a briefing's HTML until a worker draws it.

    An HTML comment: cell text is escaped, so no data can forge one.
    """
    return f"<!--reporter-chart:{name}-->"


def fill(html: str, drawings: Sequence[tuple[str, Chart]]) -> str:
    """``html`` with each chart's placeholder replaced by its SVG.

    Charts are drawn here, in the briefing worker, not in the process that renders the
    HTML; a chart whose placeholder the template does not use is never drawn.
    """
    for name, drawing in drawings:
        token = placeholder(name)
        if token in html:
            html = html.replace(token, draw(drawing))
    return html
