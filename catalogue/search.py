"""Full-text search over treaties: the stored search document and vector, and the query side.

Why a stored document: a treaty's searchable text is spread over five tables
(titles in every language, summary, article texts, party names and their other
names). Joining them at query time cannot use an index and multiplies rows, so
the text is gathered once into ``Treaty.search_document`` whenever one of those
records changes (signals below, and ``manage.py rebuild_search`` after bulk
loads, which bypass signals).

* PostgreSQL: ``Treaty.search_vector`` holds the tsvector (GIN index from
  migration 0003): the title weighted A, the rest of the document weighted B,
  both through the English stemmer, so "treaties" finds "treaty". Queries use
  ``websearch_to_tsquery`` (quotes, ``or``, ``-word`` work) and are ranked.
* SQLite (and any other database): the document is stored case-folded and every
  word of the query must occur in it; relevance is approximated by counting the
  query's words found in the title. This finds the same records as PostgreSQL
  for simple, unstemmed words.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

SEARCH_CONFIG = "english"
MAX_QUERY_WORDS = 12
WORD_RE = re.compile(r"\w+", re.UNICODE)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# ---------------------------------------------------------------------------
# Building the stored document
# ---------------------------------------------------------------------------


def document_for(treaty) -> str:
    """The searchable text of one treaty, case-folded, one part per line.

    Reads ``titles``, ``articles`` and ``participations__state__other_names``;
    ``refresh()`` prefetches them so a batch costs a fixed number of queries.
    """
    parts: list[str] = [treaty.title, treaty.short_title]
    parts += [t.title for t in treaty.titles.all()]
    parts.append(treaty.summary)
    for article in treaty.articles.all():
        parts += [article.heading, article.summary, article.text]
    for participation in treaty.participations.all():
        parts.append(participation.state.name)
        parts += [n.name for n in participation.state.other_names.all()]
    return "\n".join(p.strip() for p in parts if p and p.strip()).casefold()


def vector_expression():
    """The tsvector of a treaty, computed in SQL from its own columns."""
    return SearchVector("title", config=SEARCH_CONFIG, weight="A") + SearchVector(
        "search_document", config=SEARCH_CONFIG, weight="B"
    )


def refresh(treaty_ids) -> int:
    """Recompute the search document (and on PostgreSQL the vector) of these treaties.

    A fixed number of queries whatever the number of treaties: one read with
    prefetches, one bulk update, and on PostgreSQL one UPDATE computing the vectors.
    """
    from .models import Treaty

    ids = [pk for pk in set(treaty_ids) if pk is not None]
    if not ids:
        return 0
    treaties = list(
        Treaty.objects.filter(pk__in=ids)
        .only("pk", "title", "short_title", "summary", "search_document")
        .prefetch_related("titles", "articles", "participations__state__other_names")
    )
    changed = []
    for treaty in treaties:
        document = document_for(treaty)
        if document != treaty.search_document:
            treaty.search_document = document
            changed.append(treaty)
    # bulk_update rather than save(): no history row, no signals, no timestamp for derived text.
    Treaty.objects.bulk_update(changed, ["search_document"], batch_size=500)
    if is_postgres():
        Treaty.objects.filter(pk__in=ids).update(search_vector=vector_expression())
    return len(treaties)


def rebuild_all(batch_size: int = 1000, stdout=None) -> int:
    """Rebuild every treaty's document and vector, in batches (after bulk loads)."""
    from .models import Treaty

    ids = list(Treaty.objects.order_by("pk").values_list("pk", flat=True))
    total = 0
    for start in range(0, len(ids), batch_size):
        total += refresh(ids[start : start + batch_size])
        if stdout is not None:
            stdout.write(f"{total} of {len(ids)} treaties indexed")
    return total


# ---------------------------------------------------------------------------
# Keeping it current
# ---------------------------------------------------------------------------


@receiver(post_save, sender="catalogue.Treaty", dispatch_uid="search_treaty_saved")
def treaty_saved(sender, instance, **kwargs):
    refresh([instance.pk])


def _part_changed(sender, instance, **kwargs):
    from .models import Treaty

    treaty_id = getattr(instance, "treaty_id", None)
    # A protocol's article has no treaty; a cascade delete may have removed the treaty already.
    if treaty_id is not None and Treaty.objects.filter(pk=treaty_id).exists():
        refresh([treaty_id])


def _state_changed(sender, instance, **kwargs):
    from .models import Participation, State

    state_id = instance.pk if isinstance(instance, State) else instance.state_id
    refresh(Participation.objects.filter(state_id=state_id).values_list("treaty_id", flat=True))


for _model in ("TreatyTitle", "Article", "Participation"):
    post_save.connect(_part_changed, sender=f"catalogue.{_model}", dispatch_uid=f"search_{_model}_saved")
    post_delete.connect(_part_changed, sender=f"catalogue.{_model}", dispatch_uid=f"search_{_model}_deleted")
post_save.connect(_state_changed, sender="catalogue.State", dispatch_uid="search_state_saved")
post_save.connect(_state_changed, sender="catalogue.StateName", dispatch_uid="search_statename_saved")
post_delete.connect(_state_changed, sender="catalogue.StateName", dispatch_uid="search_statename_deleted")


# ---------------------------------------------------------------------------
# Querying
# ---------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """The query's words, case-folded, at most MAX_QUERY_WORDS."""
    return WORD_RE.findall((text or "").casefold())[:MAX_QUERY_WORDS]


def _pg_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def filter_queryset(qs, text: str):
    """Treaties matching ``text``; an empty query (no words) matches nothing."""
    found = words(text)
    if not found:
        return qs.none()
    if is_postgres():
        return qs.filter(search_vector=_pg_query(text))
    condition = Q()
    for word in found:
        condition &= Q(search_document__contains=word)
    return qs.filter(condition)


def annotate_rank(qs, text: str):
    """Add ``rank`` (higher is better) for ordering by relevance."""
    if is_postgres():
        return qs.annotate(rank=SearchRank(F("search_vector"), _pg_query(text)))
    found = words(text)
    score = Value(0, output_field=IntegerField())
    for word in found:
        score = score + Case(
            When(title__icontains=word, then=Value(4)),
            default=Value(0),
            output_field=IntegerField(),
        )
        score = score + Case(
            When(search_document__contains=word, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return qs.annotate(rank=score)
