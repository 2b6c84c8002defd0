"""Write the sample team workbook ``samples/team-workbook.xlsx`` and its ground truth.

Usage: ``python scripts/make_samples.py OUTDIR`` (``make samples`` writes into ``samples/``).

The workbook is what a sales team of Acme Analytics really keeps: a CRM export with a title
block and Salesforce report headers (sheet ``Opportunities``), then ``Accounts``, ``Reps`` and
``Targets``. It covers six calendar fiscal quarters, FY2025 Q3 .. FY2026 Q4
(2025-07-01 .. 2026-12-31), exported on 2026-11-20: deals closed up to that day, open deals
expected to close by year end. 14 reps under 4 managers in 4 regions, 400 accounts.

Everything comes from ``random.Random(2026)`` and fixed dates, so two runs write
byte-identical files. ``ground_truth.json`` holds the figures computed from the generator's
own clean records (each opportunity once, without the no-owner rows and ``Duplicate``
stages), for checking the reporter against.

Mess in the Opportunities sheet, exact counts (tests/test_samples.py counts them again):

- text_amounts: 90 amounts written as text like ``$12,500.00``
- iso_text_dates: 180 date cells written as ISO text ``2026-03-17``
- us_text_dates: 120 date cells written as US text ``03/17/2026`` (day > 12, so unambiguous)
- serial_dates: 6 date cells written as Excel serial numbers in General-format cells
- stage_variants: 10 stages spelled ``closed won`` (4), ``Closed-Won`` (3), ``closed lost`` (3)
- padded_owners: 60 owner names with leading and/or trailing spaces
- blank_rows: 3 blank rows in the middle of the data
- duplicate_rows: 4 rows repeated exactly (same Opportunity ID), 2 of them won in FY2026 Q3
- no_owner_rows: 2 rows with a blank owner (1 won, 1 lost in FY2026 Q3), to be quarantined
- duplicate_stage: 5 opportunities with stage ``Duplicate`` (excluded outcome)
- blank_lead_source: 24 rows without a lead source (segment ``Unknown``)
- totals_rows: 1 final ``Grand Totals`` row, ``=SUM()`` over Amount with its value saved

Lost deals carry a loss reason, except about 8 % left blank as reps really do.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

SEED = 2026
EXPORT_DAY = date(2026, 11, 20)
DATA_START = date(2025, 7, 1)
DATA_END = date(2026, 12, 31)
QUARTERS = ("FY2025 Q3", "FY2025 Q4", "FY2026 Q1", "FY2026 Q2", "FY2026 Q3", "FY2026 Q4")
WORKBOOK = "team-workbook.xlsx"
MESS = {
    "text_amounts": 90,
    "iso_text_dates": 180,
    "us_text_dates": 120,
    "serial_dates": 6,
    "stage_variants": 10,
    "padded_owners": 60,
    "blank_rows": 3,
    "duplicate_rows": 4,
    "no_owner_rows": 2,
    "duplicate_stage": 5,
    "blank_lead_source": 24,
    "totals_rows": 1,
}
STAGE_VARIANTS = (("closed won", "won", 4), ("Closed-Won", "won", 3), ("closed lost", "lost", 3))
HEADERS = (
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
COL = {name: i for i, name in enumerate(HEADERS)}
TITLE = ("Acme Analytics — Opportunity Pipeline", "Exported 2026-11-20 by Sales Ops", None)

REGIONS = {  # region → (manager, countries, reps)
    "West": ("Dana Whitfield", ("United States",), 4),
    "East": ("Marcus Bell", ("United States", "Canada"), 4),
    "Central": ("Priya Raman", ("United States",), 3),
    "EMEA": ("Henrik Lund", ("United Kingdom", "Germany", "France", "Netherlands", "Sweden"), 3),
}
REP_NAMES = (
    "Alicia Moreno", "Ben Carter", "Chloe Nguyen", "Diego Alvarez", "Emma Schultz",
    "Farid Haddad", "Grace Okafor", "Hannah Lee", "Isaac Brooks", "Julia Romano",
    "Kevin O'Brien", "Lena Fischer", "Mateo Rossi", "Sophie Laurent",
)  # fmt: skip
INDUSTRIES = {  # industry → (win-rate factor, name words)
    "Technology": (1.05, ("Systems", "Software", "Networks", "Labs", "Digital")),
    "Financial Services": (0.85, ("Capital", "Bank", "Insurance", "Partners", "Finance")),
    "Healthcare": (0.95, ("Health", "Medical", "Clinics", "Pharma", "Care")),
    "Manufacturing": (1.0, ("Industries", "Manufacturing", "Components", "Works", "Tools")),
    "Retail": (1.15, ("Retail", "Stores", "Outfitters", "Market", "Brands")),
    "Education": (0.9, ("Learning", "Academy", "Education", "Schools", "Institute")),
    "Media": (1.1, ("Media", "Studios", "Publishing", "Broadcasting", "Press")),
    "Energy": (0.8, ("Energy", "Power", "Utilities", "Solar", "Resources")),
    "Logistics": (1.0, ("Logistics", "Freight", "Shipping", "Transport", "Supply")),
}
NAME_STEMS = (
    "Apex", "Blue Harbor", "Cedar", "Northwind", "Summit", "Ironwood", "Lakeside", "Brightline",
    "Crescent", "Evergreen", "Falcon", "Granite", "Harborview", "Keystone", "Lumen", "Meridian",
    "Nimbus", "Oakridge", "Pinnacle", "Quarry", "Redwood", "Silverline", "Tidewater", "Union",
    "Vanguard", "Westbrook", "Yellowstone", "Zenith", "Atlas", "Beacon", "Clearwater", "Driftwood",
    "Elm Street", "Foxglove", "Goldleaf", "Highland", "Juniper", "Kestrel", "Larkspur", "Maple",
    "Northgate", "Orchard", "Prairie", "Riverbend", "Stonegate", "Trillium", "Upland", "Willow",
)  # fmt: skip
LEGAL = {
    "United States": ("Inc.", "LLC", "Corp.", "Co."),
    "Canada": ("Inc.", "Ltd."),
    "United Kingdom": ("Ltd", "plc"),
    "Germany": ("GmbH", "AG"),
    "France": ("SA", "SAS"),
    "Netherlands": ("B.V.",),
    "Sweden": ("AB",),
}
LEAD_SOURCES = {"Web": 0.95, "Referral": 1.45, "Partner": 1.2, "Outbound": 0.65, "Event": 1.0}
LEAD_WEIGHTS = (30, 15, 15, 28, 12)
PRODUCTS = {  # product → (amount factor, win-rate factor, weight)
    "Insight Cloud": (1.0, 1.05, 40),
    "Insight Enterprise": (2.2, 0.85, 18),
    "Data Connectors": (0.45, 1.15, 20),
    "Forecasting Add-on": (0.6, 1.0, 14),
    "Professional Services": (0.5, 1.1, 8),
}
LOSS_REASONS = ("Price", "Competitor", "No Budget", "Timing", "No Decision", "Other")
LOSS_WEIGHTS = (26, 24, 18, 14, 12, 6)
OPEN_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
# (employees below, win-rate factor, shortest and longest cycle in days)
SIZE_BANDS = (
    (50, 1.12, 10, 45), (250, 1.05, 20, 80), (1000, 1.0, 30, 110), (5000, 0.9, 45, 150),
    (10**9, 0.82, 60, 180),
)  # fmt: skip
CANDIDATES = 3350


@dataclass
class Rep:
    name: str
    manager: str
    email: str
    region: str
    skill: float


@dataclass
class Account:
    name: str
    industry: str
    employees: int
    country: str
    region: str
    owner: str
    weight: float
    active_from: date
    customer_since: date | None = None


@dataclass
class Opp:
    """One opportunity as the CRM holds it (clean, before any export mess)."""

    id: str
    name: str
    owner: str
    account: str
    stage: str
    amount: float
    created: date
    close: date
    type: str
    lead_source: str | None
    product: str
    loss_reason: str | None = None
    quarantined: bool = False

    @property
    def outcome(self) -> str:
        return {"Closed Won": "won", "Closed Lost": "lost", "Duplicate": "excluded"}.get(
            self.stage, "open"
        )


def quarter_label(day: date) -> str:
    """Calendar fiscal quarter label, e.g. ``FY2026 Q3``."""
    return f"FY{day.year} Q{(day.month - 1) // 3 + 1}"


def weekday_between(rng: random.Random, first: date, last: date) -> date:
    """A random Monday-Friday in ``first``..``last``: deals rarely move at weekends."""
    days = [first + timedelta(n) for n in range((last - first).days + 1)]
    return rng.choice([d for d in days if d.weekday() < 5])


def make_reps(rng: random.Random) -> list[Rep]:
    """14 reps; a rep's region and manager come from the team they sit in."""
    reps, names = [], iter(REP_NAMES)
    for region, (manager, _countries, count) in REGIONS.items():
        email = f"{region.lower()}.manager@example.com"
        for _ in range(count):
            reps.append(Rep(next(names), manager, email, region, rng.uniform(0.8, 1.2)))
    return reps


