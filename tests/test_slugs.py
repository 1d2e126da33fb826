"""Permanent addresses: old slugs are recorded, redirect (301), and are never given to another record."""

import pytest
from django.core.exceptions import ValidationError

from catalogue import models as m
from catalogue import slugs
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_changing_a_treaty_slug_records_the_old_one():
    treaty = f.TreatyFactory(slug="old-address")
    treaty.slug = "new-address"
    treaty.save()
    assert list(m.OldSlug.objects.filter(treaty=treaty).values_list("slug", flat=True)) == ["old-address"]
    assert slugs.resolve(m.Treaty, "old-address") == treaty


def test_saving_without_a_slug_change_records_nothing():
    treaty = f.TreatyFactory(slug="stays")
    treaty.title = "New title"
    treaty.save()
    assert not m.OldSlug.objects.exists()


def test_successive_changes_keep_every_old_address_redirecting_to_the_newest(client):
    treaty = f.TreatyFactory(slug="first")
    for slug in ("second", "third"):
        treaty.slug = slug
        treaty.save()
    for old in ("first", "second"):
        response = client.get(f"/treaties/{old}/?page=1")
        assert response.status_code == 301
        assert response["Location"] == "/treaties/third/?page=1"


def test_taking_back_an_own_old_slug_makes_it_current_again(client):
    treaty = f.TreatyFactory(slug="a")
    treaty.slug = "b"
    treaty.save()
    treaty.slug = "a"
    treaty.save()
    assert list(m.OldSlug.objects.values_list("slug", flat=True)) == ["b"]
    assert client.get("/treaties/a/").status_code == 200
    assert client.get("/treaties/b/")["Location"] == "/treaties/a/"


def test_a_new_record_may_not_take_a_retired_slug():
    treaty = f.TreatyFactory(slug="retired")
    treaty.slug = "current"
    treaty.save()
    with pytest.raises(ValidationError) as error:
        f.TreatyFactory(slug="retired")
    assert "retired" in str(error.value) and "reserved" in str(error.value)
    with pytest.raises(ValidationError):
        slugs.check_available(m.Treaty, "retired")
    slugs.check_available(m.Treaty, "retired", instance_pk=treaty.pk)  # its own old slug is fine


def test_protocol_slugs_are_tracked_separately(client):
    protocol = f.ProtocolFactory(slug="p-old")
    protocol.slug = "p-new"
    protocol.save()
    assert m.OldSlug.objects.get(protocol=protocol).slug == "p-old"
    response = client.get("/protocols/p-old/")
    assert response.status_code == 301 and response["Location"] == "/protocols/p-new/"
    f.TreatyFactory(slug="p-old")  # a treaty may use an old protocol address: different URL space


def test_old_slug_of_a_draft_is_a_404_and_of_a_withdrawn_record_leads_to_410(client):
    draft = f.TreatyFactory(slug="d1", status=m.Status.DRAFT)
    draft.slug = "d2"
    draft.save()
    assert client.get("/treaties/d1/").status_code == 404
    gone = f.TreatyFactory(slug="w1", status=m.Status.WITHDRAWN)
    gone.slug = "w2"
    gone.save()
    response = client.get("/treaties/w1/", follow=True)
    assert response.redirect_chain == [("/treaties/w2/", 301)]
    assert response.status_code == 410


def test_unknown_slug_is_a_404(client):
    assert client.get("/treaties/never-existed/").status_code == 404
    assert client.get("/protocols/never-existed/").status_code == 404
