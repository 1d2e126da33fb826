"""catalogue.history and the admin's history pages: who/when/why, compare, revert, recover, bulk writes."""

import pytest
from django.contrib import admin
from django.urls import reverse

from catalogue import history
from catalogue import models as m
from tests import factories as f
from tests.admin_forms import form_data


def change_url(obj):
    return reverse(f"admin:catalogue_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def treaty(db):
    return f.TreatyFactory(title="Treaty of Berlin", slug="treaty-of-berlin", signed="1926-04-24", status="draft")


def test_admin_edit_records_user_time_and_reason(curator_client, curator, treaty):
    response = curator_client.get(change_url(treaty))
    data = form_data(response, "treaty_form")
    data.update(summary="Neutrality and non-aggression.", change_reason="Summary from LNTS vol. 53")

    response = curator_client.post(change_url(treaty), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    latest = treaty.history.latest()
    assert latest.history_type == "~"
    assert latest.history_user == curator
    assert latest.history_change_reason == "Summary from LNTS vol. 53"
    assert latest.summary == "Neutrality and non-aggression."


def test_inline_changes_carry_the_same_user_and_reason(curator_client, curator, treaty):
    state = f.StateFactory(name="Germany")
    response = curator_client.get(change_url(treaty))
    data = form_data(response, "treaty_form")
    data.update(
        {
            "participations-TOTAL_FORMS": "1",
            "participations-0-state": str(state.pk),
            "participations-0-role": "party",
            "participations-0-position": "0",
            "change_reason": "Parties from the text",
        }
    )

    response = curator_client.post(change_url(treaty), data)

    assert response.status_code == 302
    participation = m.Participation.objects.get(treaty=treaty)
    record = participation.history.get()
    assert (record.history_user, record.history_change_reason) == (curator, "Parties from the text")


def test_history_page_lists_versions_with_user_and_reason(
    curator_client, curator, treaty, django_assert_max_num_queries
):
    treaty.summary = "First summary"
    history.save_with_history(treaty, user=curator, reason="A reason a curator gave")

    with django_assert_max_num_queries(20):
        response = curator_client.get(reverse("admin:catalogue_treaty_history", args=[treaty.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "A reason a curator gave" in page
    assert "curator" in page
    assert page.count('name="from"') == 2  # two versions, each can be compared


def test_compare_shows_each_changed_field_before_and_after(curator_client, curator, treaty):
    first = treaty.history.latest()
    treaty.signed = "1926-04-25"
    treaty.summary = "Changed"
    history.save_with_history(treaty, user=curator)
    second = treaty.history.latest()

    response = curator_client.get(
        reverse("admin:catalogue_treaty_history_compare", args=[treaty.pk]),
        {"from": first.history_id, "to": second.history_id},
    )

    assert response.status_code == 200
    changes = {change.name: (change.old, change.new) for change in response.context["changes"]}
    assert changes["signed"] == ("1926-04-24", "1926-04-25")
    assert changes["summary"] == ("—", "Changed")
    assert "title" not in changes
    page = response.content.decode()
    assert 'data-field="signed"' in page and "1926-04-25" in page


def test_compare_names_the_subjects_added(curator_client, treaty):
    first = treaty.history.latest()
    treaty.subjects.set([f.SubjectFactory(name="Neutrality"), f.SubjectFactory(name="Non-aggression")])
    response = curator_client.get(
        reverse("admin:catalogue_treaty_history_compare", args=[treaty.pk]),
        {"from": first.history_id, "to": treaty.history.latest().history_id},
    )
    changes = {change.name: (change.old, change.new) for change in response.context["changes"]}
    assert changes["subjects"] == ("—", "Neutrality, Non-aggression")


def test_compare_refuses_versions_of_another_record(curator_client, treaty):
    other = f.TreatyFactory()
    response = curator_client.get(
        reverse("admin:catalogue_treaty_history_compare", args=[treaty.pk]),
        {"from": treaty.history.latest().history_id, "to": other.history.latest().history_id},
    )
    assert response.status_code == 404


def test_revert_in_the_admin_restores_every_field(curator_client, curator, treaty):
    place = f.PlaceFactory(name="Berlin")
    subject = f.SubjectFactory(name="Neutrality")
    treaty.place_signed = place
    treaty.summary = "Original summary"
    treaty.duration = "five years"
    treaty.entry_into_force = "1926-06-29"
    treaty.secret = False
    history.save_with_history(treaty, user=curator)
    treaty.subjects.set([subject])
    original = treaty.history.latest()
    fields = [f.attname for f in m.Treaty._meta.concrete_fields if f.name not in ("updated", "search_vector")]
    before = {name: getattr(m.Treaty.objects.get(pk=treaty.pk), name) for name in fields}

    treaty.title = "Wrong title"
    treaty.signed = "1927"
    treaty.summary = "Wrong"
    treaty.duration = ""
    treaty.entry_into_force = ""
    treaty.place_signed = None
    treaty.secret = True
    history.save_with_history(treaty, user=curator, reason="A mistake")
    treaty.subjects.clear()

    revert_url = reverse("admin:catalogue_treaty_simple_history", args=[treaty.pk, original.history_id])
    response = curator_client.get(revert_url)
    assert response.status_code == 200
    data = form_data(response, "historicaltreaty_form")
    response = curator_client.post(revert_url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    treaty = m.Treaty.objects.get(pk=treaty.pk)
    after = {name: getattr(treaty, name) for name in fields}
    assert after == before
    assert list(treaty.subjects.all()) == [subject]
    latest = treaty.history.latest()
    assert latest.history_user == curator
    assert "Reverted to the version of" in latest.history_change_reason


def test_revert_service_restores_fields_and_m2m(curator, treaty):
    subject = f.SubjectFactory()
    treaty.subjects.set([subject])
    version = treaty.history.latest()
    treaty.title, treaty.signed = "Changed", "1930"
    treaty.save()
    treaty.subjects.clear()

    history.revert(treaty, version.history_id, user=curator)

    treaty.refresh_from_db()
    assert (treaty.title, treaty.signed, treaty.signed_earliest.isoformat()) == (
        "Treaty of Berlin",
        "1926-04-24",
        "1926-04-24",
    )
    assert list(treaty.subjects.all()) == [subject]
    assert treaty.history.latest().history_user == curator


@pytest.fixture
def full_treaty(db):
    treaty = f.TreatyFactory(title="Treaty of Berlin", slug="berlin-1926", signed="1926-04-24")
    subject = f.SubjectFactory()
    treaty.subjects.set([subject])
    germany = f.ParticipationFactory(treaty=treaty, state=f.StateFactory(name="Germany"), signed="1926-04-24")
    f.ParticipationFactory(treaty=treaty, state=f.StateFactory(name="Soviet Union"), position=1)
    m.TreatyTitle.objects.create(treaty=treaty, title="Berliner Vertrag", language="de")
    m.Article.objects.create(treaty=treaty, number="1", text="Friendly relations.")
    protocol = f.ProtocolFactory(treaty=treaty, signed="1931-06-24")
    f.RegistrationFactory(treaty=None, protocol=protocol, series=f.TreatySeriesFactory(), registered="1933-05-05")
    f.RegistrationFactory(treaty=treaty, series=f.TreatySeriesFactory(name="Martens", abbreviation="NRG", slug="nrg"))
    f.CitationFactory(treaty=treaty, locator="p. 1")
    f.CitationFactory(treaty=None, participation=germany, locator="p. 2")
    f.CitationFactory(treaty=None, protocol=protocol, locator="p. 3")
    f.EventFactory(treaty=treaty, title="Signature")
    other = f.TreatyFactory(title="Treaty of Rapallo")
    m.TreatyRelation.objects.create(subject=treaty, kind="reaffirms", object=other)
    return treaty


def snapshot(treaty_pk):
    """Every part of a treaty, by model, as (pk, field values) — to compare before and after."""
    parts = {
        m.Treaty: m.Treaty.objects.filter(pk=treaty_pk),
        m.Participation: m.Participation.objects.filter(treaty_id=treaty_pk),
        m.TreatyTitle: m.TreatyTitle.objects.filter(treaty_id=treaty_pk),
        m.Article: m.Article.objects.filter(treaty_id=treaty_pk),
        m.Protocol: m.Protocol.objects.filter(treaty_id=treaty_pk),
        m.Registration: m.Registration.objects.filter(treaty_id=treaty_pk)
        | m.Registration.objects.filter(protocol__treaty_id=treaty_pk),
        m.Citation: m.Citation.objects.filter(treaty_id=treaty_pk)
        | m.Citation.objects.filter(participation__treaty_id=treaty_pk)
        | m.Citation.objects.filter(protocol__treaty_id=treaty_pk),
        m.Event: m.Event.objects.filter(treaty_id=treaty_pk),
        m.TreatyRelation: m.TreatyRelation.objects.filter(subject_id=treaty_pk),
    }
    skip = {"updated", "search_vector", "search_document"}
    return {
        model.__name__: sorted(
            tuple((f.attname, getattr(obj, f.attname)) for f in model._meta.concrete_fields if f.attname not in skip)
            for obj in queryset
        )
        for model, queryset in parts.items()
    }


def test_deleted_treaty_is_recovered_with_its_inlines_in_the_admin(client, superuser, full_treaty):
    client.force_login(superuser)
    before = snapshot(full_treaty.pk)
    subjects = list(full_treaty.subjects.all())
    assert all(before.values())

    response = client.post(reverse("admin:catalogue_treaty_delete", args=[full_treaty.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not m.Treaty.objects.filter(pk=full_treaty.pk).exists()
    assert not any(snapshot(full_treaty.pk).values())

    listing = client.get(reverse("admin:catalogue_treaty_recover_list"))
    version = listing.context["versions"][0]
    assert version.id == full_treaty.pk
    confirm = client.get(reverse("admin:catalogue_treaty_recover", args=[version.history_id]))
    assert confirm.status_code == 200
    assert confirm.context["counts"]["participations"] == 2

    response = client.post(
        reverse("admin:catalogue_treaty_recover", args=[version.history_id]), {"change_reason": "Deleted by mistake"}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(full_treaty)
    assert snapshot(full_treaty.pk) == before
    treaty = m.Treaty.objects.get(pk=full_treaty.pk)
    assert list(treaty.subjects.all()) == subjects
    recovered = treaty.history.filter(history_type="+").latest()
    assert (recovered.history_user, recovered.history_change_reason) == (superuser, "Deleted by mistake")
    for participation in treaty.participations.all():
        latest = participation.history.latest()
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
            "+",
            superuser,
            "Deleted by mistake",
        )


def test_recovery_skips_a_part_whose_other_end_is_gone(superuser, full_treaty):
    rapallo = m.Treaty.objects.get(title="Treaty of Rapallo")
    pk = full_treaty.pk
    full_treaty.delete()
    rapallo.delete()
    version = history.deleted_versions(m.Treaty).get(id=pk)

    result = history.recover(m.Treaty, version.history_id, user=superuser)

    assert m.Treaty.objects.filter(pk=pk).exists()
    assert not m.TreatyRelation.objects.exists()
    assert [row.instance_type for row, _why in result.skipped] == [m.TreatyRelation]
    assert m.Participation.objects.filter(treaty_id=pk).count() == 2


def test_recovering_a_record_that_exists_is_refused(superuser, treaty):
    from django.core.exceptions import ValidationError

    pk = treaty.pk
    treaty.delete()
    version = m.Treaty.history.filter(id=pk, history_type="-").get()
    history.recover(m.Treaty, version.history_id, user=superuser)
    with pytest.raises(ValidationError):
        history.recover(m.Treaty, version.history_id, user=superuser)


def test_only_superusers_recover(curator_client, treaty):
    treaty.delete()
    version = m.Treaty.history.get(history_type="-")
    assert curator_client.get(reverse("admin:catalogue_treaty_recover_list")).status_code == 403
    response = curator_client.post(reverse("admin:catalogue_treaty_recover", args=[version.history_id]))
    assert response.status_code == 403
    assert not m.Treaty.objects.exists()


def test_an_import_writes_history_with_user_and_reason(curator):
    kind = f.TreatyKindFactory()
    treaties = [
        m.Treaty(title=f"Imported {i}", slug=f"imported-{i}", kind=kind, signed=f"1920-01-0{i + 1}") for i in range(3)
    ]

    created = history.bulk_create_with_history(treaties, user=curator, reason="ATOP import")

    assert len(created) == 3
    for treaty in m.Treaty.objects.filter(slug__startswith="imported-"):
        record = treaty.history.get()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            curator,
            "ATOP import",
        )
        assert treaty.signed_earliest is not None

    for treaty in created:
        treaty.summary = "From the import"
    stored = list(m.Treaty.objects.filter(slug__startswith="imported-"))
    for treaty in stored:
        treaty.summary = "From the import"
    history.bulk_update_with_history(stored, ["summary"], user=curator, reason="ATOP update")

    for treaty in m.Treaty.objects.filter(slug__startswith="imported-"):
        latest = treaty.history.latest()
        assert (latest.history_type, latest.summary, latest.history_change_reason) == (
            "~",
            "From the import",
            "ATOP update",
        )


def test_bulk_helpers_accept_nothing():
    assert history.bulk_create_with_history([]) == []
    assert history.bulk_update_with_history([], ["title"]) == 0


@pytest.mark.parametrize(
    "model", [model for model in m.__dict__.values() if isinstance(model, type) and model in admin.site._registry]
)
def test_every_admin_form_asks_why_and_every_model_can_be_recovered(client, superuser, model):
    client.force_login(superuser)
    info = f"admin:catalogue_{model._meta.model_name}"
    add_page = client.get(reverse(f"{info}_add"))
    assert add_page.status_code == 200
    assert 'name="change_reason"' in add_page.content.decode()
    assert client.get(reverse(f"{info}_recover_list")).status_code == 200


def test_compare_and_recover_pages_run_few_queries(client, superuser, full_treaty, django_assert_max_num_queries):
    client.force_login(superuser)
    first = full_treaty.history.earliest()
    full_treaty.summary = "Changed"
    full_treaty.save()
    url = reverse("admin:catalogue_treaty_history_compare", args=[full_treaty.pk])
    with django_assert_max_num_queries(15):
        assert (
            client.get(url, {"from": first.history_id, "to": full_treaty.history.latest().history_id}).status_code
            == 200
        )
    pk = full_treaty.pk
    full_treaty.delete()
    with django_assert_max_num_queries(15):
        listing = client.get(reverse("admin:catalogue_treaty_recover_list"))
    assert [version.id for version in listing.context["versions"]] == [pk]
    with django_assert_max_num_queries(60):
        confirm = client.get(
            reverse("admin:catalogue_treaty_recover", args=[listing.context["versions"][0].history_id])
        )
    assert confirm.status_code == 200


#: The parent keys each big record's history table keeps indexed (a recovery of a deleted parent looks them up).
HISTORY_PARENTS = {
    m.Treaty: set(),
    m.Participation: {"treaty_id"},
    m.Protocol: {"treaty_id"},
    m.Registration: {"treaty_id", "protocol_id"},
    m.Event: {"treaty_id"},
    m.Citation: {"treaty_id", "protocol_id", "registration_id", "event_id", "relation_id", "participation_id"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(HISTORY_PARENTS), ids=lambda model: model.__name__)
def test_history_tables_index_what_history_reads(model):
    """The record's id, the version's date and user, the parents a recovery looks up; no slug, status or references."""
    from django.db import connection

    table = model.history.model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {column for c in constraints.values() if c["index"] and not c["primary_key"] for column in c["columns"]}
    assert indexed == {"id", "history_date", "history_user_id", *HISTORY_PARENTS[model]}
    for _child, fk in history._history_parts(model):  # every part's history is found by this record's key
        child_table = fk.model.history.model._meta.db_table
        with connection.cursor() as cursor:
            child = connection.introspection.get_constraints(cursor, child_table)
        assert any(c["index"] and c["columns"] == [fk.column] for c in child.values()), (child_table, fk.column)
