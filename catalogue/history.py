"""Edit history: who changed what, when and why; differences, revert and recovery.

Every catalogue model keeps its history with django-simple-history: a
historical table per model holds one row per version, with the user
(``history_user``, set by ``HistoryRequestMiddleware`` in the admin), the time
and the reason (``history_change_reason``).

Bulk writes bypass model signals and so would bypass the history: imports and
other bulk operations must go through ``bulk_create_with_history`` /
``bulk_update_with_history`` here (or save objects one by one with
``save_with_history``), never ``QuerySet.bulk_create`` / ``update`` directly.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history import utils as sh_utils

#: Rows of a record's parts deleted within this time before (or after) the
#: record itself count as deleted with it (a cascade happens in one transaction).
CASCADE_WINDOW = datetime.timedelta(seconds=30)


# --------------------------------------------------------------------------
# Writing with history
# --------------------------------------------------------------------------


def save_with_history(obj, *, user=None, reason: str = ""):
    """Save one object, recording ``user`` and ``reason`` in its history."""
    if user is not None:
        obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


def bulk_create_with_history(objs, model=None, *, user=None, reason: str = "", batch_size: int = 500, **kwargs):
    """``bulk_create`` that also writes one history row per object (in one transaction).

    For imports: ``bulk_create_with_history(treaties, user=importer, reason="ATOP import 2026-11")``.
    Field ``pre_save`` runs as in ``bulk_create`` (EDTF bounds are filled); model
    ``save()`` does not.
    """
    objs = list(objs)
    if not objs:
        return []
    model = model or type(objs[0])
    return sh_utils.bulk_create_with_history(
        objs,
        model,
        batch_size=batch_size,
        default_user=user,
        default_change_reason=reason or None,
        **kwargs,
    )


def bulk_update_with_history(objs, fields, model=None, *, user=None, reason: str = "", batch_size: int = 500, **kwargs):
    """``bulk_update`` that also writes one history row per object (in one transaction)."""
    objs = list(objs)
    if not objs:
        return 0
    model = model or type(objs[0])
    return sh_utils.bulk_update_with_history(
        objs,
        model,
        fields,
        batch_size=batch_size,
        default_user=user,
        default_change_reason=reason or None,
        **kwargs,
    )


# --------------------------------------------------------------------------
# Differences between versions
# --------------------------------------------------------------------------


@dataclass
class FieldChange:
    name: str
    label: str
    old: object
    new: object


def _display(model, name, value):
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return value
    if model_field.many_to_many:
        # Rows of the through table: the target as an object, or its id.
        target = model_field.related_model
        items = [row.get(model_field.m2m_reverse_field_name()) for row in value or []]
        ids = [item for item in items if item is not None and not isinstance(item, models.Model)]
        objects = target._base_manager.in_bulk(ids)
        return (
            ", ".join(str(item if isinstance(item, models.Model) else objects.get(item, item)) for item in items) or "—"
        )
    if model_field.choices and value not in (None, ""):
        return dict(model_field.flatchoices).get(value, value)
    if value in (None, ""):
        return "—"
    return value


def diff(older, newer) -> list[FieldChange]:
    """Field-by-field differences from the historical row ``older`` to ``newer``, in the model's field order."""
    model = older.instance_type
    delta = newer.diff_against(older, foreign_keys_are_objs=True)
    by_name = {change.field: change for change in delta.changes}
    changes = []
    for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]:
        change = by_name.get(model_field.name)
        if change is None:
            continue
        changes.append(
            FieldChange(
                name=model_field.name,
                label=str(model_field.verbose_name),
                old=_display(model, model_field.name, change.old),
                new=_display(model, model_field.name, change.new),
            )
        )
    return changes


# --------------------------------------------------------------------------
# Revert
# --------------------------------------------------------------------------


def revert(obj, history_id, *, user=None, reason: str = ""):
    """Restore every field of ``obj`` (and its tracked many-to-many fields) to an earlier version.

    The revert is itself a new version in the history, so it can be undone too.
    """
    version = obj.history.get(history_id=history_id)
    restored = version.instance
    restored._state.adding = False
    restored._history_user = user
    restored._change_reason = reason or str(_("Reverted to the version of %(date)s") % {"date": version.history_date})
    with transaction.atomic():
        restored.save()
        _restore_m2m(restored, version)
    return restored


def _tracked_m2m_fields(model):
    history = getattr(model, "history", None)
    return list(getattr(history.model, "_history_m2m_fields", [])) if history is not None else []


