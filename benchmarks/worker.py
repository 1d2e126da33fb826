"""One size's page measurements in a fresh process (``benchmarks.run`` starts it with DATABASE_URL set)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-admin", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()
    from . import measure

    def progress(case):
        admin = f"   admin {case.admin.median_ms:8.1f} ms" if case.admin else ""
        print(
            f"  {case.name:32} {case.public.median_ms:8.1f} ms  p95 {case.public.p95_ms:8.1f}  "
            f"first {case.public.first_ms:8.1f}  {case.public.queries:3} q  sql {case.public.sql_ms:7.1f}{admin}",
            flush=True,
        )

    result = measure.measure(
        size=args.size, warmup=args.warmup, repeat=args.repeat, admin=not args.no_admin, progress=progress
    )
    bad = measure.status_of(result)
    if bad:
        print(f"  not 200: {bad}", file=sys.stderr)
    Path(args.out).write_text(json.dumps(result.as_json(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
