"""Time the metrics core alone (``metrics.run``) on a canonical frame, before and after.

    .venv/bin/python benchmarks/metrics_only.py [--sizes 100k 1m] [--before main] [--repeat 3]
        [--text object|category|str] [--warm 5]

The canonical frame (what the readers hand to the core) is made directly from
``generate.columns`` (the same seeded cells as the benchmark exports, no xlsx read) and
cached as a pickle in ``benchmarks/.cache/``. Each measurement runs in a fresh process:
``metrics.run(frame, Settings(), by="region")`` with this checkout's ``src`` ("after") and,
with ``--before REF``, with ``src`` of that git ref extracted to a temporary folder
("before"). Prints CPU seconds (user + system of the process, ``time.process_time``) and
wall seconds per run, the median of ``--repeat`` runs per side. ``--text category`` (or
``str``) hands the text dimension columns over as pandas categoricals (or Arrow-backed
strings), as a reader may; the conversion is not timed. ``--warm N`` runs ``metrics.run``
N times in each process and also prints the median of runs 2..N ("warm": a fresh process
pays ~0.5 s of page faults at 1M rows the first time it touches that much new memory,
which a build has already paid by the time it computes the metrics).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import CACHE, CLOSED, SIZES, columns, data_rows  # noqa: E402

OUTCOME = {"closed won": "won", "closed-won": "won", "won": "won", "duplicate": "excluded"}


def frame_path(size: str) -> Path:
    return CACHE / f"canonical-{size}.pkl"


def canonical(size: str) -> Path:
    """The canonical opportunities frame of ``size``, built once and pickled."""
    path = frame_path(size)
    if path.is_file():
        return path
    import numpy as np
    import pandas as pd

    from reporter.model import OPPORTUNITY_COLUMNS, coerce_types

    n = data_rows(size)
    cols = columns(n)
    stage = [s.strip().lower() for s in cols["stage"]]
    outcome = [OUTCOME.get(s, "lost" if s in CLOSED else "open") for s in stage]
    amount = [_amount(a) for a in cols["amount"]]
    frame = pd.DataFrame(
        {
            "opportunity_id": cols["id"],
            "opportunity_name": cols["name"],
            "owner": cols["owner"],
            "account": cols["account"],
            "stage": cols["stage"],
            "outcome": outcome,
            "amount": np.array(amount, dtype="float64"),
            "close_date": [_day(d) for d in cols["close"]],
            "created_date": [_day(d) for d in cols["created"]],
            "region": cols["region"],
            "industry": cols["industry"],
            "lead_source": cols["source"],
            "type": cols["type"],
            "source_file": f"opportunities-{size}.xlsx",
            "source_sheet": "Opportunities by Region",
            "source_row": range(7, n + 7),
        }
    )
    for col in OPPORTUNITY_COLUMNS:
        if col not in frame.columns:
            frame[col] = None
    frame = coerce_types(frame[list(OPPORTUNITY_COLUMNS)])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)
    return path


def _amount(value: object) -> float | None:
    if value is None or isinstance(value, float):
        return value  # type: ignore[return-value]
    return float(str(value).replace("USD", "").replace("$", "").replace(",", "").strip())


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if "/" in text:
        m, d, y = (int(p) for p in text.split("/"))
        return dt.date(y, m, d)
    return dt.date.fromisoformat(text)


# The text columns a reader may hand over as categoricals or Arrow-backed strings.
TEXT = ("owner", "account", "stage", "outcome", "type", "lead_source", "industry", "region")


def child(path: Path, text: str = "object", warm: int = 1) -> None:
    """Run in a fresh process: time ``metrics.run`` (``warm`` times) and print a JSON line:
    the first run's CPU and wall seconds, and the median CPU of the later runs."""
    import pandas as pd

    from reporter import metrics

    frame: pd.DataFrame = pickle.loads(path.read_bytes())
    if text != "object":
        frame = frame.astype({c: text for c in TEXT})
    runs = []
    for _ in range(max(warm, 1)):
        cpu, wall = time.process_time(), time.perf_counter()
        reports = metrics.run(frame, metrics.Settings(), by="region")
        runs.append((time.process_time() - cpu, time.perf_counter() - wall))
    later = [c for c, _ in runs[1:]]
    print(
        json.dumps(
            {
                "cpu": runs[0][0],
                "wall": runs[0][1],
                "warm": statistics.median(later) if later else None,
                "segments": len(reports.segments),
            }
        )
    )


def measure(src: Path, path: Path, text: str = "object", warm: int = 1) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", str(path), "--text", text]
    argv += ["--warm", str(warm)]
    out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True, cwd=src)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def extract(ref: str, into: Path) -> Path:
    """``src`` of git ``ref`` extracted into ``into`` (the "before" code)."""
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["100k", "1m"], choices=list(SIZES))
    parser.add_argument("--before", help="git ref to time as 'before' (e.g. main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--text", default="object", choices=["object", "category", "str"])
    parser.add_argument("--warm", type=int, default=1, help="runs per process (see above)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.text, args.warm)
        return
    with tempfile.TemporaryDirectory() as tmp:
        sides = [("after", ROOT / "src")]
        if args.before:
            sides.insert(0, (f"before ({args.before})", extract(args.before, Path(tmp))))
        print(f"text columns as {args.text}")
        warm = " warm CPU s (median) |" if args.warm > 1 else ""
        print(f"| rows | code | CPU s (median) | wall s (median) |{warm} runs |")
        print("|---:|---|---:|---:|" + ("---:|" if warm else "") + "---:|")
        for size in args.sizes:
            path = canonical(size)
            for label, src in sides:
                runs = [measure(src, path, args.text, args.warm) for _ in range(args.repeat)]
                cpu = statistics.median(r["cpu"] for r in runs)
                wall = statistics.median(r["wall"] for r in runs)
                hot = f" {statistics.median(r['warm'] for r in runs):.2f} |" if warm else ""
                rows = f"| {data_rows(size):,} | {label} | {cpu:.2f} | {wall:.2f} |"
                print(f"{rows}{hot} {len(runs)} |")


if __name__ == "__main__":
    main()
