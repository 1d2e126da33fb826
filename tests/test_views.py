"""The public pages: what they show, the publication rules (404, 410, 301), and bounded queries."""

import re

import lxml.html
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from catalogue import models as m
from catalogue.views import TreatyDetailView
from tests import factories as f
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def html(response):
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.content.decode())


def result_count(doc) -> int:
    return int(doc.xpath("//*[@data-result-count]")[0].get("data-result-count"))


def test_home_says_what_the_catalogue_holds(client, world):
    doc = html(client.get("/"))
    counts = {e.get("data-count-of"): int(e.text) for e in doc.xpath("//*[@data-count-of]")}
    assert counts == {"treaties": 3, "protocols": 1, "parties": 3, "registrations": 3, "sources": 3}
    assert doc.xpath("//a[@href='/treaties/?kind=peace-treaty']")
    assert doc.xpath("//a[@href='/treaties/?decade=1920']")
    per_series = [
        int(e.get("data-count")) for e in doc.xpath("//section[@aria-labelledby='series-heading']//*[@data-count]")
    ]
    assert sorted(per_series) == [1, 2]  # LNTS holds the treaty's and the protocol's registrations


def test_list_shows_only_published_treaties_in_date_order(client, world):
    doc = html(client.get("/treaties/"))
    assert [li.get("data-slug") for li in doc.xpath("//li[@data-slug]")] == [
        "treaty-of-brest-litovsk-1918",
        "treaty-of-rapallo-1922",
        "treaty-of-berlin-1926",
    ]
    assert result_count(doc) == 3


@pytest.mark.parametrize("query", ["", "party=DEU-WEIMAR", "party=SUN&party=RSFSR&kind=treaty", "decade=1920&q=treaty"])
def test_every_facet_count_on_the_page_equals_the_results_of_its_value(client, world, query):
    doc = html(client.get(f"/treaties/?{query}"))
    links = doc.xpath("//a[@data-facet]")
    assert links
    for link in links:
        facet, value, count = link.get("data-facet"), link.get("data-value"), int(link.get("data-count"))
        narrowed = QueryDict(query, mutable=True)
        narrowed.setlist(facet, [value])
        assert result_count(html(client.get(f"/treaties/?{narrowed.urlencode()}"))) == count, (facet, value)


def test_facet_link_toggles_the_value_and_keeps_the_rest_of_the_state(client, world):
    doc = html(client.get("/treaties/?party=DEU-WEIMAR&sort=-date&page_size=50"))
    link = doc.xpath("//a[@data-facet='kind'][@data-value='peace-treaty']")[0]
    href = link.get("href")
    assert QueryDict(href[1:]).getlist("party") == ["DEU-WEIMAR"]
    assert QueryDict(href[1:])["sort"] == "-date" and QueryDict(href[1:])["page_size"] == "50"
    selected = doc.xpath("//a[@data-facet='party'][@data-value='DEU-WEIMAR']")[0]
    assert "party" not in QueryDict(selected.get("href")[1:])  # choosing it again removes it


def test_chips_remove_one_filter_and_clear_all(client, world):
    doc = html(client.get("/treaties/?party=SUN&kind=treaty&signed_from=1920"))
    chips = {(c.get("data-chip"), c.get("data-value")): c.get("href") for c in doc.xpath("//a[@data-chip]")}
    assert set(chips) == {("party", "SUN"), ("kind", "treaty"), ("signed_from", "1920")}
    assert QueryDict(chips[("party", "SUN")][1:]).dict() == {"kind": "treaty", "signed_from": "1920"}
    assert doc.xpath("//a[@data-clear-all]")[0].get("href") == "/treaties/"


def test_zero_count_values_are_hidden(client, world):
    doc = html(client.get("/treaties/?kind=peace-treaty"))
    parties = {a.get("data-value") for a in doc.xpath("//a[@data-facet='party']")}
    assert parties == {"RSFSR", "DEU-WEIMAR"}
    assert all(int(a.get("data-count")) > 0 for a in doc.xpath("//a[@data-facet]") if "selected" not in a.get("class"))


def test_home_histogram_bars_lead_to_the_list_of_their_period(client, world):
    doc = html(client.get("/"))
    hrefs = [a.get("href") for a in doc.xpath("//*[local-name()='a'][@data-bar]")]
    assert hrefs and all(href.startswith("/treaties/?") for href in hrefs)
    assert result_count(html(client.get(hrefs[0]))) >= 1


