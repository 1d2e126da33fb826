"""Read-only API views. The treaty list uses the pages' own ``TreatyFilterSet`` and
``facets.compute``: the same parameters, the same search, the same counts; a bad
parameter is a 400 that names it and says why (django-filter's backend raises the
FilterSet's form errors as a DRF ``ValidationError``)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from .. import facets
from ..filters import TreatyFilterSet
from ..models import Citation, Participation, Protocol, Registration, Source, State, Status, Treaty, TreatySeries
from . import serializers
from .schema import TreatyFilterBackend

TRUE = {"1", "true", "yes", "on"}
FALSE = {"", "0", "false", "no", "off"}


class Pagination(PageNumberPagination):
    """Pages of 50 (``page_size`` up to 500). A page number that is not a number is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page_size": [f"“{raw[:40]}” is not a positive whole number."]})
        return super().get_page_size(request)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and raw != "last" and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page": [f"“{raw[:40]}” is not a page number (1, 2, …)."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise NotFound({"page": [str(error.detail)]}) from None


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, with slug-shaped lookups and a 400 for a NUL character in a parameter
    (PostgreSQL cannot take one in a query; it is never meaningful here)."""

    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bad = {
            key: ["This value holds a NUL character."]
            for key in request.query_params
            if "\x00" in key or any("\x00" in value for value in request.query_params.getlist(key))
        }
        if bad:
            raise ValidationError(bad)

    def withdrawn(self):
        """Records whose address answers 410 Gone rather than 404 (as their pages do)."""
        return None

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            withdrawn = self.withdrawn()
            value = self.kwargs.get(self.lookup_field)
            record = withdrawn.filter(**{self.lookup_field: value}).first() if withdrawn is not None else None
            if record is not None:
                raise Gone(
                    {"detail": "This record has been withdrawn.", "withdrawal_note": record.withdrawal_note}
                ) from None
            raise


class Gone(APIException):
    status_code = 410
    default_detail = "This record has been withdrawn."
    default_code = "gone"


def wants_facets(request) -> bool:
    raw = request.query_params.get("facets", "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise ValidationError({"facets": ["Give facets=1 to include the facet counts, or leave it out."]})


FACETS_PARAMETER = OpenApiParameter(
    "facets",
    OpenApiTypes.BOOL,
    description="Include the facet counts, the total and the date histogram (as on the treaty list page).",
)


@extend_schema_view(
    list=extend_schema(
        summary="Published treaties, filtered as on the treaty list page",
        parameters=[FACETS_PARAMETER],
    ),
    retrieve=extend_schema(summary="One published treaty"),
)
class TreatyViewSet(ReadOnlyViewSet):
    """Published treaties. Filters: ``q`` (search), ``party`` (state code), ``kind``,
    ``subject``, ``place``, ``series`` (slugs; repeat a parameter for OR), ``decade``,
    ``year``, ``has_scans``, ``signed_from``, ``signed_to``, ``in_force_on`` (EDTF),
    ``sort``; ``facets=1`` adds the facet counts."""

    lookup_field = "slug"
    filterset_class = TreatyFilterSet
    filter_backends = [TreatyFilterBackend]
    pagination_class = Pagination

    def get_queryset(self):
        queryset = Treaty.objects.published().select_related("kind", "place_signed")
        parties = Prefetch(
            "participations", queryset=Participation.objects.select_related("state").order_by("position", "pk")
        )
        if self.action == "retrieve":
            registrations = Registration.objects.select_related("series")
            return queryset.select_related("ratifications_place").prefetch_related(
                parties,
                "subjects",
                "titles",
                Prefetch("registrations", queryset=registrations),
                Prefetch("protocols", queryset=Protocol.objects.published().order_by("signed_earliest", "slug")),
                Prefetch("citations", queryset=Citation.objects.select_related("source")),
            )
        return queryset.prefetch_related(parties, "subjects")

    def withdrawn(self):
        return Treaty.objects.filter(status=Status.WITHDRAWN)

    def get_serializer_class(self):
        return serializers.TreatyDetailSerializer if self.action == "retrieve" else serializers.TreatyListSerializer

    def list(self, request, *args, **kwargs):
        include_facets = wants_facets(request)
        response = super().list(request, *args, **kwargs)
        if include_facets:
            filterset = TreatyFilterSet(request.query_params, request=request)
            filterset.is_valid()  # already validated by the filter backend
            response.data["facets"] = facets.compute(filterset).as_dict()
        return response


@extend_schema_view(list=extend_schema(summary="Published protocols"), retrieve=extend_schema(summary="One protocol"))
class ProtocolViewSet(ReadOnlyViewSet):
    """Published protocols (of published treaties), by date of signature."""

    lookup_field = "slug"
    serializer_class = serializers.ProtocolSerializer
    pagination_class = Pagination

    def withdrawn(self):
        return Protocol.objects.filter(status=Status.WITHDRAWN, treaty__status=Status.PUBLISHED)

    def get_queryset(self):
        return (
            Protocol.objects.published()
            .select_related("treaty", "place_signed")
            .prefetch_related(Prefetch("registrations", queryset=Registration.objects.select_related("series")))
            .order_by("signed_earliest", "title", "pk")
        )


@extend_schema_view(
    list=extend_schema(summary="States that are party to a published treaty"),
    retrieve=extend_schema(summary="One state, by its code"),
)
class StateViewSet(ReadOnlyViewSet):
    """States party to at least one published treaty (as the parties page lists them)."""

    lookup_field = "code"
    serializer_class = serializers.StateSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return State.objects.parties().prefetch_related("other_names")


@extend_schema_view(list=extend_schema(summary="Sources"), retrieve=extend_schema(summary="One source, by its key"))
class SourceViewSet(ReadOnlyViewSet):
    """The bibliography the citations point into."""

    lookup_field = "key"
    serializer_class = serializers.SourceSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return Source.objects.order_by("authors", "title", "pk")


@extend_schema_view(list=extend_schema(summary="Treaty series"), retrieve=extend_schema(summary="One treaty series"))
class SeriesViewSet(ReadOnlyViewSet):
    """Treaty series (LNTS, UNTS…) with the number of published registrations in each."""

    lookup_field = "slug"
    serializer_class = serializers.SeriesSerializer
    pagination_class = Pagination

    def get_queryset(self):
        published = Q(registrations__treaty__status=Status.PUBLISHED) | Q(
            registrations__protocol__status=Status.PUBLISHED,
            registrations__protocol__treaty__status=Status.PUBLISHED,
        )
        return TreatySeries.objects.annotate(
            registration_count=Count("registrations", filter=published, distinct=True)
        ).order_by("name", "pk")
