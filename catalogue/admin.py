"""The curators' admin.

Fast forms: autocomplete for every foreign key to a table that grows (states,
places, people, sources, treaties), inlines for the parts of a treaty, facet
counts on demand, and ``list_select_related`` so changelists run a fixed number
of queries. Every model keeps its history (SimpleHistoryAdmin).
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


class CatalogueAdmin(SimpleHistoryAdmin):
    """Shared behaviour: only superusers delete; facets are shown on demand."""

    show_facets = admin.ShowFacets.ALLOW

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class CatalogueInline(admin.TabularInline):
    extra = 0
    show_change_link = False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# --------------------------------------------------------------------------
# Inlines
# --------------------------------------------------------------------------


class StateNameInline(CatalogueInline):
    model = m.StateName
    fields = ["name", "language", "kind", "period"]


class TreatyTitleInline(CatalogueInline):
    model = m.TreatyTitle
    fields = ["title", "language", "kind"]


class ParticipationInline(CatalogueInline):
    model = m.Participation
    fields = ["state", "role", "position", "signed", "ratified", "acceded", "denounced"]
    autocomplete_fields = ["state"]


class PersonRoleInline(CatalogueInline):
    model = m.PersonRole
    fk_name = "treaty"
    fields = ["person", "role", "state", "office", "position"]
    autocomplete_fields = ["person", "state"]


class ProtocolPersonRoleInline(PersonRoleInline):
    fk_name = "protocol"


class ArticleInline(admin.StackedInline):
    model = m.Article
    fk_name = "treaty"
    extra = 0
    fields = [("number", "position", "heading"), "summary", "text"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ProtocolArticleInline(ArticleInline):
    fk_name = "protocol"


class ProtocolInline(CatalogueInline):
    model = m.Protocol
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
    fk_name = "treaty"
    fields = ["series", "registered", "number", "volume", "first_page", "last_page"]


class ProtocolRegistrationInline(RegistrationInline):
    fk_name = "protocol"


class CitationInline(CatalogueInline):
    model = m.Citation
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
    fk_name = "subject"
    fields = ["kind", "object", "note"]
    autocomplete_fields = ["object"]
    verbose_name = _("relation to another treaty")
    verbose_name_plural = _("relations to other treaties")
    show_change_link = True


class RelationToInline(CatalogueInline):
    model = m.TreatyRelation
    fk_name = "object"
    fields = ["subject", "kind", "note"]
    autocomplete_fields = ["subject"]
    verbose_name = _("relation from another treaty")
    verbose_name_plural = _("relations from other treaties")
    show_change_link = True


class ScanInline(CatalogueInline):
    model = m.Scan
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


@admin.action(description=_("Publish the selected records"), permissions=["change"])
def publish(modeladmin, request, queryset):
    now = timezone.now()
    count = 0
    for obj in queryset:
        obj.status = m.Status.PUBLISHED
        if obj.published_at is None:
            obj.published_at = now
        obj._change_reason = "Published from the list"
        obj.save()
        count += 1
    modeladmin.message_user(
        request,
        ngettext("%d record published.", "%d records published.", count) % count,
        messages.SUCCESS,
    )


@admin.action(
    description=_("Unpublish the selected records (back to draft)"),
    permissions=["change"],
)
def unpublish(modeladmin, request, queryset):
    count = 0
    for obj in queryset:
        obj.status = m.Status.DRAFT
        obj._change_reason = "Unpublished from the list"
        obj.save()
        count += 1
    modeladmin.message_user(
        request,
        ngettext("%d record unpublished.", "%d records unpublished.", count) % count,
        messages.SUCCESS,
    )


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
class TreatyAdmin(CatalogueAdmin):
    list_display = ["title", "kind", "signed", "place_signed", "status", "updated"]
    list_display_links = ["title"]
    list_filter = ["status", "kind", "subjects", "secret", "end_kind"]
    list_select_related = ["kind", "place_signed"]
    search_fields = ["title", "short_title", "slug", "identifier", "titles__title"]
    search_help_text = _("Search titles in every language, the slug or the stable identifier.")
    date_hierarchy = "signed_earliest"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["kind", "subjects", "place_signed", "ratifications_place"]
    readonly_fields = ["created", "updated", "published_at"]
    actions = [publish, unpublish]
    list_per_page = 50
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


@admin.register(m.Protocol)
class ProtocolAdmin(CatalogueAdmin):
    list_display = ["title", "treaty", "kind", "signed", "effect", "status"]
    list_filter = ["status", "kind", "effect"]
    list_select_related = ["treaty"]
    search_fields = ["title", "slug", "treaty__title"]
    date_hierarchy = "signed_earliest"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["treaty", "place_signed"]
    readonly_fields = ["created", "updated", "published_at"]
    actions = [publish, unpublish]
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
