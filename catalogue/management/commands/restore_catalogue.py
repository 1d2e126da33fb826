"""Restore a backup made by backup_catalogue into an empty database (and MEDIA_ROOT)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from catalogue.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by backup_catalogue into the configured database, which must be empty "
        "(create one first), and its scans' files into MEDIA_ROOT. Checks every file's checksum before writing, "
        "and every table's row count after."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="the backup folder (with its manifest.json)")

    def handle(self, *args, folder, **options):
        counts = restore(folder)
        self.stdout.write(
            self.style.SUCCESS(f"Restored {len(counts)} tables ({sum(counts.values())} rows) from {folder}.")
        )
