"""API representations. Read-only: every field is read from prefetched relations
(see the viewsets' querysets), so a page of results costs a fixed number of queries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import cite, dates
from ..models import Protocol, Registration, Source, State, Treaty, TreatySeries


class EDTFDate(serializers.Serializer):
    """An uncertain date: the EDTF text, its human form and its earliest and latest day."""

    edtf = serializers.CharField()
    display = serializers.CharField()
    earliest = serializers.DateField(allow_null=True)
    latest = serializers.DateField(allow_null=True)


def edtf_date(instance, name: str) -> dict | None:
    value = getattr(instance, name)
    if not value:
        return None
    return {
        "edtf": value,
        "display": dates.humanize(value),
        "earliest": getattr(instance, f"{name}_earliest"),
        "latest": getattr(instance, f"{name}_latest"),
    }


@extend_schema_field(EDTFDate(allow_null=True))
class DateField(serializers.Field):
    """Reads an EDTF field and its two bounds from the instance."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.edtf_name = field_name

    def to_representation(self, instance):
        return edtf_date(instance, self.edtf_name)


class NamedRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PlaceRef(NamedRef):
    country = serializers.CharField()


class PartySerializer(serializers.Serializer):
    code = serializers.CharField(source="state.code")
    name = serializers.CharField(source="state.name")
    role = serializers.CharField()
    signed = DateField()
    ratified = DateField()
    acceded = DateField()
    denounced = DateField()


class RegistrationSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="series.abbreviation")
    series_slug = serializers.CharField(source="series.slug")
    registered = DateField()

    class Meta:
        model = Registration
        fields = ["series", "series_slug", "number", "volume", "first_page", "last_page", "registered"]


class PermalinkMixin(serializers.Serializer):
    permalink = serializers.SerializerMethodField(help_text="The record's public page.")

    def get_permalink(self, obj) -> str:
        return cite.permalink(obj)


class TreatyListSerializer(PermalinkMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:treaty-detail", lookup_field="slug")
    kind = NamedRef()
    place_signed = PlaceRef(allow_null=True)
    signed = DateField()
    parties = PartySerializer(source="participations", many=True)
    subjects = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Treaty
        fields = [
            "url",
            "permalink",
            "slug",
            "identifier",
            "title",
            "short_title",
            "kind",
            "subjects",
            "signed",
            "place_signed",
            "parties",
            "updated",
        ]


class TitleSerializer(serializers.Serializer):
    title = serializers.CharField()
    language = serializers.CharField()
    kind = serializers.CharField()


class ProtocolRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:protocol-detail", lookup_field="slug")
    signed = DateField()

    class Meta:
        model = Protocol
        fields = ["url", "slug", "title", "kind", "effect", "signed"]


class CitationSerializer(serializers.Serializer):
    source = serializers.CharField(source="source.key")
    source_title = serializers.CharField(source="source.title")
    fact = serializers.CharField()
    claim = serializers.CharField()
    locator = serializers.CharField()
    quotation = serializers.CharField()


class TreatyDetailSerializer(TreatyListSerializer):
    titles = TitleSerializer(many=True)
    ratifications_exchanged = DateField()
    ratifications_place = PlaceRef(allow_null=True)
    entry_into_force = DateField()
    ended = DateField()
    same_as = serializers.ListField(source="same_as_urls", child=serializers.URLField())
    registrations = RegistrationSerializer(many=True)
    protocols = ProtocolRefSerializer(many=True)
    citations = CitationSerializer(many=True)
    jsonld = serializers.SerializerMethodField(help_text="The record as JSON-LD (schema.org Legislation).")

    class Meta(TreatyListSerializer.Meta):
        fields = [
            *TreatyListSerializer.Meta.fields,
            "titles",
            "secret",
            "ratifications_exchanged",
            "ratifications_place",
            "entry_into_force",
            "duration",
            "ended",
            "end_kind",
            "summary",
            "same_as",
            "registrations",
            "protocols",
            "citations",
            "jsonld",
        ]

    def get_jsonld(self, obj) -> str:
        from django.urls import reverse

        url = reverse("exports:treaty", kwargs={"slug": obj.slug, "fmt": "jsonld"})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class TreatyRefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:treaty-detail", lookup_field="slug")

    class Meta:
        model = Treaty
        fields = ["url", "slug", "title"]


class ProtocolSerializer(PermalinkMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:protocol-detail", lookup_field="slug")
    treaty = TreatyRefSerializer()
    signed = DateField()
    place_signed = PlaceRef(allow_null=True)
    ratified = DateField()
    entry_into_force = DateField()
    registrations = RegistrationSerializer(many=True)

    class Meta:
        model = Protocol
        fields = [
            "url",
            "permalink",
            "slug",
            "title",
            "kind",
            "treaty",
            "signed",
            "place_signed",
            "ratified",
            "entry_into_force",
            "effect",
            "prolongation",
            "summary",
            "registrations",
            "updated",
        ]


class StateNameSerializer(serializers.Serializer):
    name = serializers.CharField()
    language = serializers.CharField()
    kind = serializers.CharField()


class StateSerializer(PermalinkMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:state-detail", lookup_field="code")
    existed = DateField()
    other_names = StateNameSerializer(many=True)
    treaty_count = serializers.IntegerField(help_text="Published treaties the state is party to.")
    treaties = serializers.SerializerMethodField(help_text="The API list of its treaties.")

    class Meta:
        model = State
        fields = [
            "url",
            "permalink",
            "code",
            "slug",
            "name",
            "existed",
            "other_names",
            "wikidata_id",
            "description",
            "treaty_count",
            "treaties",
        ]

    def get_treaties(self, obj) -> str:
        from django.urls import reverse

        url = reverse("api:treaty-list") + f"?party={obj.code}"
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class SourceSerializer(PermalinkMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="key")
    source_url = serializers.CharField(source="url", help_text="Where the source itself is online.")
    csl = serializers.SerializerMethodField(help_text="The source as a CSL-JSON item.")

    class Meta:
        model = Source
        fields = [
            "url",
            "permalink",
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
            "source_url",
            "accessed",
            "language",
            "note",
            "csl",
        ]

    def get_csl(self, obj) -> dict:
        return cite.csl_item(obj)


class SeriesSerializer(PermalinkMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:series-detail", lookup_field="slug")
    registration_count = serializers.IntegerField(help_text="Registrations of published instruments.")

    class Meta:
        model = TreatySeries
        fields = ["url", "permalink", "slug", "name", "abbreviation", "publisher", "description", "registration_count"]
