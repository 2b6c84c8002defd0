"""The ``[theme]`` on a briefing: CSS for its colours and font, and the logo as a data URL.

The logo travels inside the HTML as a ``data:`` URL, the one kind of URL the briefing's
fetcher allows besides the templates' own assets, so a logo anywhere on disk works without
opening the fetcher up.
"""

from __future__ import annotations

import base64
from pathlib import Path

from reporter.theme import DEFAULT, Theme

_MIME = {"png": "image/png", "svg": "image/svg+xml"}


def theme_css(theme: Theme) -> str:
    """CSS laid over briefing.css for a configured theme; empty for the default look."""
    if (theme.primary, theme.accent, theme.font) == (DEFAULT.primary, DEFAULT.accent, DEFAULT.font):
        return ""
    p = theme.palette
    # font names are validated to letters, digits, spaces and dashes: safe inside quotes
    return f"""
html {{ font-family: "{theme.font}", "DejaVu Sans", sans-serif; }}
.masthead {{ border-bottom-color: {p.primary}; }}
.kicker, h2 {{ color: {p.primary}; }}
table.data th {{ background: {p.header_fill}; border-bottom-color: {p.primary}; }}
.tile {{ border-color: {p.bar_pale}; }}
"""


def logo_url(theme: Theme) -> str:
    """The logo as a ``data:`` URL, or "" without a logo."""
    if not theme.logo or theme.logo_kind not in _MIME:
        return ""
    data = base64.b64encode(Path(theme.logo).read_bytes()).decode("ascii")
    return f"data:{_MIME[theme.logo_kind]};base64,{data}"


def context(theme: Theme) -> dict[str, str]:
    """``b.theme`` for the templates: company, logo URL and footer text ("" when unset)."""
    return {
        "company": theme.company or "",
        "logo": logo_url(theme),
        "footer": theme.footer or "",
    }
