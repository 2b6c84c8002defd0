"""Metric tables for every report group at once: grouped passes over the facts' codes.

Each function returns one table per group (``Groups.split``): the company's report is the
one group of all rows, the briefings' reports one group per segment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reporter.metrics.codes import Codes, segment_sort_key
from reporter.metrics.facts import Facts, Groups
from reporter.metrics.figures import ClosedRows
from reporter.metrics.missing import open_amount_reason, text_or_none, won_amount_reason
from reporter.metrics.report import (
    LOSS_REASON_COLUMNS,
    PIPELINE_COLUMNS,
    REP_COLUMNS,
    SEGMENT_COLUMNS,
    WON_CUSTOMER_COLUMNS,
)
from reporter.metrics.stats import wilson_interval
from reporter.metrics.targets import segment_targets
from reporter.quarters import Quarter

ALL = "all"
ALL_SEGMENT = "All"


def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def present(facts: Facts, groups: Groups, dim: str, rows: np.ndarray | None = None) -> np.ndarray:
    """[group, value code] → True when the group has a row with that value of ``dim``
    (among the row indices ``rows``, default all rows)."""
    codes = facts.codes(dim)
    g, v = groups.spread(rows, codes.codes if rows is None else codes.codes[rows])
    take = v >= 0
    nv = len(codes.values)
    seen = groups.bincount(g[take], v[take], nv)
    return (seen > 0).reshape(groups.size, nv)


def rep_manager(
    enriched: pd.DataFrame, facts: Facts, groups: Groups, rows: np.ndarray
) -> dict[tuple[int, str], object]:
    """(group, rep) → the most frequent non-blank manager on the rep's deals (ties: A-Z)."""
    reps = facts.codes("rep")
    manager = enriched["manager"]
    if "manager" not in facts.memo:
        facts.memo["manager"] = manager.notna().to_numpy()
    managed = np.flatnonzero(rows & (reps.codes >= 0) & facts.memo["manager"])
    g, take = groups.spread(managed, managed, whole=True)  # each deal in each of its groups
    if not len(take):
        return {}
    counts = (
        pd.DataFrame(
            {
                "g": g,
                "rep": reps.values[reps.codes[take]],
                "manager": manager.to_numpy(dtype=object)[take],
            }
        )
        .value_counts()
        .reset_index(name="n")
    )
    counts = counts.sort_values(["g", "rep", "n", "manager"], ascending=[True, True, False, True])
    first = counts.drop_duplicates(["g", "rep"])
    return {
        (int(g), str(r)): m
        for g, r, m in zip(first["g"], first["rep"], first["manager"], strict=True)
    }


