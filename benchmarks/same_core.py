"""Does a rewrite of the metrics core give the same figures? ``metrics.run`` before and after.

    .venv/bin/python benchmarks/same_core.py --before main [--random 200] [--sizes 100k]

Runs ``metrics.run`` with this checkout's ``src`` and with ``src`` of git ref ``--before``,
each in a fresh process, over the same frames: ``--random`` small seeded frames made to be
awkward (case variants, blanks, ties for the first win, dates out of order, targets, cohort
mode, another fiscal year) and the canonical benchmark frames of ``--sizes``
(benchmarks/metrics_only.py). Compares every report as metrics.json would carry it
(``write.json.report_document``, company and each segment) and the enriched frame, with
``same_metrics.differences``; prints the first differences and exits 1 on any.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from metrics_only import ROOT, canonical, extract  # noqa: E402
from same_metrics import differences  # noqa: E402

# Case variants only where no target names the segment: a target for "Ana" beside deals of
# "ana" sorts by a tie that the old code broke in set order (it changed from run to run).
OWNERS = ["Ana", "Bo", " Cy ", "Di", None]
ACCOUNTS = ["Acme", "ACME", "Beta", "Gamma", "Delta", "Eta", None]
REGIONS = ["West", "East", "North", None, ""]
INDUSTRIES = ["Retail", "retail", "Health", " Health", None]
TYPES = ["New Business", "Existing Business", "renewal", "Upsell", None, "Other"]
OUTCOMES = ["won", "won", "lost", "lost", "open", "excluded"]
REASONS = ["Price", "Timing", None]


def random_case(seed: int) -> dict[str, Any]:
    """One awkward small case: frame, settings, targets, period and ``by``."""
    import pandas as pd

    from reporter.metrics import Settings
    from reporter.model import OPPORTUNITY_COLUMNS, coerce_types

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 120))
    start = date(2025, 1, 1)
    created = [start + timedelta(days=int(d)) for d in rng.integers(0, 640, n)]
    close = [c + timedelta(days=int(d)) for c, d in zip(created, rng.integers(-10, 200, n))]
    pick = lambda xs: [xs[i] for i in rng.integers(0, len(xs), n)]  # noqa: E731
    amounts = np.round(rng.lognormal(6, 1, n), 0)
    amounts[rng.random(n) < 0.15] = np.nan
    amounts[rng.random(n) < 0.1] = 0.0
    numeric_ids = rng.random() < 0.3
    ids = [str(i * 7 % 101) if numeric_ids else f"OPP-{i * 7 % 101}" for i in range(n)]
    frame = pd.DataFrame(
        {
            "opportunity_id": ids,
            "owner": pick(OWNERS),
            "account": pick(ACCOUNTS),
            "outcome": pick(OUTCOMES),
            "amount": amounts,
            # a few deals share their account's close and created day: ties for first win
            "created_date": [c if rng.random() > 0.05 else None for c in created],
            "close_date": [c if rng.random() > 0.05 else None for c in close],
            "region": pick(REGIONS),
            "industry": pick(INDUSTRIES),
            "type": pick(TYPES),
            "loss_reason": pick(REASONS),
            "manager": pick(["Mo", "Lu", None, None]),
            "customer_since": [
                start + timedelta(days=int(d)) if rng.random() < 0.1 else None
                for d in rng.integers(-100, 400, n)
            ],
            "source_file": "random.xlsx",
            "source_row": range(2, n + 2),
        }
    )
    if n > 4 and rng.random() < 0.5:  # exact ties
        frame.loc[1, ["account", "close_date", "created_date", "outcome"]] = frame.loc[
            0, ["account", "close_date", "created_date", "outcome"]
        ].to_list()
    for col in OPPORTUNITY_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = coerce_types(frame[list(OPPORTUNITY_COLUMNS)])
    start_month = int(rng.choice([1, 1, 4, 11]))
    settings = Settings(
        fiscal_year_start_month=start_month,
        win_rate_mode=str(rng.choice(["snapshot", "cohort"])),
        min_closed=int(rng.choice([3, 20])),
    )
    labels = [f"FY{y} Q{q}" for y in (2025, 2026, 2027) for q in (1, 2, 3, 4)]
    rows = [
        ("rep", r, q, float(rng.integers(1, 50) * 100))
        for r in ("Ana", "Bo", "Cy")
        for q in labels
        if rng.random() < 0.5
    ] + [("region", r, q, 5000.0) for r in ("West", "East") for q in labels if rng.random() < 0.3]
    targets = pd.DataFrame(rows, columns=["dimension", "segment", "quarter", "target"])
    targets = targets.astype({"target": "float64"}) if rng.random() < 0.7 else None
    by = rng.choice(["region", "region", "industry", "none"])
    return {
        "frame": frame,
        "settings": settings,
        "targets": targets,
        "period": None,
        "by": None if by == "none" else str(by),
    }


def child(cases_path: Path, out: Path) -> None:
    """In a fresh process: every case's documents and enriched frame."""
    from reporter import metrics
    from reporter.errors import ReporterError
    from reporter.write.json import plain, report_document

    cases = pickle.loads(cases_path.read_bytes())
    docs: list[Any] = []
    enriched = []
    for case in cases:
        try:
            r = metrics.run(
                case["frame"],
                case["settings"],
                period=case["period"],
                targets=case["targets"],
                by=case["by"],
            )
        except ReporterError as exc:
            docs.append({"error": str(exc)})
            enriched.append(None)
            continue
        docs.append(
            {
                "company": report_document(r.company),
                "segments": {k: report_document(v) for k, v in r.segments.items()},
                "settings": plain(r.company.settings),
            }
        )
        enriched.append(r.enriched)
    out.write_text(json.dumps(docs, allow_nan=False))
    out.with_suffix(".pkl").write_bytes(pickle.dumps(enriched))


