"""Writes tests/data/treaties_100.csv: 100 synthetic treaties in the import format (deterministic).

Run from the project root: ``python tests/data/make_treaties.py``. The reference
data it names (states, places, kinds, subjects, series, sources) is created by
``tests.test_import.reference_data``; ``generate`` is also used to build large
files for the timing runs (docs/import-format.md).
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from catalogue.importing.csvformat import COLUMNS, record_to_row  # noqa: E402

STATES = ["Germany", "Soviet Union", "France", "Poland", "Italy", "Japan", "United Kingdom", "Turkey"]
PLACES = ["Berlin", "Moscow", "Paris", "Geneva", "Rome", "Warsaw", "London", "Ankara"]
KINDS = ["Treaty", "Convention", "Agreement", "Pact"]
SUBJECTS = ["Neutrality", "Trade", "Peace", "Non-aggression", "Arbitration"]
SERIES = ["LNTS", "NRG"]
SOURCES = ["source-a", "source-b"]


def record(n: int, rng: random.Random) -> dict:
    year = 1900 + n % 39
    month = 1 + n % 12
    day = 1 + n % 28
    parties = rng.sample(STATES, 2 + n % 3)
    signed = f"{year}-{month:02d}-{day:02d}"
    protocols = []
    if n % 5 == 0:
        protocols.append(
            {
                "title": f"Protocol prolonging treaty {n}",
                "kind": "prolongation",
                "status": "published",
                "signed": f"{year + 2}-{month:02d}",
                "place_signed": rng.choice(PLACES),
                "effect": "prolongs",
                "prolongation": "five years",
                "registrations": [{"series": "NRG", "number": "", "volume": 40 + n % 9, "registered": f"{year + 2}"}],
            }
        )
    return {
        "id": f"synth:{n}",
        "title": f"Treaty of {rng.choice(PLACES)} number {n}",
        "short_title": f"Treaty {n}" if n % 3 == 0 else "",
        "kind": KINDS[n % len(KINDS)],
        "subjects": rng.sample(SUBJECTS, n % 3),
        "status": "published",
        "secret": n % 17 == 0,
        "signed": signed if n % 7 else f"{year}~",
        "place_signed": rng.choice(PLACES),
        "entry_into_force": f"{year + 1}" if n % 2 else "",
        "duration": "ten years" if n % 4 == 0 else "",
        "ended": f"{year + 12}" if n % 4 == 0 else "",
        "end_kind": "expired" if n % 4 == 0 else "",
        "summary": f"Synthetic treaty {n} between {', '.join(parties)}.",
        "same_as": [f"https://example.org/treaty/{n}"] if n % 2 == 0 else [],
        "titles": [{"title": f"Vertrag {n}", "language": "de", "kind": "translation"}] if n % 3 == 0 else [],
        "parties": [
            {"state": state, "role": "party", "signed": signed if n % 2 else "", "ratified": ""} for state in parties
        ],
        "registrations": [
            {
                "series": "LNTS",
                "number": str(1000 + n),
                "volume": 1 + n // 10,
                "first_page": 10 + n,
                "last_page": 20 + n,
            }
        ]
        if n % 2 == 0
        else [],
        "protocols": protocols,
        "citations": [{"source": SOURCES[n % 2], "fact": "signed" if n % 2 else "", "locator": f"p. {n}"}],
        "events": [{"title": "Ratification debate", "date": f"{year}-{month:02d}"}] if n % 10 == 0 else [],
    }


def generate(count: int, seed: int = 1926):
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield record(n, rng)


def write_csv(path, count: int, seed: int = 1926, records=None) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        for item in records if records is not None else generate(count, seed):
            writer.writerow(record_to_row(item))


def three_bad_rows() -> list[dict]:
    """The first six treaties, changed, three of them wrong: a bad date (line 3), an unknown party (line 5),
    a missing title (line 7). The good rows change too, so that a partial import would show."""
    records = list(generate(6))
    for item in records:
        item["summary"] += " Changed."
    records[1]["signed"] = "1902-02-30"
    records[3]["parties"][0]["state"] = "Atlantis"
    records[5]["title"] = ""
    return records


if __name__ == "__main__":
    here = Path(__file__).parent
    write_csv(here / "treaties_100.csv", 100)
    write_csv(here / "three_bad_rows.csv", 6, records=three_bad_rows())
