"""What the messages say: amounts labelled with the core's currency; recipients read with
the vocabulary's idea of a missing value (real run folder, real delivery.json)."""

from __future__ import annotations

import json
import math

import pandas as pd

from reporter.config import from_mapping
from reporter.deliver import manifest as mf
from reporter.deliver.message.audience import outgoing
from reporter.deliver.message.body import headline_rows
from reporter.deliver.message.recipients import from_opportunities
from reporter.vocabulary import UNKNOWN
from support.deliver_helpers import make_run

HEADLINE = {"won_opportunities": 4, "won_amount": 6400.0, "win_rate": 4 / 6, "target": 7000.0}


def test_amounts_carry_the_currency_the_core_labelled_them_with():
    rows = dict(headline_rows(HEADLINE, "EUR"))
    assert rows["Won amount"] == "6,400 EUR" and rows["Target"] == "7,000 EUR"
    assert rows["Won opportunities"] == "4"  # a count is not money
    bare = dict(headline_rows(HEADLINE))  # no one currency: bare, as in every output
    assert bare["Won amount"] == "6,400"
    assert dict(headline_rows({}, "EUR"))["Won amount"] == "— (no amounts in the data)"


def test_every_audience_reads_the_currency_from_delivery_json(tmp_path):
    config = from_mapping({"delivery": {"finance": ["fin@example.com"]}})
    run = make_run(tmp_path / "out", config, regions=("West",))
    # metrics.json as the build writes it: the core's currency and headline figures.
    metrics = {"currency": "EUR", "headline": HEADLINE}
    (run.run_dir / "metrics.json").write_text(json.dumps(metrics))
    built = mf.from_result(_Result(run), config, sha256=run.sha256)
    mf.write(built)
    again = mf.read(run.run_dir)
    assert again.currency == "EUR"
    messages, _ = outgoing(again, config, {"West": ("ana@example.com",)})
    finance = next(m for m in messages if m.label == "finance")
    assert "Won amount:        6,400 EUR" in finance.body.text
    assert "6,400 EUR" in finance.body.html and "7,000 EUR" in finance.body.text


def test_a_delivery_json_from_before_the_currency_reads_as_unlabelled(tmp_path):
    config = from_mapping({})
    run = make_run(tmp_path / "out", config, regions=("West",))
    path = run.run_dir / mf.MANIFEST_NAME
    record = json.loads(path.read_text())
    record.pop("currency")
    record["checksum"] = mf._checksum(record)
    path.write_text(json.dumps(record))
    assert mf.read(run.run_dir).currency is None


def test_blank_and_missing_segments_are_the_vocabularys_unknown():
    frame = pd.DataFrame(
        {
            "region": [None, "  ", "West", math.nan, "West"],
            "manager_email": ["a@x.org", "b@x.org", "  ", "c@x.org", None],
        }
    )
    assert from_opportunities(frame, "region") == {UNKNOWN: ("a@x.org", "b@x.org", "c@x.org")}


class _Result:
    """The run folder make_run built, in the shape manifest.from_result reads."""

    def __init__(self, run: mf.Manifest) -> None:
        from reporter.model import Dataset

        self.out_dir = run.run_dir
        self.dataset = Dataset(opportunities=pd.DataFrame(), inputs=())
        self.report = _Report(run.period)
        self.briefing_reports: dict[str, object] = {}
        self.briefings = {b.segment: b.pdf for b in run.briefings}
        self.metrics = run.run_dir / "metrics.json"
        self.workbook = run.run_dir / "report.xlsx"


class _Report:
    def __init__(self, label: str) -> None:
        self.period = type("P", (), {"label": label})()
        self.headline = None
