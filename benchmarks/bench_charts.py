"""Time the briefing charts: Vega-Lite via vl-convert (what reporter uses) against
matplotlib's SVG backend drawing the same two charts (only if matplotlib is installed).

    .venv/bin/python benchmarks/bench_charts.py [--briefings 30]

Prints the start-up (import + first briefing's charts) and the time per briefing after.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

import pandas as pd

TREND = pd.DataFrame(
    {
        "quarter": ["FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4"],
        "won_opportunities": [167, 193, 200, 109],
        "win_rate": [0.36, 0.40, 0.38, 0.39],
        "ci_low": [0.32, 0.35, 0.34, 0.33],
        "ci_high": [0.41, 0.44, 0.42, 0.45],
    }
)
SEGMENTS = pd.DataFrame(
    {
        "segment": [f"Region {i}" for i in range(8)],
        "won": [10 + 3 * i for i in range(8)],
        "lost": [20 + i for i in range(8)],
        "win_rate": [(10 + 3 * i) / (30 + 4 * i) for i in range(8)],
        "ci_low": [(10 + 3 * i) / (30 + 4 * i) - 0.1 for i in range(8)],
        "ci_high": [(10 + 3 * i) / (30 + 4 * i) + 0.1 for i in range(8)],
        "directional": [i < 2 for i in range(8)],
    }
)


def vega() -> Callable[[], int]:
    from reporter.write.briefing import charts

    def draw() -> int:
        return len(charts.trend_svg(TREND)) + len(charts.comparison_svg(SEGMENTS, "Region 3").svg)

    return draw


def matplotlib_svg() -> Callable[[], int]:
    import matplotlib

    matplotlib.use("svg")
    matplotlib.rcParams["svg.fonttype"] = "none"  # text as text, like Vega's SVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    def save(fig: Figure) -> int:
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        return len(buf.getvalue())

    def draw() -> int:
        fig = Figure(figsize=(4.4, 2.6), layout="constrained")
        ax = fig.add_subplot()
        ax.bar(TREND["quarter"], TREND["won_opportunities"], color="#9DBBE3", width=0.5)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        rate = ax.twinx()
        err = [TREND["win_rate"] - TREND["ci_low"], TREND["ci_high"] - TREND["win_rate"]]
        rate.errorbar(TREND["quarter"], TREND["win_rate"], yerr=err, color="#C4561B", marker="o")
        rate.set_ylim(0, 1)
        rate.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        size = save(fig)
        fig = Figure(figsize=(4.4, 0.25 * len(SEGMENTS) + 0.6), layout="constrained")
        ax = fig.add_subplot()
        xerr = [
            SEGMENTS["win_rate"] - SEGMENTS["ci_low"],
            SEGMENTS["ci_high"] - SEGMENTS["win_rate"],
        ]
        ax.barh(SEGMENTS["segment"], SEGMENTS["win_rate"], xerr=xerr, color="#C7D3E2")
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        return size + save(fig)

    return draw


def measure(name: str, make: Callable[[], Callable[[], int]], briefings: int) -> None:
    start = time.perf_counter()
    try:
        draw = make()
    except ImportError:
        print(f"{name:<22} not installed, skipped")
        return
    size = draw()
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(briefings):
        draw()
    each = (time.perf_counter() - start) / briefings
    print(
        f"{name:<22} start-up {first:5.2f} s, then {each * 1000:6.1f} ms per briefing"
        f" (2 charts, {size / 1024:.0f} kB of SVG)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefings", type=int, default=30)
    args = parser.parse_args()
    measure("vl-convert (Vega-Lite)", vega, args.briefings)
    measure("matplotlib SVG", matplotlib_svg, args.briefings)


if __name__ == "__main__":
    main()
