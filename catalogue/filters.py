"""Filtering the published treaties: one FilterSet for the public pages and the API.

Why custom fields rather than ``ModelMultipleChoiceFilter``: a model choice
filter renders and validates against every row of its table (django-filter
issues #442, #1143, #1263); at a quarter of a million treaties and thousands of
states that is the slowest part of a page. Here a facet value is a slug or code
and a field checks only the values it was given, in one query, keeping their
labels for the page's chips.

Bad input is reported as form errors (the API answers 400 with them);
``sanitize()`` turns them into a clean query and a list of human messages so
the page can show what was ignored and carry on.

Semantics, as faceted search engines do: the values of one facet are OR-ed,
facets are AND-ed. A date range compares the earliest possible day of the
signature (``signed_earliest``) with the bounds of the given EDTF dates, so
``signed_from=1926`` means from 1 January 1926 and ``signed_to=1926-06`` up to
30 June 1926.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from . import dates, search
from .models import Participation, Place, Registration, Scan, State, Subject, Treaty, TreatyKind, TreatySeries

MAX_VALUES_PER_FACET = 50
MAX_SLUG_LENGTH = 200
MAX_QUERY_LENGTH = 200


class Sort:
    RELEVANCE = "relevance"
    DATE = "date"
    DATE_DESC = "-date"
    TITLE = "title"

    CHOICES = (
        (RELEVANCE, _("Relevance")),
        (DATE, _("Date, earliest first")),
        (DATE_DESC, _("Date, latest first")),
        (TITLE, _("Title, A–Z")),
    )


# ---------------------------------------------------------------------------
# Form fields
# ---------------------------------------------------------------------------


class ListWidget(forms.MultipleHiddenInput):
    """Reads every value of a repeated parameter (``party=DEU&party=SUN``)."""


class ValueListField(forms.Field):
    """A list of values, each checked; the cleaned value keeps the given order, without repeats."""

    widget = ListWidget
    item_label = _("value")

    def to_python(self, value):
        if value in (None, "", [], ()):
            return []
        if isinstance(value, str):
            value = [value]
        items = []
        for item in value:
            item = str(item).strip()
            if item and item not in items:
                items.append(item)
        if len(items) > MAX_VALUES_PER_FACET:
            raise ValidationError(
                _("Too many values (%(count)d); choose at most %(max)d."),
                code="too_many",
                params={"count": len(items), "max": MAX_VALUES_PER_FACET, "unknown": items[MAX_VALUES_PER_FACET:]},
            )
        return items


class Chosen(dict):
    """Chosen facet values ``{value: label}``, with the primary keys of their rows.

    Filtering by primary key rather than by code lets PostgreSQL estimate the
    matching rows from the participation statistics: filtering a popular party
    by its code made it guess 340 rows for 14,881 and probe the index row by row
    (37 ms at 25,000 treaties; 3.5 ms by id).
    """

    def __init__(self, *args, pks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.pks = list(pks)


class SlugListField(ValueListField):
    """Values that must exist as ``to_field`` of ``model``; cleans to ``{value: label}``."""

    def __init__(self, *, model, to_field, label_field, **kwargs):
        self.model, self.to_field, self.label_field = model, to_field, label_field
        super().__init__(**kwargs)

    def clean(self, value):
        items = self.to_python(value)
        if not items:
            return {}
        # Over-long values or NUL characters (which PostgreSQL refuses in a query) cannot be known values.
        well_formed = [item for item in items if len(item) <= MAX_SLUG_LENGTH and "\x00" not in item]
        rows = self.model.objects.filter(**{f"{self.to_field}__in": well_formed}).values_list(
            self.to_field, self.label_field, "pk"
        )
        found, pks = {}, {}
        for key, label, pk in rows:
            found[key], pks[key] = label, pk
        unknown = [item for item in items if item not in found]
        if unknown:
            raise ValidationError(
                _("Unknown %(what)s: %(values)s."),
                code="unknown",
                params={"what": self.label, "values": ", ".join(_shorten(v) for v in unknown), "unknown": unknown},
            )
        return Chosen({item: found[item] for item in items}, pks=[pks[item] for item in items])


class NumberListField(ValueListField):
    """Whole numbers in a range (years, decades); cleans to ``{number: label}``."""

    def __init__(self, *, minimum=1, maximum=9999, step=1, **kwargs):
        self.minimum, self.maximum, self.step = minimum, maximum, step
        super().__init__(**kwargs)

    def clean(self, value):
        items = self.to_python(value)
        good, bad = {}, []
        for item in items:
            try:
                number = int(item) if len(item) <= 6 else None
            except ValueError:
                number = None
            if number is None or not (self.minimum <= number <= self.maximum) or number % self.step:
                bad.append(item)
            else:
                good[number] = f"{number}s" if self.step == 10 else str(number)
        if bad:
            raise ValidationError(
                _("Not a valid %(what)s: %(values)s."),
                code="unknown",
                params={"what": self.label, "values": ", ".join(_shorten(v) for v in bad), "unknown": bad},
            )
        return good


class EDTFDateField(forms.CharField):
    """An EDTF date (1926, 1926-06, 1926-06-24, ~1926); cleans to its ``Bounds``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return dates.bounds(text)
        except ValidationError as error:
            raise ValidationError(
                _("%(what)s: %(reason)s"),
                code="invalid_date",
                params={"what": self.label, "reason": " ".join(error.messages)},
            ) from None