def rep_quarters(
    enriched: pd.DataFrame, facts: Facts, groups: Groups, quarters: Sequence[Quarter]
) -> pd.DataFrame:
    """Won/lost per rep per quarter by close date, for every rep-quarter with any deal.

    A rep-quarter appears when the rep has a (non-excluded) opportunity closing, expected to
    close, or created in one of ``quarters``; with no closed outcome its win rate is blank,
    not 0 %. One table for all groups (column ``_g``), sorted by group, quarter and rep.
    """
    reps = facts.codes("rep")
    wanted = tuple(facts.quarter_code(q.label) for q in quarters)
    rows = facts.once(("rep_quarters", wanted), lambda: _RepRows(facts, list(wanted)))
    nq, nr = len(facts.quarters), len(reps.values)
    size = groups.size * nr * nq

    per = nr * nq

    def counts(at: np.ndarray, q: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per (group, rep, quarter): the rows ``at`` (positions among the rows with a rep),
        each in its quarter ``q``, counted (or their ``weights`` summed)."""
        g, base, q, *w = groups.spread(
            rows.ok[at], rows.base[at], q, *([] if weights is None else [weights])
        )
        return groups.bincount(g, base + q, per, weights=w[0] if w else None)

    seen = np.zeros(size, dtype=bool)
    for at, q in rows.hits:
        seen |= counts(at, q) > 0
    won = counts(rows.won_at, rows.won_q)
    missing = counts(rows.won_at, rows.won_q, rows.won_na)
    known = counts(rows.won_at, rows.won_q, rows.won_amount)
    lost = counts(rows.lost_at, rows.lost_q)
    index = np.flatnonzero(seen)
    g, rest = np.divmod(index, nr * nq)
    r, q = np.divmod(rest, nq)
    n_won = won[index].astype(np.int64)
    n_missing = missing[index].astype(np.int64)
    # No won deal: 0. Won deals none of which has an amount: NaN (unknown, never 0).
    known_sum = np.where((n_won > 0) & (n_missing == n_won), np.nan, known[index])
    table = pd.DataFrame(
        {
            "_g": g,
            "rep": reps.values[r],
            "quarter": np.asarray(facts.quarters, dtype=object)[q],
            "won_opportunities": n_won,
            # Any won deal without an amount: the won amount is unknown (never partial).
            "won_amount": np.where(n_missing == 0, known_sum, np.nan),
            "won_without_amount": n_missing,
            "won_amount_known": known_sum,
            "lost_opportunities": lost[index].astype(np.int64),
        }
    )
    managers = rep_manager(enriched, facts, groups, ~facts.excluded)
    table["manager"] = pd.Series(
        [managers.get((int(a), str(b))) for a, b in zip(table["_g"], table["rep"], strict=True)],
        index=table.index,
        dtype=object,
    )
    table["win_rate"] = np.where(
        table["won_opportunities"] + table["lost_opportunities"] > 0,
        table["won_opportunities"]
        / (table["won_opportunities"] + table["lost_opportunities"]).clip(lower=1),
        np.nan,
    )
    table["_q"] = q
    table = table.sort_values(["_g", "_q", "rep"], kind="mergesort").drop(columns="_q")
    table = table.reset_index(drop=True)
    # targets, attainment and intervals are added by targets.add_rep_figures
    return table[["_g", *[c for c in REP_COLUMNS if c in table.columns]]]


class _RepRows:
    """What :func:`rep_quarters` needs that does not depend on the grouping: the rows with
    a rep (not excluded), and where their quarters fall."""

    def __init__(self, facts: Facts, wanted: list[int]) -> None:
        reps = facts.codes("rep")
        self.ok = np.flatnonzero(~facts.excluded & (reps.codes >= 0))
        nq = len(facts.quarters)
        self.base = reps.codes[self.ok] * nq  # rep of each row (the group is added per pass)
        self.hits = []
        for codes in (facts.close_q[self.ok], facts.created_q[self.ok]):
            at = np.flatnonzero(facts.in_quarters(codes, wanted))
            self.hits.append((at, codes[at]))
        close_q = facts.close_q[self.ok]
        dated = close_q >= 0
        self.won_at = np.flatnonzero(facts.won[self.ok] & dated)
        self.won_q = close_q[self.won_at]
        amount = facts.amount[self.ok][self.won_at]
        self.won_na = np.isnan(amount)
        self.won_amount = np.where(self.won_na, 0.0, amount)
        self.lost_at = np.flatnonzero(facts.lost[self.ok] & dated)
        self.lost_q = close_q[self.lost_at]


def segment_rates(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    window: np.ndarray,
    candidates: np.ndarray,
    dimensions: Sequence[str],
    min_closed: int,
    currency: str | None = None,
) -> list[pd.DataFrame]:
    """Win rate per segment of each dimension, plus the ``all``/``All`` row first.

    ``window`` marks the closed opportunities of the window; ``candidates`` the rows whose
    segment values should be listed even without a closed outcome (blank rate then).
    """
    listable = np.flatnonzero(candidates | window)
    frames = []
    # The window's closed deals, prepared once for both passes (rows in no group are left
    # out by the group key itself).
    closed = facts.once(
        ("window", window.tobytes()), lambda: ClosedRows(facts, np.flatnonzero(window))
    )
    overall = closed.figures([], groups)
    head = _segment_rows(overall, np.arange(groups.size), ALL, None, min_closed, currency)
    head["_o"] = -1
    head["_r"] = 0
    frames.append(head)
    for order, dim in enumerate(dimensions):
        codes = facts.codes(dim)
        listed = present(facts, groups, dim, listable)
        g, v = np.nonzero(listed)
        figures = closed.figures([("v", codes.codes)], groups)
        part = _segment_rows(figures, g, dim, (v, codes), min_closed, currency)
        part["_o"] = order
        part["_r"] = codes.rank()[v]
        frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["_g", "_o", "_r"], kind="mergesort").drop(columns=["_o", "_r"])
    for col in ("won", "lost", "won_without_amount"):
        table[col] = table[col].astype("int64")
    table["directional"] = table["directional"].astype(bool)
    table["won_amount_reason"] = text_or_none(table["won_amount_reason"])
    return groups.split(table[["_g", *SEGMENT_COLUMNS]].reset_index(drop=True))


def _segment_rows(
    figures: pd.DataFrame,
    g: np.ndarray,
    dim: str,
    values: tuple[np.ndarray, Codes] | None,
    min_closed: int,
    currency: str | None,
) -> pd.DataFrame:
    """One segment row per key (group ``g``, value code): the figures of its closed deals."""
    if values is None:
        index: pd.Index = pd.Index(g, name="g")
        segment: object = ALL_SEGMENT
    else:
        index = pd.MultiIndex.from_arrays([g, values[0]], names=["g", "v"])
        segment = values[1].values[values[0]]
    f = (
        figures.reindex(index)
        if len(figures)
        else pd.DataFrame(index=index, columns=figures.columns)
    )
    counts = ["won", "lost", "won_missing", "lost_missing", "lost_nonzero"]
    n = {c: f[c].fillna(0).to_numpy(dtype=np.int64) for c in counts}
    won_total = f["won_sum"].fillna(0.0).to_numpy(dtype="float64")
    lost_total = f["lost_sum"].fillna(0.0).to_numpy(dtype="float64")
    closed = n["won"] + n["lost"]
    intervals = [wilson_interval(int(w), int(t)) for w, t in zip(n["won"], closed, strict=True)]
    known = np.where((n["won"] > 0) & (n["won_missing"] == n["won"]), np.nan, won_total)
    amounts = won_total + lost_total
    weighted = np.where(
        (n["lost"] > 0) & (n["lost_nonzero"] == 0)
        | (n["won_missing"] > 0)
        | (n["lost_missing"] > 0)
        | (amounts <= 0),
        np.nan,
        won_total / np.where(amounts > 0, amounts, 1.0),
    )
    return pd.DataFrame(
        {
            "_g": np.asarray(g, dtype=np.int64),
            "dimension": dim,
            "segment": segment,
            "won": n["won"],
            "lost": n["lost"],
            "win_rate": np.where(closed > 0, n["won"] / np.where(closed > 0, closed, 1), np.nan),
            "ci_low": [_nan(low) for low, _ in intervals],
            "ci_high": [_nan(high) for _, high in intervals],
            "directional": closed < min_closed,
            "won_amount": np.where(n["won_missing"] > 0, np.nan, won_total),
            "won_without_amount": n["won_missing"],
            "won_amount_known": known,
            "won_amount_reason": [
                won_amount_reason(int(m), int(w), None if np.isnan(k) else float(k), currency)
                for m, w, k in zip(n["won_missing"], n["won"], known, strict=True)
            ],
            "lost_amount": np.where(n["lost_missing"] > 0, np.nan, lost_total),
            "amount_weighted_win_rate": weighted,
            "avg_won_amount": f["acv_mean"].to_numpy(dtype="float64"),
            "median_won_amount": f["acv_median"].to_numpy(dtype="float64"),
            "median_cycle_days": f["cycle_median"].to_numpy(dtype="float64"),
            "mean_cycle_days": f["cycle_mean"].to_numpy(dtype="float64"),
        },
        columns=["_g", *SEGMENT_COLUMNS],
    )


def won_customer_counts(
    facts: Facts, groups: Groups, quarters: Sequence[Quarter], dimensions: Sequence[str]
) -> list[pd.DataFrame]:
    """New customers per quarter, overall (``all``), per rep and per segment dimension.

    Every quarter gets an ``all`` row, 0 when nobody was won; segment rows appear for
    segments that won at least one new customer in the quarter.
    """
    labels = [q.label for q in quarters]
    wanted = np.array([facts.quarter_code(label) for label in labels], dtype=np.int64)
    place = {int(c): i for i, c in enumerate(wanted)}
    new = facts.once(
        ("new customers", tuple(wanted.tolist())),
        lambda: np.flatnonzero(
            facts.new_customer & facts.in_quarters(facts.close_q, wanted.tolist())
        ),
    )
    g_new, new = groups.spread(new, new, whole=True)  # each new customer in each of its groups
    g_all, q_all = np.divmod(np.arange(groups.size * len(labels)), len(labels))
    lookup = np.full(len(facts.quarters) + 1, -1, dtype=np.int64)
    for code, i in place.items():
        if code >= 0:
            lookup[code] = i
    order_q = lookup[facts.close_q[new]]
    counts = np.bincount(g_new * len(labels) + order_q, minlength=groups.size * len(labels))
    frames = [
        pd.DataFrame(
            {
                "_g": g_all,
                "_q": q_all,
                "_o": -1,
                "_r": 0,
                "quarter": np.asarray(labels, dtype=object)[q_all],
                "dimension": ALL,
                "segment": ALL_SEGMENT,
                "won_customers": counts.astype(np.int64),
            }
        )
    ]
    for order, dim in enumerate(("rep", *dimensions)):
        codes = facts.codes(dim)
        v_new = codes.codes[new]
        take = v_new >= 0
        nv = len(codes.values)
        key = (g_new[take] * len(labels) + order_q[take]) * nv + v_new[take]
        found, n = np.unique(key, return_counts=True)
        gq, v = np.divmod(found, nv)
        g, q = np.divmod(gq, len(labels))
        frames.append(
            pd.DataFrame(
                {
                    "_g": g,
                    "_q": q,
                    "_o": order,
                    "_r": codes.rank()[v],
                    "quarter": np.asarray(labels, dtype=object)[q],
                    "dimension": dim,
                    "segment": codes.values[v],
                    "won_customers": n.astype(np.int64),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["_g", "_q", "_o", "_r"], kind="mergesort")
    # ``to_date`` is added by the caller, which knows the running quarter.
    return groups.split(table[["_g", *WON_CUSTOMER_COLUMNS[:-1]]].reset_index(drop=True))


def loss_reason_counts(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    lost: np.ndarray,
    dimensions: Sequence[str],
) -> list[pd.DataFrame]:
    """Lost opportunities by reason, overall and per segment (missing reason → 'Not given')."""
    lost_rows = np.flatnonzero(lost)
    given = enriched["loss_reason"].take(lost_rows)
    # As plain objects first: a categorical column cannot take a value it has no category for.
    reason_codes, reason_names = pd.factorize(given.astype(object).fillna("Not given"))
    reason_names = np.asarray(reason_names, dtype=object)
    nr = max(len(reason_names), 1)
    # Each lost deal once in each of its groups.
    g, take, reason_codes = groups.spread(lost_rows, lost_rows, reason_codes, whole=True)
    frames = []
    for order, dim in enumerate((ALL, *dimensions)):
        if dim == ALL:
            seg, names = np.zeros(len(take), dtype=np.int64), np.array([ALL_SEGMENT], object)
        else:
            codes = facts.codes(dim)
            seg, names = codes.codes[take], codes.values
        keep = seg >= 0
        ns = max(len(names), 1)
        found, n = np.unique(
            (g[keep] * ns + seg[keep]) * nr + reason_codes[keep], return_counts=True
        )
        gs, r = np.divmod(found, nr)
        gg, ss = np.divmod(gs, ns)
        frames.append(
            pd.DataFrame(
                {
                    "_g": gg,
                    "dimension": dim,
                    "segment": pd.Series(names[ss], dtype=object),
                    "loss_reason": pd.Series(reason_names[r], dtype=object),
                    "lost": n.astype(np.int64),
                    "_o": order,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    if table.empty:
        empty = pd.DataFrame(columns=list(LOSS_REASON_COLUMNS))
        return [empty.copy() for _ in range(groups.size)]
    table["_s"] = table["segment"].map(str)
    table["_l"] = table["loss_reason"].map(str)
    table = table.sort_values(
        ["_g", "_o", "_s", "lost", "_l"], ascending=[True, True, True, False, True]
    )
    table["lost"] = table["lost"].astype("int64")
    totals = table.groupby(["_g", "_o", "_s"])["lost"].transform("sum")
    table["share"] = (table["lost"] / totals).astype("float64")
    return groups.split(table[["_g", *LOSS_REASON_COLUMNS]].reset_index(drop=True))


def pipeline_table(
    enriched: pd.DataFrame,
    facts: Facts,
    groups: Groups,
    dimensions: Sequence[str],
    targets: pd.DataFrame,
    quarter: Quarter,
    totals: list[float | None],
    currency: str | None = None,
) -> list[pd.DataFrame]:
    """Open pipeline count and amount, overall, per rep and per segment; coverage vs target.

    An amount is never a partial sum: a row with an open deal without an amount has no
    open amount (and no coverage), with ``open_without_amount``, ``open_amount_known`` and
    ``open_amount_reason`` beside it.

    Coverage = open pipeline amount ÷ the target set for the reporting quarter. The overall
    target is ``totals`` (the company's: the sum of per-rep targets, or of the first
    dimension that has targets; a segment's: its own). A segment's is its own, else its
    reps' (see :func:`segment_targets`, told from the whole data set). The company lists
    every segment with open deals or a target; a segment's report lists its open deals'
    segments and the targets of its own reps and segment values.
    """
    q_targets = targets[targets["quarter"].eq(quarter.label)]
    pipeline = facts.once("open rows", lambda: _OpenRows(facts))
    # Each open deal once in each of its groups (``at``: which deal; None: each once).
    at, g_open = groups.members(pipeline.idx)

    def each(values: np.ndarray) -> np.ndarray:
        return values if at is None else values[at]

    has_amount, amount = each(pipeline.has_amount), each(pipeline.amount)
    frames = []
    none = np.zeros(len(g_open), dtype=np.int64)
    count = groups.bincount(g_open, none, 1)
    known = groups.bincount(g_open, none, 1, weights=has_amount)
    total = groups.bincount(g_open, none, 1, weights=amount)
    head = _pipeline_rows(
        np.arange(groups.size),
        ALL,
        [ALL_SEGMENT] * groups.size,
        count,
        known,
        total,
        totals,
        currency,
    )
    head["_o"], head["_r"] = -1, 0
    frames.append(head)
    company = np.array([groups.is_company(g) for g in range(groups.size)], dtype=bool)
    for order, dim in enumerate(("rep", *dimensions)):
        codes = facts.codes(dim)
        dim_targets = segment_targets(enriched, q_targets, dim)
        own = set(q_targets.loc[q_targets["dimension"].eq(dim), "segment"])
        index = {v: i for i, v in enumerate(codes.values.tolist())}
        extra = sorted((v for v in own if v not in index), key=str)
        values = np.concatenate([codes.values, np.asarray(extra, dtype=object)])
        nv = len(values)
        v_all, take_all = pipeline.values(codes, dim)
        # None: every open deal is kept (no mask to apply)
        take = None if take_all is None else each(take_all)

        def kept(values: np.ndarray, take: np.ndarray | None = take) -> np.ndarray:
            return values if take is None else values[take]

        g, v = kept(g_open), kept(each(v_all))
        # Deals with and without an amount counted in one pass: value * 2 + has amount.
        both = groups.bincount(g, v * 2 + kept(has_amount), 2 * nv)
        count = both[0::2] + both[1::2]
        known = both[1::2]
        total = groups.bincount(g, v, nv, weights=kept(amount))
        listed = (count > 0).reshape(groups.size, nv)
        targeted = [index[v] if v in index else len(codes.values) + extra.index(v) for v in own]
        if targeted:
            # The company lists every target; a segment the targets of the reps and
            # segment values it has deals of.
            listed[np.ix_(company, np.asarray(targeted, dtype=np.int64))] = True
            if not company.all():
                has = present(facts, groups, dim)
                for i in targeted:
                    if i < len(codes.values):
                        listed[~company, i] |= has[~company, i]
        g, v = np.nonzero(listed)
        flat = g * nv + v
        names = values[v]
        part = _pipeline_rows(
            g,
            dim,
            names,
            count[flat],
            known[flat],
            total[flat],
            [dim_targets.get(str(name)) for name in names],
            currency,
        )
        part["_o"] = order
        part["_r"] = _ranks(names)
        frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    table = table.sort_values(["_g", "_o", "_r"], kind="mergesort").drop(columns=["_o", "_r"])
    table["open_opportunities"] = table["open_opportunities"].astype("int64")
    table["open_without_amount"] = table["open_without_amount"].astype("int64")
    table["open_amount_reason"] = text_or_none(table["open_amount_reason"])
    for col in ("open_amount", "open_amount_known", "target", "coverage"):
        table[col] = table[col].astype("float64")
    return groups.split(table.reset_index(drop=True))


class _OpenRows:
    """The open deals and their amounts, and each dimension's codes on them: the same for
    every grouping of a run."""

    def __init__(self, facts: Facts) -> None:
        self.idx = np.flatnonzero(facts.open)
        amount = facts.amount[self.idx]
        self.has_amount = ~np.isnan(amount)
        self.amount = np.where(self.has_amount, amount, 0.0)
        self._values: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

    def values(self, codes: Codes, dim: str) -> tuple[np.ndarray, np.ndarray | None]:
        """``dim``'s code per open deal, and which deals have a value (None: all)."""
        if dim not in self._values:
            v = codes.codes[self.idx]
            has = v >= 0
            self._values[dim] = (v, None if has.all() else has)
        return self._values[dim]


def _ranks(names: np.ndarray) -> np.ndarray:
    distinct = sorted(set(names.tolist()), key=lambda v: (segment_sort_key(v), str(v)))
    place = {v: i for i, v in enumerate(distinct)}
    return np.array([place[v] for v in names.tolist()], dtype=np.int64)


def _pipeline_rows(
    g: np.ndarray,
    dim: str,
    names: Sequence[object] | np.ndarray,
    count: np.ndarray,
    known: np.ndarray,
    total: np.ndarray,
    targets: Sequence[float | None],
    currency: str | None = None,
) -> pd.DataFrame:
    count = np.asarray(count, dtype=np.int64)
    missing = count - np.asarray(known, dtype=np.int64)
    # Never a partial sum: one open deal without an amount makes the amount unknown.
    known_sum = np.where((count > 0) & (missing == count), np.nan, total)
    amount = np.where(missing > 0, np.nan, known_sum)
    target = np.array(
        [np.nan if t is None or pd.isna(t) else float(t) for t in targets], dtype="float64"
    )
    has_target = target > 0
    coverage = np.where(
        has_target & ~np.isnan(amount), amount / np.where(has_target, target, 1.0), np.nan
    )
    return pd.DataFrame(
        {
            "_g": np.asarray(g, dtype=np.int64),
            "dimension": dim,
            "segment": np.asarray(names, dtype=object),
            "open_opportunities": count,
            "open_amount": amount,
            "open_without_amount": missing,
            "open_amount_known": known_sum,
            "open_amount_reason": [
                open_amount_reason(int(m), int(c), None if np.isnan(k) else float(k), currency)
                for m, c, k in zip(missing, count, known_sum, strict=True)
            ],
            "target": target,
            "coverage": coverage,
        },
        columns=["_g", *PIPELINE_COLUMNS],
    )


def overall_target(q_targets: pd.DataFrame) -> float | None:
    """The company target of one quarter's targets: per-rep targets summed, else the first
    dimension's."""
    if q_targets.empty:
        return None
    reps = q_targets[q_targets["dimension"].eq("rep")]
    chosen = (
        reps
        if not reps.empty
        else q_targets[q_targets["dimension"].eq(q_targets["dimension"].iloc[0])]
    )
    return float(chosen["target"].sum())
