"""Bad query strings never give a 500: the page says what it ignored (or the request is refused with a reason)."""

from urllib.parse import quote

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.world import build_world

LIST_PAGES = ["/treaties/", "/protocols/", "/parties/", "/sources/", "/series/lnts/", "/parties/soviet-union/"]


@pytest.fixture
def world(db):
    return build_world()


def notices(response) -> str:
    assert response.status_code == 200, response.status_code
    doc = lxml.html.fromstring(response.content.decode())
    found = doc.xpath("//*[@data-notices]")
    return found[0].text_content() if found else ""


@pytest.mark.parametrize(
    "query, expected",
    [
        ("party=NOWHERE", "Unknown party: NOWHERE"),
        ("kind=nope&kind=treaty", "Unknown kind: nope"),
        ("signed_from=1926-13-45", "signed from"),
        ("signed_to=yesterday", "signed to"),
        ("in_force_on=1927-02-30", "in force on"),
        ("year=abc", "Not a valid year: abc"),
        ("decade=1925", "Not a valid decade: 1925"),
        ("page=abc", "not a number"),
        ("page=0", "no page 0"),
        ("page=" + "9" * 30, "There is no page"),
        ("page=99", "There is no page 99"),
        ("page_size=7", "page size"),
        ("sort=price", "sort by"),
        ("has_scans=perhaps", "has scans"),
        ("q=a&q=b", "“q” was given 2 times"),
        ("q=" + "x" * 5000, "Search"),
        ("utm_source=mail", "unknown parameter"),
        ("party=" + "x" * 5000, "Unknown party"),
        ("signed_from=1930&signed_to=1920", "ends before it starts"),
        ("q=%00rapallo", "null characters"),
        ("party=SU%00N", "Unknown party"),
        ("signed_from=19%0026", "null characters"),
        ("year=19%0026", "Not a valid year"),
        ("page=1%002", "not a number"),
    ],
)
def test_treaty_list_ignores_bad_input_visibly(client, world, query, expected):
    text = notices(client.get(f"/treaties/?{query}"))
    assert expected.lower() in text.lower()


def test_known_values_survive_next_to_unknown_ones(client, world):
    response = client.get("/treaties/?party=SUN&party=XXX")
    assert "XXX" in notices(response)
    doc = lxml.html.fromstring(response.content.decode())
    assert doc.xpath("//*[@data-result-count]")[0].get("data-result-count") == "1"


@pytest.mark.parametrize("url", LIST_PAGES)
@pytest.mark.parametrize("query", ["page=abc", "page=" + "9" * 40, "page=-1", "page_size=abc&page=2", "page=2&page=x"])
def test_other_list_pages_survive_bad_pages(client, world, url, query):
    assert notices(client.get(f"{url}?{query}"))


def test_unknown_volume_is_ignored_visibly(client, world):
    assert "no such volume" in notices(client.get("/series/lnts/?volume=99999999999"))


def test_good_input_has_no_notice(client, world):
    assert notices(client.get("/treaties/?party=SUN&signed_from=1926&sort=title&page=1&page_size=50")) == ""


parameter_names = st.sampled_from(
    [
        "q",
        "party",
        "kind",
        "subject",
        "place",
        "series",
        "year",
        "decade",
        "has_scans",
        "signed_from",
        "signed_to",
        "in_force_on",
        "sort",
        "page",
        "page_size",
        "volume",
        "x",
    ]
)
values = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(
        [
            "1926",
            "1926-06",
            "1926-13",
            "~1926",
            "1926/1927",
            "..",
            "SUN",
            "treaty",
            "-date",
            "yes",
            "",
            "\x00",
            "SUN\x00",
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(parameter_names, values), max_size=8), page=st.sampled_from(LIST_PAGES))
def test_arbitrary_query_strings_never_give_a_500(client, world, pairs, page):
    query = "&".join(f"{quote(name)}={quote(value, safe='')}" for name, value in pairs)
    response = client.get(f"{page}?{query}")
    assert response.status_code in (200, 400), (query, response.status_code)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=200))
def test_arbitrary_raw_query_strings_never_give_a_500(client, world, raw):
    response = client.get("/treaties/", QUERY_STRING=quote(raw, safe="=&%+"))
    assert response.status_code in (200, 400), (raw, response.status_code)
