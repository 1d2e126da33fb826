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


def test_labels_go_where_they_fit():
    day = datetime.date
    long_label = "German banks grant further credits of 300 million marks"
    moments = [
        timeline.Moment("signed", "Signed", "1926-04-24", day(1926, 4, 24), day(1926, 4, 24)),
        timeline.Moment("event", long_label, "1931", day(1931, 1, 1), day(1931, 12, 31)),
        timeline.Moment("event", "Late", "1935-02-15", day(1935, 2, 15), day(1935, 2, 15)),
    ]
    drawing = timeline.layout(moments)
    first, middle, last = drawing.rows
    assert first.anchor == "start"  # room on the right
    assert middle.anchor == "end" and middle.text_x < middle.x  # too long for the right: drawn leftwards
    assert middle.text.endswith("…") and middle.text_x - len(middle.text) * timeline.CHAR_WIDTH >= 0
    assert last.anchor == "end"