def make_accounts(rng: random.Random, reps: list[Rep]) -> list[Account]:
    """400 accounts with a region, an owning rep, a size and a day they start buying."""
    accounts: list[Account] = []
    seen: set[str] = set()
    industries = list(INDUSTRIES)
    while len(accounts) < 400:
        industry = rng.choice(industries)
        region = rng.choices(list(REGIONS), weights=(30, 28, 22, 20))[0]
        country = rng.choice(REGIONS[region][1])
        name = f"{rng.choice(NAME_STEMS)} {rng.choice(INDUSTRIES[industry][1])}"
        name = f"{name} {rng.choice(LEGAL[country])}"
        if name in seen:
            continue
        seen.add(name)
        owner = rng.choice([r.name for r in reps if r.region == region])
        employees = round(math.exp(rng.uniform(math.log(5), math.log(20000))))
        # A few big accounts buy again and again; most buy once or twice.
        weight = rng.lognormvariate(0, 0.7)
        start = date(2025, 1, 15) + timedelta(days=max(0, rng.randrange(-150, 620)))
        accounts.append(Account(name, industry, employees, country, region, owner, weight, start))
    accounts[0].employees, accounts[1].employees = 5, 20000
    for acc in rng.sample(accounts, 15):
        acc.customer_since = date(2018, 1, 1) + timedelta(days=rng.randrange(0, 2700))
        acc.active_from, acc.weight = date(2025, 1, 1), acc.weight + 0.5
    return sorted(accounts, key=lambda a: a.name)


