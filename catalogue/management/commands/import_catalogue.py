"""``manage.py import_catalogue FILE...``: import treaties from CSV, JSON or JSON Lines files.

All or nothing: every problem in every file is listed (file, line, column,
reason) and the command fails without changing the catalogue. ``--dry-run``
checks everything and writes nothing. See docs/import-format.md.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from catalogue.importing.errors import describe
from catalogue.importing.options import add_load_arguments, load_options
from catalogue.importing.readers import FORMATS, estimate_records, read_path
from catalogue.services import ImportFailed, import_records

SHOWN_ERRORS = 1000  # lines of problems (a name missing on many rows is one line)
SHOWN_NAMES = 20  # names listed per kind in the --create-missing summary
# For choosing --parallel by default from the files' size: a record of a generated CSV is about 1.2 kB.
BYTES_PER_RECORD = 1000


class Command(BaseCommand):
    help = "Import treaties from CSV, JSON or JSON Lines files (docs/import-format.md). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--dry-run", action="store_true", help="Check everything, write nothing.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create states, places, kinds, subjects and series the files name but the catalogue lacks.",
        )
        parser.add_argument("--format", choices=FORMATS, help="The files' format (default: from the extension).")
        parser.add_argument("--batch-size", type=int, default=1000, help="Records written per batch (default 1000).")
        parser.add_argument("--user", help="Username recorded in the history as the importer.")
        parser.add_argument("--reason", default="", help="Reason recorded in the history (default: the file names).")
        add_load_arguments(parser)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args, **options):
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"--user: no user is called “{options['user']}”") from None
        origin = ", ".join(path.name for path in paths)
        size = sum(path.stat().st_size for path in paths)
        bar = self._bar(options, paths)
        started = time.monotonic()

        def records():
            for path in paths:
                for line, record in read_path(path, options["format"]):
                    yield path.name, line, record

        try:
            report = import_records(
                records(),
                origin=origin,
                create_missing=options["create_missing"],
                dry_run=options["dry_run"],
                user=user,
                reason=options["reason"],
                batch_size=options["batch_size"],
                progress=bar.update if bar is not None else None,
                **load_options(options, size // BYTES_PER_RECORD),
            )
        except ImportFailed as failure:
            if bar is not None:
                bar.close()
            lines = describe(failure.errors)
            for line in lines[:SHOWN_ERRORS]:
                self.stderr.write(line)
            if len(lines) > SHOWN_ERRORS:
                self.stderr.write(f"... and {len(lines) - SHOWN_ERRORS} more lines")
            if failure.total > len(failure.errors):
                self.stderr.write(f"... and {failure.total - len(failure.errors)} more errors, not listed")
            raise CommandError(
                f"Import refused: {failure.total} error(s); nothing was written. "
                f"Summary: created 0, updated 0, unchanged 0, errors {failure.total}."
            ) from None
        if bar is not None:
            bar.close()
        elapsed = max(time.monotonic() - started, 1e-9)
        verb = "Dry run (nothing written)" if report.dry_run else "Imported"
        self.stdout.write(
            f"{verb}: {report.rows} record(s) in {elapsed:.1f} s ({report.rows / elapsed:.0f}/s). "
            f"Summary: created {report.created}, updated {report.updated}, unchanged {report.unchanged}, errors 0."
        )
        done = "Would create" if report.dry_run else "Created"
        for kind, names in sorted(report.created_references.items()):
            more = f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else ""
            self.stdout.write(f"{done} {len(names)} missing {kind}(s): {', '.join(names[:SHOWN_NAMES])}{more}.")

    def _bar(self, options, paths):
        """A progress bar (rows done, rate, time left) only when the output is a terminal."""
        if options["no_progress"] or not self.stdout.isatty():
            return None
        from tqdm import tqdm

        estimates = [estimate_records(path, options["format"]) for path in paths]
        total = sum(estimates) if all(estimates) else None
        return tqdm(total=total, unit=" rows", desc="Importing", dynamic_ncols=True, file=self.stdout._out)
