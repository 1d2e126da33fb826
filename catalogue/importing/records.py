"""The import record: one dict per treaty, the shape shared by the import, the exports and the scale tests.

``treaty_to_record`` is the inverse of the import: a treaty (with its parts
prefetched, see ``RECORD_PREFETCH``) becomes the record that imports back to
the same treaty. It reads every relation through ``.all()`` so that a caller's
prefetches are used and no query is made per treaty.

Names rather than codes are written for states, places, kinds and subjects so
that a file is readable and, imported with ``--create-missing`` into an empty
catalogue, recreates the same names. The import accepts a state's code, name
or any other name; a place's, kind's or subject's name or slug; a series'
abbreviation or slug; a source's key.
"""

from __future__ import annotations

from django.db.models import Prefetch

# The record's keys, in the order files are written.
TREATY_FIELDS = (
    "title",
    "short_title",
    "slug",
    "kind",
    "subjects",
    "status",
    "secret",
    "signed",
    "place_signed",
    "ratifications_exchanged",
    "ratifications_place",
    "entry_into_force",
    "duration",
    "ended",
    "end_kind",
    "summary",
    "same_as",
)
LIST_KEYS = ("titles", "parties", "registrations", "protocols", "citations", "events")
RECORD_KEYS = ("id", *TREATY_FIELDS, *LIST_KEYS)
# Accepted in place of "id": the source data set and the record's id in it (id = "<dataset>:<dataset_id>").
ID_PARTS = ("dataset", "dataset_id")

TITLE_KEYS = ("title", "language", "kind")
PARTY_KEYS = ("state", "role", "signed", "ratified", "acceded", "denounced")
REGISTRATION_KEYS = ("series", "number", "volume", "first_page", "last_page", "registered")
PROTOCOL_KEYS = (
    "title",
    "slug",
    "kind",
    "status",
    "signed",
    "place_signed",
    "ratified",
    "entry_into_force",
    "effect",
    "prolongation",
    "summary",
    "registrations",
)
CITATION_KEYS = ("source", "fact", "locator", "claim", "quotation", "note")
EVENT_KEYS = ("slug", "title", "date", "description")

ITEM_KEYS = {
    "titles": TITLE_KEYS,
    "parties": PARTY_KEYS,
    "registrations": REGISTRATION_KEYS,
    "protocols": PROTOCOL_KEYS,
    "citations": CITATION_KEYS,
    "events": EVENT_KEYS,
}


def record_prefetch():
    """Prefetches that let ``treaty_to_record`` read a treaty without further queries."""
    from ..models import Citation, Participation, Protocol, Registration, TreatyTitle

    registrations = Registration.objects.select_related("series").order_by("series__abbreviation", "pk")
    return (
        "subjects",
        Prefetch("titles", queryset=TreatyTitle.objects.order_by("language", "title", "pk")),
        Prefetch("participations", queryset=Participation.objects.select_related("state").order_by("position", "pk")),
        Prefetch("registrations", queryset=registrations),
        Prefetch(
            "protocols",
            queryset=Protocol.objects.select_related("place_signed")
            .order_by("signed_earliest", "slug")
            .prefetch_related(Prefetch("registrations", queryset=registrations)),
        ),
        Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("position", "pk")),
        "events",
    )


def record_queryset(queryset=None):
    """Treaties ready for ``treaty_to_record``."""
    from ..models import Treaty

    queryset = Treaty.objects.all() if queryset is None else queryset
    return queryset.select_related("kind", "place_signed", "ratifications_place").prefetch_related(*record_prefetch())


def _dated(day, slug) -> tuple:
    """Sort key: by date (undated last), then slug."""
    return (day is None, day or "", slug)


def _name(obj) -> str:
    return obj.name if obj is not None else ""


def registration_to_record(registration) -> dict:
    return {
        "series": registration.series.abbreviation,
        "number": registration.number,
        "volume": registration.volume,
        "first_page": registration.first_page,
        "last_page": registration.last_page,
        "registered": registration.registered,
    }


def _by_series(registrations) -> list[dict]:
    return sorted((registration_to_record(r) for r in registrations), key=lambda item: item["series"])


def protocol_to_record(protocol) -> dict:
    return {
        "title": protocol.title,
        "slug": protocol.slug,
        "kind": protocol.kind,
        "status": protocol.status,
        "signed": protocol.signed,
        "place_signed": _name(protocol.place_signed),
        "ratified": protocol.ratified,
        "entry_into_force": protocol.entry_into_force,
        "effect": protocol.effect,
        "prolongation": protocol.prolongation,
        "summary": protocol.summary,
        "registrations": _by_series(protocol.registrations.all()),
    }


def treaty_to_record(treaty) -> dict:
    """The import record of a treaty; importing it gives back the same treaty (see module docstring)."""
    participations = sorted(treaty.participations.all(), key=lambda p: (p.position, p.pk))
    citations = sorted(treaty.citations.all(), key=lambda c: (c.position, c.pk))
    return {
        "id": treaty.identifier,
        "title": treaty.title,
        "short_title": treaty.short_title,
        "slug": treaty.slug,
        "kind": treaty.kind.name,
        "subjects": sorted(subject.name for subject in treaty.subjects.all()),
        "status": treaty.status,
        "secret": treaty.secret,
        "signed": treaty.signed,
        "place_signed": _name(treaty.place_signed),
        "ratifications_exchanged": treaty.ratifications_exchanged,
        "ratifications_place": _name(treaty.ratifications_place),
        "entry_into_force": treaty.entry_into_force,
        "duration": treaty.duration,
        "ended": treaty.ended,
        "end_kind": treaty.end_kind,
        "summary": treaty.summary,
        "same_as": treaty.same_as_urls,
        "titles": [
            {"title": t.title, "language": t.language, "kind": t.kind}
            for t in sorted(treaty.titles.all(), key=lambda t: (t.language, t.title))
        ],
        "parties": [
            {
                "state": p.state.name,
                "role": p.role,
                "signed": p.signed,
                "ratified": p.ratified,
                "acceded": p.acceded,
                "denounced": p.denounced,
            }
            for p in participations
        ],
        "registrations": _by_series(treaty.registrations.all()),
        "protocols": [
            protocol_to_record(p)
            for p in sorted(treaty.protocols.all(), key=lambda p: _dated(p.signed_earliest, p.slug))
        ],
        "citations": [
            {
                "source": c.source.key,
                "fact": c.fact,
                "locator": c.locator,
                "claim": c.claim,
                "quotation": c.quotation,
                "note": c.note,
            }
            for c in citations
        ],
        "events": [
            {"slug": e.slug, "title": e.title, "date": e.date, "description": e.description}
            for e in sorted(treaty.events.all(), key=lambda e: _dated(e.date_earliest, e.slug))
        ],
    }
