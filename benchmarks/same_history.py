"""Do two source trees keep the same history? The before/after check of a history speed-up.

    .venv/bin/python benchmarks/same_history.py INPUT... --against REF_OR_SRC

Each tree runs, in a fresh process (``PYTHONPATH=<tree>/src``), the same four builds of the
inputs' deals through the calls ``reporter build`` makes (``pipeline._compare``, then
``Pending.record``) into an empty store: the export as read; with the reporting quarter
closed, the export with every 50th amount raised by 1, every 97th won deal reopened and
every 89th close date moved a week; that edited export again; the original export again.
The restatements of each build (as metrics.json records) and the whole store afterwards
(every table, every column but the wall-clock times and the output folder; the time in a
"last run 3 (2026-11-29 21:52)" note is masked) are compared.
Prints what differs and exits 1, or "identical history" and 0.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from writers_only import tree_src

HERE = Path(__file__).resolve().parent
OWN_SRC = HERE.parent / "src"
# columns holding wall-clock times or this run's folder: they differ between any two runs
VOLATILE = {
    "runs": {"started", "recorded", "out_dir"},
    "closed_quarters": {"closed_at"},
    "reopen_events": {"reopened_at"},
}


def _edited(dataset: Any) -> Any:
    """The same export with some amounts, outcomes and close dates changed."""
    from dataclasses import replace

    import pandas as pd

    frame = dataset.opportunities.copy()
    n = len(frame)
    position = pd.Series(range(n), index=frame.index)
    raised = position % 50 == 0
    frame.loc[raised, "amount"] = frame.loc[raised, "amount"] + 1
    reopened = (position % 97 == 0) & (frame["outcome"] == "won")
    frame.loc[reopened, "outcome"] = "open"
    moved = position % 89 == 0
    frame.loc[moved, "close_date"] = frame.loc[moved, "close_date"] + pd.Timedelta(days=7)
    return replace(dataset, opportunities=frame)


def dump(store: Path) -> dict[str, list[list[Any]]]:
    """Every table of a store as rows of comparable values (blobs as hex)."""
    db = sqlite3.connect(store)
    out = {}
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in sorted(tables):
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        keep = [c for c in columns if c not in VOLATILE.get(table, set())]
        rows = db.execute(f"SELECT {', '.join(keep)} FROM {table} ORDER BY rowid").fetchall()
        out[table] = [[v.hex() if isinstance(v, bytes) else v for v in row] for row in rows]
    db.close()
    return out


def child(inputs: list[Path], folder: Path) -> dict[str, Any]:
    from reporter import pipeline
    from reporter.config import Config
    from reporter.history.records import to_record
    from reporter.history.store import HistoryStore

    config = Config()
    dataset = pipeline.check(inputs, config)
    edited = _edited(dataset)
    store = folder / "history.sqlite3"
    found = []
    for step, data in enumerate((dataset, edited, edited, dataset)):
        reports = pipeline._compute(data, config, None)
        pending = pipeline._compare(reports, data, config, store)
        pending.record(out_dir=folder)
        found.append([to_record(r) for r in pending.restatements])
        if step == 0:
            quarter = reports.company.period.quarter
            with HistoryStore(store) as history:
                history.close_quarter(
                    quarter.label, quarter.start.isoformat(), quarter.end.isoformat(), closed_by="x"
                )
    return {"restatements": found, "store": dump(store)}


# A comparison with the last run names that run's time: the two trees run minutes apart.
_LAST_RUN_TIME = re.compile(r"(last run \d+) \(\d{4}-\d\d-\d\d \d\d:\d\d\)")


def _timeless(result: dict[str, Any]) -> dict[str, Any]:
    text = _LAST_RUN_TIME.sub(r"\1 (time)", json.dumps(result))
    masked: dict[str, Any] = json.loads(text)
    return masked


def run_tree(src: Path, inputs: list[str], folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--child", "--out", str(folder), *inputs]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{src}: exit {done.returncode}\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads((folder / "history.json").read_text())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--against", help="a git ref or another tree's src/ (required)")
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child([Path(i) for i in args.inputs], args.out)
        (args.out / "history.json").write_text(json.dumps(result, default=str))
        return
    if not args.against:
        parser.error("--against is required")
    with tempfile.TemporaryDirectory() as tmp:
        against = tree_src(args.against, Path(tmp))
        before = _timeless(run_tree(against, args.inputs, Path(tmp) / "b"))
        after = _timeless(run_tree(OWN_SRC, args.inputs, Path(tmp) / "a"))
    problems = []
    for step, (a, b) in enumerate(zip(before["restatements"], after["restatements"])):
        if a != b:
            problems.append(f"build {step + 1}: restatements differ ({len(a)} vs {len(b)})")
            first = next((x, y) for x, y in zip(a, b) if x != y) if len(a) == len(b) else (a, b)
            problems.append(f"  first: {json.dumps(first[0])[:600]}")
            problems.append(f"  now:   {json.dumps(first[1])[:600]}")
    for table in sorted(before["store"].keys() | after["store"].keys()):
        a, b = before["store"].get(table), after["store"].get(table)
        if a != b:
            count = f"{len(a or [])} vs {len(b or [])} rows"
            problems.append(f"table {table} differs ({count})")
    sizes = {t: len(rows) for t, rows in after["store"].items()}
    print(f"restatements per build: {[len(r) for r in after['restatements']]}; rows: {sizes}")
    for line in problems:
        print(line)
    print("identical history" if not problems else f"{len(problems)} difference(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
