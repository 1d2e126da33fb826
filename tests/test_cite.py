"""Citation export: the formatted text, BibTeX, RIS and CSL-JSON, each read back by a standard parser."""

import datetime
import json

import bibtexparser
import pytest
import rispy
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import resolve

from catalogue import cite
from catalogue.models import Source, Status, Treaty
from tests.factories import (
    ParticipationFactory,
    PlaceFactory,
    ProtocolFactory,
    SourceFactory,
    StateFactory,
    TreatyFactory,
    TreatyKindFactory,
)

ACCESSED = datetime.date(2025, 5, 1)
# The CSL 1.0.2 item types (https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types).
CSL_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "chapter",
    "document",
    "entry",
    "entry-encyclopedia",
    "legislation",
    "manuscript",
    "treaty",
    "webpage",
}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_BASE_URL = "https://treaties.example.org"
    settings.SITE_NAME = "Treaty Archive"


@pytest.fixture
def berlin(db):
    treaty = TreatyFactory(
        title="Treaty of Berlin",
        short_title="Berlin Treaty",
        slug="treaty-of-berlin-1926",
        signed="1926-04-24",
        place_signed=PlaceFactory(name="Berlin", slug="berlin"),
        summary="A treaty of neutrality\nand non-aggression.",
        identifier="atop:1234",
    )
    ParticipationFactory(treaty=treaty, state=StateFactory(code="DEU", name="Germany"))
    return treaty


@pytest.fixture
def carr(db):
    return SourceFactory(
        key="carr-1951",
        kind=Source.Kind.BOOK,
        authors="Carr, Edward Hallett; Davies, R. W.",
        title="German-Soviet Relations between the Two World Wars, 1919–1939",
        publisher="Johns Hopkins Press",
        place_published="Baltimore",
        year=1951,
        isbn="0-8018-0103-4",
    )


def test_treaty_citation_text(berlin):
    assert cite.format_citation(berlin, accessed=ACCESSED) == (
        "“Treaty of Berlin (1926).” In Treaty Archive, record treaty-of-berlin-1926. "
        "https://treaties.example.org/treaties/treaty-of-berlin-1926/. Accessed 1 May 2025."
    )


def test_year_is_not_repeated_when_the_title_has_it(db):
    treaty = TreatyFactory(title="Treaty of Rapallo (1922)", slug="rapallo", signed="1922-04-16")
    assert cite.format_citation(treaty, accessed=ACCESSED).startswith("“Treaty of Rapallo (1922).” In Treaty Archive")


def test_source_citation_text(carr):
    assert cite.format_citation(carr) == (
        "Carr, Edward Hallett; Davies, R. W. German-Soviet Relations between the Two World Wars, 1919–1939. "
        "Baltimore, Johns Hopkins Press. 1951."
    )


def test_citation_html_escapes_the_record(db):
    treaty = TreatyFactory(title="<b>Bold</b> & treaty", slug="bold")
    html = str(cite.format_citation_html(treaty, accessed=ACCESSED))
    assert "<b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; treaty" in html
    assert "<cite>Treaty Archive</cite>" in html


def test_bibtex_parses_with_bibtexparser(berlin, carr):
    text = cite.to_bibtex([berlin, carr], accessed=ACCESSED)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    treaty, book = library.entries
    assert (treaty.entry_type, treaty.key) == ("misc", "treaty-of-berlin-1926")
    assert treaty["title"] == "Treaty of Berlin (1926)"
    assert (treaty["year"], treaty["month"], treaty["day"]) == ("1926", "4", "24")
    assert treaty["url"] == "https://treaties.example.org/treaties/treaty-of-berlin-1926/"
    assert treaty["urldate"] == "2025-05-01"
    assert treaty["howpublished"] == "Treaty Archive"
    assert (book.entry_type, book.key) == ("book", "carr-1951")
    assert book["author"] == "Carr, Edward Hallett and Davies, R. W."
    assert book["publisher"] == "Johns Hopkins Press"
    assert book["address"] == "Baltimore"
    assert book["year"] == "1951"
    assert book["isbn"] == "0-8018-0103-4"


