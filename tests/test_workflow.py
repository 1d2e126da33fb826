"""catalogue.workflow: draft → review → published (→ withdrawn), through the services and the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue import models as m
from catalogue import workflow
from tests import factories as f
from tests.admin_forms import form_data


@pytest.fixture
def editor(db):
    return f.UserFactory(username="editor", is_staff=True, groups=["Editors"])


@pytest.fixture
def editor_client(editor):
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def draft(db):
    return f.TreatyFactory(title="Treaty of Berlin", slug="treaty-of-berlin", status=m.Status.DRAFT)


def change_url(obj):
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


def post_change(client, obj, **changes):
    data = form_data(client.get(change_url(obj)), f"{obj._meta.model_name}_form")
    data.update(changes)
    return client.post(change_url(obj), data)


def test_curator_submits_and_editor_publishes(curator, editor, draft):
    workflow.submit_for_review(draft, user=curator, note="Ready: dates checked against LNTS")
    draft.refresh_from_db()
    assert (draft.status, draft.review_note) == ("review", "Ready: dates checked against LNTS")

    workflow.publish(draft, user=editor)

    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    latest = draft.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Published")


def test_curator_cannot_publish_or_withdraw(curator, draft):
    with pytest.raises(ValidationError) as error:
        workflow.publish(draft, user=curator)
    assert "only an editor" in error.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        workflow.withdraw(draft, user=curator, note="Duplicate")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_editor_sends_back_only_with_a_comment(editor, draft):
    draft.status = m.Status.REVIEW
    draft.save()
    with pytest.raises(ValidationError) as error:
        workflow.send_back(draft, user=editor, note="  ")
    assert "review_note" in error.value.message_dict

    workflow.send_back(draft, user=editor, note="The date of signature needs a source.")

    draft.refresh_from_db()
    assert (draft.status, draft.review_note) == ("draft", "The date of signature needs a source.")


def test_withdrawing_needs_a_note(editor, db):
    treaty = f.TreatyFactory(status=m.Status.PUBLISHED)
    with pytest.raises(ValidationError) as error:
        workflow.withdraw(treaty, user=editor, note="")
    assert "withdrawal_note" in error.value.message_dict
    workflow.withdraw(treaty, user=editor, note="A duplicate of the Treaty of Berlin.")
    treaty.refresh_from_db()
    assert (treaty.status, treaty.withdrawal_note) == ("withdrawn", "A duplicate of the Treaty of Berlin.")


def test_curator_form_refuses_publishing_with_a_field_error(curator_client, draft):
    response = post_change(curator_client, draft, status="published")

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "only an editor can publish" in errors["status"][0]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_curator_form_submits_for_review(curator_client, draft):
    response = post_change(curator_client, draft, status="review", review_note="Please check")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "review"


def test_editor_form_publishes_and_sends_back(editor_client, draft):
    draft.status = m.Status.REVIEW
    draft.save()
    response = post_change(editor_client, draft, status="draft", review_note="")
    assert "review_note" in response.context["adminform"].form.errors

    response = post_change(editor_client, draft, status="published")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"


def test_editing_a_published_record_goes_live_and_is_in_the_history(curator_client, curator, db):
    treaty = f.TreatyFactory(status=m.Status.PUBLISHED, summary="Old")
    response = post_change(curator_client, treaty, summary="Corrected", change_reason="Typo")
    assert response.status_code == 302
    treaty.refresh_from_db()
    assert (treaty.status, treaty.summary) == ("published", "Corrected")
    assert treaty.history.latest().history_change_reason == "Typo"


def test_curator_moves_a_published_record_back_to_review(curator_client, db):
    treaty = f.TreatyFactory(status=m.Status.PUBLISHED)
    response = post_change(curator_client, treaty, status="review")
    assert response.status_code == 302
    treaty.refresh_from_db()
    assert treaty.status == "review"


def test_curator_cannot_publish_a_protocol_inline(curator_client, draft):
    data = form_data(curator_client.get(change_url(draft)), "treaty_form")
    data.update(
        {
            "protocols-TOTAL_FORMS": "1",
            "protocols-0-title": "Protocol of 1931",
            "protocols-0-slug": "protocol-1931",
            "protocols-0-kind": "prolongation",
            "protocols-0-signed": "1931-06-24",
            "protocols-0-status": "published",
        }
    )
    response = curator_client.post(change_url(draft), data)
    assert response.status_code == 200
    formset = next(fs for fs in response.context["inline_admin_formsets"] if fs.formset.prefix == "protocols")
    assert "only an editor" in formset.formset.forms[0].errors["status"][0]
    assert not m.Protocol.objects.exists()


def test_publish_action_is_only_offered_to_editors(curator_client, editor_client, draft):
    url = reverse("admin:catalogue_treaty_changelist")
    curator_actions = dict(curator_client.get(url).context["action_form"].fields["action"].choices)
    editor_actions = dict(editor_client.get(url).context["action_form"].fields["action"].choices)
    assert "submit_for_review" in curator_actions and "publish" not in curator_actions
    assert "publish" in editor_actions

    editor_client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "published"


def test_submit_action_moves_drafts_to_review(curator_client, draft):
    curator_client.post(
        reverse("admin:catalogue_treaty_changelist"), {"action": "submit_for_review", "_selected_action": [draft.pk]}
    )
    draft.refresh_from_db()
    assert draft.status == "review"


def test_public_sees_only_published_and_withdrawn_answers_410(client, editor, db):
    draft = f.TreatyFactory(status=m.Status.DRAFT)
    published = f.TreatyFactory(status=m.Status.PUBLISHED)
    withdrawn = f.TreatyFactory(status=m.Status.PUBLISHED)
    workflow.withdraw(withdrawn, user=editor, note="Entered twice; see the Treaty of Berlin.")

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(published.get_absolute_url()).status_code == 200
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410
    assert "Entered twice; see the Treaty of Berlin." in response.content.decode()
