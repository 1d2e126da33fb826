"""Streaming readers: each yields ``(line, record)`` pairs, one record at a time.

The import never holds a whole file: CSV is read row by row, JSON Lines line
by line, and a JSON array object by object (``json.JSONDecoder.raw_decode``
over a bounded buffer), so memory does not grow with the file. Every record
carries the line it starts on, for the error messages. A record that cannot
be read at all is yielded as an ``Unreadable`` with its reasons, so the
import reports it together with every other problem.

Why not ``ijson`` for the arrays: it streams, but does not tell the line an
object starts on, which every error message must name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from .csvformat import ACCEPTED_COLUMNS, CellErrors, row_to_record
from .errors import Unreadable

CHUNK = 1 << 16
MAX_RECORD_CHARS = 16 * 1024 * 1024
FORMATS = ("csv", "json", "jsonl")


def detect_format(path: str | Path) -> str:
    """csv, json or jsonl, from the file's extension (.csv, .json, .jsonl/.ndjson), else from its first character."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        first = handle.read(4096).lstrip()[:1]
    return "json" if first in ("[", "{") else "csv"


def read_path(path: str | Path, fmt: str | None = None) -> Iterator[tuple[int, dict | Unreadable]]:
    fmt = fmt or detect_format(path)
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            yield from read_csv(handle)
    elif fmt == "jsonl":
        with open(path, encoding="utf-8-sig") as handle:
            yield from read_json_lines(handle)
    else:
        with open(path, encoding="utf-8-sig") as handle:
            yield from read_json(handle)


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------


def read_csv(handle) -> Iterator[tuple[int, dict | Unreadable]]:
    """Rows of a CSV file with a header row; a row's line is the physical line it starts on."""
    reader = csv.DictReader(handle)
    try:
        header = reader.fieldnames
    except (UnicodeDecodeError, csv.Error) as error:
        yield 1, Unreadable([("", _read_error(error))])
        return
    if not header:
        yield 1, Unreadable([("", "the file is empty: a header row with the column names is needed")])
        return
    unknown = [name for name in header if name not in ACCEPTED_COLUMNS]
    missing = [] if ("id" in header or "slug" in header or "dataset_id" in header) else ["id"]
    if "title" not in header:
        missing.append("title")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = [(name, "unknown column (see docs/import-format.md for the columns)") for name in unknown]
    problems += [(name, "this column is missing from the header") for name in missing]
    problems += [(name, "this column appears more than once in the header") for name in duplicated]
    if problems:
        yield 1, Unreadable(problems)
        return
    line = reader.line_num
    while True:
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as error:
            yield start, Unreadable([("", _read_error(error))])
            return
        line = reader.line_num
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue  # a blank line
        try:
            yield start, row_to_record(row)
        except CellErrors as error:
            yield start, Unreadable(error.errors)


def _read_error(error) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "the file is not UTF-8 text; save it as UTF-8"
    return f"the file cannot be read as CSV here: {error}"


# --------------------------------------------------------------------------
# JSON Lines
# --------------------------------------------------------------------------


def read_json_lines(handle) -> Iterator[tuple[int, dict | Unreadable]]:
    """One JSON object per line; blank lines are skipped. A bad line is reported and the next is read."""
    number = 0
    while True:
        try:
            text = handle.readline()
        except UnicodeDecodeError as error:
            yield number + 1, Unreadable([("", _read_error(error))])
            return
        if not text:
            return
        number += 1
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, Unreadable([("", f"not valid JSON ({error.msg} at character {error.colno})")])
            continue
        yield number, _object_or_unreadable(value)


def _object_or_unreadable(value) -> dict | Unreadable:
    if isinstance(value, dict):
        return value
    return Unreadable([("", f"a record must be a JSON object {{...}}, not {type(value).__name__}")])


# --------------------------------------------------------------------------
# JSON: an array of objects (or objects one after another)
# --------------------------------------------------------------------------


class _Stream:
    """A text buffer over a file that is consumed from the front, counting lines."""

    def __init__(self, handle):
        self.handle = handle
        self.buffer = ""
        self.pos = 0
        self.line = 1  # line of buffer[pos]
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.buffer.count("\n", self.pos, to)
        self.pos = to

    def skip(self, chars: str) -> str:
        """Skip ``chars``; return the next character ('' at the end of the file)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in chars:
                self.advance(self.pos + 1)
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self.more():
                return ""


def read_json(handle) -> Iterator[tuple[int, dict | Unreadable]]:
    decoder = json.JSONDecoder()
    stream = _Stream(handle)
    whitespace = " \t\r\n"
    try:
        first = stream.skip(whitespace)
    except UnicodeDecodeError as error:
        yield 1, Unreadable([("", _read_error(error))])
        return
    if not first:
        return
    in_array = first == "["
    if in_array:
        stream.advance(stream.pos + 1)
    separators = whitespace + ("," if in_array else "")
    while True:
        try:
            char = stream.skip(separators)
        except UnicodeDecodeError as error:
            yield stream.line, Unreadable([("", _read_error(error))])
            return
        if char == "":
            if in_array:
                yield stream.line, Unreadable([("", "the file ends before the closing ] of the list")])
            return
        if in_array and char == "]":
            if _rest(stream):
                yield stream.line, Unreadable([("", "unexpected text after the closing ] of the list")])
            return
        start_line = stream.line
        while True:
            try:
                value, end = decoder.raw_decode(stream.buffer, stream.pos)
                break
            except json.JSONDecodeError as error:
                if len(stream.buffer) - stream.pos > MAX_RECORD_CHARS or not stream.more():
                    line = start_line + stream.buffer.count("\n", stream.pos, error.pos)
                    yield line, Unreadable([("", f"not valid JSON ({error.msg}); the rest of the file is not read")])
                    return
            except UnicodeDecodeError as error:
                yield start_line, Unreadable([("", _read_error(error))])
                return
        stream.advance(end)
        yield start_line, _object_or_unreadable(value)


def _rest(stream: _Stream) -> str:
    """Whatever non-blank text follows the closing bracket."""
    stream.advance(stream.pos + 1)
    return stream.skip(" \t\r\n")


def estimate_records(path: str | Path, fmt: str | None = None) -> int | None:
    """About how many records a file holds, for a progress bar's time left; read in binary chunks, cheaply.

    CSV and JSON Lines: the non-blank lines (less the header). JSON: the
    ``"id"`` / ``"dataset_id"`` keys (parts of a record have neither).
    """
    fmt = fmt or detect_format(path)
    lines = ids = 0
    with open(path, "rb") as handle:
        tail = b""
        while chunk := handle.read(1 << 20):
            text = tail + chunk
            lines += chunk.count(b"\n")
            ids += text.count(b'"id"') + text.count(b'"dataset_id"') - tail.count(b'"id"') - tail.count(b'"dataset_id"')
            tail = text[-16:]
    if fmt == "json":
        return ids or None
    return max(lines - (1 if fmt == "csv" else 0), 0) or None
