"""Briefing file names: safe slugs of whatever a segment is called (RELIABILITY item 33)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.errors import OutputError
from reporter.write.briefing.slug import MAX_SLUG, inside, slugify, unique_slugs

CASES = [
    ("West", "West"),
    ("North East", "North-East"),
    ("Zürich / Genève", "Zurich-Geneve"),
    ("../x", "x"),
    ("..\\..\\Windows\\system32", "Windows-system32"),
    ("/etc/passwd", "etc-passwd"),
    ("a:b", "a-b"),
    ("Q3.", "Q3"),
    (".hidden", "hidden"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("com1", "_com1"),
    ("LPT9", "_LPT9"),
    ("console", "console"),
    ("", "segment"),
    ("...", "segment"),
    ("東京", "segment"),
    ('<img src="file:///etc/passwd">', "img-src-file-etc-passwd"),
    ("a\x00b\r\nc", "a-b-c"),
]


@pytest.mark.parametrize(("name", "slug"), CASES, ids=[repr(c[0])[:30] for c in CASES])
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_long_names_are_capped() -> None:
    slug = slugify("x" * 300)
    assert len(slug) == MAX_SLUG
    assert len(unique_slugs(["y" * 300, "Y" * 300])["Y" * 300]) == MAX_SLUG


@pytest.mark.parametrize(
    "name",
    ["../x", "CON", "a/b\\c", "..", "x" * 400, "\u202eevil", " "],
    ids=["dotdot", "reserved", "separators", "parent", "long", "bidi", "blank"],
)
def test_slug_is_a_plain_file_name(name: str) -> None:
    slug = slugify(name)
    assert slug and not slug.startswith((".", "-"))
    assert "/" not in slug and "\\" not in slug
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_collisions_get_numbered_case_insensitively() -> None:
    slugs = unique_slugs(["West", "west", "WEST!", "North East", "North/East", "West-2"])
    assert slugs == {
        "West": "West",
        "west": "west-2",
        "WEST!": "WEST-3",
        "North East": "North-East",
        "North/East": "North-East-2",
        "West-2": "West-2-2",
    }
    assert len({s.lower() for s in slugs.values()}) == len(slugs)


def test_inside_refuses_escape(tmp_path: Path) -> None:
    assert inside(tmp_path, "West") == tmp_path.resolve() / "West.pdf"
    with pytest.raises(OutputError):
        inside(tmp_path, "../x")
