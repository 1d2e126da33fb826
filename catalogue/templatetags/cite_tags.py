"""Template tags for citing and downloading records, used by the public pages' includes.

The includes (``catalogue/includes/export_links.html``, ``treaty_head_links.html``,
``cite_box.html``) must render for any record, so every tag here degrades to an
empty value instead of raising when a record cannot be addressed (no slug yet).
"""

from __future__ import annotations

from django import template
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from .. import cite, jsonld
from ..models import Protocol, Source, Treaty

register = template.Library()

FORMAT_LABELS = {
    "csv": "CSV",
    "json": "JSON",
    "jsonld": "JSON-LD",
    "bib": "BibTeX",
    "ris": "RIS",
    "csl.json": "CSL-JSON",
}
CITE_FORMATS = ("bib", "ris", "csl.json")

# List page (URL name in the "catalogue" namespace) → its export and the formats offered.
LIST_EXPORTS = {
    "treaty-list": ("exports:treaty-list", ("csv", "json", "bib", "ris", "csl.json")),
    "protocol-list": ("exports:protocol-list", ("csv", "json")),
    "state-list": ("exports:state-list", ("csv", "json")),
    "source-list": ("exports:source-list", ("csv", "json", "bib", "ris", "csl.json")),
}


def _link(fmt: str, url: str) -> dict:
    return {"format": fmt, "label": FORMAT_LABELS[fmt], "url": url}


@register.simple_tag
def export_links(request, list_name: str = "", clean_query=None):
    """Download links for the list page being shown, keeping its filters and search
    (but not its page number: an export holds every matching record).

    ``clean_query``: the page's query already sanitised (the treaty list passes it), spared a second pass."""
    if request is None:
        return []
    if not list_name:
        match = getattr(request, "resolver_match", None)
        list_name = match.url_name if match and match.namespace == "catalogue" else ""
    if list_name not in LIST_EXPORTS:
        return []
    url_name, formats = LIST_EXPORTS[list_name]
    if list_name == "treaty-list" and isinstance(clean_query, QueryDict):
        query = clean_query.copy()
    elif list_name == "treaty-list":
        # The page ignores bad parameters (and says so); the download does the same
        # by linking the cleaned query.
        from ..filters import sanitize

        query, _ignored = sanitize(request.GET)
    else:
        query = request.GET.copy()
    for name in ("page", "page_size"):
        query.pop(name, None)
    suffix = f"?{query.urlencode()}" if query else ""
    return [_link(fmt, reverse(url_name, kwargs={"fmt": fmt}) + suffix) for fmt in formats]


def _record_url(record, fmt: str) -> str:
    try:
        if isinstance(record, Treaty):
            return reverse("exports:treaty", kwargs={"slug": record.slug, "fmt": fmt})
        if isinstance(record, Protocol):
            return reverse("exports:protocol", kwargs={"slug": record.slug, "fmt": fmt})
        if isinstance(record, Source):
            return reverse("exports:source", kwargs={"slug": record.key, "fmt": fmt})
    except NoReverseMatch:
        return ""
    return ""


@register.simple_tag
def cite_links(record):
    """BibTeX, RIS and CSL-JSON downloads of one record's citation."""
    links = []
    for fmt in CITE_FORMATS:
        url = _record_url(record, fmt)
        if url:
            links.append(_link(fmt, url))
    return links


@register.simple_tag
def data_links(record):
    """Machine-readable copies of a treaty record: JSON (the import format) and JSON-LD."""
    if not isinstance(record, Treaty):
        return []
    links = []
    for fmt in ("json", "jsonld"):
        url = _record_url(record, fmt)
        if url:
            links.append(_link(fmt, url))
    return links


def _citable(record) -> bool:
    if isinstance(record, Source):
        return bool(record.key)
    return isinstance(record, Treaty | Protocol) and bool(record.slug)


@register.simple_tag
def permalink(record) -> str:
    if not _citable(record):
        return ""
    try:
        return cite.permalink(record)
    except NoReverseMatch:
        return ""


@register.simple_tag
def citation_text(record) -> str:
    """The formatted "cite this record" text, plain (for copying)."""
    if not _citable(record):
        return ""
    try:
        return cite.format_citation(record)
    except NoReverseMatch:
        return ""


@register.simple_tag
def citation_html(record):
    """The formatted citation as HTML, titles in italics."""
    if not _citable(record):
        return ""
    try:
        return cite.format_citation_html(record)
    except NoReverseMatch:
        return ""


@register.simple_tag
def treaty_jsonld(treaty):
    """The treaty's JSON-LD, escaped for an inline ``<script type="application/ld+json">``."""
    if not isinstance(treaty, Treaty) or not treaty.slug or not treaty.pk:
        return ""
    try:
        return jsonld.as_script(jsonld.treaty_jsonld(treaty))
    except NoReverseMatch:
        return ""
