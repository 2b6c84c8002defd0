"""``delivery.json``: what a finished build hands to delivery.

Written into the run folder after the build succeeded, it names the run (the input's
SHA-256), the period, each segment's PDF, recipients and headline figures. Sending — now,
after a crash, or later with ``reporter send RUN_DIR`` — needs only this file and the
PDFs, never a rebuild.
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

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-ready data (PDFs relative to the run folder, with their SHA-256), sealed.

        ``checksum`` is the SHA-256 of the rest of the record: :func:`read` refuses a
        manifest edited since the build, and any PDF that changed or lies outside the folder.
        """
        record = {
            "sha256": self.sha256,
            "source": self.source,
            "period": self.period,
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


def run_sha256(result: Built) -> str:
    """The run's identity: the input's SHA-256, or a hash of all inputs' hashes."""
    hashes = sorted(str(i.sha256) for i in result.dataset.inputs)
    if len(hashes) == 1:
        return hashes[0]
    return hashlib.sha256("\n".join(hashes).encode()).hexdigest()


def from_result(
    result: Built, config: Config, sha256: str | None = None, source: str | None = None
) -> Manifest:
    """Build the manifest for a :class:`reporter.pipeline.RunResult`."""
    segments = [str(s) for s in result.briefings]
    from_data = rcpt.from_opportunities(result.dataset.opportunities, config.briefings.by)
    who, warnings = rcpt.resolve(segments, config.briefings.recipients, from_data)
    briefings = []
    for segment, pdf in result.briefings.items():
        report = result.briefing_reports.get(segment)
        headline = _headline(report.headline) if report is not None else {}
        briefings.append(Briefing(str(segment), Path(pdf), who[str(segment)], headline))
    if source is None:
        names = [Path(str(i.path)).name for i in result.dataset.inputs]
        source = ", ".join(names) or result.out_dir.name
    return Manifest(
        sha256=sha256 or run_sha256(result),
        source=source,
        period=str(result.report.period.label),
        run_dir=Path(result.out_dir),
        briefings=tuple(briefings),
        warnings=tuple(warnings),
    )


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
                pdf=_inside(run_dir, path, b),
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


def _inside(run_dir: Path, path: Path, entry: Mapping[str, Any]) -> Path:
    """The briefing's PDF, which must be a file inside the run folder, unchanged."""
    pdf = (run_dir / str(entry["pdf"])).resolve()
    if not pdf.is_relative_to(run_dir):
        raise _tampered(path, f"it names {entry['pdf']}, a file outside the run folder")
    digest = _file_sha256(pdf)
    if digest is not None and digest != entry.get("pdf_sha256"):
        raise _tampered(path, f"{pdf.name} changed since the build")
    return pdf


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
