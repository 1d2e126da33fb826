"""TreatyFilterSet: facets OR-ed within, AND-ed across; EDTF ranges; in force on a date; bad input as errors."""

import pytest
from django.http import QueryDict

from catalogue.filters import TreatyFilterSet, sanitize
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def slugs(query: str) -> list[str]:
    fs = TreatyFilterSet(QueryDict(query))
    assert fs.is_valid(), fs.errors
    return [t.slug for t in fs.qs]


def test_only_published_treaties(world):
    assert slugs("") == ["treaty-of-brest-litovsk-1918", "treaty-of-rapallo-1922", "treaty-of-berlin-1926"]


def test_values_within_a_facet_are_ored(world):
    assert set(slugs("party=SUN&party=RSFSR")) == {
        "treaty-of-berlin-1926",
        "treaty-of-rapallo-1922",
        "treaty-of-brest-litovsk-1918",
    }
    assert slugs("party=SUN") == ["treaty-of-berlin-1926"]


def test_facets_are_anded(world):
    assert slugs("party=RSFSR&kind=peace-treaty") == ["treaty-of-brest-litovsk-1918"]
    assert slugs("party=SUN&kind=peace-treaty") == []


def test_subject_place_series_and_scans(world):
    assert slugs("subject=neutrality") == ["treaty-of-berlin-1926"]
    assert slugs("place=rapallo") == ["treaty-of-rapallo-1922"]
    assert slugs("series=lnts") == ["treaty-of-berlin-1926"]
    assert slugs("series=nrg&series=lnts") == ["treaty-of-brest-litovsk-1918", "treaty-of-berlin-1926"]
    assert slugs("has_scans=yes") == []
    assert len(slugs("has_scans=no")) == 3


def test_year_and_decade(world):
    assert slugs("year=1922") == ["treaty-of-rapallo-1922"]
    assert slugs("year=1922&year=1918") == ["treaty-of-brest-litovsk-1918", "treaty-of-rapallo-1922"]
    assert slugs("decade=1920") == ["treaty-of-rapallo-1922", "treaty-of-berlin-1926"]


def test_signature_range_accepts_partial_edtf_dates(world):
    assert slugs("signed_from=1922&signed_to=1926-04") == ["treaty-of-rapallo-1922", "treaty-of-berlin-1926"]
    assert slugs("signed_from=1922-05") == ["treaty-of-berlin-1926"]
    assert slugs("signed_to=1922") == ["treaty-of-brest-litovsk-1918", "treaty-of-rapallo-1922"]


def test_in_force_on_a_date(world):
    found = slugs("in_force_on=1927-01-01")
    assert "treaty-of-berlin-1926" in found
    assert "treaty-of-brest-litovsk-1918" not in found
    assert slugs("in_force_on=1918-06-01") == ["treaty-of-brest-litovsk-1918"]


def test_sorting(world):
    assert slugs("sort=-date")[0] == "treaty-of-berlin-1926"
    assert slugs("sort=title") == ["treaty-of-berlin-1926", "treaty-of-brest-litovsk-1918", "treaty-of-rapallo-1922"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("party=XXX", "party"),
        ("kind=nope", "kind"),
        ("year=abc", "year"),
        ("decade=1925", "decade"),
        ("signed_from=1926-13", "signed_from"),
        ("in_force_on=yesterday", "in_force_on"),
        ("sort=price", "sort"),
        ("has_scans=maybe", "has_scans"),
        ("q=" + "x" * 500, "q"),
    ],
)
def test_bad_input_is_a_form_error(world, query, field):
    fs = TreatyFilterSet(QueryDict(query))
    assert not fs.is_valid()
    assert field in fs.errors


def test_works_from_a_plain_dict(world):
    fs = TreatyFilterSet({"party": ["SUN"], "kind": "treaty"})
    assert [t.slug for t in fs.qs] == ["treaty-of-berlin-1926"]


def test_sanitize_drops_only_unknown_values_and_says_so(world):
    clean, messages = sanitize(QueryDict("party=SUN&party=XXX&page=2&bogus=1&q=a&q=rapallo"))
    assert clean.getlist("party") == ["SUN"]
    assert clean["q"] == "rapallo"
    assert "bogus" not in clean
    assert clean["page"] == "2"
    text = " ".join(messages)
    assert "XXX" in text and "bogus" in text and "“q” was given 2 times" in text


def test_facet_value_field_queries_only_given_values(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        fs = TreatyFilterSet(QueryDict("party=SUN&party=DEU-WEIMAR"))
        assert fs.is_valid()
    assert fs.form.cleaned_data["party"] == {"SUN": "Soviet Union", "DEU-WEIMAR": "Germany"}


def test_sanitized_gives_the_validated_filterset_only_when_nothing_was_dropped(db):
    from catalogue.filters import sanitized

    clean, messages, filterset = sanitized(QueryDict("signed_from=1920&sort=title&page=2"))
    assert messages == [] and filterset is not None and filterset.is_valid()
    assert filterset.data is clean and filterset.form.cleaned_data["sort"] == "title"
    clean, messages, filterset = sanitized(QueryDict("signed_from=1920&signed_to=yesterday&colour=red"))
    assert filterset is None and len(messages) == 2
    assert dict(clean) == {"signed_from": ["1920"]}


def test_the_list_page_validates_one_filterset(client, monkeypatch):
    from catalogue import filters

    made = []
    init = filters.TreatyFilterSet.__init__

    def counting_init(self, *args, **kwargs):
        made.append(args[0] if args else kwargs.get("data"))
        init(self, *args, **kwargs)

    monkeypatch.setattr(filters.TreatyFilterSet, "__init__", counting_init)
    assert client.get("/treaties/?signed_from=1920").status_code == 200
    assert len(made) == 1
    made.clear()
    assert client.get("/treaties/?signed_from=nonsense").status_code == 200
    assert len(made) == 2  # the bad date dropped: the filters of what is left
