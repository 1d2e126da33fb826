"""Back up the catalogue: the database (pg_dump custom format, or SQLite's backup API) and the scans' files."""

from pathlib import Path

from django.core.management.base import BaseCommand

from catalogue.backup import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the catalogue into a new folder: the database, the scans' files and a "
        "manifest with every table's row count and each file's checksum. Restore it with restore_catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a new (or empty) folder to write the backup into")

    def handle(self, *args, folder, **options):
        manifest = backup(folder)
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) and {len(manifest['media'])} scan files "
                f"into {folder}."
            )
        )
