"""The curators' admin.

Fast forms: autocomplete for every foreign key to a table that grows (states,
places, people, sources, treaties), inlines for the parts of a treaty, facet
counts on demand, and ``list_select_related`` so changelists run a fixed number
of queries.

Every model keeps its history (SimpleHistoryAdmin): each form asks for an
optional reason, kept with the user and the time; a record's history lists its
versions, compares two of them field by field and reverts to one; a deleted
record comes back, with the parts deleted with it, from "Recover deleted"
(``catalogue.history``). Publication follows ``catalogue.workflow``.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import forms, history, roles, workflow
from . import models as m


class CatalogueAdmin(SimpleHistoryAdmin):
    """Shared behaviour: a change reason on every form, history compare and recovery;
    only superusers delete; facets are shown on demand."""

    show_facets = admin.ShowFacets.ALLOW
    form = forms.CatalogueAdminForm
    object_history_template = "admin/catalogue/object_history.html"
    object_history_list_template = "admin/catalogue/object_history_list.html"
    history_list_per_page = 50
    #: Form fields that are not model fields, added to the end of every form.
    extra_form_fields = ("change_reason",)
    # A URL typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_recover_permission(self, request):
        """Recovering a deleted record undoes a delete: the same people may do it."""
        return request.user.is_active and request.user.is_superuser

    # -- forms --------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attrs = {"request_user": request.user}
        version = getattr(request, "_revert_version", None)
        if version is not None:
            attrs["revert_version"] = version
            form = type(form.__name__, (forms.RevertFormMixin, form), attrs)
        return type(form.__name__, (form,), attrs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        present = set(flatten_fieldsets(fieldsets))
        missing = [name for name in self.extra_form_fields if name not in present]
        if missing:
            fieldsets.append((_("Saving"), {"fields": missing}))
        return fieldsets

    def change_reason(self, request, form):
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        version = getattr(request, "_revert_version", None)
        if not reason and version is not None:
            reason = str(_("Reverted to the version of %(date)s") % {"date": version.history_date})
        return reason

    def save_model(self, request, obj, form, change):
        reason = self.change_reason(request, form)
        if reason:
            obj._change_reason = reason
        workflow.stamp_publication(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = self.change_reason(request, form)
        for inline_form in formset.forms:
            inline_form.instance._history_user = request.user
            if reason:
                inline_form.instance._change_reason = reason
            workflow.stamp_publication(inline_form.instance)
        super().save_formset(request, form, formset, change)

    # -- history: compare, revert, recover ----------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        view = self.admin_site.admin_view
        return [
            path("recover/", view(self.recover_list_view), name="{}_{}_recover_list".format(*info)),
            path("recover/<int:history_id>/", view(self.recover_view), name="{}_{}_recover".format(*info)),
            path(
                "<path:object_id>/history/compare/",
                view(self.history_compare_view),
                name="{}_{}_history_compare".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Simple-history's revert page; the saved revert is a new version whose reason names the old one."""
        request._revert_version = get_object_or_404(
            self.model.history, **{self.opts.pk.attname: unquote(object_id), "history_id": version_id}
        )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_compare_view(self, request, object_id):
        object_id = unquote(object_id)
        versions = self.model.history.filter(**{self.opts.pk.attname: object_id})
        try:
            older = versions.get(history_id=int(request.GET.get("from", "")))
            newer = versions.get(history_id=int(request.GET.get("to", "")))
        except (ValueError, self.model.history.model.DoesNotExist):
            raise Http404(_("Choose two versions of this record to compare.")) from None
        obj = self.model._base_manager.filter(pk=object_id).first() or newer.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        if (older.history_date, older.history_id) > (newer.history_date, newer.history_id):
            older, newer = newer, older
        context = {
            **self.admin_site.each_context(request),
            "title": _("Changes to %(object)s") % {"object": obj},
            "opts": self.opts,
            "object": obj,
            "older": older,
            "newer": newer,
            "changes": history.diff(older, newer),
            "history_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[object_id]),
            "revert_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_simple_history",
                args=[object_id, older.history_id],
            ),
            "revert_disabled": self.revert_disabled(request, obj),
        }
        return TemplateResponse(request, "admin/catalogue/history_compare.html", context)

    def recover_list_view(self, request):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Recover deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "versions": history.deleted_versions(self.model)[:200],
        }
        return TemplateResponse(request, "admin/catalogue/recover_list.html", context)

    def recover_view(self, request, history_id):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        try:
            version, plan = history.planned_recovery(self.model, history_id)
        except self.model.history.model.DoesNotExist:
            raise Http404(_("No deleted record with this version.")) from None
        if request.method == "POST":
            try:
                result = history.recover(
                    self.model,
                    history_id,
                    user=request.user,
                    reason=(request.POST.get("change_reason") or "").strip(),
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_recover_list"))
            parts = ", ".join(f"{count} {label}" for label, count in result.counts().items())
            self.message_user(
                request,
                _("“%(object)s” was recovered%(parts)s.")
                % {"object": result.record, "parts": _(" with %(parts)s") % {"parts": parts} if parts else ""},
                messages.SUCCESS,
            )
            for row, why in result.skipped:
                self.message_user(
                    request,
                    _("Not recovered: %(object)s (%(why)s).") % {"object": row.instance, "why": why},
                    messages.WARNING,
                )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[result.record.pk])
            )
        counts: dict[str, int] = {}
        for row in plan:
            label = str(row.instance_type._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + 1
        context = {
            **self.admin_site.each_context(request),
            "title": _("Recover %(object)s") % {"object": version.instance},
            "opts": self.opts,
            "version": version,
            "counts": counts,
        }
        return TemplateResponse(request, "admin/catalogue/recover_confirm.html", context)


class SharedLabelsAutocompleteSelect(AutocompleteSelect):
    """An autocomplete select that labels its selected option from labels fetched once for
    all rows of an inline (``preloaded_labels``), instead of one query per row."""

    preloaded_labels: dict[str, str] | None = None  # shared by every row's copy of the widget

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        labels = self.preloaded_labels
        if labels is None or not selected <= labels.keys():
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            options.append(self.create_option(name, key, labels[key], selected, len(options)))
        return [(None, options, 0)]


class SharedLabelsFormSetMixin:
    """Fetches the labels of the options selected in an inline's autocomplete fields, one query per field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.base_fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, SharedLabelsAutocompleteSelect):
                continue
            values = {str(form[name].value()) for form in self.forms} - {str(v) for v in field.empty_values}
            to_field = field.to_field_name or "pk"
            objects = field.queryset.filter(**{f"{to_field}__in": values}) if values else []
            widget.preloaded_labels.update(
                {str(getattr(obj, to_field)): field.label_from_instance(obj) for obj in objects}
            )


class CatalogueInline(admin.TabularInline):
    extra = 0
    show_change_link = False
    form = forms.ParentAwareInlineForm
    formset = forms.ParentAwareInlineFormSet
    #: Relations each row's ``__str__`` reads (the inline shows it): joined, not one query per row.
    list_select_related: tuple[str, ...] = ()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.list_select_related) if self.list_select_related else queryset

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SharedLabelsAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            kwargs["widget"].preloaded_labels = {}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request_user": request.user})
        return type(formset.__name__, (SharedLabelsFormSetMixin, formset), {})


# --------------------------------------------------------------------------
# Inlines
# --------------------------------------------------------------------------


class StateNameInline(CatalogueInline):
    model = m.StateName
    list_select_related = ("state",)
    fields = ["name", "language", "kind", "period"]


class TreatyTitleInline(CatalogueInline):
    model = m.TreatyTitle
    fields = ["title", "language", "kind"]


class ParticipationInline(CatalogueInline):
    model = m.Participation
    list_select_related = ("state", "treaty")
    fields = ["state", "role", "position", "signed", "ratified", "acceded", "denounced"]
    autocomplete_fields = ["state"]


class PersonRoleInline(CatalogueInline):
    model = m.PersonRole
    list_select_related = ("person",)
    fk_name = "treaty"
    fields = ["person", "role", "state", "office", "position"]
    autocomplete_fields = ["person", "state"]


class ProtocolPersonRoleInline(PersonRoleInline):
    fk_name = "protocol"


class ArticleInline(CatalogueInline):
    template = "admin/edit_inline/stacked.html"
    model = m.Article
    fk_name = "treaty"
    fields = [("number", "position", "heading"), "summary", "text"]


class ProtocolArticleInline(ArticleInline):
    fk_name = "protocol"


class ProtocolInline(CatalogueInline):
    model = m.Protocol
    list_select_related = ("treaty",)
    form = forms.PublishableInlineForm
    fields = [
        "title",
        "slug",
        "kind",
        "signed",
        "ratified",
        "entry_into_force",
        "effect",
        "status",
    ]
    show_change_link = True
    prepopulated_fields = {"slug": ["title"]}


class RegistrationInline(CatalogueInline):
    model = m.Registration
    list_select_related = ("series", "treaty", "protocol")
    fk_name = "treaty"
    fields = ["series", "registered", "number", "volume", "first_page", "last_page"]


class ProtocolRegistrationInline(RegistrationInline):
    fk_name = "protocol"


class CitationInline(CatalogueInline):
    model = m.Citation
    list_select_related = ("source",)
    fields = ["source", "fact", "claim", "locator", "quotation", "position"]
    autocomplete_fields = ["source"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = self.parent_model
        facts = ", ".join(parent.citable_facts) if hasattr(parent, "citable_facts") else ""
        if facts and "fact" in formset.form.base_fields:
            formset.form.base_fields["fact"].help_text = _("Blank for the whole record, or one of: %(facts)s.") % {
                "facts": facts
            }
        return formset


class TreatyCitationInline(CitationInline):
    fk_name = "treaty"


class ProtocolCitationInline(CitationInline):
    fk_name = "protocol"


class RegistrationCitationInline(CitationInline):
    fk_name = "registration"


class EventCitationInline(CitationInline):
    fk_name = "event"


class RelationCitationInline(CitationInline):
    fk_name = "relation"


class ParticipationCitationInline(CitationInline):
    fk_name = "participation"


class EventInline(CatalogueInline):
    model = m.Event
    fields = ["title", "slug", "date", "place"]
    autocomplete_fields = ["place"]
    show_change_link = True
    prepopulated_fields = {"slug": ["title"]}


class RelationFromInline(CatalogueInline):
    model = m.TreatyRelation
    list_select_related = ("subject", "object")
    fk_name = "subject"
    fields = ["kind", "object", "note"]
    autocomplete_fields = ["object"]
    verbose_name = _("relation to another treaty")
    verbose_name_plural = _("relations to other treaties")
    show_change_link = True


class RelationToInline(CatalogueInline):
    model = m.TreatyRelation
    list_select_related = ("subject", "object")
    fk_name = "object"
    fields = ["subject", "kind", "note"]
    autocomplete_fields = ["subject"]
    verbose_name = _("relation from another treaty")
    verbose_name_plural = _("relations from other treaties")
    show_change_link = True


class ScanInline(CatalogueInline):
    model = m.Scan
    form = forms.ScanInlineForm
    fk_name = "treaty"
    fields = [
        "thumb",
        "image",
        "caption",
        "alt_text",
        "page",
        "credit",
        "rights",
        "position",
    ]
    readonly_fields = ["thumb"]

    @admin.display(description=_("thumbnail"))
    def thumb(self, obj):
        if obj and obj.thumbnail:
            return format_html('<img src="{}" alt="" style="max-height:80px">', obj.thumbnail.url)
        return "—"


class ProtocolScanInline(ScanInline):
    fk_name = "protocol"


# --------------------------------------------------------------------------
# Publication actions
# --------------------------------------------------------------------------


def _move_selected(modeladmin, request, queryset, move, done_message):
    moved = 0
    for obj in queryset:
        try:
            move(obj)
        except ValidationError as error:
            modeladmin.message_user(request, format_html("“{}”: {}", obj, " ".join(error.messages)), messages.ERROR)
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, done_message(moved), messages.SUCCESS)


@admin.action(description=_("Submit the selected records for review"), permissions=["change"])
def submit_for_review(modeladmin, request, queryset):
    _move_selected(
        modeladmin,
        request,
        queryset,
        lambda obj: workflow.submit_for_review(obj, user=request.user),
        lambda n: ngettext("%d record submitted for review.", "%d records submitted for review.", n) % n,
    )


@admin.action(description=_("Publish the selected records"), permissions=["publish"])
def publish(modeladmin, request, queryset):
    _move_selected(
        modeladmin,
        request,
        queryset,
        lambda obj: workflow.publish(obj, user=request.user),
        lambda n: ngettext("%d record published.", "%d records published.", n) % n,
    )


@admin.action(description=_("Unpublish the selected records (back to draft)"), permissions=["publish"])
def unpublish(modeladmin, request, queryset):
    def move(obj):
        if obj.status == m.Status.REVIEW:
            raise ValidationError(_("to send a record in review back, edit it and write a review note."))
        workflow.unpublish(obj, user=request.user)

    _move_selected(
        modeladmin,
        request,
        queryset,
        move,
        lambda n: ngettext("%d record unpublished.", "%d records unpublished.", n) % n,
    )


class PublishableAdmin(CatalogueAdmin):
    """Treaties and protocols: the publication workflow (catalogue.workflow) on the form and in actions."""

    form = forms.PublishableAdminForm
    actions = [submit_for_review, publish, unpublish]

    def has_publish_permission(self, request):
        return roles.can_publish(request.user, self.model)


# --------------------------------------------------------------------------
# Model admins
# --------------------------------------------------------------------------


@admin.register(m.State)
class StateAdmin(CatalogueAdmin):
    list_display = ["name", "code", "existed"]
    search_fields = ["name", "code", "other_names__name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["predecessors"]
    inlines = [StateNameInline]
    list_per_page = 100


@admin.register(m.Place)
class PlaceAdmin(CatalogueAdmin):
    list_display = ["name", "country", "latitude", "longitude"]
    search_fields = ["name", "country"]
    list_filter = ["country"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Person)
class PersonAdmin(CatalogueAdmin):
    list_display = ["name", "born", "died", "description"]
    search_fields = ["name", "sort_name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.TreatyKind)
class TreatyKindAdmin(CatalogueAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Subject)
class SubjectAdmin(CatalogueAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.TreatySeries)
class TreatySeriesAdmin(CatalogueAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]
    prepopulated_fields = {"slug": ["abbreviation"]}


@admin.register(m.Source)
class SourceAdmin(CatalogueAdmin):
    list_display = ["__str__", "kind", "year", "key"]
    list_filter = ["kind"]
    search_fields = ["key", "title", "authors", "editors", "container_title", "isbn"]
    prepopulated_fields = {"key": ["title"]}
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "key",
                    "kind",
                    "title",
                    "authors",
                    "editors",
                    "container_title",
                ]
            },
        ),
        (
            _("Publication"),
            {"fields": ["publisher", "place_published", "year", "language"]},
        ),
        (_("Identifiers"), {"fields": ["isbn", "doi", "url", "accessed"]}),
        (None, {"fields": ["note"]}),
    ]


@admin.register(m.Treaty)
class TreatyAdmin(PublishableAdmin):
    list_display = ["title", "kind", "signed", "place_signed", "status", "updated"]
    list_display_links = ["title"]
    list_filter = ["status", "kind", "subjects", "secret", "end_kind"]
    list_select_related = ["kind", "place_signed"]
    search_fields = ["title", "short_title", "slug", "identifier", "titles__title"]
    search_help_text = _("Search titles in every language, the slug or the stable identifier.")
    date_hierarchy = "signed_earliest"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["kind", "subjects", "place_signed", "ratifications_place"]
    readonly_fields = ["preview_link", "created", "updated", "published_at"]
    list_per_page = 50
    form = forms.TreatyAdminForm
    extra_form_fields = ("save_anyway", "change_reason")
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "short_title",
                    "slug",
                    "identifier",
                    "kind",
                    "subjects",
                    "secret",
                ]
            },
        ),
        (
            _("Dates and places"),
            {
                "fields": [
                    ("signed", "place_signed"),
                    ("ratifications_exchanged", "ratifications_place"),
                    "entry_into_force",
                    "duration",
                    ("ended", "end_kind"),
                ]
            },
        ),
        (None, {"fields": ["summary", "same_as", "note"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "preview_link",
                    "review_note",
                    "withdrawal_note",
                    "published_at",
                    "created",
                    "updated",
                ]
            },
        ),
    ]
    inlines = [
        TreatyTitleInline,
        ParticipationInline,
        PersonRoleInline,
        ArticleInline,
        ProtocolInline,
        RegistrationInline,
        TreatyCitationInline,
        EventInline,
        RelationFromInline,
        RelationToInline,
        ScanInline,
    ]

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if obj is None or not obj.pk:
            return _("Save the record to preview it.")
        return format_html(
            '<a href="{}" target="_blank">{}</a>',
            reverse("treaty-preview", kwargs={"slug": obj.slug}),
            _("See this record as the public will see it"),
        )


@admin.register(m.Protocol)
class ProtocolAdmin(PublishableAdmin):
    list_display = ["title", "treaty", "kind", "signed", "effect", "status"]
    list_filter = ["status", "kind", "effect"]
    list_select_related = ["treaty"]
    search_fields = ["title", "slug", "treaty__title"]
    date_hierarchy = "signed_earliest"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["treaty", "place_signed"]
    readonly_fields = ["created", "updated", "published_at"]
    fieldsets = [
        (None, {"fields": ["treaty", "title", "slug", "kind"]}),
        (
            _("Dates and places"),
            {"fields": [("signed", "place_signed"), "ratified", "entry_into_force"]},
        ),
        (_("Effect on the treaty"), {"fields": ["effect", "prolongation"]}),
        (None, {"fields": ["summary", "note"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "review_note",
                    "withdrawal_note",
                    "published_at",
                    "created",
                    "updated",
                ]
            },
        ),
    ]
    inlines = [
        ProtocolArticleInline,
        ProtocolPersonRoleInline,
        ProtocolRegistrationInline,
        ProtocolCitationInline,
        ProtocolScanInline,
    ]


@admin.register(m.Registration)
class RegistrationAdmin(CatalogueAdmin):
    list_display = ["__str__", "series", "registered", "number", "volume", "first_page"]
    list_filter = ["series"]
    list_select_related = ["series", "treaty", "protocol"]
    search_fields = ["number", "treaty__title", "protocol__title"]
    autocomplete_fields = ["treaty", "protocol"]
    date_hierarchy = "registered_earliest"
    inlines = [RegistrationCitationInline]


@admin.register(m.Participation)
class ParticipationAdmin(CatalogueAdmin):
    list_display = ["state", "treaty", "role", "signed", "ratified"]
    list_filter = ["role"]
    list_select_related = ["state", "treaty"]
    search_fields = ["state__name", "treaty__title"]
    autocomplete_fields = ["state", "treaty"]
    inlines = [ParticipationCitationInline]


@admin.register(m.Event)
class EventAdmin(CatalogueAdmin):
    list_display = ["title", "date", "treaty", "place"]
    list_select_related = ["treaty", "place"]
    search_fields = ["title", "description", "treaty__title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["treaty", "place", "people"]
    date_hierarchy = "date_earliest"
    inlines = [EventCitationInline]


@admin.register(m.TreatyRelation)
class TreatyRelationAdmin(CatalogueAdmin):
    list_display = ["subject", "kind", "object"]
    list_filter = ["kind"]
    list_select_related = ["subject", "object"]
    search_fields = ["subject__title", "object__title"]
    autocomplete_fields = ["subject", "object"]
    inlines = [RelationCitationInline]


@admin.register(m.Citation)
class CitationAdmin(CatalogueAdmin):
    list_display = ["source", "target_display", "fact", "claim", "locator"]
    list_select_related = [
        "source",
        "treaty",
        "protocol",
        "registration__series",
        "event",
        "relation__subject",
        "relation__object",
        "participation__state",
        "participation__treaty",
    ]
    list_filter = ["source__kind"]
    search_fields = [
        "source__title",
        "source__key",
        "claim",
        "quotation",
        "locator",
        "fact",
    ]
    autocomplete_fields = [
        "source",
        "treaty",
        "protocol",
        "registration",
        "event",
        "relation",
        "participation",
    ]

    @admin.display(description=_("cites"))
    def target_display(self, obj):
        return str(obj.target)


@admin.register(m.PersonRole)
class PersonRoleAdmin(CatalogueAdmin):
    list_display = ["person", "role", "treaty", "protocol", "state"]
    list_filter = ["role"]
    list_select_related = ["person", "treaty", "protocol", "state"]
    search_fields = ["person__name", "treaty__title", "protocol__title"]
    autocomplete_fields = ["person", "treaty", "protocol", "state"]


@admin.register(m.Scan)
class ScanAdmin(CatalogueAdmin):
    form = forms.ScanAdminForm
    list_display = ["caption", "treaty", "protocol", "page", "width", "height"]
    list_select_related = ["treaty", "protocol"]
    search_fields = ["caption", "treaty__title", "protocol__title"]
    autocomplete_fields = ["treaty", "protocol"]
    readonly_fields = ["width", "height", "thumb"]

    @admin.display(description=_("thumbnail"))
    def thumb(self, obj):
        if obj and obj.thumbnail:
            return format_html('<img src="{}" alt="">', obj.thumbnail.url)
        return "—"


@admin.register(m.Article)
class ArticleAdmin(CatalogueAdmin):
    list_display = ["__str__", "treaty", "protocol", "heading"]
    list_select_related = ["treaty", "protocol"]
    search_fields = ["heading", "summary", "text", "treaty__title"]
    autocomplete_fields = ["treaty", "protocol"]


@admin.register(m.TreatyTitle)
class TreatyTitleAdmin(CatalogueAdmin):
    list_display = ["title", "language", "kind", "treaty"]
    list_select_related = ["treaty"]
    search_fields = ["title", "treaty__title"]
    autocomplete_fields = ["treaty"]


@admin.register(m.StateName)
class StateNameAdmin(CatalogueAdmin):
    list_display = ["name", "language", "kind", "state"]
    list_select_related = ["state"]
    search_fields = ["name", "state__name"]
    autocomplete_fields = ["state"]
