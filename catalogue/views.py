"""Public pages. Only published records are shown; publication rules live in get_queryset().

Every detail view answers in one place (``get_object`` / ``refuse``) for the
public rules: an unknown or draft record is a 404, a withdrawn one a 410 Gone
with its withdrawal note, an old slug a 301 to the current address. The admin's
preview subclasses ``TreatyDetailView`` and widens ``get_queryset()`` to drafts;
the rendering does not depend on the publication filter.

Bad query strings never fail a page: what cannot be used is ignored and said in
a visible message (``catalogue.filters.sanitize`` for the treaty filters,
``SafePaginationMixin`` for page numbers and sizes).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView, TemplateView

from . import facetindex, pagecache, slugs, timeline
from . import facets as facet_module
from .facets import FACET_LABELS
from .filters import Sort, TreatyFilterSet, date_range_message, sanitized
from .footnotes import Footnotes, detail_sections
from .models import (
    Citation,
    Participation,
    Protocol,
    Registration,
    Source,
    State,
    Status,
    Treaty,
    TreatySeries,
)
from .pagecache import CachedPageMixin
from .querystrings import chip_list, current, facet_urls, histogram_bars, without_page

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_DIGITS = 9


# ---------------------------------------------------------------------------
# Pagination that never fails
# ---------------------------------------------------------------------------


def read_page_size(params, messages: list[str], default=DEFAULT_PAGE_SIZE, choices=PAGE_SIZES) -> int:
    raw = (params.getlist("page_size") or [""])[-1].strip()
    if not raw:
        return default
    if raw.isdigit() and len(raw) <= 4 and int(raw) in choices:
        return int(raw)
    messages.append(
        str(
            _("Ignored the page size “%(value)s”: choose one of %(choices)s.")
            % {"value": raw[:20], "choices": ", ".join(str(c) for c in choices)}
        )
    )
    return default


def paginate(queryset, params, per_page: int, messages: list[str], count: int | None = None):
    """The page asked for, or the nearest page that exists, with a message saying why."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # already counted (facets): spare a query
    raw = (params.getlist("page") or [""])[-1].strip()
    number = 1
    if raw:
        if raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS:
            number = int(raw)
            if number < 1:
                messages.append(str(_("There is no page 0; showing the first page.")))
                number = 1
            elif number > paginator.num_pages:
                messages.append(
                    str(
                        _("There is no page %(page)s; showing the last page, %(last)d.")
                        % {"page": raw, "last": paginator.num_pages}
                    )
                )
                number = paginator.num_pages
        elif raw.isdigit():
            messages.append(str(_("There is no page %(page)s; showing the last page.") % {"page": raw[:12] + "…"}))
            number = paginator.num_pages
        else:
            messages.append(str(_("Ignored the page number “%(page)s”: it is not a number.") % {"page": raw[:20]}))
    return paginator, paginator.page(number)


class SafePaginationMixin:
    """ListView pagination with readable messages instead of 404s for bad page numbers."""

    paginate_by = 50
    page_sizes = (50, 100, 200)

    def paginate_queryset(self, queryset, page_size):
        messages = self.notices
        size = read_page_size(self.request.GET, messages, default=page_size, choices=self.page_sizes)
        paginator, page = paginate(queryset, self.request.GET, size, messages)
        return paginator, page, page.object_list, page.has_other_pages()

    @cached_property
    def notices(self) -> list[str]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["notices"] = self.notices
        context["page_query"] = without_page(self.request.GET)
        return context


# ---------------------------------------------------------------------------
# Home
# ---------------------------------------------------------------------------


def series_with_counts():
    """Treaty series with their published registrations (of treaties and of protocols) counted."""
    published = Q(registrations__treaty__status=Status.PUBLISHED) | Q(
        registrations__protocol__status=Status.PUBLISHED,
        registrations__protocol__treaty__status=Status.PUBLISHED,
    )
    return TreatySeries.objects.annotate(registration_count=Count("registrations", filter=published)).order_by("name")


class HomeView(TemplateView):
    template_name = "catalogue/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["treaty_count"] = Treaty.objects.published().count()
        context["protocol_count"] = Protocol.objects.published().count()
        context["registration_count"] = Registration.objects.published().count()
        context["source_count"] = Source.objects.count()
        context["party_count"] = (
            Participation.objects.filter(treaty__status=Status.PUBLISHED).values("state").distinct().count()
        )
        context["series"] = series_with_counts()
        context["recent"] = Treaty.objects.published().for_list().order_by("-updated")[:5]
        result = facet_module.compute(TreatyFilterSet({}))
        context["kinds"] = result.facets["kind"].values[:8]
        context["decades"] = result.facets["decade"].values
        # On the home page a bar leads to the list of that period.
        context["histogram"] = histogram_bars(result.histogram, {}, base=reverse("catalogue:treaty-list"))
        return context


