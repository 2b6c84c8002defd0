"""CPU seconds per briefing and for the whole briefing stage, for two source trees in one run.

    .venv/bin/python benchmarks/briefings_only.py INPUT... [--against /work/main/src] [--repeat N]

Reads and computes the metrics once per tree (not timed), then, in a fresh process per
tree (``PYTHONPATH=<tree>``, the same venv):

- **per briefing, serially in that process**: CPU (user + system) to render its HTML
  (``prepare_jobs``: context, Jinja, and the charts where the tree draws them there) and
  its PDF (``render_pdf``: WeasyPrint, and the charts where the tree draws them there),
  after one warm-up briefing so that V8 and the fonts are loaded; its page count; with
  ``--repeat N``, the least of N renders each (the load of a shared machine only adds);
- **the stage as ``reporter build`` runs it**: the worker pool started, every briefing
  handed to it, all collected: wall seconds, the parent's CPU and the workers' CPU (read
  from /proc before the pool stops; the workers are children of multiprocessing's fork
  server, which is never waited for, so rusage cannot see them).

CPU is the steadier figure on a loaded machine; the two trees run back to back.
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


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _proc_cpu(pid: int) -> float:
    """User + system seconds of a live process, from /proc (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def child(inputs: list[Path], keep: Path | None, repeat: int = 1) -> dict[str, object]:
    """Measure in this process; returns the figures as a dict (printed as JSON)."""
    from reporter import pipeline
    from reporter.config import Config
    from reporter.write.briefing import prepare_jobs, rendering, start_renderers
    from reporter.write.briefing.render import render_pdf

    config = Config()
    dataset = pipeline.check(inputs, config)
    company, segments = pipeline.compute_all(dataset, config)
    out = Path(tempfile.mkdtemp(prefix="briefings-only-"))
    first = next(iter(segments))
    # warm-up: V8 (charts), WeasyPrint, fontconfig; not counted
    (job,) = prepare_jobs(out, {first: segments[first]}, company, dataset, config)
    render_pdf(job)
    rows = []
    for segment, report in segments.items():
        html = pdf = float("inf")
        for _ in range(repeat):
            c0 = _cpu()
            (job,) = prepare_jobs(out, {segment: report}, company, dataset, config)
            c1 = _cpu()
            done = render_pdf(job)
            c2 = _cpu()
            html, pdf = min(html, c1 - c0), min(pdf, c2 - c1)
        rows.append(
            {
                "segment": segment,
                "html": round(html, 3),
                "pdf": round(pdf, 3),
                "pages": _pages(Path(done.target)),
            }
        )
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            Path(done.target).replace(keep / Path(done.target).name)
    # the stage as the pipeline runs it: a fresh pool, every briefing, collected
    w0, c0 = time.perf_counter(), _cpu()
    with start_renderers(config, len(segments)) as renderers:
        with rendering(out / "stage", segments, company, dataset, config, renderers) as batch:
            batch.wait()
        pool = renderers.pool
        pids = list(pool._processes) if pool is not None else []
        workers = sum(_proc_cpu(pid) for pid in pids)
    stage = {
        "wall": round(time.perf_counter() - w0, 3),
        "parent_cpu": round(_cpu() - c0, 3),
        "workers_cpu": round(workers, 3),
    }
    return {"briefings": rows, "stage": stage, "opportunities": len(dataset.opportunities)}


def run_tree(src: Path, inputs: list[str], keep: str | None, repeat: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--child", *inputs, "--repeat", str(repeat)]
    if keep:
        command += ["--keep", keep]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(f"{src}: exit {out.returncode}\n{out.stderr[-3000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def report(label: str, result: dict[str, object]) -> float:
    rows = result["briefings"]
    assert isinstance(rows, list)
    print(f"\n### {label} ({result['opportunities']:,} opportunities, {len(rows)} briefings)")
    print("| briefing | HTML + context CPU s | PDF CPU s | total CPU s | pages |")
    print("|---|---:|---:|---:|---:|")
    total = 0.0
    for r in rows:
        both = r["html"] + r["pdf"]
        total += both
        print(f"| {r['segment']} | {r['html']:.3f} | {r['pdf']:.3f} | {both:.3f} | {r['pages']} |")
    print(f"| **mean** | | | **{total / len(rows):.3f}** | |")
    s = result["stage"]
    assert isinstance(s, dict)
    print(
        f"- serial CPU, all briefings: {total:.2f} s\n"
        f"- stage with the pool: wall {s['wall']:.2f} s, parent CPU {s['parent_cpu']:.2f} s, "
        f"workers' CPU {s['workers_cpu']:.2f} s, "
        f"sum {s['parent_cpu'] + s['workers_cpu']:.2f} s"
    )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--against", help="another tree's src/ folder (e.g. /work/main/src)")
    parser.add_argument("--keep", help="copy this tree's PDFs into this folder (for a look)")
    parser.add_argument("--repeat", type=int, default=1, help="renders per briefing (least)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        keep = Path(args.keep) if args.keep else None
        print(json.dumps(child([Path(i) for i in args.inputs], keep, args.repeat)))
        return
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}")
    totals = {}
    if args.against:
        keep = f"{args.keep}-against" if args.keep else None
        totals["against"] = report(
            f"against: {args.against}", run_tree(Path(args.against), args.inputs, keep, args.repeat)
        )
    totals["this"] = report(
        f"this tree: {OWN_SRC}", run_tree(OWN_SRC, args.inputs, args.keep, args.repeat)
    )
    if "against" in totals:
        print(f"\nserial CPU this / against: {totals['this'] / totals['against']:.2f}")


if __name__ == "__main__":
    main()
