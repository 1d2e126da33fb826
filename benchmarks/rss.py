"""Run one command and print its wall time and peak memory: ``python -m benchmarks.rss -- CMD...``.

Why a wrapper process: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest
peak of *all* children a process has waited for, so each measured command runs
as the only child of a fresh wrapper. Prints one JSON line:
``{"seconds": ..., "max_rss_mb": ..., "returncode": ...}``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("usage: python -m benchmarks.rss -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    started = time.perf_counter()
    completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "max_rss_mb": round(peak_kb / 1024, 1),
                "returncode": completed.returncode,
                "stderr": completed.stderr[-2000:],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
