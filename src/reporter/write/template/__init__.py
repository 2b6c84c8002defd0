"""Finance's own Excel template filled from metrics.json (``[workbook] template``).

``names`` is the template language (dotted names, table filters), ``shift`` inserts rows
the way a finance template needs (formulas, names, tables and charts grow with a table),
``fill`` puts it together. See docs/branding.md.
"""

from __future__ import annotations

from reporter.write.template.fill import Filled, fill_template

__all__ = ["Filled", "fill_template"]
