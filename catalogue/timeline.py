"""A treaty's life cycle as an SVG time line, laid out on the server (no JavaScript).

Each moment (signature, ratifications, entry into force, registrations,
protocols, prolongation, end, the treaty's events) is a row: a dot on the time
axis, or a bar spanning its earliest and latest possible days when the date is
uncertain, with its label beside it. One row per moment keeps labels from
overlapping however close the dates are; the period in force is a band behind
the rows. The template draws what ``layout()`` computes, so the geometry is
testable without a browser.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import dates

WIDTH = 720
LEFT = 16
RIGHT = 16
TOP = 12
ROW = 24
AXIS = 28
CHAR_WIDTH = 6.4  # average width of a character of the 12px label font, in drawing units


@dataclass
class Moment:
    kind: str
    label: str
    date_text: str
    earliest: datetime.date
    latest: datetime.date

    @property
    def when(self) -> str:
        return dates.humanize(self.date_text)


@dataclass
class Placed:
    moment: Moment
    x: float
    x2: float
    y: int
    text_x: float
    anchor: str
    text: str = ""

    @property
    def uncertain(self) -> bool:
        return self.x2 - self.x >= 2

    @property
    def span_width(self) -> float:
        return round(self.x2 - self.x, 1)

    @property
    def bar_y(self) -> int:
        return self.y - 4

    @property
    def text_y(self) -> int:
        return self.y + 4


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    rows: list[Placed] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0
    axis_y: int = 0

    @property
    def tick_top(self) -> int:
        return self.axis_y + 5

    @property
    def tick_text_y(self) -> int:
        return self.axis_y + 18

    band: tuple[float, float] | None = None  # x and width of the period in force
    start: str = ""
    end: str = ""

    def __bool__(self):
        return bool(self.rows)


def _moment(kind, label, text) -> Moment | None:
    bounds = dates.bounds_or_none(text)
    if bounds is None:
        return None
    return Moment(kind, str(label), text, bounds.earliest, bounds.latest)


def moments_for(treaty) -> list[Moment]:
    """Every dated moment of a treaty's life, in date order (uses the detail page's prefetches)."""
    found = [
        _moment("signed", _("Signed"), treaty.signed),
        _moment("ratified", _("Ratifications exchanged"), treaty.ratifications_exchanged),
        _moment("in-force", _("Entered into force"), treaty.entry_into_force),
    ]
    for participation in treaty.participations.all():
        state = participation.state.name
        found.append(_moment("ratified", _("Ratified by %(state)s") % {"state": state}, participation.ratified))
        found.append(_moment("acceded", _("Accession of %(state)s") % {"state": state}, participation.acceded))
        found.append(_moment("denounced", _("Denounced by %(state)s") % {"state": state}, participation.denounced))
    for registration in treaty.registrations.all():
        found.append(
            _moment(
                "registered",
                _("Registered in %(series)s") % {"series": registration.series.abbreviation},
                registration.registered,
            )
        )
    for protocol in treaty.protocols.all():
        kind = "prolongation" if protocol.kind == "prolongation" or protocol.effect == "prolongs" else "protocol"
        found.append(_moment(kind, protocol.title, protocol.signed))
        for registration in protocol.registrations.all():
            found.append(
                _moment(
                    "registered",
                    _("%(protocol)s registered in %(series)s")
                    % {"protocol": protocol.title, "series": registration.series.abbreviation},
                    registration.registered,
                )
            )
    for event in treaty.events.all():
        found.append(_moment("event", event.title, event.date))
    ended_label = treaty.get_end_kind_display() if treaty.end_kind else _("Ended")
    found.append(_moment("ended", ended_label, treaty.ended))
    moments = [m for m in found if m is not None]
    moments.sort(key=lambda m: (m.earliest, m.latest))
    return moments


def _ticks(start: datetime.date, end: datetime.date, x_of) -> list[Tick]:
    years = end.year - start.year
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if years / s <= 10)
    first = (start.year // step + 1) * step if start.month > 1 or start.day > 1 else start.year
    return [
        Tick(x_of(datetime.date(year, 1, 1)), str(year)) for year in range(first, end.year + 1, step) if year < 10000
    ]


def layout(moments: list[Moment], in_force: tuple | None = None) -> Timeline:
    if not moments:
        return Timeline()
    start = min(m.earliest for m in moments)
    end = max(m.latest for m in moments)
    # Pad to whole years either side, so the axis has labelled ticks.
    start = datetime.date(start.year, 1, 1)
    end = datetime.date(min(end.year + 1, 9999), 1, 1)
    span = max((end - start).days, 1)
    usable = WIDTH - LEFT - RIGHT

    def x_of(day: datetime.date) -> float:
        return round(LEFT + usable * (day - start).days / span, 1)

    rows = []
    for i, moment in enumerate(moments):
        x, x2 = x_of(moment.earliest), max(x_of(moment.latest), x_of(moment.earliest))
        # Put the label where it fits: right of the mark, else left of it, else the roomier side.
        text = f"{moment.label} — {moment.when}"
        text_width = len(text) * CHAR_WIDTH
        room_right, room_left = WIDTH - (x2 + 8), x - 8
        on_left = room_right < text_width and (room_left >= text_width or room_left > room_right)
        fits = int((room_left if on_left else room_right) / CHAR_WIDTH)
        if len(text) > fits:  # shortened on the drawing; the full text is in its <title> and <desc>
            text = text[: max(fits - 1, 1)].rstrip() + "…"
        rows.append(
            Placed(
                moment=moment,
                x=x,
                x2=x2,
                y=TOP + i * ROW + ROW // 2,
                text_x=(x - 8) if on_left else (x2 + 8),
                anchor="end" if on_left else "start",
                text=text,
            )
        )
    axis_y = TOP + len(moments) * ROW + 6
    band = None
    if in_force and in_force[0]:
        band_end = in_force[1] or end
        band_x = x_of(max(in_force[0], start))
        band = (band_x, round(x_of(min(band_end, end)) - band_x, 1))
    return Timeline(
        rows=rows,
        ticks=_ticks(start, end, x_of),
        width=WIDTH,
        height=int(axis_y + AXIS),
        axis_y=axis_y,
        band=band,
        start=str(start.year),
        end=str(end.year),
    )


def for_treaty(treaty) -> Timeline:
    in_force = None
    if treaty.entry_into_force_earliest:
        in_force = (treaty.entry_into_force_earliest, treaty.ended_latest)
    return layout(moments_for(treaty), in_force)
