"""Writing one batch of checked records: match, compare, then create or update in bulk, with history.

Why bulk: an import of 250,000 treaties cannot afford a save() per row (each
a handful of queries with its signals). A batch of records costs a fixed
number of queries: one to find the treaties it already has (with their parts
prefetched), a few to settle slugs and registration numbers, and one
``bulk_create`` / ``bulk_update`` per model, each followed by one bulk insert
into the model's history table (django-simple-history's
``bulk_history_create``), with the importing user and reason.

What bulk writes skip, and what is done here instead:

* ``pre_save`` of the EDTF fields runs in ``bulk_create`` but not in
  ``bulk_update``: it is called here before updating, so the derived
  ``*_earliest`` / ``*_latest`` dates stay right.
* ``auto_now`` is set by hand on update.
* The search signals (``catalogue.search``) do not fire: each treaty's search
  document is built here from the record (the same text as
  ``search.document_for``), and on PostgreSQL the vector is computed in SQL
  as new treaties go in (``fastinsert``), and in one UPDATE per batch for
  changed ones.
* The slug signals (``catalogue.slugs``) do not fire: a new slug is checked
  against current and retired slugs in bulk, and a changed slug is recorded
  as an ``OldSlug``.

A record already in the catalogue and unchanged is not written at all, so
importing a file twice adds no history.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from .. import search
from ..dates import EDTFField
from ..models import (
    Article,
    Citation,
    Event,
    OldSlug,
    Participation,
    Protocol,
    Registration,
    Status,
    Treaty,
    TreatyTitle,
)
from .fastinsert import insert, insert_with_history
from .plan import (
    CITATION_FIELDS,
    EVENT_FIELDS,
    PARTY_FIELDS,
    PROTOCOL_FIELDS,
    REGISTRATION_FIELDS,
    TITLE_FIELDS,
    TreatyPlan,
    search_document,
)
from .records import record_prefetch


def _update_fields(model, fields) -> list[str]:
    """The columns a bulk_update must write for ``fields``: with the EDTF siblings and ``updated``."""
    names = [name[:-3] if name.endswith("_id") else name for name in fields]
    out = []
    for name in names:
        model_field = model._meta.get_field(name)
        out.append(model_field.name)
        if isinstance(model_field, EDTFField):
            out += [model_field.earliest_attname, model_field.latest_attname]
    if any(f.name == "updated" for f in model._meta.concrete_fields):
        out.append("updated")
    return out


def _edtf_fields(model) -> list[EDTFField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EDTFField)]


class BatchWriter:
    def __init__(self, resolver, problems, *, user=None, reason: str = "", batch_size: int = 1000):
        self.resolver = resolver
        self.problems = problems
        self.user = user
        self.reason = reason
        self.batch_size = batch_size
        self.now = timezone.now()
        # Slugs this import gives or has derived, by owner: a derived slug avoids them (the database
        # knows only those written so far).
        self.seen_slugs: dict[str, set[str]] = {"treaty": set(), "protocol": set(), "event": set()}
        self.edtf = {model: _edtf_fields(model) for model in (Treaty, Participation, Protocol, Registration, Event)}

    # ------------------------------------------------------------------
    # The batch
    # ------------------------------------------------------------------

    def write(self, plans: list[TreatyPlan]) -> dict[str, int]:
        """Write a batch; returns counts. Problems found (slug or number clashes) are reported, nothing written."""
        self.now = timezone.now()
        existing = self._existing(plans)
        creates: list[TreatyPlan] = []
        updates: list[tuple[TreatyPlan, Treaty]] = []
        unchanged = 0
        for plan in plans:
            treaty = existing.get(plan.identifier) if plan.identifier else existing.get(("slug", plan.fields["slug"]))
            if treaty is None:
                self._defaults_for_new(plan)
                creates.append(plan)
            else:
                self._defaults_from(plan, treaty)
                if self._same(plan, treaty):
                    unchanged += 1
                else:
                    updates.append((plan, treaty))
        for plan in plans:
            self._note_given_slugs(plan)
        problems_before = self.problems.total
        self._settle_slugs(creates, updates)
        self._check_numbers(creates, updates)
        if self.problems.total != problems_before:
            return {"created": 0, "updated": 0, "unchanged": unchanged}
        self._create(creates)  # on PostgreSQL with the search vector computed as the rows go in
        updated_ids = self._update(updates)
        if updated_ids and search.is_postgres():
            Treaty.objects.filter(pk__in=updated_ids).update(search_vector=search.vector_expression())
        return {"created": len(creates), "updated": len(updates), "unchanged": unchanged}

    def _note_given_slugs(self, plan: TreatyPlan) -> None:
        if plan.fields["slug"]:
            self.seen_slugs["treaty"].add(plan.fields["slug"])
        for owner, items in (("protocol", plan.protocols), ("event", plan.events)):
            self.seen_slugs[owner].update(item["slug"] for item in items if item["slug"])

    def report(self, plan: TreatyPlan, column: str, reason) -> None:
        self.problems.add(plan.origin, plan.line, column, reason)

    def _existing(self, plans) -> dict:
        ids = [p.identifier for p in plans if p.identifier]
        slugs = [p.fields["slug"] for p in plans if not p.identifier]
        if not ids and not slugs:
            return {}
        queryset = Treaty.objects.filter(Q(identifier__any_of=ids) | Q(slug__any_of=slugs)).prefetch_related(
            *record_prefetch()
        )
        found = {}
        for treaty in queryset:
            if treaty.identifier:
                found[treaty.identifier] = treaty
            found[("slug", treaty.slug)] = treaty
        return found

    # ------------------------------------------------------------------
    # Defaults and comparison
    # ------------------------------------------------------------------

    def _defaults_for_new(self, plan: TreatyPlan) -> None:
        plan.fields["status"] = plan.fields["status"] or Status.DRAFT
        for protocol in plan.protocols:
            protocol["status"] = protocol["status"] or plan.fields["status"]

    def _defaults_from(self, plan: TreatyPlan, treaty: Treaty) -> None:
        """Fill what the record leaves blank (slug, status, id, part slugs) from the record in the catalogue."""
        for name in ("slug", "status", "identifier"):
            plan.fields[name] = plan.fields[name] or getattr(treaty, name)
        protocols = {p.slug: p for p in treaty.protocols.all()}
        by_title: dict[str, list] = defaultdict(list)
        for protocol in treaty.protocols.all():
            by_title[protocol.title.casefold()].append(protocol)
        taken = {p["slug"] for p in plan.protocols if p["slug"]}
        for values in plan.protocols:
            match = protocols.get(values["slug"]) if values["slug"] else None
            if match is None and not values["slug"]:
                candidates = [p for p in by_title[values["title"].casefold()] if p.slug not in taken]
                if candidates:
                    match = candidates[0]
                    values["slug"] = match.slug
                    taken.add(match.slug)
            values["status"] = values["status"] or (match.status if match else plan.fields["status"])
        events = list(treaty.events.all())
        taken = {e["slug"] for e in plan.events if e["slug"]}
        for values in plan.events:
            if values["slug"]:
                continue
            for event in events:
                if event.slug not in taken and (event.title, event.date) == (values["title"], values["date"]):
                    values["slug"] = event.slug
                    taken.add(event.slug)
                    break

    @staticmethod
    def _rows(objs, fields, key=None) -> list[tuple]:
        rows = [tuple(getattr(obj, name) for name in fields) for obj in objs]
        return sorted(rows, key=key) if key else rows

    @staticmethod
    def _plan_rows(items, fields, key=None) -> list[tuple]:
        rows = [tuple(item[name] for name in fields) for item in items]
        return sorted(rows, key=key) if key else rows

    def _same(self, plan: TreatyPlan, treaty: Treaty) -> bool:
        if any(getattr(treaty, name) != value for name, value in plan.fields.items()):
            return False
        if tuple(sorted(s.pk for s in treaty.subjects.all())) != plan.subject_ids:
            return False
        if self._rows(treaty.titles.all(), TITLE_FIELDS, key=str) != self._plan_rows(plan.titles, TITLE_FIELDS, str):
            return False
        parties = sorted(treaty.participations.all(), key=lambda p: (p.position, p.pk))
        if self._rows(parties, PARTY_FIELDS) != self._plan_rows(plan.parties, PARTY_FIELDS):
            return False
        if self._registration_rows(treaty.registrations.all()) != self._plan_rows(
            plan.registrations, REGISTRATION_FIELDS, str
        ):
            return False
        mine = sorted(
            (
                (*self._rows([p], PROTOCOL_FIELDS)[0], tuple(self._registration_rows(p.registrations.all())))
                for p in treaty.protocols.all()
            ),
            key=str,
        )
        theirs = sorted(
            (
                (
                    *self._plan_rows([p], PROTOCOL_FIELDS)[0],
                    tuple(self._plan_rows(p["registrations"], REGISTRATION_FIELDS, str)),
                )
                for p in plan.protocols
            ),
            key=str,
        )
        if mine != theirs:
            return False
        citations = sorted(treaty.citations.all(), key=lambda c: (c.position, c.pk))
        if self._rows(citations, CITATION_FIELDS) != self._plan_rows(plan.citations, CITATION_FIELDS):
            return False
        if any(not e["slug"] for e in plan.events):
            return False
        return self._rows(treaty.events.all(), EVENT_FIELDS, str) == self._plan_rows(plan.events, EVENT_FIELDS, str)

    def _registration_rows(self, registrations) -> list[tuple]:
        return self._rows(registrations, REGISTRATION_FIELDS, key=str)

    # ------------------------------------------------------------------
    # Slugs and registration numbers
    # ------------------------------------------------------------------

    def _taken(self, model, owner: str, slugs: set[str]) -> dict[str, int | None]:
        """slug -> the id of the treaty that has it (now or as a retired slug), for slugs in use."""
        if not slugs:
            return {}
        taken: dict[str, int | None] = {}
        if model is Treaty:
            rows = Treaty.objects.filter(slug__any_of=slugs).values_list("slug", "pk")
        else:
            rows = model.objects.filter(slug__any_of=slugs).values_list("slug", "treaty_id")
        taken.update(rows)
        if model in (Treaty, Protocol):
            retired = OldSlug.objects.filter(slug__any_of=slugs, **{f"{owner}__isnull": False})
            if model is Treaty:
                rows = retired.values_list("slug", "treaty_id")
            else:
                rows = retired.values_list("slug", "protocol__treaty_id")
            for slug, treaty_id in rows:
                taken.setdefault(slug, treaty_id)
        return taken

    def _derive(self, model, owner: str, wanted: list[tuple[object, str]]) -> dict[int, str]:
        """Unique slugs for ``wanted`` (key, base slug) pairs: the base, else base-2, base-3..."""
        seen = self.seen_slugs[owner]
        chosen: dict[int, str] = {}
        pending = {id(key): (key, base, 1) for key, base in wanted}
        while pending:
            candidates = {id_: (base if n == 1 else f"{base}-{n}") for id_, (key, base, n) in pending.items()}
            taken = self._taken(model, owner, set(candidates.values()))
            next_round = {}
            for id_, slug in candidates.items():
                key, base, n = pending[id_]
                if slug in taken or slug in seen:
                    next_round[id_] = (key, base, n + 1)
                else:
                    seen.add(slug)
                    chosen[id_] = slug
            pending = next_round
        return chosen

    def _settle_slugs(self, creates, updates) -> None:
        own = [(plan, None) for plan in creates] + [(plan, treaty.pk) for plan, treaty in updates]
        # Slugs the records give: free, or already this treaty's.
        given = {plan.fields["slug"]: (plan, None) for plan in creates if plan.fields["slug"]}
        given.update(
            {plan.fields["slug"]: (plan, treaty.pk) for plan, treaty in updates if plan.fields["slug"] != treaty.slug}
        )
        for slug, owner_pk in self._taken(Treaty, "treaty", set(given)).items():
            plan, pk = given[slug]
            if owner_pk != pk:
                self.report(
                    plan, "slug", _("the slug “%(slug)s” is (or was) another treaty's address") % {"slug": slug}
                )
        for model, key, owner in ((Protocol, "protocols", "protocol"), (Event, "events", "event")):
            given_parts = {
                item["slug"]: (plan, pk, item) for plan, pk in own for item in getattr(plan, key) if item["slug"]
            }
            for slug, owner_pk in self._taken(model, owner, set(given_parts)).items():
                plan, pk, item = given_parts[slug]
                if owner_pk != pk:
                    self.report(
                        plan,
                        f"{key}[{item['index'] + 1}].slug",
                        _("the slug “%(slug)s” belongs to a %(what)s of another treaty")
                        % {"slug": slug, "what": model._meta.verbose_name},
                    )
        # Slugs to derive.
        wanted = [(plan, plan.base_slug) for plan in creates if not plan.fields["slug"]]  # prepared by the checks
        chosen = self._derive(Treaty, "treaty", wanted)
        for plan, _base in wanted:
            plan.fields["slug"] = chosen[id(plan)]
        for model, key, owner in ((Protocol, "protocols", "protocol"), (Event, "events", "event")):
            wanted = []
            for plan, _pk in own:
                for item in getattr(plan, key):
                    if not item["slug"]:
                        wanted.append((item, plan.part_base_slugs[(owner, item["index"])]))
            chosen = self._derive(model, owner, wanted)
            for item, _base in wanted:
                item["slug"] = chosen[id(item)]

    def _check_numbers(self, creates, updates) -> None:
        own = [(plan, None) for plan in creates] + [(plan, treaty.pk) for plan, treaty in updates]
        wanted = {}
        for plan, pk in own:
            for index, item in enumerate(plan.registrations, start=1):
                if item["number"]:
                    wanted[(item["series_id"], item["number"])] = (plan, pk, f"registrations[{index}].number")
            for protocol in plan.protocols:
                for index, item in enumerate(protocol["registrations"], start=1):
                    if item["number"]:
                        column = f"protocols[{protocol['index'] + 1}].registrations[{index}].number"
                        wanted[(item["series_id"], item["number"])] = (plan, pk, column)
        if not wanted:
            return
        rows = (
            Registration.objects.filter(
                series_id__any_of={series for series, _n in wanted}, number__any_of={number for _s, number in wanted}
            )
            .exclude(number="")  # the unique index on (series, number) leaves blank numbers out: so must the query
            .values_list("series_id", "number", "treaty_id", "protocol__treaty_id", "series__abbreviation")
        )
        for series_id, number, treaty_id, protocol_treaty_id, abbreviation in rows:
            if (series_id, number) not in wanted:
                continue
            plan, pk, column = wanted[(series_id, number)]
            if (treaty_id or protocol_treaty_id) != pk:
                self.report(
                    plan,
                    column,
                    _("No. %(number)s is already registered in %(series)s for another instrument")
                    % {"number": number, "series": abbreviation},
                )

    # ------------------------------------------------------------------
    # Writing
    # ------------------------------------------------------------------

    def _prepare(self, obj) -> None:
        for model_field in self.edtf.get(type(obj), ()):
            model_field.pre_save(obj, False)

    def _bulk_create(self, model, rows: list[dict], computed=None) -> list[int]:
        """Insert rows (dicts of values) with one history row each; each dict gets its id. Returns the history ids."""
        return insert_with_history(
            model,
            rows,
            user=self.user,
            reason=self.reason,
            now=self.now,
            batch_size=self.batch_size,
            computed=computed,
        )

    def _bulk_update(self, objs: list, fields) -> None:
        if not objs:
            return
        model = type(objs[0])
        for obj in objs:
            self._prepare(obj)
            if hasattr(obj, "updated"):
                obj.updated = self.now
        bulk_update_with_history(
            objs,
            model,
            _update_fields(model, fields),
            batch_size=self.batch_size,
            default_user=self.user,
            default_change_reason=self.reason,
        )

    def _delete(self, objs: list) -> None:
        for obj in objs:  # rare: a part dropped from a record. One delete each, so history records it.
            obj._history_user = self.user
            obj._change_reason = self.reason
            obj.delete()

    def _history_subjects(self, versions: list[tuple[int, int]], written: list[dict] | None = None) -> None:
        """The subjects of each new version (history id, treaty id), as simple-history records them on save().

        ``written``: the subject links just inserted for these treaties (new treaties have no others), which
        spares reading them back.
        """
        through = Treaty.subjects.through
        links = defaultdict(list)
        if written is None:
            written = through.objects.filter(treaty_id__any_of=[treaty_id for _h, treaty_id in versions]).values(
                "id", "treaty_id", "subject_id"
            )
        for link in written:
            links[link["treaty_id"]].append((link["id"], link["subject_id"]))
        insert(
            m2m_history_model(),
            [
                {"history_id": history_id, "id": pk, "treaty_id": treaty_id, "subject_id": subject_id}
                for history_id, treaty_id in versions
                for pk, subject_id in links[treaty_id]
            ],
            batch_size=self.batch_size,
            now=self.now,
        )

    def _create(self, plans: list[TreatyPlan]) -> list[int]:
        if not plans:
            return []
        treaties = [
            {
                **plan.fields,
                "published_at": self.now if plan.fields["status"] == Status.PUBLISHED else None,
                "search_document": plan.document,  # prepared by the checks
            }
            for plan in plans
        ]
        computed = {"search_vector": search.vector_expression()} if search.is_postgres() else None
        history_ids = self._bulk_create(Treaty, treaties, computed=computed)
        links = [
            {"treaty_id": t["id"], "subject_id": s}
            for t, plan in zip(treaties, plans, strict=True)
            for s in plan.subject_ids
        ]
        insert(Treaty.subjects.through, links, batch_size=self.batch_size, now=self.now)
        self._history_subjects([(h, t["id"]) for h, t in zip(history_ids, treaties, strict=True)], links)
        parts = _Parts(self.now)
        for treaty, plan in zip(treaties, plans, strict=True):
            parts.add_new(treaty["id"], plan)
        self._write_parts(parts)
        return [t["id"] for t in treaties]

    def _update(self, pairs: list[tuple[TreatyPlan, Treaty]]) -> list[int]:
        if not pairs:
            return []
        articles = defaultdict(list)
        for treaty_id, heading, summary, text in (
            Article.objects.filter(treaty_id__in=[t.pk for _p, t in pairs])
            .order_by("treaty_id", "position", "number")
            .values_list("treaty_id", "heading", "summary", "text")
        ):
            articles[treaty_id].append((heading, summary, text))
        retired, reclaimed = [], []
        treaties = []
        subject_changes = []
        for plan, treaty in pairs:
            if plan.fields["slug"] != treaty.slug:
                retired.append(OldSlug(slug=treaty.slug, treaty=treaty))
                reclaimed.append(plan.fields["slug"])
            for name, value in plan.fields.items():
                setattr(treaty, name, value)
            if treaty.status == Status.PUBLISHED and treaty.published_at is None:
                treaty.published_at = self.now
            treaty.search_document = search_document(plan, self.resolver, articles.get(treaty.pk, ()))
            self._prepare(treaty)
            treaty.updated = self.now
            treaties.append(treaty)
            if tuple(sorted(s.pk for s in treaty.subjects.all())) != plan.subject_ids:
                subject_changes.append((treaty, plan))
        fields = [*plan.fields, "published_at", "search_document"]
        Treaty.objects.bulk_update(treaties, _update_fields(Treaty, fields), batch_size=self.batch_size)
        history_rows = Treaty.history.bulk_history_create(
            treaties,
            batch_size=self.batch_size,
            update=True,
            default_user=self.user,
            default_change_reason=self.reason,
        )
        if reclaimed:
            OldSlug.objects.filter(slug__in=reclaimed, treaty__in=treaties).delete()
            OldSlug.objects.bulk_create(retired)
        if subject_changes:
            through = Treaty.subjects.through
            through.objects.filter(treaty_id__in=[t.pk for t, _p in subject_changes]).delete()
            insert(
                through,
                [{"treaty_id": t.pk, "subject_id": s} for t, plan in subject_changes for s in plan.subject_ids],
                batch_size=self.batch_size,
                now=self.now,
            )
        self._history_subjects([(row.history_id, row.id) for row in history_rows])
        parts = _Parts(self.now)
        for plan, treaty in pairs:
            parts.sync(treaty, plan)
        self._write_parts(parts)
        return [t.pk for t in treaties]

    def _write_parts(self, parts: _Parts) -> None:
        self._delete(parts.deletes)
        for objs, fields in parts.updates.values():
            self._bulk_update(objs, fields)
        for model in (TreatyTitle, Participation, Registration, Citation, Event, Protocol):
            self._bulk_create(model, parts.creates[model])
        self._bulk_create(
            Registration,
            [
                {**_pick(values, REGISTRATION_FIELDS), "protocol_id": protocol["id"]}
                for protocol, registrations in parts.protocol_registrations
                for values in registrations
            ],
        )


def m2m_history_model():
    history = Treaty.history.model
    for relation in history._meta.related_objects:
        if relation.related_model.__name__ == f"{history.__name__}_subjects":
            return relation.related_model
    raise LookupError("no history model for Treaty.subjects")


def _pick(values: dict, fields) -> dict:
    return {name: values[name] for name in fields}


class _Parts:
    """The parts of a batch's treaties to create (as dicts of values), update and delete, by model."""

    def __init__(self, now):
        self.now = now
        self.creates: dict = defaultdict(list)
        self.protocol_registrations: list[tuple[dict, list[dict]]] = []  # a new protocol's row, its registrations
        self.updates: dict = {}
        self.deletes: list = []

    def _update(self, obj, fields) -> None:
        model = type(obj)
        self.updates.setdefault(model, ([], fields))[0].append(obj)

    def add_new(self, treaty_id: int, plan: TreatyPlan) -> None:
        parent = {"treaty_id": treaty_id}
        for model, items, fields in (
            (TreatyTitle, plan.titles, TITLE_FIELDS),
            (Participation, plan.parties, PARTY_FIELDS),
            (Registration, plan.registrations, REGISTRATION_FIELDS),
            (Citation, plan.citations, CITATION_FIELDS),
            (Event, plan.events, EVENT_FIELDS),
        ):
            self.creates[model] += [{**parent, **_pick(values, fields)} for values in items]
        for values in plan.protocols:
            self._new_protocol(treaty_id, values)

    def _new_protocol(self, treaty_id: int, values) -> None:
        protocol = {**_pick(values, PROTOCOL_FIELDS), "treaty_id": treaty_id}
        protocol["published_at"] = self.now if protocol["status"] == Status.PUBLISHED else None
        self.protocol_registrations.append((protocol, values["registrations"]))
        self.creates[Protocol].append(protocol)

    def _sync(self, model, existing, desired, fields, key, parent: dict) -> list[tuple]:
        """Match ``desired`` dicts to ``existing`` objects by ``key``: update, create, delete. Returns matches."""
        by_key = {}
        for obj in existing:
            by_key.setdefault(key(obj), obj)
        matched = []
        for values in desired:
            obj = by_key.pop(key(values), None)
            if obj is None:
                self.creates[model].append({**parent, **_pick(values, fields)})
                continue
            matched.append((obj, values))
            if any(getattr(obj, name) != values[name] for name in fields):
                for name in fields:
                    setattr(obj, name, values[name])
                self._update(obj, fields)
        self.deletes += list(by_key.values())
        return matched

    def sync(self, treaty, plan: TreatyPlan) -> None:
        parent = {"treaty_id": treaty.pk}
        self._sync(
            TreatyTitle,
            treaty.titles.all(),
            plan.titles,
            TITLE_FIELDS,
            lambda o: (o.title, o.language) if not isinstance(o, dict) else (o["title"], o["language"]),
            parent,
        )
        self._sync(Participation, treaty.participations.all(), plan.parties, PARTY_FIELDS, _by("state_id"), parent)
        self._sync(
            Registration, treaty.registrations.all(), plan.registrations, REGISTRATION_FIELDS, _by("series_id"), parent
        )
        citations = sorted(treaty.citations.all(), key=lambda c: (c.position, c.pk))
        for index, citation in enumerate(citations):
            citation._import_index = index
        self._sync(
            Citation,
            citations,
            plan.citations,
            CITATION_FIELDS,
            lambda o: o["position"] if isinstance(o, dict) else o._import_index,
            parent,
        )
        self._sync(Event, treaty.events.all(), plan.events, EVENT_FIELDS, _by("slug"), parent)
        existing = {p.slug: p for p in treaty.protocols.all()}
        for values in plan.protocols:
            protocol = existing.pop(values["slug"], None)
            if protocol is None:
                self._new_protocol(treaty.pk, values)
                continue
            if any(getattr(protocol, name) != values[name] for name in PROTOCOL_FIELDS):
                for name in PROTOCOL_FIELDS:
                    setattr(protocol, name, values[name])
                if protocol.status == Status.PUBLISHED and protocol.published_at is None:
                    protocol.published_at = timezone.now()
                self._update(protocol, (*PROTOCOL_FIELDS, "published_at"))
            self._sync(
                Registration,
                protocol.registrations.all(),
                values["registrations"],
                REGISTRATION_FIELDS,
                _by("series_id"),
                {"protocol_id": protocol.pk},
            )
        self.deletes += list(existing.values())


def _by(name: str):
    return lambda o: o[name] if isinstance(o, dict) else getattr(o, name)
