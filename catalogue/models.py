"""The catalogue's data model: treaties, protocols, registrations, citations.

Conventions (see README.md, "Design"):

* Uncertain dates are ``EDTFField`` s with derived ``*_earliest`` / ``*_latest``
  ``DateField`` s that sort and filter (``catalogue.dates``).
* Rules the database can guard are named constraints with a message that names
  the field; rules across fields are in ``clean()``; rules across records
  (a protocol not before its treaty) too, where the related record is at hand.
* Every model has a natural key where other records refer to it, so fixtures
  and ``dumpdata --natural-foreign --natural-primary`` do not depend on
  primary keys.
* Every model keeps its full history (django-simple-history).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import dates
from .dates import EDTFField
from .querysets import (
    CitationQuerySet,
    ProtocolQuerySet,
    RegistrationQuerySet,
    SourceQuerySet,
    StateQuerySet,
    TreatyQuerySet,
)

# --------------------------------------------------------------------------
# Shared shapes
# --------------------------------------------------------------------------


#: Fields of the large records (treaties and their parts) left unindexed in their history tables.
#:
#: simple-history copies every index of a model to its history table (slugs twice: the ``LIKE``
#: index too), though history is read by the record's ``id``, ``history_id`` and ``history_date``
#: (``catalogue.history``), and the recovery of deleted parts by their parent's key (``treaty``,
#: ``protocol``, ``participation``, ``registration``, ``event``: kept). Each index is written on every
#: import and edit: these cost a 250,000-treaty import time and space for no read. (``state`` is a
#: reference on these models; it is a parent link only of StateName, whose history keeps its index.)
LEAN_HISTORY = (
    "slug",
    "status",
    "updated",
    "kind",
    "place_signed",
    "ratifications_place",
    "place",
    "source",
    "series",
    "state",
)


#: The records a citation can back: exactly one of these keys is set (``citation_of_one_record``).
CITATION_OWNERS = ("treaty", "protocol", "registration", "event", "relation", "participation")


class Status(models.TextChoices):
    """Publication status. Only PUBLISHED is shown to the public."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TimeStamped(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Publishable(models.Model):
    status = models.CharField(
        _("publication status"),
        max_length=12,
        choices=Status.choices,
        default=Status.DRAFT,
        # No index of its own (nor its LIKE twin): each publishable model's (status, signed_earliest)
        # index leads with it.
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True, editable=False)
    review_note = models.TextField(
        _("review note"),
        blank=True,
        help_text=_("An editor's comment when sending a record back, or a curator's note for review."),
    )
    withdrawal_note = models.TextField(
        _("withdrawal note"),
        blank=True,
        help_text=_("Shown on the record's page when it is withdrawn, so that citations to it stay explainable."),
    )

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED


class SlugNaturalKeyManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class CitedFacts:
    """Mixin: the facts of a record that a citation can back, by name.

    ``citable_facts`` maps a fact's name (usually a field name) to its label.
    A citation with an empty fact backs the record as a whole.
    """

    citable_facts: dict[str, str] = {}

    @classmethod
    def fact_label(cls, fact: str) -> str:
        return str(cls.citable_facts.get(fact, fact))


# --------------------------------------------------------------------------
# Reference data: states, places, people, vocabularies
# --------------------------------------------------------------------------


