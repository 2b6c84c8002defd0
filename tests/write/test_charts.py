"""Briefing charts drawn by Vega-Lite: ticks read right on tiny and huge data, labels are
escaped, the theme's colours are used. Axis labels are read back from the SVG text."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from reporter.theme import DEFAULT, Theme
from reporter.write.briefing.charts import comparison_svg, rep_bars_svg, trend_svg


def axes(svg: str) -> list[list[str]]:
    """The label texts of each axis, in drawing order."""
    groups = re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg)
    return [re.findall(r"<text[^>]*>([^<]*)</text>", g) for g in groups]


def trend(won: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "quarter": ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4"],
            "won_opportunities": won,
            "win_rate": [0.5, None, 0.25, 0.4],
            "ci_low": [0.2, None, 0.1, 0.3],
            "ci_high": [0.8, None, 0.5, 0.5],
        }
    )


@pytest.mark.parametrize(
    ("won", "ticks"),
    [
        ([0, 0, 0, 0], ["0", "1"]),
        ([1, 0, 0, 1], ["0", "1"]),
        ([2, 1, 0, 2], ["0", "1", "2"]),
        ([5, 2, 0, 5], ["0", "1", "2", "3", "4", "5"]),
        (
            [100_000, 50_000, 0, 100_000],
            ["0", "20,000", "40,000", "60,000", "80,000", "100,000"],
        ),
    ],
)
def test_trend_count_axis_has_whole_ticks(won, ticks):
    quarters, counts, rates = axes(trend_svg(trend(won)))
    assert quarters == ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4"]
    assert counts == ticks
    assert rates == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_trend_labels_and_missing_rate():
    svg = trend_svg(trend([5, 2, 0, 5]))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "2 won" in texts and "0 won" in texts
    assert "50.0%" in texts and "25.0%" in texts
    assert not any(t.endswith("%") and t.startswith("0.") for t in texts)


def segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment": ["East", "<b>West</b> & co", "North"],
            "won": [5, 1, 30],
            "lost": [5, 2, 40],
            "win_rate": [0.5, 1 / 3, 30 / 70],
            "ci_low": [0.2, 0.05, 0.3],
            "ci_high": [0.8, 0.8, 0.55],
            "directional": [True, True, False],
        }
    )


def test_comparison_escapes_labels_and_marks_directional():
    chart = comparison_svg(segments(), "East")
    assert (chart.shown, chart.hidden) == (3, 0)
    assert "<b>" not in chart.svg
    assert "&lt;b&gt;West&lt;/b&gt; &amp; co" in chart.svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart.svg)
    assert {"50.0% *", "33.3% *", "42.9%"} <= set(texts)


def test_comparison_limit_keeps_highlight():
    chart = comparison_svg(segments(), "<b>West</b> & co", limit=1)
    assert (chart.shown, chart.hidden) == (1, 2)
    assert "&lt;b&gt;West" in chart.svg and ">East<" not in chart.svg


def test_theme_colours_reach_the_svg():
    theme = Theme(primary="#7A1FA2", accent="#00897B", font="DejaVu Serif")
    svg = comparison_svg(segments(), "East", theme).svg
    assert 'fill="#7A1FA2"' in svg  # the highlighted bar
    line = trend_svg(trend([3, 2, 1, 3]), theme)
    assert 'stroke="#00897B"' in line
    assert "DejaVu Serif" in line
    default = trend_svg(trend([3, 2, 1, 3]), DEFAULT)
    assert 'stroke="#C4561B"' in default and 'fill="#9DBBE3"' in default


def test_rep_bars_whole_ticks():
    svg = rep_bars_svg(pd.DataFrame({"rep": ["Ann", "Bob"], "won_opportunities": [2, 1]}))
    assert axes(svg) == [["0", "1", "2"], ["Ann", "Bob"]]
