"""``delivery.json``: what a finished build hands to delivery.

Written into the run folder after the build succeeded, it names the run (its identity,
see :mod:`reporter.deliver.identity`), the period, each segment's PDF, recipients and
headline figures, the workbook and company briefing for finance and leadership, the
data-quality summary and what could hold the run. Figures are copied from the run's
metrics.json, never recomputed. Sending — now, after a crash, or later with
``reporter send RUN_DIR`` — needs only this file and the files it names, never a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reporter.config import Config
from reporter.deliver.hold import Finding, findings
from reporter.deliver.message import recipients as rcpt
from reporter.errors import DeliveryError
from reporter.files import atomic_path
from reporter.model import Dataset

MANIFEST_NAME = "delivery.json"
HEADLINE_FIELDS = (
    "quarter",
    "won_opportunities",
    "won_amount",
    "won_customers",
    "lost_opportunities",
    "win_rate",
    "directional",
)


@dataclass(frozen=True)
class Briefing:
    """One segment's PDF and who gets it."""

    segment: str
    pdf: Path
    recipients: tuple[str, ...]
    headline: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """Everything needed to (re)send one run's briefings."""

    sha256: str
    source: str
    period: str
    run_dir: Path
    briefings: tuple[Briefing, ...]
    warnings: tuple[str, ...] = ()
    period_detail: Mapping[str, Any] = field(default_factory=dict)  # metrics.json "period"
    headline: Mapping[str, Any] = field(default_factory=dict)  # company-wide, metrics.json
    quality: Mapping[str, Any] = field(default_factory=dict)  # {"codes": [...], "quarantined"}
    findings: tuple[Finding, ...] = ()  # what could hold the run (see deliver.hold)
    workbook: Path | None = None  # for finance
    company: Path | None = None  # briefings/company.pdf, for leadership
    template: Path | None = None  # finance's own template filled ([workbook] template)
    currency: str | None = None  # the amounts' one currency (metrics.json), None: unlabelled

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready data (PDFs relative to the run folder, with their SHA-256), sealed.

        ``checksum`` is the SHA-256 of the rest of the record: :func:`read` refuses a
        manifest edited since the build, and any PDF that changed or lies outside the folder.
        """
        record = {
            "sha256": self.sha256,
            "source": self.source,
            "period": self.period,
            "period_detail": dict(self.period_detail),
            "headline": dict(self.headline),
            "currency": self.currency,
            "quality": dict(self.quality),
            "findings": [f.to_record() for f in self.findings],
            "workbook": _relative(self.workbook, self.run_dir) if self.workbook else None,
            "workbook_sha256": _file_sha256(self.workbook) if self.workbook else None,
            "company": _relative(self.company, self.run_dir) if self.company else None,
            "company_sha256": _file_sha256(self.company) if self.company else None,
            "template": _relative(self.template, self.run_dir) if self.template else None,
            "template_sha256": _file_sha256(self.template) if self.template else None,
            "briefings": [
                {
                    "segment": b.segment,
                    "pdf": _relative(b.pdf, self.run_dir),
                    "pdf_sha256": _file_sha256(b.pdf),
                    "recipients": list(b.recipients),
                    "headline": b.headline,
                }
                for b in self.briefings
            ],
            "warnings": list(self.warnings),
        }
        record["checksum"] = _checksum(record)
        return record


class _Period(Protocol):
    @property
    def label(self) -> str: ...


class _Report(Protocol):
    @property
    def period(self) -> _Period: ...

    @property
    def headline(self) -> object: ...


class Built(Protocol):
    """What a finished build hands delivery (``reporter.pipeline.RunResult`` is one).

    A protocol, so delivery depends on the shape of a build, not on the pipeline module.
    """

    @property
    def out_dir(self) -> Path: ...

    @property
    def dataset(self) -> Dataset: ...

    @property
    def report(self) -> _Report: ...

    @property
    def briefing_reports(self) -> Mapping[str, _Report]: ...

    @property
    def briefings(self) -> Mapping[str, Path]: ...

    @property
    def metrics(self) -> Path: ...

    @property
    def workbook(self) -> Path: ...


def run_sha256(result: Built) -> str:
    """The run's identity when none is given: its inputs, the latest period, no config."""
    from reporter.deliver.identity import run_id

    return run_id((str(i.sha256) for i in result.dataset.inputs), None, Config())


