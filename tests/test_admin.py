"""The curators' admin: every page renders for a curator in a bounded number of queries;
anonymous users are sent to the login; curators cannot delete; scans get a thumbnail."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from catalogue import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "catalogue"]

#: Query ceilings per page (changelist, add, change), measured on the demo catalogue (the same on
#: SQLite and PostgreSQL) and kept tight. Change pages are measured on the richest demo records
#: (RICHEST); inline rows cost no query each (see test_inline_rows_cost_no_query_each).
MAX_QUERIES = {
    "state": (7, 4, 8),
    "place": (8, 4, 5),
    "person": (7, 4, 5),
    "treatykind": (7, 4, 5),
    "subject": (7, 4, 5),
    "treatyseries": (7, 4, 5),
    "source": (7, 4, 5),
    "treaty": (11, 5, 29),
    "protocol": (9, 5, 14),
    "registration": (10, 5, 11),
    "participation": (7, 4, 11),
    "event": (9, 4, 9),
    "treatyrelation": (7, 4, 11),
    "citation": (11, 4, 8),
    "personrole": (7, 4, 9),
    "scan": (7, 4, 6),
    "article": (7, 4, 6),
    "treatytitle": (7, 4, 6),
    "statename": (7, 4, 6),
}


def png_bytes(size=(640, 480), color=(200, 180, 140)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def scan(demo):
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin-1926")
    return m.Scan.objects.create(
        treaty=treaty,
        image=SimpleUploadedFile("page-1.png", png_bytes(), content_type="image/png"),
        caption="First page",
    )


#: The change page is measured on the demo's richest records, where inlines hold the most rows.
RICHEST = {
    m.Treaty: {"slug": "treaty-of-berlin-1926"},
    m.Protocol: {"slug": "treaty-of-berlin-1926-additional-protocol-1931"},
    m.State: {"code": "SUN"},
}


def an_object(model, scan):
    """An object of ``model`` from the demo catalogue (or the scan made for the test)."""
    if model is m.Scan:
        return scan
    if model in RICHEST:
        return model._default_manager.get(**RICHEST[model])
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the demo catalogue has no {model.__name__}"
    return obj


def url(model, page, *args):
    return reverse(f"admin:catalogue_{model._meta.model_name}_{page}", args=args)


def test_every_catalogue_model_has_query_ceilings():
    assert {model._meta.model_name for model in MODELS} == set(MAX_QUERIES)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_renders_for_a_curator(curator_client, scan, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES[model._meta.model_name][0]):
        response = curator_client.get(url(model, "changelist"))
    assert response.status_code == 200
    first = model._default_manager.first()
    assert url(model, "change", first.pk) in response.content.decode()


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_add_page_renders_for_a_curator(curator_client, scan, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES[model._meta.model_name][1]):
        response = curator_client.get(url(model, "add"))
    assert response.status_code == 200
    assert b'name="change_reason"' in response.content


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_change_page_renders_for_a_curator(curator_client, scan, model, django_assert_max_num_queries):
    obj = an_object(model, scan)
    with django_assert_max_num_queries(MAX_QUERIES[model._meta.model_name][2]):
        response = curator_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200
    assert b'name="change_reason"' in response.content


def test_inline_rows_cost_no_query_each(curator_client, demo):
    """The Treaty of Berlin's page runs as many queries with ten more citations and parties:
    row labels are joined and autocomplete labels fetched once per field, not once per row."""
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin-1926")
    change = url(m.Treaty, "change", treaty.pk)
    curator_client.get(change)  # warm the per-process caches (content types, templates)
    with CaptureQueriesContext(connection) as before:
        assert curator_client.get(change).status_code == 200
    for n in range(10):
        f.CitationFactory(treaty=treaty, source=f.SourceFactory(title=f"Extra source {n}"), fact="signed")
        f.ParticipationFactory(treaty=treaty, state=f.StateFactory(name=f"Extra state {n}"))
    with CaptureQueriesContext(connection) as after:
        response = curator_client.get(change)
    assert response.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    # The labels are still there, selected in each row.
    page = response.content.decode()
    assert "Extra source 9" in page and "Extra state 9" in page
    assert len(re.findall(r"<option value=\"\d+\" selected>[^<]*Extra source", page)) == 10


@pytest.mark.parametrize("page", ["changelist", "add"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_anonymous_users_are_sent_to_the_login(client, model, page):
    target = url(model, page)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={target}"


def test_staff_without_the_curator_group_see_nothing(client):
    user = f.UserFactory(username="staff-only", is_staff=True)
    client.force_login(user)
    assert client.get(url(m.Treaty, "changelist")).status_code == 403


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_a_curator_cannot_delete(curator_client, curator, scan, model):
    obj = an_object(model, scan)
    assert not curator.has_perm(f"catalogue.delete_{model._meta.model_name}")
    response = curator_client.get(url(model, "delete", obj.pk))
    assert response.status_code == 403
    response = curator_client.post(url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_the_change_page_offers_no_delete_link_to_a_curator(curator_client, demo):
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin-1926")
    response = curator_client.get(url(m.Treaty, "change", treaty.pk))
    assert url(m.Treaty, "delete", treaty.pk).encode() not in response.content


def test_a_curator_cannot_bulk_delete_from_the_changelist(curator_client, demo):
    response = curator_client.get(url(m.Place, "changelist"))
    assert b'value="delete_selected"' not in response.content
    place = m.Place.objects.get(slug="moscow")
    response = curator_client.post(
        url(m.Place, "changelist"), {"action": "delete_selected", "_selected_action": [place.pk], "post": "yes"}
    )
    assert m.Place.objects.filter(pk=place.pk).exists()


# --------------------------------------------------------------------------
# Scans
# --------------------------------------------------------------------------


def scan_form(treaty, upload) -> dict:
    return {
        "treaty": treaty.pk,
        "protocol": "",
        "image": upload,
        "caption": "The first page of the treaty",
        "alt_text": "Typed text of the treaty",
        "page": "p. 1",
        "credit": "",
        "rights": "",
        "position": "0",
        "change_reason": "Scan added",
    }


def test_uploading_an_image_makes_a_thumbnail(curator_client, demo):
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin-1926")
    upload = SimpleUploadedFile("berlin-page-1.png", png_bytes((1200, 900)), content_type="image/png")
    response = curator_client.post(url(m.Scan, "add"), scan_form(treaty, upload))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    scan = m.Scan.objects.get(treaty=treaty)
    assert (scan.width, scan.height) == (1200, 900)
    assert scan.thumbnail
    with scan.thumbnail.open("rb") as handle, Image.open(handle) as thumbnail:
        assert max(thumbnail.size) <= 240
        assert thumbnail.size[0] > thumbnail.size[1]  # the proportions are kept
    assert scan.history.first().history_change_reason == "Scan added"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.png", b"This is not an image at all.\n"),
        ("page.png", b"<html><script>alert(1)</script></html>"),
        ("truncated.png", png_bytes()[:200]),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_with_a_form_error(curator_client, demo, name, content):
    treaty = m.Treaty.objects.get(slug="treaty-of-berlin-1926")
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = curator_client.post(url(m.Scan, "add"), scan_form(treaty, upload))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "image" in errors
    assert errors["image"][0]
    assert not m.Scan.objects.exists()
