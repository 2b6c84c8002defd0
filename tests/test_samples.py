"""The sample team workbook: reproducible, current, shaped as documented, mess counted again.

Everything here reads the generated files with openpyxl and counts on its own; nothing is
taken from the generator except the promises in its docstring.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_samples.py"
SAMPLES = ROOT / "samples"
FILES = ("team-workbook.xlsx", "ground_truth.json")
HEADER_ROW = 4  # Excel row of the Opportunities header, under the 3-row title block
OPP_HEADERS = (
    "Opportunity ID",
    "Opportunity Name",
    "Opportunity Owner",
    "Account Name",
    "Stage",
    "Amount",
    "Created Date",
    "Close Date",
    "Type",
    "Lead Source",
    "Product",
    "Loss Reason",
)
COL = {name: i for i, name in enumerate(OPP_HEADERS)}
DATE_COLS = (COL["Created Date"], COL["Close Date"])
STAGES = {
    "Prospecting": "open",
    "Qualification": "open",
    "Proposal": "open",
    "Negotiation": "open",
    "Closed Won": "won",
    "Closed Lost": "lost",
    "Duplicate": "excluded",
}
VARIANTS = {"closed won": "won", "Closed-Won": "won", "closed lost": "lost"}
QUARTERS = ("FY2025 Q3", "FY2025 Q4", "FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
US = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
MONEY_TEXT = re.compile(r"^\$\d{1,3}(,\d{3})*\.\d{2}$")


def run_script(outdir: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(outdir)], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("samples")
    run_script(outdir)
    return outdir


@pytest.fixture(scope="module")
def book(fresh: Path) -> Any:
    return openpyxl.load_workbook(fresh / "team-workbook.xlsx")


@pytest.fixture(scope="module")
def cells(book: Any) -> list[tuple[Any, ...]]:
    """Opportunities cells (value, number format) from under the header to the last row."""
    ws = book["Opportunities"]
    return [
        tuple((c.value, c.number_format) for c in row)
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=len(OPP_HEADERS))
    ]


@pytest.fixture(scope="module")
def rows(cells: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Data rows' values, blank rows included, the final totals row left out."""
    values = [tuple(v for v, _fmt in row) for row in cells]
    assert values[-1][0] == "Grand Totals"
    return values[:-1]


def promised() -> dict[str, int]:
    """The ``- name: count`` lines of the generator's docstring."""
    doc = ast.get_docstring(ast.parse(SCRIPT.read_text(encoding="utf-8"))) or ""
    return {m[1]: int(m[2]) for m in re.finditer(r"^- (\w+): (\d+) ", doc, re.MULTILINE)}


