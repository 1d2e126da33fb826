"""The life-cycle time line: moments in date order, uncertain dates as bars, geometry inside the drawing."""

import datetime

import pytest

from catalogue import timeline
from catalogue.models import Treaty
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin():
    build_world()
    return Treaty.objects.for_detail().get(slug="treaty-of-berlin-1926")


def test_every_stage_of_the_life_cycle_is_a_moment_in_date_order(berlin):
    moments = timeline.moments_for(berlin)
    kinds = [m.kind for m in moments]
    for kind in ("signed", "ratified", "in-force", "registered", "prolongation", "event", "ended"):
        assert kind in kinds
    assert kinds[0] == "signed" and kinds[-1] == "ended"
    assert [m.earliest for m in moments] == sorted(m.earliest for m in moments)
    labels = [m.label for m in moments]
    assert "Ratified by Germany" in labels and "Registered in LNTS" in labels


def test_layout_stays_inside_the_drawing_and_gives_each_moment_a_row(berlin):
    drawing = timeline.for_treaty(berlin)
    assert len(drawing.rows) == len(timeline.moments_for(berlin))
    assert len({row.y for row in drawing.rows}) == len(drawing.rows)
    for row in drawing.rows:
        assert 0 <= row.x <= row.x2 <= drawing.width
        assert row.y < drawing.axis_y < drawing.height
    assert [t.label for t in drawing.ticks][:2] == ["1926", "1927"]
    band_x, band_width = drawing.band
    assert band_x > 0 and band_x + band_width <= drawing.width


def test_uncertain_date_is_drawn_as_a_bar():
    moments = [
        timeline.Moment("signed", "Signed", "1920-01-01", datetime.date(1920, 1, 1), datetime.date(1920, 1, 1)),
        timeline.Moment("ended", "Ended", "1930", datetime.date(1930, 1, 1), datetime.date(1930, 12, 31)),
    ]
    drawing = timeline.layout(moments)
    assert not drawing.rows[0].uncertain
    assert drawing.rows[1].uncertain and drawing.rows[1].span_width > 10
    assert drawing.rows[1].anchor == "end"  # labels on the right half run leftwards, inside the drawing


def test_no_dates_no_timeline():
    assert not timeline.layout([])


def test_the_detail_page_draws_it_without_javascript(client, berlin):
    content = client.get(berlin.get_absolute_url()).content.decode()
    assert 'class="timeline-svg"' in content and "<script" not in content.split("</head>")[1]
    assert content.count('class="moment ') == len(timeline.moments_for(berlin))
