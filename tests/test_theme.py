"""[theme] validation: every mistake is a ConfigError saying what to write instead."""

from __future__ import annotations

import pytest

from reporter.errors import ConfigError
from reporter.theme import DEFAULT, LEGACY, LOGO_MAX_BYTES, Theme, from_mapping, tint

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 40


def test_no_theme_is_todays_look():
    assert from_mapping({}) == DEFAULT
    assert DEFAULT.palette == LEGACY
    assert LEGACY.header_fill == "#D9E1F2"  # the workbook's header fill before themes


def test_custom_colours_give_tints():
    theme = from_mapping({"primary": "#7a1fa2", "accent": "#00897B"})
    assert theme.primary == "#7A1FA2"
    assert theme.palette.series[:2] == ("#7A1FA2", "#00897B")
    # 0x7A: 122 + 133*0.82 = 231.06 -> E7; 0x1F: 31 + 224*0.82 = 214.68 -> D7;
    # 0xA2: 162 + 93*0.82 = 238.26 -> EE
    assert theme.palette.header_fill == "#E7D7EE"
    assert tint("#000000", 0.5) == "#808080"


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("#7A1FA", "5 digits, not 6"),
        ("7A1FA2", 'start it with #: "#7A1FA2"'),
        ("#7G1FA2", "'G' is not a hex digit"),
        ("#7af", 'write all six digits: "#77AAFF"'),
        ("purple", '"#800080"'),
        (123, "# and six hex digits"),
    ],
)
def test_colour_typos(value, hint):
    with pytest.raises(ConfigError) as err:
        from_mapping({"accent": value}, where="brand.toml")
    assert err.value.message.startswith("brand.toml: [theme] accent")
    assert hint in err.value.hint


def test_unknown_key_suggests(tmp_path):
    with pytest.raises(ConfigError, match="Did you mean 'primary'"):
        from_mapping({"primery": "#000000"})


def test_logo_found_relative_to_config(tmp_path):
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.png").write_bytes(PNG)
    theme = from_mapping({"logo": "brand/logo.png"}, base=tmp_path)
    assert theme.logo == str(tmp_path / "brand" / "logo.png")
    assert theme.logo_kind == "png"


def test_logo_problems(tmp_path):
    with pytest.raises(ConfigError, match=r"logo 'nope\.png' not found") as err:
        from_mapping({"logo": "nope.png"}, base=tmp_path)
    assert "relative to the config file" in err.value.hint
    (tmp_path / "logo.jpg").write_bytes(b"x")
    with pytest.raises(ConfigError, match="only PNG and SVG"):
        from_mapping({"logo": "logo.jpg"}, base=tmp_path)
    (tmp_path / "fake.png").write_bytes(b"GIF89a")
    with pytest.raises(ConfigError, match="not a PNG image"):
        from_mapping({"logo": "fake.png"}, base=tmp_path)
    (tmp_path / "big.png").write_bytes(PNG + b"\0" * LOGO_MAX_BYTES)
    with pytest.raises(ConfigError, match="the limit is 1 MB") as err:
        from_mapping({"logo": "big.png"}, base=tmp_path)
    (tmp_path / "empty.svg").write_text("hello")
    with pytest.raises(ConfigError, match="not an SVG image"):
        from_mapping({"logo": "empty.svg"}, base=tmp_path)


def test_font_and_text_keys():
    assert from_mapping({"font": "Liberation Sans"}).font == "Liberation Sans"
    with pytest.raises(ConfigError, match="not a font family name"):
        from_mapping({"font": "Arial; } body { color: red"})
    with pytest.raises(ConfigError, match="footer is 201 characters"):
        from_mapping({"footer": "x" * 201})
    assert from_mapping({"company": "Acme", "footer": "Confidential"}) == Theme(
        company="Acme", footer="Confidential"
    )
