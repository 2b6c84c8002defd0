"""A four-deal CRM export over East and West (FY2026 Q3), for tests that close a quarter,
amend a deal and rebuild; and the text of a PDF those builds write."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

HEADER = "Opportunity ID,Owner,Account,Stage,Amount,Created,Close Date,Region\n"
ROWS = [
    "E1,Ann,Acme,Closed Won,1000,2026-06-01,2026-07-05,East",
    "E2,Ann,Beta,Closed Lost,250,2026-06-01,2026-07-15,East",
    "W1,Bob,Gamma,Closed Won,2000,2026-06-01,2026-08-05,West",
    "W2,Bob,Delta,Closed Won,300,2026-06-01,2026-09-05,West",
]


def text(path: Path) -> str:
    """Every page's extracted text, joined by spaces."""
    return " ".join(page.extract_text() for page in PdfReader(path).pages)
