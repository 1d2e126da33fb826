"""Rebuild every treaty's stored search document (and on PostgreSQL its search vector).

Run it after bulk loads (``bulk_create``, raw SQL, ``loaddata``), which bypass the
signals that keep search current record by record.
"""

from django.core.management.base import BaseCommand, CommandError

from catalogue import search


class Command(BaseCommand):
    help = "Rebuild the full-text search document and vector of every treaty."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Treaties per batch (default 1000).",
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be a positive number of treaties.")
        done = search.rebuild_all(batch_size=batch_size, stdout=self.stdout if options["verbosity"] > 1 else None)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the search index of {done} treaties."))