def size_band(employees: int) -> tuple[float, int, int]:
    """(win-rate factor, shortest cycle, longest cycle) for a company size."""
    for below, factor, short, long in SIZE_BANDS:
        if employees < below:
            return factor, short, long
    raise AssertionError(employees)


def close_day(rng: random.Random, created: date, won: bool, kind: str, size: int) -> date:
    """Created + 10-180 days on a weekday: longer for bigger companies, shorter for renewals."""
    _factor, short, long = size_band(size)
    while True:
        cycle = rng.triangular(short, long, short + (long - short) / 3)
        cycle *= 1.0 if won else rng.uniform(0.6, 1.2)
        cycle *= 0.6 if kind == "Renewal" else 1.0
        close = created + timedelta(days=round(min(180, max(10, cycle))))
        if close.weekday() < 5:
            return close


def created_days(rng: random.Random) -> list[date]:
    """Creation dates from Feb 2025 to the export day, volume growing about 50 %."""
    first, span = date(2025, 2, 1), (EXPORT_DAY - date(2025, 2, 1)).days
    days: list[date] = []
    while len(days) < CANDIDATES:
        offset = rng.randrange(span)
        day = first + timedelta(days=offset)
        if day.weekday() < 5 and rng.random() < (1 + 0.5 * offset / span) / 1.5:
            days.append(day)
    return sorted(days)


