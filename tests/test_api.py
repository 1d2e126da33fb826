"""The read-only JSON API: same filters, search, facet counts and bad-input behaviour as the pages."""

import json
import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from catalogue.models import Status
from tests.factories import (
    ParticipationFactory,
    PlaceFactory,
    ProtocolFactory,
    RegistrationFactory,
    SourceFactory,
    StateFactory,
    SubjectFactory,
    TreatyFactory,
    TreatyKindFactory,
    TreatySeriesFactory,
)


@pytest.fixture
def world(db):
    germany = StateFactory(code="DEU", name="Germany", slug="germany")
    soviet = StateFactory(code="SUN", name="Soviet Union", slug="soviet-union")
    StateFactory(code="XXX", name="Party to nothing published")
    pact = TreatyKindFactory(name="Pact", slug="pact")
    neutrality = SubjectFactory(name="Neutrality", slug="neutrality")
    berlin_place = PlaceFactory(name="Berlin", slug="berlin")
    berlin = TreatyFactory(
        title="Treaty of Berlin",
        slug="treaty-of-berlin-1926",
        signed="1926-04-24",
        place_signed=berlin_place,
        summary="Neutrality and non-aggression.",
        same_as="https://www.wikidata.org/wiki/Q1140356",
    )
    berlin.subjects.add(neutrality)
    ParticipationFactory(treaty=berlin, state=germany)
    ParticipationFactory(treaty=berlin, state=soviet, position=1)
    RegistrationFactory(treaty=berlin, series=TreatySeriesFactory(), number="1268", volume=53)
    ProtocolFactory(treaty=berlin, slug="berlin-1931", title="Prolongation")
    ProtocolFactory(treaty=berlin, slug="berlin-draft", status=Status.DRAFT)
    rapallo = TreatyFactory(title="Treaty of Rapallo", slug="rapallo-1922", signed="1922-04-16")
    ParticipationFactory(treaty=rapallo, state=germany)
    ParticipationFactory(treaty=rapallo, state=soviet)
    lit = TreatyFactory(title="Soviet–Lithuanian Non-Aggression Pact", slug="sov-lit-1926", kind=pact, signed="1926-09")
    lit.subjects.add(neutrality)
    ParticipationFactory(treaty=lit, state=soviet)
    secret = TreatyFactory(title="Draft treaty", slug="draft", status=Status.DRAFT)
    ParticipationFactory(treaty=secret, state=StateFactory(code="XXX"))
    TreatyFactory(title="Withdrawn treaty", slug="withdrawn", status=Status.WITHDRAWN)
    SourceFactory(key="carr-1951", title="German-Soviet Relations", authors="Carr, Edward Hallett", year=1951)
    return {"berlin": berlin, "rapallo": rapallo, "lit": lit}


def slugs(response):
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def test_treaty_list_is_paginated_and_only_published(client, world):
    response = client.get("/api/treaties/")
    data = response.json()
    assert data["count"] == 3
    assert [t["slug"] for t in data["results"]] == ["rapallo-1922", "treaty-of-berlin-1926", "sov-lit-1926"]
    first = data["results"][1]
    assert first["url"] == "http://testserver/api/treaties/treaty-of-berlin-1926/"
    assert first["kind"] == {"slug": "treaty", "name": "Treaty"}
    assert first["signed"]["edtf"] == "1926-04-24" and first["signed"]["earliest"] == "1926-04-24"
    assert [p["code"] for p in first["parties"]] == ["DEU", "SUN"]
    assert first["subjects"] == ["neutrality"]
    assert "facets" not in data
    page = client.get("/api/treaties/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"].endswith("page=2&page_size=2")


def test_treaty_detail(client, world):
    data = client.get("/api/treaties/treaty-of-berlin-1926/").json()
    assert data["title"] == "Treaty of Berlin"
    assert data["same_as"] == ["https://www.wikidata.org/wiki/Q1140356"]
    assert [p["slug"] for p in data["protocols"]] == ["berlin-1931"]  # no draft protocol
    assert data["registrations"][0]["series"] == "LNTS" and data["registrations"][0]["number"] == "1268"
    assert data["jsonld"] == "http://testserver/treaties/treaty-of-berlin-1926.jsonld"
    assert client.get("/api/treaties/draft/").status_code == 404
    gone = client.get("/api/treaties/withdrawn/")
    assert gone.status_code == 410  # as the page answers
    assert gone.json()["detail"] == "This record has been withdrawn."


QUERIES = [
    "",
    "party=DEU",
    "party=DEU&party=SUN",
    "kind=pact",
    "subject=neutrality&party=SUN",
    "place=berlin",
    "series=lnts",
    "decade=1920",
    "year=1926",
    "signed_from=1926&signed_to=1926-06",
    "in_force_on=1930-01-01",
    "has_scans=no",
    "q=neutrality",
    "q=Rapallo",
    "sort=-date",
    "sort=title&party=SUN",
]


@pytest.mark.parametrize("query", QUERIES)
def test_api_lists_and_counts_what_the_page_lists_and_counts(client, world, query):
    page = client.get(f"/treaties/?{query}&page_size=100")
    assert page.status_code == 200
    page_slugs = [t.slug for t in page.context["treaties"]]
    api = client.get(f"/api/treaties/?{query}&facets=1&page_size=100")
    assert slugs(api) == page_slugs
    data = api.json()
    page_result = json.loads(json.dumps(page.context["result"].as_dict()))
    assert data["count"] == data["facets"]["total"] == page_result["total"]
    assert data["facets"]["facets"] == page_result["facets"]
    assert data["facets"]["histogram"] == page_result["histogram"]