def test_bibtex_survives_braces_and_latex_specials(db):
    treaty = TreatyFactory(title="Pact {draft} of 50% & more_#1 \\ end", slug="odd")
    library = bibtexparser.parse_string(cite.to_bibtex([treaty]))
    assert library.failed_blocks == []
    assert library.entries[0]["title"] == r"Pact (draft) of 50\% \& more\_\#1 / end (1926)"


@pytest.mark.parametrize(
    ("kind", "bibtex_type", "ris_type", "csl_type"),
    [
        (Source.Kind.ARTICLE, "article", "JOUR", "article-journal"),
        (Source.Kind.CHAPTER, "incollection", "CHAP", "chapter"),
        (Source.Kind.WEB_PAGE, "misc", "ELEC", "webpage"),
        (Source.Kind.ARCHIVAL, "unpublished", "MANSCPT", "manuscript"),
    ],
)
def test_source_kinds_map_to_each_formats_types(db, kind, bibtex_type, ris_type, csl_type):
    source = SourceFactory(kind=kind, container_title="Journal of Modern History", url="https://example.org/a")
    entry = bibtexparser.parse_string(cite.to_bibtex([source])).entries[0]
    assert entry.entry_type == bibtex_type
    assert rispy.loads(cite.to_ris([source]))[0]["type_of_reference"] == ris_type
    assert json.loads(cite.to_csl_json([source]))[0]["type"] == csl_type
    if kind == Source.Kind.ARTICLE:
        assert entry["journal"] == "Journal of Modern History"


def test_ris_parses_with_rispy(berlin, carr):
    references = rispy.loads(cite.to_ris([berlin, carr], accessed=ACCESSED))
    treaty, book = references
    assert treaty["type_of_reference"] == "LEGAL"
    assert treaty["title"] == "Treaty of Berlin (1926)"
    assert treaty["year"] == "1926"
    assert treaty["date"] == "1926/04/24"
    assert treaty["urls"] == ["https://treaties.example.org/treaties/treaty-of-berlin-1926/"]
    assert treaty["abstract"] == "A treaty of neutrality and non-aggression."  # one line
    assert treaty["access_date"] == "2025/05/01"
    assert treaty["number"] == "atop:1234"
    assert book["type_of_reference"] == "BOOK"
    assert book["authors"] == ["Carr, Edward Hallett", "Davies, R. W."]
    assert book["publisher"] == "Johns Hopkins Press"
    assert book["place_published"] == "Baltimore"


def test_csl_json_items_have_the_csl_fields(berlin, carr):
    items = json.loads(cite.to_csl_json([berlin, carr], accessed=ACCESSED))
    treaty, book = items
    assert treaty["type"] in CSL_TYPES and treaty["type"] == "treaty"
    assert treaty["id"] == "treaty-of-berlin-1926"
    assert treaty["title"] == "Treaty of Berlin (1926)"
    assert treaty["title-short"] == "Berlin Treaty"
    assert treaty["issued"] == {"date-parts": [[1926, 4, 24]]}
    assert treaty["accessed"] == {"date-parts": [[2025, 5, 1]]}
    assert treaty["URL"] == "https://treaties.example.org/treaties/treaty-of-berlin-1926/"
    assert treaty["container-title"] == "Treaty Archive"
    assert treaty["event-place"] == "Berlin"
    assert book["type"] == "book"
    assert book["author"] == [{"family": "Carr", "given": "Edward Hallett"}, {"family": "Davies", "given": "R. W."}]
    assert book["issued"] == {"date-parts": [[1951]]}
    assert book["ISBN"] == "0-8018-0103-4"
    assert book["publisher-place"] == "Baltimore"


