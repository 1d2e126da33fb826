"""Facet links: encoded once per facet, yet each the link ``toggled()`` gives for its value."""

from django.http import QueryDict

from catalogue.facets import Bar, Facet, FacetValue, Histogram
from catalogue.querystrings import facet_urls, histogram_bars, replaced, toggled


def test_each_value_gets_the_link_that_toggles_it():
    params = QueryDict("q=peace&party=DEU&kind=treaty&sort=title&page=3")
    values = ["DEU", "SUN", "Ü & ?", "a+b", "x=y/z", "RSFSR"]
    facet = Facet("party", "Party", [FacetValue(v, v, 1, v == "DEU") for v in values])
    facet_urls(facet, params)
    for value in facet.values:
        assert value.url == toggled(params, "party", value.value)
    assert [v.url for v in facet.values][1] == "?q=peace&party=DEU&party=SUN&kind=treaty&sort=title"


def test_a_value_renders_as_a_link_with_its_count_escaped():
    facet = Facet("kind", "Kind", [FacetValue("treaty", "<Treaty>", 1234, True), FacetValue("pact", "Pact", 0)])
    facet_urls(facet, QueryDict("kind=treaty"))
    chosen, empty = (v.html for v in facet.values)
    assert 'class="facet-value selected"' in chosen and 'aria-current="true"' in chosen
    assert "&lt;Treaty&gt;" in chosen and '<span class="count">1234</span>' in chosen
    assert 'href="?kind=treaty&amp;kind=pact"' in empty and " empty" in empty and "aria-current" not in empty


def test_the_list_shows_the_first_values_and_every_chosen_one():
    values = [FacetValue(f"v{n}", f"V{n}", 20 - n, selected=n == 12) for n in range(14)]
    facet = facet_urls(Facet("kind", "Kind", values), QueryDict("kind=v12"))
    shown = values[:10] + [values[12]]
    assert facet.top == shown and facet.rest == [values[10], values[11], values[13]]
    assert facet.items_html == "".join(v.html for v in shown)
    assert not hasattr(values[13], "html")  # what the list does not show is not rendered


def test_the_facet_page_shows_every_value_linking_to_the_list():
    params = QueryDict("q=peace&kind=v1&page=4")
    values = [FacetValue(f"v{n}", f"V{n}", 20 - n, selected=n == 1) for n in range(14)]
    facet = facet_urls(Facet("kind", "Kind", values), params, base="/treaties/", every=True)
    assert facet.items_html == "".join(v.html for v in values)
    for value in values:
        assert value.url == "/treaties/" + toggled(params, "kind", value.value)
    assert values[1].url == "/treaties/?q=peace"


def test_histogram_bars_link_to_their_period_and_draw_as_svg():
    params = QueryDict("q=peace&kind=treaty&page=2")
    bars = [Bar(1920 + n, str(1920 + n), n % 3) for n in range(12)]
    drawn = histogram_bars(Histogram("year", bars), params)
    for bar in drawn["bars"]:
        assert bar.url == replaced(params, "year", str(bar.value))
        assert (f'data-bar="{bar.value}"' in drawn["svg"]) is bool(bar.count)
    assert drawn["svg"].count("<a ") == sum(1 for b in bars if b.count)
    assert 'aria-label="1921: 1 treaty"' in drawn["svg"] and 'aria-label="1922: 2 treaties"' in drawn["svg"]
    assert 'href="?q=peace&amp;kind=treaty&amp;year=1921"' in drawn["svg"]
