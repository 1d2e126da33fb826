"""``manage.py generate_catalogue --treaties N --seed S``: a synthetic, reproducible catalogue for the benchmarks.

Creates the reference data (states with their historical names and
successions, kinds, subjects, places, series, sources) in bulk, then feeds
generated records to the bulk import (``catalogue.services.import_records``),
the same path a real data load takes. ``--output FILE`` writes the records as
an import file instead (CSV, JSON or JSON Lines by extension), for timing the
import command itself. See ``catalogue/generate.py`` for the shape of the data.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue import generate
from catalogue.importing.csvformat import COLUMNS, record_to_row
from catalogue.importing.options import add_load_arguments, load_options
from catalogue.services import ImportFailed, import_records


class Command(BaseCommand):
    help = "Fill the catalogue with N synthetic treaties (seeded, reproducible), through the bulk import."

    def add_arguments(self, parser):
        parser.add_argument("--treaties", type=int, required=True, help="How many treaties to generate.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same catalogue.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Records written per batch (default 2000).")
        parser.add_argument(
            "--output",
            help="Write the records to this file (.csv, .json or .jsonl) instead of importing them.",
        )
        add_load_arguments(parser)
        parser.add_argument(
            "--reference-only", action="store_true", help="Create the reference data only, no treaties."
        )

    def handle(self, *args, **options):
        count, seed = options["treaties"], options["seed"]
        if count < 0:
            raise CommandError("--treaties must not be negative")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        output = Path(options["output"]) if options["output"] else None
        if output is not None and output.suffix not in (".csv", ".json", ".jsonl"):
            raise CommandError(f"--output: {output.name}: the name must end in .csv, .json or .jsonl")
        started = time.monotonic()
        if output is not None:
            records = generate.generate_records(count, seed=seed)
            write_records(records, output)
            self.stdout.write(f"Wrote {count} records to {output} in {time.monotonic() - started:.1f} s")
            return
        ref = generate.create_reference_data()
        self.stdout.write(
            f"Reference data: {len(ref.states)} states, {len(ref.kinds)} kinds, {len(ref.subjects)} subjects"
        )
        if options["reference_only"] or not count:
            return
        verbosity = options["verbosity"]
        done = 0

        def progress(n):
            nonlocal done
            done += n
            if verbosity > 1:
                self.stdout.write(f"  {done} records ({time.monotonic() - started:.0f} s)")

        records = enumerate(generate.generate_records(count, seed=seed, ref=ref), start=1)
        try:
            report = import_records(
                records,
                origin=f"generate_catalogue --seed {seed}",
                reason=generate.GENERATED_REASON,
                batch_size=options["batch_size"],
                progress=progress,
                **load_options(options, count),
            )
        except ImportFailed as failure:
            for problem in failure.errors[:20]:
                self.stderr.write(str(problem))
            raise CommandError(
                f"The generated records were refused ({failure.total} errors); nothing was written."
            ) from None
        self.stdout.write(
            f"Generated {count} treaties (seed {seed}): {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged in {time.monotonic() - started:.1f} s"
        )


def write_records(records, path: Path) -> None:
    """Write records as an import file, streaming (one record in memory at a time)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if path.suffix == ".csv":
            writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
            writer.writeheader()
            for record in records:
                writer.writerow(record_to_row(record))
        elif path.suffix == ".jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            handle.write("[\n")
            for n, record in enumerate(records):
                handle.write(("" if not n else ",\n") + json.dumps(record, ensure_ascii=False))
            handle.write("\n]\n")
