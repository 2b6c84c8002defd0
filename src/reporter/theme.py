"""The company's look: ``[theme]`` in config, validated, and the colours derived from it.

One :class:`Theme` feeds both outputs: the briefings (masthead, logo, charts, tables) and
the workbook (header fills, chart series, logo on Summary, print header and footer).
With no ``[theme]`` the palette is exactly today's look, so outputs do not change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from reporter.errors import ConfigError

DEFAULT_PRIMARY = "#1F5AA6"
DEFAULT_ACCENT = "#C4561B"
DEFAULT_FONT = "DejaVu Sans"
# A logo is drawn a few centimetres wide; anything bigger is a photo or a print master
# that would bloat every PDF and workbook sent.
LOGO_MAX_BYTES = 1_000_000
LOGO_SUFFIXES = (".png", ".svg")
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")
_SHORT_HEX = re.compile(r"#[0-9A-Fa-f]{3}")
_FONT = re.compile(r"[A-Za-z0-9 _-]{1,60}")
# CSS colour names people type instead of hex, and what they probably meant.
_NAMED = {
    "black": "#000000",
    "white": "#FFFFFF",
    "red": "#FF0000",
    "green": "#008000",
    "blue": "#0000FF",
    "navy": "#000080",
    "purple": "#800080",
    "orange": "#FFA500",
    "teal": "#008080",
    "gray": "#808080",
    "grey": "#808080",
}


@dataclass(frozen=True)
class Palette:
    """Every colour the writers use, as ``#RRGGBB``."""

    primary: str  # masthead rule, headings, highlighted bar
    accent: str  # win-rate line and labels
    bar: str  # trend bars (a light primary)
    bar_pale: str  # other segments' bars
    bar_faint: str  # directional segments' bars
    whisker_accent: str  # the win rate's interval
    header_fill: str  # workbook header rows, briefing table headers
    series: tuple[str, str, str]  # workbook charts: won opportunities, win rate, won amount


# Today's look, kept exactly when no theme is configured (golden files depend on it).
LEGACY = Palette(
    primary="#1F5AA6",
    accent="#C4561B",
    bar="#9DBBE3",
    bar_pale="#C7D3E2",
    bar_faint="#E8ECF1",
    whisker_accent="#E8A682",
    header_fill="#D9E1F2",
    series=("#4472C4", "#C00000", "#70AD47"),
)


@dataclass(frozen=True)
class Theme:
    """``[theme]``: who the reports are from and what they look like.

    ``logo`` is an absolute path once loaded (relative paths are resolved against the
    config file's folder); ``footer`` is printed on every briefing page and workbook page.
    """

    company: str | None = None
    logo: str | None = None
    primary: str = DEFAULT_PRIMARY
    accent: str = DEFAULT_ACCENT
    font: str = DEFAULT_FONT
    footer: str | None = None

    @property
    def palette(self) -> Palette:
        """The colours for this theme; the legacy palette when the colours are the defaults."""
        if (self.primary.upper(), self.accent.upper()) == (DEFAULT_PRIMARY, DEFAULT_ACCENT):
            return LEGACY
        return Palette(
            primary=self.primary.upper(),
            accent=self.accent.upper(),
            bar=tint(self.primary, 0.55),
            bar_pale=tint(self.primary, 0.75),
            bar_faint=tint(self.primary, 0.9),
            whisker_accent=tint(self.accent, 0.5),
            header_fill=tint(self.primary, 0.82),
            series=(self.primary.upper(), self.accent.upper(), tint(self.primary, 0.45)),
        )

    @property
    def logo_kind(self) -> str | None:
        """``"png"`` or ``"svg"``, or None without a logo."""
        return Path(self.logo).suffix.lower().lstrip(".") if self.logo else None


DEFAULT = Theme()


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: 0 gives the colour, 1 gives white."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(c + (255 - c) * amount) for c in (r, g, b))
    return "#" + "".join(f"{c:02X}" for c in mixed)


