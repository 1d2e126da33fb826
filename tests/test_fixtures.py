"""The shipped demo catalogue (fixtures/treaty_of_berlin.json): it loads, it is complete, every fact is cited.

The rules come from the demo brief (FACTS.md): every dated fact carries a
citation, what no source gives stays blank, and where sources disagree both
claims are kept with their sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from catalogue import dates
from catalogue import models as m
from catalogue.dates import EDTFField

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "treaty_of_berlin.json"
BERLIN = "treaty-of-berlin-1926"

#: For each citable model: how to find the citations of one of its records.
CITATION_LOOKUP = {
    m.Treaty: "treaty",
    m.Protocol: "protocol",
    m.Registration: "registration",
    m.Event: "event",
    m.TreatyRelation: "relation",
    m.Participation: "participation",
}


def catalogue_models():
    return [
        model for model in apps.get_app_config("catalogue").get_models() if not model.__name__.startswith("Historical")
    ]


def edtf_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, EDTFField)]


def test_fixture_uses_natural_keys_and_no_primary_keys():
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert records, "the fixture is empty"
    assert [r for r in records if "pk" in r] == []
    # Foreign keys are natural keys (lists), never bare primary keys.
    for record in records:
        model = apps.get_model(record["model"])
        for field in model._meta.concrete_fields:
            if field.is_relation and record["fields"].get(field.name) is not None:
                assert isinstance(record["fields"][field.name], list), (record["model"], field.name)


def test_loads_into_an_empty_database():
    assert m.Treaty.objects.count() == 0
    call_command("loaddata", "treaty_of_berlin", verbosity=0)
    records = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for label in {r["model"] for r in records}:
        model = apps.get_model(label)
        expected = sum(1 for r in records if r["model"] == label)
        assert model._default_manager.count() == expected, label


def test_the_treaty_of_berlin(demo):
    berlin = m.Treaty.objects.get(slug=BERLIN)
    assert berlin.title == "Treaty of Berlin (1926)"
    assert berlin.is_public
    assert berlin.signed == "1926-04-24"
    assert berlin.ratifications_exchanged == berlin.entry_into_force == "1926-06-29"
    assert berlin.place_signed.slug == berlin.ratifications_place.slug == "berlin"
    assert berlin.duration == "five years"
    assert sorted(berlin.participations.values_list("state__code", flat=True)) == ["DEU-WEIMAR", "SUN"]
    assert berlin.protocols.count() == 1
    assert list(berlin.articles.values_list("number", flat=True)) == ["1", "2", "3", "4"]
    titles = set(berlin.titles.values_list("title", "language"))
    assert {("Berliner Vertrag", "de"), ("Берлинский договор", "ru")} <= titles
    assert ("German–Soviet Neutrality and Nonaggression Pact", "en") in titles
    # Nothing that no source gives: no LNTS number, volume or pages.
    assert list(berlin.relations_from.values_list("kind", "object__slug").order_by("kind")) == [
        ("compared_with", "reinsurance-treaty-1887"),
        ("reaffirms", "treaty-of-rapallo-1922"),
    ]


def test_two_registrations_one_of_the_treaty_one_of_its_protocol(demo):
    berlin = m.Treaty.objects.get(slug=BERLIN)
    protocol = berlin.protocols.get()
    registrations = m.Registration.objects.filter(treaty=berlin) | m.Registration.objects.filter(protocol=protocol)
    by_instrument = {(r.treaty_id, r.protocol_id): r for r in registrations}
    assert set(by_instrument) == {(berlin.pk, None), (None, protocol.pk)}
    assert by_instrument[(berlin.pk, None)].registered == "1926-08-03"
    assert by_instrument[(None, protocol.pk)].registered == "1935-02-15"
    for registration in registrations:
        assert registration.series.abbreviation == "LNTS"
        assert (registration.number, registration.volume, registration.first_page) == ("", None, None)


def test_the_protocol_prolongs_and_the_sources_disagree_on_how_long(demo):
    protocol = m.Protocol.objects.get(treaty__slug=BERLIN)
    assert (protocol.signed, protocol.ratified, protocol.effect) == ("1931-06-24", "1933-05-05", "prolongs")
    assert protocol.prolongation == ""  # the sources disagree: both claims are cited instead
    claims = list(protocol.citations.filter(fact="prolongation").select_related("source"))
    assert len(claims) == 2
    assert len({c.source_id for c in claims}) == 2
    assert {c.claim for c in claims} == {
        "three years",
        "indefinitely, terminable by either party but not before 30 June 1933",
    }
    assert all(c.claim for c in claims)


def test_every_dated_fact_of_every_record_is_cited(demo):
    checked = 0
    for model in catalogue_models():
        fields = edtf_fields(model)
        if not fields:
            continue
        for obj in model._default_manager.all():
            for field in fields:
                if not getattr(obj, field.attname):
                    continue
                assert model in CITATION_LOOKUP, f"{model.__name__}.{field.name} is set but cannot be cited: {obj}"
                cited = m.Citation.objects.filter(**{CITATION_LOOKUP[model]: obj, "fact": field.name})
                assert cited.exists(), f"{model.__name__} “{obj}”: {field.name} has no citation"
                checked += 1
    assert checked >= 30  # the demo has dozens of dated facts; an empty loop proves nothing


def test_every_citation_names_a_fact_of_its_record(demo):
    for citation in m.Citation.objects.all():
        citation.full_clean()  # raises if the fact is not one of the target's citable facts


def test_every_record_passes_model_validation(demo):
    for model in catalogue_models():
        for obj in model._default_manager.all():
            obj.full_clean()


def test_one_draft_shows_the_workflow_and_nothing_public_depends_on_it(demo):
    drafts = list(m.Treaty.objects.exclude(status=m.Status.PUBLISHED))
    assert [(t.slug, t.status) for t in drafts] == [("locarno-treaties-1925", m.Status.DRAFT)]
    assert drafts[0].review_note
    assert m.Protocol.objects.exclude(status=m.Status.PUBLISHED).count() == 0
    berlin = m.Treaty.objects.get(slug=BERLIN)
    assert not berlin.relations_from.filter(object__status=m.Status.DRAFT).exists()
    assert not berlin.relations_to.filter(subject__status=m.Status.DRAFT).exists()


def test_edtf_bounds_are_filled_after_loaddata(demo):
    checked = 0
    for model in catalogue_models():
        for field in edtf_fields(model):
            for obj in model._default_manager.exclude(**{field.attname: ""}):
                expected = dates.bounds(getattr(obj, field.attname))
                assert getattr(obj, field.earliest_attname) == expected.earliest, (obj, field.name)
                assert getattr(obj, field.latest_attname) == expected.latest, (obj, field.name)
                checked += 1
    assert checked >= 30
    # Sorting by the derived bounds puts the demo treaties in historical order.
    assert list(m.Treaty.objects.order_by("signed_earliest").values_list("slug", flat=True)) == [
        "reinsurance-treaty-1887",
        "treaty-of-brest-litovsk-1918",
        "treaty-of-versailles-1919",
        "treaty-of-rapallo-1922",
        "locarno-treaties-1925",
        BERLIN,
    ]


def test_nothing_that_no_source_gives(demo):
    assert not m.Place.objects.filter(latitude__isnull=False).exists()
    assert not m.Person.objects.exclude(born="").exists()
    assert not m.Person.objects.exclude(died="").exists()
    assert not m.State.objects.exclude(wikidata_id="").exists()
    assert not m.Source.objects.filter(accessed__isnull=False, url="").exists()
    muench = m.Source.objects.get(isbn="3-11-003933-8")
    assert muench.citations.filter(locator="p. 42").exists()
