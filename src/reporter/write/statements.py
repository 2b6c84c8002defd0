"""One PDF statement per rep, from the Jinja template ``statement.html.j2`` like the briefings.

Same template folders, escaping, stylesheet and PDF renderer as the briefings; each figure is
formatted by the briefings' formatting functions, so a statement and a briefing print the
same number the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from reporter.config import Config
from reporter.errors import TemplateError
from reporter.files import atomic_dir
from reporter.history.statements import Statement
from reporter.write.briefing import ASSETS, branding, environment, stylesheets, template_dirs
from reporter.write.briefing import format as fmt
from reporter.write.briefing.render import Job, render_pdf
from reporter.write.briefing.restatements import restatement_rows
from reporter.write.briefing.slug import inside, unique_slugs

TEMPLATE = "statement.html.j2"


def context(s: Statement) -> dict[str, Any]:
    """Everything the template shows, formatted as text."""
    cur = s.currency
    f = s.figures
    return {
        "rep": s.rep,
        "quarter": s.quarter,
        "dates": f"{s.start} to {s.end}",
        "closed": s.closed,
        "basis": s.basis,
        "tiles": [
            {"label": "Won opportunities", "value": fmt.integer(f["won_opportunities"])},
            {
                "label": "Won amount",
                "value": fmt.money(f["won_amount"], cur),
                "note": s.reasons.get("won_amount", "") if fmt.missing(f["won_amount"]) else "",
            },
            {"label": "Won customers", "value": fmt.integer(f["won_customers"])},
            {"label": "Lost opportunities", "value": fmt.integer(f["lost_opportunities"])},
            {
                "label": "Win rate",
                "value": fmt.percent(f["win_rate"]),
                "directional": s.directional is True and not fmt.missing(f["win_rate"]),
                "note": _mark_note(s),
            },
        ],
        "min_closed": s.min_closed,
        "deals": [
            {
                "id": d.opportunity_id,
                "account": d.account or fmt.DASH,
                "close_date": d.close_date or fmt.DASH,
                "amount": fmt.money(d.amount, cur),
                "new_customer": "yes" if d.new_customer else "",
            }
            for d in s.deals
        ],
        "restatements": restatement_rows(s.restatements, cur),
        "run": s.run,
        "inputs": [
            {"path": Path(str(i.get("path", ""))).name, "sha": str(i.get("sha256", ""))[:12]}
            for i in s.inputs
        ],
    }


def _mark_note(s: Statement) -> str:
    """Why the win rate is "—", or has no directional mark when the run recorded none."""
    if fmt.missing(s.figures["win_rate"]):
        return "no won or lost deal closes in the quarter"
    if s.directional is None:
        return "sample-size mark not recorded by this build; rebuild to see it"
    return ""


def statements_folder(out_dir: Path, quarter_key: str) -> Path:
    """``<out>/statements/<FY2026Q3>/``: one folder per quarter, so writing one quarter's
    statements never touches another quarter's."""
    return Path(out_dir) / "statements" / quarter_key


def render_html(s: Statement, env: jinja2.Environment, config: Config) -> str:
    """One rep's statement as HTML text, in the briefings' page frame and [theme]."""
    frame = {"theme": branding.context(config.theme)}  # what base.html.j2 reads as `b`
    try:
        return env.get_template(TEMPLATE).render(s=context(s), b=frame)
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(
            f"statement template {exc.name!r} not found",
            hint="copy it from the built-in templates/ folder into your templates folder",
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"statement template {TEMPLATE}: {exc}") from None


def write_statements(
    folder: Path,
    statements: list[Statement],
    config: Config,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Write one PDF per rep into ``folder`` (one quarter's, see :func:`statements_folder`),
    replaced whole, all or nothing; other folders beside it are left as they are."""
    dirs = template_dirs(config)
    env = environment(dirs)
    css = stylesheets(dirs, config)
    slugs = unique_slugs({s.rep: s for s in statements})
    out: dict[str, Path] = {}
    with atomic_dir(Path(folder)) as tmp:
        for n, s in enumerate(statements, start=1):
            job = Job(
                segment=s.rep,
                html=render_html(s, env, config),
                stylesheets=css,
                base_url=dirs[0].as_uri() + "/",
                assets=tuple(str(d / ASSETS) for d in dirs),
                target=str(inside(tmp, slugs[s.rep])),
            )
            render_pdf(job)
            out[s.rep] = Path(folder) / Path(job.target).name
            if progress is not None:
                progress(f"statement {n}/{len(statements)}: {s.rep}")
    return out