def make_opportunities(rng: random.Random, reps: list[Rep], accounts: list[Account]) -> list[Opp]:
    """Opportunities in creation order; type and outcome depend on what the account already won."""
    skill = {r.name: r.skill for r in reps}
    wins: dict[str, list[date]] = defaultdict(list)
    opps: list[Opp] = []
    for created in created_days(rng):
        active = [a for a in accounts if a.active_from <= created]
        acc = rng.choices(active, weights=[a.weight for a in active])[0]
        is_customer = acc.customer_since is not None or any(d < created for d in wins[acc.name])
        kind = "New Business"
        if is_customer:
            kind = "Renewal" if rng.random() < 0.3 else "Existing Business"
        owner = acc.owner if rng.random() < 0.85 else rng.choice(reps).name
        source = rng.choices(list(LEAD_SOURCES), weights=LEAD_WEIGHTS)[0]
        product = rng.choices(list(PRODUCTS), weights=[p[2] for p in PRODUCTS.values()])[0]
        p = 0.3 * LEAD_SOURCES[source] * size_band(acc.employees)[0] * INDUSTRIES[acc.industry][0]
        p *= PRODUCTS[product][1] * skill[owner]
        p *= {"New Business": 0.9, "Existing Business": 1.35, "Renewal": 1.9}[kind]
        won = rng.random() < min(p, 0.9)
        close = close_day(rng, created, won, kind, acc.employees)
        cycle = (close - created).days
        if close < DATA_START:
            continue
        acv = rng.lognormvariate(math.log(22000), 0.75) * PRODUCTS[product][0]
        acv *= (acc.employees / 500) ** 0.15 * (0.7 if kind == "Renewal" else 1.0)
        amount = float(round(min(150000, max(5000, acv)) / 100) * 100)
        stage, reason = ("Closed Won" if won else "Closed Lost"), None
        if close > EXPORT_DAY:
            stage = OPEN_STAGES[min(3, int(4 * (EXPORT_DAY - created).days / cycle))]
            if close > DATA_END:
                close = weekday_between(rng, date(2026, 12, 1), DATA_END)
        elif won:
            wins[acc.name].append(close)
        elif rng.random() < 0.92:
            reason = rng.choices(LOSS_REASONS, weights=LOSS_WEIGHTS)[0]
        suffix = {"New Business": "", "Existing Business": " Expansion", "Renewal": " Renewal"}
        name = f"{acc.name} - {product}{suffix[kind]}"
        row = (name, owner, acc.name, stage, amount, created, close, kind, source, product, reason)
        opps.append(Opp("", *row))
    return opps


def add_duplicate_stage_and_ids(rng: random.Random, opps: list[Opp]) -> list[Opp]:
    """Add the ``Duplicate``-stage records a CRM accumulates, then give every record its id."""
    for src in rng.sample(opps, MESS["duplicate_stage"]):
        created = weekday_between(rng, src.created, src.created + timedelta(3))
        close = weekday_between(rng, created + timedelta(12), created + timedelta(30))
        opps.append(replace(src, stage="Duplicate", created=created, close=close, loss_reason=None))
    opps.sort(key=lambda o: o.created)
    number = 2_400_000
    for opp in opps:
        number += rng.randint(1, 40)
        opp.id = "0065G00000" + _base36(number, 5)
    for source in rng.sample(range(len(opps)), MESS["blank_lead_source"]):
        opps[source].lead_source = None
    return sorted(opps, key=lambda o: (o.close, o.id))


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(width):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


def make_targets(
    rng: random.Random, reps: list[Rep], opps: list[Opp]
) -> list[tuple[str, str, float]]:
    """Quarterly targets per rep: a stretch over the rep's average bookings, in steps of 5,000."""
    booked: dict[str, float] = defaultdict(float)
    for o in opps:
        if o.outcome == "won":
            booked[o.owner] += o.amount
    rows = []
    for rep in reps:
        base = booked[rep.name] / 5.6
        for i, quarter in enumerate(QUARTERS):
            target = base * (0.9 + 0.05 * i) * rng.uniform(1.0, 1.25)
            rows.append((rep.name, quarter, float(round(target / 5000) * 5000)))
    return rows


Cell = tuple[str, Any]  # (kind, value); kind: s text, money, int, date, serial, "" blank
BLANK: Cell = ("", None)


