"""Helpers for the workbook tests: small reports, an opportunities frame, a formula checker.

The formula evaluator understands exactly the formulas the writer uses (arithmetic,
comparisons, ``&``, IF, OR, AND, ABS, SUM, SUBTOTAL 109/103/102 over same-sheet cells). It is
independent of the writer: values come from the cells openpyxl reads back.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd
from openpyxl.utils.cell import column_index_from_string, range_boundaries

from reporter.metrics.report import Change, Headline, Period, Report
from reporter.model import Dataset, InputFile, coerce_types, empty_targets
from reporter.quality import QUARANTINED, Issue
from reporter.quarters import Quarter

Q3 = Quarter(2026, 3)


def headline(quarter: str, won: int, amount: float, lost: int, **extra: Any) -> Headline:
    values: dict[str, Any] = {
        "quarter": quarter,
        "won_opportunities": won,
        "won_amount": amount,
        "lost_opportunities": lost,
        "won_customers": extra.pop("won_customers", 1),
        "win_rate": won / (won + lost) if won + lost else None,
        "ci_low": 0.1 if won + lost else None,
        "ci_high": 0.9 if won + lost else None,
        "directional": won + lost < 20,
        "amount_weighted_win_rate": None,
        "acv_mean": amount / won if won else None,
        "acv_median": amount / won if won else None,
        "cycle_days_median": 30.0,
        "cycle_days_mean": 31.5,
        "open_opportunities": 2,
        "open_amount": 5000.0,
        "target": None,
        "coverage": None,
    }
    values.update(extra)
    return Headline(**values)


def hand_report(names: dict[str, str] | None = None, rep_targets: bool = False) -> Report:
    """A tiny Report built by hand: two reps, two quarters, one directional segment.

    ``names`` overrides account / opportunity names (for injection tests); ``rep_targets``
    gives Ann 4,000 and Bob 0 in FY2026 Q3 (the targets of ``hand_dataset(True)``).
    """
    names = names or {}
    account = names.get("account", "Acme Ltd")
    deal = names.get("deal", "Acme renewal")
    q2 = Q3.previous()
    now = headline(Q3.label, 3, 4500.0, 1)
    before = headline(q2.label, 1, 1000.0, 2)
    fields = ("won_opportunities", "won_amount", "won_customers", "win_rate", "acv_mean")
    changes = tuple(Change(f, _num(getattr(now, f)), _num(getattr(before, f))) for f in fields)
    trend = pd.DataFrame(
        {
            "quarter": [q.label for q in Q3.trailing(4)],
            "won_opportunities": [0, 2, 1, 3],
            "won_amount": [0.0, 2000.0, 1000.0, 4500.0],
            "lost_opportunities": [0, 2, 2, 1],
            "win_rate": [float("nan"), 0.5, 1 / 3, 0.75],
            "ci_low": [float("nan"), 0.1, 0.05, 0.3],
            "ci_high": [float("nan"), 0.9, 0.8, 0.95],
            "won_customers": [0, 1, 1, 1],
        }
    )
    nan = float("nan")
    reps = pd.DataFrame(
        {
            "rep": ["Ann", "Bob", "Ann", "Bob"],
            "manager": ["Mia", "Mia", "Mia", None],
            "quarter": [q2.label, q2.label, Q3.label, Q3.label],
            "won_opportunities": [1, 0, 2, 1],
            "won_amount": [1000.0, 0.0, 3000.0, 1500.0],
            "lost_opportunities": [0, 2, 1, 0],
            "win_rate": [1.0, 0.0, 2 / 3, 1.0],
            "ci_low": [0.21, 0.0, 0.21, 0.21],
            "ci_high": [1.0, 0.66, 0.94, 1.0],
            "directional": [True, True, True, True],
            "target": [nan, nan, 4000.0, 0.0] if rep_targets else [nan] * 4,
            "attainment": [nan, nan, 0.75, nan] if rep_targets else [nan] * 4,
        }
    )

    won_customers = pd.DataFrame(
        {
            "quarter": [Q3.label, Q3.label, q2.label],
            "dimension": ["all", "region", "region"],
            "segment": ["all", "West", "East"],
            "won_customers": [1, 1, 1],
        }
    )
    new_customers = pd.DataFrame(
        {
            "account": [account],
            "quarter": [Q3.label],
            "first_won_date": [pd.Timestamp("2026-07-15")],
            "opportunity_id": ["O-1"],
            "opportunity_name": [deal],
            "rep": ["Ann"],
            "amount": [1200.0],
            "region": ["West"],
        }
    )
    segments = pd.DataFrame(
        {
            "dimension": ["region", "region"],
            "segment": ["West", "Unknown"],
            "won": [3, 0],
            "lost": [1, 0],
            "win_rate": [0.75, float("nan")],
            "ci_low": [0.3, float("nan")],
            "ci_high": [0.95, float("nan")],
            "directional": [True, True],
            "won_amount": [4500.0, 0.0],
            "lost_amount": [500.0, 0.0],
            "amount_weighted_win_rate": [0.9, float("nan")],
            "avg_won_amount": [1500.0, float("nan")],
            "median_won_amount": [1200.0, float("nan")],
            "median_cycle_days": [30.0, float("nan")],
            "mean_cycle_days": [31.5, float("nan")],
        }
    )
    losses = pd.DataFrame(
        {
            "dimension": ["all"],
            "segment": ["all"],
            "loss_reason": ["Price"],
            "lost": [1],
            "share": [1.0],
        }
    )
    pipeline = pd.DataFrame(
        {
            "dimension": ["all", "rep"],
            "segment": ["all", "Ann"],
            "open_opportunities": [2, 1],
            "open_amount": [5000.0, 2000.0],
            "target": [float("nan"), 4000.0],
            "coverage": [float("nan"), 0.5],
        }
    )
    won_deals = pd.DataFrame(
        {
            "opportunity_id": ["O-1", "O-2", "O-3"],
            "opportunity_name": [deal, "Beta upsell", None],
            "rep": ["Ann", "Ann", "Bob"],
            "manager": ["Mia", "Mia", None],
            "account": [account, "Beta GmbH", "Gamma"],
            "close_date": pd.to_datetime(["2026-07-15", "2026-08-01", "2026-09-30"]),
            "created_date": pd.to_datetime(["2026-06-15", "2026-07-01", "2026-09-01"]),
            "amount": [1200.0, 1800.0, 1500.0],
            "deal_type": ["new business", "expansion", "expansion"],
            "new_customer": [True, False, False],
            "cycle_days": [30, 31, 29],
            "region": ["West", "West", None],
            "source_file": ["team.xlsx"] * 3,
            "source_sheet": ["Deals"] * 3,
            "source_row": [5, 6, 7],
        }
    )
    return Report(
        period=Period(Q3, "snapshot"),
        previous=q2,
        trailing=Q3.trailing(4),
        quarters=(q2, Q3),
        headline=now,
        headline_previous=before,
        changes=changes,
        trend=trend,
        won_opportunities_by_rep=reps,
        won_customers=won_customers[won_customers["quarter"].eq(Q3.label)],
        won_customers_by_quarter=won_customers,
        new_customers=new_customers,
        win_rate_by_segment=segments,
        loss_reasons=losses,
        pipeline=pipeline,
        won_deals=won_deals,
        dimensions=("region",),
        bridge_by_quarter=pd.DataFrame(
            {
                "quarter": [Q3.label, Q3.label, q2.label],
                "dimension": ["all", "region", "region"],
                "segment": ["All", "West", "East"],
                "won_opportunities": [3, 2, 1],
                "new_customer_first_wins": [1, 1, 1],
                "new_customer_further_wins": [0, 0, 0],
                "existing_customer_wins": [2, 1, 0],
                "no_account_wins": [0, 0, 0],
            }
        ),
        rep_totals={
            "quarter": Q3.label,
            "won_opportunities": 3,
            "won_amount": 4500.0,
            "lost_opportunities": 1,
            "win_rate": 0.75,
            "target": 4000.0 if rep_targets else None,
            "attainment": 4500.0 / 4000.0 if rep_targets else None,
        },
        currency="USD",
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def hand_dataset(rep_targets: bool = False, issues: tuple[Issue, ...] = ()) -> Dataset:
    """A Dataset to go with :func:`hand_report` (opportunities only give the currency)."""
    targets = pd.DataFrame(
        {
            "dimension": ["rep", "rep", "region"],
            "segment": ["Ann", "Bob", "West"],
            "quarter": [Q3.label, Q3.label, Q3.label],
            "target": [4000.0, 0.0, 9000.0],
        }
    )
    return Dataset(
        opportunities=small_opportunities().assign(currency="USD"),
        targets=targets if rep_targets else empty_targets(),
        issues=issues
        or (
            Issue(
                "bad-amount",
                "team.xlsx",
                "Deals",
                9,
                "Amount",
                "12,5x",
                "not a number",
                QUARANTINED,
            ),
        ),
        inputs=(InputFile("team.xlsx", "ab" * 32, 12, ("Deals",)),),
    )


def small_opportunities(names: dict[str, str] | None = None) -> pd.DataFrame:
    """A small canonical opportunities frame over FY2026 Q2-Q3 (see reporter.model)."""
    names = names or {}
    rows = [
        # id, name, owner, manager, account, stage, outcome, amount, created, closed, region
        (
            "O-1",
            names.get("deal", "Acme renewal"),
            "Ann",
            "Mia",
            names.get("account", "Acme"),
            "Closed Won",
            "won",
            1200.0,
            "2026-06-15",
            "2026-07-15",
            "West",
        ),
        (
            "O-2",
            "Beta upsell",
            "Ann",
            "Mia",
            "Beta",
            "Closed Won",
            "won",
            1800.0,
            "2026-03-01",
            "2026-08-01",
            "West",
        ),
        (
            "O-3",
            "Gamma",
            "Bob",
            "Mia",
            "Gamma",
            "Closed Won",
            "won",
            1500.0,
            "2026-08-01",
            "2026-09-30",
            None,
        ),
        (
            "O-4",
            "Delta",
            "Bob",
            "Mia",
            "Delta",
            "Closed Lost",
            "lost",
            700.0,
            "2026-05-01",
            "2026-07-20",
            "East",
        ),
        (
            "O-5",
            "Beta first",
            "Ann",
            "Mia",
            "Beta",
            "Closed Won",
            "won",
            900.0,
            "2026-01-10",
            "2026-05-02",
            "West",
        ),
        (
            "O-6",
            "Eps",
            "Bob",
            "Mia",
            "Eps",
            "Closed Lost",
            "lost",
            300.0,
            "2026-02-01",
            "2026-04-20",
            "East",
        ),
        (
            "O-7",
            "Open one",
            "Ann",
            "Mia",
            "Zeta",
            "Proposal",
            "open",
            5000.0,
            "2026-09-01",
            None,
            "West",
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "opportunity_id",
            "opportunity_name",
            "owner",
            "manager",
            "account",
            "stage",
            "outcome",
            "amount",
            "created_date",
            "close_date",
            "region",
        ],
    )
    for col in (
        "manager_email",
        "currency",
        "type",
        "lead_source",
        "product",
        "industry",
        "company_size",
        "loss_reason",
        "customer_since",
        "employees",
    ):
        frame[col] = None
    frame["loss_reason"] = ["", "", "", "Price", "", "Timing", ""]
    frame["loss_reason"] = frame["loss_reason"].replace("", None)
    frame["source_file"] = "team.xlsx"
    frame["source_sheet"] = "Deals"
    frame["source_row"] = range(2, 2 + len(frame))
    return coerce_types(frame)


# --- formula evaluation -------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"]|"")*")|(?P<range>\$?[A-Z]{1,3}\$?\d+:\$?[A-Z]{1,3}\$?\d+)'
    r"|(?P<ref>\$?[A-Z]{1,3}\$?\d+)|(?P<name>[A-Z]+)\(|(?P<op><>|<=|>=|[-+*/&=<>(),]))"
)


class Blank:
    """An empty cell: 0 in arithmetic, "" in comparisons with text."""


BLANK = Blank()


def evaluate(formula: str, sheet: Any) -> Any:
    """Evaluate one of the writer's formulas against an openpyxl sheet's cached values.

    ``sheet`` maps a cell address to its value (formula cells to their cached value).
    Returns a number or "" (Excel's empty text).
    """
    tokens = _tokenize(formula.lstrip("="))
    value, pos = _expr(tokens, 0, sheet)
    assert pos == len(tokens), f"unparsed tail in {formula}"
    return "" if isinstance(value, Blank) else value


def _tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        assert match and match.end() > pos, f"cannot read {text[pos:]!r}"
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _cell(sheet: Any, ref: str) -> Any:
    value = sheet(ref.replace("$", ""))
    return BLANK if value is None else value


def _arith(value: Any) -> float:
    if isinstance(value, Blank) or value is None:
        return 0.0
    if isinstance(value, str):
        raise ValueError(f"#VALUE! ({value!r} in arithmetic)")
    return float(value)


def _eq(a: Any, b: Any) -> bool:
    if isinstance(a, Blank):
        a = "" if isinstance(b, str) else 0.0
    if isinstance(b, Blank):
        b = "" if isinstance(a, str) else 0.0
    if isinstance(a, str) != isinstance(b, str):
        return False
    return bool(a == b)


def _expr(tokens, pos, sheet):  # comparison level
    left, pos = _concat(tokens, pos, sheet)
    while pos < len(tokens) and tokens[pos][1] in ("=", "<>", "<", ">", "<=", ">="):
        op = tokens[pos][1]
        right, pos = _concat(tokens, pos + 1, sheet)
        if op == "=":
            left = _eq(left, right)
        elif op == "<>":
            left = not _eq(left, right)
        else:
            a, b = _arith(left), _arith(right)
            left = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    return left, pos


def _concat(tokens, pos, sheet):
    left, pos = _sum(tokens, pos, sheet)
    while pos < len(tokens) and tokens[pos][1] == "&":
        right, pos = _sum(tokens, pos + 1, sheet)
        left = _text(left) + _text(right)
    return left, pos


def _text(value: Any) -> str:
    if isinstance(value, Blank):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sum(tokens, pos, sheet):
    left, pos = _term(tokens, pos, sheet)
    while pos < len(tokens) and tokens[pos][1] in ("+", "-"):
        op = tokens[pos][1]
        right, pos = _term(tokens, pos + 1, sheet)
        left = _arith(left) + _arith(right) if op == "+" else _arith(left) - _arith(right)
    return left, pos


def _term(tokens, pos, sheet):
    left, pos = _unary(tokens, pos, sheet)
    while pos < len(tokens) and tokens[pos][1] in ("*", "/"):
        op = tokens[pos][1]
        right, pos = _unary(tokens, pos + 1, sheet)
        if op == "*":
            left = _arith(left) * _arith(right)
        else:
            if _arith(right) == 0:
                raise ZeroDivisionError("#DIV/0!")
            left = _arith(left) / _arith(right)
    return left, pos


def _unary(tokens, pos, sheet):
    if tokens[pos][1] == "-":
        value, pos = _unary(tokens, pos + 1, sheet)
        return -_arith(value), pos
    return _atom(tokens, pos, sheet)


def _atom(tokens, pos, sheet):
    kind, text = tokens[pos]
    if kind == "num":
        return float(text), pos + 1
    if kind == "str":
        return text[1:-1].replace('""', '"'), pos + 1
    if kind == "ref":
        return _cell(sheet, text), pos + 1
    if kind == "range":
        return _range(sheet, text), pos + 1
    if text == "(":
        value, pos = _expr(tokens, pos + 1, sheet)
        assert tokens[pos][1] == ")"
        return value, pos + 1
    if kind == "name":
        return _call(text, tokens, pos + 1, sheet)
    raise AssertionError(f"unexpected token {text!r}")


def _range(sheet: Any, text: str) -> list[Any]:
    min_col, min_row, max_col, max_row = range_boundaries(text.replace("$", ""))
    from openpyxl.utils import get_column_letter

    return [
        _cell(sheet, f"{get_column_letter(c)}{r}")
        for r in range(min_row, max_row + 1)
        for c in range(min_col, max_col + 1)
    ]


def _call(name: str, tokens, pos, sheet):
    if name == "IF":  # lazy: only the chosen branch is evaluated, as in Excel
        cond, pos = _expr(tokens, pos, sheet)
        assert tokens[pos][1] == ","
        start_a = pos + 1
        end_a = _skip(tokens, start_a)
        end_b = _skip(tokens, end_a + 1)
        chosen = (start_a, end_a) if _truth(cond) else (end_a + 1, end_b)
        value, _ = _expr(tokens[: chosen[1]], chosen[0], sheet)
        return value, end_b + 1
    args = []
    while tokens[pos][1] != ")":
        value, pos = _expr(tokens, pos, sheet)
        args.append(value)
        if tokens[pos][1] == ",":
            pos += 1
    pos += 1
    flat = [v for a in args for v in (a if isinstance(a, list) else [a])]
    if name == "OR":
        return any(_truth(v) for v in flat), pos
    if name == "AND":
        return all(_truth(v) for v in flat), pos
    if name == "ABS":
        return abs(_arith(args[0])), pos
    if name == "ISNUMBER":
        value = args[0]
        return isinstance(value, int | float) and not isinstance(value, bool), pos
    if name == "SUMIF":  # SUMIF(criteria range, "text", sum range): text criteria only
        keys, wanted, values = args
        picked = [v for k, v in zip(keys, values, strict=True) if _eq(k, wanted)]
        return sum(_arith(v) for v in picked if not isinstance(v, str)), pos
    if name == "SUM":
        return sum(_arith(v) for v in flat if not isinstance(v, str)), pos
    if name == "SUBTOTAL":
        how, values = int(_arith(args[0])), args[1]
        if how in (9, 109):
            return sum(_arith(v) for v in values if not isinstance(v, str)), pos
        if how in (3, 103):
            return float(sum(1 for v in values if not isinstance(v, Blank))), pos
        if how in (2, 102):  # COUNT: numbers only
            numbers = (v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
            return float(sum(1 for _ in numbers)), pos
    raise AssertionError(f"function {name} not understood by the test evaluator")


def _skip(tokens, pos) -> int:
    """Index of the ',' or ')' that ends the argument starting at ``pos``."""
    depth = 0
    while True:
        text = tokens[pos][1]
        if tokens[pos][0] == "name" or text == "(":
            depth += 1
        elif text == ")":
            if depth == 0:
                return pos
            depth -= 1
        elif text == "," and depth == 0:
            return pos
        pos += 1


def _truth(value: Any) -> bool:
    if isinstance(value, Blank):
        return False
    if isinstance(value, str):
        raise ValueError("#VALUE! (text as condition)")
    return bool(value)


def column_index(letter: str) -> int:
    return column_index_from_string(letter)


def as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") else value
