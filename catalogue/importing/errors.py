"""What can go wrong in an import, located: file (origin), line, column (a key path) and reason.

A data set loaded into a catalogue that lacks its vocabularies names the same
few unknown kinds, states and places on every row: one problem per row and
column would bury the rest (hundreds of lines for a hundred rows). Problems of
a name no record has carry ``missing`` so that ``describe`` can give one line
per name, with the rows it is on, and one hint at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    origin: str
    line: int
    column: str
    reason: str
    missing: tuple[str, str, str] | None = None  # a name no record has: (kind, name, the reason without the hint)

    def __str__(self):
        where = f"{self.origin}, line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


class ImportFailed(Exception):
    """The import was refused and rolled back; ``errors`` holds every problem found."""

    def __init__(self, errors: list[Problem], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        shown = "; ".join(str(error) for error in errors[:5])
        super().__init__(f"{self.total} error(s): {shown}" + ("; ..." if self.total > 5 else ""))


@dataclass
class Unreadable:
    """Stands in for a record that could not be read at all (bad JSON, bad CSV cells)."""

    problems: list[tuple[str, str]]  # (column, reason)


class Problems:
    """The problems of one import, kept up to ``limit`` (all are counted)."""

    def __init__(self, limit: int = 10_000):
        self.limit = limit
        self.items: list[Problem] = []
        self.total = 0

    def add(self, origin: str, line: int, column: str, reason, *, missing: tuple | None = None) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(Problem(origin, line, column, str(reason), missing))

    def merge(self, items: list[Problem], count: int) -> None:
        """Add ``count`` problems found elsewhere (another process), of which ``items`` were kept there."""
        self.total += count
        self.items.extend(items[: max(0, self.limit - len(self.items))])

    def __bool__(self):
        return self.total > 0

    def __len__(self):
        return self.total


#: How ``describe`` counts unknown names by kind: (one, several).
KIND_NAMES = {
    "state": ("state", "states"),
    "place": ("place", "places"),
    "kind": ("kind of instrument", "kinds of instrument"),
    "subject": ("subject", "subjects"),
    "series": ("treaty series", "treaty series"),
    "source": ("source", "sources"),
}
MAX_LINE_PIECES = 8


def _counted(count: int, kind: str) -> str:
    one, several = KIND_NAMES.get(kind, (kind, kind))
    return f"{count} {one if count == 1 else several}"


def _natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def line_ranges(lines: list[int]) -> str:
    """Sorted line numbers, consecutive ones as ranges ("2–4, 7"); the middle of a long list elided."""
    pieces: list[str] = []
    start = previous = None
    for line in [*sorted(set(lines)), None]:
        if previous is not None and line == previous + 1:
            previous = line
            continue
        if start is not None:
            pieces.append(str(start) if start == previous else f"{start}–{previous}")
        start = previous = line
    if len(pieces) > MAX_LINE_PIECES:
        pieces = [*pieces[: MAX_LINE_PIECES - 2], "…", pieces[-1]]
    return ", ".join(pieces)


def describe(problems: list[Problem]) -> list[str]:
    """The problems as lines to show: each on its own, except names no record has, one line per name and file.

    A name missing on several rows is one line ("… is called “Alliance”: 86 rows (lines 2–87), column kind"),
    and a last line counts the missing names by kind and suggests ``--create-missing``.
    """
    order: list = []
    groups: dict[tuple, list[Problem]] = {}
    for problem in problems:
        if problem.missing is None:
            order.append(problem)
            continue
        key = (problem.origin, problem.missing[0], problem.missing[1])
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(problem)
    lines = []
    for item in order:
        if isinstance(item, Problem):
            lines.append(str(item))
            continue
        members = groups[item]
        if len(members) == 1:
            lines.append(str(members[0]))
            continue
        rows = sorted({member.line for member in members})
        columns = sorted({member.column for member in members}, key=_natural)
        where = f"{len(rows)} rows (lines {line_ranges(rows)})" if len(rows) > 1 else f"1 row (line {rows[0]})"
        label = "column" if len(columns) == 1 else "columns"
        lines.append(f"{item[0]}: {members[0].missing[2]}: {where}, {label} {', '.join(columns)}")
    if any(len(members) > 1 for members in groups.values()):
        names = {(kind, name) for _origin, kind, name in groups}
        kinds = sorted({kind for kind, _name in names}, key=lambda kind: KIND_NAMES.get(kind, (kind, kind))[1])
        counts = ", ".join(_counted(sum(k == kind for k, _n in names), kind) for kind in kinds)
        are = "name is" if len(names) == 1 else "names are"
        lines.append(
            f"{len(names)} {are} not in the catalogue ({counts}): "
            "add them first, or import again with --create-missing to create them."
        )
    return lines
