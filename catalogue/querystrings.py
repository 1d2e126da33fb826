"""Links that change one thing in the treaty list's query string.

The URL carries the whole state of the list (filters, search, sort, page size),
so every link is built from the current, sanitised parameters: toggling a facet
value, removing a chip, narrowing to a histogram bar. Changing the filters
always returns to the first page.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote_plus

from django.conf import settings
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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


def current(params) -> str:
    """The query as it stands, without ``page`` (a link to the same list from another page)."""
    return encode(_copy(params))


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


def facet_urls(facet: Facet, params, *, base: str = "", every: bool = False) -> Facet:
    """Give the values shown of ``facet`` the link that toggles each and its list item; the facet its list.

    The values shown are the facet's ``top`` (the list page), or ``every`` one
    (the facet's own page, whose links lead to the list at ``base``).

    Why not one ``toggled()`` and one ``{% include %}`` per value: the party facet
    alone can offer hundreds of values, and a page of 577 values spent 100 ms
    encoding query strings and 150 ms rendering includes. The link that adds a
    value differs between values only in that value, so the query is encoded
    once with a placeholder; each item is one string format, and the items are
    joined here (``items_html``) rather than looped over in the template, which
    cost a template node per value.
    """
    adding = base + toggled(params, facet.name, _SLOT) if facet.name != "has_scans" else None
    slot = quote_plus(_SLOT)
    shown = _count_format()
    values = facet.values if every else facet.top
    for value in values:
        if value.selected or adding is None:
            value.url = base + toggled(params, facet.name, value.value)
        else:
            value.url = adding.replace(slot, quote_plus(value.value))
        value.html = facet_value_html(facet.name, value, shown)
    facet.items_html = mark_safe("".join(v.html for v in values))  # noqa: S308 - each item is escaped
    return facet


def _escape(value) -> str:
    """``conditional_escape`` without its lazy wrappers: text already marked safe is kept as it is."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _count_format():
    """The function that shows a count in the page's locale (``number_format``), remembered per count.

    Without thousand separators (the default) a count is shown as its digits, which is what ``number_format``
    gives a whole number then; the lookup of the locale's formats is spared for every value.
    """
    if not settings.USE_THOUSAND_SEPARATOR:
        return str
    shown: dict[int, str] = {}

    def show(count: int) -> str:
        if count not in shown:
            shown[count] = _escape(number_format(count))
        return shown[count]

    return show


_FACET_ITEM = (
    '<li><a href="{url}" class="facet-value{selected}{empty}" data-facet="{facet}" data-value="{value}"'
    ' data-count="{count}"{current}><span class="box" aria-hidden="true">{box}</span>'
    ' <span class="facet-label">{label}</span> <span class="count">{shown}</span>{note}</a></li>'
)
_CHOSEN_NOTE = '<span class="visually-hidden"> (chosen; select again to remove)</span>'


def facet_value_html(facet_name: str, v, shown=None) -> SafeString:
    """One facet value as a list item: a link that toggles it, with its count (and state for screen readers)."""
    selected = v.selected
    return mark_safe(  # noqa: S308 - every value below is escaped or a constant
        _FACET_ITEM.format(
            url=_escape(v.url),
            selected=" selected" if selected else "",
            empty="" if v.count else " empty",
            facet=_escape(facet_name),
            value=_escape(v.value),
            count=int(v.count),
            current=' aria-current="true"' if selected else "",
            box="☑" if selected else "☐",
            label=_escape(v.label),
            shown=(shown or _count_format())(v.count),
            note=_CHOSEN_NOTE if selected else "",
        )
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
LABEL_Y = HISTOGRAM_HEIGHT + 18  # the year labels, under the bars
MAX_SLOT = 40


def histogram_bars(histogram: Histogram, params, base: str = "") -> dict:
    """Geometry of the histogram's SVG: one bar per year (or decade), each linking to that period.

    ``base``: the path the links lead to, where the histogram is shown on another page than the list.
    """
    bars = histogram.bars
    if not bars:
        return {"unit": histogram.unit, "bars": []}
    top = max(histogram.max_count, 1)
    slot = min(HISTOGRAM_WIDTH / len(bars), MAX_SLOT)  # a handful of bars stay bars, not walls
    every = max(1, round(len(bars) / 8))
    narrowing = base + replaced(params, histogram.unit, _SLOT)  # encoded once: the bars' links differ only in the value
    placeholder = quote_plus(_SLOT)
    out = []
    for i, bar in enumerate(bars):
        height = (bar.count / top) * HISTOGRAM_HEIGHT
        out.append(
            SvgBar(
                value=bar.value,
                label=bar.label,
                count=bar.count,
                url=narrowing.replace(placeholder, quote_plus(str(bar.value))),
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
        "label_y": LABEL_Y,
        "view_height": HISTOGRAM_HEIGHT + 26,
        "first": bars[0].label,
        "last": bars[-1].label,
        "svg": _bars_svg(out),
    }


_BAR = (
    '<a href="{url}" aria-label="{label}: {count} {noun}" data-bar="{value}" data-count="{count}">'
    "<title>{label}: {count}</title>"
    '<rect x="{x}" y="{y}" width="{width}" height="{height}" class="bar"/>'
    '<rect x="{x}" y="0" width="{width}" height="{full}" class="hit"/></a>'
)
_TICK = '<text x="{x}" y="{y}" class="tick" aria-hidden="true">{label}</text>'


def _bars_svg(bars: list[SvgBar]) -> SafeString:
    """The bars (links) and tick labels inside the histogram's SVG, as one string (60 bars made 900 template nodes)."""
    parts = []
    for bar in bars:
        label = _escape(bar.label)
        if bar.count:
            parts.append(
                _BAR.format(
                    url=_escape(bar.url),
                    label=label,
                    count=int(bar.count),
                    noun=_escape(ngettext("treaty", "treaties", bar.count)),
                    value=_escape(bar.value),
                    x=bar.x,
                    y=bar.y,
                    width=bar.width,
                    height=bar.height,
                    full=HISTOGRAM_HEIGHT,
                )
            )
        if bar.show_label:
            parts.append(_TICK.format(x=bar.x, y=LABEL_Y, label=label))
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped or a number