def _shorten(text: str, length: int = 40) -> str:
    text = text.replace("\x00", "\ufffd")
    return text if len(text) <= length else text[: length - 1] + "…"


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


class ValueListFilter(django_filters.Filter):
    """A facet filter: ``predicate(values)`` gives the condition for the OR of the chosen values."""

    field_class = SlugListField

    def __init__(self, *, predicate, **kwargs):
        self.predicate = predicate
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(self.predicate(value if isinstance(value, Chosen) else list(value)))


class NumberListFilter(ValueListFilter):
    field_class = NumberListField


class EDTFDateFilter(django_filters.Filter):
    field_class = EDTFDateField


def _party(values):
    if isinstance(values, Chosen):
        return Exists(Participation.objects.filter(treaty=OuterRef("pk"), state_id__in=values.pks))
    return Exists(Participation.objects.filter(treaty=OuterRef("pk"), state__code__in=values))


def _subject(values):
    through = Treaty.subjects.through
    return Exists(through.objects.filter(treaty=OuterRef("pk"), subject__slug__in=values))


def _series(values):
    return Exists(Registration.objects.filter(treaty=OuterRef("pk"), series__slug__in=values))


def _years(values, width=1):
    condition = Q()
    for year in values:
        condition |= Q(
            signed_earliest__gte=datetime.date(year, 1, 1),
            signed_earliest__lt=datetime.date(min(year + width, 9999), 1, 1),
        )
    return condition


def has_scans_expression():
    return Exists(Scan.objects.filter(treaty=OuterRef("pk")))


