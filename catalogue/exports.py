"""Downloads: every list page as CSV and JSON (all matching records), citation files
for a record or a whole result list, and each treaty as JSON and JSON-LD.

A list export applies the list page's own FilterSet to the same published
records, so a download holds exactly what the page lists (every page of it).
Exports are streamed: rows are read with ``.iterator(chunk_size=...)``, which
fetches and prefetches one chunk at a time, and written as they come, so memory
does not grow with the size of the catalogue.

The treaty CSV and JSON use the import format (``catalogue.importing``): a
downloaded file can be imported again.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import cite, jsonld
from .importing.csvformat import guard_cell
from .models import (
    Citation,
    Event,
    Participation,
    Protocol,
    Registration,
    Source,
    State,
    Status,
    Subject,
    Treaty,
    TreatyTitle,
)

CHUNK_SIZE = 500

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl.json": "application/vnd.citationstyles.csl+json",
}


class BadQuery(Exception):
    """The list's filter parameters did not validate; carries the reasons by field."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


def refuse_nul(params) -> None:
    """A NUL character cannot be sent to PostgreSQL in a query: refuse it as bad input."""
    bad = {
        key: [{"message": _("This value holds a NUL character."), "code": "nul"}]
        for key in params
        if any("\x00" in value for value in params.getlist(key)) or "\x00" in key
    }
    if bad:
        raise BadQuery(bad)


def bad_request(errors: dict) -> JsonResponse:
    return JsonResponse({"detail": _("The query is not valid."), "errors": errors}, status=400)


# --------------------------------------------------------------------------
# Streaming writers
# --------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands back the text, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def _safe_cell(value) -> str:
    """A cell a spreadsheet cannot run as a formula (``csvformat.guard_cell``); the import undoes it."""
    if value is None:
        return ""
    return guard_cell(value if isinstance(value, str) else str(value))


