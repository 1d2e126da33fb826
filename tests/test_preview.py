"""catalogue.preview: a draft as the public would see it, for staff only."""

from django.urls import reverse

from catalogue import models as m
from tests import factories as f


def test_draft_is_invisible_to_the_public_and_visible_in_preview(
    client, curator_client, db, django_assert_max_num_queries
):
    draft = f.TreatyFactory(title="Secret Draft Treaty", slug="secret-draft", status=m.Status.DRAFT)
    f.ParticipationFactory(treaty=draft, state=f.StateFactory(name="Germany"))

    assert client.get(draft.get_absolute_url()).status_code == 404

    with django_assert_max_num_queries(40):
        response = curator_client.get(reverse("treaty-preview", kwargs={"slug": draft.slug}))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Secret Draft Treaty" in page and "Germany" in page
    assert response.context["is_preview"] is True
    assert [t.name for t in response.templates][0] == "catalogue/treaty_detail.html"


def test_preview_needs_staff_login(client, db):
    draft = f.TreatyFactory(status=m.Status.DRAFT)
    url = reverse("treaty-preview", kwargs={"slug": draft.slug})

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(f.UserFactory(username="reader", is_staff=False))
    assert client.get(url).status_code == 302


def test_preview_shows_a_withdrawn_record(curator_client, db):
    treaty = f.TreatyFactory(title="Withdrawn Treaty", status=m.Status.WITHDRAWN, withdrawal_note="Duplicate")
    response = curator_client.get(reverse("treaty-preview", kwargs={"slug": treaty.slug}))
    assert response.status_code == 200
    assert "Withdrawn Treaty" in response.content.decode()


def test_change_form_links_to_the_preview(curator_client, db):
    draft = f.TreatyFactory(status=m.Status.DRAFT, slug="linked-draft")
    response = curator_client.get(reverse("admin:catalogue_treaty_change", args=[draft.pk]))
    assert reverse("treaty-preview", kwargs={"slug": "linked-draft"}) in response.content.decode()


def test_unknown_slug_is_404(curator_client, db):
    assert curator_client.get(reverse("treaty-preview", kwargs={"slug": "nothing-here"})).status_code == 404
