"""From an import record to a plan: checked values, names resolved to ids, ready to compare and write.

Validation reuses the models' own rules rather than restating them: each
record and each of its parts becomes an unsaved model instance, and
``clean_fields()`` (lengths, choices, EDTF dates through ``dates.bounds``)
and ``clean()`` (the date-order rules across fields and across records) are
called on it. Foreign keys are resolved from the ``Resolver`` caches and
excluded from ``clean_fields`` (which would query each one). The treaty a part
belongs to is not saved yet, so a stand-in ``Treaty`` holding the record's date
of signature is attached through the relation cache: ``clean()`` reads
``self.treaty`` for the rules against the treaty's dates.

Why not simply ``Model(**values).clean_fields()`` for every item: building a
model instance and running every field's full ``clean`` cost about 0.1 ms an
item, and a quarter of a million treaties have some 2.7 million items. A
``_FastCheck`` per model and set of excluded fields tests the same rules
directly (type, blank, length, choices, slug, EDTF bounds, the fields' own
validators) and, when all pass, runs the model's ``clean()`` on one reused
instance. Whenever it finds anything wrong, or meets a field or value it does
not know, the item goes through the full model path above, so every message
is the model's own.

A ValidationError's field names are turned into the record's columns:
``signed``, ``parties[2].ratified`` (items are numbered from 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core import validators as django_validators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .. import dates
from ..models import (
    Citation,
    Event,
    Participation,
    Protocol,
    Registration,
    Status,
    Treaty,
    TreatyTitle,
)
from ..slugs import slug_of
from .errors import Unreadable
from .records import ID_PARTS, ITEM_KEYS, RECORD_KEYS
from .resolve import Ambiguous, Missing, Resolver

TREATY_FIELDS = (
    "identifier",
    "title",
    "short_title",
    "slug",
    "kind_id",
    "status",
    "secret",
    "signed",
    "place_signed_id",
    "ratifications_exchanged",
    "ratifications_place_id",
    "entry_into_force",
    "duration",
    "ended",
    "end_kind",
    "summary",
    "same_as",
)
TITLE_FIELDS = ("title", "language", "kind")
PARTY_FIELDS = ("state_id", "role", "position", "signed", "ratified", "acceded", "denounced")
REGISTRATION_FIELDS = ("series_id", "number", "volume", "first_page", "last_page", "registered")
PROTOCOL_FIELDS = (
    "slug",
    "title",
    "kind",
    "status",
    "signed",
    "place_signed_id",
    "ratified",
    "entry_into_force",
    "effect",
    "prolongation",
    "summary",
)
CITATION_FIELDS = ("source_id", "fact", "locator", "claim", "quotation", "note", "position")
EVENT_FIELDS = ("slug", "title", "date", "description")

# Record key -> model field, where they differ.
TREATY_COLUMNS = {"identifier": "id"}
RESOLVED = {
    "kind": "kind",
    "place_signed": "place",
    "ratifications_place": "place",
    "state": "state",
    "series": "series",
    "source": "source",
}
NOUNS = {
    "state": _("state (by code, name or other name)"),
    "place": _("place (by name or slug)"),
    "kind": _("kind of instrument (by name or slug)"),
    "subject": _("subject (by name or slug)"),
    "series": _("treaty series (by abbreviation or slug)"),
    "source": _("source (by key)"),
}


MISSING_HINT = _("; add it first, or import with --create-missing")
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_NOT_A_KEY = _(
    "“%(name)s” is not a source key: a key is a slug (letters, digits, hyphens and underscores, e.g. %(example)s)"
)


class MissingName(str):
    """The reason given for a name no record has, with what the import's summary groups it by."""

    def __new__(cls, reason: str, short: str, kind: str, name: str):
        value = super().__new__(cls, reason)
        value.missing = (kind, name, short)
        return value

    def __reduce__(self):  # pickled to the writing process (parallel imports)
        return (MissingName, (str(self), self.missing[2], self.missing[0], self.missing[1]))


@dataclass
class TreatyPlan:
    line: int
    origin: str
    identifier: str
    fields: dict  # Treaty attname -> value; "slug" and "status" may be "" (keep or derive)
    subject_ids: tuple
    titles: list[dict] = field(default_factory=list)
    parties: list[dict] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)
    protocols: list[dict] = field(default_factory=list)  # each with "registrations" and "index"
    citations: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # each with "index"
    # Prepared with the checks (in the checking process when the import is parallel), for the writer:
    base_slug: str = ""  # what a new treaty's slug is derived from, when the record gives none
    part_base_slugs: dict = field(default_factory=dict)  # ("protocol" | "event", index) -> the same for a part
    document: str = ""  # a new treaty's search document

    @property
    def label(self) -> str:
        return self.identifier or self.fields["slug"]


