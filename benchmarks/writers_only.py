"""CPU seconds of the parent's writers (history, workbook, metrics.json), two trees in one run.

    .venv/bin/python benchmarks/writers_only.py INPUT... [--against REF_OR_SRC] [--keep DIR]

Each tree runs in a fresh process (``PYTHONPATH=<tree>/src``, the same venv), which reads
the inputs and computes the metrics once (not timed), then times with ``time.process_time``
(user + system of the process) exactly the calls ``reporter build`` makes after the metrics:

- ``history compare``: the figures compared with an empty store (a first build), and
  ``history record``: that run recorded (every deal version inserted);
- ``history again``: compare + record of the same build into that store (the steady state:
  every deal version is already there);
- ``workbook``: ``write_workbook``; ``json``: ``write_metrics`` (segments included).

``--against`` is a git ref of this repository (extracted to a temporary folder) or a
``src`` folder. ``--keep DIR`` leaves each tree's outputs in ``DIR/<label>/`` so that
``benchmarks/same_workbook.py`` and ``benchmarks/same_metrics.py`` can compare them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OWN_SRC = HERE.parent / "src"
STEPS = ("history compare", "history record", "history again", "workbook", "json")


def child(inputs: list[Path], out: Path) -> dict[str, object]:
    """Measure in this process; returns CPU seconds per step."""
    from reporter import pipeline
    from reporter.config import Config
    from reporter.write.json import write_metrics
    from reporter.write.xlsx import write_workbook

    config = Config()
    dataset = pipeline.check(inputs, config)
    reports = pipeline._compute(dataset, config, None)
    out.mkdir(parents=True, exist_ok=True)
    store = out / "history.sqlite3"
    store.unlink(missing_ok=True)
    cpu: dict[str, float] = {}

    def timed(step: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        c0 = time.process_time()
        result = fn(*args, **kwargs)
        cpu[step] = cpu.get(step, 0.0) + time.process_time() - c0
        return result

    pending = timed("history compare", pipeline._compare, reports, dataset, config, store)
    timed("history record", pending.record, out_dir=out)
    again = timed("history again", pipeline._compare, reports, dataset, config, store)
    timed("history again", again.record, out_dir=out)
    report, segments = pipeline._with_restatements(reports, pending.restatements)
    timed("workbook", write_workbook, out / "sales-report.xlsx", report, dataset, config)
    timed("json", write_metrics, out / "metrics.json", report, dataset, config, segments)
    import reporter

    return {
        "cpu": cpu,
        "opportunities": len(dataset.opportunities),
        "module": reporter.__file__,
    }


def tree_src(against: str, tmp: Path) -> Path:
    """``against`` as a src folder: a folder as it is, a git ref extracted into ``tmp``."""
    if Path(against).is_dir():
        return Path(against)
    target = tmp / "against"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", against, "src"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def run_tree(src: Path, inputs: list[str], out: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--child", "--out", str(out), *inputs]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{src}: exit {done.returncode}\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--against", help="a git ref (e.g. main) or another tree's src/ folder")
    parser.add_argument("--keep", type=Path, help="leave each tree's outputs in DIR/<label>/")
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child([Path(i) for i in args.inputs], args.out)))
        return
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        keep = args.keep or Path(tmp) / "outputs"
        trees = [("this", OWN_SRC)]
        if args.against:
            trees.insert(0, ("against", tree_src(args.against, Path(tmp))))
        results = {label: run_tree(src, args.inputs, keep / label) for label, src in trees}
    labels = list(results)
    print(f"{results[labels[0]]['opportunities']:,} opportunities; CPU seconds per step")
    print("| step | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    totals = dict.fromkeys(labels, 0.0)
    for step in STEPS:
        cells = []
        for label in labels:
            value = results[label]["cpu"].get(step, 0.0)  # type: ignore[union-attr]
            totals[label] += value if step != "history again" else 0.0
            cells.append(f"{value:.2f}")
        print(f"| {step} | " + " | ".join(cells) + " |")
    cells = [f"**{totals[k]:.2f}**" for k in labels]
    print("| **build (all but again)** | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