@pytest.mark.parametrize(
    ("signed", "parts"),
    [("1926-06", [1926, 6]), ("1926", [1926]), ("~1887", [1887]), ("1926/1927", None), ("", None)],
)
def test_uncertain_dates_cite_as_precisely_as_known(db, signed, parts):
    item = cite.csl_item(TreatyFactory(signed=signed))
    if parts is None:
        assert "date-parts" not in item.get("issued", {})
    else:
        assert item["issued"] == {"date-parts": [parts]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "content_type", "parse"),
    [
        ("/treaties/treaty-of-berlin-1926.bib", "application/x-bibtex", "bib"),
        ("/treaties/treaty-of-berlin-1926.ris", "application/x-research-info-systems", "ris"),
        ("/treaties/treaty-of-berlin-1926.csl.json", "application/vnd.citationstyles.csl+json", "csl"),
        ("/sources/carr-1951.bib", "application/x-bibtex", "bib"),
        ("/sources/carr-1951.ris", "application/x-research-info-systems", "ris"),
        ("/sources/carr-1951.csl.json", "application/vnd.citationstyles.csl+json", "csl"),
    ],
)
def test_record_citation_downloads(client, berlin, carr, url, content_type, parse):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = response.content.decode()
    if parse == "bib":
        entries = bibtexparser.parse_string(text).entries
        assert [e.key for e in entries] == [url.split("/")[-1].split(".")[0]]
    elif parse == "ris":
        assert [r["id"] for r in rispy.loads(text)] == [url.split("/")[-1].split(".")[0]]
    else:
        assert [item["id"] for item in json.loads(text)] == [url.split("/")[-1].split(".")[0]]


@pytest.mark.django_db
def test_protocol_citation_download(client):
    protocol = ProtocolFactory(slug="berlin-prolongation-1931", title="Protocol prolonging the Treaty of Berlin")
    library = bibtexparser.parse_string(client.get(f"/protocols/{protocol.slug}.bib").content.decode())
    assert library.entries[0]["title"] == "Protocol prolonging the Treaty of Berlin (1931)"


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "code"), [(Status.DRAFT, 404), (Status.REVIEW, 404), (Status.WITHDRAWN, 410)])
def test_unpublished_treaties_have_no_citation_download(client, status, code):
    treaty = TreatyFactory(status=status, withdrawal_note="A duplicate.")
    protocol = ProtocolFactory(treaty=TreatyFactory(), status=status, withdrawal_note="A duplicate.")
    for url in (f"/treaties/{treaty.slug}.bib", f"/treaties/{treaty.slug}.jsonld", f"/protocols/{protocol.slug}.ris"):
        response = client.get(url)
        assert response.status_code == code
        if code == 410:
            assert response.json()["withdrawal_note"] == "A duplicate."
    assert client.get("/treaties/no-such-treaty.bib").status_code == 404


@pytest.mark.django_db
def test_result_list_citations_hold_every_matching_treaty(client):
    germany = StateFactory(code="DEU", name="Germany")
    matching = [TreatyFactory() for _ in range(3)]
    for treaty in matching:
        ParticipationFactory(treaty=treaty, state=germany)
    TreatyFactory()  # not a party
    TreatyFactory(status=Status.DRAFT)
    bib = bibtexparser.parse_string(b"".join(client.get("/treaties.bib?party=DEU").streaming_content).decode())
    assert sorted(e.key for e in bib.entries) == sorted(t.slug for t in matching)
    ris = rispy.loads(b"".join(client.get("/treaties.ris?party=DEU").streaming_content).decode())
    assert sorted(r["id"] for r in ris) == sorted(t.slug for t in matching)
    csl = json.loads(b"".join(client.get("/treaties.csl.json?party=DEU").streaming_content))
    assert sorted(i["id"] for i in csl) == sorted(t.slug for t in matching)
    everything = json.loads(b"".join(client.get("/treaties.csl.json").streaming_content))
    assert len(everything) == Treaty.objects.published().count() == 4


@pytest.mark.django_db
def test_source_list_citations(client, carr):
    SourceFactory(key="second")
    references = rispy.loads(b"".join(client.get("/sources.ris").streaming_content).decode())
    assert sorted(r["id"] for r in references) == ["carr-1951", "second"]


# -- the includes the public pages use -------------------------------------


