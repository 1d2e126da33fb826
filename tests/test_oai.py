"""OAI-PMH 2.0: response structure, the six verbs, errors, sets, dates, tokens, deletions."""

import datetime
import re

import pytest
from django.core import signing
from lxml import etree

from catalogue.models import Status, Treaty
from catalogue.oai import views as oai_views
from tests.factories import (
    ParticipationFactory,
    StateFactory,
    SubjectFactory,
    TreatyFactory,
    TreatyKindFactory,
)

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}
SECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
VERB_ELEMENTS = {
    "Identify",
    "ListMetadataFormats",
    "ListSets",
    "ListIdentifiers",
    "ListRecords",
    "GetRecord",
}


@pytest.fixture(autouse=True)
def repository_settings(settings):
    settings.SITE_BASE_URL = "https://treaties.example.org"
    settings.OAI_REPOSITORY_IDENTIFIER = ""


def harvest(client, **params):
    """GET the endpoint, check the envelope every response must have, return the root."""
    response = client.get("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "{http://www.openarchives.org/OAI/2.0/}OAI-PMH"
    children = list(root)
    assert children[0].tag == f"{{{NS['oai']}}}responseDate"
    assert SECONDS.match(children[0].text)
    assert children[1].tag == f"{{{NS['oai']}}}request"
    assert children[1].text == "https://treaties.example.org/oai/"
    rest = [etree.QName(child).localname for child in children[2:]]
    # Exactly one verb element, or one or more errors.
    assert rest == ["error"] * len(rest) or (len(rest) == 1 and rest[0] in VERB_ELEMENTS), rest
    return root


def error_codes(root):
    return [e.get("code") for e in root.findall("oai:error", NS)]


def identifiers(root):
    return [e.text for e in root.findall(".//oai:header/oai:identifier", NS)]


def oai_id(slug):
    return f"oai:treaties.example.org:treaty/{slug}"


@pytest.mark.django_db
def test_identify_describes_the_repository(client):
    TreatyFactory(slug="treaty-of-berlin-1926")
    root = harvest(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == "Treaty Archive"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "https://treaties.example.org/oai/"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS)
    assert SECONDS.match(identify.findtext("oai:earliestDatestamp", namespaces=NS))
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "transient"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(".//id:repositoryIdentifier", namespaces=NS) == "treaties.example.org"
    assert root.find("oai:request", NS).get("verb") == "Identify"


@pytest.mark.django_db
def test_list_metadata_formats_offers_oai_dc(client):
    treaty = TreatyFactory()
    for params in ({}, {"identifier": oai_id(treaty.slug)}):
        root = harvest(client, verb="ListMetadataFormats", **params)
        prefixes = [e.text for e in root.findall(".//oai:metadataPrefix", NS)]
        assert prefixes == ["oai_dc"]
        assert root.findtext(".//oai:metadataNamespace", namespaces=NS) == NS["oai_dc"]
    root = harvest(client, verb="ListMetadataFormats", identifier=oai_id("no-such-treaty"))
    assert error_codes(root) == ["idDoesNotExist"]


@pytest.mark.django_db
def test_get_record_gives_dublin_core_of_a_published_treaty(client):
    state = StateFactory(code="SUN", name="Soviet Union")
    treaty = TreatyFactory(
        title="Treaty of Berlin",
        slug="treaty-of-berlin-1926",
        summary="Neutrality treaty.",
        same_as="https://www.wikidata.org/wiki/Q1140356",
    )
    treaty.subjects.add(SubjectFactory(name="Neutrality"))
    ParticipationFactory(treaty=treaty, state=state)
    root = harvest(client, verb="GetRecord", identifier=oai_id(treaty.slug), metadataPrefix="oai_dc")
    request = root.find("oai:request", NS)
    assert request.get("identifier") == oai_id(treaty.slug)
    assert request.get("metadataPrefix") == "oai_dc"
    header = root.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id(treaty.slug)
    assert SECONDS.match(header.findtext("oai:datestamp", namespaces=NS))
    assert [e.text for e in header.findall("oai:setSpec", NS)] == ["kind:treaty", "party:SUN"]
    dc = root.find("oai:GetRecord/oai:record/oai:metadata/oai_dc:dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "Treaty of Berlin"
    assert dc.findtext("dc:creator", namespaces=NS) == "Soviet Union"
    assert dc.findtext("dc:subject", namespaces=NS) == "Neutrality"
    assert dc.findtext("dc:date", namespaces=NS) == "1926-04-24"
    assert "https://treaties.example.org/treaties/treaty-of-berlin-1926/" in [
        e.text for e in dc.findall("dc:identifier", NS)
    ]
    assert dc.findtext("dc:relation", namespaces=NS) == "https://www.wikidata.org/wiki/Q1140356"


@pytest.mark.django_db
def test_withdrawn_records_are_deleted_and_drafts_are_not_exposed(client):
    withdrawn = TreatyFactory(status=Status.WITHDRAWN)
    draft = TreatyFactory(status=Status.DRAFT)
    published = TreatyFactory()
    root = harvest(client, verb="GetRecord", identifier=oai_id(withdrawn.slug), metadataPrefix="oai_dc")
    record = root.find("oai:GetRecord/oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None
    root = harvest(client, verb="GetRecord", identifier=oai_id(draft.slug), metadataPrefix="oai_dc")
    assert error_codes(root) == ["idDoesNotExist"]
    root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert sorted(identifiers(root)) == sorted([oai_id(withdrawn.slug), oai_id(published.slug)])
    deleted = [h.findtext("oai:identifier", namespaces=NS) for h in root.iterfind(".//oai:header", NS)]
    statuses = {
        h.findtext("oai:identifier", namespaces=NS): h.get("status") for h in root.iterfind(".//oai:header", NS)
    }
    assert statuses == {oai_id(withdrawn.slug): "deleted", oai_id(published.slug): None}
    assert len(deleted) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("verb", ["ListIdentifiers", "ListRecords"])
def test_a_harvest_following_resumption_tokens_returns_every_record_exactly_once(client, settings, verb):
    settings.OAI_PAGE_SIZE = 3
    published = {oai_id(TreatyFactory().slug) for _ in range(10)}
    TreatyFactory(status=Status.DRAFT)
    TreatyFactory(status=Status.REVIEW)
    seen = []
    root = harvest(client, verb=verb, metadataPrefix="oai_dc")
    pages = 1
    while True:
        seen += identifiers(root)
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None or not token.text:
            break
        assert token.get("completeListSize") == "10"
        assert token.get("cursor") == str((pages - 1) * 3)
        assert SECONDS.match(token.get("expirationDate"))
        root = harvest(client, verb=verb, resumptionToken=token.text)
        assert root.find("oai:request", NS).get("resumptionToken") == token.text
        pages += 1
    assert pages == 4
    assert token is not None and token.text is None  # the last page ends the list with an empty token
    assert token.get("cursor") == "9"
    assert len(seen) == len(set(seen)) == 10
    assert set(seen) == published


@pytest.mark.django_db
def test_sets_by_kind_and_by_party(client, settings):
    settings.OAI_PAGE_SIZE = 2
    pact = TreatyKindFactory(name="Pact", slug="pact")
    soviet = StateFactory(code="SUN", name="Soviet Union")
    germany = StateFactory(code="DEU", name="Germany")
    both = TreatyFactory()
    ParticipationFactory(treaty=both, state=soviet)
    ParticipationFactory(treaty=both, state=germany)
    a_pact = TreatyFactory(kind=pact)
    ParticipationFactory(treaty=a_pact, state=soviet)
    lone = TreatyFactory()
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="party:SUN")
    assert sorted(identifiers(root)) == sorted([oai_id(both.slug), oai_id(a_pact.slug)])
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:pact")
    assert identifiers(root) == [oai_id(a_pact.slug)]
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:treaty")
    assert sorted(identifiers(root)) == sorted([oai_id(both.slug), oai_id(lone.slug)])
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="party:XXX")
    assert error_codes(root) == ["noRecordsMatch"]
    # ListSets pages through every set with tokens, too.
    specs = []
    root = harvest(client, verb="ListSets")
    while True:
        specs += [e.text for e in root.findall(".//oai:setSpec", NS)]
        token = root.find("oai:ListSets/oai:resumptionToken", NS)
        if token is None or not token.text:
            break
        root = harvest(client, verb="ListSets", resumptionToken=token.text)
    assert specs == ["kind", "party", "kind:pact", "kind:treaty", "party:DEU", "party:SUN"]


@pytest.mark.django_db
def test_from_and_until_select_by_last_change_in_both_granularities(client):
    old, middle, new = TreatyFactory(), TreatyFactory(), TreatyFactory()
    stamps = {
        old: datetime.datetime(2020, 1, 1, 12, 0, 0, tzinfo=datetime.UTC),
        middle: datetime.datetime(2021, 6, 15, 8, 30, 15, 500000, tzinfo=datetime.UTC),
        new: datetime.datetime(2022, 3, 1, 0, 0, 0, tzinfo=datetime.UTC),
    }
    for treaty, stamp in stamps.items():
        Treaty.objects.filter(pk=treaty.pk).update(updated=stamp)

    def listed(**dates):
        return identifiers(harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **dates))

    assert listed(**{"from": "2021-06-15"}) == [oai_id(middle.slug), oai_id(new.slug)]
    assert listed(until="2021-06-15") == [oai_id(old.slug), oai_id(middle.slug)]
    assert listed(**{"from": "2021-06-15T08:30:15Z", "until": "2021-06-15T08:30:15Z"}) == [oai_id(middle.slug)]
    assert listed(**{"from": "2021-06-15T08:30:16Z", "until": "2022-01-01T00:00:00Z"}) == []
    root = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2019-12-31")
    assert error_codes(root) == ["noRecordsMatch"]
    header_stamp = harvest(client, verb="GetRecord", identifier=oai_id(middle.slug), metadataPrefix="oai_dc").findtext(
        ".//oai:datestamp", namespaces=NS
    )
    assert header_stamp == "2021-06-15T08:30:15Z"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "badVerb"),
        ({"verb": "Explode"}, "badVerb"),
        ({"verb": ["Identify", "Identify"]}, "badVerb"),
        ({"verb": "Identify", "set": "kind"}, "badArgument"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "oai_dc"]}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-13-45"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2021-02-01T00:00:00Z"},
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2022-01-01", "until": "2021-01-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "resumptionToken": "abc", "metadataPrefix": "oai_dc"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "marc21", "identifier": "IDENT"}, "cannotDisseminateFormat"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:elsewhere:treaty/x"}, "idDoesNotExist"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "colour:red"}, "noRecordsMatch"),
        ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "party:\x00"}, "badArgument"),
        ({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:x:treaty/\x00"}, "badArgument"),
        ({"verb": "ListRecords", "resumptionToken": "\x00\x01"}, "badArgument"),
        ({"verb": "Identify\x00"}, "badArgument"),
    ],
)
def test_protocol_errors(client, params, code):
    treaty = TreatyFactory()
    params = {key: (oai_id(treaty.slug) if value == "IDENT" else value) for key, value in params.items()}
    root = harvest(client, **params)
    assert error_codes(root) == [code]
    assert root.find("oai:error", NS).text  # every error says why
    request = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # only the base URL is echoed after these
    else:
        assert request.get("verb") == params["verb"]


