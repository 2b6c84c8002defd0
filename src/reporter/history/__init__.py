"""The history store: every build's figures and deals, closed quarters, and restatements.

``deals`` turns the metrics core's enriched opportunities into the compact deal records the
store keeps; ``store`` is the SQLite file (runs, deduplicated deal versions, figures, closed
quarters, reopen events); ``diff`` explains, deal by deal, why a quarter's figures differ
from the frozen ones. See docs/closing.md.
"""
