"""Safe file names for briefings: a segment value typed by anyone becomes a harmless slug.

Segment values come straight from spreadsheet cells ("../x", "CON", "a:b", 300 characters
of HTML), so file names are built from an allow-list, never by stripping a deny-list, and
the final path is checked to stay inside the briefings folder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from reporter.errors import OutputError

MAX_SLUG = 100
FALLBACK = "segment"

# Windows refuses these as a file's stem whatever the extension ("NUL.txt", "com1.pdf"),
# on every drive and share, so they are refused on every OS: the PDFs travel by email.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{i}" for i in (*range(10), "¹", "²", "³")}
    | {f"lpt{i}" for i in (*range(10), "¹", "²", "³")}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_REPEATS = re.compile(r"([._-])[._-]+")


def slugify(name: object) -> str:
    """A file-name stem for ``name``: ASCII letters, digits, ``.``, ``_``, ``-`` only.

    Accents are folded ("Zürich" → "Zurich"), every other run of characters becomes one
    ``-``. The result is never empty, never starts with a dot or dash, never is a Windows
    reserved name, and is at most ``MAX_SLUG`` characters.
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text)
    text = _REPEATS.sub(lambda m: m.group(1), text)
    text = text.strip("._-")[:MAX_SLUG].rstrip("._-")
    if not text:
        return FALLBACK
    if text.split(".")[0].lower() in _RESERVED:
        text = f"_{text}"[:MAX_SLUG]
    return text


def unique_slugs(names: Iterable[object]) -> dict[str, str]:
    """Map each name to its slug, adding ``-2``, ``-3`` … where slugs collide.

    Collisions are judged case-insensitively (Windows and macOS folders are), and in the
    order given, so the first name keeps the plain slug.
    """
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        key = str(name)
        if key in out:
            continue
        base = slugify(name)
        slug, n = base, 1
        while slug.lower() in taken:
            n += 1
            suffix = f"-{n}"
            slug = f"{base[: MAX_SLUG - len(suffix)]}{suffix}"
        taken.add(slug.lower())
        out[key] = slug
    return out


def inside(folder: Path, slug: str, suffix: str = ".pdf") -> Path:
    """``folder / (slug + suffix)``, refusing anything that would resolve outside ``folder``."""
    root = folder.resolve()
    target = (root / f"{slug}{suffix}").resolve()
    if target.parent != root:
        raise OutputError(
            f"briefing file name {slug!r} would be written outside {root}",
            hint="this is a bug in slug generation; please report it with the segment name",
        )
    return target
