"""What can go wrong in an import, located: file (origin), line, column (a key path) and reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    origin: str
    line: int
    column: str
    reason: str

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

    def add(self, origin: str, line: int, column: str, reason) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(Problem(origin, line, column, str(reason)))

    def merge(self, items: list[Problem], count: int) -> None:
        """Add ``count`` problems found elsewhere (another process), of which ``items`` were kept there."""
        self.total += count
        self.items.extend(items[: max(0, self.limit - len(self.items))])

    def __bool__(self):
        return self.total > 0

    def __len__(self):
        return self.total