def _none(frame: Any) -> Any:
    """Object columns with None for every missing value."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].where(out[col].notna(), None)
    return out


def run_side(src: Path, cases: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONHASHSEED": "0"}
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(cases), str(out)]
    subprocess.run(argv, env=env, check=True, cwd=src)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main")
    parser.add_argument("--random", type=int, default=200)
    parser.add_argument("--sizes", nargs="*", default=[])
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import pandas as pd

    cases = [random_case(seed) for seed in range(args.random)]
    from reporter.metrics import Settings

    for size in args.sizes:
        frame = pickle.loads(canonical(size).read_bytes())
        for mode in ("snapshot", "cohort"):
            cases.append(
                {
                    "frame": frame,
                    "settings": Settings(win_rate_mode=mode),
                    "targets": None,
                    "period": None,
                    "by": "region",
                }
            )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        path = base / "cases.pkl"
        path.write_bytes(pickle.dumps(cases))
        before_src = extract(args.before, base)
        run_side(before_src, path, base / "before.json")
        run_side(ROOT / "src", path, base / "after.json")
        before = json.loads((base / "before.json").read_text())
        after = json.loads((base / "after.json").read_text())
        found = []
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            found += [f"case {i}: {d}" for d in differences(a, b)]
        frames_a = pickle.loads((base / "before.pkl").read_bytes())
        frames_b = pickle.loads((base / "after.pkl").read_bytes())
        for i, (a, b) in enumerate(zip(frames_a, frames_b, strict=True)):
            if a is None or b is None:
                continue
            try:
                # None and NaN both mean "no value" in a text column (pandas 3 turned some
                # None into NaN); the figures above are what must agree exactly.
                pd.testing.assert_frame_equal(_none(a), _none(b), check_dtype=False)
            except AssertionError as exc:
                found.append(f"case {i}: enriched frame: {str(exc).splitlines()[0]}")
    for line in found[:60]:
        print(line)
    print(f"{len(cases)} cases, {len(found)} difference(s)")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