def clean_cells(opp: Opp) -> list[Cell]:
    """The row as a tidy export would hold it: real dates, numeric amounts."""
    text = (opp.id, opp.name, opp.owner, opp.account, opp.stage)
    cells: list[Cell] = [("s", v) for v in text]
    cells += [("money", opp.amount), ("date", opp.created), ("date", opp.close)]
    cells += [("s", v) if v else BLANK for v in (opp.type, opp.lead_source, opp.product)]
    cells.append(("s", opp.loss_reason) if opp.loss_reason else BLANK)
    return cells


def pick(rng: random.Random, opps: list[Opp], pool: list[int], n: int, test: Any) -> list[int]:
    """``n`` indices from ``pool`` whose opportunity passes ``test``, removed from ``pool``."""
    chosen = rng.sample([i for i in pool if test(opps[i])], n)
    for i in chosen:
        pool.remove(i)
    return chosen


def messy_rows(rng: random.Random, opps: list[Opp]) -> tuple[list[list[Cell]], Counter[str]]:
    """Export rows with the documented mess applied; returns the rows and what was done."""

    def q3(outcome: str) -> Any:
        return lambda o: o.outcome == outcome and quarter_label(o.close) == "FY2026 Q3"

    rows = [clean_cells(o) for o in opps]
    pool = list(range(len(opps)))
    done: Counter[str] = Counter()
    for i in pick(rng, opps, pool, 1, q3("won")) + pick(rng, opps, pool, 1, q3("lost")):
        opps[i].quarantined, rows[i][COL["Opportunity Owner"]] = True, BLANK
        done["no_owner_rows"] += 1
    dup_sources = pick(rng, opps, pool, 2, lambda o: q3("won")(o) and o.lead_source)
    dup_sources += pick(rng, opps, pool, 2, lambda o: o.outcome != "excluded" and o.lead_source)
    for i in pick(rng, opps, pool, MESS["text_amounts"], lambda o: True):
        rows[i][COL["Amount"]] = ("s", f"${opps[i].amount:,.2f}")
        done["text_amounts"] += 1
    for i in pick(rng, opps, pool[:], MESS["padded_owners"], lambda o: True):
        pad = rng.choice(((" ", ""), ("", " "), ("  ", " "), ("", "  ")))
        rows[i][COL["Opportunity Owner"]] = ("s", pad[0] + opps[i].owner + pad[1])
        done["padded_owners"] += 1
    for spelling, outcome, n in STAGE_VARIANTS:
        for i in pick(rng, opps, pool, n, lambda o, out=outcome: o.outcome == out):
            rows[i][COL["Stage"]] = ("s", spelling)
            done["stage_variants"] += 1
    mess_dates(rng, opps, pool, rows, done)
    for i in sorted(dup_sources, reverse=True):
        rows.insert(rng.randint(i + 1, len(rows)), list(rows[i]))
        done["duplicate_rows"] += 1
    for share in (0.3, 0.5, 0.7):
        rows.insert(int(len(rows) * share) + rng.randint(-40, 40), [BLANK] * len(HEADERS))
        done["blank_rows"] += 1
    done["duplicate_stage"] = sum(o.stage == "Duplicate" for o in opps)
    done["blank_lead_source"] = sum(r[COL["Lead Source"]] == BLANK for r in rows if r[0] != BLANK)
    return rows, done


def mess_dates(
    rng: random.Random, opps: list[Opp], pool: list[int], rows: list[list[Cell]], done: Counter[str]
) -> None:
    """Turn some date cells into ISO text, unambiguous US text and General-format serials."""
    cells = [(i, c) for i in pool for c in (COL["Created Date"], COL["Close Date"])]
    rng.shuffle(cells)
    day = {(i, c): rows[i][c][1] for i, c in cells}
    serial, cells = cells[: MESS["serial_dates"]], cells[MESS["serial_dates"] :]
    iso, cells = cells[: MESS["iso_text_dates"]], cells[MESS["iso_text_dates"] :]
    us = [cell for cell in cells if day[cell].day > 12][: MESS["us_text_dates"]]
    for i, c in serial:
        rows[i][c] = ("serial", (day[i, c] - date(1899, 12, 30)).days)
    for i, c in iso:
        rows[i][c] = ("s", day[i, c].isoformat())
    for i, c in us:
        rows[i][c] = ("s", day[i, c].strftime("%m/%d/%Y"))
    done.update(serial_dates=len(serial), iso_text_dates=len(iso), us_text_dates=len(us))


