"""The script a sales-ops analyst writes by hand for the same job: the yardstick.

    .venv/bin/python benchmarks/baseline.py EXPORT.xlsx OUT_DIR [--json]

pandas ``read_excel`` with openpyxl (its default engine for .xlsx), clean the export
(skip the title block, drop blank/totals/footer rows, strip currency text, parse the mixed
dates, map stage spellings), a handful of ``groupby`` summaries for the latest closed
quarter, ``to_excel`` of the summaries and the cleaned detail, and one small WeasyPrint PDF
per region. It does less than ``reporter build`` (no data-quality report, no targets, no
charts, no checks), which is what makes it a fair floor for "as fast as doing it by hand".
``--json`` prints the time spent in each step.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from html import escape
from pathlib import Path

import pandas as pd
from weasyprint import HTML

WON = {"closedwon", "won"}
LOST = {"closedlost", "lost", "nodecision"}


def run(path: Path, out: Path) -> dict[str, float]:
    """Do the whole job; return seconds per step."""
    times: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        times[name] = now - mark
        mark = now

    # The title block is 4 lines and a blank: the analyst looked once and hard-coded it.
    df = pd.read_excel(path, engine="openpyxl", skiprows=5)
    step("read")

    df = df.dropna(how="all")
    first = df["Opportunity ID"].astype(str)
    df = df[~first.str.startswith(("Grand Totals", "Confidential", "Copyright"))].copy()
    amount = df["Amount"].astype(str).str.replace(r"[^0-9.\-]", "", regex=True)
    df["Amount"] = pd.to_numeric(amount, errors="coerce")
    for col in ("Close Date", "Created Date"):
        df[col] = pd.to_datetime(df[col], errors="coerce", format="mixed")
    key = df["Stage"].astype(str).str.lower().str.replace(r"[^a-z]", "", regex=True)
    df["Outcome"] = "open"
    df.loc[key.isin(WON), "Outcome"] = "won"
    df.loc[key.isin(LOST), "Outcome"] = "lost"
    df.loc[key == "duplicate", "Outcome"] = "excluded"
    step("clean")

    closed = df[df["Outcome"].isin(["won", "lost"])].copy()
    closed["Quarter"] = closed["Close Date"].dt.to_period("Q")
    quarter = closed["Quarter"].max()
    this_q = closed[closed["Quarter"] == quarter]
    won = this_q[this_q["Outcome"] == "won"]
    by_rep = (
        won.groupby(["Region", "Opportunity Owner"])["Amount"]
        .agg(["count", "sum"])
        .rename(columns={"count": "Deals won", "sum": "Won amount"})
        .reset_index()
        .sort_values("Won amount", ascending=False)
    )
    counts = this_q.groupby(["Region", "Outcome"]).size().unstack(fill_value=0)
    by_region = pd.DataFrame(
        {
            "Won": counts.get("won", 0),
            "Lost": counts.get("lost", 0),
            "Won amount": won.groupby("Region")["Amount"].sum(),
        }
    ).fillna(0)
    by_region["Win rate"] = by_region["Won"] / (by_region["Won"] + by_region["Lost"])
    by_industry = this_q.groupby(["Industry", "Outcome"]).size().unstack(fill_value=0)
    pipeline = df[df["Outcome"] == "open"].groupby(["Region", "Stage"])["Amount"].sum()
    step("metrics")

    out.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out / "sales-report.xlsx") as writer:
        by_region.to_excel(writer, sheet_name="By region")
        by_rep.to_excel(writer, sheet_name="Reps", index=False)
        by_industry.to_excel(writer, sheet_name="By industry")
        pipeline.to_frame().to_excel(writer, sheet_name="Pipeline")
        df.to_excel(writer, sheet_name="Opportunities", index=False)
    step("workbook")

    for region, row in by_region.iterrows():
        reps = by_rep[by_rep["Region"] == region].head(10)
        rows = "".join(
            f"<tr><td>{escape(str(r['Opportunity Owner']))}</td><td>{r['Deals won']}</td>"
            f"<td>${r['Won amount']:,.0f}</td></tr>"
            for _, r in reps.iterrows()
        )
        html = (
            f"<h1>{escape(str(region))} — {quarter}</h1>"
            f"<p>Won {row['Won']:.0f}, lost {row['Lost']:.0f}, win rate {row['Win rate']:.0%}, "
            f"won amount ${row['Won amount']:,.0f}</p>"
            "<h2>Top reps</h2><table><tr><th>Rep</th><th>Deals</th><th>Amount</th></tr>"
            f"{rows}</table>"
        )
        name = "".join(c if c.isalnum() else "-" for c in str(region))
        HTML(string=html).write_pdf(out / f"{name}.pdf")
    step("pdfs")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    times = run(args.file, args.out)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if args.json:
        print(json.dumps({"steps": times, "total_wall": total, "max_rss": peak}))
    else:
        for name, seconds in times.items():
            print(f"  {name:<10} {seconds:7.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