# ---------------------------------------------------------------------------
# Treaties
# ---------------------------------------------------------------------------


def counted(request):
    """The list's query as the page uses it: (clean params, notices, validated filterset, facet counts).

    What cannot be used is dropped with a notice (``filters.sanitized``); the counts come from the facet
    cache, else the facet index or SQL (``facets.compute``).
    """
    params, notices, filterset = sanitized(request.GET)
    if filterset is None:  # something was dropped: the filters of what is left
        filterset = TreatyFilterSet(params)
    filterset.is_valid()
    warning = date_range_message(filterset)
    if warning:
        notices.append(warning)
    result = pagecache.facets(filterset, params, request, facet_module.compute)
    return params, notices, filterset, result


class TreatyListView(CachedPageMixin, TemplateView):
    """The faceted list: filters, facet counts, histogram, search and pagination from the URL alone."""

    template_name = "catalogue/treaty_list.html"

    def rows(self, filterset):
        """The result rows to paginate: ordered by the facet index where it serves, else by SQL."""
        index = facetindex.current(getattr(self.request, "catalogue_version", None))
        ids = index.ordered_ids(filterset) if index is not None else None
        if ids is None:
            return filterset.qs.for_list()
        return facetindex.OrderedRows(ids, Treaty.objects.for_list())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params, notices, filterset, result = counted(self.request)
        size = read_page_size(params, notices)
        paginator, page = paginate(self.rows(filterset), params, size, notices, count=result.total)
        facets = list(result.facets.values())
        for facet in facets:
            facet_urls(facet, params)
        context.update(
            filterset=filterset,
            form=filterset.form,
            params=params,
            notices=notices,
            result=result,
            facets=facets,
            chips=chip_list(filterset, params),
            histogram=histogram_bars(result.histogram, params),
            paginator=paginator,
            page_obj=page,
            treaties=page.object_list,
            page_size=size,
            page_sizes=PAGE_SIZES,
            sort=filterset.sort_key,
            sort_choices=[(k, v) for k, v in Sort.CHOICES if k != Sort.RELEVANCE or filterset.search_text],
            page_query=without_page(params),
            hidden_facets=[(name, value) for name in TreatyFilterSet.FACETS for value in params.getlist(name)],
            searching=bool(filterset.search_text),
            facet_query=current(params),
        )
        return context


class TreatyFacetView(CachedPageMixin, TemplateView):
    """Every value of one facet, with its count, for the list's current filters (the list shows the first ten).

    Its links lead back to the list with a value added or removed, as the list's own facet links do.
    """

    template_name = "catalogue/treaty_facet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if kwargs["name"] not in FACET_LABELS:
            raise Http404(_("There is no facet “%(name)s”.") % {"name": kwargs["name"][:40]})
        params, notices, filterset, result = counted(self.request)
        list_url = reverse("catalogue:treaty-list")
        facet = facet_urls(result.facets[kwargs["name"]], params, base=list_url, every=True)
        context.update(
            facet=facet,
            result=result,
            notices=notices,
            chips=chip_list(filterset, params),
            searching=bool(filterset.search_text),
            filterset=filterset,
            back=list_url + current(params),
        )
        return context


class PublicDetailMixin:
    """The public rules of a detail page, in one overridable place.

    ``get_queryset()`` chooses which records can be shown (published and
    withdrawn); ``refuse()`` answers for a record that may not be shown (410 for
    a withdrawn one); ``get()`` turns a retired slug into a 301.
    """

    gone_template = "410.html"

    def get_queryset(self):
        return self.model.objects.public()

    def refuse(self, obj):
        if obj.status == Status.WITHDRAWN:
            return TemplateResponse(self.request, self.gone_template, {"record": obj}, status=410)
        return None

    def redirect_for_old_slug(self):
        record = slugs.resolve(self.model, self.kwargs.get("slug", ""))
        if record is not None and self.get_queryset().filter(pk=record.pk).exists():
            query = self.request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(record.get_absolute_url() + (f"?{query}" if query else ""))
        return None

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            redirect = self.redirect_for_old_slug()
            if redirect is not None:
                return redirect
            raise
        refusal = self.refuse(self.object)
        if refusal is not None:
            return refusal
        return self.render_to_response(self.get_context_data(object=self.object))


class TreatyDetailView(CachedPageMixin, PublicDetailMixin, DetailView):
    template_name = "catalogue/treaty_detail.html"
    context_object_name = "treaty"
    model = Treaty

    def get_queryset(self):
        return Treaty.objects.public().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        treaty = self.object
        notes = Footnotes()
        context.update(detail_sections(treaty, notes))
        context["footnotes"] = notes
        context["timeline"] = timeline.for_treaty(treaty)
        return context