def as_date(value: Any) -> date:
    """Read a date cell the way every form in the sample is meant to be read."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float):
        return date(1899, 12, 30) + timedelta(days=int(value))
    if ISO.match(value):
        return date.fromisoformat(value)
    month, day, year = US.match(value).groups()  # type: ignore[union-attr]
    return date(int(year), int(month), int(day))


def quarter(day: date) -> str:
    return f"FY{day.year} Q{(day.month - 1) // 3 + 1}"


def test_two_runs_write_identical_bytes(fresh: Path, tmp_path: Path) -> None:
    run_script(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (fresh / name).read_bytes(), name


@pytest.mark.parametrize("name", FILES, ids=FILES)
def test_committed_sample_is_current(fresh: Path, name: str) -> None:
    assert (SAMPLES / name).read_bytes() == (fresh / name).read_bytes(), (
        f"samples/{name} is stale: run `make samples` and commit the result"
    )


@pytest.mark.parametrize(
    ("sheet", "header_row", "headers"),
    [
        ("Opportunities", HEADER_ROW, OPP_HEADERS),
        (
            "Accounts",
            1,
            ("Account Name", "Industry", "Employees", "Billing Country", "Customer Since"),
        ),
        ("Reps", 1, ("Sales Rep", "Manager", "Manager Email", "Region")),
        ("Targets", 1, ("Sales Rep", "Quarter", "Target")),
    ],
    ids=["opportunities", "accounts", "reps", "targets"],
)
def test_sheet_headers(book: Any, sheet: str, header_row: int, headers: tuple[str, ...]) -> None:
    ws = book[sheet]
    found = next(ws.iter_rows(min_row=header_row, max_row=header_row, values_only=True))
    assert found == headers
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header_row}:")


def test_sheet_order_and_title_block(book: Any) -> None:
    assert book.sheetnames == ["Opportunities", "Accounts", "Reps", "Targets"]
    ws = book["Opportunities"]
    title = [ws.cell(row=r, column=1).value for r in (1, 2, 3)]
    assert title == [
        "Acme Analytics — Opportunity Pipeline",
        "Exported 2026-11-20 by Sales Ops",
        None,
    ]


def count_mess(cells: list[tuple[Any, ...]], rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Count every kind of mess straight from the cells."""
    data = [r for r in rows if any(v is not None for v in r)]
    dates = [cells[i][c] for i, r in enumerate(rows) if any(r) for c in DATE_COLS]
    ids = Counter(r[COL["Opportunity ID"]] for r in data)
    owners = [r[COL["Opportunity Owner"]] for r in data]
    return {
        "text_amounts": sum(isinstance(r[COL["Amount"]], str) for r in data),
        "iso_text_dates": sum(isinstance(v, str) and bool(ISO.match(v)) for v, _f in dates),
        "us_text_dates": sum(isinstance(v, str) and bool(US.match(v)) for v, _f in dates),
        "serial_dates": sum(isinstance(v, int | float) and f == "General" for v, f in dates),
        "stage_variants": sum(r[COL["Stage"]] in VARIANTS for r in data),
        "padded_owners": sum(isinstance(o, str) and o != o.strip() for o in owners),
        "blank_rows": len(rows) - len(data),
        "duplicate_rows": sum(n - 1 for n in ids.values()),
        "no_owner_rows": sum(o is None for o in owners),
        "duplicate_stage": sum(r[COL["Stage"]] == "Duplicate" for r in data),
        "blank_lead_source": sum(r[COL["Lead Source"]] is None for r in data),
        "totals_rows": sum(row[0][0] == "Grand Totals" for row in cells),
    }


def test_docstring_lists_every_kind_of_mess(cells: list, rows: list) -> None:
    assert set(promised()) == set(count_mess(cells, rows))


@pytest.mark.parametrize("kind", sorted(promised()), ids=sorted(promised()))
def test_mess_count_matches_docstring(cells: list, rows: list, kind: str) -> None:
    assert count_mess(cells, rows)[kind] == promised()[kind]


def test_mess_is_readable_without_guessing(rows: list[tuple[Any, ...]]) -> None:
    data = [r for r in rows if any(v is not None for v in r)]
    for r in data:
        if isinstance(r[COL["Amount"]], str):
            assert MONEY_TEXT.match(r[COL["Amount"]]), r
        for c in DATE_COLS:
            if isinstance(r[c], str) and US.match(r[c]):
                assert int(r[c][3:5]) > 12, f"{r[c]} could be read day-first"
        assert r[COL["Stage"]] in STAGES or r[COL["Stage"]] in VARIANTS, r


def test_duplicate_rows_are_exact_copies(rows: list[tuple[Any, ...]]) -> None:
    first: dict[Any, tuple[Any, ...]] = {}
    for r in rows:
        if any(v is not None for v in r):
            assert first.setdefault(r[0], r) == r


def test_grand_totals_formula_and_saved_value(fresh: Path, rows: list[tuple[Any, ...]]) -> None:
    n = HEADER_ROW + len(rows)
    ws = openpyxl.load_workbook(fresh / "team-workbook.xlsx")["Opportunities"]
    assert ws.cell(row=n + 1, column=COL["Amount"] + 1).value == f"=SUM(F{HEADER_ROW + 1}:F{n})"
    saved = openpyxl.load_workbook(fresh / "team-workbook.xlsx", data_only=True)
    value = saved["Opportunities"].cell(row=n + 1, column=COL["Amount"] + 1).value
    numbers = [r[COL["Amount"]] for r in rows if isinstance(r[COL["Amount"]], int | float)]
    assert value == pytest.approx(sum(numbers))


