"""Permanent addresses: a treaty's or protocol's old slug keeps answering (301) after a change.

Why signals: a slug can change through the admin, an import or the shell, and
every path must record the old address; ``pre_save`` reads the slug the row has
in the database, ``post_save`` records it as an ``OldSlug`` once the new one is
saved. Slugs are never reused: a record may not take a slug that another record
of the same kind had (``check_available``, also called by ``pre_save`` so that
no path can steal an address; forms should call it in ``clean_slug`` to show the
message beside the field).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.signals import post_save, pre_save
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

_TRACKED = ("catalogue.Treaty", "catalogue.Protocol")

#: Dashes and slashes join words ("Germany–Russia", "Franco/German"): each becomes a word boundary in a slug
#: (Django's slugify drops them, which ran the words together: "germanyrussia").
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"  # hyphen … em dash, minus
_WORD_JOINERS = str.maketrans(dict.fromkeys(_DASHES + "/\\", " "))


def slug_of(text: str) -> str:
    """``slugify`` that keeps a word boundary where a dash or slash joins two words."""
    return slugify(text.translate(_WORD_JOINERS))


def _owner_field(instance) -> str:
    return "protocol" if instance._meta.model_name == "protocol" else "treaty"


def check_available(model, slug: str, instance_pk=None) -> None:
    """Raise ``ValidationError`` if ``slug`` was retired by another record of ``model``."""
    from .models import OldSlug

    owner = "protocol" if model._meta.model_name == "protocol" else "treaty"
    taken = OldSlug.objects.filter(slug=slug, **{f"{owner}__isnull": False})
    if instance_pk is not None:
        taken = taken.exclude(**{f"{owner}_id": instance_pk})
    if taken.exists():
        raise ValidationError(
            {
                "slug": _(
                    "Slug: “%(slug)s” was the address of another %(model)s and stays reserved for it, "
                    "so that old links and citations keep working. Choose another slug."
                )
                % {"slug": slug, "model": model._meta.verbose_name}
            },
            code="slug_retired",
        )


def resolve(model, slug: str):
    """The record of ``model`` that once had ``slug``, or None."""
    from .models import OldSlug

    owner = "protocol" if model._meta.model_name == "protocol" else "treaty"
    old = OldSlug.objects.filter(slug=slug, **{f"{owner}__isnull": False}).select_related(owner).first()
    return getattr(old, owner) if old else None


def _remember_old_slug(sender, instance, raw=False, **kwargs):
    if raw:
        return  # fixtures load records as they were; their history is in the fixture
    check_available(sender, instance.slug, instance.pk)
    instance._previous_slug = None
    if instance.pk is not None:
        previous = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if previous and previous != instance.slug:
            instance._previous_slug = previous


def _record_old_slug(sender, instance, raw=False, **kwargs):
    from .models import OldSlug

    previous = getattr(instance, "_previous_slug", None)
    if raw or not previous:
        return
    owner = _owner_field(instance)
    # Taking back one's own old slug: it is current again, no longer an old address.
    OldSlug.objects.filter(slug=instance.slug, **{owner: instance}).delete()
    OldSlug.objects.get_or_create(slug=previous, **{owner: instance})
    instance._previous_slug = None


for _label in _TRACKED:
    pre_save.connect(_remember_old_slug, sender=_label, dispatch_uid=f"slugs_pre_{_label}")
    post_save.connect(_record_old_slug, sender=_label, dispatch_uid=f"slugs_post_{_label}")
