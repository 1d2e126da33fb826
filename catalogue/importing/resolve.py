"""Reference data by the names an import file uses: states, places, kinds, subjects, series, sources.

Why caches: an import of 250,000 treaties names the same few hundred states
and places over and over; one query per name would dominate the run. The
reference tables are small, so they are read once, up front, into
dictionaries keyed by case-folded name, slug or code, and records created
with ``--create-missing`` are added as they are made.

A state is matched as ``StateQuerySet.matching_name`` does (its code, name or
any of its other names, ignoring case); a name that fits several states is an
error that asks for the code.
"""

from __future__ import annotations

from collections import defaultdict

from .. import history
from ..models import Place, Source, State, StateName, Subject, TreatyKind, TreatySeries
from ..slugs import slug_of


class Missing(Exception):
    """No record has this name (and ``--create-missing`` was not given)."""


class Ambiguous(Exception):
    def __init__(self, candidates: list[str]):
        super().__init__(candidates)
        self.candidates = candidates


def _key(value: str) -> str:
    return value.strip().casefold()


class _Table:
    """One reference table: id by key, several keys per record."""

    def __init__(self):
        self.by_key: dict[str, set[int]] = defaultdict(set)
        self.label: dict[int, str] = {}

    def add(self, pk: int, label: str, *keys: str) -> None:
        self.label[pk] = label
        for key in keys:
            if key:
                self.by_key[_key(key)].add(pk)

    def find(self, value: str) -> int | None:
        found = self.by_key.get(_key(value), set())
        if len(found) > 1:
            raise Ambiguous(sorted(self.label[pk] for pk in found))
        return next(iter(found)) if found else None


class Resolver:
    KINDS = ("state", "place", "kind", "subject", "series", "source")

    def __init__(self, *, create_missing: bool = False, user=None, reason: str = ""):
        self.create_missing = create_missing
        self.user = user
        self.reason = reason
        self.created: dict[str, list[str]] = defaultdict(list)
        self.tables = {kind: _Table() for kind in self.KINDS}
        # For the stored search document: state names and other names, in search.document_for order.
        self.state_names: dict[int, str] = {}
        self.state_other_names: dict[int, list[str]] = defaultdict(list)
        self._load()

    def _load(self) -> None:
        for pk, name, code in State.objects.values_list("pk", "name", "code"):
            self.tables["state"].add(pk, f"{name} ({code})", name, code)
            self.state_names[pk] = name
        for state_id, name in StateName.objects.order_by("state__name", "name").values_list("state_id", "name"):
            self.tables["state"].by_key[_key(name)].add(state_id)
            self.state_other_names[state_id].append(name)
        for pk, name, slug in Place.objects.values_list("pk", "name", "slug"):
            self.tables["place"].add(pk, f"{name} ({slug})", name, slug)
        for pk, name, slug in TreatyKind.objects.values_list("pk", "name", "slug"):
            self.tables["kind"].add(pk, name, name, slug)
        for pk, name, slug in Subject.objects.values_list("pk", "name", "slug"):
            self.tables["subject"].add(pk, name, name, slug)
        for pk, abbreviation, slug in TreatySeries.objects.values_list("pk", "abbreviation", "slug"):
            self.tables["series"].add(pk, abbreviation, abbreviation, slug)
        for pk, key in Source.objects.values_list("pk", "key"):
            self.tables["source"].add(pk, key, key)

    def resolve(self, kind: str, value: str) -> int:
        """The id of the ``kind`` record called ``value``; creates it if allowed. Raises Missing / Ambiguous."""
        found = self.tables[kind].find(value)
        if found is not None:
            return found
        if not self.create_missing:
            raise Missing(value)
        return self._create(kind, value.strip())

    def _unique_slug(self, model, field: str, value: str, max_length: int) -> str:
        base = (slug_of(value) or "item")[:max_length].strip("-") or "item"
        candidate, n = base, 1
        while model._default_manager.filter(**{field: candidate}).exists():
            n += 1
            suffix = f"-{n}"
            candidate = base[: max_length - len(suffix)] + suffix
        return candidate

    def _create(self, kind: str, value: str) -> int:
        if kind == "state":
            obj = State(
                name=value,
                code=self._unique_slug(State, "code", value, 32),
                slug=self._unique_slug(State, "slug", value, 200),
            )
        elif kind == "place":
            obj = Place(name=value, slug=self._unique_slug(Place, "slug", value, 200))
        elif kind == "kind":
            obj = TreatyKind(name=value, slug=self._unique_slug(TreatyKind, "slug", value, 100))
        elif kind == "subject":
            obj = Subject(name=value, slug=self._unique_slug(Subject, "slug", value, 100))
        elif kind == "source":
            # A stub the curators complete: the file knows only the key.
            obj = Source(key=value, title=value, kind=Source.Kind.OTHER)
        else:
            obj = TreatySeries(
                name=value, abbreviation=value[:20], slug=self._unique_slug(TreatySeries, "slug", value, 50)
            )
        obj.full_clean(validate_unique=False, validate_constraints=False)
        # A few records per import: one save each (signals and history as in the admin).
        history.save_with_history(obj, user=self.user, reason=self.reason)
        label = value
        if kind == "state":
            self.state_names[obj.pk] = obj.name
            label = f"{obj.name} ({obj.code})"
        self.tables[kind].add(obj.pk, label, value, getattr(obj, "slug", ""), getattr(obj, "code", ""))
        self.created[kind].append(value)
        return obj.pk

    def created_counts(self) -> dict[str, int]:
        return {kind: len(names) for kind, names in self.created.items()}