class State(TimeStamped):
    """A state that can be party to a treaty, in one historical form.

    Successive forms of a country (the German Empire, the Weimar Republic) are
    separate states linked as predecessor and successor, because a treaty binds
    the state that signed it.
    """

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("A stable identifier that never changes, e.g. DEU-WEIMAR, SUN."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    existed = EDTFField(_("existed"), help_text=_("EDTF interval, e.g. 1918-11-09/1933-01-30."))
    existed_earliest = models.DateField(null=True, blank=True, editable=False)
    existed_latest = models.DateField(null=True, blank=True, editable=False)
    predecessors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="successors",
        blank=True,
        verbose_name=_("predecessors"),
    )
    description = models.TextField(_("description"), blank=True)
    wikidata_id = models.CharField(_("Wikidata ID"), max_length=20, blank=True)

    objects = StateQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[predecessors])

    class Meta:
        ordering = ["name"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        indexes = [models.Index(Lower("name"), name="state_name_lower_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(existed_earliest__isnull=True)
                | Q(existed_latest__isnull=True)
                | Q(existed_earliest__lte=models.F("existed_latest")),
                name="state_existed_in_order",
                violation_error_message=_("Existed: the start must not be after the end."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:state-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.code,)

    @property
    def existed_display(self) -> str:
        return dates.humanize(self.existed)


class StateName(models.Model):
    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Official name")
        SHORT = "short", _("Short name")
        HISTORICAL = "historical", _("Historical name")
        OTHER = "other", _("Other name")

    state = models.ForeignKey(
        State,
        on_delete=models.CASCADE,
        related_name="other_names",
        verbose_name=_("state"),
        db_index=False,  # statename_unique_per_state (state, name, language) leads with it
    )
    name = models.CharField(_("name"), max_length=300)
    language = models.CharField(
        _("language"),
        max_length=20,
        blank=True,
        help_text=_("BCP 47 code: de, ru, en."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    period = EDTFField(_("in use"))
    period_earliest = models.DateField(null=True, blank=True, editable=False)
    period_latest = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["state", "name"]
        verbose_name = _("other name of a state")
        verbose_name_plural = _("other names of states")
        indexes = [models.Index(Lower("name"), name="statename_name_lower_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "name", "language"],
                name="statename_unique_per_state",
                violation_error_message=_("Name: this state already has this name in this language."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.language})" if self.language else self.name


class Place(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    country = models.CharField(
        _("present-day country"),
        max_length=100,
        blank=True,
        help_text=_("The country the place lies in today."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    wikidata_id = models.CharField(_("Wikidata ID"), max_length=20, blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="place_coordinates_both_or_neither",
                violation_error_message=_("Coordinates: give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})" if self.country else self.name

    def natural_key(self):
        return (self.slug,)


class Person(TimeStamped):
    name = models.CharField(_("name"), max_length=200, help_text=_("As usually written: Gustav Stresemann."))
    sort_name = models.CharField(_("sort name"), max_length=200, blank=True, help_text=_("Stresemann, Gustav"))
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    born = EDTFField(_("born"))
    born_earliest = models.DateField(null=True, blank=True, editable=False)
    born_latest = models.DateField(null=True, blank=True, editable=False)
    died = EDTFField(_("died"))
    died_earliest = models.DateField(null=True, blank=True, editable=False)
    died_latest = models.DateField(null=True, blank=True, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    wikidata_id = models.CharField(_("Wikidata ID"), max_length=20, blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=Q(born_earliest__isnull=True)
                | Q(died_latest__isnull=True)
                | Q(born_earliest__lte=models.F("died_latest")),
                name="person_born_before_died",
                violation_error_message=_("Died: cannot be before born."),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if dates.out_of_order(self.born, self.died):
            raise ValidationError({"died": _("Died: this date is before the date of birth.")})

    @property
    def life_dates(self) -> str:
        if not (self.born or self.died):
            return ""
        return f"{dates.humanize(self.born) or '?'} – {dates.humanize(self.died) or '?'}"


class TreatyKind(models.Model):
    """A kind of instrument: treaty, pact, convention, agreement, exchange of notes..."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("kind of instrument")
        verbose_name_plural = _("kinds of instrument")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Subject(models.Model):
    """A subject heading: neutrality, non-aggression, credit..."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class TreatySeries(models.Model):
    """A treaty series in which instruments are registered (LNTS, UNTS)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)

    objects = SlugNaturalKeyManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("treaty series")
        verbose_name_plural = _("treaty series")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:series-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)


# --------------------------------------------------------------------------
# Bibliography
# --------------------------------------------------------------------------


class Source(TimeStamped):
    """A bibliographic source that citations point into."""

    class Kind(models.TextChoices):
        BOOK = "book", _("Book")
        CHAPTER = "chapter", _("Chapter in a book")
        ARTICLE = "article", _("Journal article")
        ENCYCLOPEDIA = "encyclopedia", _("Encyclopedia article")
        WEB_PAGE = "webpage", _("Web page")
        DOCUMENT_COLLECTION = "collection", _("Document collection")
        TREATY_SERIES = "series", _("Treaty series volume")
        ARCHIVAL = "archival", _("Archival document")
        OTHER = "other", _("Other")

    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("A short stable key for the source, e.g. wp-en-treaty-of-berlin-1926."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.BOOK)
    authors = models.CharField(
        _("authors"),
        max_length=500,
        blank=True,
        help_text=_("Family name, given names; separate people with “; ”."),
    )
    editors = models.CharField(_("editors"), max_length=500, blank=True, help_text=_("As for authors."))
    title = models.CharField(_("title"), max_length=500)
    container_title = models.CharField(
        _("in"),
        max_length=500,
        blank=True,
        help_text=_("The book, journal, encyclopedia or website it appears in."),
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    place_published = models.CharField(_("place of publication"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1400), MaxValueValidator(2100)],
    )
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    accessed = models.DateField(_("accessed"), null=True, blank=True, help_text=_("When the URL was consulted."))
    language = models.CharField(_("language"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = SourceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["authors", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [models.Index(Lower("title"), name="source_title_lower_idx")]

    def __str__(self):
        who = self.authors or self.editors or self.container_title
        year = f" ({self.year})" if self.year else ""
        return f"{who}: {self.title}{year}" if who else f"{self.title}{year}"

    def get_absolute_url(self):
        return reverse("catalogue:source-detail", kwargs={"key": self.key})

    def natural_key(self):
        return (self.key,)

    def clean(self):
        errors = {}
        if self.accessed and not self.url:
            errors["accessed"] = _("Accessed: give the URL that was consulted, or leave this blank.")
        if self.isbn:
            digits = self.isbn.replace("-", "").replace(" ", "").upper()
            if not (
                (len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X"))
                or (len(digits) == 13 and digits.isdigit())
            ):
                errors["isbn"] = _("ISBN: give 10 or 13 digits (hyphens allowed), e.g. 3-11-003933-8.")
        if errors:
            raise ValidationError(errors)


# --------------------------------------------------------------------------
# Treaties and their parts
# --------------------------------------------------------------------------


class Treaty(CitedFacts, TimeStamped, Publishable):
    """A treaty (or pact, convention, agreement...) as an instrument."""

    class EndKind(models.TextChoices):
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")
        DENOUNCED = "denounced", _("Denounced")
        SUPERSEDED = "superseded", _("Superseded")
        ANNULLED = "annulled", _("Annulled")
        NOT_RENEWED = "not_renewed", _("Not renewed")
        LAPSED = "lapsed", _("Lapsed")

    citable_facts = {
        "title": _("title"),
        "kind": _("kind"),
        "subjects": _("subjects"),
        "signed": _("signed on"),
        "place_signed": _("signed at"),
        "parties": _("parties"),
        "ratifications_exchanged": _("ratifications exchanged on"),
        "ratifications_place": _("ratifications exchanged at"),
        "entry_into_force": _("entered into force on"),
        "duration": _("duration"),
        "ended": _("ended on"),
        "end_kind": _("how it ended"),
        "secret": _("secret"),
        "summary": _("summary"),
        "articles": _("articles"),
        "reception": _("reception"),
    }

    title = models.CharField(_("title"), max_length=500)
    short_title = models.CharField(_("short title"), max_length=200, blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The permanent address of the record. Changing it keeps the old address working."),
    )
    identifier = models.CharField(
        _("stable identifier"),
        max_length=100,
        blank=True,
        help_text=_("An identifier from the data set the record came from, e.g. atop:1234. Used by imports."),
    )
    kind = models.ForeignKey(
        TreatyKind,
        on_delete=models.PROTECT,
        related_name="treaties",
        verbose_name=_("kind"),
    )
    subjects = models.ManyToManyField(Subject, blank=True, related_name="treaties", verbose_name=_("subjects"))
    secret = models.BooleanField(_("secret"), default=False, help_text=_("Concluded as a secret treaty."))

    signed = EDTFField(_("signed"))
    signed_earliest = models.DateField(null=True, blank=True, editable=False)
    signed_latest = models.DateField(null=True, blank=True, editable=False)
    place_signed = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="treaties_signed",
        verbose_name=_("place of signature"),
    )
    ratifications_exchanged = EDTFField(_("ratifications exchanged"))
    ratifications_exchanged_earliest = models.DateField(null=True, blank=True, editable=False)
    ratifications_exchanged_latest = models.DateField(null=True, blank=True, editable=False)
    ratifications_place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratifications_exchanged_here",
        verbose_name=_("place of exchange of ratifications"),
    )
    entry_into_force = EDTFField(_("entered into force"))
    entry_into_force_earliest = models.DateField(null=True, blank=True, editable=False)
    entry_into_force_latest = models.DateField(null=True, blank=True, editable=False)
    duration = models.CharField(
        _("duration"),
        max_length=200,
        blank=True,
        help_text=_("As the text gives it: “five years”."),
    )
    ended = EDTFField(_("ended"), help_text=_("EDTF date of expiry or termination."))
    ended_earliest = models.DateField(null=True, blank=True, editable=False)
    ended_latest = models.DateField(null=True, blank=True, editable=False)
    end_kind = models.CharField(_("how it ended"), max_length=12, choices=EndKind.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    note = models.TextField(_("curator's note"), blank=True, help_text=_("Not shown to the public."))
    same_as = models.TextField(
        _("same as"),
        blank=True,
        help_text=_("Addresses of this treaty in other catalogues (Wikidata, Wikipedia...), one per line."),
    )
    # Full-text search. search_document is the treaty's searchable text (titles in
    # every language, summary, articles, party names), kept current by
    # catalogue.search; on PostgreSQL search_vector holds its tsvector, with a GIN
    # index created by migration 0003 (PostgreSQL only). SQLite searches the document.
    search_document = models.TextField(_("search document"), blank=True, editable=False)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    objects = TreatyQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[subjects], no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["signed_earliest", "title"]
        verbose_name = _("treaty")
        verbose_name_plural = _("treaties")
        indexes = [
            models.Index(fields=["status", "signed_earliest"], name="treaty_status_signed_idx"),
            models.Index(fields=["signed_earliest", "signed_latest"], name="treaty_signed_idx"),
            models.Index(
                fields=["entry_into_force_earliest", "ended_latest"],
                name="treaty_in_force_idx",
            ),
            models.Index(Lower("title"), name="treaty_title_lower_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier"],
                condition=~Q(identifier=""),
                name="treaty_identifier_unique",
                violation_error_message=_("Stable identifier: another treaty already has this identifier."),
            ),
            models.CheckConstraint(
                condition=Q(signed_earliest__isnull=True)
                | Q(ratifications_exchanged_latest__isnull=True)
                | Q(signed_earliest__lte=models.F("ratifications_exchanged_latest")),
                name="treaty_signed_before_ratifications",
                violation_error_message=_("Ratifications exchanged: cannot be before the date of signature."),
            ),
            models.CheckConstraint(
                condition=Q(signed_earliest__isnull=True)
                | Q(entry_into_force_latest__isnull=True)
                | Q(signed_earliest__lte=models.F("entry_into_force_latest")),
                name="treaty_signed_before_force",
                violation_error_message=_("Entered into force: cannot be before the date of signature."),
            ),
            models.CheckConstraint(
                condition=Q(entry_into_force_earliest__isnull=True)
                | Q(ended_latest__isnull=True)
                | Q(entry_into_force_earliest__lte=models.F("ended_latest")),
                name="treaty_force_before_end",
                violation_error_message=_("Ended: cannot be before the entry into force."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="treaty_status_valid",
                violation_error_message=_("Publication status: not a known status."),
            ),
        ]

    def __str__(self):
        return self.short_title or self.title

    def get_absolute_url(self):
        return reverse("catalogue:treaty-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors: dict[str, list] = {}
        if dates.out_of_order(self.signed, self.ratifications_exchanged):
            errors.setdefault("ratifications_exchanged", []).append(
                _("Ratifications exchanged: this date is before the date of signature (Signed).")
            )
        if dates.out_of_order(self.signed, self.entry_into_force):
            errors.setdefault("entry_into_force", []).append(
                _("Entered into force: this date is before the date of signature (Signed).")
            )
        if dates.out_of_order(self.ratifications_exchanged, self.entry_into_force):
            errors.setdefault("entry_into_force", []).append(
                _("Entered into force: this date is before the exchange of ratifications.")
            )
        if dates.out_of_order(self.entry_into_force or self.signed, self.ended):
            errors.setdefault("ended", []).append(
                _("Ended: this date is before the treaty entered into force (or was signed).")
            )
        if self.end_kind and not self.ended:
            errors.setdefault("ended", []).append(_("Ended: give the date (EDTF) when you say how it ended."))
        if errors:
            raise ValidationError(errors)

    # Display helpers used by templates (templates only read values).
    @property
    def signed_display(self) -> str:
        return dates.humanize(self.signed)

    @property
    def ratifications_exchanged_display(self) -> str:
        return dates.humanize(self.ratifications_exchanged)

    @property
    def entry_into_force_display(self) -> str:
        return dates.humanize(self.entry_into_force)

    @property
    def ended_display(self) -> str:
        return dates.humanize(self.ended)

    @property
    def same_as_urls(self) -> list[str]:
        return [line.strip() for line in self.same_as.splitlines() if line.strip()]


class TreatyTitle(models.Model):
    """Another title of a treaty, with its language: Berliner Vertrag (de)."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Title in an authentic language")
        TRANSLATION = "translation", _("Translated title")
        ALTERNATIVE = "alternative", _("Alternative name")

    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="titles",
        verbose_name=_("treaty"),
        db_index=False,  # treatytitle_unique (treaty, title, language) leads with it
    )
    title = models.CharField(_("title"), max_length=500)
    language = models.CharField(_("language"), max_length=20, help_text=_("BCP 47 code: de, ru, en."))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.ALTERNATIVE)

    history = HistoricalRecords()

    class Meta:
        ordering = ["treaty", "language", "title"]
        verbose_name = _("other title")
        verbose_name_plural = _("other titles")
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "title", "language"],
                name="treatytitle_unique",
                violation_error_message=_("Title: the treaty already has this title in this language."),
            )
        ]

    def __str__(self):
        return f"{self.title} [{self.language}]"


class Article(models.Model):
    """An article of a treaty's (or protocol's) text, as far as it is known."""

    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("treaty"),
        db_index=False,  # article_number_unique_in_treaty (treaty, number) WHERE treaty IS NOT NULL leads with it
    )
    protocol = models.ForeignKey(
        "Protocol",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("protocol"),
        db_index=False,  # article_number_unique_in_protocol leads with it, as for the treaty
    )
    number = models.CharField(_("number"), max_length=20, help_text=_("As numbered in the text: 1, 2, 4a."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    text = models.TextField(_("text"), blank=True, help_text=_("The full text, where known."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=Q(treaty__isnull=False, protocol__isnull=True)
                | Q(treaty__isnull=True, protocol__isnull=False),
                name="article_of_one_instrument",
                violation_error_message=_("An article belongs to a treaty or to a protocol, not both."),
            ),
            models.UniqueConstraint(
                fields=["treaty", "number"],
                condition=Q(treaty__isnull=False),
                name="article_number_unique_in_treaty",
                violation_error_message=_("Number: the treaty already has an article with this number."),
            ),
            models.UniqueConstraint(
                fields=["protocol", "number"],
                condition=Q(protocol__isnull=False),
                name="article_number_unique_in_protocol",
                violation_error_message=_("Number: the protocol already has an article with this number."),
            ),
        ]

    def __str__(self):
        return _("Article %(number)s") % {"number": self.number}


class ParticipationQuerySet(models.QuerySet):
    def get_by_natural_key(self, treaty_slug, state_code):
        return self.get(treaty__slug=treaty_slug, state__code=state_code)


class Participation(CitedFacts, models.Model):
    """A state's part in a treaty, with its own actions and their dates."""

    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        GUARANTOR = "guarantor", _("Guarantor")
        OBSERVER = "observer", _("Observer")

    citable_facts = {
        "signed": _("signed on"),
        "ratified": _("ratified on"),
        "acceded": _("acceded on"),
        "denounced": _("denounced on"),
        "role": _("role"),
    }

    # Neither key has an index of its own: participation_unique (treaty, state) and
    # participation_state_idx (state, treaty) lead with them.
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("treaty"),
        db_index=False,
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("state"),
        db_index=False,
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    signed = EDTFField(_("signed"))
    signed_earliest = models.DateField(null=True, blank=True, editable=False)
    signed_latest = models.DateField(null=True, blank=True, editable=False)
    ratified = EDTFField(_("ratified"))
    ratified_earliest = models.DateField(null=True, blank=True, editable=False)
    ratified_latest = models.DateField(null=True, blank=True, editable=False)
    acceded = EDTFField(_("acceded"))
    acceded_earliest = models.DateField(null=True, blank=True, editable=False)
    acceded_latest = models.DateField(null=True, blank=True, editable=False)
    denounced = EDTFField(_("denounced"))
    denounced_earliest = models.DateField(null=True, blank=True, editable=False)
    denounced_latest = models.DateField(null=True, blank=True, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = ParticipationQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["treaty", "position", "state__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        indexes = [models.Index(fields=["state", "treaty"], name="participation_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["treaty", "state"],
                name="participation_unique",
                violation_error_message=_("State: this state is already a party to the treaty."),
            ),
            models.CheckConstraint(
                condition=Q(signed_earliest__isnull=True)
                | Q(ratified_latest__isnull=True)
                | Q(signed_earliest__lte=models.F("ratified_latest")),
                name="participation_signed_before_ratified",
                violation_error_message=_("Ratified: cannot be before signed."),
            ),
        ]

    def __str__(self):
        return f"{self.state} – {self.treaty}"

    def natural_key(self):
        return (*self.treaty.natural_key(), *self.state.natural_key())

    natural_key.dependencies = ["catalogue.treaty", "catalogue.state"]

    def clean(self):
        errors: dict[str, list] = {}
        if dates.out_of_order(self.signed, self.ratified):
            errors.setdefault("ratified", []).append(_("Ratified: this date is before the date of signature."))
        if self.treaty_id and dates.out_of_order(self.treaty.signed, self.ratified):
            errors.setdefault("ratified", []).append(
                _("Ratified: this date is before the treaty was signed (%(date)s).")
                % {"date": dates.humanize(self.treaty.signed)}
            )
        if self.treaty_id and dates.out_of_order(self.treaty.signed, self.acceded):
            errors.setdefault("acceded", []).append(_("Acceded: this date is before the treaty was signed."))
        for name in ("signed", "ratified", "acceded"):
            if dates.out_of_order(getattr(self, name), self.denounced):
                errors.setdefault("denounced", []).append(
                    _("Denounced: this date is before the state %(action)s.")
                    % {"action": self.citable_facts[name].replace(" on", "")}
                )
                break
        if errors:
            raise ValidationError(errors)


class ProtocolKind(models.TextChoices):
    ADDITIONAL_PROTOCOL = "additional", _("Additional protocol")
    PROLONGATION = "prolongation", _("Prolongation")
    AMENDMENT = "amendment", _("Amendment")
    SUPPLEMENTARY = "supplementary", _("Supplementary agreement")
    EXCHANGE_OF_NOTES = "notes", _("Exchange of notes")
    FINAL_PROTOCOL = "final", _("Final protocol")
    OTHER = "other", _("Other")


class ProtocolEffect(models.TextChoices):
    PROLONGS = "prolongs", _("Prolongs the treaty")
    AMENDS = "amends", _("Amends the treaty")
    SUPPLEMENTS = "supplements", _("Supplements the treaty")
    EXTENDS = "extends", _("Extends the treaty's scope")
    INTERPRETS = "interprets", _("Interprets the treaty")
    TERMINATES = "terminates", _("Terminates the treaty")
    OTHER = "other", _("Other")


class Protocol(CitedFacts, TimeStamped, Publishable):
    """An additional protocol, prolongation, amendment or supplementary agreement of a treaty."""

    citable_facts = {
        "title": _("title"),
        "kind": _("kind"),
        "signed": _("signed on"),
        "place_signed": _("signed at"),
        "ratified": _("ratified on"),
        "entry_into_force": _("entered into force on"),
        "effect": _("effect on the treaty"),
        "prolongation": _("length of the prolongation"),
        "summary": _("summary"),
    }

    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="protocols",
        verbose_name=_("treaty"),
    )
    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=ProtocolKind.choices,
        default=ProtocolKind.ADDITIONAL_PROTOCOL,
    )
    signed = EDTFField(_("signed"))
    signed_earliest = models.DateField(null=True, blank=True, editable=False)
    signed_latest = models.DateField(null=True, blank=True, editable=False)
    place_signed = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="protocols_signed",
        verbose_name=_("place of signature"),
    )
    ratified = EDTFField(_("ratified"))
    ratified_earliest = models.DateField(null=True, blank=True, editable=False)
    ratified_latest = models.DateField(null=True, blank=True, editable=False)
    entry_into_force = EDTFField(_("entered into force"))
    entry_into_force_earliest = models.DateField(null=True, blank=True, editable=False)
    entry_into_force_latest = models.DateField(null=True, blank=True, editable=False)
    effect = models.CharField(
        _("effect on the treaty"),
        max_length=12,
        choices=ProtocolEffect.choices,
        blank=True,
    )
    prolongation = models.CharField(
        _("length of the prolongation"),
        max_length=200,
        blank=True,
        help_text=_(
            "Where the sources agree. Where they disagree, leave this blank and cite each "
            "source's claim on the fact “length of the prolongation”."
        ),
    )
    summary = models.TextField(_("summary"), blank=True)
    note = models.TextField(_("curator's note"), blank=True)

    objects = ProtocolQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["treaty", "signed_earliest", "title"]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")
        indexes = [models.Index(fields=["status", "signed_earliest"], name="protocol_status_signed_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_earliest__isnull=True)
                | Q(ratified_latest__isnull=True)
                | Q(signed_earliest__lte=models.F("ratified_latest")),
                name="protocol_signed_before_ratified",
                violation_error_message=_("Ratified: cannot be before the date of signature."),
            ),
            models.CheckConstraint(
                condition=Q(signed_earliest__isnull=True)
                | Q(entry_into_force_latest__isnull=True)
                | Q(signed_earliest__lte=models.F("entry_into_force_latest")),
                name="protocol_signed_before_force",
                violation_error_message=_("Entered into force: cannot be before the date of signature."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("catalogue:protocol-detail", kwargs={"slug": self.slug})

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        errors: dict[str, list] = {}
        if dates.out_of_order(self.signed, self.ratified):
            errors.setdefault("ratified", []).append(_("Ratified: this date is before the date of signature (Signed)."))
        if dates.out_of_order(self.signed, self.entry_into_force):
            errors.setdefault("entry_into_force", []).append(
                _("Entered into force: this date is before the date of signature (Signed).")
            )
        if self.treaty_id and dates.out_of_order(self.treaty.signed, self.signed):
            errors.setdefault("signed", []).append(
                _("Signed: a protocol cannot be signed before its treaty (signed %(date)s).")
                % {"date": dates.humanize(self.treaty.signed)}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def signed_display(self) -> str:
        return dates.humanize(self.signed)

    @property
    def ratified_display(self) -> str:
        return dates.humanize(self.ratified)

    @property
    def entry_into_force_display(self) -> str:
        return dates.humanize(self.entry_into_force)


class RegistrationManager(models.Manager.from_queryset(RegistrationQuerySet)):
    def get_by_natural_key(self, series_slug, treaty_slug, protocol_slug):
        if protocol_slug:
            return self.get(series__slug=series_slug, protocol__slug=protocol_slug)
        return self.get(series__slug=series_slug, treaty__slug=treaty_slug, protocol__isnull=True)


class Registration(CitedFacts, models.Model):
    """The registration of a treaty or of a protocol in a treaty series."""

    citable_facts = {
        "registered": _("registered on"),
        "number": _("registration number"),
        "volume": _("volume"),
        "pages": _("pages"),
    }

    series = models.ForeignKey(
        TreatySeries,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("treaty series"),
        db_index=False,  # registration_volume_idx (series, volume, first_page) leads with it
    )
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("treaty"),
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("protocol"),
    )
    registered = EDTFField(_("registered"))
    registered_earliest = models.DateField(null=True, blank=True, editable=False)
    registered_latest = models.DateField(null=True, blank=True, editable=False)
    number = models.CharField(_("registration number"), max_length=20, blank=True)
    volume = models.PositiveIntegerField(_("volume"), null=True, blank=True)
    first_page = models.PositiveIntegerField(_("first page"), null=True, blank=True)
    last_page = models.PositiveIntegerField(_("last page"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = RegistrationManager()
    history = HistoricalRecords(no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["series", "volume", "first_page", "registered_earliest"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(
                fields=["series", "volume", "first_page"],
                name="registration_volume_idx",
            ),
            models.Index(fields=["registered_earliest"], name="registration_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(treaty__isnull=False, protocol__isnull=True)
                | Q(treaty__isnull=True, protocol__isnull=False),
                name="registration_of_one_instrument",
                violation_error_message=_(
                    "Treaty / protocol: a registration is of a treaty or of a protocol — choose exactly one."
                ),
            ),
            models.UniqueConstraint(
                fields=["series", "number"],
                condition=~Q(number=""),
                name="registration_number_unique_in_series",
                violation_error_message=_("Registration number: this number is already registered in this series."),
            ),
            models.UniqueConstraint(
                fields=["series", "treaty"],
                condition=Q(treaty__isnull=False),
                name="registration_treaty_once_per_series",
                violation_error_message=_("Treaty: this treaty is already registered in this series."),
            ),
            models.UniqueConstraint(
                fields=["series", "protocol"],
                condition=Q(protocol__isnull=False),
                name="registration_protocol_once_per_series",
                violation_error_message=_("Protocol: this protocol is already registered in this series."),
            ),
            models.CheckConstraint(
                condition=Q(first_page__isnull=True)
                | Q(last_page__isnull=True)
                | Q(first_page__lte=models.F("last_page")),
                name="registration_pages_in_order",
                violation_error_message=_("Last page: cannot be before the first page."),
            ),
        ]

    def __str__(self):
        bits = [self.series.abbreviation if self.series_id else "?"]
        if self.volume:
            bits.append(f"vol. {self.volume}")
        if self.number:
            bits.append(f"No. {self.number}")
        if self.pages:
            bits.append(f"p. {self.pages}")
        return " ".join(bits) + f" — {self.instrument}"

    def natural_key(self):
        return (
            self.series.slug,
            self.treaty.slug if self.treaty_id else "",
            self.protocol.slug if self.protocol_id else "",
        )

    natural_key.dependencies = [
        "catalogue.treatyseries",
        "catalogue.treaty",
        "catalogue.protocol",
    ]

    @property
    def instrument(self):
        return self.protocol if self.protocol_id else self.treaty

    @property
    def pages(self) -> str:
        if self.first_page and self.last_page and self.last_page != self.first_page:
            return f"{self.first_page}–{self.last_page}"
        return str(self.first_page or "")

    @property
    def registered_display(self) -> str:
        return dates.humanize(self.registered)

    def clean(self):
        errors: dict[str, list] = {}
        if self.treaty_id and self.protocol_id:
            errors["protocol"] = [
                _("Treaty / protocol: a registration is of a treaty or of a protocol — choose exactly one, not both.")
            ]
        elif not self.treaty_id and not self.protocol_id:
            errors["treaty"] = [_("Treaty / protocol: choose the treaty or the protocol that was registered.")]
        instrument = self.instrument if (self.treaty_id or self.protocol_id) else None
        if instrument is not None and dates.out_of_order(instrument.signed, self.registered):
            errors.setdefault("registered", []).append(
                _("Registered: this date is before the instrument was signed (%(date)s).")
                % {"date": dates.humanize(instrument.signed)}
            )
        if self.number and self.series_id:
            clash = Registration.objects.filter(series_id=self.series_id, number=self.number).exclude(pk=self.pk)
            if clash.exists():
                errors.setdefault("number", []).append(
                    _("Registration number: No. %(number)s is already registered in %(series)s.")
                    % {"number": self.number, "series": self.series.abbreviation}
                )
        if errors:
            raise ValidationError(errors)


class RelationKind(models.TextChoices):
    """Typed relations between treaties, each with the label read from the other end."""

    REAFFIRMS = "reaffirms", _("reaffirms")
    PROLONGS = "prolongs", _("prolongs")
    AMENDS = "amends", _("amends")
    SUPPLEMENTS = "supplements", _("supplements")
    SUPERSEDES = "supersedes", _("supersedes")
    ANNULS = "annuls", _("annuls")
    RENOUNCES_CLAIMS = "renounces_claims", _("renounces claims arising from")
    COMPARED_WITH = "compared_with", _("was compared with")


INVERSE_RELATION_LABELS = {
    RelationKind.REAFFIRMS: _("is reaffirmed by"),
    RelationKind.PROLONGS: _("is prolonged by"),
    RelationKind.AMENDS: _("is amended by"),
    RelationKind.SUPPLEMENTS: _("is supplemented by"),
    RelationKind.SUPERSEDES: _("is superseded by"),
    RelationKind.ANNULS: _("is annulled by"),
    RelationKind.RENOUNCES_CLAIMS: _("claims under it renounced by"),
    RelationKind.COMPARED_WITH: _("was compared with"),
}


class TreatyRelationQuerySet(models.QuerySet):
    def get_by_natural_key(self, subject_slug, kind, object_slug):
        return self.get(subject__slug=subject_slug, kind=kind, object__slug=object_slug)


class TreatyRelation(CitedFacts, models.Model):
    """A typed relation between two treaties: subject —kind→ object."""

    citable_facts = {"kind": _("relation")}

    subject = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="relations_from",
        verbose_name=_("treaty"),
        db_index=False,  # treatyrelation_unique (subject, kind, object) leads with it
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    object = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="relations_to",
        verbose_name=_("related treaty"),
    )
    note = models.TextField(_("note"), blank=True)

    objects = TreatyRelationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["subject", "kind", "object"]
        verbose_name = _("relation between treaties")
        verbose_name_plural = _("relations between treaties")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "object"],
                name="treatyrelation_unique",
                violation_error_message=_("Related treaty: this relation is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(subject=models.F("object")),
                name="treatyrelation_not_to_itself",
                violation_error_message=_("Related treaty: a treaty cannot be related to itself."),
            ),
        ]

    def __str__(self):
        return f"{self.subject} {self.get_kind_display()} {self.object}"

    def natural_key(self):
        return (self.subject.slug, self.kind, self.object.slug)

    natural_key.dependencies = ["catalogue.treaty"]

    @property
    def inverse_label(self) -> str:
        return str(INVERSE_RELATION_LABELS.get(self.kind, self.get_kind_display()))


class EventQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Event(CitedFacts, TimeStamped):
    """A dated happening in a treaty's history."""

    citable_facts = {"date": _("date"), "description": _("what happened")}

    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("treaty"),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    title = models.CharField(_("title"), max_length=300)
    date = EDTFField(_("date"))
    date_earliest = models.DateField(null=True, blank=True, editable=False)
    date_latest = models.DateField(null=True, blank=True, editable=False)
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("place"),
    )
    people = models.ManyToManyField(Person, blank=True, related_name="events", verbose_name=_("people"))
    description = models.TextField(_("description"), blank=True)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[people], no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["treaty", "date_earliest", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["date_earliest"], name="event_date_idx")]

    def __str__(self):
        return f"{self.date_display}: {self.title}" if self.date else self.title

    def natural_key(self):
        return (self.slug,)

    @property
    def date_display(self) -> str:
        return dates.humanize(self.date)


class PersonRole(models.Model):
    """A person's role on an instrument (signatory for a state, negotiator...), in order."""

    class Role(models.TextChoices):
        SIGNATORY = "signatory", _("Signatory")
        PLENIPOTENTIARY = "plenipotentiary", _("Plenipotentiary")
        NEGOTIATOR = "negotiator", _("Negotiator")
        WITNESS = "witness", _("Witness")
        COMMENTATOR = "commentator", _("Commented on it (quoted in the sources)")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roles", verbose_name=_("person"))
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("treaty"),
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("protocol"),
    )
    state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
        verbose_name=_("for state"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SIGNATORY)
    office = models.CharField(
        _("office held"),
        max_length=200,
        blank=True,
        help_text=_("e.g. Foreign Minister"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "person__name"]
        verbose_name = _("person's role")
        verbose_name_plural = _("people's roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(treaty__isnull=False, protocol__isnull=True)
                | Q(treaty__isnull=True, protocol__isnull=False),
                name="personrole_on_one_instrument",
                violation_error_message=_("A role is on a treaty or on a protocol — choose exactly one."),
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"


# --------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------

CITATION_TARGETS = (
    "treaty",
    "protocol",
    "registration",
    "event",
    "relation",
    "participation",
)


class Citation(models.Model):
    """A citation of a source backing a record, or one fact of it.

    A citation targets exactly one record (enforced by the database). ``fact``
    names the fact it backs (see each model's ``citable_facts``); blank means
    the record as a whole. Where sources disagree, each source's ``claim`` is
    kept as a separate citation of the same fact.
    """

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="citations",
        verbose_name=_("source"),
    )
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("treaty"),
        db_index=False,  # a partial index (Meta)
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("protocol"),
        db_index=False,  # a partial index (Meta)
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("registration"),
        db_index=False,  # a partial index (Meta)
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("event"),
        db_index=False,  # a partial index (Meta)
    )
    relation = models.ForeignKey(
        TreatyRelation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("relation"),
        db_index=False,  # a partial index (Meta)
    )
    participation = models.ForeignKey(
        Participation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        verbose_name=_("participation"),
        db_index=False,  # a partial index (Meta)
    )
    fact = models.CharField(
        _("fact"),
        max_length=40,
        blank=True,
        help_text=_("The fact this citation backs (e.g. ratifications_exchanged); blank for the whole record."),
    )
    claim = models.CharField(
        _("claim"),
        max_length=500,
        blank=True,
        help_text=_("What this source states for the fact, where sources disagree: “three years”."),
    )
    locator = models.CharField(
        _("locator"),
        max_length=100,
        blank=True,
        help_text=_("Page, note or section: p. 42, note 3, Art. 4."),
    )
    quotation = models.TextField(_("quotation"), blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords(no_db_index=LEAN_HISTORY)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        treaty__isnull=False,
                        protocol__isnull=True,
                        registration__isnull=True,
                        event__isnull=True,
                        relation__isnull=True,
                        participation__isnull=True,
                    )
                    | Q(
                        treaty__isnull=True,
                        protocol__isnull=False,
                        registration__isnull=True,
                        event__isnull=True,
                        relation__isnull=True,
                        participation__isnull=True,
                    )
                    | Q(
                        treaty__isnull=True,
                        protocol__isnull=True,
                        registration__isnull=False,
                        event__isnull=True,
                        relation__isnull=True,
                        participation__isnull=True,
                    )
                    | Q(
                        treaty__isnull=True,
                        protocol__isnull=True,
                        registration__isnull=True,
                        event__isnull=False,
                        relation__isnull=True,
                        participation__isnull=True,
                    )
                    | Q(
                        treaty__isnull=True,
                        protocol__isnull=True,
                        registration__isnull=True,
                        event__isnull=True,
                        relation__isnull=False,
                        participation__isnull=True,
                    )
                    | Q(
                        treaty__isnull=True,
                        protocol__isnull=True,
                        registration__isnull=True,
                        event__isnull=True,
                        relation__isnull=True,
                        participation__isnull=False,
                    )
                ),
                name="citation_of_one_record",
                violation_error_message=_("A citation backs exactly one record: choose one target."),
            ),
        ]
        # A citation has one owner, so each owner key is empty in most rows: partial indexes hold only the
        # rows that have it (a full one took an entry per citation, ~875,000 at 250,000 treaties, for each
        # of six keys). A lookup or a cascade by a key (``= x``, ``IN (...)``) implies NOT NULL and uses them.
        indexes = [
            models.Index(fields=[owner], condition=Q(**{f"{owner}__isnull": False}), name=f"citation_{owner}_idx")
            for owner in CITATION_OWNERS
        ]

    def __str__(self):
        where = f", {self.locator}" if self.locator else ""
        return f"{self.source}{where}"

    @property
    def target(self):
        for name in CITATION_TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def fact_label(self) -> str:
        target = self.target
        if not self.fact:
            return ""
        return type(target).fact_label(self.fact) if target is not None else self.fact

    def clean(self):
        targets = [name for name in CITATION_TARGETS if getattr(self, f"{name}_id")]
        if len(targets) != 1:
            raise ValidationError(
                _("A citation backs exactly one record: choose one of %(targets)s.")
                % {"targets": ", ".join(CITATION_TARGETS)}
            )
        target = self.target
        if self.fact and self.fact not in type(target).citable_facts:
            raise ValidationError(
                {
                    "fact": _("Fact: “%(fact)s” is not a fact of a %(model)s; choose one of: %(facts)s.")
                    % {
                        "fact": self.fact,
                        "model": type(target)._meta.verbose_name,
                        "facts": ", ".join(type(target).citable_facts),
                    }
                }
            )


class OldSlug(models.Model):
    """A slug a treaty or protocol once had: its old address redirects (301) to the new one.

    Slugs are never reused: a new record may not take a slug listed here.
    """

    slug = models.SlugField(_("old slug"), max_length=200)
    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
        verbose_name=_("treaty"),
    )
    protocol = models.ForeignKey(
        "Protocol",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="old_slugs",
        verbose_name=_("protocol"),
    )
    retired = models.DateTimeField(_("retired"), auto_now_add=True)

    class Meta:
        ordering = ["-retired"]
        verbose_name = _("old slug")
        verbose_name_plural = _("old slugs")
        constraints = [
            models.CheckConstraint(
                condition=Q(treaty__isnull=False, protocol__isnull=True)
                | Q(treaty__isnull=True, protocol__isnull=False),
                name="oldslug_of_one_instrument",
                violation_error_message=_("An old slug belongs to a treaty or to a protocol."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(treaty__isnull=False),
                name="oldslug_unique_for_treaties",
                violation_error_message=_("Slug: this old treaty address is already taken."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(protocol__isnull=False),
                name="oldslug_unique_for_protocols",
                violation_error_message=_("Slug: this old protocol address is already taken."),
            ),
        ]

    def __str__(self):
        return self.slug


# --------------------------------------------------------------------------
# Scans
# --------------------------------------------------------------------------


def scan_upload_to(instance, filename):
    from .images import scan_path

    return scan_path(instance, filename)


def validate_scan(value):
    """Decode the uploaded file with Pillow; refuse anything but a sound image."""
    from .images import open_verified

    if value and not getattr(value, "_committed", True):
        open_verified(value.file)


class Scan(TimeStamped):
    """An image of (a page of) an instrument. The uploaded file is kept as the master."""

    treaty = models.ForeignKey(
        Treaty,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scans",
        verbose_name=_("treaty"),
    )
    protocol = models.ForeignKey(
        Protocol,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scans",
        verbose_name=_("protocol"),
    )
    image = models.ImageField(
        _("image"),
        upload_to=scan_upload_to,
        width_field="width",
        height_field="height",
        validators=[validate_scan],
        help_text=_("JPEG, PNG, TIFF or WebP. The file is kept as uploaded (the master)."),
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="scans/derived/", blank=True, editable=False)
    preview = models.ImageField(_("preview"), upload_to="scans/derived/", blank=True, editable=False)
    caption = models.CharField(_("caption"), max_length=300)
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for screen readers."),
    )
    page = models.CharField(
        _("page"),
        max_length=50,
        blank=True,
        help_text=_("Page or folio shown: p. 1, fol. 3r."),
    )
    credit = models.CharField(_("credit"), max_length=300, blank=True)
    rights = models.CharField(
        _("rights"),
        max_length=300,
        blank=True,
        help_text=_("Licence or rights statement."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [
            models.CheckConstraint(
                condition=Q(treaty__isnull=False, protocol__isnull=True)
                | Q(treaty__isnull=True, protocol__isnull=False),
                name="scan_of_one_instrument",
                violation_error_message=_("A scan shows a treaty or a protocol — choose exactly one."),
            ),
        ]

    def __str__(self):
        return self.caption

    def save(self, *args, **kwargs):
        # Derived images come from this row's own file only (house style: save()
        # fills fields derived from its own row).
        from .images import derivatives_current, make_derivatives

        super().save(*args, **kwargs)
        if self.image and not derivatives_current(self):
            make_derivatives(self)
            super().save(update_fields=["thumbnail", "preview"])