class ProtocolListView(SafePaginationMixin, ListView):
    template_name = "catalogue/protocol_list.html"
    context_object_name = "protocols"

    def get_queryset(self):
        return (
            Protocol.objects.published()
            .select_related("treaty", "place_signed")
            .order_by("signed_earliest", "title", "pk")
        )


class ProtocolDetailView(PublicDetailMixin, DetailView):
    template_name = "catalogue/protocol_detail.html"
    context_object_name = "protocol"
    model = Protocol

    def get_queryset(self):
        return (
            Protocol.objects.filter(status__in=(Status.PUBLISHED, Status.WITHDRAWN), treaty__status=Status.PUBLISHED)
            .select_related("treaty")
            .with_citations()
            .prefetch_related("articles", "scans", "people__person", "people__state")
        )

    def get_context_data(self, **kwargs):
        from .footnotes import protocol_sections

        context = super().get_context_data(**kwargs)
        notes = Footnotes()
        context.update(protocol_sections(self.object, notes))
        context["footnotes"] = notes
        return context


# ---------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------


class StateListView(SafePaginationMixin, ListView):
    template_name = "catalogue/state_list.html"
    context_object_name = "states"
    paginate_by = 100

    def get_queryset(self):
        return State.objects.parties()


class StateDetailView(SafePaginationMixin, DetailView):
    template_name = "catalogue/state_detail.html"
    context_object_name = "state"
    model = State

    def get_queryset(self):
        return State.objects.prefetch_related("other_names", "predecessors", "successors")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        treaties = (
            Treaty.objects.published().with_party(self.object).for_list().order_by("signed_earliest", "title", "pk")
        )
        size = read_page_size(self.request.GET, self.notices, default=50, choices=self.page_sizes)
        paginator, page = paginate(treaties, self.request.GET, size, self.notices)
        context.update(paginator=paginator, page_obj=page, treaties=page.object_list)
        return context


# ---------------------------------------------------------------------------
# Treaty series and registrations
# ---------------------------------------------------------------------------


class SeriesListView(ListView):
    template_name = "catalogue/series_list.html"
    context_object_name = "series_list"

    def get_queryset(self):
        return series_with_counts()


class SeriesDetailView(SafePaginationMixin, DetailView):
    """A treaty series browsed by volume: the volumes with their counts, then one volume's registrations."""

    template_name = "catalogue/series_detail.html"
    context_object_name = "series"
    model = TreatySeries
    page_sizes = (100, 200)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registrations = Registration.objects.published().filter(series=self.object)
        volumes = list(registrations.order_by().values_list("volume").annotate(n=Count("pk")).order_by("volume"))
        chosen = None
        raw = (self.request.GET.getlist("volume") or [""])[-1].strip()
        if raw:
            known = {v for v, _n in volumes}
            if raw.isdigit() and len(raw) <= 9 and int(raw) in known:
                chosen = int(raw)
            else:
                self.notices.append(
                    str(
                        _("Ignored the volume “%(volume)s”: this series has no such volume here.")
                        % {"volume": raw[:20]}
                    )
                )
        if chosen is not None:
            registrations = registrations.filter(volume=chosen)
        registrations = registrations.select_related("treaty", "protocol", "protocol__treaty").order_by(
            "volume", "first_page", "registered_earliest", "pk"
        )
        size = read_page_size(self.request.GET, self.notices, default=100, choices=self.page_sizes)
        paginator, page = paginate(registrations, self.request.GET, size, self.notices)
        context.update(
            volumes=volumes,
            volume=chosen,
            paginator=paginator,
            page_obj=page,
            registrations=page.object_list,
        )
        return context


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


class SourceListView(SafePaginationMixin, ListView):
    template_name = "catalogue/source_list.html"
    context_object_name = "sources"
    paginate_by = 100

    def get_queryset(self):
        # Count only citations on published records: a draft's sources stay unannounced.
        published = Citation.objects.published().values("pk")
        return Source.objects.annotate(
            citation_count=Count("citations", filter=Q(citations__in=published), distinct=True)
        ).order_by("authors", "title", "pk")


class SourceDetailView(DetailView):
    """A source and the published records that cite it ("cited by")."""

    template_name = "catalogue/source_detail.html"
    context_object_name = "source"

    def get_object(self, queryset=None):
        return get_object_or_404(Source, key=self.kwargs["key"])

    def get_context_data(self, **kwargs):
        from .footnotes import cited_by

        context = super().get_context_data(**kwargs)
        context["cited_by"] = cited_by(self.object)
        return context
