"""Timing run for docs/import-format.md: import N generated treaties into the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/treaty_bench \\
        .venv/bin/python tests/data/bench_import.py 10000 [--tracemalloc]

Empties the database (flush!), makes the reference data the generated records name, writes a CSV of N
treaties to a temporary file, imports it (timed, peak memory from
``resource.getrusage``; with ``--tracemalloc`` also Python's own peak
allocation, which slows the run), then imports it again (all unchanged).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from catalogue import models as m  # noqa: E402
from catalogue.importing.readers import read_path  # noqa: E402
from catalogue.services import import_records  # noqa: E402
from tests.data.make_treaties import KINDS, PLACES, SERIES, SOURCES, STATES, SUBJECTS, write_csv  # noqa: E402


def reference_data():
    for n, name in enumerate(STATES):
        m.State.objects.get_or_create(code=f"S{n}", defaults={"name": name, "slug": f"state-{n}"})
    for name in PLACES:
        m.Place.objects.get_or_create(slug=name.lower(), defaults={"name": name})
    for name in KINDS:
        m.TreatyKind.objects.get_or_create(slug=name.lower(), defaults={"name": name})
    for name in SUBJECTS:
        m.Subject.objects.get_or_create(slug=name.lower(), defaults={"name": name})
    for abbreviation in SERIES:
        m.TreatySeries.objects.get_or_create(
            slug=abbreviation.lower(), defaults={"name": f"Series {abbreviation}", "abbreviation": abbreviation}
        )
    for key in SOURCES:
        m.Source.objects.get_or_create(key=key, defaults={"title": key})


def timed(path, label):
    started, cpu = time.perf_counter(), time.process_time()
    report = import_records(read_path(path), origin=path.name)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label}: {report.rows} rows in {elapsed:.1f} s = {report.rows / elapsed:.0f} rows/s "
        f"(this process's CPU: {cpu:.1f} s); "
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}; "
        f"peak RSS {peak_mb:.0f} MB"
    )


def main():
    count = int(sys.argv[1])
    use_tracemalloc = "--tracemalloc" in sys.argv
    # Start from an empty catalogue (a delete() of earlier runs would write history for every row).
    call_command("flush", interactive=False, verbosity=0)
    reference_data()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"treaties_{count}.csv"
        write_csv(path, count)
        print(
            f"file: {path.stat().st_size / 1e6:.1f} MB; start RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        if use_tracemalloc:
            tracemalloc.start()
        timed(path, "first import")
        timed(path, "second import")
        if use_tracemalloc:
            print(f"tracemalloc peak: {tracemalloc.get_traced_memory()[1] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