def _restore_m2m(obj, version):
    for m2m in _tracked_m2m_fields(type(obj)):
        target = m2m.m2m_reverse_field_name()
        ids = [getattr(row, f"{target}_id") for row in getattr(version, m2m.name).all()]
        existing = set(m2m.related_model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        getattr(obj, m2m.name).set([pk for pk in ids if pk in existing])


# --------------------------------------------------------------------------
# Recovery of deleted records
# --------------------------------------------------------------------------


def deleted_versions(model):
    """The last version of each deleted record of ``model`` that is still deleted, newest first."""
    history = model.history
    pk_name = model._meta.pk.attname
    live = model._base_manager.values_list(pk_name, flat=True)
    latest = (
        history.filter(**{pk_name: models.OuterRef(pk_name)}).order_by("-history_date", "-history_id").values("pk")[:1]
    )
    return (
        history.filter(history_type="-")
        .exclude(**{f"{pk_name}__in": live})
        .filter(pk=models.Subquery(latest))
        .select_related("history_user")
        .order_by("-history_date")
    )


@dataclass
class Recovery:
    record: models.Model
    restored: list = field(default_factory=list)  # every object restored, the record first
    skipped: list = field(default_factory=list)  # (version, why) for parts that could not come back

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for obj in self.restored[1:]:
            label = str(obj._meta.verbose_name_plural)
            counts[label] = counts.get(label, 0) + 1
        return counts


def _history_parts(model):
    """(child model, foreign key) for every part deleted with a record of ``model`` that keeps history."""
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        if relation.on_delete is not models.CASCADE:
            continue
        child = relation.related_model
        if getattr(child._meta, "simple_history_manager_attribute", None) is None:
            continue
        yield child, relation.field


def planned_recovery(model, history_id):
    """What ``recover`` would restore, without writing: (version, [(child version, ...)])."""
    version = model.history.get(history_id=history_id, history_type="-")
    plan = []
    _collect(model, [version], plan, set())
    return version, plan


def _collect(model, versions, plan, seen):
    for child_model, fk in _history_parts(model):
        for version in versions:
            parent_pk = getattr(version, model._meta.pk.attname)
            window = (version.history_date - CASCADE_WINDOW, version.history_date + CASCADE_WINDOW)
            rows = (
                child_model.history.filter(
                    **{fk.attname: parent_pk, "history_type": "-", "history_date__range": window},
                )
                .exclude(**{f"{child_model._meta.pk.attname}__in": child_model._base_manager.values("pk")})
                .order_by("history_date")
            )
            children = []
            for row in rows:
                key = (child_model, getattr(row, child_model._meta.pk.attname))
                if key in seen:
                    continue
                seen.add(key)
                plan.append(row)
                children.append(row)
            if children:
                _collect(child_model, children, plan, seen)


def recover(model, history_id, *, user=None, reason: str = "") -> Recovery:
    """Bring back a deleted record with the parts deleted with it (inlines, their citations...).

    Each object is restored from its last historical row; its many-to-many
    fields from the last version before the deletion (a cascade removes those
    links without a version of their own). Parts that point to a record that no
    longer exists (a relation to another deleted treaty) are skipped and
    reported. All or nothing: one transaction.
    """
    version, plan = planned_recovery(model, history_id)
    pk = getattr(version, model._meta.pk.attname)
    if model._base_manager.filter(pk=pk).exists():
        raise ValidationError(_("This record is not deleted: it exists already."), code="exists")
    reason = reason or str(_("Recovered after deletion"))
    result = None
    with transaction.atomic():
        record = _restore(version, user=user, reason=reason)
        result = Recovery(record=record, restored=[record])
        for row in plan:
            missing = _missing_targets(row)
            if missing:
                result.skipped.append((row, _("it refers to %(what)s, which no longer exists") % {"what": missing}))
                continue
            result.restored.append(_restore(row, user=user, reason=reason))
    return result


def _missing_targets(row) -> str:
    obj = row.instance
    for model_field in obj._meta.concrete_fields:
        if not model_field.is_relation or model_field.primary_key:
            continue
        value = getattr(obj, model_field.attname)
        if value is None:
            continue
        if not model_field.related_model._base_manager.filter(pk=value).exists():
            return f"{model_field.verbose_name} #{value}"
    return ""


def _restore(row, *, user, reason):
    obj = row.instance
    obj._history_user = user
    obj._change_reason = reason
    obj.save(force_insert=True)
    model = type(obj)
    # auto_now_add would stamp "created" with today: keep the original.
    keep = {
        f.attname: getattr(row, f.attname)
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False) and getattr(row, f.attname, None)
    }
    if keep:
        model._base_manager.filter(pk=obj.pk).update(**keep)
        for name, value in keep.items():
            setattr(obj, name, value)
    if _tracked_m2m_fields(model):
        before = (
            model.history.filter(**{model._meta.pk.attname: obj.pk}, history_date__lte=row.history_date)
            .exclude(history_type="-")
            .order_by("-history_date", "-history_id")
            .first()
        )
        if before is not None:
            _restore_m2m(obj, before)
    return obj
