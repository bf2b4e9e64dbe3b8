"""The bot's start-up objects are frozen out of the garbage collector's full passes."""

from __future__ import annotations

import gc

from bot import heap


def test_settling_freezes_what_is_alive_and_leaves_new_objects_to_the_collector() -> None:
    gc.unfreeze()
    try:
        heap.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        made_after = [[index] for index in range(1000)]
        assert gc.get_freeze_count() == frozen  # new objects are collected as before
        assert all(gc.is_tracked(item) for item in made_after)
    finally:
        gc.unfreeze()