def test_histogram_bars_link_to_their_year(client, world):
    doc = html(client.get("/treaties/"))
    bars = {a.get("data-bar"): a for a in doc.xpath("//*[local-name()='a'][@data-bar]")}
    assert set(bars) == {"1918", "1922", "1926"}
    href = bars["1922"].get("href")
    assert result_count(html(client.get(f"/treaties/{href}"))) == 1


def test_search_sorts_by_relevance_and_offers_it_only_when_searching(client, world):
    doc = html(client.get("/treaties/?q=Rapallo"))
    assert [li.get("data-slug") for li in doc.xpath("//li[@data-slug]")][0] == "treaty-of-rapallo-1922"
    assert doc.xpath("//select[@name='sort']/option[@value='relevance'][@selected]")
    doc = html(client.get("/treaties/"))
    assert not doc.xpath("//select[@name='sort']/option[@value='relevance']")


def test_in_force_on_a_date_on_the_page(client, world):
    doc = html(client.get("/treaties/?in_force_on=1927-01-01"))
    slugs = [li.get("data-slug") for li in doc.xpath("//li[@data-slug]")]
    assert "treaty-of-berlin-1926" in slugs and "treaty-of-brest-litovsk-1918" not in slugs


def test_pagination_with_chosen_page_size(client, db):
    for i in range(25):
        f.TreatyFactory(signed=f"{1900 + i}")
    doc = html(client.get("/treaties/?page_size=20&page=2"))
    assert len(doc.xpath("//li[@data-slug]")) == 5
    assert result_count(doc) == 25
    assert doc.xpath("//a[@rel='prev']")[0].get("href") == "?page_size=20&page=1"


def test_detail_shows_registrations_protocol_claims_and_footnotes(client, world):
    doc = html(client.get("/treaties/treaty-of-berlin-1926/"))
    assert doc.xpath("//h1")[0].text_content().strip() == "Treaty of Berlin"
    registrations = doc.xpath("//tr[@data-registration]")
    assert len(registrations) == 2
    assert {"1268", "3203"} <= {c.text_content().strip() for r in registrations for c in r.xpath("td")}
    assert doc.xpath("//tr[@data-protocol='berlin-prolongation-1931']")
    claims = [c.text_content() for c in doc.xpath("//*[@data-claims='prolongation']//li[@data-claim]")]
    assert len(claims) == 2 and "three years" in claims[0] and "one year" in claims[1]
    # Every dated fact of the treaty carries a footnote marker leading to a note at the foot.
    for fact in ("signed", "ratifications_exchanged", "entry_into_force", "ended"):
        markers = doc.xpath(f"//div[@data-fact='{fact}']//sup[@class='fn']/a")
        assert markers, fact
        target = markers[0].get("href")[1:]
        assert doc.xpath(f"//li[@id='{target}']"), target
    assert doc.xpath("//li[@data-relation]")[0].text_content().count("Treaty of Rapallo") == 1
    assert (
        doc.xpath("//svg[contains(@class, 'timeline-svg')]")
        or b"timeline-svg" in client.get("/treaties/treaty-of-berlin-1926/").content
    )


def test_footnotes_are_numbered_once_in_reading_order(client, world):
    doc = html(client.get("/treaties/treaty-of-berlin-1926/"))
    numbers = [int(a.text) for a in doc.xpath("//sup[@class='fn']/a")]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(doc.xpath("//section[@class='footnotes']//li[@data-footnote-target]")) == len(numbers)


def test_related_treaty_shown_from_the_other_end(client, world):
    doc = html(client.get("/treaties/treaty-of-rapallo-1922/"))
    text = doc.xpath("//li[@data-relation]")[0].text_content()
    assert "is reaffirmed by" in text and "Treaty of Berlin" in text


