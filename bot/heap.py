"""The bot process's long-lived objects, kept out of the garbage collector's full passes.

What the bot loads at start (catalogs, Babel's locale data, the knowledge index, templates)
lives as long as the process. Python's collector walks every tracked object on each full pass,
so with all of that in its oldest generation a pass paused the event loop for tens of
milliseconds: 1% of board pages took 60 ms longer to render (benchmarks/console_requests.py).
Frozen once after start, those objects are left alone; what is made afterwards is collected
as before. Refcounting still frees a frozen object nobody uses any more.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


def settle() -> None:
    """Collect once, then move everything alive now out of the collector's walks."""
    gc.collect()
    gc.freeze()
    logger.debug("heap settled: %d objects frozen", gc.get_freeze_count())
