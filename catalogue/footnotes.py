"""Facts with footnotes: what a detail page shows, each fact tied to the citations that back it.

Why a collector: footnote numbers run through the whole page in reading order
(facts, parties, protocols, registrations, events, relations), while citations
hang off six kinds of record. ``Footnotes.mark()`` numbers citations as the
page's sections are built, so the template only reads values: each fact has its
markers, and ``notes`` lists every citation once, at the foot, by number.

Where sources disagree (several citations of one fact with a ``claim``), the
fact carries each claim with its own marker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import dates
from .models import INVERSE_RELATION_LABELS, Citation, Participation, Protocol, Registration, Treaty


@dataclass
class Note:
    number: int
    citation: Citation

    @property
    def anchor(self) -> str:
        return f"fn-{self.number}"

    @property
    def ref_anchor(self) -> str:
        return f"ref-{self.number}"


class Footnotes:
    def __init__(self):
        self.notes: list[Note] = []
        self._numbers: dict[int, int] = {}

    def mark(self, citations) -> list[Note]:
        marked = []
        for citation in citations:
            if citation.pk not in self._numbers:
                self._numbers[citation.pk] = len(self.notes) + 1
                self.notes.append(Note(len(self.notes) + 1, citation))
            marked.append(self.notes[self._numbers[citation.pk] - 1])
        return marked

    def __iter__(self):
        return iter(self.notes)

    def __len__(self):
        return len(self.notes)


@dataclass
class Claim:
    text: str
    notes: list[Note]


@dataclass
class Fact:
    name: str
    label: str
    value: str
    notes: list[Note] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    url: str = ""

    @property
    def disputed(self) -> bool:
        return len(self.claims) > 1


def by_fact(citations) -> dict[str, list[Citation]]:
    grouped: dict[str, list[Citation]] = defaultdict(list)
    for citation in citations:
        grouped[citation.fact].append(citation)
    return grouped


def make_fact(name, label, value, cited, notes: Footnotes, url="") -> Fact | None:
    """A fact row, or None when there is neither a value nor a citation."""
    citations = cited.get(name, [])
    if not value and not citations:
        return None
    plain = [c for c in citations if not c.claim]
    claims = [c for c in citations if c.claim]
    fact = Fact(name=name, label=str(label), value=str(value or ""), url=url)
    fact.notes = notes.mark(plain)
    for citation in claims:
        fact.claims.append(Claim(citation.claim, notes.mark([citation])))
    return fact


def _place(place) -> str:
    return place.name if place else ""


def _facts(record, cited, notes, values: dict, urls: dict | None = None) -> list[Fact]:
    facts = []
    for name, label in type(record).citable_facts.items():
        if name not in values:
            continue
        fact = make_fact(name, label, values[name], cited, notes, (urls or {}).get(name, ""))
        if fact:
            facts.append(fact)
    return facts


def treaty_facts(treaty: Treaty, cited, notes) -> list[Fact]:
    values = {
        "title": treaty.title,
        "kind": treaty.kind.name if treaty.kind_id else "",
        "subjects": ", ".join(s.name for s in treaty.subjects.all()),
        "signed": treaty.signed_display,
        "place_signed": _place(treaty.place_signed),
        "parties": ", ".join(p.state.name for p in treaty.participations.all()),
        "ratifications_exchanged": treaty.ratifications_exchanged_display,
        "ratifications_place": _place(treaty.ratifications_place),
        "entry_into_force": treaty.entry_into_force_display,
        "duration": treaty.duration,
        "ended": treaty.ended_display,
        "end_kind": treaty.get_end_kind_display() if treaty.end_kind else "",
        "secret": str(_("Yes, concluded as a secret treaty")) if treaty.secret else "",
        "reception": "",
    }
    return _facts(treaty, cited, notes, values)


@dataclass
class PartyRow:
    participation: Participation
    facts: dict[str, Fact]
    notes: list[Note]


@dataclass
class InstrumentRow:
    record: object
    facts: dict[str, Fact]
    notes: list[Note]


def _registration_rows(registrations, notes) -> list[InstrumentRow]:
    rows = []
    for registration in registrations:
        cited = by_fact(registration.citations.all())
        values = {
            "registered": registration.registered_display,
            "number": registration.number,
            "volume": str(registration.volume or ""),
            "pages": registration.pages,
        }
        facts = {f.name: f for f in _facts(registration, cited, notes, values)}
        rows.append(InstrumentRow(registration, facts, notes.mark(cited.get("", []))))
    return rows


def protocol_facts(protocol: Protocol, cited, notes) -> list[Fact]:
    values = {
        "title": protocol.title,
        "kind": protocol.get_kind_display(),
        "signed": protocol.signed_display,
        "place_signed": _place(protocol.place_signed),
        "ratified": protocol.ratified_display,
        "entry_into_force": protocol.entry_into_force_display,
        "effect": protocol.get_effect_display() if protocol.effect else "",
        "prolongation": protocol.prolongation,
        "summary": "",
    }
    return _facts(protocol, cited, notes, values)


def detail_sections(treaty: Treaty, notes: Footnotes) -> dict:
    """Everything the treaty page shows, in reading order, with footnotes numbered as they appear."""
    cited = by_fact(treaty.citations.all())
    context = {"record_notes": notes.mark(cited.get("", []))}
    context["facts"] = treaty_facts(treaty, cited, notes)
    context["summary_notes"] = notes.mark(cited.get("summary", []))
    parties = []
    for participation in treaty.participations.all():
        p_cited = by_fact(participation.citations.all())
        values = {
            "role": participation.get_role_display(),
            "signed": dates.humanize(participation.signed),
            "ratified": dates.humanize(participation.ratified),
            "acceded": dates.humanize(participation.acceded),
            "denounced": dates.humanize(participation.denounced),
        }
        parties.append(
            PartyRow(
                participation,
                {f.name: f for f in _facts(participation, p_cited, notes, values)},
                notes.mark(p_cited.get("", [])),
            )
        )
    context["parties"] = parties
    protocols = []
    for protocol in treaty.protocols.all():
        p_cited = by_fact(protocol.citations.all())
        facts = {f.name: f for f in protocol_facts(protocol, p_cited, notes)}
        protocols.append(InstrumentRow(protocol, facts, notes.mark(p_cited.get("", []))))
    context["protocols"] = protocols
    registrations = _registration_rows(treaty.registrations.all(), notes)
    for protocol in treaty.protocols.all():
        registrations += _registration_rows(protocol.registrations.all(), notes)
    context["registrations"] = registrations
    events = []
    for event in treaty.events.all():
        e_cited = by_fact(event.citations.all())
        facts = {
            f.name: f
            for f in _facts(event, e_cited, notes, {"date": event.date_display, "description": event.description})
        }
        events.append(InstrumentRow(event, facts, notes.mark(e_cited.get("", []))))
    context["events"] = events
    relations = []
    for relation in treaty.relations_from.all():
        relations.append(
            {
                "label": relation.get_kind_display(),
                "other": relation.object,
                "note": relation.note,
                "notes": notes.mark(relation.citations.all()),
            }
        )
    for relation in treaty.relations_to.all():
        relations.append(
            {
                "label": str(INVERSE_RELATION_LABELS.get(relation.kind, relation.get_kind_display())),
                "other": relation.subject,
                "note": relation.note,
                "notes": notes.mark(relation.citations.all()),
            }
        )
    context["relations"] = relations
    context["articles_notes"] = notes.mark(cited.get("articles", []))
    context["titles"] = list(treaty.titles.all())
    context["articles"] = list(treaty.articles.all())
    context["people"] = list(treaty.people.all())
    context["scans"] = list(treaty.scans.all())
    return context


def protocol_sections(protocol: Protocol, notes: Footnotes) -> dict:
    cited = by_fact(protocol.citations.all())
    return {
        "record_notes": notes.mark(cited.get("", [])),
        "facts": protocol_facts(protocol, cited, notes),
        "summary_notes": notes.mark(cited.get("summary", [])),
        "registrations": _registration_rows(protocol.registrations.all(), notes),
        "articles": list(protocol.articles.all()),
        "scans": list(protocol.scans.all()),
        "people": list(protocol.people.all()),
    }


@dataclass
class CitingRecord:
    treaty: Treaty
    citations: list[Citation]


def cited_by(source) -> list[CitingRecord]:
    """The published treaties whose records (or parts) cite ``source``, each with its citations."""
    citations = (
        source.citations.published()
        .select_related(
            "treaty",
            "protocol__treaty",
            "registration__treaty",
            "registration__protocol__treaty",
            "registration__series",
            "event__treaty",
            "relation__subject",
            "relation__object",
            "participation__treaty",
            "participation__state",
        )
        .order_by("pk")
    )
    grouped: dict[int, CitingRecord] = {}
    for citation in citations:
        treaty = _treaty_of(citation)
        if treaty is None:
            continue
        grouped.setdefault(treaty.pk, CitingRecord(treaty, [])).citations.append(citation)
    return sorted(
        grouped.values(), key=lambda r: (r.treaty.signed_earliest is None, r.treaty.signed_earliest, r.treaty.title)
    )


def _treaty_of(citation: Citation) -> Treaty | None:
    if citation.treaty_id:
        return citation.treaty
    if citation.protocol_id:
        return citation.protocol.treaty
    if citation.registration_id:
        registration: Registration = citation.registration
        return registration.treaty if registration.treaty_id else registration.protocol.treaty
    if citation.event_id:
        return citation.event.treaty
    if citation.relation_id:
        return citation.relation.subject
    if citation.participation_id:
        return citation.participation.treaty
    return None
