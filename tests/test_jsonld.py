"""A treaty as JSON-LD (schema.org Legislation): expanded by a JSON-LD processor, served, and embedded."""

import json
import re

import pytest
from django.template import Context, Template
from pyld import jsonld as pyld

from catalogue import jsonld
from catalogue.models import Status, Treaty
from tests.factories import (
    ParticipationFactory,
    PlaceFactory,
    RegistrationFactory,
    StateFactory,
    SubjectFactory,
    TreatyFactory,
)

S = "https://schema.org/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_BASE_URL = "https://treaties.example.org"


@pytest.fixture
def berlin(db):
    treaty = TreatyFactory(
        title="Treaty of Berlin",
        short_title="Berlin Treaty",
        slug="treaty-of-berlin-1926",
        identifier="atop:1234",
        signed="1926-04-24",
        entry_into_force="1926-06-29",
        ended="1933-05-05",
        place_signed=PlaceFactory(name="Berlin", slug="berlin", latitude="52.52000", longitude="13.40500"),
        summary="Neutrality in case of attack.",
        same_as="https://www.wikidata.org/wiki/Q1140356\nhttps://en.wikipedia.org/wiki/Treaty_of_Berlin_(1926)",
    )
    treaty.subjects.add(SubjectFactory(name="Neutrality", slug="neutrality"))
    treaty.titles.create(title="Berliner Vertrag", language="de", kind="original")
    ParticipationFactory(treaty=treaty, state=StateFactory(code="DEU", name="Germany", wikidata_id="Q41304"))
    ParticipationFactory(treaty=treaty, state=StateFactory(code="SUN", name="Soviet Union"), position=1)
    RegistrationFactory(treaty=treaty, number="1268", volume=53, first_page=387, last_page=396)
    return treaty


def detail(treaty):
    from catalogue.exports import for_export

    return for_export(Treaty.objects.all()).get(pk=treaty.pk)


def values(node, key):
    return [item.get("@value", item.get("@id")) for item in node.get(S + key, [])]


def test_expands_as_schema_org_legislation_without_fetching_a_context(berlin):
    doc = jsonld.treaty_jsonld(detail(berlin))

    def no_network(url, options=None):
        raise AssertionError(f"the processor tried to fetch {url}")

    [node] = pyld.expand(doc, {"documentLoader": no_network})
    assert node["@id"] == "https://treaties.example.org/treaties/treaty-of-berlin-1926/"
    assert node["@type"] == [S + "Legislation"]
    assert values(node, "name") == ["Treaty of Berlin"]
    assert values(node, "alternateName") == ["Berlin Treaty", "Berliner Vertrag"]
    assert values(node, "legislationDate") == ["1926-04-24"]
    assert values(node, "legislationIdentifier") == ["atop:1234"]
    assert values(node, "legislationType") == ["Treaty"]
    assert values(node, "sameAs") == [
        "https://www.wikidata.org/wiki/Q1140356",
        "https://en.wikipedia.org/wiki/Treaty_of_Berlin_(1926)",
    ]
    parties = node[S + "legislationPassedBy"]
    assert [values(p, "name") for p in parties] == [["Germany"], ["Soviet Union"]]
    assert [p["@type"] for p in parties] == [[S + "Country"], [S + "Country"]]
    assert values(parties[0], "sameAs") == ["https://www.wikidata.org/wiki/Q41304"]
    assert (
        parties[1]["@id"]
        == "https://treaties.example.org/parties/" + berlin.participations.get(state__code="SUN").state.slug + "/"
    )
    identifiers = {values(i, "propertyID")[0]: values(i, "value")[0] for i in node[S + "identifier"]}
    assert identifiers == {
        "slug": "treaty-of-berlin-1926",
        "identifier": "atop:1234",
        "LNTS": "vol. 53 No. 1268 p. 387–396",
    }
    assert values(node, "temporalCoverage") == ["1926-06-29/1933-05-05"]
    assert node[S + "legislationLegalForce"] == [{"@id": S + "NotInForce"}]
    place = node[S + "locationCreated"][0]
    assert values(place, "name") == ["Berlin"]
    assert values(place[S + "geo"][0], "latitude") == [52.52]
    assert [values(a, "name") for a in node[S + "about"]] == [["Neutrality"]]


