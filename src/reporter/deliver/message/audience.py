"""Who gets what from one run: managers, finance, leadership, sales ops (and hold notices).

Each audience is one kind of message with its own attachments and words:

* each segment's manager(s): that segment's briefing PDF and its headline figures;
* ``[delivery] finance``: sales-report.xlsx, the company headline and the data-quality summary;
* ``[delivery] leadership``: briefings/company.pdf (the company-wide briefing) and its headline;
* ``[delivery] sales_ops``: the data-quality summary; while a run is held, only a hold notice.

In the ledger a manager's message is keyed by its segment; the others by ``@finance``,
``@leadership``, ``@sales_ops`` and ``@hold``, which no segment name can take (a segment
value starting with "@" is stored with a second "@").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reporter.config import Config
from reporter.deliver.hold import Finding
from reporter.deliver.manifest import Manifest
from reporter.deliver.message import body as words
from reporter.deliver.message.compose import DEFAULT_SUBJECT, clean_header, subject
from reporter.deliver.message.recipients import addresses

FINANCE, LEADERSHIP, SALES_OPS, HOLD = "@finance", "@leadership", "@sales_ops", "@hold"


@dataclass(frozen=True)
class Outgoing:
    """One kind of message of a run, to each of ``recipients``."""

    key: str  # the ledger's "segment" column
    label: str  # for logs and `reporter send` output
    recipients: tuple[str, ...]
    attachments: tuple[Path, ...]
    body: words.Body


def segment_key(segment: str) -> str:
    """A manager's ledger key: the segment itself (an "@" first is doubled)."""
    return "@" + segment if segment.startswith("@") else segment


def outgoing(
    manifest: Manifest, config: Config, managers: dict[str, tuple[str, ...]]
) -> tuple[list[Outgoing], list[str]]:
    """Every message kind of a released run; ``managers`` is segment → recipients."""
    period = words.period_text(manifest.period, manifest.period_detail)
    footer = f"reporter, built from {clean_header(manifest.source)}"
    template = config.email.subject if config.email else DEFAULT_SUBJECT
    out: list[Outgoing] = []
    for b in manifest.briefings:
        body = words.render(
            subject(template, b.segment, manifest.period),
            f"Attached is the sales briefing for {clean_header(b.segment)}.",
            [
                words.Section(
                    f"{b.segment}, {period}",
                    rows=words.headline_rows(b.headline, manifest.currency),
                ),
                words.Section("In the PDF", ("reps, new customers and win rate by segment.",)),
            ],
            footer,
        )
        out.append(Outgoing(segment_key(b.segment), b.segment, managers[b.segment], (b.pdf,), body))
    warnings: list[str] = []
    delivery = config.delivery
    quality = words.quality_section(manifest.quality)
    company = words.Section(
        f"Company-wide, {period}", rows=words.headline_rows(manifest.headline, manifest.currency)
    )
    if delivery.finance:
        who, bad = addresses(delivery.finance, "[delivery] finance")
        warnings += bad
        if manifest.workbook is None:
            warnings.append("finance: this run has no sales-report.xlsx; rebuild it")
        else:
            files: tuple[Path, ...] = (manifest.workbook,)
            intro = "Attached is the sales workbook (sales-report.xlsx) for finance"
            if manifest.template is not None:  # finance's own workbook, filled from the same run
                files += (manifest.template,)
                intro += f", and your own workbook ({manifest.template.name}) filled in"
            body = words.render(
                f"Sales workbook — {manifest.period}{_qtd(manifest)}",
                intro + ".",
                [company, quality],
                footer,
            )
            out.append(Outgoing(FINANCE, "finance", who, files, body))
    if delivery.leadership:
        who, bad = addresses(delivery.leadership, "[delivery] leadership")
        warnings += bad
        if manifest.company is None:
            warnings.append(
                "leadership: this run has no company briefing (leadership was not configured"
                " when it was built); rebuild it to include briefings/company.pdf"
            )
        else:
            body = words.render(
                f"Company-wide sales briefing — {manifest.period}{_qtd(manifest)}",
                "Attached is the company-wide sales briefing.",
                [company],
                footer,
            )
            out.append(Outgoing(LEADERSHIP, "leadership", who, (manifest.company,), body))
    if delivery.sales_ops:
        who, bad = addresses(delivery.sales_ops, "[delivery] sales_ops")
        warnings += bad
        body = words.render(
            f"Data quality — {manifest.period}{_qtd(manifest)}",
            f"The data-quality summary of this run ({period}).",
            [quality, company],
            footer,
        )
        out.append(Outgoing(SALES_OPS, "sales ops", who, (), body))
    return out, warnings


def hold_notice(
    manifest: Manifest, config: Config, held: Sequence[Finding]
) -> tuple[Outgoing | None, list[str]]:
    """The short notice sales ops get while a run is held (None without sales ops)."""
    if not config.delivery.sales_ops:
        return None, [
            "the run is on hold and [delivery] sales_ops is empty: nobody was told;"
            " add sales_ops addresses to be notified"
        ]
    who, warnings = addresses(config.delivery.sales_ops, "[delivery] sales_ops")
    run_dir = manifest.run_dir
    body = words.render(
        f"On hold: sales reports — {manifest.period}{_qtd(manifest)}",
        "Nothing of this run has been sent: it is on hold because the data may make a"
        " bonus figure wrong.",
        [
            words.Section("Why", tuple(f.line() for f in held)),
            words.Section(
                "What to do",
                (
                    "check the rows named above (the Data Quality sheet of"
                    f" {run_dir / 'sales-report.xlsx'} lists every one);",
                    f"then release the run: reporter send {run_dir} --approve",
                    "or fix the data and drop it again (a corrected drop is a new run).",
                ),
            ),
        ],
        f"reporter, built from {clean_header(manifest.source)}",
    )
    return Outgoing(HOLD, "hold notice", who, (), body), warnings


def _qtd(manifest: Manifest) -> str:
    return " (quarter to date)" if manifest.period_detail.get("complete") is False else ""