def write_workbook(
    path: Path,
    rows: list[list[Cell]],
    accounts: list[Account],
    reps: list[Rep],
    targets: list[tuple[str, str, float]],
) -> None:
    """Write the four sheets the way a CRM export plus the team's reference sheets look."""
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    wb = xlsxwriter.Workbook(str(path), options)
    # A fixed creation date keeps the file byte-identical from run to run.
    wb.set_properties(
        {"title": "Opportunity Pipeline", "author": "Sales Ops", "created": datetime(2026, 10, 1)}
    )
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "head": wb.add_format({"bold": True, "bg_color": "#DCE6F1", "bottom": 1}),
        "money": wb.add_format({"num_format": "$#,##0.00"}),
        "date": wb.add_format({"num_format": "m/d/yyyy"}),
        "int": wb.add_format({"num_format": "#,##0"}),
        "total": wb.add_format({"bold": True, "top": 1}),
        "total_money": wb.add_format({"bold": True, "top": 1, "num_format": "$#,##0.00"}),
    }
    ws = wb.add_worksheet("Opportunities")
    ws.write_string(0, 0, str(TITLE[0]), fmt["title"])
    ws.write_string(1, 0, str(TITLE[1]))
    write_table(ws, fmt, 3, HEADERS, rows, (18, 52, 18, 34, 14, 14, 13, 13, 18, 12, 22, 14))
    first, last = 4, 3 + len(rows)
    # The cached value is what Excel would show: SUM skips the amounts stored as text.
    total = sum(row[COL["Amount"]][1] for row in rows if row[COL["Amount"]][0] == "money")
    col = xlsxwriter.utility.xl_col_to_name(COL["Amount"])
    ws.write_string(last + 1, 0, "Grand Totals", fmt["total"])
    formula = f"=SUM({col}{first + 1}:{col}{last + 1})"
    ws.write_formula(last + 1, COL["Amount"], formula, fmt["total_money"], total)

    def text(value: Any) -> Cell:
        return ("s", value) if value else BLANK

    def since(account: Account) -> Cell:
        return ("date", account.customer_since) if account.customer_since else BLANK

    write_table(
        wb.add_worksheet("Accounts"),
        fmt,
        0,
        ("Account Name", "Industry", "Employees", "Billing Country", "Customer Since"),
        [
            [text(a.name), text(a.industry), ("int", a.employees), text(a.country), since(a)]
            for a in accounts
        ],
        (34, 20, 12, 18, 15),
    )
    write_table(
        wb.add_worksheet("Reps"),
        fmt,
        0,
        ("Sales Rep", "Manager", "Manager Email", "Region"),
        [[text(r.name), text(r.manager), text(r.email), text(r.region)] for r in reps],
        (18, 18, 30, 10),
    )
    write_table(
        wb.add_worksheet("Targets"),
        fmt,
        0,
        ("Sales Rep", "Quarter", "Target"),
        [[text(rep), text(quarter), ("money", target)] for rep, quarter, target in targets],
        (18, 12, 14),
    )
    wb.close()


def write_table(
    ws: Any,
    fmt: dict[str, Any],
    top: int,
    headers: tuple[str, ...],
    rows: list[list[Cell]],
    widths: tuple[int, ...],
) -> None:
    """Header at row ``top``, the rows under it, frozen header and autofilter."""
    for c, (head, width) in enumerate(zip(headers, widths, strict=True)):
        ws.set_column(c, c, width)
        ws.write_string(top, c, head, fmt["head"])
    for r, row in enumerate(rows, start=top + 1):
        for c, (kind, value) in enumerate(row):
            if kind == "s":
                ws.write_string(r, c, value)
            elif kind == "serial":
                ws.write_number(r, c, value)  # General format, as a pasted serial looks
            elif kind == "date":
                ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), fmt["date"])
            elif kind:
                ws.write_number(r, c, value, fmt[kind])
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + len(rows), len(headers) - 1)


