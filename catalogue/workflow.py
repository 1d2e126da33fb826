"""The publication workflow: draft → review → published (→ withdrawn).

Who may do what:

* a curator creates and edits drafts, submits them for review, and may take a
  record back to draft or review (also a published one: it then leaves the
  public site until an editor publishes it again);
* an editor (the ``publish_*`` permission, held by the ``Editors`` group) also
  publishes, sends back to draft with a comment (``review_note``) and withdraws
  with a note (``withdrawal_note``, shown on the 410 page);
* keeping the status is always allowed: edits to a published record go live
  when saved, and the history records them.

The admin form (``catalogue.forms.PublishableAdminForm``) and the admin actions
call ``check_transition``; the services below do the same for code and tests.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Status
from .roles import can_publish

#: Statuses anyone who may change a record may move it to.
CURATOR_TARGETS = {Status.DRAFT, Status.REVIEW}
#: Statuses only an editor may move a record to.
EDITOR_TARGETS = {Status.PUBLISHED, Status.WITHDRAWN}


def stored_status(obj) -> str | None:
    """The status in the database (not the one being edited); None for a new record."""
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values_list("status", flat=True).first()


def check_transition(user, model, old: str | None, new: str, *, review_note: str = "", withdrawal_note: str = ""):
    """Raise ``ValidationError`` (keyed by field) if ``user`` may not move a record from ``old`` to ``new``."""
    if old == new:
        return
    editor = can_publish(user, model)
    if new in EDITOR_TARGETS and not editor:
        verb = _("publish") if new == Status.PUBLISHED else _("withdraw")
        raise ValidationError(
            {
                "status": _(
                    "Publication status: only an editor can %(verb)s a record. Choose “In review” to submit it "
                    "to an editor."
                )
                % {"verb": verb}
            },
            code="not_editor",
        )
    if old == Status.WITHDRAWN and not editor:
        raise ValidationError(
            {"status": _("Publication status: only an editor can bring back a withdrawn record.")},
            code="not_editor",
        )
    if editor and old == Status.REVIEW and new == Status.DRAFT and not (review_note or "").strip():
        raise ValidationError(
            {"review_note": _("Review note: say what needs changing when you send a record back to the curator.")},
            code="note_required",
        )
    if new == Status.WITHDRAWN and not (withdrawal_note or "").strip():
        raise ValidationError(
            {"withdrawal_note": _("Withdrawal note: say why the record is withdrawn; it is shown on its page.")},
            code="note_required",
        )


def stamp_publication(obj) -> None:
    """Record when a record was first published (kept when it is edited or published again)."""
    if getattr(obj, "status", None) == Status.PUBLISHED and getattr(obj, "published_at", False) is None:
        obj.published_at = timezone.now()


def _move(obj, new: str, *, user, reason: str, **fields):
    check_transition(
        user,
        type(obj),
        stored_status(obj),
        new,
        review_note=fields.get("review_note", obj.review_note),
        withdrawal_note=fields.get("withdrawal_note", obj.withdrawal_note),
    )
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.status = new
    stamp_publication(obj)
    obj._history_user = user
    obj._change_reason = reason
    with transaction.atomic():
        obj.save()
    return obj


def submit_for_review(obj, *, user, note: str = ""):
    """A curator hands a draft to the editors, optionally with a note for them."""
    fields = {"review_note": note} if note else {}
    return _move(obj, Status.REVIEW, user=user, reason=str(_("Submitted for review")), **fields)


def publish(obj, *, user):
    """An editor publishes: the record appears on the public site."""
    return _move(obj, Status.PUBLISHED, user=user, reason=str(_("Published")))


def send_back(obj, *, user, note: str):
    """An editor returns a record to draft with a comment for the curator."""
    return _move(obj, Status.DRAFT, user=user, reason=str(_("Sent back to draft")), review_note=note)


def unpublish(obj, *, user):
    """An editor takes a published record off the public site, back to draft (404, not 410)."""
    return _move(obj, Status.DRAFT, user=user, reason=str(_("Unpublished")))


def withdraw(obj, *, user, note: str):
    """An editor withdraws a published record: its address answers 410 Gone with the note."""
    return _move(obj, Status.WITHDRAWN, user=user, reason=str(_("Withdrawn")), withdrawal_note=note)
