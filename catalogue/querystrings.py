"""Links that change one thing in the treaty list's query string.

The URL carries the whole state of the list (filters, search, sort, page size),
so every link is built from the current, sanitised parameters: toggling a facet
value, removing a chip, narrowing to a histogram bar. Changing the filters
always returns to the first page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus

from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .facets import FACET_LABELS, Facet, Histogram
from .filters import TreatyFilterSet

FIELD_LABELS = {
    "q": _("Search"),
    "signed_from": _("Signed from"),
    "signed_to": _("Signed to"),
    "in_force_on": _("In force on"),
    **FACET_LABELS,
}


def _copy(params) -> QueryDict:
    query = params.copy() if isinstance(params, QueryDict) else QueryDict(mutable=True)
    if not isinstance(params, QueryDict):
        for key, value in dict(params).items():
            query.setlist(key, value if isinstance(value, list) else [value])
    query._mutable = True
    query.pop("page", None)
    return query


def encode(query: QueryDict) -> str:
    text = query.urlencode()
    return f"?{text}" if text else "?"


def without_page(params) -> str:
    """The query string without ``page``, ending so that ``page=N`` can be appended."""
    text = _copy(params).urlencode()
    return f"?{text}&" if text else "?"


def toggled(params, name: str, value: str) -> str:
    """The query with ``value`` of facet ``name`` added, or removed if it was there."""
    query = _copy(params)
    values = query.getlist(name)
    if name == "has_scans":
        query.setlist(name, [] if value in values else [value])
    elif value in values:
        query.setlist(name, [v for v in values if v != value])
    else:
        query.setlist(name, [*values, value])
    if not query.getlist(name):
        del query[name]
    if name in ("q",) or (query.get("sort") == "relevance" and not query.get("q")):
        query.pop("sort", None)
    return encode(query)


def replaced(params, name: str, value: str) -> str:
    query = _copy(params)
    query.setlist(name, [value])
    return encode(query)


#: Stands for a facet value while its facet's links are encoded once (see ``facet_urls``).
_SLOT = "\x00value\x00"


def facet_urls(facet: Facet, params) -> Facet:
    """Give each value of ``facet`` the link that toggles it, and its rendered list item (``html``).

    Why not one ``toggled()`` and one ``{% include %}`` per value: the party facet
    alone can offer hundreds of values, and a page of 577 values spent 100 ms
    encoding query strings and 150 ms rendering includes. The link that adds a
    value differs between values only in that value, so the query is encoded
    once with a placeholder; the item is one ``format_html``.
    """
    adding = toggled(params, facet.name, _SLOT) if facet.name != "has_scans" else None
    slot = quote_plus(_SLOT)
    for value in facet.values:
        if value.selected or adding is None:
            value.url = toggled(params, facet.name, value.value)
        else:
            value.url = adding.replace(slot, quote_plus(value.value))
        value.html = facet_value_html(facet.name, value)
    return facet


def facet_value_html(facet_name: str, v) -> str:
    """One facet value as a list item: a link that toggles it, with its count (and state for screen readers)."""
    selected = v.selected
    return format_html(
        '<li><a href="{}" class="facet-value{}{}" data-facet="{}" data-value="{}" data-count="{}"{}>'
        '<span class="box" aria-hidden="true">{}</span> <span class="facet-label">{}</span> '
        '<span class="count">{}</span>{}</a></li>',
        v.url,
        " selected" if selected else "",
        "" if v.count else " empty",
        facet_name,
        v.value,
        v.count,
        mark_safe(' aria-current="true"') if selected else "",
        "☑" if selected else "☐",
        v.label,
        number_format(v.count),
        mark_safe('<span class="visually-hidden"> (chosen; select again to remove)</span>') if selected else "",
    )


@dataclass
class Chip:
    name: str
    label: str
    value: str
    value_label: str
    url: str


def chip_list(filterset: TreatyFilterSet, params) -> list[Chip]:
    """An active filter per chosen value, each with the link that removes it."""
    chips = []
    for name, chosen in filterset.selected().items():
        for value, label in chosen.items():
            chips.append(
                Chip(name, str(FIELD_LABELS.get(name, name)), str(value), str(label), toggled(params, name, str(value)))
            )
    return chips


@dataclass
class SvgBar:
    value: int
    label: str
    count: int
    url: str
    x: float
    y: float
    width: float
    height: float
    show_label: bool


HISTOGRAM_WIDTH = 640
HISTOGRAM_HEIGHT = 120
MAX_SLOT = 40


def histogram_bars(histogram: Histogram, params) -> dict:
    """Geometry of the histogram's SVG: one bar per year (or decade), each linking to that period."""
    bars = histogram.bars
    if not bars:
        return {"unit": histogram.unit, "bars": []}
    top = max(histogram.max_count, 1)
    slot = min(HISTOGRAM_WIDTH / len(bars), MAX_SLOT)  # a handful of bars stay bars, not walls
    every = max(1, round(len(bars) / 8))
    out = []
    for i, bar in enumerate(bars):
        height = (bar.count / top) * HISTOGRAM_HEIGHT
        out.append(
            SvgBar(
                value=bar.value,
                label=bar.label,
                count=bar.count,
                url=replaced(params, histogram.unit, str(bar.value)),
                x=round(i * slot + slot * 0.1, 2),
                y=round(HISTOGRAM_HEIGHT - height, 2),
                width=round(max(slot * 0.8, 1), 2),
                height=round(height, 2),
                show_label=(i % every == 0),
            )
        )
    return {
        "unit": histogram.unit,
        "bars": out,
        "width": HISTOGRAM_WIDTH,
        "height": HISTOGRAM_HEIGHT,
        "max": histogram.max_count,
        "label_y": HISTOGRAM_HEIGHT + 18,
        "view_height": HISTOGRAM_HEIGHT + 26,
        "first": bars[0].label,
        "last": bars[-1].label,
    }
