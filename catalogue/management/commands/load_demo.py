"""Load the demo catalogue (the Treaty of Berlin world) into an empty catalogue.

Wraps ``loaddata`` so that ``./dev serve`` can run it every time: it loads the
fixtures once and does nothing when the demo treaty is already there. The
loaded records get a first history version each.
"""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import Treaty

DEMO_FIXTURES = ["treaty_of_berlin"]
DEMO_TREATY = "treaty-of-berlin-1926"


class Command(BaseCommand):
    help = "Load the demo catalogue fixtures (once)."

    def handle(self, *args, **options):
        if Treaty.objects.filter(slug=DEMO_TREATY).exists():
            self.stdout.write("The demo catalogue is already loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", *DEMO_FIXTURES, verbosity=0)
            # loaddata writes no history: give every loaded record its first
            # version, so that curators see a history (and can revert) from the start.
            call_command("populate_history", auto=True, stdout=StringIO(), stderr=StringIO())
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo catalogue: {Treaty.objects.count()} treaties."))
