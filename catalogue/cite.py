"""Citations of catalogue records: "cite this record" text, BibTeX, RIS and CSL-JSON.

Researchers cite a treaty record (as an entry of this catalogue) and the
bibliographic sources it rests on; reference managers (Zotero, EndNote, JabRef,
Mendeley) read BibTeX, RIS and CSL-JSON. Each format is built from one neutral
description per record (``csl_item``), so the formats cannot disagree with each
other. BibTeX and RIS are written by the libraries made for them (bibtexparser,
rispy), which take care of the syntax; this module only maps fields.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable

import bibtexparser
import rispy
from bibtexparser import model as bib
from bibtexparser.entrypoint import default_unparse_stack
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import dates
from .models import Protocol, Source, Treaty

# Source kinds mapped to the CSL, BibTeX and RIS types that reference managers know.
SOURCE_TYPES = {
    # kind: (CSL type, BibTeX type, RIS type)
    Source.Kind.BOOK: ("book", "book", "BOOK"),
    Source.Kind.CHAPTER: ("chapter", "incollection", "CHAP"),
    Source.Kind.ARTICLE: ("article-journal", "article", "JOUR"),
    Source.Kind.ENCYCLOPEDIA: ("entry-encyclopedia", "incollection", "ENCYC"),
    Source.Kind.WEB_PAGE: ("webpage", "misc", "ELEC"),
    Source.Kind.DOCUMENT_COLLECTION: ("book", "book", "BOOK"),
    Source.Kind.TREATY_SERIES: ("book", "book", "BOOK"),
    Source.Kind.ARCHIVAL: ("manuscript", "unpublished", "MANSCPT"),
    Source.Kind.OTHER: ("document", "misc", "GEN"),
}
# A catalogue record of a treaty is cited as a treaty (CSL 1.0.2 has that type);
# BibTeX has no such type, and RIS's nearest is a legal rule.
RECORD_TYPES = ("treaty", "misc", "LEGAL")


def permalink(record) -> str:
    """The permanent public address of a record (SITE_BASE_URL + its path)."""
    return settings.SITE_BASE_URL + record.get_absolute_url()


def site_name() -> str:
    return settings.SITE_NAME


def record_id(record) -> str:
    """The identifier a citation uses for a record: its slug or source key."""
    if isinstance(record, Source):
        return record.key
    return record.slug


def _kind_name(record) -> str:
    if isinstance(record, Treaty):
        return "treaty"
    if isinstance(record, Protocol):
        return "protocol"
    return "source"


def record_label(record) -> str:
    """How the record is named in a citation: "treaty treaty-of-berlin-1926"."""
    return f"{_kind_name(record)} {record_id(record)}"


def _date_parts(value: str) -> list[int] | None:
    """CSL date parts for an EDTF date known at least to the year; None if unknown."""
    if not value:
        return None
    b = dates.bounds_or_none(value)
    if b is None:
        return None
    precision = dates.precision(value)
    if precision == "day":
        return [b.earliest.year, b.earliest.month, b.earliest.day]
    if precision == "month":
        return [b.earliest.year, b.earliest.month]
    if precision == "year":
        return [b.earliest.year]
    return None


def _year(value: str) -> int | None:
    parts = _date_parts(value)
    if parts:
        return parts[0]
    b = dates.bounds_or_none(value)
    return b.earliest.year if b else None


def split_names(names: str) -> list[dict]:
    """ "Family, Given; Family2, Given2" → CSL name objects (a name without a comma is literal)."""
    people = []
    for raw in (names or "").split(";"):
        name = raw.strip()
        if not name:
            continue
        if "," in name:
            family, given = (part.strip() for part in name.split(",", 1))
            people.append({"family": family, "given": given} if given else {"family": family})
        else:
            people.append({"literal": name})
    return people


def _name_text(person: dict) -> str:
    if "literal" in person:
        return person["literal"]
    return f"{person['family']}, {person['given']}" if person.get("given") else person["family"]


def _title_with_year(record) -> str:
    title = record.title
    year = _year(record.signed)
    if year and str(year) not in title:
        title = f"{title} ({year})"
    return title


def _today(accessed: datetime.date | None) -> datetime.date:
    return accessed or timezone.localdate()


def _date_parts_of(day: datetime.date) -> list[int]:
    return [day.year, day.month, day.day]


# --------------------------------------------------------------------------
# CSL-JSON: the neutral description every other format is made from
# --------------------------------------------------------------------------


def csl_item(record, *, accessed: datetime.date | None = None) -> dict:
    """One CSL-JSON item (https://citationstyles.org/) for a treaty, protocol or source."""
    if isinstance(record, Source):
        return _source_csl(record)
    today = _today(accessed)
    item = {
        "id": record_id(record),
        "type": RECORD_TYPES[0],
        "title": _title_with_year(record),
        "container-title": site_name(),
        "publisher": site_name(),
        "URL": permalink(record),
        "accessed": {"date-parts": [_date_parts_of(today)]},
        "note": f"Catalogue record {record_id(record)}",
    }
    if getattr(record, "short_title", ""):
        item["title-short"] = record.short_title
    parts = _date_parts(record.signed)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    elif record.signed:
        item["issued"] = {"literal": dates.humanize(record.signed)}
    if record.summary:
        item["abstract"] = record.summary
    place = getattr(record, "place_signed", None)
    if place is not None:
        item["event-place"] = place.name
    if isinstance(record, Treaty):
        item["genre"] = record.kind.name
        if record.identifier:
            item["number"] = record.identifier
    return item


def _source_csl(source: Source) -> dict:
    csl_type = SOURCE_TYPES.get(source.kind, SOURCE_TYPES[Source.Kind.OTHER])[0]
    item = {"id": source.key, "type": csl_type, "title": source.title}
    authors = split_names(source.authors)
    editors = split_names(source.editors)
    if authors:
        item["author"] = authors
    if editors:
        item["editor"] = editors
    if source.container_title:
        item["container-title"] = source.container_title
    if source.publisher:
        item["publisher"] = source.publisher
    if source.place_published:
        item["publisher-place"] = source.place_published
    if source.year:
        item["issued"] = {"date-parts": [[source.year]]}
    if source.isbn:
        item["ISBN"] = source.isbn
    if source.doi:
        item["DOI"] = source.doi
    if source.url:
        item["URL"] = source.url
    if source.accessed:
        item["accessed"] = {"date-parts": [_date_parts_of(source.accessed)]}
    if source.language:
        item["language"] = source.language
    if source.note:
        item["note"] = source.note
    return item


def to_csl_json(records: Iterable, *, accessed: datetime.date | None = None) -> str:
    """A CSL-JSON document: a list of items (what Zotero and citeproc read)."""
    return json.dumps([csl_item(r, accessed=accessed) for r in records], ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------
# BibTeX
# --------------------------------------------------------------------------

_BIBTEX_SPECIALS = re.compile(r"([&%$#_])")


def _bibtex_text(value: str) -> str:
    """Make free text safe inside a braced BibTeX field: escape LaTeX specials and
    replace braces (an unbalanced brace would break the whole file)."""
    value = str(value).replace("\\", "/").replace("{", "(").replace("}", ")")
    return _BIBTEX_SPECIALS.sub(r"\\\1", value)


def _bibtex_key(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9:_-]+", "-", text).strip("-") or "record"


def _bibtex_names(people: list[dict]) -> str:
    return " and ".join(_bibtex_text(_name_text(p)) for p in people)


def bibtex_entry(record, *, accessed: datetime.date | None = None) -> bib.Entry:
    item = csl_item(record, accessed=accessed)
    if isinstance(record, Source):
        entry_type = SOURCE_TYPES.get(record.kind, SOURCE_TYPES[Source.Kind.OTHER])[1]
    else:
        entry_type = RECORD_TYPES[1]
    fields: list[tuple[str, str]] = [("title", _bibtex_text(item["title"]))]
    if item.get("author"):
        fields.append(("author", _bibtex_names(item["author"])))
    if item.get("editor"):
        fields.append(("editor", _bibtex_names(item["editor"])))
    container = item.get("container-title")
    if container:
        key = {"article": "journal", "incollection": "booktitle"}.get(entry_type, "howpublished")
        fields.append((key, _bibtex_text(container)))
    if item.get("publisher") and entry_type != "misc":
        fields.append(("publisher", _bibtex_text(item["publisher"])))
    if item.get("publisher-place"):
        fields.append(("address", _bibtex_text(item["publisher-place"])))
    issued = item.get("issued", {}).get("date-parts")
    if issued:
        fields.append(("year", str(issued[0][0])))
        if len(issued[0]) > 1:
            fields.append(("month", str(issued[0][1])))
        if len(issued[0]) > 2:
            fields.append(("day", str(issued[0][2])))
    for csl_key, bib_key in (("ISBN", "isbn"), ("DOI", "doi"), ("language", "language")):
        if item.get(csl_key):
            fields.append((bib_key, _bibtex_text(item[csl_key])))
    if item.get("URL"):
        fields.append(("url", item["URL"].replace("{", "%7B").replace("}", "%7D")))
    acc = item.get("accessed", {}).get("date-parts")
    if acc:
        fields.append(("urldate", "-".join(f"{part:02d}" for part in acc[0])))
    if item.get("note"):
        fields.append(("note", _bibtex_text(item["note"])))
    if item.get("abstract"):
        fields.append(("abstract", _bibtex_text(item["abstract"])))
    return bib.Entry(entry_type, _bibtex_key(item["id"]), [bib.Field(k, v) for k, v in fields])


def to_bibtex(records: Iterable, *, accessed: datetime.date | None = None) -> str:
    library = bibtexparser.Library()
    for record in records:
        library.add(bibtex_entry(record, accessed=accessed))
    # The library is ours alone, so the writer may add the braces in place (no deep copy).
    return bibtexparser.write_string(library, unparse_stack=default_unparse_stack(allow_inplace_modification=True))


# --------------------------------------------------------------------------
# RIS
# --------------------------------------------------------------------------


def ris_reference(record, *, accessed: datetime.date | None = None) -> dict:
    item = csl_item(record, accessed=accessed)
    if isinstance(record, Source):
        ris_type = SOURCE_TYPES.get(record.kind, SOURCE_TYPES[Source.Kind.OTHER])[2]
    else:
        ris_type = RECORD_TYPES[2]
    ref: dict = {"type_of_reference": ris_type, "id": item["id"], "title": item["title"]}
    if item.get("author"):
        ref["authors"] = [_name_text(p) for p in item["author"]]
    if item.get("editor"):
        ref["secondary_authors"] = [_name_text(p) for p in item["editor"]]
    if item.get("container-title"):
        ref["secondary_title"] = item["container-title"]
    if item.get("publisher"):
        ref["publisher"] = item["publisher"]
    if item.get("publisher-place"):
        ref["place_published"] = item["publisher-place"]
    issued = item.get("issued", {}).get("date-parts")
    if issued:
        ref["year"] = str(issued[0][0])
        ref["date"] = "/".join(f"{part:02d}" if i else str(part) for i, part in enumerate(issued[0]))
    if item.get("ISBN"):
        ref["issn"] = item["ISBN"]
    if item.get("DOI"):
        ref["doi"] = item["DOI"]
    if item.get("URL"):
        ref["urls"] = [item["URL"]]
    acc = item.get("accessed", {}).get("date-parts")
    if acc:
        ref["access_date"] = "/".join(f"{part:02d}" if i else str(part) for i, part in enumerate(acc[0]))
    if item.get("language"):
        ref["language"] = item["language"]
    if item.get("abstract"):
        ref["abstract"] = _one_line(item["abstract"])
    if item.get("note"):
        ref["notes"] = [_one_line(item["note"])]
    if item.get("genre"):
        ref["type_of_work"] = item["genre"]
    if item.get("number"):
        ref["number"] = item["number"]
    return ref


def _one_line(text: str) -> str:
    """RIS is line-based: a field value may not contain a line break."""
    return " ".join(str(text).split())


def to_ris(records: Iterable, *, accessed: datetime.date | None = None) -> str:
    return rispy.dumps([ris_reference(r, accessed=accessed) for r in records])


# --------------------------------------------------------------------------
# "Cite this record": the formatted text
# --------------------------------------------------------------------------


def _human_date(day: datetime.date) -> str:
    return f"{day.day} {dates.MONTHS[day.month - 1]} {day.year}"


def citation_parts(record, *, accessed: datetime.date | None = None) -> dict:
    """The pieces of a Chicago-like citation, for text and HTML rendering alike."""
    today = _today(accessed)
    if isinstance(record, Source):
        item = _source_csl(record)
        authors = item.get("author") or item.get("editor") or []
        who = "; ".join(_name_text(p) for p in authors)
        if not item.get("author") and item.get("editor"):
            who += ", ed." if len(authors) == 1 else ", eds."
        tail = [
            x
            for x in (
                ", ".join(x for x in (record.place_published, record.publisher) if x) if record.publisher else "",
                str(record.year) if record.year else "",
            )
            if x
        ]
        accessed_text = f"Accessed {_human_date(record.accessed)}." if record.accessed else ""
        return {
            "author": who,
            "title": record.title,
            "quoted": record.kind in (Source.Kind.CHAPTER, Source.Kind.ARTICLE, Source.Kind.ENCYCLOPEDIA)
            or record.kind == Source.Kind.WEB_PAGE,
            "container": record.container_title,
            "tail": ". ".join(tail),
            "url": record.url or (f"https://doi.org/{record.doi}" if record.doi else ""),
            "accessed": accessed_text,
        }
    return {
        "author": "",
        "title": _title_with_year(record),
        "quoted": True,
        "container": site_name(),
        "tail": f"record {record_id(record)}",
        "url": permalink(record),
        "accessed": f"Accessed {_human_date(today)}.",
    }


def format_citation(record, *, accessed: datetime.date | None = None) -> str:
    """Plain text: “Treaty of Berlin (1926).” In Treaty Archive, record treaty-of-berlin-1926. URL. Accessed …"""
    p = citation_parts(record, accessed=accessed)
    bits = []
    if p["author"]:
        bits.append(p["author"].rstrip(".") + ".")
    if p["quoted"]:
        bits.append(f"“{p['title'].rstrip('.')}.”")
    else:
        bits.append(f"{p['title'].rstrip('.')}.")
    if p["container"]:
        where = f"In {p['container']}"
        bits.append(f"{where}, {p['tail']}." if p["tail"] else f"{where}.")
    elif p["tail"]:
        bits.append(f"{p['tail']}.")
    if p["url"]:
        bits.append(f"{p['url']}.")
    if p["accessed"]:
        bits.append(p["accessed"])
    return " ".join(bits)


def format_citation_html(record, *, accessed: datetime.date | None = None):
    """The same citation as safe HTML, with the container (or a book title) in italics."""
    p = citation_parts(record, accessed=accessed)
    html = format_html("{}", "")
    if p["author"]:
        html = format_html("{}{} ", html, p["author"].rstrip(".") + ".")
    if p["quoted"]:
        html = format_html("{}“{}.” ", html, p["title"].rstrip("."))
    else:
        html = format_html("{}<cite>{}</cite>. ", html, p["title"].rstrip("."))
    if p["container"]:
        if p["tail"]:
            html = format_html("{}In <cite>{}</cite>, {}. ", html, p["container"], p["tail"])
        else:
            html = format_html("{}In <cite>{}</cite>. ", html, p["container"])
    elif p["tail"]:
        html = format_html("{}{}. ", html, p["tail"])
    if p["url"]:
        html = format_html('{}<a href="{}">{}</a>. ', html, p["url"], p["url"])
    if p["accessed"]:
        html = format_html("{}{}", html, p["accessed"])
    return mark_safe(html.strip())  # built with format_html above
