"""Chart geometry for briefings: numbers in, positions and labels out.

Python lays the charts out (scales, bar positions, whiskers); the Jinja macros in
``templates/charts.html.j2`` draw them as inline SVG. Labels reach the SVG only through the
template, so autoescaping covers them like any other text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reporter.write.briefing import format as fmt

LABEL_CHARS = 22


def short(text: object, limit: int = LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (chart labels have no room)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    magnitude = float(10 ** len(str(int(value))) / 10)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def trend_chart(trend: pd.DataFrame, width: int = 330, height: int = 200) -> dict[str, Any]:
    """Won opportunities as bars, win rate (with its interval) as a line, per quarter.

    ``trend`` has the report's TREND_COLUMNS, oldest quarter first.
    """
    left, right, top, bottom = 34, 40, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    rows = list(trend.itertuples(index=False))
    counts = [0.0 if fmt.missing(r.won_opportunities) else float(r.won_opportunities) for r in rows]
    axis_max = _nice_max(max(counts, default=0.0))
    slot = plot_w / max(len(rows), 1)
    bar_w = slot * 0.5

    def y_count(v: float) -> float:
        return top + plot_h * (1 - v / axis_max)

    def y_rate(v: float) -> float:
        return top + plot_h * (1 - v)

    bars, points = [], []
    for i, (row, count) in enumerate(zip(rows, counts, strict=True)):
        cx = left + slot * (i + 0.5)
        bars.append(
            {
                "x": cx - bar_w / 2,
                "y": y_count(count),
                "w": bar_w,
                "h": plot_h * count / axis_max,
                "cx": cx,
                "value": fmt.integer(row.won_opportunities),
                "label": str(row.quarter),
            }
        )
        if not fmt.missing(row.win_rate):
            point = {
                "cx": cx,
                "cy": y_rate(float(row.win_rate)),
                "value": fmt.percent(row.win_rate),
                # the last label would run into the right-hand axis: put it left of the point
                "end": i == len(rows) - 1,
            }
            if not (fmt.missing(row.ci_low) or fmt.missing(row.ci_high)):
                point["lo"] = y_rate(float(row.ci_low))
                point["hi"] = y_rate(float(row.ci_high))
            points.append(point)
    line = " ".join(f"{p['cx']:.1f},{p['cy']:.1f}" for p in points)
    ticks = [
        {"y": y_count(axis_max * f), "count": fmt.integer(axis_max * f), "rate": f"{f:.0%}"}
        for f in (0, 0.5, 1)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + plot_h,
        "bars": bars,
        "points": points,
        "line": line,
        "ticks": ticks,
    }


def comparison_chart(
    segments: pd.DataFrame, highlight: str, limit: int = 16, width: int = 330
) -> dict[str, Any]:
    """Win rate per segment as horizontal bars with interval whiskers; ``highlight`` marked.

    ``segments`` has SEGMENT_COLUMNS for one dimension. At most ``limit`` rows are drawn
    (the highlighted segment always among them, the rest by number of closed outcomes).
    """
    rows = segments.assign(closed_n=segments["won"].fillna(0) + segments["lost"].fillna(0))
    rows = rows.assign(is_me=rows["segment"].astype(str) == str(highlight))
    rows = rows.sort_values(["is_me", "closed_n"], ascending=False, kind="stable")
    shown = rows.head(limit).sort_values("segment", key=lambda s: s.astype(str), kind="stable")
    hidden = len(rows) - len(shown)
    label_w, value_w, row_h, top = 118, 74, 18, 8
    plot_w = width - label_w - value_w
    bars = []
    for i, row in enumerate(shown.itertuples(index=False)):
        y = top + i * row_h
        bar = {
            "y": y,
            "mid": y + row_h / 2,
            "h": row_h - 6,
            "label": short(row.segment),
            "me": bool(row.is_me),
            "directional": bool(row.directional) if not fmt.missing(row.directional) else True,
            "w": 0.0 if fmt.missing(row.win_rate) else plot_w * float(row.win_rate),
            "value": fmt.percent(row.win_rate),
        }
        if not (fmt.missing(row.ci_low) or fmt.missing(row.ci_high)):
            bar["lo"] = label_w + plot_w * float(row.ci_low)
            bar["hi"] = label_w + plot_w * float(row.ci_high)
        bars.append(bar)
    height = top + len(bars) * row_h + 22
    return {
        "width": width,
        "height": height,
        "x0": label_w,
        "x1": label_w + plot_w,
        "axis_y": top + len(bars) * row_h,
        "value_x": label_w + plot_w + 6,
        "top": top,
        "bars": bars,
        "hidden": hidden,
        "grid": [{"x": label_w + plot_w * f, "label": f"{f:.0%}"} for f in (0, 0.25, 0.5, 0.75, 1)],
    }
