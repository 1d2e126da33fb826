"""Run one command and print its wall time and peak memory: ``python -m benchmarks.rss -- CMD...``.

Why a wrapper process: ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the largest
peak of *all* children a process has waited for, so each measured command runs
as the only child of a fresh wrapper. Prints one JSON line:
``{"seconds": ..., "max_rss_mb": ..., "tree_pss_mb": ..., "returncode": ...}``.

``max_rss_mb`` is the peak of the largest single process. A command that forks
(the import checks records in a second process) holds memory in both, partly
shared, so the wrapper also samples, ten times a second, the proportional set
size (PSS: shared pages divided among the processes sharing them) summed over
the command's process tree: ``tree_pss_mb`` is its peak, the memory the
command as a whole needed (Linux only; 0 elsewhere).
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PROC = Path("/proc")


def _children(pid: int) -> list[int]:
    found = []
    for task in (PROC / str(pid) / "task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def tree_pss_kb(pid: int) -> int:
    """The summed PSS of ``pid`` and its descendants, in kilobytes (0 where /proc does not tell)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in (PROC / str(current) / "smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
        pending += _children(current)
    return total


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print("usage: python -m benchmarks.rss -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_tree = 0
    while process.poll() is None:
        peak_tree = max(peak_tree, tree_pss_kb(process.pid))
        time.sleep(0.1)
    stderr = process.stderr.read()
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "max_rss_mb": round(peak_kb / 1024, 1),
                "tree_pss_mb": round(peak_tree / 1024, 1),
                "returncode": process.returncode,
                "stderr": stderr[-2000:],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
