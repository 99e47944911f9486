"""The named-query loader: parsing, lookups, and that the code only names real queries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storage.postgres.queries import (
    QUERIES_DIR,
    Queries,
    UnknownQueryError,
    default_queries,
    load_queries,
    parse_sql,
)

PACKAGE = QUERIES_DIR.parent


def test_parse_splits_named_queries_and_drops_leading_comments() -> None:
    text = """-- file header
-- name: first
SELECT 1;

-- What second is for.
-- name: second
SELECT $1::int
  + 1;
"""
    assert parse_sql(text) == {"first": "SELECT 1;", "second": "SELECT $1::int\n  + 1;"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT 1;\n-- name: a\nSELECT 2;", "before the first"),
        ("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;", "defined twice"),
        ("-- name: a\n-- only a comment\n", "empty"),
    ],
)
def test_parse_rejects_malformed_files(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sql(text)


def test_names_must_be_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("-- name: same\nSELECT 1;\n")
    (tmp_path / "b.sql").write_text("-- name: same\nSELECT 2;\n")
    with pytest.raises(ValueError, match="a.sql and b.sql"):
        load_queries(tmp_path)


def test_lookup_by_item_and_attribute() -> None:
    queries = Queries({"ping": "SELECT 1"})
    assert queries["ping"] == queries.ping == "SELECT 1"
    with pytest.raises(KeyError):
        queries["nope"]
    with pytest.raises(KeyError):
        _ = queries.nope
    assert not hasattr(queries, "nope")  # also an AttributeError, so hasattr() works
    with pytest.raises(UnknownQueryError, match="a, b"):
        queries.require("ping", "a", "b")


def test_every_query_the_code_names_exists() -> None:
    queries = default_queries()
    used: set[str] = set()
    for module in PACKAGE.glob("*.py"):
        used |= set(re.findall(r"\b_?Q\.([a-z_][a-z0-9_]*)", module.read_text()))
        used |= set(re.findall(r"\bqueries\.([a-z_][a-z0-9_]*)\b", module.read_text()))
    used -= {"require"}
    assert used, "no query references found: has the naming convention changed?"
    queries.require(*sorted(used))


def test_default_queries_are_loaded_once() -> None:
    assert default_queries() is default_queries()