@pytest.mark.django_db
def test_expired_and_foreign_resumption_tokens_are_refused(client, settings):
    settings.OAI_PAGE_SIZE = 1
    TreatyFactory()
    TreatyFactory()
    token = harvest(client, verb="ListIdentifiers", metadataPrefix="oai_dc").findtext(
        ".//oai:resumptionToken", namespaces=NS
    )
    assert token
    # A token of another verb.
    assert error_codes(harvest(client, verb="ListRecords", resumptionToken=token)) == ["badResumptionToken"]
    # A token signed for another purpose.
    forged = signing.dumps({"verb": "ListIdentifiers"}, salt="something-else")
    assert error_codes(harvest(client, verb="ListIdentifiers", resumptionToken=forged)) == ["badResumptionToken"]
    settings.OAI_TOKEN_MAX_AGE = -1
    assert error_codes(harvest(client, verb="ListIdentifiers", resumptionToken=token)) == ["badResumptionToken"]


@pytest.mark.django_db
def test_post_requests_are_answered_like_get(client):
    treaty = TreatyFactory()
    response = client.post("/oai/", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    root = etree.fromstring(response.content)
    assert identifiers(root) == [oai_id(treaty.slug)]


@pytest.mark.django_db
def test_list_records_query_count_does_not_grow_with_the_page(client, settings, django_assert_max_num_queries):
    settings.OAI_PAGE_SIZE = 50
    for _ in range(20):
        treaty = TreatyFactory()
        ParticipationFactory(treaty=treaty)
        treaty.subjects.add(SubjectFactory())
    with django_assert_max_num_queries(8):
        root = harvest(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert len(identifiers(root)) == 20


def test_identifier_namespace_defaults_to_the_site_host(settings):
    settings.SITE_BASE_URL = "https://archive.example.net"
    settings.OAI_REPOSITORY_IDENTIFIER = ""
    assert oai_views.repository.repository_identifier() == "archive.example.net"
    settings.OAI_REPOSITORY_IDENTIFIER = "treaties.example.org"
    assert oai_views.repository.repository_identifier() == "treaties.example.org"
