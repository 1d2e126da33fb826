"""A synthetic but realistic treaty catalogue of any size, for the scale benchmarks.

Why synthetic: the real League of Nations and United Nations series are not
freely available as data, yet the catalogue must be measured at their size
(about 250,000 treaties). Why "realistic": the costs that matter depend on the
shape of the data, not its truth, so the shape follows the real series:

* about 200 states, several of them successive forms of one country (German
  Empire, Weimar Republic...; linked as predecessor and successor, with their
  historical names) — a treaty's parties are states that existed when it was signed;
* skewed participation: a state's weight is 1/(rank + 25)^1.2, rank from 0 (a Zipf law with
  a rank offset), so a few great powers are in many treaties and most states in
  few, yet no state is in most treaties: in the real series even the most
  active states are party to a small share of all registered treaties. Over
  20,000 records with seed 1: the top party (GBR) is in 10.6% of treaties,
  the next two (USA, FRA) in 10.0% and 9.6%, the tenth in 5.2%, the median
  state in 0.69% (pure 1/rank^1.1, as before, put GBR in 59%);
* three quarters bilateral, the rest multilateral with 3 to 100 parties (most few);
* kinds, subjects, places and sources with Zipf-like skew as well;
* signature dates from 1815 to 2000, growing in number over time (most treaties
  are post-1945, as in the UNTS), 70% to the day, 20% to the month, 10% to the year;
* one to three registrations per treaty: the primary series of its era (CTS
  before 1920, LNTS 1920-1945, UNTS from 1946) with unique, increasing numbers
  and volumes, plus BFSP / Martens where they were publishing;
* protocols on a fifth of the treaties, two to five citations each, and events.

Everything derives from ``random.Random(seed)``: the same seed and size give
the same records. ``create_reference_data`` writes the vocabularies in bulk;
``generate_records`` yields records in the import format (see
docs/import-format.md), which ``generate_catalogue`` feeds to
``catalogue.services.import_records``.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from .history import bulk_create_with_history
from .models import (
    Place,
    Source,
    State,
    StateName,
    Subject,
    Treaty,
    TreatyKind,
    TreatySeries,
)

FIRST_YEAR, LAST_YEAR = 1815, 2000
GENERATED_REASON = "Synthetic catalogue (generate_catalogue)"

# -- reference data ---------------------------------------------------------------------

# Successive forms of one country: (code, name, existed from, existed to, [(other name, language)]).
# Each form is the successor of the one before it.
STATE_LINES = [
    [
        ("PRU", "Kingdom of Prussia", "1815", "1871-01-17", [("Königreich Preußen", "de")]),
        ("DEU-EMPIRE", "German Empire", "1871-01-18", "1918-11-09", [("Deutsches Reich", "de")]),
        ("DEU-WEIMAR", "Weimar Republic", "1918-11-10", "1933-01-29", [("Deutsches Reich", "de")]),
        ("DEU-REICH", "German Reich", "1933-01-30", "1945-05-08", [("Drittes Reich", "de")]),
        ("DEU", "Germany", "1949-05-23", "2000", [("Federal Republic of Germany", "en"), ("Bundesrepublik", "de")]),
    ],
    [("DDR", "German Democratic Republic", "1949-10-07", "1990-10-02", [("Deutsche Demokratische Republik", "de")])],
    [
        ("RUS-EMPIRE", "Russian Empire", "1815", "1917-09-14", [("Российская империя", "ru")]),
        ("RUS-SFSR", "Russian SFSR", "1917-11-07", "1922-12-29", [("Soviet Russia", "en")]),
        ("SUN", "Soviet Union", "1922-12-30", "1991-12-26", [("USSR", "en"), ("СССР", "ru")]),
        ("RUS", "Russian Federation", "1991-12-26", "2000", [("Russia", "en")]),
    ],
    [
        ("OTT", "Ottoman Empire", "1815", "1922-11-01", [("Sublime Porte", "en"), ("Turkey", "en")]),
        ("TUR", "Turkey", "1923-10-29", "2000", [("Türkiye", "tr")]),
    ],
    [
        ("AUT-EMPIRE", "Austrian Empire", "1815", "1867-03-29", [("Kaisertum Österreich", "de")]),
        ("AUT-HUN", "Austria-Hungary", "1867-03-30", "1918-10-31", [("Österreich-Ungarn", "de")]),
        ("AUT", "Austria", "1918-11-12", "2000", [("Republik Österreich", "de")]),
    ],
    [("HUN", "Hungary", "1918-11-16", "2000", [("Magyarország", "hu")])],
    [
        ("SAR", "Kingdom of Sardinia", "1815", "1861-03-16", [("Regno di Sardegna", "it")]),
        ("ITA-KINGDOM", "Kingdom of Italy", "1861-03-17", "1946-06-09", [("Regno d'Italia", "it")]),
        ("ITA", "Italy", "1946-06-10", "2000", [("Repubblica Italiana", "it")]),
    ],
    [
        ("FRA-KINGDOM", "Kingdom of France", "1815", "1848-02-23", [("Royaume de France", "fr")]),
        ("FRA-2REP", "French Second Republic", "1848-02-24", "1852-12-01", []),
        ("FRA-2EMP", "French Second Empire", "1852-12-02", "1870-09-03", [("Empire français", "fr")]),
        ("FRA", "France", "1870-09-04", "2000", [("République française", "fr")]),
    ],
    [("GBR", "United Kingdom", "1815", "2000", [("Great Britain", "en"), ("Britain", "en")])],
    [("USA", "United States", "1815", "2000", [("United States of America", "en")])],
    [
        ("JPN-EMPIRE", "Empire of Japan", "1868-01-03", "1947-05-02", [("大日本帝國", "ja")]),
        ("JPN", "Japan", "1947-05-03", "2000", [("日本国", "ja")]),
    ],
    [
        ("CHN-QING", "Qing China", "1815", "1912-02-12", [("Great Qing", "en")]),
        ("CHN-ROC", "Republic of China", "1912-01-01", "1949-09-30", [("中華民國", "zh")]),
        ("CHN", "China", "1949-10-01", "2000", [("People's Republic of China", "en")]),
    ],
    [("PER-QAJAR", "Persia", "1815", "1935-03-20", [("Qajar Iran", "en")]), ("IRN", "Iran", "1935-03-21", "2000", [])],
    [("SIAM", "Siam", "1815", "1939-06-23", []), ("THA", "Thailand", "1939-06-24", "2000", [])],
    [
        ("SRB", "Serbia", "1817", "1918-11-30", [("Кнежевина Србија", "sr")]),
        ("YUG", "Yugoslavia", "1918-12-01", "1992-04-27", [("Kingdom of Serbs, Croats and Slovenes", "en")]),
        ("SCG", "Serbia and Montenegro", "1992-04-28", "2000", [("FR Yugoslavia", "en")]),
    ],
    [("CSK", "Czechoslovakia", "1918-10-28", "1992-12-31", []), ("CZE", "Czech Republic", "1993-01-01", "2000", [])],
    [("POL", "Poland", "1918-11-11", "2000", [("Rzeczpospolita Polska", "pl")])],
    [("ESP", "Spain", "1815", "2000", [("Reino de España", "es")])],
    [("PRT", "Portugal", "1815", "2000", [])],
    [("NLD", "Netherlands", "1815", "2000", [("Nederland", "nl")])],
    [("BEL", "Belgium", "1830-10-04", "2000", [("Belgique", "fr")])],
    [("SWE", "Sweden", "1815", "2000", [("Sverige", "sv")])],
    [("DNK", "Denmark", "1815", "2000", [("Danmark", "da")])],
    [("NOR", "Norway", "1905-06-07", "2000", [("Norge", "no")])],
    [("CHE", "Switzerland", "1815", "2000", [("Schweiz", "de"), ("Suisse", "fr")])],
    [("GRC", "Greece", "1830-02-03", "2000", [("Ελλάδα", "el")])],
    [("BRA", "Brazil", "1822-09-07", "2000", [("Empire of Brazil", "en")])],
    [("MEX", "Mexico", "1821-09-27", "2000", [])],
    [("ARG", "Argentina", "1816-07-09", "2000", [])],
    [("CHL", "Chile", "1818-02-12", "2000", [])],
    [("IND", "India", "1947-08-15", "2000", [("Bharat", "hi")])],
    [("CAN", "Canada", "1867-07-01", "2000", [])],
    [("AUS", "Australia", "1901-01-01", "2000", [])],
    [("EGY", "Egypt", "1922-02-28", "2000", [("United Arab Republic", "en")])],
]

# Further states, by when they became independent (a rough but plausible year each).
OTHER_STATES = [
    ("Colombia", 1819),
    ("Peru", 1821),
    ("Venezuela", 1830),
    ("Ecuador", 1830),
    ("Bolivia", 1825),
    ("Paraguay", 1815),
    ("Uruguay", 1828),
    ("Guatemala", 1839),
    ("Honduras", 1838),
    ("El Salvador", 1841),
    ("Nicaragua", 1838),
    ("Costa Rica", 1838),
    ("Haiti", 1815),
    ("Dominican Republic", 1844),
    ("Liberia", 1847),
    ("Luxembourg", 1867),
    ("Romania", 1878),
    ("Bulgaria", 1908),
    ("Montenegro", 1878),
    ("Cuba", 1902),
    ("Panama", 1903),
    ("Ethiopia", 1815),
    ("Afghanistan", 1919),
    ("Nepal", 1815),
    ("Finland", 1917),
    ("Estonia", 1918),
    ("Latvia", 1918),
    ("Lithuania", 1918),
    ("Ireland", 1922),
    ("Iceland", 1918),
    ("Albania", 1912),
    ("Saudi Arabia", 1932),
    ("Iraq", 1932),
    ("South Africa", 1910),
    ("New Zealand", 1907),
    ("Lebanon", 1943),
    ("Syria", 1946),
    ("Jordan", 1946),
    ("Philippines", 1946),
    ("Pakistan", 1947),
    ("Burma", 1948),
    ("Sri Lanka", 1948),
    ("Israel", 1948),
    ("Indonesia", 1949),
    ("South Korea", 1948),
    ("North Korea", 1948),
    ("Libya", 1951),
    ("Cambodia", 1953),
    ("Laos", 1953),
    ("Sudan", 1956),
    ("Morocco", 1956),
    ("Tunisia", 1956),
    ("Ghana", 1957),
    ("Malaysia", 1957),
    ("Guinea", 1958),
    ("Cameroon", 1960),
    ("Senegal", 1960),
    ("Togo", 1960),
    ("Madagascar", 1960),
    ("Somalia", 1960),
    ("Benin", 1960),
    ("Niger", 1960),
    ("Burkina Faso", 1960),
    ("Ivory Coast", 1960),
    ("Chad", 1960),
    ("Central African Republic", 1960),
    ("Congo", 1960),
    ("Gabon", 1960),
    ("Mali", 1960),
    ("Nigeria", 1960),
    ("Mauritania", 1960),
    ("Cyprus", 1960),
    ("Sierra Leone", 1961),
    ("Tanzania", 1961),
    ("Kuwait", 1961),
    ("Algeria", 1962),
    ("Burundi", 1962),
    ("Rwanda", 1962),
    ("Uganda", 1962),
    ("Jamaica", 1962),
    ("Trinidad and Tobago", 1962),
    ("Kenya", 1963),
    ("Malawi", 1964),
    ("Zambia", 1964),
    ("Malta", 1964),
    ("Gambia", 1965),
    ("Maldives", 1965),
    ("Singapore", 1965),
    ("Guyana", 1966),
    ("Botswana", 1966),
    ("Lesotho", 1966),
    ("Barbados", 1966),
    ("Mauritius", 1968),
    ("Eswatini", 1968),
    ("Equatorial Guinea", 1968),
    ("Fiji", 1970),
    ("Tonga", 1970),
    ("Bangladesh", 1971),
    ("Qatar", 1971),
    ("Bahrain", 1971),
    ("United Arab Emirates", 1971),
    ("Oman", 1971),
    ("Bahamas", 1973),
    ("Grenada", 1974),
    ("Guinea-Bissau", 1974),
    ("Mozambique", 1975),
    ("Cape Verde", 1975),
    ("Comoros", 1975),
    ("Angola", 1975),
    ("Suriname", 1975),
    ("Papua New Guinea", 1975),
    ("Seychelles", 1976),
    ("Djibouti", 1977),
    ("Dominica", 1978),
    ("Solomon Islands", 1978),
    ("Tuvalu", 1978),
    ("Saint Lucia", 1979),
    ("Kiribati", 1979),
    ("Zimbabwe", 1980),
    ("Vanuatu", 1980),
    ("Belize", 1981),
    ("Antigua and Barbuda", 1981),
    ("Saint Kitts and Nevis", 1983),
    ("Brunei", 1984),
    ("Namibia", 1990),
    ("Yemen", 1990),
    ("Marshall Islands", 1990),
    ("Micronesia", 1990),
    ("Ukraine", 1991),
    ("Belarus", 1991),
    ("Moldova", 1991),
    ("Georgia", 1991),
    ("Armenia", 1991),
    ("Azerbaijan", 1991),
    ("Kazakhstan", 1991),
    ("Uzbekistan", 1991),
    ("Turkmenistan", 1991),
    ("Kyrgyzstan", 1991),
    ("Tajikistan", 1991),
    ("Slovenia", 1991),
    ("Croatia", 1991),
    ("Slovakia", 1993),
    ("Bosnia and Herzegovina", 1992),
    ("North Macedonia", 1991),
    ("Eritrea", 1993),
    ("Andorra", 1993),
    ("Palau", 1994),
    ("Monaco", 1815),
    ("San Marino", 1815),
    ("Liechtenstein", 1815),
    ("Vatican City", 1929),
    ("Mongolia", 1921),
    ("Bhutan", 1815),
    ("Vietnam", 1945),
    ("Tibet", 1913),
    ("Hanover", 1815),
    ("Bavaria", 1815),
    ("Saxony", 1815),
    ("Württemberg", 1815),
    ("Two Sicilies", 1815),
    ("Papal States", 1815),
    ("Tuscany", 1815),
    ("Hawaii", 1815),
    ("Texas", 1836),
    ("Orange Free State", 1854),
]
# The German and Italian pre-unification states and a few others ended.
ENDED_STATES = {
    "Hanover": 1866, "Bavaria": 1871, "Saxony": 1871, "Württemberg": 1871, "Two Sicilies": 1861,
    "Papal States": 1870, "Tuscany": 1860, "Hawaii": 1898, "Texas": 1845, "Orange Free State": 1902,
    "Montenegro": 1918, "Tibet": 1950,
}  # fmt: skip
# Great powers first: participation weight falls off with rank.
GREAT_POWERS = [
    "GBR", "FRA", "USA", "DEU", "SUN", "ITA", "JPN", "FRA-2EMP", "FRA-KINGDOM", "DEU-EMPIRE", "DEU-WEIMAR",
    "RUS-EMPIRE", "AUT-HUN", "ITA-KINGDOM", "DEU-REICH", "JPN-EMPIRE", "CHN", "CHN-ROC", "NLD", "BEL", "ESP",
    "AUT-EMPIRE", "PRU", "OTT", "SWE", "CHE", "CAN", "BRA", "IND", "POL",
]  # fmt: skip

KINDS = [
    "Agreement", "Exchange of notes", "Convention", "Treaty", "Protocol", "Arrangement", "Declaration",
    "Memorandum of understanding", "Accord", "Pact", "Modus vivendi", "Concordat", "Armistice", "Charter",
    "Final act", "Compromis",
]  # fmt: skip
SUBJECTS = [
    "Trade", "Economic cooperation", "Technical assistance", "Loans and credit", "Air transport", "Postal services",
    "Telecommunications", "Customs", "Taxation", "Navigation", "Fisheries", "Boundaries", "Extradition",
    "Legal assistance", "Consular relations", "Diplomatic relations", "Peace", "Alliance", "Neutrality",
    "Non-aggression", "Arbitration", "Disarmament", "Military cooperation", "Cultural cooperation", "Education",
    "Health", "Labour", "Social security", "Migration", "Refugees", "Human rights", "Environment", "Energy",
    "Nuclear energy", "Agriculture", "Food aid", "Railways", "Roads", "Waterways", "Intellectual property",
    "Scientific cooperation", "Space", "Whaling", "Narcotic drugs",
]  # fmt: skip
PLACES = [
    ("Geneva", "Switzerland"), ("Paris", "France"), ("London", "United Kingdom"), ("Washington", "United States"),
    ("New York", "United States"), ("Berlin", "Germany"), ("Vienna", "Austria"), ("Moscow", "Russia"),
    ("Rome", "Italy"), ("Brussels", "Belgium"), ("The Hague", "Netherlands"), ("Bonn", "Germany"),
    ("Tokyo", "Japan"), ("Madrid", "Spain"), ("Lisbon", "Portugal"), ("Stockholm", "Sweden"),
    ("Copenhagen", "Denmark"), ("Oslo", "Norway"), ("Bern", "Switzerland"), ("Warsaw", "Poland"),
    ("Prague", "Czech Republic"), ("Budapest", "Hungary"), ("Belgrade", "Serbia"), ("Athens", "Greece"),
    ("Istanbul", "Turkey"), ("Ankara", "Turkey"), ("Cairo", "Egypt"), ("New Delhi", "India"),
    ("Beijing", "China"), ("Nanjing", "China"), ("Buenos Aires", "Argentina"), ("Rio de Janeiro", "Brazil"),
    ("Mexico City", "Mexico"), ("Ottawa", "Canada"), ("Canberra", "Australia"), ("Tehran", "Iran"),
    ("Bangkok", "Thailand"), ("Saint Petersburg", "Russia"), ("Constantinople", "Turkey"), ("Frankfurt", "Germany"),
    ("Lausanne", "Switzerland"), ("Locarno", "Switzerland"), ("Versailles", "France"),
    ("Saint-Germain-en-Laye", "France"),
    ("Trianon", "France"), ("Rapallo", "Italy"), ("Brest-Litovsk", "Belarus"), ("Portsmouth", "United States"),
    ("Montevideo", "Uruguay"), ("Santiago", "Chile"), ("Lima", "Peru"), ("Bogotá", "Colombia"),
    ("Caracas", "Venezuela"), ("Havana", "Cuba"), ("Manila", "Philippines"), ("Jakarta", "Indonesia"),
    ("Karachi", "Pakistan"), ("Accra", "Ghana"), ("Lagos", "Nigeria"), ("Nairobi", "Kenya"),
    ("Addis Ababa", "Ethiopia"), ("Dakar", "Senegal"), ("Algiers", "Algeria"), ("Rabat", "Morocco"),
    ("Tunis", "Tunisia"), ("Baghdad", "Iraq"), ("Beirut", "Lebanon"), ("Damascus", "Syria"),
    ("Helsinki", "Finland"), ("Riga", "Latvia"), ("Tallinn", "Estonia"), ("Kaunas", "Lithuania"),
    ("Bucharest", "Romania"), ("Sofia", "Bulgaria"), ("Luxembourg", "Luxembourg"), ("Dublin", "Ireland"),
    ("Reykjavík", "Iceland"), ("Montreal", "Canada"), ("Strasbourg", "France"), ("Maastricht", "Netherlands"),
]  # fmt: skip
SERIES = [
    ("CTS", "Consolidated Treaty Series", "Oceana", 1815, 1919),
    ("LNTS", "League of Nations Treaty Series", "League of Nations", 1920, 1945),
    ("UNTS", "United Nations Treaty Series", "United Nations", 1946, 2000),
    ("BFSP", "British and Foreign State Papers", "HMSO", 1815, 1968),
    ("NRG", "Martens, Nouveau Recueil Général de Traités", "Dieterich", 1815, 1943),
]
SOURCE_KINDS = ["book", "article", "collection", "series", "encyclopedia", "webpage", "archival"]
SOURCE_COUNT = 60

PROTOCOL_KINDS = [
    ("additional", "supplements", "Additional Protocol to the"),
    ("prolongation", "prolongs", "Protocol prolonging the"),
    ("amendment", "amends", "Protocol amending the"),
    ("supplementary", "supplements", "Supplementary Agreement to the"),
    ("notes", "interprets", "Exchange of Notes concerning the"),
    ("final", "other", "Final Protocol of the"),
]
END_KINDS = ["expired", "terminated", "denounced", "superseded", "annulled", "not_renewed", "lapsed"]
CITED_FACTS = list(Treaty.citable_facts)
EVENT_TITLES = [
    "Debate on ratification",
    "Ratification approved by parliament",
    "Texts deposited with the depositary",
    "Entry into force announced",
    "Dispute over interpretation",
    "Conference of the parties",
    "Review conference",
    "Notice of denunciation",
]
LANGUAGES = ["fr", "de", "es", "ru", "it", "zh", "ar", "pt"]


def zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    """Weights 1/rank^exponent for ranks 1..n (the head gets most of the mass)."""
    return [1.0 / (rank**exponent) for rank in range(1, n + 1)]


@dataclass
class StateInfo:
    code: str
    name: str
    start: int
    end: int


@dataclass
class Reference:
    """The vocabularies as the generator sees them (names and years; no database ids needed)."""

    states: list[StateInfo]  # in participation-weight order
    kinds: list[str]
    subjects: list[str]
    places: list[str]
    series: list[tuple[str, int, int]]  # abbreviation, first year, last year
    sources: list[str]


def state_infos() -> list[StateInfo]:
    """Every state with the years it existed, great powers first (the Zipf order)."""
    infos: dict[str, StateInfo] = {}
    for line in STATE_LINES:
        for code, name, start, end, _names in line:
            infos[code] = StateInfo(code, name, int(start[:4]), int(end[:4]))
    for name, year in OTHER_STATES:
        code = slugify(name).upper()[:32]
        infos[code] = StateInfo(code, name, year, ENDED_STATES.get(name, LAST_YEAR))
    head = [infos[code] for code in GREAT_POWERS]
    rest = [info for code, info in infos.items() if code not in GREAT_POWERS]
    rest.sort(key=lambda info: (info.start, info.name))  # older states rank higher: they had longer to sign
    return head + rest


def reference() -> Reference:
    return Reference(
        states=state_infos(),
        kinds=list(KINDS),
        subjects=list(SUBJECTS),
        places=[name for name, _country in PLACES],
        series=[(abbreviation, first, last) for abbreviation, _n, _p, first, last in SERIES],
        sources=[f"synthetic-source-{n:03d}" for n in range(1, SOURCE_COUNT + 1)],
    )


@transaction.atomic
def create_reference_data(*, reason: str = GENERATED_REASON) -> Reference:
    """Create the states (with names and predecessors), kinds, subjects, places, series and sources in bulk.

    Existing rows (by code, name, slug or key) are kept, so running it twice adds nothing.
    """
    ref = reference()
    existing = set(State.objects.values_list("code", flat=True))
    interval = {}
    for line in STATE_LINES:
        for code, _name, start, end, _names in line:
            interval[code] = f"{start}/{end}"
    new_states = [
        State(
            code=info.code,
            name=info.name,
            slug=slugify(f"{info.name}-{info.code}") if info.code in interval else slugify(info.name),
            existed=interval.get(info.code, f"{info.start}/{info.end}"),
        )
        for info in ref.states
        if info.code not in existing
    ]
    bulk_create_with_history(new_states, State, reason=reason)
    by_code = dict(State.objects.values_list("code", "pk"))
    names, links = [], []
    for line in STATE_LINES:
        for index, (code, name, start, end, others) in enumerate(line):
            if code in existing:
                continue
            names.append(StateName(state_id=by_code[code], name=name, language="en", kind="official"))
            for other, language in others:
                names.append(
                    StateName(
                        state_id=by_code[code],
                        name=other,
                        language=language,
                        kind="historical",
                        period=f"{start}/{end}",
                    )
                )
            if index:
                links.append(
                    State.predecessors.through(from_state_id=by_code[code], to_state_id=by_code[line[index - 1][0]])
                )
    bulk_create_with_history(names, StateName, reason=reason)
    State.predecessors.through.objects.bulk_create(links, ignore_conflicts=True)

    def missing(model, field, values):
        have = set(model.objects.values_list(field, flat=True))
        return [value for value in values if value not in have]

    bulk_create_with_history(
        [TreatyKind(name=name, slug=slugify(name)) for name in missing(TreatyKind, "name", ref.kinds)],
        TreatyKind,
        reason=reason,
    )
    bulk_create_with_history(
        [Subject(name=name, slug=slugify(name)) for name in missing(Subject, "name", ref.subjects)],
        Subject,
        reason=reason,
    )
    countries = dict(PLACES)
    bulk_create_with_history(
        [Place(name=name, slug=slugify(name), country=countries[name]) for name in missing(Place, "name", ref.places)],
        Place,
        reason=reason,
    )
    series = {abbreviation: (name, publisher) for abbreviation, name, publisher, _f, _l in SERIES}
    bulk_create_with_history(
        [
            TreatySeries(abbreviation=a, name=series[a][0], slug=slugify(a), publisher=series[a][1])
            for a in missing(TreatySeries, "abbreviation", list(series))
        ],
        TreatySeries,
        reason=reason,
    )
    rng = random.Random("sources")
    bulk_create_with_history(
        [
            Source(
                key=key,
                kind=SOURCE_KINDS[n % len(SOURCE_KINDS)],
                authors=f"{rng.choice(['Martens', 'Parry', 'Hertslet', 'Wheeler', 'Grewe', 'Klein'])}, "
                f"{rng.choice(['A.', 'C.', 'E.', 'G.', 'L.', 'M.'])}",
                title=f"{rng.choice(['Treaties', 'Documents', 'A History', 'Studies', 'Records'])} of "
                f"{rng.choice(['Diplomacy', 'International Law', 'the Powers', 'Peace', 'Commerce'])}, vol. {n + 1}",
                year=rng.randint(1850, 2020),
            )
            for n, key in enumerate(missing(Source, "key", ref.sources))
        ],
        Source,
        reason=reason,
    )
    return ref


# -- records ----------------------------------------------------------------------------


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


# Participation weight 1/(rank + PARTY_RANK_OFFSET)^PARTY_EXPONENT (rank from 0): the offset flattens the head,
# so the top party is in about a tenth of the treaties rather than most of them (measured in the module docstring).
PARTY_RANK_OFFSET = 25
PARTY_EXPONENT = 1.2


class _Era:
    """The states that existed in one year, with cumulative Zipf weights for fast weighted draws."""

    def __init__(self, states: list[StateInfo], ranks: dict[str, int]):
        self.states = states
        self.cumulative = _cumulative([1.0 / (ranks[s.code] + PARTY_RANK_OFFSET) ** PARTY_EXPONENT for s in states])

    def pick(self, rng: random.Random, count: int) -> list[StateInfo]:
        """``count`` distinct states, drawn by weight (Efraimidis–Spirakis keys when many are wanted)."""
        count = min(count, len(self.states))
        if count * 3 > len(self.states):
            weights = [self.cumulative[0]] + [b - a for a, b in itertools.pairwise(self.cumulative)]
            keyed = sorted(
                range(len(self.states)), key=lambda i: -math.log(1.0 - rng.random()) / weights[i]
            )  # smallest exponential key = weighted sample without replacement
            return [self.states[i] for i in keyed[:count]]
        total = self.cumulative[-1]
        chosen: dict[str, StateInfo] = {}
        while len(chosen) < count:
            state = self.states[bisect.bisect_left(self.cumulative, rng.random() * total)]
            chosen.setdefault(state.code, state)
        return list(chosen.values())


def _date_text(day: datetime.date, precision: str) -> str:
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return day.strftime("%Y-%m")
    return str(day.year)


def _end_of(day: datetime.date, precision: str) -> datetime.date:
    """The latest day the date written at ``precision`` can mean."""
    if precision == "year":
        return datetime.date(day.year, 12, 31)
    if precision == "month":
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    return day


class Generator:
    """Deterministic records: the same ``seed`` gives the same sequence of records."""

    def __init__(self, seed: int = 1, ref: Reference | None = None):
        self.seed = seed
        self.ref = ref or reference()
        ranks = {info.code: rank for rank, info in enumerate(self.ref.states)}
        self.eras = {
            year: _Era([s for s in self.ref.states if s.start <= year <= s.end], ranks)
            for year in range(FIRST_YEAR, LAST_YEAR + 1)
        }
        # Treaties per year grow over time (roughly exponential, as the series show).
        years = list(range(FIRST_YEAR, LAST_YEAR + 1))
        self.years = years
        self.year_cumulative = _cumulative([math.exp((y - FIRST_YEAR) / 45.0) for y in years])
        self.kind_cumulative = _cumulative(zipf_weights(len(self.ref.kinds), 1.2))
        self.subject_cumulative = _cumulative(zipf_weights(len(self.ref.subjects), 0.9))
        self.place_cumulative = _cumulative(zipf_weights(len(self.ref.places), 1.0))
        self.source_cumulative = _cumulative(zipf_weights(len(self.ref.sources), 0.8))

    @staticmethod
    def _draw(rng, items, cumulative):
        return items[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]

    def _party_count(self, rng) -> int:
        if rng.random() < 0.75:
            return 2
        # Multilateral: 3..100 parties, most few (a Pareto tail).
        return min(100, 3 + int(rng.paretovariate(1.3)) - 1 + (rng.random() < 0.2) * rng.randint(0, 10))

    def records(self, count: int) -> Iterator[dict]:
        """``count`` treaty records in the import format."""
        rng = random.Random(self.seed)
        numbers = {abbreviation: 0 for abbreviation, _f, _l in self.ref.series}
        for n in range(1, count + 1):
            yield self._record(rng, n, numbers)

    def _record(self, rng: random.Random, n: int, numbers: dict) -> dict:
        year = self._draw(rng, self.years, self.year_cumulative)
        signed_day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        roll = rng.random()
        precision = "day" if roll < 0.7 else "month" if roll < 0.9 else "year"
        signed = _date_text(signed_day, precision)
        signed_end = _end_of(signed_day, precision)

        era = self.eras[year]
        parties = era.pick(rng, self._party_count(rng))
        bilateral = len(parties) == 2
        kind = self._draw(rng, self.ref.kinds, self.kind_cumulative)
        subjects = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            subject = self._draw(rng, self.ref.subjects, self.subject_cumulative)
            if subject not in subjects:
                subjects.append(subject)
        place = self._draw(rng, self.ref.places, self.place_cumulative) if rng.random() < 0.85 else ""
        topic = subjects[0].lower()
        if bilateral:
            title = f"{kind} on {topic} between {parties[0].name} and {parties[1].name}"
        else:
            title = f"{kind} on {topic}" + (f" signed at {place}" if place else "")
        title = f"{title} ({signed_day.year}, no. {n})"
        short_title = f"{place or parties[0].name} {kind} of {signed_day.year}"
        slug = f"{slugify(short_title)[:150]}-{n}"

        record: dict = {
            "id": f"synthetic:{n}",
            "title": title,
            "short_title": short_title,
            "slug": slug,
            "kind": kind,
            "subjects": subjects,
            "status": "published",
            "secret": rng.random() < 0.01,
            "signed": signed,
            "place_signed": place,
            "summary": f"A {kind.lower()} on {topic} among {len(parties)} parties, signed in {signed_day.year}.",
            "titles": [],
            "parties": [],
            "registrations": [],
            "protocols": [],
            "citations": [],
            "events": [],
        }
        if rng.random() < 0.3:
            record["titles"].append(
                {"title": f"{kind} ({signed_day.year}) [{n}]", "language": rng.choice(LANGUAGES), "kind": "original"}
            )
        # Entry into force (60%) and end (a third of those).
        force_day = None
        if rng.random() < 0.6:
            force_day = signed_end + datetime.timedelta(days=rng.randrange(0, 400))
            record["entry_into_force"] = force_day.isoformat()
            if rng.random() < 0.33:
                years = rng.choice((1, 2, 3, 5, 10, 20))
                record["duration"] = f"{years} year{'s' if years > 1 else ''}"
                ended = force_day + datetime.timedelta(days=365 * years + rng.randrange(0, 30))
                record["ended"] = ended.isoformat()
                record["end_kind"] = rng.choice(END_KINDS)
        if rng.random() < 0.2 and force_day:
            record["ratifications_exchanged"] = (force_day - datetime.timedelta(days=rng.randrange(0, 30))).isoformat()
            if record["ratifications_exchanged"] < signed_end.isoformat():
                record["ratifications_exchanged"] = signed_end.isoformat()
            record["ratifications_place"] = place

        for position, state in enumerate(parties):
            party = {"state": state.code, "role": "party"}
            if not bilateral:
                if position and rng.random() < 0.02:
                    party["role"] = "guarantor"
                if rng.random() < 0.5:
                    party["ratified"] = (signed_end + datetime.timedelta(days=rng.randrange(30, 900))).isoformat()
                elif rng.random() < 0.1:
                    party["acceded"] = (signed_end + datetime.timedelta(days=rng.randrange(100, 3000))).isoformat()
            record["parties"].append(party)

        record["registrations"] = self._registrations(rng, signed_end, numbers, extra=True)
        if rng.random() < 0.2:
            for k in range(1, rng.choice((1, 1, 1, 2, 3)) + 1):
                kind_code, effect, prefix = rng.choice(PROTOCOL_KINDS)
                protocol_day = signed_end + datetime.timedelta(days=rng.randrange(0, 3650))
                protocol = {
                    "title": f"{prefix} {short_title}",
                    "slug": f"{slug[:180]}-p{k}",
                    "kind": kind_code,
                    "signed": protocol_day.isoformat(),
                    "place_signed": place,
                    "effect": effect,
                    "registrations": self._registrations(rng, protocol_day, numbers, extra=False)
                    if rng.random() < 0.5
                    else [],
                }
                if kind_code == "prolongation":
                    protocol["prolongation"] = f"{rng.choice((1, 2, 5, 10))} years"
                record["protocols"].append(protocol)
        for _ in range(rng.randint(2, 5)):
            record["citations"].append(
                {
                    "source": self._draw(rng, self.ref.sources, self.source_cumulative),
                    "fact": rng.choice(CITED_FACTS[:12]) if rng.random() < 0.6 else "",
                    "locator": f"p. {rng.randint(1, 900)}",
                }
            )
        for k in range(1, rng.choice((0, 0, 1, 1, 2, 3)) + 1):
            event_day = signed_end + datetime.timedelta(days=rng.randrange(0, 2000))
            record["events"].append(
                {
                    "slug": f"{slug[:180]}-e{k}",
                    "title": rng.choice(EVENT_TITLES),
                    "date": _date_text(event_day, "day" if rng.random() < 0.7 else "month"),
                }
            )
        return record

    def _registrations(self, rng, after: datetime.date, numbers: dict, *, extra: bool) -> list[dict]:
        """The primary series of the era, plus (for treaties) up to two more that were publishing then."""
        year = after.year
        live = [(a, first, last) for a, first, last in self.ref.series if first <= year <= last]
        primary = [s for s in live if s[0] in ("CTS", "LNTS", "UNTS")] or live[:1]
        chosen = primary[:1]
        if extra:
            others = [s for s in live if s not in chosen]
            rng.shuffle(others)
            chosen += others[: rng.choice((0, 0, 1, 1, 2))]
        registrations = []
        for abbreviation, _first, _last in chosen:
            numbers[abbreviation] += 1
            number = numbers[abbreviation]
            first_page = 1 + (number * 37) % 400
            registrations.append(
                {
                    "series": abbreviation,
                    "number": f"I-{number}" if abbreviation == "UNTS" else str(number),
                    "volume": 1 + number // 25,
                    "first_page": first_page,
                    "last_page": first_page + rng.randint(2, 40),
                    "registered": (after + datetime.timedelta(days=rng.randrange(10, 400))).isoformat(),
                }
            )
        return registrations


def generate_records(count: int, *, seed: int = 1, ref: Reference | None = None) -> Iterator[dict]:
    """``count`` synthetic treaty records (import format), the same for the same ``seed``."""
    return Generator(seed, ref).records(count)
