"""Admin forms: the change reason, the publication rules, duplicates, inline rules and scans.

Why forms and not the models: these rules depend on who is editing (only an
editor publishes), on what the curator has typed in other parts of the same
page (the parties of a treaty live in an inline), or on a confirmation (save a
possible duplicate anyway). The models keep the rules that hold whoever saves.
"""

from __future__ import annotations

import difflib

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Prefetch
from django.db.models.functions import Greatest
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import dates, workflow
from . import models as m
from .images import open_verified

#: Titles at least this similar are pointed out as possible duplicates.
TRIGRAM_THRESHOLD = 0.6  # PostgreSQL pg_trgm similarity (0..1)
DIFFLIB_THRESHOLD = 0.85  # difflib.SequenceMatcher ratio (0..1), the portable fallback
DUPLICATE_LIMIT = 5


# --------------------------------------------------------------------------
# Change reason and the editing user
# --------------------------------------------------------------------------


class CatalogueAdminForm(forms.ModelForm):
    """Every admin form asks why (optional); the reason is kept in the history."""

    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=500,
        help_text=_("Optional. Kept in the record's history with your name and the time."),
        widget=forms.TextInput(attrs={"size": 80}),
    )

    #: Set by the admin (CatalogueAdmin.get_form): the user saving the form.
    request_user = None


class RevertFormMixin:
    """The revert page's form: many-to-many fields start from the old version too.

    Simple-history's revert form is built on the old version's row, but its
    many-to-many fields would read the current links; the tracked ones are taken
    from the version here, so that a revert restores them as well.
    """

    revert_version = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.revert_version
        for m2m in getattr(type(version), "_history_m2m_fields", []) if version is not None else []:
            if m2m.name in self.fields:
                target = m2m.m2m_reverse_field_name()
                self.initial[m2m.name] = [getattr(row, f"{target}_id") for row in getattr(version, m2m.name).all()]


# --------------------------------------------------------------------------
# Publication workflow
# --------------------------------------------------------------------------


class WorkflowFormMixin:
    """Checks a status change against the workflow: only an editor publishes or withdraws."""

    request_user = None

    def clean_slug(self):
        """A retired slug stays reserved for its record (old links keep working)."""
        from . import slugs

        slug = self.cleaned_data.get("slug")
        if slug:
            try:
                slugs.check_available(type(self.instance), slug, self.instance.pk)
            except ValidationError as error:
                raise ValidationError(error.message_dict["slug"]) from None
        return slug

    def clean(self):
        cleaned = super().clean()
        if "status" in self.fields and cleaned.get("status"):
            try:
                workflow.check_transition(
                    self.request_user,
                    type(self.instance),
                    workflow.stored_status(self.instance),
                    cleaned["status"],
                    review_note=cleaned.get("review_note", self.instance.review_note),
                    withdrawal_note=cleaned.get("withdrawal_note", self.instance.withdrawal_note),
                )
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    for message in messages:
                        self.add_error(name if name in self.fields else None, message)
        return cleaned


class PublishableAdminForm(WorkflowFormMixin, CatalogueAdminForm):
    pass


# --------------------------------------------------------------------------
# Possible duplicates
# --------------------------------------------------------------------------


def _trigram_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def similar_titles(queryset, title: str, limit: int = DUPLICATE_LIMIT) -> list:
    """Treaties in ``queryset`` whose title or short title is very like ``title``, most similar first.

    PostgreSQL with pg_trgm ranks by trigram similarity in SQL; elsewhere (SQLite)
    difflib compares the titles in Python, which is fine for a catalogue of
    thousands of records.
    """
    title = (title or "").strip()
    if not title:
        return []
    if _trigram_available():
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            queryset.annotate(
                similarity=Greatest(TrigramSimilarity("title", title), TrigramSimilarity("short_title", title))
            )
            .filter(similarity__gte=TRIGRAM_THRESHOLD)
            .order_by("-similarity", "pk")[:limit]
        )
    wanted = title.casefold()
    scored = []
    for pk, other, short in queryset.values_list("pk", "title", "short_title"):
        ratio = max(
            difflib.SequenceMatcher(None, wanted, (other or "").casefold()).ratio(),
            difflib.SequenceMatcher(None, wanted, short.casefold()).ratio() if short else 0.0,
        )
        if ratio >= DIFFLIB_THRESHOLD:
            scored.append((ratio, pk))
    scored.sort(key=lambda item: (-item[0], item[1]))
    pks = [pk for _ratio, pk in scored[:limit]]
    by_pk = queryset.in_bulk(pks)
    return [by_pk[pk] for pk in pks]


def possible_duplicates(*, title, kind, signed, party_ids, exclude_pk=None) -> list[tuple[m.Treaty, str]]:
    """Existing treaties that may be the one being entered, each with the reason.

    Same kind, same parties and same signature date (same earliest and latest
    day, so 1926-04-24 matches however it is written), or a very similar title.
    """
    queryset = m.Treaty.objects.all()
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    found: dict[int, tuple[m.Treaty, str]] = {}
    party_ids = set(party_ids or ())
    if kind and signed and party_ids:
        try:
            span = dates.bounds(signed)
        except ValidationError:
            span = None
        if span is not None:
            parties = m.Participation.objects.only("id", "treaty_id", "state_id")
            same = queryset.filter(
                kind=kind, signed_earliest=span.earliest, signed_latest=span.latest
            ).prefetch_related(Prefetch("participations", queryset=parties))
            for treaty in same:
                if {p.state_id for p in treaty.participations.all()} == party_ids:
                    found[treaty.pk] = (treaty, str(_("same kind, same parties and same date of signature")))
    for treaty in similar_titles(queryset, title):
        found.setdefault(treaty.pk, (treaty, str(_("a very similar title"))))
    return list(found.values())