def ground_truth(opps: list[Opp], reps: list[Rep], accounts: list[Account]) -> dict[str, Any]:
    """Figures from the clean records: each deal once, without no-owner and Duplicate rows."""
    counted = [o for o in opps if not o.quarantined and o.outcome != "excluded"]
    won = [o for o in counted if o.outcome == "won"]
    won_by = {r.name: dict.fromkeys(QUARTERS, 0) for r in reps}
    amount_by = {r.name: dict.fromkeys(QUARTERS, 0.0) for r in reps}
    for o in won:
        won_by[o.owner][quarter_label(o.close)] += 1
        amount_by[o.owner][quarter_label(o.close)] += o.amount
    lost = Counter(quarter_label(o.close) for o in counted if o.outcome == "lost")
    won_q = Counter(quarter_label(o.close) for o in won)
    since = {a.name: a.customer_since for a in accounts}
    first: dict[str, Opp] = {}
    for o in sorted(won, key=lambda o: (o.close, o.created, o.id)):
        first.setdefault(o.account, o)
    new = Counter(
        quarter_label(o.close)
        for acc, o in first.items()
        if not ((known := since[acc]) and known < o.close)
    )
    open_ = [o for o in counted if o.outcome == "open"]
    return {
        "won_by_rep_quarter": won_by,
        "won_total_by_quarter": {q: won_q[q] for q in QUARTERS},
        "lost_total_by_quarter": {q: lost[q] for q in QUARTERS},
        "won_amount_by_rep_quarter": amount_by,
        "win_rate_by_quarter": {
            q: round(won_q[q] / (won_q[q] + lost[q]), 6) if won_q[q] + lost[q] else None
            for q in QUARTERS
        },
        "won_customers_by_quarter": {q: new[q] for q in QUARTERS},
        "open_pipeline": {"count": len(open_), "amount": sum(o.amount for o in open_)},
        "default_period": max(quarter_label(o.close) for o in counted if o.outcome != "open"),
    }


def build(outdir: Path) -> tuple[dict[str, Any], Counter[str], int]:
    """Generate everything into ``outdir``; returns (ground truth, mess done, data rows)."""
    rng = random.Random(SEED)
    reps = make_reps(rng)
    accounts = make_accounts(rng, reps)
    opps = add_duplicate_stage_and_ids(rng, make_opportunities(rng, reps, accounts))
    targets = make_targets(rng, reps, opps)
    rows, done = messy_rows(rng, opps)
    done["totals_rows"] = 1
    if dict(done) != MESS:
        raise AssertionError(f"mess applied {dict(done)} differs from the documented {MESS}")
    outdir.mkdir(parents=True, exist_ok=True)
    write_workbook(outdir / WORKBOOK, rows, accounts, reps, targets)
    truth = ground_truth(opps, reps, accounts)
    text = json.dumps(truth, indent=2, ensure_ascii=False) + "\n"
    (outdir / "ground_truth.json").write_text(text, encoding="utf-8")
    return truth, done, len(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/make_samples.py OUTDIR", file=sys.stderr)
        return 2
    outdir = Path(argv[1])
    truth, done, n_rows = build(outdir)
    print(f"wrote {outdir / WORKBOOK} ({n_rows} rows under the header) and ground_truth.json")
    print("mess: " + ", ".join(f"{k}={v}" for k, v in done.items()))
    for q in QUARTERS:
        won, lost = truth["won_total_by_quarter"][q], truth["lost_total_by_quarter"][q]
        rate = truth["win_rate_by_quarter"][q]
        rate_text = f"{rate:.1%}" if rate is not None else "n/a"
        new = truth["won_customers_by_quarter"][q]
        print(f"{q}: won {won}, lost {lost}, win rate {rate_text}, new customers {new}")
    q3 = {rep: by_q["FY2026 Q3"] for rep, by_q in truth["won_by_rep_quarter"].items()}
    print("FY2026 Q3 won by rep: " + ", ".join(f"{r} {n}" for r, n in q3.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