def test_facet_counts_in_the_response(client, world):
    data = client.get("/api/treaties/?party=SUN&facets=true").json()
    parties = {v["value"]: (v["count"], v["selected"]) for v in data["facets"]["facets"]["party"]["values"]}
    # Counts of a facet ignore its own selection (OR within a facet).
    assert parties == {"SUN": (3, True), "DEU": (2, False)}
    kinds = {v["value"]: v["count"] for v in data["facets"]["facets"]["kind"]["values"]}
    assert kinds == {"treaty": 2, "pact": 1}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=no-such-kind", "kind"),
        ("party=DEU&party=NOPE", "party"),
        ("signed_from=not-a-date", "signed_from"),
        ("in_force_on=1926-02-30", "in_force_on"),
        ("year=abc", "year"),
        ("decade=1925", "decade"),
        ("has_scans=maybe", "has_scans"),
        ("sort=sideways", "sort"),
        ("q=" + "x" * 500, "q"),
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=99", "page"),
        ("page_size=-1", "page_size"),
        ("facets=maybe", "facets"),
        ("q=a%00b", "q"),
        ("party=%00", "party"),
    ],
)
def test_bad_input_is_refused_with_reasons(client, world, query, field):
    response = client.get(f"/api/treaties/?{query}")
    assert response.status_code == (404 if query == "page=99" else 400)
    reasons = response.json()[field]
    assert reasons and all(isinstance(reason, str) and reason for reason in reasons)


@pytest.mark.django_db
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "party", "kind", "year", "decade", "signed_from", "in_force_on", "page", "sort", "x"]),
        st.text(max_size=30),
        max_size=4,
    )
)
def test_no_input_gives_a_server_error(client, params):
    response = client.get("/api/treaties/", params)
    assert response.status_code in (200, 400, 404)


def test_other_collections(client, world):
    assert slugs(client.get("/api/protocols/")) == ["berlin-1931"]
    protocol = client.get("/api/protocols/berlin-1931/").json()
    assert protocol["treaty"]["slug"] == "treaty-of-berlin-1926"
    assert client.get("/api/protocols/berlin-draft/").status_code == 404
    states = client.get("/api/states/").json()["results"]
    assert [(s["code"], s["treaty_count"]) for s in states] == [("DEU", 2), ("SUN", 3)]
    sun = client.get("/api/states/SUN/").json()
    assert sun["treaties"] == "http://testserver/api/treaties/?party=SUN"
    assert slugs(client.get(sun["treaties"])) == ["rapallo-1922", "treaty-of-berlin-1926", "sov-lit-1926"]
    sources = client.get("/api/sources/").json()["results"]
    assert [s["key"] for s in sources] == ["carr-1951"]
    assert client.get("/api/sources/carr-1951/").json()["csl"]["author"] == [
        {"family": "Carr", "given": "Edward Hallett"}
    ]
    series = client.get("/api/series/lnts/").json()
    assert (series["abbreviation"], series["registration_count"]) == ("LNTS", 1)


@pytest.mark.parametrize("url", ["/api/treaties/a%00/", "/api/states/%00/", "/api/treaties/a.b/"])
def test_lookups_that_cannot_be_slugs_are_not_found(client, world, url):
    assert client.get(url).status_code == 404


def test_api_is_read_only(client, world):
    assert client.post("/api/treaties/", {"title": "New"}).status_code == 405
    assert client.delete("/api/treaties/treaty-of-berlin-1926/").status_code == 405


def test_query_counts_are_fixed(client, world, django_assert_max_num_queries):
    for n in range(25):
        treaty = TreatyFactory(slug=f"more-{n}")
        ParticipationFactory(treaty=treaty)
    with django_assert_max_num_queries(6):
        assert client.get("/api/treaties/?page_size=100").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/api/treaties/?page_size=100&facets=1&party=SUN").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/treaties/treaty-of-berlin-1926/").status_code == 200


@pytest.mark.django_db
def test_openapi_schema_and_browsable_page(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert {"/api/treaties/", "/api/treaties/{slug}/", "/api/protocols/", "/api/states/{code}/", "/api/series/"} <= set(
        schema["paths"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/treaties/"]["get"]["parameters"]}
    assert {"q", "party", "kind", "signed_from", "facets", "page", "page_size"} <= parameters
    party = next(p for p in schema["paths"]["/api/treaties/"]["get"]["parameters"] if p["name"] == "party")
    assert party["schema"] == {"type": "array", "items": {"type": "string"}}
    sort = next(p for p in schema["paths"]["/api/treaties/"]["get"]["parameters"] if p["name"] == "sort")
    assert set(sort["schema"]["enum"]) == {"relevance", "date", "-date", "title"}
    signed = schema["components"]["schemas"]["TreatyList"]["properties"]["signed"]
    edtf = schema["components"]["schemas"]["EDTFDate"]["properties"]
    assert set(edtf) == {"edtf", "display", "earliest", "latest"} and signed
    page = client.get("/api/treaties/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"Treaty List" in page.content or b"Treaty" in page.content
    assert "text/html" in page["Content-Type"]
    root = client.get("/api/").json()
    assert set(root) == {"treaties", "protocols", "states", "sources", "series"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "script"), [("/api/docs/", "swagger-ui-bundle.js"), ("/api/redoc/", "redoc.standalone.js")]
)
def test_documentation_pages_load_their_scripts_from_our_own_static_files(client, url, script):
    from django.contrib.staticfiles import finders

    html = client.get(url).content.decode()
    sources = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert any(src.endswith(script) for src in sources), sources
    for src in sources:
        assert src.startswith("/static/"), f"{src} is not served by the site"
        assert finders.find(src.removeprefix("/static/")), src
    assert "/api/schema/" in html
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    # Redoc's template asks Google for its fonts; without them it falls back to the browser's fonts.
    assert all(link.startswith("https://fonts.") for link in external), external