def check_colour(value: Any, key: str, where: str) -> str:
    """``value`` as ``#RRGGBB``, or a :class:`ConfigError` that says what was meant."""
    if isinstance(value, str) and _HEX.fullmatch(value.strip()):
        return value.strip().upper()
    hint = 'write the colour as # and six hex digits, e.g. "#7A1FA2"'
    if isinstance(value, str):
        text = value.strip()
        if _SHORT_HEX.fullmatch(text):
            full = "#" + "".join(c * 2 for c in text[1:]).upper()
            hint = f'write all six digits: "{full}"'
        elif re.fullmatch(r"[0-9A-Fa-f]{6}", text):
            hint = f'start it with #: "#{text.upper()}"'
        elif text.lower() in _NAMED:
            hint = f'use the hex code, e.g. "{_NAMED[text.lower()]}" for {text}'
        elif text.startswith("#"):
            bad = sorted({c for c in text[1:] if c not in "0123456789abcdefABCDEF"})
            if bad:
                hint = f"{', '.join(map(repr, bad))} is not a hex digit (0-9, A-F); " + hint
            else:
                hint = f"it has {len(text) - 1} digits, not 6; " + hint
    raise ConfigError(f"{where}: [theme] {key} {value!r} is not a colour", hint=hint)


def check_logo(value: Any, where: str, base: Path) -> str:
    """The logo's absolute path after checking it exists, is PNG/SVG and is not too big."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"{where}: [theme] logo must be a file name in quotes, not {value!r}",
            hint='e.g. logo = "brand/logo.png" (relative to the config file)',
        )
    path = (base / value).resolve()
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise ConfigError(
            f"{where}: [theme] logo {value!r} is a {path.suffix or 'file without extension'}"
            " file; only PNG and SVG logos are supported",
            hint="export the logo as .png or .svg",
        )
    if not path.is_file():
        raise ConfigError(
            f"{where}: [theme] logo {value!r} not found (looked for {path})",
            hint="check the path; a relative path is relative to the config file's folder",
        )
    size = path.stat().st_size
    if size > LOGO_MAX_BYTES:
        raise ConfigError(
            f"{where}: [theme] logo {value!r} is {size / 1e6:.1f} MB; the limit is"
            f" {LOGO_MAX_BYTES / 1e6:.0f} MB (it is embedded in every PDF and workbook)",
            hint="save a smaller version (a few hundred pixels wide is plenty)",
        )
    head = path.read_bytes()[:512]
    if path.suffix.lower() == ".png" and not head.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ConfigError(
            f"{where}: [theme] logo {value!r} is not a PNG image (its content is not PNG)",
            hint="export the logo again as PNG, or point to the .svg",
        )
    if path.suffix.lower() == ".svg" and b"<svg" not in path.read_bytes()[:4096]:
        raise ConfigError(
            f"{where}: [theme] logo {value!r} is not an SVG image (no <svg> element)",
            hint="export the logo again as SVG, or point to the .png",
        )
    return str(path)


def _text(value: Any, key: str, where: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: [theme] {key} must be text in quotes, not {value!r}")
    if len(value) > limit:
        raise ConfigError(
            f"{where}: [theme] {key} is {len(value)} characters; at most {limit} fit",
            hint=f"shorten [theme] {key}",
        )
    return value


def from_mapping(data: Mapping[str, Any], where: str = "config", base: Path | None = None) -> Theme:
    """Build a :class:`Theme` from the ``[theme]`` table; every problem is a ConfigError."""
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: [theme] must be a table, not {data!r}")
    allowed = [f.name for f in fields(Theme)]
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            known = f"Did you mean {close[0]!r}?" if close else f"Known keys: {', '.join(allowed)}."
            raise ConfigError(
                f"{where}: unknown key {key!r} in [theme]. {known}",
                hint="remove the key or correct its spelling (see docs/branding.md)",
            )
    kwargs: dict[str, Any] = {}
    if "company" in data:
        kwargs["company"] = _text(data["company"], "company", where, 80)
    if "footer" in data:
        kwargs["footer"] = _text(data["footer"], "footer", where, 200)
    for key in ("primary", "accent"):
        if key in data:
            kwargs[key] = check_colour(data[key], key, where)
    if "font" in data:
        font = _text(data["font"], "font", where, 60)
        # The name goes into CSS and SVG: letters, digits, spaces and dashes only.
        if not _FONT.fullmatch(font):
            raise ConfigError(
                f"{where}: [theme] font {font!r} is not a font family name",
                hint='name one installed font family, e.g. font = "Liberation Sans"',
            )
        kwargs["font"] = font
    if "logo" in data:
        kwargs["logo"] = check_logo(data["logo"], where, base or Path.cwd())
    return Theme(**kwargs)
