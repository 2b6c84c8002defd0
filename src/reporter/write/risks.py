"""Risks to a bonus as every output lists them: the issue, the rep and the amount.

The readers give an issue severity ``bonus-risk`` when a won deal may be paid wrongly (a
won-looking unknown stage, a won deal quarantined, dated in the future or with its amount
blank or refused) and attach the deal it concerns: ``rep``, ``amount`` and ``currency``
(see read/risks.py). The outputs show those fields; nothing here looks them up again.
"""

from __future__ import annotations

from typing import Any

from reporter.model import Dataset


def bonus_risk_records(dataset: Dataset) -> list[dict[str, Any]]:
    """Each bonus risk, in input order: the issue's fields, ``rep``/``amount``/``currency``
    included."""
    return [issue.to_record() for issue in dataset.bonus_risks]
