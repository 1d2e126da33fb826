"""What the repository exposes: items (treaties), their datestamps, sets and identifiers.

Items are the treaties that are published, and the withdrawn ones as deleted
records (so that a harvester learns to drop them). A record sent back to draft
or deleted outright disappears without trace, so deleted records are kept
*transiently* (Identify says so).

Sets: ``kind`` (with ``kind:<TreatyKind slug>``) and ``party`` (with
``party:<State code>``), a two-level hierarchy as the protocol allows.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Participation, Registration, State, Status, Treaty, TreatyKind

EXPOSED = (Status.PUBLISHED, Status.WITHDRAWN)
DELETED = (Status.WITHDRAWN,)

SET_GROUPS = {
    "kind": _("Treaties by kind of instrument"),
    "party": _("Treaties by party"),
}


def page_size() -> int:
    """Records per response before a resumption token is given (setting OAI_PAGE_SIZE)."""
    return int(getattr(settings, "OAI_PAGE_SIZE", 100))


def token_max_age() -> int:
    """Seconds a resumption token stays valid (setting OAI_TOKEN_MAX_AGE, default a day)."""
    return int(getattr(settings, "OAI_TOKEN_MAX_AGE", 24 * 3600))


def repository_identifier() -> str:
    """The namespace part of the OAI identifiers: setting OAI_REPOSITORY_IDENTIFIER,
    by default the host name of SITE_BASE_URL."""
    configured = getattr(settings, "OAI_REPOSITORY_IDENTIFIER", "")
    return configured or urlsplit(settings.SITE_BASE_URL).hostname or "localhost"


def admin_emails() -> list[str]:
    configured = getattr(settings, "OAI_ADMIN_EMAILS", None)
    if configured:
        return list(configured)
    admins = [email for _name, email in getattr(settings, "ADMINS", [])]
    return admins or [settings.DEFAULT_FROM_EMAIL]


def oai_identifier(treaty) -> str:
    return f"oai:{repository_identifier()}:treaty/{treaty.slug}"


def slug_from_identifier(identifier: str) -> str | None:
    prefix = f"oai:{repository_identifier()}:treaty/"
    if not identifier.startswith(prefix):
        return None
    slug = identifier[len(prefix) :]
    return slug or None


def datestamp(moment: datetime.datetime) -> str:
    """UTC, seconds granularity: 1926-04-24T00:00:00Z."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def items():
    """Every exposed treaty, in a stable order for paging (by primary key)."""
    return Treaty.objects.filter(status__in=EXPOSED).order_by("pk")


def for_headers(queryset):
    """A header names the sets an item is in: its kind and its parties."""
    return queryset.select_related("kind").prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("state").order_by("position", "pk"),
        )
    )


def for_records(queryset):
    """Everything the Dublin Core record of a treaty reads."""
    return (
        for_headers(queryset)
        .select_related("place_signed")
        .prefetch_related(
            "subjects",
            "titles",
            Prefetch("registrations", queryset=Registration.objects.select_related("series")),
        )
    )


def set_specs(treaty) -> list[str]:
    specs = [f"kind:{treaty.kind.slug}"]
    specs += [f"party:{p.state.code}" for p in treaty.participations.all()]
    return specs


def in_set(queryset, spec: str):
    """Treaties in a set. Returns None when the set does not exist."""
    group, _sep, value = spec.partition(":")
    if group not in SET_GROUPS or (_sep and not value):
        return None
    if not value:
        # Every treaty has a kind; the "party" group holds the treaties with a party.
        return queryset if group == "kind" else queryset.filter(participations__isnull=False).distinct()
    if group == "kind":
        if not TreatyKind.objects.filter(slug=value).exists():
            return None
        return queryset.filter(kind__slug=value)
    if not State.objects.filter(code=value).exists():
        return None
    return queryset.filter(Q(participations__state__code=value)).distinct()


def all_sets() -> list[tuple[str, str]]:
    """(setSpec, setName) of every set, in a stable order."""
    sets = [(group, str(name)) for group, name in SET_GROUPS.items()]
    kinds = TreatyKind.objects.order_by("slug").values_list("slug", "name")
    states = State.objects.order_by("code").values_list("code", "name")
    sets += [(f"kind:{slug}", name) for slug, name in kinds]
    sets += [(f"party:{code}", name) for code, name in states]
    return sets


def earliest_datestamp() -> datetime.datetime:
    first = items().order_by("updated").values_list("updated", flat=True).first()
    return first or timezone.now()