def test_draft_is_404_and_withdrawn_is_410_with_its_note(client, world):
    assert client.get("/treaties/draft-treaty/").status_code == 404
    gone = client.get("/treaties/withdrawn-duplicate/")
    assert gone.status_code == 410
    assert "A duplicate of the Treaty of Berlin" in gone.content.decode()
    draft_protocol = f.ProtocolFactory(treaty=world.berlin, slug="draft-protocol", status=m.Status.DRAFT)
    assert client.get(draft_protocol.get_absolute_url()).status_code == 404
    hidden = f.ProtocolFactory(treaty=world.draft, slug="protocol-of-a-draft")
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_withdrawn_protocol_is_410(client, world):
    protocol = f.ProtocolFactory(
        treaty=world.berlin, slug="withdrawn-protocol", status=m.Status.WITHDRAWN, withdrawal_note="Entered twice."
    )
    response = client.get(protocol.get_absolute_url())
    assert response.status_code == 410 and "Entered twice." in response.content.decode()
    assert "withdrawn-protocol" not in client.get("/protocols/").content.decode()


def test_preview_subclass_can_show_a_draft_by_widening_the_queryset(rf, client, world):
    class Preview(TreatyDetailView):
        def get_queryset(self):
            return m.Treaty.objects.all().for_detail()

        def get_context_data(self, **kwargs):
            return {**super().get_context_data(**kwargs), "is_preview": True}

    response = Preview.as_view()(rf.get("/x/"), slug="draft-treaty")
    assert response.status_code == 200
    assert "Secret draft of Rapallo" in response.rendered_content
    assert "not visible to the public" in response.rendered_content
    public = html(client.get("/treaties/treaty-of-berlin-1926/"))
    assert not public.xpath("//*[contains(@class, 'preview-banner')]")
    assert public.xpath("//link[@rel='canonical']")[0].get("href").endswith("/treaties/treaty-of-berlin-1926/")


def test_old_slug_redirects_permanently(client, world):
    world.berlin.slug = "berlin-1926"
    world.berlin.save()
    response = client.get("/treaties/treaty-of-berlin-1926/")
    assert response.status_code == 301
    assert response["Location"] == "/treaties/berlin-1926/"


def test_state_series_and_source_pages(client, world):
    doc = html(client.get("/parties/soviet-union/"))
    assert result_count(doc) == 1
    doc = html(client.get("/parties/"))
    assert "Ukrainian" not in doc.text_content()  # no published treaty
    doc = html(client.get("/series/lnts/"))
    assert {a.get("data-volume") for a in doc.xpath("//a[@data-volume]")} == {"53", "137"}
    doc = html(client.get("/series/lnts/?volume=137"))
    assert result_count(doc) == 1 and "Protocol prolonging" in doc.text_content()
    doc = html(client.get("/sources/lnts-53/"))
    assert [li.get("data-cited-by") for li in doc.xpath("//li[@data-cited-by]")] == ["treaty-of-berlin-1926"]
    f.CitationFactory(source=world.source_c, treaty=world.draft, fact="signed")
    doc = html(client.get("/sources/"))
    assert "cited 0 times" in doc.xpath("//li[a[@href='/sources/unused-source/']]")[0].text_content()
    doc = html(client.get("/sources/unused-source/"))
    assert not doc.xpath("//li[@data-cited-by]")
    doc = html(client.get("/protocols/berlin-prolongation-1931/"))
    assert len(doc.xpath("//*[@data-claims='prolongation']//li")) == 2


def test_accessibility_basics(client, world):
    for url in ("/", "/treaties/", "/treaties/treaty-of-berlin-1926/"):
        doc = html(client.get(url))
        assert doc.xpath("//main[@id='main']") and doc.xpath("//header") and doc.xpath("//footer")
        assert doc.xpath("//nav[@aria-label='Main']")
        assert len(doc.xpath("//h1")) == 1
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4")]
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (url, levels)
        for field in doc.xpath("//input[not(@type='hidden')]|//select"):
            assert doc.xpath(f"//label[@for='{field.get('id')}']"), (url, field.get("name"))
        for img in doc.xpath("//img"):
            assert img.get("alt")


