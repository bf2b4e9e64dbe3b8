"""The small-cell rule: a figure about fewer than 3 people is never shown on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SMALL_CELL_LIMIT = 3
OTHER = "other"


@dataclass(frozen=True)
class Row:
    """One category (a country, a language, a status) and its figures, one per series."""

    key: str
    values: tuple[int, ...]

    def is_small(self) -> bool:
        return any(0 < value < SMALL_CELL_LIMIT for value in self.values)


def merge_small(rows: Sequence[Row]) -> list[Row]:
    """Rows with a cell under the limit go into one "other" row.

    When "other" would itself hold a small cell, the smallest remaining row joins it too, so
    "other" never stands for a single small category that could be worked out.
    """
    # A category really called "other" (a request's topic) is the same bar as the merged one:
    # one "Other", never two.
    kept = [row for row in rows if not row.is_small() and any(row.values) and row.key != OTHER]
    merged = [row for row in rows if row.is_small() or row.key == OTHER]
    if not merged:
        return kept
    width = len(rows[0].values)
    other = Row(OTHER, _sum(merged, width))
    while other.is_small() and kept:
        smallest = min(kept, key=lambda row: (sum(row.values), row.key))
        kept.remove(smallest)
        other = Row(OTHER, _sum([other, smallest], width))
    return [*kept, other]


def _sum(rows: Sequence[Row], width: int) -> tuple[int, ...]:
    return tuple(sum(row.values[index] for row in rows) for index in range(width))
