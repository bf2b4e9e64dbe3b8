"""Run a module under cProfile timed by CPU time, not wall time: on a shared machine a wall
clock charges a function for the moments the process was waiting for a core.

    python benchmarks/cpu_profile.py OUT.prof -m bot run

The figures are written to OUT.prof when the module returns (SIGTERM stops the bot cleanly);
read them with ``python -m pstats OUT.prof``.
"""

from __future__ import annotations

import cProfile
import runpy
import sys
import time


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "-m":
        raise SystemExit(__doc__)
    out, module = sys.argv[1], sys.argv[3]
    sys.argv = [module, *sys.argv[4:]]
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        profiler.disable()
        profiler.dump_stats(out)


if __name__ == "__main__":
    main()
