"""The data model's rules: each bad record is refused with a message that names the field,
by ``full_clean`` (what the admin shows) and, where the database can guard it, by a named constraint."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import resolve

from catalogue import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db


def errors_of(obj, **kwargs) -> dict[str, list[str]]:
    """The field-keyed messages ``full_clean`` raises (fails the test if it raises nothing)."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean(**kwargs)
    return caught.value.message_dict


def catalogue_models():
    return [
        model for model in apps.get_app_config("catalogue").get_models() if not model.__name__.startswith("Historical")
    ]


# --------------------------------------------------------------------------
# Dates in order
# --------------------------------------------------------------------------


def test_ratifications_before_signature_are_refused_naming_the_field():
    treaty = f.TreatyFactory.build(
        kind=f.TreatyKindFactory(), signed="1926-04-24", ratifications_exchanged="1926-04-23"
    )
    errors = errors_of(treaty)
    assert "ratifications_exchanged" in errors
    assert "before the date of signature" in " ".join(errors["ratifications_exchanged"])


def test_ratifications_before_signature_are_refused_by_the_database():
    treaty = f.TreatyFactory(signed="1926-04-24")
    treaty.ratifications_exchanged = "1926-04-23"
    with pytest.raises(IntegrityError), transaction.atomic():
        treaty.save()


def test_an_uncertain_ratification_in_the_month_of_signature_is_not_out_of_order():
    treaty = f.TreatyFactory.build(kind=f.TreatyKindFactory(), signed="1926-04-24", ratifications_exchanged="1926-04")
    treaty.full_clean()


def test_an_unparseable_date_is_refused_naming_the_field():
    treaty = f.TreatyFactory.build(kind=f.TreatyKindFactory(), signed="24 April 1926")
    errors = errors_of(treaty)
    assert list(errors) == ["signed"]
    assert "“24 April 1926” is not a valid EDTF date" in errors["signed"][0]


def test_an_impossible_calendar_date_is_refused_naming_the_field():
    event = f.EventFactory.build(treaty=f.TreatyFactory(), date="1926-02-30")
    errors = errors_of(event)
    assert "date" in errors
    assert "February 1926 has no day 30" in errors["date"][0]


def test_a_protocol_cannot_be_signed_before_its_treaty():
    protocol = f.ProtocolFactory.build(treaty=f.TreatyFactory(signed="1926-04-24"), signed="1925-06-24")
    errors = errors_of(protocol)
    assert "signed" in errors
    assert "before its treaty" in errors["signed"][0]
    assert "24 April 1926" in errors["signed"][0]


def test_a_protocol_ratified_before_it_was_signed_is_refused():
    protocol = f.ProtocolFactory.build(treaty=f.TreatyFactory(), signed="1931-06-24", ratified="1931-01-05")
    assert "ratified" in errors_of(protocol)


def test_a_registration_cannot_precede_the_signature():
    treaty = f.TreatyFactory(signed="1926-04-24")
    registration = f.RegistrationFactory.build(series=f.TreatySeriesFactory(), treaty=treaty, registered="1926-03-01")
    errors = errors_of(registration)
    assert "registered" in errors
    assert "before the instrument was signed" in errors["registered"][0]


def test_a_protocols_registration_cannot_precede_the_protocols_signature():
    protocol = f.ProtocolFactory(signed="1931-06-24")
    registration = m.Registration(series=f.TreatySeriesFactory(), protocol=protocol, registered="1931-01-01")
    assert "registered" in errors_of(registration)


def test_a_treaty_cannot_end_before_it_entered_into_force():
    treaty = f.TreatyFactory.build(
        kind=f.TreatyKindFactory(), signed="1926-04-24", entry_into_force="1926-06-29", ended="1925"
    )
    assert "ended" in errors_of(treaty)


def test_how_it_ended_needs_the_date():
    treaty = f.TreatyFactory.build(kind=f.TreatyKindFactory(), end_kind=m.Treaty.EndKind.ANNULLED)
    assert "ended" in errors_of(treaty)


# --------------------------------------------------------------------------
# Registrations
# --------------------------------------------------------------------------


