"""List exports (CSV and JSON of every matching record, streamed) and their agreement with the pages."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import exports
from catalogue.facets import facet_counts
from catalogue.importing.csvformat import COLUMNS, record_to_row, row_to_record
from catalogue.importing.records import record_queryset, treaty_to_record
from catalogue.models import Status, Treaty
from tests.factories import (
    CitationFactory,
    EventFactory,
    ParticipationFactory,
    PlaceFactory,
    ProtocolFactory,
    RegistrationFactory,
    SourceFactory,
    StateFactory,
    SubjectFactory,
    TreatyFactory,
    TreatyKindFactory,
)


def body(response) -> str:
    assert response.status_code == 200
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response))))


@pytest.fixture
def world(db):
    """Treaties with every part a record has, some of them unpublished."""
    germany = StateFactory(code="DEU", name="Germany")
    soviet = StateFactory(code="SUN", name="Soviet Union")
    pact = TreatyKindFactory(name="Pact", slug="pact")
    neutrality = SubjectFactory(name="Neutrality", slug="neutrality")
    berlin = TreatyFactory(
        title="Treaty of Berlin",
        slug="treaty-of-berlin-1926",
        identifier="atop:1234",
        signed="1926-04-24",
        place_signed=PlaceFactory(name="Berlin", slug="berlin"),
        summary='Neutrality, with a comma, and a "quote"\nover two lines.',
        same_as="https://www.wikidata.org/wiki/Q1140356",
    )
    berlin.subjects.add(neutrality)
    berlin.titles.create(title="Berliner Vertrag", language="de", kind="original")
    ParticipationFactory(treaty=berlin, state=germany, ratified="1926-06-29")
    ParticipationFactory(treaty=berlin, state=soviet, position=1)
    RegistrationFactory(treaty=berlin, number="1268", volume=53, first_page=387, last_page=396)
    prolongation = ProtocolFactory(treaty=berlin, slug="berlin-1931", title="Prolongation protocol")
    RegistrationFactory(treaty=None, protocol=prolongation, number="2918", volume=127, registered="1932-01-08")
    ProtocolFactory(treaty=berlin, slug="berlin-draft", title="Unpublished protocol", status=Status.DRAFT)
    CitationFactory(treaty=berlin, source=SourceFactory(key="carr-1951"), fact="signed", locator="p. 42")
    EventFactory(treaty=berlin, slug="berlin-ratified", title="Ratified", date="1926-06")
    rapallo = TreatyFactory(title="Treaty of Rapallo", slug="rapallo-1922", signed="1922-04-16")
    ParticipationFactory(treaty=rapallo, state=germany)
    ParticipationFactory(treaty=rapallo, state=soviet)
    neutrality_pact = TreatyFactory(title="Soviet–Lithuanian pact", slug="sov-lit-1926", kind=pact, signed="1926-09-28")
    ParticipationFactory(treaty=neutrality_pact, state=soviet)
    TreatyFactory(title="Draft treaty", slug="draft", status=Status.DRAFT)
    TreatyFactory(title="Withdrawn treaty", slug="withdrawn", status=Status.WITHDRAWN)
    return {"berlin": berlin, "rapallo": rapallo, "pact": neutrality_pact}


def expected_records(*treaties):
    """What the export must hold: the import record of each published treaty, published protocols only."""
    records = []
    for treaty in record_queryset(Treaty.objects.filter(pk__in=[t.pk for t in treaties])):
        record = treaty_to_record(treaty)
        record["protocols"] = [p for p in record["protocols"] if p["status"] == Status.PUBLISHED]
        records.append(record)
    return sorted(records, key=lambda r: r["slug"])


def test_treaty_csv_is_an_import_file_of_every_published_treaty(client, world):
    response = client.get("/treaties.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="treaties.csv"'
    text = body(response)
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert tuple(reader.fieldnames) == tuple(COLUMNS)
    assert [row["slug"] for row in rows] == ["rapallo-1922", "treaty-of-berlin-1926", "sov-lit-1926"]  # page order
    expected = {r["slug"]: r for r in expected_records(*world.values())}
    for row in rows:
        assert row == record_to_row(expected[row["slug"]])
        assert row_to_record(row)["title"] == expected[row["slug"]]["title"]  # the importer reads it back
    berlin = row_to_record(next(row for row in rows if row["slug"] == "treaty-of-berlin-1926"))
    assert [p["slug"] for p in berlin["protocols"]] == ["berlin-1931"]  # no unpublished protocol
    assert [r["number"] for r in berlin["protocols"][0]["registrations"]] == ["2918"]
    assert berlin["citations"][0]["source"] == "carr-1951"
    assert berlin["events"][0]["slug"] == "berlin-ratified"
    assert berlin["titles"] == [{"title": "Berliner Vertrag", "language": "de", "kind": "original"}]
    assert berlin["subjects"] == ["Neutrality"]
    assert berlin["summary"] == 'Neutrality, with a comma, and a "quote"\nover two lines.'
    assert [p["state"] for p in berlin["parties"]] == ["Germany", "Soviet Union"]


def test_treaty_json_is_a_list_of_import_records(client, world):
    response = client.get("/treaties.json")
    assert response["Content-Type"] == "application/json"
    records = json.loads(body(response))
    assert sorted(records, key=lambda r: r["slug"]) == json.loads(json.dumps(expected_records(*world.values())))


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("party=DEU", ["rapallo-1922", "treaty-of-berlin-1926"]),
        ("party=DEU&party=SUN&kind=pact", ["sov-lit-1926"]),
        ("subject=neutrality", ["treaty-of-berlin-1926"]),
        ("signed_from=1926&sort=-date", ["sov-lit-1926", "treaty-of-berlin-1926"]),
        ("q=Rapallo", ["rapallo-1922"]),
        ("year=1930", []),
    ],
)
def test_exports_apply_the_list_filters_and_order(client, world, query, slugs):
    assert [row["slug"] for row in csv_rows(client.get(f"/treaties.csv?{query}"))] == slugs
    assert [record["slug"] for record in json.loads(body(client.get(f"/treaties.json?{query}")))] == slugs
    params = {}
    for part in query.split("&"):
        key, value = part.split("=")
        params.setdefault(key, []).append(value)
    assert facet_counts(params)["total"] == len(slugs)  # what the page counts


@pytest.mark.django_db
def test_an_export_holds_every_match_not_one_page(client):
    for n in range(120):
        TreatyFactory(slug=f"t-{n:03d}", signed=f"{1900 + n % 50}")
    assert len(csv_rows(client.get("/treaties.csv?page=2"))) == 120
    assert len(json.loads(body(client.get("/treaties.json")))) == 120


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "kind=no-such-kind",
        "signed_from=not-a-date",
        "year=abc",
        "party=" + "x" * 300,
        "has_scans=maybe",
        "party=%00",
        "q=a%00b",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "json", "bib"])
def test_bad_input_is_a_400_with_reasons(client, query, fmt):
    TreatyKindFactory()
    response = client.get(f"/treaties.{fmt}?{query}")
    assert response.status_code == 400
    payload = response.json()
    field = query.split("=")[0]
    assert payload["errors"][field][0]["message"]


def test_streamed_in_chunks_with_a_constant_number_of_queries_per_chunk(client, world, monkeypatch):
    for n in range(7):
        ParticipationFactory(treaty=TreatyFactory(slug=f"extra-{n}"))
    monkeypatch.setattr(exports, "CHUNK_SIZE", 4)
    response = client.get("/treaties.csv")
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first:
        next(chunks)  # the header
        next(chunks)  # the first row: only the first chunk of 4 treaties is read
    with CaptureQueriesContext(connection) as rest:
        remaining = list(chunks)
    assert len(remaining) == 9  # 10 treaties, one row each
    # The two later chunks were read (and prefetched) later, each with no more
    # queries than the first: memory holds one chunk at a time.
    assert len(rest) > 0
    assert len(rest) <= 2 * len(first)


def test_query_count_does_not_grow_with_the_result(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        body(client.get("/treaties.csv"))
    for n in range(30):
        treaty = TreatyFactory(slug=f"more-{n}")
        ParticipationFactory(treaty=treaty)
        RegistrationFactory(treaty=treaty, number=str(n))
    with django_assert_max_num_queries(14):
        assert len(csv_rows(client.get("/treaties.csv"))) == 33


def test_protocol_export(client, world, settings):
    settings.SITE_BASE_URL = "https://treaties.example.org"
    rows = csv_rows(client.get("/protocols.csv"))
    assert [(row["slug"], row["treaty"]) for row in rows] == [("berlin-1931", "treaty-of-berlin-1926")]
    assert rows[0]["url"] == "https://treaties.example.org/protocols/berlin-1931/"
    records = json.loads(body(client.get("/protocols.json")))
    assert [record["slug"] for record in records] == ["berlin-1931"]
    assert set(records[0]) == set(exports.PROTOCOL_COLUMNS)


def test_party_export_lists_states_with_published_treaties(client, world):
    StateFactory(code="XXX", name="No treaties")
    rows = csv_rows(client.get("/parties.csv"))
    assert [(row["code"], row["treaty_count"]) for row in rows] == [("DEU", "2"), ("SUN", "3")]
    records = json.loads(body(client.get("/parties.json")))
    assert [(r["code"], r["treaty_count"]) for r in records] == [("DEU", 2), ("SUN", 3)]


def test_source_export(client, world):
    SourceFactory(key="another", authors="Abbott, Ann", title="A study")
    rows = csv_rows(client.get("/sources.csv"))
    assert [row["key"] for row in rows] == ["another", "carr-1951"]
    assert rows[0]["authors"] == "Abbott, Ann"
    records = json.loads(body(client.get("/sources.json")))
    assert records[1]["key"] == "carr-1951"
    single = client.get("/sources/carr-1951.json").json()
    assert single["key"] == "carr-1951"


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_downloaded_export_imports_into_an_emptied_catalogue_as_the_same_records(client, world, tmp_path, fmt):
    from catalogue.importing.readers import read_path
    from catalogue.models import Citation, OldSlug
    from catalogue.services import import_records

    published = Treaty.objects.published()
    expected = expected_records(*published)
    path = tmp_path / f"treaties.{fmt}"
    path.write_text(body(client.get(f"/treaties.{fmt}")), encoding="utf-8")
    Citation.objects.all().delete()
    Treaty.objects.all().delete()
    OldSlug.objects.all().delete()
    report = import_records(read_path(path), origin=path.name)
    assert report.created == len(expected) == 3
    assert expected_records(*Treaty.objects.all()) == expected
    assert import_records(read_path(path), origin=path.name).unchanged == 3


def test_every_download_of_the_demo_catalogue_parses(client, demo):
    """Real records (uncertain dates, several languages, citations) through every format."""
    import bibtexparser
    import rispy
    from lxml import etree

    from catalogue.models import Protocol, Source

    treaties = list(Treaty.objects.published())
    assert treaties
    for treaty in treaties:
        assert client.get(f"/treaties/{treaty.slug}.json").json()["slug"] == treaty.slug
        assert client.get(f"/treaties/{treaty.slug}.jsonld").json()["@type"] == "Legislation"
        assert bibtexparser.parse_string(client.get(f"/treaties/{treaty.slug}.bib").content.decode()).entries
        assert rispy.loads(client.get(f"/treaties/{treaty.slug}.ris").content.decode())
        assert client.get(f"/api/treaties/{treaty.slug}/").json()["slug"] == treaty.slug
    for protocol in Protocol.objects.published():
        assert json.loads(client.get(f"/protocols/{protocol.slug}.csl.json").content)[0]["id"] == protocol.slug
    sources = list(Source.objects.all())
    for source in sources:
        library = bibtexparser.parse_string(client.get(f"/sources/{source.key}.bib").content.decode())
        assert library.failed_blocks == [] and library.entries[0].key == source.key
    assert len(rispy.loads(body(client.get("/sources.ris")))) == len(sources)
    assert len(csv_rows(client.get("/treaties.csv"))) == len(treaties)
    for url in ("/protocols.csv", "/parties.csv", "/sources.csv", "/treaties.csl.json"):
        assert body(client.get(url))
    oai = etree.fromstring(client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content)
    assert len(oai.findall(".//{http://www.openarchives.org/OAI/2.0/}record")) == len(
        Treaty.objects.filter(status__in=(Status.PUBLISHED, Status.WITHDRAWN))
    )