@pytest.mark.parametrize(
    ("edtf", "iso"),
    [
        ("1926-04-24", "1926-04-24"),
        ("1926-04", "1926-04"),
        ("1926", "1926"),
        ("~1926", None),
        ("1926?", None),
        ("1926/1927", None),
        ("192X", None),
        ("", None),
    ],
)
def test_iso_dates_only_where_iso_can_say_them(edtf, iso):
    assert jsonld.iso_date(edtf) == iso


@pytest.mark.django_db
def test_a_treaty_in_force_today(settings):
    treaty = TreatyFactory(signed="1990-01-01", entry_into_force="1990-06-01")
    doc = jsonld.treaty_jsonld(detail(treaty))
    assert doc["legislationLegalForce"] == {"@id": S + "InForce"}
    assert doc["temporalCoverage"] == "1990-06-01/.."
    bare = jsonld.treaty_jsonld(detail(TreatyFactory(signed="", same_as="")))
    assert "legislationLegalForce" not in bare and "sameAs" not in bare and "legislationDate" not in bare


@pytest.mark.django_db
def test_served_as_json_ld_and_json(client, berlin, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get("/treaties/treaty-of-berlin-1926.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    doc = json.loads(response.content)
    assert doc["@type"] == "Legislation"
    assert doc == json.loads(json.dumps(jsonld.treaty_jsonld(detail(berlin))))
    response = client.get("/treaties/treaty-of-berlin-1926.json")
    assert response["Content-Type"] == "application/json"
    record = json.loads(response.content)
    assert record["id"] == "atop:1234"
    assert record["slug"] == "treaty-of-berlin-1926"
    assert [p["state"] for p in record["parties"]] == ["Germany", "Soviet Union"]
    assert record["registrations"][0]["number"] == "1268"


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "code"), [(Status.DRAFT, 404), (Status.REVIEW, 404), (Status.WITHDRAWN, 410)])
def test_unpublished_treaties_are_not_served(client, status, code):
    treaty = TreatyFactory(status=status)
    assert client.get(f"/treaties/{treaty.slug}.json").status_code == code
    assert client.get(f"/treaties/{treaty.slug}.jsonld").status_code == code


def test_head_links_and_embedded_script(berlin):
    treaty = detail(berlin)
    html = Template("{% include 'catalogue/includes/treaty_head_links.html' %}").render(Context({"treaty": treaty}))
    assert '<link rel="alternate" type="application/ld+json" href="/treaties/treaty-of-berlin-1926.jsonld"' in html
    assert '<link rel="alternate" type="application/json" href="/treaties/treaty-of-berlin-1926.json"' in html
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(script) == json.loads(json.dumps(jsonld.treaty_jsonld(treaty)))


@pytest.mark.django_db
def test_embedded_script_cannot_be_closed_by_a_title():
    treaty = detail(TreatyFactory(title="</script><script>alert(1)</script> & more"))
    html = Template("{% include 'catalogue/includes/treaty_head_links.html' %}").render(Context({"treaty": treaty}))
    assert html.count("</script>") == 1
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(script)["name"] == "</script><script>alert(1)</script> & more"


def test_the_treaty_page_links_and_embeds_its_json_ld(client, berlin):
    html = client.get("/treaties/treaty-of-berlin-1926/").content.decode()
    head = html.split("</head>")[0]
    assert '<link rel="alternate" type="application/ld+json" href="/treaties/treaty-of-berlin-1926.jsonld"' in head
    assert '<link rel="alternate" type="application/json" href="/treaties/treaty-of-berlin-1926.json"' in head
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert json.loads(script) == client.get("/treaties/treaty-of-berlin-1926.jsonld").json()
    assert "Cite this record" in html