SLUG_BASE_LENGTH = 80


def base_slug(title: str, date: str) -> str:
    """What a derived slug starts from: the title slugified (cut at a word, 80 characters at most), and the year.

    The year is left out when the title already has it as a word ("Treaty of Berlin 1926" signed in 1926).
    """
    slug = slug_of(title)
    base = slug[:SLUG_BASE_LENGTH].rsplit("-", 1)[0] if len(slug) > SLUG_BASE_LENGTH else ""
    base = base or slug[:SLUG_BASE_LENGTH] or "record"
    day = dates.bounds_or_none(date)
    if day is None or str(day.earliest.year) in base.split("-"):
        return base
    return f"{base}-{day.earliest.year}"


def _plan_base_slug(plan: TreatyPlan) -> str:
    return base_slug(plan.fields["title"], plan.fields["signed"])


def _part_base_slug(plan: TreatyPlan, owner: str, item: dict) -> str:
    """For a protocol its title and date; for an event the treaty's title, its own title and its date."""
    if owner == "protocol":
        return base_slug(item["title"], item["signed"])
    return base_slug(f"{plan.fields['title']} {item['title']}", item["date"])


def search_document(plan: TreatyPlan, resolver: Resolver, articles=()) -> str:
    """The treaty's stored search document, as ``search.document_for`` builds it from a saved treaty."""
    parts = [plan.fields["title"], plan.fields["short_title"]]
    parts += [t["title"] for t in sorted(plan.titles, key=lambda t: (t["language"], t["title"]))]
    parts.append(plan.fields["summary"])
    for heading, summary, text in articles:
        parts += [heading, summary, text]
    names, other_names = resolver.state_names, resolver.state_other_names
    state_ids = sorted({p["state_id"] for p in plan.parties}, key=lambda pk: (names.get(pk, ""), pk))
    parts += [names.get(pk, "") for pk in state_ids]
    for pk in state_ids:
        parts += other_names.get(pk, [])
    return "\n".join(p.strip() for p in parts if p and p.strip()).casefold()


_NOT_GIVEN = object()


