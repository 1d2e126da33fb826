"""Rebuild the derived images of scans (thumbnail and preview) from their masters.

Derived files are disposable: after changing their sizes or the rendering, or
after losing the derived folder, run this. The masters are only read.
"""

from django.core.management.base import BaseCommand, CommandError

from catalogue.images import derivatives_current, make_derivatives
from catalogue.models import Scan


class Command(BaseCommand):
    help = "Rebuild the thumbnail and preview of every scan (or of the scans named) from the master files."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these scans (by id).")
        parser.add_argument(
            "--missing",
            action="store_true",
            help="Only scans whose derived files are missing or out of date.",
        )

    def handle(self, *args, ids, missing, **options):
        scans = Scan.objects.order_by("pk")
        if ids:
            scans = scans.filter(pk__in=ids)
            unknown = sorted(set(ids) - set(scans.values_list("pk", flat=True)))
            if unknown:
                raise CommandError(f"No scan with id {', '.join(map(str, unknown))}.")
        rebuilt, failed = 0, []
        for scan in scans.iterator(chunk_size=200):
            if missing and derivatives_current(scan) and _files_exist(scan):
                continue
            try:
                make_derivatives(scan)
            except Exception as error:  # one bad master must not stop the others
                failed.append(f"scan {scan.pk} ({scan.image.name}): {error}")
                continue
            # Only the derived fields are written; the history records the rebuild.
            scan._change_reason = "Derived images rebuilt (rebuild_scan_derivatives)"
            scan.save(update_fields=["thumbnail", "preview"])
            rebuilt += 1
        self.stdout.write(f"Rebuilt the derived images of {rebuilt} scan(s).")
        if failed:
            raise CommandError("Could not rebuild:\n" + "\n".join(failed))


def _files_exist(scan) -> bool:
    storage = scan.thumbnail.storage
    return storage.exists(scan.thumbnail.name) and storage.exists(scan.preview.name)