class TreatyAdminForm(PublishableAdminForm):
    """Points out a possible duplicate before saving; the curator may save anyway."""

    save_anyway = forms.BooleanField(
        label=_("Save anyway"),
        required=False,
        help_text=_("Tick this if the admin warned of a possible duplicate and this is a different treaty."),
    )

    #: The prefix of the parties' inline formset in the admin (Participation.treaty's related name).
    participations_prefix = "participations"

    def posted_party_ids(self) -> set[int] | None:
        """The states entered in the parties inline of this same page, or None if it was not sent."""
        prefix = self.participations_prefix
        total = self.data.get(f"{prefix}-TOTAL_FORMS")
        if total is None:
            return None
        try:
            total = min(int(total), 1000)
        except ValueError:
            return None
        ids = set()
        for i in range(total):
            if self.data.get(f"{prefix}-{i}-DELETE"):
                continue
            value = self.data.get(f"{prefix}-{i}-state")
            if value and str(value).isdigit():
                ids.add(int(value))
        return ids

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned  # point out duplicates once the record itself is sound
        party_ids = self.posted_party_ids()
        stored_parties = (
            set(self.instance.participations.values_list("state_id", flat=True)) if self.instance.pk else set()
        )
        if party_ids is None:
            party_ids = stored_parties
        identity_changed = (
            not self.instance.pk
            or any(name in self.changed_data for name in ("title", "short_title", "kind", "signed"))
            or party_ids != stored_parties
        )
        if not identity_changed or cleaned.get("save_anyway"):
            return cleaned
        duplicates = possible_duplicates(
            title=cleaned.get("title"),
            kind=cleaned.get("kind"),
            signed=cleaned.get("signed"),
            party_ids=party_ids,
            exclude_pk=self.instance.pk,
        )
        if duplicates:
            from django.urls import reverse

            items = format_html_join(
                "",
                '<li><a href="{}" target="_blank">{}</a> ({}; {})</li>',
                (
                    (
                        reverse("admin:catalogue_treaty_change", args=[treaty.pk]),
                        treaty.title,
                        treaty.signed_display or _("date unknown"),
                        reason,
                    )
                    for treaty, reason in duplicates
                ),
            )
            message = format_html(
                "{}<ul>{}</ul>{}",
                _("This may be a treaty that is already in the catalogue:"),
                items,
                _("Check it; if this is a different treaty, tick “Save anyway” and save again."),
            )
            self.add_error(None, ValidationError(message, code="possible_duplicate"))
            self.add_error("save_anyway", _("Tick to save although a possible duplicate exists."))
        return cleaned


# --------------------------------------------------------------------------
# Inlines: rules that need the parent
# --------------------------------------------------------------------------

#: Stands in for the parent's primary key while the inline forms of a parent not
#: yet saved are validated, so that the model's cross-record rules
#: (``if self.treaty_id: ...``) run against the parent being entered.
UNSAVED_PARENT_PK = -1


class ParentAwareInlineFormSet(BaseInlineFormSet):
    """An inline formset whose forms validate against the parent as it is on the page.

    Django gives each inline form's instance the parent object being edited, with
    the values just entered; but on an add page the parent has no primary key yet,
    so the models' cross-record rules (a protocol not before its treaty, a
    registration not before the signature), which test ``self.treaty_id``, would be
    skipped, and a citation would seem to cite nothing. While the forms are
    validated, the unsaved parent carries a stand-in key; saving sets the real one.
    """

    def full_clean(self):
        parent = self.instance
        if parent is None or parent.pk is not None:
            return super().full_clean()
        parent.pk = UNSAVED_PARENT_PK
        try:
            return super().full_clean()
        finally:
            parent.pk = None


class ParentAwareInlineForm(forms.ModelForm):
    """The base form of every catalogue inline."""

    #: Set by the admin (CatalogueInline.get_formset): the user saving the page.
    request_user = None


class PublishableInlineForm(WorkflowFormMixin, ParentAwareInlineForm):
    """A protocol edited inline on its treaty's page follows the same workflow."""


# --------------------------------------------------------------------------
# Scans
# --------------------------------------------------------------------------


IMAGE_MIME_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
}


class ScanImageField(forms.ImageField):
    """Decides by decoding the upload with the archive's own checks (catalogue.images)."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        if hasattr(data, "size"):
            from django.conf import settings

            if data.size > settings.SCAN_MAX_UPLOAD_BYTES:
                raise ValidationError(
                    _("The file is larger than the limit of %(mb)d MB.")
                    % {"mb": settings.SCAN_MAX_UPLOAD_BYTES // (1024 * 1024)},
                    code="too_large",
                )
        fileobj = data.temporary_file_path() if hasattr(data, "temporary_file_path") else data
        if isinstance(fileobj, str):
            with open(fileobj, "rb") as handle:
                image = open_verified(handle)
        else:
            image = open_verified(fileobj)
        data.image = image
        data.content_type = IMAGE_MIME_TYPES.get(image.format)
        if hasattr(data, "seek") and callable(data.seek):
            data.seek(0)
        return data


SCAN_FIELDS = [
    "treaty",
    "protocol",
    "image",
    "caption",
    "alt_text",
    "page",
    "credit",
    "rights",
    "position",
]


class ScanAdminForm(CatalogueAdminForm):
    class Meta:
        model = m.Scan
        fields = SCAN_FIELDS
        field_classes = {"image": ScanImageField}


class ScanInlineForm(ParentAwareInlineForm):
    class Meta:
        model = m.Scan
        fields = SCAN_FIELDS
        field_classes = {"image": ScanImageField}
