"""Reference points on the same file: the raw-unzip floor and fastexcel (calamine → Arrow).

    .venv/bin/python benchmarks/yardsticks.py floor|fastexcel FILE.xlsx

``floor`` inflates every worksheet's XML and throws it away: no reader can be faster.
``fastexcel`` loads the first sheet into an Arrow table with the header row found by the
reader itself (the row after the title block), which is the least work a typed read needs.
Prints one JSON object: seconds, and what was read.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path


def floor(path: Path) -> dict[str, float]:
    """Seconds to inflate every sheet part, and the bytes it came to."""
    start = time.perf_counter()
    size = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                with archive.open(info) as part:
                    while chunk := part.read(1 << 20):
                        size += len(chunk)
    return {"seconds": time.perf_counter() - start, "xml_bytes": size}


def fastexcel_arrow(path: Path) -> dict[str, float]:
    """Seconds for fastexcel to give the first sheet as Arrow (header row located first)."""
    import fastexcel

    start = time.perf_counter()
    reader = fastexcel.read_excel(path)
    peek = reader.load_sheet(0, header_row=None, n_rows=30).to_arrow().to_pylist()
    header = next(i for i, row in enumerate(peek) if sum(v is not None for v in row.values()) > 3)
    table = reader.load_sheet(0, header_row=header).to_arrow()
    return {"seconds": time.perf_counter() - start, "rows": table.num_rows, "header": header}


def main() -> None:
    what, file = sys.argv[1], Path(sys.argv[2])
    result = {"floor": floor, "fastexcel": fastexcel_arrow}[what](file)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