class TreatyFilterSet(django_filters.FilterSet):
    """The published treaties, filtered by the parameters of the treaty list (see module docstring)."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("Words in titles (any language), summaries, article texts and party names."),
    )
    party = ValueListFilter(
        label=_("party"),
        predicate=_party,
        model=State,
        to_field="code",
        label_field="name",
    )
    kind = ValueListFilter(
        label=_("kind"),
        predicate=lambda values: Q(kind__slug__in=values),
        model=TreatyKind,
        to_field="slug",
        label_field="name",
    )
    subject = ValueListFilter(
        label=_("subject"),
        predicate=_subject,
        model=Subject,
        to_field="slug",
        label_field="name",
    )
    place = ValueListFilter(
        label=_("place of signature"),
        predicate=lambda values: Q(place_signed__slug__in=values),
        model=Place,
        to_field="slug",
        label_field="name",
    )
    series = ValueListFilter(
        label=_("treaty series"),
        predicate=_series,
        model=TreatySeries,
        to_field="slug",
        label_field="abbreviation",
    )
    decade = NumberListFilter(label=_("decade"), predicate=lambda values: _years(values, 10), step=10)
    year = NumberListFilter(label=_("year"), predicate=_years)
    has_scans = django_filters.ChoiceFilter(
        label=_("has scans"),
        choices=(("yes", _("with scans")), ("no", _("without scans"))),
        method="filter_has_scans",
    )
    signed_from = EDTFDateFilter(
        label=_("signed from"),
        method="filter_signed_from",
        help_text=_("A year, month or day: 1926, 1926-06, 1926-06-24."),
    )
    signed_to = EDTFDateFilter(
        label=_("signed to"),
        method="filter_signed_to",
        help_text=_("A year, month or day: 1939, 1939-08, 1939-08-23."),
    )
    in_force_on = EDTFDateFilter(
        label=_("in force on"),
        method="filter_in_force_on",
        help_text=_("A day (1927-01-01); a month or year means its first day."),
    )
    sort = django_filters.ChoiceFilter(label=_("sort by"), choices=Sort.CHOICES, method="filter_sort")

    #: Parameters that take one value; the rest (facets) may repeat.
    SINGLE_VALUED = ("q", "has_scans", "signed_from", "signed_to", "in_force_on", "sort")
    #: Facets counted by ``catalogue.facets``, in display order.
    FACETS = ("party", "kind", "subject", "place", "series", "decade", "year", "has_scans")

    class Meta:
        model = Treaty
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = Treaty.objects.published()
        if data is not None and not isinstance(data, QueryDict):
            data = _to_querydict(data)
        super().__init__(data=data, queryset=queryset, request=request, prefix=prefix)

    # -- the filters' methods --------------------------------------------------

    def filter_q(self, qs, name, value):
        value = (value or "").strip()
        return search.filter_queryset(qs, value) if value else qs

    def filter_has_scans(self, qs, name, value):
        if value == "yes":
            return qs.filter(has_scans_expression())
        if value == "no":
            return qs.filter(~has_scans_expression())
        return qs

    def filter_signed_from(self, qs, name, value):
        return qs.filter(signed_earliest__gte=value.earliest) if value else qs

    def filter_signed_to(self, qs, name, value):
        return qs.filter(signed_earliest__lte=value.latest) if value else qs

    def filter_in_force_on(self, qs, name, value):
        return qs.in_force_on(value.earliest) if value else qs

    def filter_sort(self, qs, name, value):
        return qs  # ordering is applied last, in filter_queryset()

    # -- the whole query --------------------------------------------------------

    @property
    def search_text(self) -> str:
        data = self.form.cleaned_data if self.is_bound and hasattr(self.form, "cleaned_data") else {}
        return (data.get("q") or "").strip()

    @property
    def sort_key(self) -> str:
        """The sort in effect: the chosen one, else relevance when searching, else date."""
        data = self.form.cleaned_data if self.is_bound and hasattr(self.form, "cleaned_data") else {}
        chosen = data.get("sort") or ""
        if chosen == Sort.RELEVANCE and not self.search_text:
            chosen = ""
        return chosen or (Sort.RELEVANCE if self.search_text else Sort.DATE)

    def filtered(self, exclude=()):
        """The treaties matching every valid filter except those named in ``exclude``, unordered.

        ``catalogue.facets`` counts each facet over ``filtered(exclude=(facet,))``.
        """
        qs = self.queryset.all()
        if self.is_bound:
            self.form.is_valid()  # fills cleaned_data
            for name, value in self.form.cleaned_data.items():
                if name not in exclude:
                    qs = self.filters[name].filter(qs, value)
        return qs.order_by()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return self.order(queryset)

    def order(self, queryset):
        key = self.sort_key
        date = F("signed_earliest")
        if key == Sort.RELEVANCE:
            return search.annotate_rank(queryset, self.search_text).order_by(
                F("rank").desc(), date.asc(nulls_last=True), "pk"
            )
        if key == Sort.DATE_DESC:
            return queryset.order_by(date.desc(nulls_last=True), Lower("title"), "-pk")
        if key == Sort.TITLE:
            return queryset.order_by(Lower("title"), "pk")
        return queryset.order_by(date.asc(nulls_last=True), Lower("title"), "pk")

    def selected(self) -> dict:
        """The valid chosen values of every facet and field: ``{name: {value: label}}``, for chips."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        chosen = {}
        for name, value in self.form.cleaned_data.items():
            if not value:
                continue
            if isinstance(value, dict):
                chosen[name] = value
            elif name == "has_scans":
                chosen[name] = {value: str(dict(self.filters[name].extra["choices"])[value])}
            elif name == "sort":
                continue
            else:
                chosen[name] = {self.data.get(name): self.data.get(name)}
        return chosen


