# The pg_trgm extension, for the admin's "possible duplicate" check (trigram
# similarity of titles). CreateExtension does nothing on SQLite, which falls back
# to difflib (catalogue.forms.similar_titles).

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_search_and_old_slugs"),
    ]

    operations = [TrigramExtension()]
