"""Many rows at once, for generated databases (test fixtures and benchmarks), not for the bot."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from storage.db import Database

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


async def insert_rows(db: Database, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (all with the keys of the first) into one table in one transaction."""
    if not rows:
        return
    columns = list(rows[0])
    for name in (table, *columns):
        if not _IDENTIFIER.match(name):
            raise ValueError(f"not a plain SQL name: {name!r}")
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)})"
        f" VALUES ({', '.join(':' + column for column in columns)})"
    )
    async with db.transaction() as tx:
        await tx.executemany(sql, rows)
