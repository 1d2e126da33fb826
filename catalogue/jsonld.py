"""A treaty as linked data: JSON-LD in the schema.org vocabulary (``Legislation``).

Search engines and linked-data harvesters read schema.org; a treaty is a
``Legislation`` (a legally binding document) whose parties pass it. The context
is given inline (``@vocab``) rather than as the remote "https://schema.org"
document, so that a JSON-LD processor can expand the record without fetching
anything — offline, and without trusting a third-party server at read time.
"""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.safestring import mark_safe

from . import dates
from .cite import permalink, site_name

SCHEMA = "https://schema.org/"
CONTEXT = {
    "@vocab": SCHEMA,
    "url": {"@type": "@id"},
    "sameAs": {"@type": "@id"},
}


def iso_date(value: str) -> str | None:
    """An EDTF date as an ISO 8601 date of its precision (1926-04-24, 1926-04, 1926),
    or None where ISO cannot say it (approximate, uncertain, ranges)."""
    if not value or any(mark in value for mark in "~?%/[]{}X"):
        return None
    b = dates.bounds_or_none(value)
    if b is None:
        return None
    precision = dates.precision(value)
    if precision == "day":
        return b.earliest.isoformat()
    if precision == "month":
        return b.earliest.isoformat()[:7]
    if precision == "year":
        return f"{b.earliest.year:04d}"
    return None


def _wikidata(wikidata_id: str) -> list[str]:
    return [f"https://www.wikidata.org/wiki/{wikidata_id}"] if wikidata_id else []


def _place(place) -> dict | None:
    if place is None:
        return None
    node = {"@type": "Place", "name": place.name}
    if place.country:
        node["address"] = {"@type": "PostalAddress", "addressCountry": place.country}
    if place.latitude is not None and place.longitude is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    same = _wikidata(place.wikidata_id)
    if same:
        node["sameAs"] = same
    return node


def _party(participation) -> dict:
    state = participation.state
    node = {
        "@type": "Country",
        "@id": permalink(state),
        "name": state.name,
        "identifier": state.code,
        "url": permalink(state),
    }
    same = _wikidata(state.wikidata_id)
    if same:
        node["sameAs"] = same
    return node


def _legal_force(treaty, today) -> str | None:
    start = dates.bounds_or_none(treaty.entry_into_force)
    end = dates.bounds_or_none(treaty.ended)
    if start is None:
        return None
    if start.earliest <= today and (end is None or end.latest > today):
        return "InForce"
    return "NotInForce"


def treaty_jsonld(treaty) -> dict:
    """The JSON-LD document of one treaty. Reads only what ``for_detail()`` prefetches."""
    url = permalink(treaty)
    doc: dict = {
        "@context": CONTEXT,
        "@type": "Legislation",
        "@id": url,
        "url": url,
        "name": treaty.title,
        "legislationIdentifier": treaty.identifier or treaty.slug,
        "legislationType": treaty.kind.name,
        "isPartOf": {"@type": "Dataset", "name": site_name()},
        "dateModified": timezone.localtime(treaty.updated).isoformat() if treaty.updated else None,
    }
    alternate = [treaty.short_title] if treaty.short_title else []
    alternate += [title.title for title in treaty.titles.all()]
    if alternate:
        doc["alternateName"] = alternate
    signed = iso_date(treaty.signed)
    if signed:
        doc["legislationDate"] = signed
        doc["dateCreated"] = signed
    if treaty.signed:
        doc["temporal"] = dates.humanize(treaty.signed)
    in_force = iso_date(treaty.entry_into_force)
    ended = iso_date(treaty.ended)
    if in_force or ended:
        doc["temporalCoverage"] = f"{in_force or '..'}/{ended or '..'}"
    force = _legal_force(treaty, timezone.localdate())
    if force:
        doc["legislationLegalForce"] = {"@id": SCHEMA + force}
    parties = [_party(p) for p in treaty.participations.all()]
    if parties:
        doc["legislationPassedBy"] = parties
    place = _place(treaty.place_signed)
    if place:
        doc["locationCreated"] = place
    subjects = [subject.name for subject in treaty.subjects.all()]
    if subjects:
        doc["about"] = [{"@type": "Thing", "name": name} for name in subjects]
        doc["keywords"] = subjects
    if treaty.summary:
        doc["abstract"] = treaty.summary
    identifiers = [{"@type": "PropertyValue", "propertyID": "slug", "value": treaty.slug}]
    if treaty.identifier:
        identifiers.append({"@type": "PropertyValue", "propertyID": "identifier", "value": treaty.identifier})
    for registration in treaty.registrations.all():
        value = " ".join(
            bit
            for bit in (
                f"vol. {registration.volume}" if registration.volume else "",
                f"No. {registration.number}" if registration.number else "",
                f"p. {registration.pages}" if registration.pages else "",
            )
            if bit
        )
        identifiers.append(
            {
                "@type": "PropertyValue",
                "propertyID": registration.series.abbreviation,
                "value": value or registration.series.abbreviation,
            }
        )
    doc["identifier"] = identifiers
    if treaty.same_as_urls:
        doc["sameAs"] = treaty.same_as_urls
    return {key: value for key, value in doc.items() if value is not None}


def as_script(doc: dict) -> str:
    """JSON for a ``<script type="application/ld+json">`` element: ``<``, ``>`` and ``&``
    escaped so that no text in a record can close the script element."""
    text = json.dumps(doc, ensure_ascii=False)
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 — escaped above