class _FastCheck:
    """The field rules of ``clean_fields()`` for one model, tested on a dict of values without a model instance.

    ``passes(values)`` is True only when ``clean_fields(exclude=...)`` certainly raises nothing for an instance
    built from ``values``; any doubt (an unknown field type, validator or value type) answers False, and the
    caller then takes the full model path, which gives the messages.
    """

    TEXT = (models.CharField, models.TextField)
    WHOLE = (models.IntegerField,)

    def __init__(self, model, exclude):
        self.model = model
        self.rules = {}  # attname -> (field, kind, max_length, choices, validators)
        self.scratch = None
        for model_field in model._meta.concrete_fields:
            if model_field.name in exclude or model_field.attname in exclude:
                continue
            self.rules[model_field.attname] = self._rule(model_field)
        self.excluded = {f.attname for f in model._meta.concrete_fields if f.name in exclude or f.attname in exclude}
        # Fields the values leave out keep their defaults: those that would not pass must be given.
        self.must_give = [
            attname for attname, rule in self.rules.items() if not self._value_passes(rule, rule[0].get_default())
        ]

    def _rule(self, model_field):
        validators, max_length = [], None
        for validator in model_field.validators:
            if isinstance(validator, django_validators.MaxLengthValidator) and model_field.max_length is not None:
                max_length = model_field.max_length
            elif isinstance(validator, django_validators.ProhibitNullCharactersValidator):
                continue  # tested inline for text
            else:
                validators.append(validator)
        if isinstance(model_field, models.BooleanField):
            kind = "bool"
        elif isinstance(model_field, models.ForeignKey):
            kind = "blank"  # only a blank value is known to pass here (clean_fields would query a given one)
        elif isinstance(model_field, self.TEXT):
            kind = "text"
        elif isinstance(model_field, self.WHOLE):
            kind = "whole"
        elif isinstance(model_field, models.DateField) and not model_field.editable:
            kind = "blank"  # the EDTF bounds and timestamps: filled on save, blank and null before
        else:
            kind = None  # not known here: the full path decides
        choices = {str(key) for key, _label in model_field.flatchoices} if model_field.choices else None
        return (model_field, kind, max_length, choices, tuple(validators))

    @staticmethod
    def _value_passes(rule, value) -> bool:
        model_field, kind, max_length, choices, validators = rule
        if kind is None:
            return False
        if value is None or value == "":
            return model_field.blank  # clean_fields skips a blank value where blank is allowed
        if kind == "blank":
            return False
        if kind == "bool":
            return type(value) is bool
        if kind == "text":
            if type(value) is not str and not isinstance(value, str):
                return False
            if (max_length is not None and len(value) > max_length) or "\x00" in value:
                return False
        elif kind == "whole" and type(value) is not int:
            return False
        if choices is not None and str(value) not in choices:
            return False
        try:
            for validator in validators:
                validator(value)
        except ValidationError:
            return False
        return True

    def passes(self, values: dict) -> bool:
        """``_value_passes`` for each value, with its commonest cases inline (this runs for every item)."""
        rules = self.rules
        for attname, value in values.items():
            rule = rules.get(attname)
            if rule is None:
                if attname in self.excluded:
                    continue
                return False
            model_field, kind, max_length, choices, validators = rule
            if value == "" or value is None:
                if not model_field.blank or kind is None:
                    return False
            elif kind == "text" and type(value) is str and not validators:
                if (max_length is not None and len(value) > max_length) or "\x00" in value:
                    return False
                if choices is not None and value not in choices:
                    return False
            elif not self._value_passes(rule, value):
                return False
        return all(attname in values for attname in self.must_give)

    def instance(self, values: dict, treaty=None):
        """One reused instance of the model holding ``values`` (the rest at their defaults), for ``clean()``."""
        if self.scratch is None:
            self.scratch = self.model()
            self.pristine = {f.attname: getattr(self.scratch, f.attname) for f in self.model._meta.concrete_fields}
        obj = self.scratch
        obj.__dict__.update(self.pristine)
        obj.__dict__.update(values)
        if treaty is not None:
            RecordChecker._attach(obj, treaty)
        return obj