def test_a_registration_naming_both_a_treaty_and_a_protocol_is_refused_by_full_clean():
    protocol = f.ProtocolFactory()
    registration = m.Registration(
        series=f.TreatySeriesFactory(), treaty=protocol.treaty, protocol=protocol, registered="1935-02-15"
    )
    errors = errors_of(registration)
    assert "protocol" in errors
    assert "not both" in errors["protocol"][0]


def test_a_registration_naming_both_a_treaty_and_a_protocol_is_refused_by_the_database():
    protocol = f.ProtocolFactory()
    registration = m.Registration(
        series=f.TreatySeriesFactory(), treaty=protocol.treaty, protocol=protocol, registered="1935-02-15"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        registration.save()
    assert m.Registration.objects.count() == 0


def test_a_registration_of_nothing_is_refused():
    registration = m.Registration(series=f.TreatySeriesFactory(), registered="1935-02-15")
    assert "treaty" in errors_of(registration)


def test_a_registration_number_is_unique_in_its_series():
    series = f.TreatySeriesFactory()
    f.RegistrationFactory(series=series, number="1234")
    duplicate = m.Registration(series=series, treaty=f.TreatyFactory(), number="1234", registered="1926-08-03")
    errors = errors_of(duplicate)
    assert "number" in errors
    assert "No. 1234 is already registered in LNTS" in " ".join(errors["number"])
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_the_same_number_in_another_series_and_blank_numbers_are_allowed():
    lnts = f.TreatySeriesFactory()
    unts = f.TreatySeriesFactory(name="United Nations Treaty Series", abbreviation="UNTS", slug="unts")
    f.RegistrationFactory(series=lnts, number="1234")
    other = m.Registration(series=unts, treaty=f.TreatyFactory(), number="1234", registered="1950")
    other.full_clean()
    other.save()
    f.RegistrationFactory(series=lnts, number="")
    f.RegistrationFactory(series=lnts, number="")
    assert m.Registration.objects.filter(number="").count() == 2


# --------------------------------------------------------------------------
# Citations
# --------------------------------------------------------------------------


def test_a_citation_fact_must_be_a_fact_of_its_target():
    citation = f.CitationFactory.build(source=f.SourceFactory(), treaty=f.TreatyFactory(), fact="registered")
    errors = errors_of(citation)
    assert "fact" in errors
    assert "“registered” is not a fact of a treaty" in errors["fact"][0]
    assert "ratifications_exchanged" in errors["fact"][0]  # it lists the facts that would do


def test_a_citation_of_a_known_fact_or_of_the_whole_record_is_valid():
    treaty = f.TreatyFactory()
    f.CitationFactory.build(source=f.SourceFactory(), treaty=treaty, fact="signed").full_clean()
    f.CitationFactory.build(source=f.SourceFactory(), treaty=treaty, fact="").full_clean()


def test_a_citation_of_two_records_is_refused_by_full_clean_and_the_database():
    treaty = f.TreatyFactory()
    event = f.EventFactory(treaty=treaty)
    citation = m.Citation(source=f.SourceFactory(), treaty=treaty, event=event)
    with pytest.raises(ValidationError, match="exactly one record"):
        citation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        citation.save()


def test_an_isbn_with_the_wrong_number_of_digits_is_refused():
    source = f.SourceFactory.build(isbn="3-11-00393")
    assert "isbn" in errors_of(source)
    f.SourceFactory.build(key="muench", isbn="3-11-003933-8").full_clean()


# --------------------------------------------------------------------------
# Every model: natural keys, __str__, ordering, addresses
# --------------------------------------------------------------------------


def test_natural_keys_round_trip(demo):
    checked = set()
    for model in catalogue_models():
        if not hasattr(model, "natural_key"):
            continue
        manager = model._default_manager
        assert hasattr(manager, "get_by_natural_key"), model.__name__
        for obj in manager.all():
            assert manager.get_by_natural_key(*obj.natural_key()) == obj
            checked.add(model.__name__)
    assert {
        "State",
        "Place",
        "Person",
        "TreatyKind",
        "Subject",
        "TreatySeries",
        "Source",
        "Treaty",
        "Protocol",
        "Registration",
        "Participation",
        "TreatyRelation",
        "Event",
    } <= checked


def test_registration_natural_keys_tell_a_treaty_from_its_protocol(demo):
    """A treaty and its protocol registered in one series have different natural keys."""
    keys = [r.natural_key() for r in m.Registration.objects.filter(treaty__slug="treaty-of-berlin-1926")]
    keys += [r.natural_key() for r in m.Registration.objects.filter(protocol__treaty__slug="treaty-of-berlin-1926")]
    assert len(set(keys)) == 2


@pytest.mark.parametrize("model", catalogue_models(), ids=lambda model: model.__name__)
def test_every_model_has_str_ordering_and_a_verbose_name(model):
    assert model.__str__ is not models.Model.__str__, f"{model.__name__} has no __str__"
    assert model._meta.ordering, f"{model.__name__} has no Meta.ordering"
    assert "verbose_name" in model._meta.original_attrs, f"{model.__name__} has no verbose_name"


def test_every_demo_record_reads_as_text(demo):
    for model in catalogue_models():
        for obj in model._default_manager.all():
            text = str(obj)
            assert text.strip() and "object (" not in text, (model.__name__, text)


@pytest.mark.parametrize(
    ("model", "lookup", "url_name", "kwarg"),
    [
        (m.Treaty, {"slug": "treaty-of-berlin-1926"}, "catalogue:treaty-detail", "slug"),
        (m.Protocol, {"slug": "treaty-of-berlin-1926-additional-protocol-1931"}, "catalogue:protocol-detail", "slug"),
        (m.State, {"code": "SUN"}, "catalogue:state-detail", "slug"),
        (m.TreatySeries, {"slug": "lnts"}, "catalogue:series-detail", "slug"),
        (m.Source, {"key": "wp-en-treaty-of-berlin-1926"}, "catalogue:source-detail", "key"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)
def test_public_models_have_an_address(demo, model, lookup, url_name, kwarg):
    obj = model.objects.get(**lookup)
    url = obj.get_absolute_url()
    match = resolve(url)
    assert f"{match.namespace}:{match.url_name}" == url_name
    assert match.kwargs == {kwarg: getattr(obj, kwarg)}


def _indexes(table: str) -> list[dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c for c in constraints.values() if c["index"] or c["unique"] or c["primary_key"]]


def _catalogue_tables(history: bool) -> list:
    from django.apps import apps

    models = apps.get_app_config("catalogue").get_models()
    return [model for model in models if model.__name__.startswith("Historical") == history]


@pytest.mark.django_db
def test_every_foreign_key_of_a_catalogue_table_leads_an_index():
    """Lookups and cascades by any key find an index, whether the key's own or one that starts with it."""
    for model in _catalogue_tables(history=False):
        leading = {c["columns"][0] for c in _indexes(model._meta.db_table) if c["columns"]}
        for field in model._meta.concrete_fields:
            if field.is_relation:
                assert field.column in leading, f"{model._meta.db_table}.{field.column}"


@pytest.mark.django_db
def test_no_plain_index_of_a_catalogue_table_is_the_start_of_another():
    """A single-column index on a column another index already leads with costs every write for no read."""
    for model in _catalogue_tables(history=False):
        indexes = _indexes(model._meta.db_table)
        wider = [c["columns"] for c in indexes if len(c["columns"]) > 1]
        for index in indexes:
            if index["unique"] or index["primary_key"] or len(index["columns"]) != 1:
                continue
            column = index["columns"][0]
            assert not any(columns[0] == column for columns in wider), f"{model._meta.db_table}.{column}"


@pytest.mark.django_db
@pytest.mark.parametrize("owner", ["participation", "event", "treaty"])
def test_citations_are_found_by_their_owner_through_its_partial_index(owner):
    """Each owner key has a partial index (rows that have it); a lookup by the key uses it, on both databases."""
    from django.db import connection

    queryset = m.Citation.objects.filter(**{f"{owner}_id__in": [1, 2]})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # the test tables are too small to need an index
        sql, params = queryset.query.sql_with_params()
        cursor.execute(("EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN ") + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert f"citation_{owner}_idx" in plan