def _to_querydict(data) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in dict(data).items():
        if isinstance(value, list | tuple):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    return query


# ---------------------------------------------------------------------------
# Turning bad input into messages
# ---------------------------------------------------------------------------

KNOWN_PAGE_PARAMETERS = ("page", "page_size")


def sanitize(data, *, allowed_extra=KNOWN_PAGE_PARAMETERS) -> tuple[QueryDict, list[str]]:
    """A copy of ``data`` without what the filters refuse, and a message for each thing ignored.

    Unknown facet values are dropped one by one (the known values of the same
    facet stay); a repeated single-valued parameter keeps its last value;
    parameters nobody reads are dropped. One validating pass, so at most one
    query per facet given.
    """
    clean, messages, _filterset = sanitized(data, allowed_extra=allowed_extra)
    return clean, messages


def sanitized(data, *, allowed_extra=KNOWN_PAGE_PARAMETERS) -> tuple[QueryDict, list[str], TreatyFilterSet | None]:
    """``sanitize()``, and the validated filterset of the clean query when checking it changed nothing (else None).

    The list page uses it rather than building and validating a second filterset for the same query.
    """
    if not isinstance(data, QueryDict):
        data = _to_querydict(data)
    clean = data.copy()
    messages: list[str] = []
    names = set(TreatyFilterSet.base_filters)
    for key in list(clean.keys()):
        if key not in names and key not in allowed_extra:
            messages.append(str(_("Ignored the unknown parameter “%(name)s”.") % {"name": _shorten(key)}))
            del clean[key]
    for key in (*TreatyFilterSet.SINGLE_VALUED, *allowed_extra):
        values = clean.getlist(key)
        if len(values) > 1:
            messages.append(
                str(
                    _("“%(name)s” was given %(count)d times; used the last value.")
                    % {"name": key, "count": len(values)}
                )
            )
            clean.setlist(key, values[-1:])
    for key in list(clean.keys()):
        if all(not value.strip() for value in clean.getlist(key)):
            del clean[key]  # empty form fields are not filters
    filterset = TreatyFilterSet(clean)
    if not filterset.is_valid():
        for name, errors in filterset.form.errors.as_data().items():
            for error in errors:
                params = error.params or {}
                text = " ".join(error.messages)
                if name in clean and params.get("unknown") and error.code in ("unknown", "too_many"):
                    unknown = set(params["unknown"])
                    kept = [v for v in clean.getlist(name) if v.strip() not in unknown]
                    clean.setlist(name, kept)
                    if not kept:
                        del clean[name]
                elif name in clean:
                    del clean[name]
                if error.code in ("unknown", "too_many", "invalid_date"):
                    messages.append(str(_("Ignored: %(reason)s") % {"reason": text}))
                else:  # Django's own messages do not name the field
                    label = filterset.filters[name].label or name
                    messages.append(str(_("Ignored %(field)s: %(reason)s") % {"field": label, "reason": text}))
        # Cross-field rule: a range that ends before it starts is empty; say so rather than show nothing.
        return clean, messages, None
    return clean, messages, filterset


def date_range_message(filterset: TreatyFilterSet) -> str | None:
    data = getattr(filterset.form, "cleaned_data", {})
    start, end = data.get("signed_from"), data.get("signed_to")
    if start and end and end.latest < start.earliest:
        return str(_("The date range ends before it starts, so no treaty can match it."))
    return None
