"""One import record as one CSV row, and back.

Why this flattening: a spreadsheet user should be able to read and write the
common cells (title, dates, subjects, parties) by hand, while the nested parts
(protocols with their own registrations, citations) must survive a round trip
without loss. So:

* plain fields are plain cells; ``secret`` is ``true`` or ``false``;
* simple lists (``subjects``, ``same_as``) are values separated by `` | ``;
* ``parties`` is either state names separated by `` | `` (each a party, no
  dates) or, when any party has a role or dates, a JSON array of objects;
* ``titles``, ``registrations``, ``protocols``, ``citations`` and ``events``
  are JSON arrays of objects (the same objects as in a JSON record); an empty
  cell is an empty list.

Any list cell that starts with ``[`` is read as JSON. ``COLUMNS`` is the
column order written by the export; an import also accepts ``dataset`` and
``dataset_id`` instead of ``id``. See ``docs/import-format.md``.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection), so every public CSV download
neutralises such a cell as OWASP advises, with a leading apostrophe, which a
spreadsheet shows as text and does not display (``guard_cell``). So that the
treaty CSV still imports back exactly, the import reads an apostrophe before
one of those characters (or before another apostrophe) as that guard and
drops it (``unguard_cell``), as a spreadsheet does; a value that itself
starts with an apostrophe is written with a second one. One rule for every
cell, so the round trip is exact for any text.
"""

from __future__ import annotations

import json

from .records import ID_PARTS, ITEM_KEYS, RECORD_KEYS

COLUMNS = RECORD_KEYS
ACCEPTED_COLUMNS = frozenset((*COLUMNS, *ID_PARTS))
SEPARATOR = " | "
PIPE_COLUMNS = ("subjects", "same_as")
JSON_COLUMNS = ("titles", "parties", "registrations", "protocols", "citations", "events")
BOOLEAN_COLUMNS = ("secret",)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
_GUARDED_STARTS = (*FORMULA_STARTS, GUARD)


def guard_cell(value: str) -> str:
    """A cell a spreadsheet shows as the text it is: an apostrophe before a formula start (or an apostrophe)."""
    return GUARD + value if value.startswith(_GUARDED_STARTS) else value


def unguard_cell(value: str) -> str:
    """The value ``guard_cell`` was given: drops the guard apostrophe, and only that."""
    if value.startswith(GUARD) and value[1:2] and value[1:].startswith(_GUARDED_STARTS):
        return value[1:]
    return value


class CellErrors(Exception):
    """Cells of one row that cannot be read: a list of (column, reason)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


def _json_cell(items: list) -> str:
    return json.dumps(items, ensure_ascii=False, separators=(", ", ": ")) if items else ""


def _parties_cell(parties: list[dict]) -> str:
    simple = all(
        set(party) <= {"state", *ITEM_KEYS["parties"]}
        and (party.get("role") or "party") == "party"
        and not any(party.get(key) for key in ("signed", "ratified", "acceded", "denounced"))
        and SEPARATOR.strip() not in str(party.get("state", ""))
        for party in parties
    )
    if simple:
        return SEPARATOR.join(str(party.get("state", "")) for party in parties)
    return _json_cell(parties)


def record_to_row(record: dict) -> dict[str, str]:
    """The CSV cells of a record, by column (every column of ``COLUMNS``)."""
    row: dict[str, str] = {}
    for column in COLUMNS:
        value = record.get(column)
        if column in PIPE_COLUMNS:
            values = [str(v) for v in value or []]
            if any(SEPARATOR.strip() in v for v in values):
                row[column] = _json_cell(values)  # a value holding the separator: keep it whole
            else:
                row[column] = SEPARATOR.join(values)
        elif column == "parties":
            row[column] = _parties_cell(value or [])
        elif column in JSON_COLUMNS:
            row[column] = _json_cell(value or [])
        elif column in BOOLEAN_COLUMNS:
            row[column] = "true" if value is True else "false" if value is False else str(value or "")
        else:
            row[column] = "" if value is None else str(value)
    return row


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(SEPARATOR.strip()) if part.strip()]


def _read_json_list(column: str, cell: str, errors: list) -> list:
    try:
        value = json.loads(cell)
    except json.JSONDecodeError as error:
        errors.append((column, f"not valid JSON ({error.msg} at character {error.pos + 1})"))
        return []
    if not isinstance(value, list):
        errors.append((column, "a JSON cell must hold a list: [...]"))
        return []
    return value


def row_to_record(row: dict) -> dict:
    """The record of a CSV row (keyed by column name); raises ``CellErrors``.

    Values are only unflattened here; the import validates them (so a JSON
    record and a CSV row get the same messages).
    """
    errors: list[tuple[str, str]] = []
    record: dict = {}
    for column, raw in row.items():
        if column is None:  # more cells than the header has columns
            errors.append(("(row)", f"{len(raw)} cell(s) beyond the last column of the header"))
            continue
        cell = unguard_cell((raw or "").strip()) if isinstance(raw, str) else ""
        if column in PIPE_COLUMNS:
            record[column] = _read_json_list(column, cell, errors) if cell.startswith("[") else _split(cell)
        elif column == "parties":
            if cell.startswith("["):
                record[column] = _read_json_list(column, cell, errors)
            else:
                record[column] = [{"state": name} for name in _split(cell)]
        elif column in JSON_COLUMNS:
            record[column] = _read_json_list(column, cell, errors) if cell else []
        else:
            record[column] = cell
    if errors:
        raise CellErrors(errors)
    return record
