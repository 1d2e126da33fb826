"""Facet links: encoded once per facet, yet each the link ``toggled()`` gives for its value."""

from django.http import QueryDict

from catalogue.facets import Facet, FacetValue
from catalogue.querystrings import facet_urls, toggled


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
