"""Possible duplicates pointed out before saving (catalogue.forms.possible_duplicates), with "save anyway"."""

import pytest
from django.db import connection
from django.urls import reverse

from catalogue import forms
from catalogue import models as m
from tests import factories as f
from tests.admin_forms import form_data


@pytest.fixture
def berlin(db):
    treaty = f.TreatyFactory(title="Treaty of Berlin", slug="treaty-of-berlin", signed="1926-04-24")
    treaty.germany = f.StateFactory(name="Germany")
    treaty.ussr = f.StateFactory(name="Soviet Union")
    f.ParticipationFactory(treaty=treaty, state=treaty.germany)
    f.ParticipationFactory(treaty=treaty, state=treaty.ussr)
    return treaty


def test_same_kind_parties_and_date_is_a_possible_duplicate(berlin):
    found = forms.possible_duplicates(
        title="Neutrality Pact",
        kind=berlin.kind,
        signed="1926-04-24",
        party_ids={berlin.germany.pk, berlin.ussr.pk},
    )
    assert [(treaty, reason) for treaty, reason in found] == [
        (berlin, "same kind, same parties and same date of signature")
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"signed": "1926-04-25"},
        {"party_ids": "only one"},
        {"kind": "other"},
    ],
)
def test_a_different_date_party_or_kind_is_not_a_duplicate(berlin, changes):
    arguments = {
        "title": "Neutrality Pact",
        "kind": berlin.kind,
        "signed": "1926-04-24",
        "party_ids": {berlin.germany.pk, berlin.ussr.pk},
    }
    if "signed" in changes:
        arguments["signed"] = changes["signed"]
    if "party_ids" in changes:
        arguments["party_ids"] = {berlin.germany.pk}
    if "kind" in changes:
        arguments["kind"] = f.TreatyKindFactory(name="Pact", slug="pact")
    assert forms.possible_duplicates(**arguments) == []


@pytest.mark.parametrize("title", ["The Treaty of Berlin", "Treaty of Berlin.", "treaty of berlin"])
def test_a_very_similar_title_is_a_possible_duplicate(berlin, title):
    found = forms.possible_duplicates(title=title, kind=None, signed="", party_ids=set())
    assert found == [(berlin, "a very similar title")]


@pytest.mark.parametrize("title", ["Treaty of Rapallo", "Pact of Non-Aggression"])
def test_a_different_title_is_not(berlin, title):
    assert forms.possible_duplicates(title=title, kind=None, signed="", party_ids=set()) == []


def test_the_record_itself_is_not_its_own_duplicate(berlin):
    found = forms.possible_duplicates(
        title=berlin.title,
        kind=berlin.kind,
        signed=berlin.signed,
        party_ids={berlin.germany.pk, berlin.ussr.pk},
        exclude_pk=berlin.pk,
    )
    assert found == []


def test_postgresql_ranks_titles_by_trigram_similarity(db):
    assert forms._trigram_available() is (connection.vendor == "postgresql")


def add_page_data(client, berlin, **changes):
    data = form_data(client.get(reverse("admin:catalogue_treaty_add")), "treaty_form")
    data.update(
        {
            "title": "Neutrality Treaty between Germany and the USSR",
            "slug": "berlin-again",
            "kind": str(berlin.kind.pk),
            "signed": "1926-04-24",
            "status": "draft",
            "participations-TOTAL_FORMS": "2",
            "participations-0-state": str(berlin.germany.pk),
            "participations-0-role": "party",
            "participations-0-position": "0",
            "participations-1-state": str(berlin.ussr.pk),
            "participations-1-role": "party",
            "participations-1-position": "1",
        }
    )
    data.update(changes)
    return data


def test_admin_points_out_the_duplicate_with_a_link_and_saves_nothing(curator_client, berlin):
    response = curator_client.post(reverse("admin:catalogue_treaty_add"), add_page_data(curator_client, berlin))

    assert response.status_code == 200
    page = response.content.decode()
    assert "This may be a treaty that is already in the catalogue" in page
    assert f'href="{reverse("admin:catalogue_treaty_change", args=[berlin.pk])}"' in page
    assert "save_anyway" in response.context["adminform"].form.errors
    assert not m.Treaty.objects.filter(slug="berlin-again").exists()


def test_curator_may_save_anyway(curator_client, berlin):
    data = add_page_data(curator_client, berlin, save_anyway="on")
    response = curator_client.post(reverse("admin:catalogue_treaty_add"), data)
    assert response.status_code == 302
    assert m.Treaty.objects.get(slug="berlin-again").participations.count() == 2


def test_party_rows_marked_for_deletion_do_not_count(client, superuser, berlin):
    client.force_login(superuser)  # only superusers see the delete boxes
    data = add_page_data(client, berlin, **{"participations-1-DELETE": "on"})
    response = client.post(reverse("admin:catalogue_treaty_add"), data)
    assert response.status_code == 302
    assert m.Treaty.objects.get(slug="berlin-again").participations.count() == 1


def test_editing_other_fields_of_a_record_does_not_warn_again(curator_client, berlin):
    f.TreatyFactory(title="Treaty of Berlin (copy)", slug="copy")
    url = reverse("admin:catalogue_treaty_change", args=[berlin.pk])
    data = form_data(curator_client.get(url), "treaty_form")
    data["summary"] = "Neutrality."
    assert curator_client.post(url, data).status_code == 302