def render(template: str, **context) -> str:
    return Template("{% load cite_tags %}" + template).render(Context(context))


@pytest.mark.django_db
def test_cite_box_renders_citation_permalink_and_downloads(berlin):
    html = render("{% include 'catalogue/includes/cite_box.html' %}", record=berlin)
    assert "“Treaty of Berlin (1926).” In <cite>Treaty Archive</cite>, record treaty-of-berlin-1926." in html
    assert 'href="https://treaties.example.org/treaties/treaty-of-berlin-1926/"' in html
    for url in (".bib", ".ris", ".csl.json"):
        assert f'href="/treaties/treaty-of-berlin-1926{url}"' in html


@pytest.mark.django_db
def test_includes_render_for_any_record(carr):
    citable = [
        TreatyFactory(signed="", summary=""),
        carr,
        SourceFactory(authors="", title="Anonymous"),
        ProtocolFactory(),
    ]
    not_citable = [StateFactory(), Treaty(title="Unsaved", kind=TreatyKindFactory()), None, ""]
    template = (
        "{% include 'catalogue/includes/cite_box.html' %}{% include 'catalogue/includes/treaty_head_links.html' %}"
    )
    for record in citable:
        assert "Cite this record" in render(template, record=record, treaty=record)
    for record in not_citable:
        assert render(template, record=record, treaty=record).strip() == ""


@pytest.mark.django_db
def test_export_links_keep_the_query_but_not_the_page(client):
    request = RequestFactory().get("/treaties/", {"q": "neutrality", "kind": "treaty", "page": "3", "page_size": "100"})
    request.resolver_match = resolve("/treaties/")
    TreatyKindFactory()
    html = render("{% include 'catalogue/includes/export_links.html' %}", request=request)
    for fmt in ("csv", "json", "bib", "ris", "csl.json"):
        assert f'href="/treaties.{fmt}?q=neutrality&amp;kind=treaty"' in html


@pytest.mark.django_db
def test_export_links_drop_what_the_page_ignores(client):
    TreatyKindFactory()
    request = RequestFactory().get("/treaties/", {"kind": ["treaty", "no-such-kind"], "bogus": "1"})
    request.resolver_match = resolve("/treaties/")
    html = render("{% include 'catalogue/includes/export_links.html' %}", request=request)
    assert 'href="/treaties.csv?kind=treaty"' in html
    # and the link works:
    assert client.get("/treaties.bib?kind=treaty").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "export", "formats"),
    [
        ("/protocols/", "/protocols", ("csv", "json")),
        ("/parties/", "/parties", ("csv", "json")),
        ("/sources/", "/sources", ("csv", "json", "bib", "ris", "csl.json")),
    ],
)
def test_export_links_on_the_other_lists(page, export, formats):
    request = RequestFactory().get(page, {"page": "2"})
    request.resolver_match = resolve(page)
    html = render("{% include 'catalogue/includes/export_links.html' %}", request=request)
    assert html.count("<li>") == len(formats)
    for fmt in formats:
        assert f'href="{export}.{fmt}"' in html


def test_export_links_render_nothing_elsewhere():
    request = RequestFactory().get("/")
    request.resolver_match = resolve("/")
    assert render("{% include 'catalogue/includes/export_links.html' %}", request=request).strip() == ""
    assert render("{% include 'catalogue/includes/export_links.html' %}").strip() == ""


@pytest.mark.django_db
def test_list_pages_offer_the_downloads_of_their_query(client):
    germany = StateFactory(code="DEU", name="Germany")
    ParticipationFactory(treaty=TreatyFactory(), state=germany)
    html = client.get("/treaties/?party=DEU&page=1").content.decode()
    assert 'href="/treaties.csv?party=DEU"' in html
    assert 'href="/treaties.bib?party=DEU"' in html
    for page, export in (
        ("/protocols/", "/protocols.csv"),
        ("/parties/", "/parties.csv"),
        ("/sources/", "/sources.csv"),
    ):
        assert f'href="{export}"' in client.get(page).content.decode()