def clean_records(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Each opportunity once, owner trimmed, outcome and dates read; no-owner rows left out."""
    seen: set[str] = set()
    out = []
    for r in rows:
        if not any(v is not None for v in r) or r[0] in seen or r[COL["Opportunity Owner"]] is None:
            continue
        seen.add(r[0])
        stage = r[COL["Stage"]]
        out.append(
            {
                "owner": r[COL["Opportunity Owner"]].strip(),
                "outcome": STAGES.get(stage) or VARIANTS[stage],
                "created": as_date(r[COL["Created Date"]]),
                "close": as_date(r[COL["Close Date"]]),
                "amount": float(str(r[COL["Amount"]]).lstrip("$").replace(",", "")),
                "lead_source": r[COL["Lead Source"]],
            }
        )
    return out


def test_ground_truth_matches_the_workbook(fresh: Path, rows: list[tuple[Any, ...]]) -> None:
    truth = json.loads((fresh / "ground_truth.json").read_text(encoding="utf-8"))
    won: Counter[tuple[str, str]] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    for rec in clean_records(rows):
        outcomes[rec["outcome"], quarter(rec["close"])] += 1
        if rec["outcome"] == "won":
            won[rec["owner"], quarter(rec["close"])] += 1
    assert {
        rep: {q: won[rep, q] for q in QUARTERS} for rep in truth["won_by_rep_quarter"]
    } == truth["won_by_rep_quarter"]
    assert sum(won.values()) == sum(truth["won_total_by_quarter"].values())
    for q in QUARTERS:
        assert truth["won_total_by_quarter"][q] == outcomes["won", q]
        assert truth["lost_total_by_quarter"][q] == outcomes["lost", q]


def test_reference_sheets_cover_the_opportunities(book: Any, rows: list) -> None:
    def table(name: str) -> list[tuple[Any, ...]]:
        return list(book[name].iter_rows(min_row=2, values_only=True))

    reps, accounts, targets = table("Reps"), table("Accounts"), table("Targets")
    data = [r for r in rows if any(v is not None for v in r)]
    owners = {r[COL["Opportunity Owner"]].strip() for r in data if r[COL["Opportunity Owner"]]}
    assert owners == {r[0] for r in reps}
    assert {r[COL["Account Name"]] for r in data} <= {a[0] for a in accounts}
    assert 12 <= len(reps) <= 16
    assert len({r[1] for r in reps}) == len({r[3] for r in reps}) == 4
    assert all(r[2].endswith("@example.com") for r in reps)
    assert {(t[0], t[1]) for t in targets} == {(r[0], q) for r in reps for q in QUARTERS}
    assert min(a[2] for a in accounts) == 5 and max(a[2] for a in accounts) == 20000
    since = [a[4].date() for a in accounts if a[4] is not None]
    assert len(since) == 15 and max(since) < date(2025, 7, 1)


def test_data_looks_like_a_real_pipeline(rows: list[tuple[Any, ...]]) -> None:
    recs = clean_records(rows)
    closed = [r for r in recs if r["outcome"] in ("won", "lost")]

    def win_rate(source: str | None = None) -> float:
        picked = [r for r in closed if source is None or r["lead_source"] == source]
        return sum(r["outcome"] == "won" for r in picked) / len(picked)

    assert 2500 <= len(recs) <= 3500
    assert 0.30 <= win_rate() <= 0.40
    assert win_rate("Referral") > win_rate("Outbound") + 0.1
    assert all(5000 <= r["amount"] <= 150000 for r in recs)
    won = [r for r in closed if r["outcome"] == "won"]
    assert all(10 <= (r["close"] - r["created"]).days <= 180 for r in won)
    assert min(r["close"] for r in closed) >= date(2025, 7, 1)
    assert max(r["close"] for r in closed) <= date(2026, 11, 20)
    open_ = [r for r in recs if r["outcome"] == "open"]
    assert all(date(2026, 11, 21) <= r["close"] <= date(2026, 12, 31) for r in open_)