def stream_csv(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """A CSV file written row by row, every cell neutralised against formula injection."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_safe_cell(value) for value in row])


def stream_json_list(items: Iterable) -> Iterator[str]:
    """A JSON array written item by item."""
    yield "[\n"
    first = True
    for item in items:
        if not first:
            yield ",\n"
        first = False
        yield json.dumps(item, cls=DjangoJSONEncoder, ensure_ascii=False)
    yield "\n]\n"


def streaming_response(chunks: Iterable[str], fmt: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_citations(records: Iterable, fmt: str) -> Iterator[str]:
    """Citation files written one record at a time (BibTeX and RIS are concatenations)."""
    if fmt == "csl.json":
        yield from stream_json_list(cite.csl_item(record) for record in records)
    elif fmt == "bib":
        records = iter(records)
        while batch := list(islice(records, 200)):  # the writer has a cost per call, not per entry
            yield cite.to_bibtex(batch) + "\n"
    else:
        for record in records:
            yield cite.to_ris([record])


# --------------------------------------------------------------------------
# The records a list page shows
# --------------------------------------------------------------------------


def treaties_for_export(request):
    """The published treaties the treaty list shows for this query, in its order, ready to export.

    The list page quietly drops bad parameters (and says so); a download link is
    built from the cleaned query, so a bad parameter here is a hand-made URL and
    gets a 400 with the reasons.
    """
    from .filters import TreatyFilterSet

    refuse_nul(request.GET)
    filterset = TreatyFilterSet(request.GET, queryset=Treaty.objects.published(), request=request)
    if not filterset.is_valid():
        raise BadQuery(filterset.errors.get_json_data())
    return filterset.qs.select_related("kind", "place_signed", "ratifications_place")


def in_chunks(queryset, load: Callable[[list], None] | None = None) -> Iterator:
    """The queryset's rows, read ``CHUNK_SIZE`` at a time; ``load`` fetches the parts of each chunk."""
    rows = queryset.iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        if load is not None:
            load(chunk)
        yield from chunk


def _hand_over(instance, name: str, model, items: list) -> None:
    """Give ``instance.<name>.all()`` these rows, as ``prefetch_related`` does."""
    queryset = QuerySet(model=model)
    queryset._result_cache = items
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _grouped(queryset, key: str, ids) -> dict:
    groups: dict = defaultdict(list)
    for item in queryset.filter(**{f"{key}__in": ids}):
        groups[getattr(item, key)].append(item)
    return groups


def load_record_parts(treaties: list) -> None:
    """Everything ``treaty_to_record`` reads for a chunk of treaties: one query per relation.

    The same rows ``for_export()``'s ``prefetch_related`` would fetch. Why not
    that: for every treaty and relation Django builds a filtered QuerySet just
    to hold the prefetched rows, which was most of an export's time (37 of 48
    seconds for 20,000 treaties, profiled); here each relation costs one query
    and a dictionary.
    """
    ids = [treaty.pk for treaty in treaties]
    through = Treaty.subjects.through
    subjects = _grouped(through.objects.select_related("subject"), "treaty_id", ids)
    parts = {
        "titles": (TreatyTitle, _grouped(TreatyTitle.objects.all(), "treaty_id", ids)),
        "participations": (
            Participation,
            _grouped(Participation.objects.select_related("state"), "treaty_id", ids),
        ),
        "registrations": (
            Registration,
            _grouped(Registration.objects.select_related("series"), "treaty_id", ids),
        ),
        "citations": (Citation, _grouped(Citation.objects.select_related("source"), "treaty_id", ids)),
        "events": (Event, _grouped(Event.objects.all(), "treaty_id", ids)),
        "protocols": (
            Protocol,
            _grouped(Protocol.objects.published().select_related("place_signed"), "treaty_id", ids),
        ),
    }
    protocols = [p for group in parts["protocols"][1].values() for p in group]
    protocol_registrations = _grouped(
        Registration.objects.select_related("series"), "protocol_id", [p.pk for p in protocols]
    )
    for protocol in protocols:
        _hand_over(protocol, "registrations", Registration, protocol_registrations.get(protocol.pk, []))
    for treaty in treaties:
        _hand_over(treaty, "subjects", Subject, [row.subject for row in subjects.get(treaty.pk, [])])
        for name, (model, groups) in parts.items():
            _hand_over(treaty, name, model, groups.get(treaty.pk, []))


def for_export(queryset):
    """Treaties with every part a treaty export reads, in a fixed number of queries."""
    return queryset.select_related("kind", "place_signed", "ratifications_place").prefetch_related(*treaty_prefetch())


def treaty_prefetch():
    """What ``treaty_to_record`` reads (``importing.records.record_prefetch``), except that a
    public export holds only the published protocols of a treaty."""
    from .importing.records import record_prefetch

    published = Prefetch(
        "protocols",
        queryset=Protocol.objects.published()
        .select_related("place_signed")
        .order_by("signed_earliest", "slug")
        .prefetch_related(
            Prefetch("registrations", queryset=Registration.objects.select_related("series").order_by("pk"))
        ),
    )
    lookups = [item for item in record_prefetch() if getattr(item, "prefetch_to", item) != "protocols"]
    return (*lookups, published)


def treaty_record(treaty) -> dict:
    """A treaty in the import format (``catalogue.importing.records``)."""
    from .importing.records import treaty_to_record

    return treaty_to_record(treaty)


def treaty_csv(treaties: Iterable) -> Iterator[str]:
    from .importing.csvformat import COLUMNS, record_to_row

    return stream_csv(list(COLUMNS), (_row(record_to_row(treaty_record(t)), COLUMNS) for t in treaties))


def _row(row, columns) -> list:
    return [row.get(column, "") for column in columns] if isinstance(row, dict) else list(row)


# --------------------------------------------------------------------------
# List exports
# --------------------------------------------------------------------------


@require_safe
def treaty_list_export(request, fmt: str):
    try:
        queryset = treaties_for_export(request)
    except BadQuery as error:
        return bad_request(error.errors)
    if fmt == "csv":
        return streaming_response(treaty_csv(in_chunks(queryset, load_record_parts)), fmt, "treaties.csv")
    if fmt == "json":
        records = (treaty_record(t) for t in in_chunks(queryset, load_record_parts))
        return streaming_response(stream_json_list(records), fmt, "treaties.json")
    # A citation reads only the treaty's own row, its kind and place (selected with it).
    return streaming_response(stream_citations(in_chunks(queryset), fmt), fmt, f"treaties.{fmt}")


PROTOCOL_COLUMNS = (
    "slug",
    "title",
    "kind",
    "treaty",
    "treaty_title",
    "signed",
    "place_signed",
    "ratified",
    "entry_into_force",
    "effect",
    "prolongation",
    "registrations",
    "summary",
    "url",
)


def protocol_row(protocol) -> dict:
    return {
        "slug": protocol.slug,
        "title": protocol.title,
        "kind": protocol.kind,
        "treaty": protocol.treaty.slug,
        "treaty_title": protocol.treaty.title,
        "signed": protocol.signed,
        "place_signed": protocol.place_signed.name if protocol.place_signed else "",
        "ratified": protocol.ratified,
        "entry_into_force": protocol.entry_into_force,
        "effect": protocol.effect,
        "prolongation": protocol.prolongation,
        "registrations": " | ".join(_registration_text(r) for r in protocol.registrations.all()),
        "summary": protocol.summary,
        "url": cite.permalink(protocol),
    }


def _registration_text(registration) -> str:
    bits = [registration.series.abbreviation]
    if registration.volume:
        bits.append(f"vol. {registration.volume}")
    if registration.number:
        bits.append(f"No. {registration.number}")
    if registration.pages:
        bits.append(f"p. {registration.pages}")
    return " ".join(bits)


@require_safe
def protocol_list_export(request, fmt: str):
    queryset = (
        Protocol.objects.published()
        .select_related("treaty", "place_signed")
        .prefetch_related(Prefetch("registrations", queryset=Registration.objects.select_related("series")))
        .order_by("signed_earliest", "title", "pk")
    )
    return _data_response(queryset, fmt, PROTOCOL_COLUMNS, protocol_row, "protocols")


STATE_COLUMNS = ("code", "name", "slug", "existed", "other_names", "wikidata_id", "treaty_count", "url")


def state_row(state) -> dict:
    return {
        "code": state.code,
        "name": state.name,
        "slug": state.slug,
        "existed": state.existed,
        "other_names": " | ".join(
            f"{n.name} [{n.language}]" if n.language else n.name for n in state.other_names.all()
        ),
        "wikidata_id": state.wikidata_id,
        "treaty_count": state.treaty_count,
        "url": cite.permalink(state),
    }


@require_safe
def state_list_export(request, fmt: str):
    queryset = State.objects.parties().prefetch_related("other_names")
    return _data_response(queryset, fmt, STATE_COLUMNS, state_row, "parties")


SOURCE_COLUMNS = (
    "key",
    "kind",
    "authors",
    "editors",
    "title",
    "container_title",
    "publisher",
    "place_published",
    "year",
    "isbn",
    "doi",
    "url",
    "accessed",
    "language",
    "note",
)


def source_row(source) -> dict:
    return {column: getattr(source, column) if getattr(source, column) is not None else "" for column in SOURCE_COLUMNS}


@require_safe
def source_list_export(request, fmt: str):
    queryset = Source.objects.order_by("authors", "title", "pk")
    if fmt in ("bib", "ris", "csl.json"):
        return streaming_response(
            stream_citations(queryset.iterator(chunk_size=CHUNK_SIZE), fmt), fmt, f"sources.{fmt}"
        )
    return _data_response(queryset, fmt, SOURCE_COLUMNS, source_row, "sources")


def _data_response(queryset, fmt: str, columns, to_row: Callable, name: str):
    rows = (to_row(record) for record in queryset.iterator(chunk_size=CHUNK_SIZE))
    if fmt == "csv":
        chunks = stream_csv(list(columns), ([row[c] for c in columns] for row in rows))
    else:
        chunks = stream_json_list(rows)
    return streaming_response(chunks, fmt, f"{name}.{fmt}")


# --------------------------------------------------------------------------
# One record
# --------------------------------------------------------------------------


def _record_response(text: str, fmt: str, filename: str, *, download: bool) -> HttpResponse:
    response = HttpResponse(text, content_type=CONTENT_TYPES[fmt])
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _not_public(candidates) -> JsonResponse:
    """410 Gone for a withdrawn record (as its page answers), else 404: the same public rules."""
    withdrawn = candidates.filter(status=Status.WITHDRAWN).first()
    if withdrawn is None:
        raise Http404(_("No published record has this address."))
    return JsonResponse(
        {"detail": _("This record has been withdrawn."), "withdrawal_note": withdrawn.withdrawal_note}, status=410
    )


def _citation_file(record, fmt: str) -> str:
    if fmt == "bib":
        return cite.to_bibtex([record])
    if fmt == "ris":
        return cite.to_ris([record])
    return cite.to_csl_json([record])


@require_safe
def treaty_export(request, slug: str, fmt: str):
    treaty = for_export(Treaty.objects.published()).filter(slug=slug).first()
    if treaty is None:
        return _not_public(Treaty.objects.filter(slug=slug))
    if fmt == "json":
        text = json.dumps(treaty_record(treaty), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return _record_response(text, fmt, f"{slug}.json", download=False)
    if fmt == "jsonld":
        text = json.dumps(jsonld.treaty_jsonld(treaty), ensure_ascii=False, indent=2)
        return _record_response(text, fmt, f"{slug}.jsonld", download=False)
    return _record_response(_citation_file(treaty, fmt), fmt, f"{slug}.{fmt}", download=True)


@require_safe
def protocol_export(request, slug: str, fmt: str):
    protocol = Protocol.objects.published().select_related("treaty", "place_signed").filter(slug=slug).first()
    if protocol is None:
        return _not_public(Protocol.objects.filter(slug=slug, treaty__status=Status.PUBLISHED))
    return _record_response(_citation_file(protocol, fmt), fmt, f"{slug}.{fmt}", download=True)


@require_safe
def source_export(request, slug: str, fmt: str):
    source = get_object_or_404(Source, key=slug)
    if fmt == "json":
        text = json.dumps(source_row(source), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        return _record_response(text, fmt, f"{slug}.json", download=False)
    return _record_response(_citation_file(source, fmt), fmt, f"{slug}.{fmt}", download=True)
