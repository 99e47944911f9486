"""Named SQL queries loaded once from `queries/*.sql` (one file per table).

Each query is preceded by a `-- name: query_name` line and uses `$1`-style
parameters, so the SQL stays readable and nothing is string-built at run time."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

QUERIES_DIR = Path(__file__).parent / "queries"
_NAME_LINE = re.compile(r"^--\s*name:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*$")


class UnknownQueryError(KeyError, AttributeError):
    """A query name that no .sql file defines (both kinds, so getattr() and [] agree)."""


class Queries(Mapping[str, str]):
    """Read-only name -> SQL mapping, also reachable as attributes (`queries.get_subscriber`)."""

    def __init__(self, queries: Mapping[str, str]) -> None:
        self._queries = dict(queries)

    def __getitem__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQueryError(name) from None

    def __getattr__(self, name: str) -> str:
        # Only called for names that are not real attributes.
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def require(self, *names: str) -> None:
        """Fail now, with every missing name, rather than on a later code path."""
        missing = [name for name in names if name not in self._queries]
        if missing:
            raise UnknownQueryError(", ".join(missing))


def parse_sql(text: str, source: str = "<sql>") -> dict[str, str]:
    """Split one .sql file into its named queries."""
    queries: dict[str, str] = {}
    name: str | None = None
    body: list[str] = []

    def flush() -> None:
        # Comments just above the next name line describe that query, not this one.
        while body and (not body[-1].strip() or body[-1].lstrip().startswith("--")):
            body.pop()
        sql = "\n".join(body).strip()
        if name is None:
            # Only comments and blank lines may precede the first name line.
            if any(line.strip() and not line.lstrip().startswith("--") for line in body):
                raise ValueError(f"{source}: SQL before the first '-- name:' line")
            return
        if not sql:
            raise ValueError(f"{source}: query '{name}' is empty")
        queries[name] = sql

    for line in text.splitlines():
        match = _NAME_LINE.match(line.strip())
        if match is None:
            body.append(line)
            continue
        flush()
        name, body = match.group("name"), []
        if name in queries:
            raise ValueError(f"{source}: query '{name}' is defined twice")
    flush()
    return queries


def load_queries(directory: Path = QUERIES_DIR) -> Queries:
    """Load every `*.sql` file in directory; names must be unique across files."""
    found: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.sql")):
        for name, sql in parse_sql(path.read_text(encoding="utf-8"), path.name).items():
            if name in found:
                raise ValueError(f"query '{name}' is in both {origin[name]} and {path.name}")
            found[name], origin[name] = sql, path.name
    return Queries(found)


@cache
def default_queries() -> Queries:
    """The package's queries, read from disk once per process."""
    return load_queries()
