"""Are two metrics.json files the same figures? The before/after check of a speed-up.

    .venv/bin/python benchmarks/same_metrics.py BEFORE/metrics.json AFTER/metrics.json

Compares every value except ``reporter_version`` and input paths (the same file may sit in
another folder); floats must agree to 1e-9 relative. Prints each difference by its JSON
path and exits 1 when there is any, 0 when the figures are identical.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

IGNORED = {("reporter_version",), ("inputs", "*", "path")}


def _ignored(path: tuple[str, ...]) -> bool:
    return any(len(p) == len(path) and all(a in ("*", b) for a, b in zip(p, path)) for p in IGNORED)


def differences(a: Any, b: Any, path: tuple[str, ...] = ()) -> list[str]:
    """Every place where ``a`` and ``b`` disagree, as ``path: a != b`` lines."""
    if _ignored(path):
        return []
    where = "/".join(path) or "(top)"
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}: key {k!r} only in one file" for k in sorted(a.keys() ^ b.keys())]
        for key in sorted(a.keys() & b.keys()):
            out += differences(a[key], b[key], (*path, str(key)))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)} items"]
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, (*path, str(i)))
        return out
    if isinstance(a, float) and isinstance(b, float | int) and not isinstance(b, bool):
        same = math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return [] if same else [f"{where}: {a!r} != {b!r}"]
    return [] if a == b and type(a) is type(b) else [f"{where}: {a!r} != {b!r}"]


def main() -> None:
    before, after = (json.loads(Path(p).read_text()) for p in sys.argv[1:3])
    found = differences(before, after)
    for line in found[:50]:
        print(line)
    if found:
        print(f"{len(found)} difference(s)")
        sys.exit(1)
    print("identical figures")


if __name__ == "__main__":
    main()
