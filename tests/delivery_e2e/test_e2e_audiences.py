"""Audiences: managers, finance, leadership and sales ops each get what is theirs (real SMTP)."""

from __future__ import annotations

import io
from email.message import EmailMessage
from pathlib import Path

import e2e_support
import openpyxl
import pytest
from e2e_support import (
    CEO,
    EAST,
    FINANCE,
    OPS,
    WEST,
    attachment_names,
    audiences,
    bodies,
    email_table,
    pdf_text,
    reporter,
    write_config,
    write_files,
)

# The shared loopback SMTP server (e2e_support): one for the session, emptied per test.
mail_server, mail = e2e_support.mail_server, e2e_support.mail


TEMPLATE = Path(__file__).parents[2] / "samples" / "brand" / "finance-template.xlsx"


class Received:
    """What the server received during the one build below (kept apart from later tests)."""

    def __init__(self, messages: list[EmailMessage]) -> None:
        self.received = messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if address in str(m["To"])]


@pytest.fixture(scope="module")
def delivered(tmp_path_factory, mail_server):
    """One `reporter build --send` of the three files to every audience, finance's own
    template configured: every test below only reads what it sent."""
    tmp = tmp_path_factory.mktemp("audiences")
    files = write_files(tmp / "drop")
    mail_server.handler.received.clear()
    config = write_config(
        tmp / "config.toml",
        {
            "email": email_table(mail_server.port),
            "delivery": audiences(),
            "workbook": {"template": str(TEMPLATE)},
        },
    )
    result = reporter("build", *files, "--config", config, "--out", tmp / "out", "--send")
    assert result.returncode == 0, result.stderr
    got = Received(list(mail_server.handler.received))
    mail_server.handler.received.clear()
    return got, result


@pytest.mark.slow
def test_finance_gets_the_workbook_and_a_data_quality_summary(delivered):
    smtp, _ = delivered
    (msg,) = smtp.to(FINANCE)
    assert attachment_names(msg) == ["finance-template.xlsx", "sales-report.xlsx"]
    (att,) = [a for a in msg.iter_attachments() if a.get_filename() == "sales-report.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(att.get_content()), read_only=True)
    assert book.sheetnames[:2] == ["Summary", "Rep Bonuses"]
    plain, html = bodies(msg)
    for text in (plain, html):
        assert "FY2026 Q3" in text and "quarter to date" in text
        # won amount, company-wide (hand-computed: 1000+2000+3000+400), labelled as the core
        # labels the data's one currency
        assert "6,400 USD" in text
        assert "Data quality" in text and "no issues" in text
    assert "workbook" in str(msg["Subject"]).lower() and "FY2026 Q3" in str(msg["Subject"])


@pytest.mark.slow
def test_leadership_gets_the_company_briefing(delivered):
    smtp, _ = delivered
    (msg,) = smtp.to(CEO)
    assert attachment_names(msg) == ["company.pdf"]
    (att,) = list(msg.iter_attachments())
    text = pdf_text(att.get_content())
    assert "6,400" in text  # the company's won amount, not one region's
    plain, html = bodies(msg)
    for body in (plain, html):
        assert "company-wide" in body.lower() and "FY2026 Q3" in body
        assert "Won opportunities" in body and "4" in body
        assert "66.7%" in body  # win rate 4 won / (4 won + 2 lost)


@pytest.mark.slow
def test_each_manager_gets_their_segment_with_its_own_figures(delivered):
    smtp, _ = delivered
    for address, segment, amount in ((WEST, "West", "3,000"), (EAST, "East", "3,400")):
        (msg,) = smtp.to(address)
        assert attachment_names(msg) == [f"{segment}.pdf"]
        plain, html = bodies(msg)
        for body in (plain, html):
            assert segment in body and f"{amount} USD" in body and "quarter to date" in body


@pytest.mark.slow
def test_sales_ops_get_the_data_quality_summary_only(delivered):
    smtp, _ = delivered
    (msg,) = smtp.to(OPS)
    assert attachment_names(msg) == []
    plain, html = bodies(msg)
    for body in (plain, html):
        assert "Data quality" in body and "FY2026 Q3" in body
    assert len(smtp.received) == 5  # two managers, finance, leadership, sales ops


@pytest.mark.slow
def test_build_send_reports_what_it_sent(delivered):
    _, result = delivered
    out = result.stdout + result.stderr
    assert "5 sent" in out


@pytest.mark.slow
def test_finance_also_gets_its_own_template_filled(delivered):
    """With `[workbook] template`, the filled copy goes to finance beside sales-report.xlsx."""
    smtp, _ = delivered
    (msg,) = smtp.to(FINANCE)
    (filled,) = [a for a in msg.iter_attachments() if a.get_filename() == "finance-template.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(filled.get_content()))
    left = [
        f"{ws.title}!{cell.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "{{" in cell.value
    ]
    assert left == []  # every placeholder was filled
    assert "finance-template.xlsx" in bodies(msg)[0]
