"""``load_dataset`` before and after a reader change: the same frame, issues and messages?

    .venv/bin/python benchmarks/same_load.py collect CORPUS [-- PYTEST ARGS]
    .venv/bin/python benchmarks/same_load.py dump CORPUS OUT.pkl
    .venv/bin/python benchmarks/same_load.py compare BEFORE.pkl AFTER.pkl

``collect`` runs pytest (default: tests/read tests/hostile tests/trust tests/metrics) with a
plugin that copies the inputs and config of every ``load_dataset`` call into CORPUS (one
folder per call), then adds the samples, ../shared/datasets and the 10k/100k benchmark
exports. ``dump`` reads every case with the code checked out now and pickles what came back
(the frame, every issue, the currency, the inputs; or the error's class, message and hint).
Run ``dump`` on main and on the branch, then ``compare``: it names each case that differs.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

# Configs hold read-only mappings, which pickle does not take as they are.
copyreg.pickle(MappingProxyType, lambda m: (dict, (dict(m),)))
ROOT = Path(__file__).resolve().parent.parent
_PLUGIN = "same_load_plugin"
_DEFAULT_TESTS = ["tests/read", "tests/hostile", "tests/trust", "tests/metrics", "tests/cli"]


def _plugin_source() -> str:
    return """
import copyreg, itertools, os, pickle, shutil
from pathlib import Path
from types import MappingProxyType

copyreg.pickle(MappingProxyType, lambda m: (dict, (dict(m),)))

import reporter.read as _read

_real = _read.load_dataset
_count = itertools.count()
_corpus = Path(os.environ["SAME_LOAD_CORPUS"])


def _copy(path, into):
    path = Path(path)
    target = into / path.name
    if path.is_dir():
        shutil.copytree(path, target, symlinks=True, dirs_exist_ok=True)
    elif path.exists():
        shutil.copy2(path, target)
    return path.name


def load_dataset(paths, config, progress=None):
    try:
        case = _corpus / f"t{os.getpid()}-{next(_count):05d}"
        (case / "in").mkdir(parents=True)
        names = [_copy(p, case / "in") for p in paths]
        with open(case / "case.pkl", "wb") as fh:
            pickle.dump({"names": names, "config": config}, fh)
    except Exception:
        pass
    return _real(paths, config, progress)


_read.load_dataset = load_dataset
"""


def collect(corpus: Path, pytest_args: list[str]) -> None:
    """Fill ``corpus`` with every input the tests give ``load_dataset``, plus fixed files."""
    corpus.mkdir(parents=True, exist_ok=True)
    plugin_dir = corpus / "_plugin"
    plugin_dir.mkdir(exist_ok=True)
    (plugin_dir / f"{_PLUGIN}.py").write_text(_plugin_source())
    env = dict(os.environ, SAME_LOAD_CORPUS=str(corpus))
    env["PYTHONPATH"] = os.pathsep.join([str(plugin_dir), env.get("PYTHONPATH", "")])
    args = pytest_args or _DEFAULT_TESTS
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", _PLUGIN, "-m", "not slow", *args],
        cwd=ROOT,
        env=env,
        check=False,
    )
    from reporter.config import load

    fixed = [ROOT / "samples"]
    shared = ROOT.parent / "shared" / "datasets"
    if shared.is_dir():
        fixed += sorted(
            p for p in shared.rglob("*") if p.suffix.lower() in (".xlsx", ".csv", ".xls")
        )
    fixed += sorted((ROOT / "benchmarks" / ".cache").glob("opportunities-1*k-v1.xlsx"))
    for n, path in enumerate(fixed):
        case = corpus / f"f{n:05d}"
        (case / "in").mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            shutil.copytree(path, case / "in" / path.name, dirs_exist_ok=True)
        else:
            shutil.copy2(path, case / "in" / path.name)
        with open(case / "case.pkl", "wb") as fh:
            pickle.dump({"names": [path.name], "config": load(None)}, fh)


def _outcome(case: Path) -> Any:
    from reporter.errors import ReporterError
    from reporter.read import load_dataset

    with open(case / "case.pkl", "rb") as fh:
        spec = pickle.load(fh)
    paths = [case / "in" / name for name in spec["names"]]
    try:
        data = load_dataset(paths, spec["config"])
    except ReporterError as exc:
        return ("error", type(exc).__name__, exc.message, exc.hint)
    except Exception as exc:  # a bug is an outcome too: it must stay the same
        return ("crash", type(exc).__name__, str(exc))
    frame = data.opportunities
    return (
        "ok",
        list(frame.columns),
        {c: str(frame[c].dtype) for c in frame.columns},
        frame.to_dict("list"),
        [repr(i) for i in data.issues],
        repr(data.targets.to_dict("list")),
        [(Path(i.path).name, i.sha256, i.rows, i.sheets) for i in data.inputs],
        data.extra_dimensions,
        data.currency,
    )


def dump(corpus: Path, out: Path) -> None:
    """Every case of ``corpus`` read with the code checked out now, pickled into ``out``."""
    results = {}
    for case in sorted(p for p in corpus.iterdir() if (p / "case.pkl").exists()):
        results[case.name] = _outcome(case)
    with open(out, "wb") as fh:
        pickle.dump(results, fh)
    print(f"{len(results)} cases dumped to {out}")


def _same(a: Any, b: Any) -> bool:
    import math

    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is b
    try:
        import pandas as pd

        if pd.isna(a) and pd.isna(b):
            return type(a) is type(b)
    except (TypeError, ValueError):
        pass
    return type(a) is type(b) and bool(a == b)


def compare(before: Path, after: Path) -> int:
    """Print the cases that differ; 0 when none does."""
    with open(before, "rb") as fh:
        a = pickle.load(fh)
    with open(after, "rb") as fh:
        b = pickle.load(fh)
    differing = 0
    for name in sorted(a.keys() | b.keys()):
        if name not in a or name not in b:
            print(f"{name}: only in {'after' if name in b else 'before'}")
            differing += 1
        elif not _same(a[name], b[name]):
            differing += 1
            print(f"{name}: DIFFERS")
            _explain(a[name], b[name])
    print(f"{len(a)} cases, {differing} differing")
    return 1 if differing else 0


def _explain(a: Any, b: Any) -> None:
    if a[0] != "ok" or b[0] != "ok":
        print(f"   before {str(a)[:300]}\n   after  {str(b)[:300]}")
        return
    for i, label in enumerate(
        ["status", "columns", "dtypes", "frame", "issues", "targets", "inputs", "extras", "cur"]
    ):
        if label == "frame":
            for col in a[3]:
                if not _same(a[3][col], b[3].get(col)):
                    rows = [
                        k
                        for k, (x, y) in enumerate(zip(a[3][col], b[3].get(col, []), strict=False))
                        if not _same(x, y)
                    ][:3]
                    print(
                        f"   column {col}: rows {rows}",
                        [(a[3][col][k], b[3][col][k]) for k in rows],
                    )
        elif not _same(a[i], b[i]):
            print(f"   {label}: before {str(a[i])[:400]}")
            print(f"   {label}: after  {str(b[i])[:400]}")


def main() -> None:
    what = sys.argv[1]
    if what == "collect":
        rest = sys.argv[3:]
        collect(Path(sys.argv[2]), rest[1:] if rest[:1] == ["--"] else rest)
    elif what == "dump":
        dump(Path(sys.argv[2]), Path(sys.argv[3]))
    elif what == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