def _catalogue(n):
    kind = f.TreatyKindFactory()
    series = f.TreatySeriesFactory()
    source = f.SourceFactory()
    states = [f.StateFactory() for _ in range(max(2, n // 5))]
    for i in range(n):
        t = f.TreatyFactory(kind=kind, signed=f"{1850 + i % 150}-01-01", title=f"Treaty number {i}")
        for state in states[i % len(states) : i % len(states) + 2]:
            f.ParticipationFactory(treaty=t, state=state)
        f.RegistrationFactory(treaty=t, series=series, registered="1960", number=str(i))
        f.CitationFactory(treaty=t, source=source, fact="signed")
    return t


def test_a_facet_shows_its_first_values_and_links_to_all_of_them(client, db):
    from catalogue.facets import FACET_TOP

    _catalogue(75)  # 15 parties
    doc = html(client.get("/treaties/?q=treaty&sort=title&page=2"))
    shown = [(a.get("data-value"), a.get("data-count")) for a in doc.xpath("//a[@data-facet='party']")]
    assert len(shown) == FACET_TOP
    everything = doc.xpath("//a[@data-facet-all='party']")[0].get("href")
    assert everything == "/treaties/facets/party/?q=treaty&sort=title"  # the query, without the page
    page = html(client.get(everything))
    links = page.xpath("//a[@data-facet='party']")
    assert [(a.get("data-value"), a.get("data-count")) for a in links][:FACET_TOP] == shown
    assert len(links) == m.State.objects.filter(participations__isnull=False).distinct().count() == 15
    for link in links:  # each leads to the list with that party added, which holds what its count says
        assert link.get("href").startswith("/treaties/?q=treaty&sort=title&party=")
        assert result_count(html(client.get(link.get("href")))) == int(link.get("data-count"))
    assert page.xpath("//a[@data-back]")[0].get("href") == "/treaties/?q=treaty&sort=title"
    assert result_count(page) == result_count(doc)


def test_a_chosen_value_after_the_first_ones_stays_on_the_list(client, db):
    from catalogue.facets import FACET_TOP

    _catalogue(75)
    everything = html(client.get("/treaties/facets/party/")).xpath("//a[@data-facet='party']")
    last = everything[-1].get("data-value")
    doc = html(client.get(f"/treaties/?party={last}&party={everything[0].get('data-value')}"))
    shown = [a.get("data-value") for a in doc.xpath("//a[@data-facet='party']")]
    assert len(shown) == FACET_TOP + 1 and shown[-1] == last
    assert "selected" in doc.xpath(f"//a[@data-facet='party'][@data-value='{last}']")[0].get("class")


def test_the_facet_page_answers_bad_input_clearly(client, db):
    _catalogue(12)
    assert client.get("/treaties/facets/nonsense/").status_code == 404
    doc = html(client.get("/treaties/facets/kind/?signed_from=not-a-date&page_size=7"))
    assert doc.xpath("//*[@data-notices]") and doc.xpath("//a[@data-facet='kind']")


@pytest.mark.parametrize("n", [10, 200])
def test_facet_page_queries_do_not_grow(client, db, n, django_assert_max_num_queries):
    _catalogue(n)
    with django_assert_max_num_queries(16):
        assert client.get("/treaties/facets/party/?q=treaty").status_code == 200


@pytest.mark.parametrize("n", [10, 200])
def test_list_page_queries_do_not_grow(client, db, n, django_assert_max_num_queries):
    _catalogue(n)
    with django_assert_max_num_queries(16):
        client.get("/treaties/?page_size=100&q=treaty")
    with django_assert_max_num_queries(16):
        assert client.get("/treaties/?page_size=100").status_code == 200


@pytest.mark.parametrize("n", [10, 200])
def test_detail_page_queries_do_not_grow(client, db, n, django_assert_max_num_queries):
    treaty = f.TreatyFactory(slug="big")
    source = f.SourceFactory()
    for i in range(n):
        p = f.ParticipationFactory(treaty=treaty, signed="1926-04-24")
        f.CitationFactory(treaty=None, participation=p, source=source, fact="signed")
        f.EventFactory(treaty=treaty)
        m.Article.objects.create(treaty=treaty, number=str(i), text="t")
    for _i in range(min(n, 20)):
        f.ProtocolFactory(treaty=treaty)
    with django_assert_max_num_queries(26):
        response = client.get("/treaties/big/")
    assert response.status_code == 200
    assert len(re.findall(rb'class="fn"', response.content)) == n


@pytest.mark.parametrize("n", [10, 200])
def test_state_page_queries_do_not_grow(client, db, n, django_assert_max_num_queries):
    last = _catalogue(n)
    state = last.participations.first().state
    with django_assert_max_num_queries(16):
        response = client.get(state.get_absolute_url() + "?page_size=200")
    assert response.status_code == 200
    assert response.content.count(b'class="result"') == m.Treaty.objects.with_party(state).count()


def test_list_rows_load_only_the_columns_a_row_shows(db):
    """``for_list``: no timestamps, notes or search text in a list row; what it shows costs no further query."""
    treaty = f.TreatyFactory(summary="A summary.", signed="1926-04-24")
    f.ParticipationFactory(treaty=treaty)
    row = m.Treaty.objects.for_list().get(pk=treaty.pk)
    assert {"created", "updated", "note", "search_document", "search_vector", "status"} <= row.get_deferred_fields()
    with CaptureQueriesContext(connection) as captured:
        shown = (row.get_absolute_url(), row.title, row.kind.name, row.signed_display, row.summary)
        parties = [p.state.name for p in row.participations.all()]
    assert captured.captured_queries == []
    assert shown[3] and shown[4] == "A summary." and len(parties) == 1
    assert {"created", "updated"} <= row.participations.all()[0].state.get_deferred_fields()


@pytest.mark.parametrize("url", ["/parties/", "/protocols/", "/sources/", "/series/", "/series/lnts/", "/"])
def test_other_pages_queries_are_bounded(client, db, url, django_assert_max_num_queries):
    _catalogue(50)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------
# The acceptance checks, on the shipped demo catalogue
# ---------------------------------------------------------------------------

DATED_FACTS = ("signed", "ratifications_exchanged", "entry_into_force", "ended")


def slugs_on(doc) -> list[str]:
    return [li.get("data-slug") for li in doc.xpath("//li[@data-slug]")]


def test_demo_in_force_on_1927_01_01(client, demo):
    found = slugs_on(html(client.get("/treaties/?in_force_on=1927-01-01")))
    assert "treaty-of-berlin-1926" in found
    assert "treaty-of-brest-litovsk-1918" not in found


def test_demo_search_for_rapallo(client, demo):
    found = slugs_on(html(client.get("/treaties/?q=Rapallo")))
    assert found[0] == "treaty-of-rapallo-1922"
    assert "treaty-of-berlin-1926" in found


def test_demo_berlin_detail(client, demo):
    doc = html(client.get("/treaties/treaty-of-berlin-1926/"))
    assert len(doc.xpath("//tr[@data-registration]")) == 2
    assert doc.xpath("//tr[@data-protocol='treaty-of-berlin-1926-additional-protocol-1931']")
    disputes = doc.xpath("//*[@data-claims][contains(@class, 'disputed')]")
    # Only the prolongation is disputed; the other titles are names, not a disagreement.
    assert {d.get("data-claims") for d in disputes} == {"prolongation"}
    for dispute in disputes:
        claims = dispute.xpath(".//li[@data-claim]")
        assert len(claims) >= 2
        assert all(claim.xpath(".//sup[@class='fn']/a") for claim in claims)
    shown = [f for f in DATED_FACTS if doc.xpath(f"//div[@data-fact='{f}']")]
    assert shown
    for fact in shown:
        assert doc.xpath(f"//div[@data-fact='{fact}']//sup[@class='fn']/a"), fact
    for row in doc.xpath("//tr[@data-registration]"):
        assert row.xpath(".//sup[@class='fn']/a")  # each registration is footnoted
    for marker in doc.xpath("//sup[@class='fn']/a"):
        assert doc.xpath(f"//li[@id='{marker.get('href')[1:]}']")


def test_demo_draft_is_not_public(client, demo):
    assert client.get("/treaties/locarno-treaties-1925/").status_code == 404
    assert "locarno-treaties-1925" not in slugs_on(html(client.get("/treaties/?q=Locarno")))


@pytest.mark.parametrize("query", ["", "party=SUN", "decade=1920&kind=treaty"])
def test_demo_facet_counts_equal_result_counts(client, demo, query):
    doc = html(client.get(f"/treaties/?{query}"))
    for link in doc.xpath("//a[@data-facet]"):
        narrowed = QueryDict(query, mutable=True)
        narrowed.setlist(link.get("data-facet"), [link.get("data-value")])
        assert result_count(html(client.get(f"/treaties/?{narrowed.urlencode()}"))) == int(link.get("data-count"))