class RecordChecker:
    """Checks one record after another; every problem goes to ``problems`` (a ``Problems``)."""

    def __init__(self, resolver: Resolver, problems):
        self.resolver = resolver
        self.problems = problems
        self.seen_ids: set[str] = set()
        self.seen_slugs: dict[str, set[str]] = {"treaty": set(), "protocol": set(), "event": set()}
        self.seen_numbers: set[tuple[int, str]] = set()
        self._fast: dict[tuple, _FastCheck] = {}
        self._treaty = Treaty()  # stands for the record's treaty in its parts' rules (see _check_record)

    # -- helpers ------------------------------------------------------------

    def _text(self, value, column: str, problems: list) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        problems.append((column, _("expected text, not %(type)s") % {"type": type(value).__name__}))
        return ""

    def _whole(self, value, column: str, problems: list):
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            problems.append((column, _("expected a whole number")))
            return None
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        else:
            problems.append((column, _("“%(value)s” is not a whole number") % {"value": value}))
            return None
        if number < 0:
            problems.append((column, _("must not be negative")))
            return None
        return number

    def _boolean(self, value, column: str, problems: list) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        text = str(value).strip().lower()
        if text in ("", "false", "no", "0", "n", "f"):
            return False
        if text in ("true", "yes", "1", "y", "t"):
            return True
        problems.append((column, _("“%(value)s” is not true or false") % {"value": value}))
        return False

    def _list(self, value, column: str, problems: list) -> list:
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return value
        problems.append((column, _("expected a list")))
        return []

    def _items(self, record: dict, key: str, problems: list, label: str = "") -> list[tuple[str, dict]]:
        """(column prefix, item) for each item of a list of objects, with unknown keys reported."""
        items = []
        label = label or key
        for number, item in enumerate(self._list(record.get(key), label, problems), start=1):
            prefix = f"{label}[{number}]"
            if not isinstance(item, dict):
                problems.append((prefix, _("expected an object {...}")))
                continue
            for unknown in sorted(set(item) - set(ITEM_KEYS[key])):
                problems.append((f"{prefix}.{unknown}", _("unknown key")))
            items.append((prefix, item))
        return items

    def _ref(self, kind: str, value, column: str, problems: list, *, required: bool = False):
        name = self._text(value, column, problems)
        if not name:
            if required:
                problems.append((column, _("required: name the %(what)s") % {"what": NOUNS[kind]}))
            return None
        if kind == "source" and not _SLUG.fullmatch(name):
            problems.append((column, _NOT_A_KEY % {"name": name, "example": slug_of(name) or "carr-1951"}))
            return None
        try:
            return self.resolver.resolve(kind, name)
        except Missing:
            message = _("no %(what)s is called “%(name)s”") % {"what": NOUNS[kind], "name": name}
            problems.append((column, MissingName(message + MISSING_HINT, message, kind, name)))
        except Ambiguous as error:
            problems.append(
                (
                    column,
                    _("“%(name)s” could be any of: %(candidates)s; give the code or slug")
                    % {"name": name, "candidates": "; ".join(error.candidates)},
                )
            )
        except ValidationError as error:
            message = _("cannot create “%(name)s”: %(reason)s")
            problems.append((column, message % {"name": name, "reason": _join(error)}))
        return None

    @staticmethod
    def _model_errors(error: ValidationError, prefix: str, names: dict, problems: list) -> None:
        if not hasattr(error, "error_dict"):
            problems.append((prefix or "", _join(error)))
            return
        for name, messages in error.message_dict.items():
            if name == NON_FIELD_ERRORS:
                column = prefix
            else:
                column = names.get(name, name)
                column = f"{prefix}.{column}" if prefix else column
            for message in messages:
                problems.append((column, message))

    def _check(self, model, values, prefix, problems, *, exclude=(), names=None, clean=True, treaty=None) -> None:
        """``clean_fields()`` then ``clean()`` of ``model`` for ``values``; problems named by column."""
        key = (model, tuple(exclude))
        fast = self._fast.get(key)
        if fast is None:
            fast = self._fast[key] = _FastCheck(model, exclude)
        if fast.passes(values):
            if clean:
                try:
                    fast.instance(values, treaty).clean()
                except ValidationError as error:
                    self._model_errors(error, prefix, names or {}, problems)
            return
        obj = model(**values)
        if treaty is not None:
            self._attach(obj, treaty)
        try:
            obj.clean_fields(exclude=list(exclude))
        except ValidationError as error:
            self._model_errors(error, prefix, names or {}, problems)
            return  # the cross-field rules need sound values
        if clean:
            try:
                obj.clean()
            except ValidationError as error:
                self._model_errors(error, prefix, names or {}, problems)

    @staticmethod
    def _attach(obj, treaty) -> None:
        # The treaty is not saved: a placeholder id makes clean() apply its rules against the treaty,
        # read from the relation cache.
        obj.treaty_id = -1
        type(obj)._meta.get_field("treaty").set_cached_value(obj, treaty)

    # -- the record -----------------------------------------------------------

    def check(self, origin: str, line: int, record) -> TreatyPlan | None:
        problems: list[tuple[str, str]] = []
        plan = None
        if isinstance(record, Unreadable):
            problems = list(record.problems)
        elif not isinstance(record, dict):
            problems.append(("", _("a record must be an object")))
        else:
            plan = self._check_record(record, problems)
        for column, reason in problems:
            self.problems.add(origin, line, column, reason, missing=getattr(reason, "missing", None))
        if problems or plan is None:
            return None
        plan.line, plan.origin = line, origin
        self._prepare(plan)
        return plan

    def _prepare(self, plan: TreatyPlan) -> None:
        """What the writer needs of a sound record and can know without the database (see ``TreatyPlan``)."""
        if not plan.fields["slug"]:
            plan.base_slug = _plan_base_slug(plan)
        for owner, items in (("protocol", plan.protocols), ("event", plan.events)):
            for item in items:
                if not item["slug"]:
                    plan.part_base_slugs[(owner, item["index"])] = _part_base_slug(plan, owner, item)
        plan.document = search_document(plan, self.resolver)

    def _identifier(self, record: dict, problems: list) -> str:
        identifier = self._text(record.get("id"), "id", problems)
        dataset = self._text(record.get("dataset"), "dataset", problems)
        dataset_id = self._text(record.get("dataset_id"), "dataset_id", problems)
        if identifier:
            if (dataset or dataset_id) and identifier != f"{dataset}:{dataset_id}":
                problems.append(("id", _("the id disagrees with dataset and dataset_id: give one or the other")))
            return identifier
        if dataset and dataset_id:
            return f"{dataset}:{dataset_id}"
        if dataset or dataset_id:
            problems.append(("dataset_id" if dataset else "dataset", _("give both dataset and dataset_id")))
        return ""

    def _check_record(self, record: dict, problems: list) -> TreatyPlan | None:
        for unknown in sorted(set(record) - set(RECORD_KEYS) - set(ID_PARTS)):
            problems.append((unknown, _("unknown key (see docs/import-format.md)")))
        identifier = self._identifier(record, problems)
        slug = self._text(record.get("slug"), "slug", problems)
        if not identifier and not slug:
            problems.append(("id", _("required: a stable id (or dataset and dataset_id), or at least the slug")))
        if identifier:
            if identifier in self.seen_ids:
                problems.append(("id", _("the id “%(id)s” appears twice in this import") % {"id": identifier}))
            self.seen_ids.add(identifier)
        if slug:
            if slug in self.seen_slugs["treaty"]:
                problems.append(("slug", _("the slug “%(slug)s” appears twice in this import") % {"slug": slug}))
            self.seen_slugs["treaty"].add(slug)

        text = {
            name: self._text(record.get(name), name, problems)
            for name in (
                "title",
                "short_title",
                "status",
                "signed",
                "ratifications_exchanged",
                "entry_into_force",
                "duration",
                "ended",
                "end_kind",
                "summary",
            )
        }
        same_as = [self._text(v, "same_as", problems) for v in self._list(record.get("same_as"), "same_as", problems)]
        fields = {
            "identifier": identifier,
            "slug": slug,
            "kind_id": self._ref("kind", record.get("kind"), "kind", problems, required=True),
            "secret": self._boolean(record.get("secret"), "secret", problems),
            "place_signed_id": self._ref("place", record.get("place_signed"), "place_signed", problems),
            "ratifications_place_id": self._ref(
                "place", record.get("ratifications_place"), "ratifications_place", problems
            ),
            "same_as": "\n".join(url for url in same_as if url),
            **text,
        }
        subject_ids = []
        for number, name in enumerate(self._list(record.get("subjects"), "subjects", problems), start=1):
            pk = self._ref("subject", name, f"subjects[{number}]", problems)
            if pk is not None:
                subject_ids.append(pk)

        self._check(
            Treaty,
            {**fields, "status": fields["status"] or Status.DRAFT, "slug": slug or "placeholder"},
            "",
            problems,
            exclude=("kind", "place_signed", "ratifications_place", "subjects", "search_document", "search_vector"),
            names=TREATY_COLUMNS,
        )
        plan = TreatyPlan(
            line=0, origin="", identifier=identifier, fields=fields, subject_ids=tuple(sorted(set(subject_ids)))
        )
        # What the parts' rules read of their treaty (its date of signature), on one reused instance.
        treaty = self._treaty
        treaty.signed = fields["signed"]
        plan.titles = self._titles(record, problems)
        plan.parties = self._parties(record, treaty, problems)
        plan.registrations = self._registrations(
            record.get("registrations"), "registrations", fields["signed"], problems
        )
        plan.protocols = self._protocols(record, treaty, problems)
        plan.citations = self._citations(record, treaty, problems)
        plan.events = self._events(record, problems)
        return plan

    # -- the parts ------------------------------------------------------------

    def _titles(self, record, problems) -> list[dict]:
        out, seen = [], set()
        for prefix, item in self._items(record, "titles", problems):
            values = {name: self._text(item.get(name), f"{prefix}.{name}", problems) for name in TITLE_FIELDS}
            values["kind"] = values["kind"] or TreatyTitle.Kind.ALTERNATIVE
            self._check(TreatyTitle, values, prefix, problems, exclude=("treaty",))
            key = (values["title"], values["language"])
            if key in seen:
                problems.append((prefix, _("this title is given twice in this language")))
            seen.add(key)
            out.append(values)
        return out

    def _parties(self, record, treaty, problems) -> list[dict]:
        out, seen = [], set()
        for position, (prefix, item) in enumerate(self._items(record, "parties", problems)):
            state_id = self._ref("state", item.get("state"), f"{prefix}.state", problems, required=True)
            values = {
                name: self._text(item.get(name), f"{prefix}.{name}", problems)
                for name in ("role", "signed", "ratified", "acceded", "denounced")
            }
            values["role"] = values["role"] or Participation.Role.PARTY
            values.update(state_id=state_id, position=position)
            self._check(Participation, values, prefix, problems, exclude=("treaty", "state"), treaty=treaty)
            if state_id is not None:
                if state_id in seen:
                    problems.append((f"{prefix}.state", _("this state is already a party to the treaty")))
                seen.add(state_id)
            out.append(values)
        return out

    def _registrations(self, items, key, signed: str, problems) -> list[dict]:
        """The registrations of an instrument (treaty or protocol) signed on ``signed``."""
        out, seen = [], set()
        wrapper = {"registrations": items}
        for prefix, item in self._items(wrapper, "registrations", problems, label=key):
            values = {
                "series_id": self._ref("series", item.get("series"), f"{prefix}.series", problems, required=True),
                "number": self._text(item.get("number"), f"{prefix}.number", problems),
                "registered": self._text(item.get("registered"), f"{prefix}.registered", problems),
            }
            for name in ("volume", "first_page", "last_page"):
                values[name] = self._whole(item.get(name), f"{prefix}.{name}", problems)
            before = len(problems)
            # Only the field checks: Registration.clean() queries the database for each number,
            # which the import does in bulk below and per batch.
            self._check(Registration, values, prefix, problems, exclude=("series", "treaty", "protocol"), clean=False)
            if len(problems) == before:
                if dates.out_of_order(signed, values["registered"]):
                    problems.append(
                        (
                            f"{prefix}.registered",
                            _("Registered: this date is before the instrument was signed (%(date)s).")
                            % {"date": dates.humanize(signed)},
                        )
                    )
                if values["first_page"] and values["last_page"] and values["last_page"] < values["first_page"]:
                    problems.append((f"{prefix}.last_page", _("Last page: cannot be before the first page.")))
            series_id = values["series_id"]
            if series_id is not None:
                if series_id in seen:
                    problems.append((f"{prefix}.series", _("registered twice in this series")))
                seen.add(series_id)
                if values["number"]:
                    number_key = (series_id, values["number"])
                    if number_key in self.seen_numbers:
                        problems.append(
                            (f"{prefix}.number", _("this number is given twice in this series in this import"))
                        )
                    self.seen_numbers.add(number_key)
            out.append(values)
        return out

    def _slug(self, kind: str, slug: str, column: str, problems: list) -> None:
        if slug:
            if slug in self.seen_slugs[kind]:
                problems.append((column, _("the slug “%(slug)s” appears twice in this import") % {"slug": slug}))
            self.seen_slugs[kind].add(slug)

    def _protocols(self, record, treaty, problems) -> list[dict]:
        out = []
        for index, (prefix, item) in enumerate(self._items(record, "protocols", problems)):
            values = {
                name: self._text(item.get(name), f"{prefix}.{name}", problems)
                for name in PROTOCOL_FIELDS
                if name != "place_signed_id"
            }
            values["place_signed_id"] = self._ref("place", item.get("place_signed"), f"{prefix}.place_signed", problems)
            values["kind"] = values["kind"] or Protocol._meta.get_field("kind").default
            self._slug("protocol", values["slug"], f"{prefix}.slug", problems)
            self._check(
                Protocol,
                {**values, "status": values["status"] or Status.DRAFT, "slug": values["slug"] or "x"},
                prefix,
                problems,
                exclude=("treaty", "place_signed"),
                treaty=treaty,
            )
            values["registrations"] = self._registrations(
                item.get("registrations"), f"{prefix}.registrations", values["signed"], problems
            )
            values["index"] = index
            out.append(values)
        return out

    def _citations(self, record, treaty, problems) -> list[dict]:
        out = []
        for position, (prefix, item) in enumerate(self._items(record, "citations", problems)):
            values = {
                name: self._text(item.get(name), f"{prefix}.{name}", problems)
                for name in ("fact", "locator", "claim", "quotation", "note")
            }
            values["source_id"] = self._ref("source", item.get("source"), f"{prefix}.source", problems, required=True)
            values["position"] = position
            self._check(Citation, values, prefix, problems, exclude=("source", "treaty"), treaty=treaty)
            out.append(values)
        return out

    def _events(self, record, problems) -> list[dict]:
        out = []
        for index, (prefix, item) in enumerate(self._items(record, "events", problems)):
            values = {name: self._text(item.get(name), f"{prefix}.{name}", problems) for name in EVENT_FIELDS}
            self._slug("event", values["slug"], f"{prefix}.slug", problems)
            exclude = ("treaty", "place", "people") + (() if values["slug"] else ("slug",))
            self._check(Event, values, prefix, problems, exclude=exclude)
            values["index"] = index
            out.append(values)
        return out


def _join(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)