def from_result(
    result: Built, config: Config, sha256: str | None = None, source: str | None = None
) -> Manifest:
    """Build the manifest for a :class:`reporter.pipeline.RunResult`."""
    metrics = _metrics(result.metrics)
    by_segment = (metrics.get("briefings") or {}).get("segments") or {}
    segments = [str(s) for s in result.briefings]
    from_data = rcpt.from_opportunities(result.dataset.opportunities, config.briefings.by)
    who, warnings = rcpt.resolve(segments, config.briefings.recipients, from_data)
    briefings = []
    for segment, pdf in result.briefings.items():
        headline = (by_segment.get(str(segment)) or {}).get("headline")
        if headline is None:  # a metrics.json without segments: the report's own figures
            report = result.briefing_reports.get(segment)
            headline = _headline(report.headline) if report is not None else {}
        briefings.append(Briefing(str(segment), Path(pdf), who[str(segment)], headline))
    if source is None:
        names = [Path(str(i.path)).name for i in result.dataset.inputs]
        source = ", ".join(names) or result.out_dir.name
    company = getattr(result, "company_briefing", None)
    workbook = Path(result.workbook)
    template = getattr(result, "template", None)
    return Manifest(
        sha256=sha256 or run_sha256(result),
        source=source,
        period=str(result.report.period.label),
        run_dir=Path(result.out_dir),
        briefings=tuple(briefings),
        warnings=tuple(warnings),
        period_detail=dict(metrics.get("period") or {}),
        headline=dict(metrics.get("headline") or {}),
        quality=quality_summary(metrics.get("data_quality") or ()),
        findings=tuple(findings(metrics)),
        workbook=workbook if workbook.is_file() else None,
        company=Path(company) if company else None,
        template=Path(template) if template and Path(template).is_file() else None,
        currency=_currency(metrics.get("currency")),
    )


def _currency(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value.strip() else None


def quality_summary(issues: Any) -> dict[str, Any]:
    """Issue counts per code (most frequent first) and rows quarantined, from metrics.json."""
    from reporter.quality import CODES, QUARANTINED

    counts: dict[str, int] = {}
    quarantined = 0
    for issue in issues:
        if not isinstance(issue, Mapping):
            continue
        code = str(issue.get("code"))
        counts[code] = counts.get(code, 0) + 1
        quarantined += issue.get("action") == QUARANTINED
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "codes": [{"code": c, "title": CODES.get(c, c), "count": n} for c, n in ordered],
        "quarantined": quarantined,
    }


def _metrics(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write(manifest: Manifest) -> Path:
    """Write ``delivery.json`` into the run folder atomically; return its path."""
    target = manifest.run_dir / MANIFEST_NAME
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(manifest.to_record(), indent=2, ensure_ascii=False) + "\n")
    return target


def read(run_dir: Path) -> Manifest:
    """Read a run folder's ``delivery.json``; :class:`DeliveryError` says what to do if absent."""
    run_dir = Path(run_dir).resolve()
    path = run_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        _check_seal(path, data)
        briefings = tuple(
            Briefing(
                segment=str(b["segment"]),
                pdf=_inside(run_dir, path, str(b["pdf"]), b.get("pdf_sha256")),
                recipients=tuple(b["recipients"]),
                headline=dict(b.get("headline", {})),
            )
            for b in data["briefings"]
        )
        return Manifest(
            sha256=str(data["sha256"]),
            source=str(data["source"]),
            period=str(data["period"]),
            run_dir=run_dir,
            briefings=briefings,
            warnings=tuple(data.get("warnings", ())),
            period_detail=dict(data.get("period_detail") or {}),
            headline=dict(data.get("headline") or {}),
            quality=dict(data.get("quality") or {}),
            findings=tuple(Finding.from_record(f) for f in data.get("findings") or ()),
            workbook=_optional(run_dir, path, data, "workbook"),
            company=_optional(run_dir, path, data, "company"),
            template=_optional(run_dir, path, data, "template"),
            currency=_currency(data.get("currency")),  # absent from older delivery.json
        )
    except FileNotFoundError:
        raise DeliveryError(
            f"{run_dir} has no {MANIFEST_NAME}: it is not a finished run folder",
            hint="give the run folder the watcher or `reporter build` created (it holds"
            f" {MANIFEST_NAME} beside the PDFs)",
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DeliveryError(
            f"{path} is damaged ({exc})", hint="rebuild the run from its input"
        ) from None


def _checksum(record: Mapping[str, Any]) -> str:
    body = {k: v for k, v in record.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _tampered(path: Path, what: str) -> DeliveryError:
    return DeliveryError(
        f"{path}: {what}; nothing is sent from this run",
        hint="rebuild the run from its input (drop it into the inbox again, or `reporter build`)",
    )


def _check_seal(path: Path, data: Any) -> None:
    if not isinstance(data, dict) or data.get("checksum") != _checksum(data):
        raise _tampered(path, "the file was changed since the build (its checksum does not match)")


def _inside(run_dir: Path, path: Path, name: str, sha256: Any) -> Path:
    """An attachment, which must be a file inside the run folder, unchanged since the build."""
    file = (run_dir / name).resolve()
    if not file.is_relative_to(run_dir):
        raise _tampered(path, f"it names {name}, a file outside the run folder")
    digest = _file_sha256(file)
    if digest is not None and digest != sha256:
        raise _tampered(path, f"{file.name} changed since the build")
    return file


def _optional(run_dir: Path, path: Path, data: Mapping[str, Any], key: str) -> Path | None:
    """The workbook, company briefing or filled template of the run (checked like a PDF)."""
    name = data.get(key)
    return _inside(run_dir, path, str(name), data.get(f"{key}_sha256")) if name else None


def _relative(path: Path, root: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(Path(path).resolve())


def _headline(headline: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in HEADLINE_FIELDS:
        value: Any = getattr(headline, name, None)
        if hasattr(value, "item"):  # numpy scalar → plain Python
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[name] = value
    return out
