"""Reads live here, as chainable QuerySet methods; views call them (house style)."""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch, Q


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def public(self):
        """Records a public URL may answer for: published, or withdrawn (410 Gone)."""
        return self.filter(status__in=("published", "withdrawn"))


class TreatyQuerySet(PublishedQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    #: The columns a list row shows (treaty list, state page, home page): see ``for_list``.
    LIST_FIELDS = ("slug", "title", "summary", "signed", "signed_earliest", "kind__name", "place_signed__name")

    def for_list(self):
        """What a list row shows, in a fixed number of queries, and only that.

        ``only()``: a row built from every column of five tables (treaty, kind,
        place, participation, state: timestamps, notes, search text) cost about
        three times the SQL in model instances and date parsing; a list row reads
        the columns of ``LIST_FIELDS`` and each party's name.
        """
        from .models import Participation

        return (
            self.only(*self.LIST_FIELDS)
            .select_related("kind", "place_signed")
            .prefetch_related(
                Prefetch(
                    "participations",
                    queryset=Participation.objects.select_related("state")
                    .only("treaty_id", "position", "state__name")
                    .order_by("position"),
                )
            )
        )

    def for_detail(self):
        from .models import (
            Article,
            Citation,
            Event,
            Participation,
            PersonRole,
            Protocol,
            Registration,
            Scan,
            TreatyRelation,
        )

        citations = Citation.objects.select_related("source")
        return self.select_related("kind", "place_signed", "ratifications_place").prefetch_related(
            "subjects",
            "titles",
            Prefetch("articles", queryset=Article.objects.order_by("position", "number")),
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("state").prefetch_related(
                    Prefetch("citations", queryset=citations)
                ),
            ),
            Prefetch("people", queryset=PersonRole.objects.select_related("person", "state")),
            Prefetch("protocols", queryset=Protocol.objects.published().with_citations()),
            Prefetch(
                "registrations",
                queryset=Registration.objects.select_related("series").prefetch_related(
                    Prefetch("citations", queryset=citations)
                ),
            ),
            Prefetch(
                "events",
                queryset=Event.objects.select_related("place").prefetch_related(
                    "people", Prefetch("citations", queryset=citations)
                ),
            ),
            Prefetch(
                "relations_from",
                queryset=TreatyRelation.objects.filter(object__status="published")
                .select_related("object")
                .prefetch_related(Prefetch("citations", queryset=citations)),
            ),
            Prefetch(
                "relations_to",
                queryset=TreatyRelation.objects.filter(subject__status="published")
                .select_related("subject")
                .prefetch_related(Prefetch("citations", queryset=citations)),
            ),
            Prefetch("citations", queryset=citations),
            Prefetch("scans", queryset=Scan.objects.order_by("position", "pk")),
        )

    def in_force_on(self, day):
        """Treaties in force on ``day``: entered into force on or before it (earliest
        bound) and not ended before it (latest bound), an unknown end counting as open."""
        return self.filter(entry_into_force_earliest__lte=day).filter(
            Q(ended_latest__isnull=True) | Q(ended_latest__gt=day)
        )

    def with_party(self, state):
        return self.filter(participations__state=state)


class ProtocolQuerySet(PublishedQuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def with_citations(self):
        """A protocol with its place, citations and registrations (and theirs), as pages show them."""
        from .models import Citation, Registration

        citations = Citation.objects.select_related("source")
        return self.select_related("place_signed").prefetch_related(
            Prefetch("citations", queryset=citations),
            Prefetch(
                "registrations",
                queryset=Registration.objects.select_related("series").prefetch_related(
                    Prefetch("citations", queryset=citations)
                ),
            ),
        )

    def published(self):
        # A protocol is public only with its treaty.
        return self.filter(status="published", treaty__status="published")


class RegistrationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            Q(treaty__status="published") | Q(protocol__status="published", protocol__treaty__status="published")
        )


class StateQuerySet(models.QuerySet):
    def get_by_natural_key(self, code):
        return self.get(code=code)

    def parties(self):
        """States party to at least one published treaty, each with ``treaty_count``,
        by name: the parties page, its download and the API list the same states."""
        from django.db.models import Count

        published = Q(participations__treaty__status="published")
        return (
            self.annotate(treaty_count=Count("participations", filter=published, distinct=True))
            .filter(treaty_count__gt=0)
            .order_by("name", "pk")
        )

    def matching_name(self, name: str):
        """States whose name, code or any other name is ``name`` (case-insensitive)."""
        return self.filter(Q(name__iexact=name) | Q(code__iexact=name) | Q(other_names__name__iexact=name)).distinct()


class SourceQuerySet(models.QuerySet):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class CitationQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            Q(treaty__status="published")
            | Q(protocol__status="published", protocol__treaty__status="published")
            | Q(registration__treaty__status="published")
            | Q(registration__protocol__status="published")
            | Q(event__treaty__status="published")
            | Q(
                relation__subject__status="published",
                relation__object__status="published",
            )
            | Q(participation__treaty__status="published")
        )
