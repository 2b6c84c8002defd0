"""Every config key and every command-line option is documented."""

from __future__ import annotations

import dataclasses
import types
import typing

import click
import pytest

from reporter.cli import cli
from reporter.cli.reference import reference
from reporter.config import Config
from support.data import REPO

INTERNAL = {"source"}  # set by load(), not a key a user writes


def config_keys() -> list[tuple[str | None, str]]:
    """``(section, key)`` for every key config.toml may hold; ``(None, key)`` at the top."""
    keys: list[tuple[str | None, str]] = []
    hints = typing.get_type_hints(Config)
    for f in dataclasses.fields(Config):
        if f.name in INTERNAL:
            continue
        kind = hints[f.name]
        if isinstance(kind, types.UnionType):
            kind = next(a for a in typing.get_args(kind) if a is not type(None))
        if dataclasses.is_dataclass(kind):
            keys += [(f.name, sub.name) for sub in dataclasses.fields(kind)]
        else:
            keys.append((None, f.name))
    return keys


@pytest.mark.parametrize("section, key", config_keys(), ids=lambda v: str(v))
def test_config_key_is_in_docs_config(section, key):
    lines = (REPO / "docs" / "config.md").read_text().splitlines()
    rows = [line for line in lines if line.startswith("|")]
    table = f"[{section}.{key}]" if section else f"[{key}]"  # a table of free-form keys
    if any(r.startswith(f"| `{table}`") for r in rows):
        return
    if section is None:
        assert any(line.startswith(f"| `{key}`") for line in rows), key
    else:
        mine = [r for r in rows if f"`[{section}]" in r or f"`[{section}." in r]
        assert any(f"`[{section}] {key}`" in r or f"`{key}`" in r for r in mine), (
            f"[{section}] {key} missing from docs/config.md"
        )


def test_the_key_list_is_complete():
    keys = config_keys()
    assert ("email", "host") in keys and ("watch", "retry_limit") in keys
    assert (None, "ledger") in keys and (None, "columns") in keys


def test_cli_reference_is_current():
    current = (REPO / "docs" / "cli.md").read_text()
    assert current == reference(), (
        "docs/cli.md is stale: .venv/bin/python -m reporter.cli.reference > docs/cli.md"
    )


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_option_is_in_the_reference(name):
    text = (REPO / "docs" / "cli.md").read_text()
    section = text.split(f"## reporter {name}\n", 1)[1].split("\n## ", 1)[0]
    for param in cli.commands[name].params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                assert f"`{opt}`" in section, f"reporter {name} {opt}"
