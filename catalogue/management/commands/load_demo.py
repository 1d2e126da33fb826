"""Load the demo catalogue (the Treaty of Berlin world) into an empty catalogue.

Wraps ``loaddata`` so that ``./dev serve`` can run it every time: it loads the
fixtures once and does nothing when the demo treaty is already there. The
loaded records get a first history version each.

The demo keeps one treaty as a draft, to show the workflow: the summary says
so, since the public pages count only the published ones.
"""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import Status, Treaty

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
        self.stdout.write(self.style.SUCCESS(summary()))


#: How a summary names records that are not published: (one, several).
NOT_PUBLIC = {
    Status.DRAFT: ("a draft", "drafts"),
    Status.REVIEW: ("in review", "in review"),
    Status.WITHDRAWN: ("withdrawn", "withdrawn"),
}


def summary() -> str:
    """How many treaties were loaded, how many the public sees, and which it does not (yet) see."""
    total = Treaty.objects.count()
    published = Treaty.objects.published().count()
    text = f"Loaded the demo catalogue: {total} treaties, of which {published} are published (shown to the public)"
    hidden = list(Treaty.objects.exclude(status=Status.PUBLISHED).order_by("title"))
    if not hidden:
        return text + "."
    parts = []
    for status, (one, several) in NOT_PUBLIC.items():
        count = sum(treaty.status == status for treaty in hidden)
        if count:
            parts.append(f"{count} is {one}" if count == 1 else f"{count} are {several}")
    titles = "; ".join(str(treaty) for treaty in hidden)
    return f"{text} and {', '.join(parts)}, seen only by curators: {titles}."
