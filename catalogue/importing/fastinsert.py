"""Inserting many rows with their history rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Why: ``bulk_create`` compiles every value of every row through the ORM (and
simple-history's ``bulk_history_create`` builds a model instance per history
row); for a quarter of a million treaties with their parts that compiling,
not the database, is most of the time. On PostgreSQL the rows are streamed
with ``COPY ... FROM STDIN`` instead, with primary keys taken from the
tables' own sequences beforehand (``nextval``), so that the parts can point
to their treaty and the history rows to their record. A record's rows go once
into a temporary stage, from which two ``INSERT ... SELECT`` fill the table
(computing the search vector there) and its history (``_staged``). The rows
come straight from the import's checked dicts (no model instances: building
one per row was a large part of the time): fields left out take their
defaults, the EDTF bounds and ``auto_now`` are filled as ``pre_save`` would,
and each history row holds what ``bulk_history_create`` would write: the
tracked fields, the date, the user, the reason and the type "+".

Other databases (SQLite in development and tests) use ``bulk_create`` and
``bulk_history_create``; both paths are tested.
"""

from __future__ import annotations

import datetime
import decimal
import operator

from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKey,
    IntegerField,
    TextField,
)
from django.db.models.sql import Query

from ..dates import EDTFField, bounds

PLAIN = (str, int, float, bool, datetime.date, datetime.datetime, decimal.Decimal)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


_SEQUENCES: dict[tuple[str, str], str] = {}


def next_ids(model, column: str, count: int) -> list[int]:
    """``count`` fresh values of the sequence behind ``model``'s ``column``.

    The sequence is looked up once (``pg_get_serial_sequence`` in the select list ran once per value, which was
    most of the time) and the values come back as one array.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        key = (table, column)
        if key not in _SEQUENCES:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            _SEQUENCES[key] = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)", [_SEQUENCES[key], count])
        return cursor.fetchone()[0]


def copy_rows(model, columns: list[str], rows, *, table: str | None = None) -> None:
    """COPY ``rows`` (lists of values in ``columns`` order) into ``model``'s table (or the table named ``table``)."""
    table = connection.ops.quote_name(table or model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:  # psycopg 3's COPY
            copy.write_row(row)


def _db_value(field, value):
    if value is None or isinstance(value, PLAIN):
        return value
    return field.get_db_prep_save(value, connection)


# Field types whose database value is the Python value itself, for the values an import gives them.
_AS_IS = (CharField, TextField, IntegerField, BooleanField, DateField, ForeignKey, SearchVectorField)


class _Layout:
    """The columns of ``model`` and how one row's values are made from a dict (as Model(**row) and pre_save).

    Built once per model. A row starts as ``values.get(attname, default)`` for every column (one pass, no
    per-column branching: this runs for every row of the import), then the few columns that need more are
    patched: the primary key, timestamps, EDTF text (stripped) and its bounds, callable defaults, and values
    that need the field's own conversion.
    """

    def __init__(self, model):
        self.fields = model._meta.concrete_fields
        self.columns = [field.column for field in self.fields]
        self.index = {field.attname: n for n, field in enumerate(self.fields)}
        self.sources = []  # (attname, default) per column
        self.pk, self.now, self.edtf, self.call, self.convert = [], [], [], [], []
        for n, field in enumerate(self.fields):
            default = None
            if field.primary_key:
                self.pk.append(n)
            elif isinstance(field, DateField | DateTimeField) and (field.auto_now or field.auto_now_add):
                self.now.append(n)
            elif field.has_default() and callable(field.default):
                self.call.append((n, field.attname, field.get_default))
            else:
                default = field.get_default()
            if isinstance(field, EDTFField):
                self.edtf.append((n, self.index[field.earliest_attname], self.index[field.latest_attname]))
            elif not isinstance(field, _AS_IS):
                self.convert.append((n, field))
            self.sources.append((field.attname, default))
        self.defaults = dict(self.sources)
        names = [name for name, _default in self.sources]
        self.pick = operator.itemgetter(*names) if len(names) > 1 else (lambda values: (values[names[0]],))

    def row(self, values: dict, pk: int, now) -> list:
        """The column values of one row."""
        out = list(self.pick({**self.defaults, **values}))  # both steps in C: this runs for millions of rows
        for n in self.pk:
            out[n] = pk
        for n in self.now:
            out[n] = now
        for n, name, default in self.call:
            if name not in values:
                out[n] = default()
        for n, earliest, latest in self.edtf:
            text = (out[n] or "").strip()
            out[n] = text
            if text:
                day = bounds(text)
                out[earliest], out[latest] = day.earliest, day.latest
            else:
                out[earliest] = out[latest] = None
        for n, field in self.convert:
            out[n] = _db_value(field, out[n])
        return out


_LAYOUTS: dict = {}


def _layout(model) -> _Layout:
    if model not in _LAYOUTS:
        _LAYOUTS[model] = _Layout(model)
    return _LAYOUTS[model]


def _values(model, rows: list[dict], now) -> list[list]:
    """The column values of ``rows`` with fresh primary keys (also set in each dict)."""
    layout = _layout(model)
    pk = model._meta.pk
    ids = next_ids(model, pk.column, len(rows))
    values = []
    for row, pk_value in zip(rows, ids, strict=True):
        row[pk.attname] = pk_value
        values.append(layout.row(row, pk_value, now))
    return values


#: The stage's column holding each row's history id (see ``_staged``).
HISTORY_ID = "import_history_id"


def _stage(model) -> str:
    """A temporary table shaped like ``model``'s, plus a history id column: empty, for this batch."""
    quote = connection.ops.quote_name
    stage = quote(f"import_stage_{model._meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {quote(model._meta.db_table)}, "
            f"{quote(HISTORY_ID)} bigint) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {stage}")
    return stage


def _select_list(model, computed: dict | None) -> tuple[list[str], list]:
    """The SELECT list that gives ``model``'s columns from a stage aliased as its table: ``computed`` in SQL."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    query = Query(model)
    compiler = query.get_compiler(connection=connection)
    selected, params = [], []
    for field in model._meta.concrete_fields:
        if computed and field.name in computed:
            sql, expression_params = compiler.compile(
                computed[field.name].resolve_expression(query, allow_joins=False, for_save=True)
            )
            selected.append(sql)
            params += expression_params
        else:
            selected.append(f"{table}.{quote(field.column)}")
    return selected, params


def _staged(model, rows: list[dict], *, when, user_id, reason: str, computed=None) -> list[int]:
    """COPY ``rows`` once into a stage; fill ``model``'s table and its history from it. Returns the history ids.

    Why: each row used to be formatted and sent twice, to the table and to the history table (the same
    values), which was a fifth of the import's time in the writing process; the stage is a temporary
    table (no WAL) that PostgreSQL reads back twice instead. ``computed`` (field name -> expression,
    e.g. the search vector's ``to_tsvector``) is evaluated as the rows go into the table; the history
    rows hold what the dicts give, as ``bulk_history_create`` writes them.
    """
    quote = connection.ops.quote_name
    layout = _layout(model)
    values = _values(model, rows, when)
    history_model = model.history.model
    history_ids = next_ids(history_model, "history_id", len(rows))
    for row, history_id in zip(values, history_ids, strict=True):
        row.append(history_id)
    stage = _stage(model)
    copy_rows(model, [*layout.columns, HISTORY_ID], values, table=stage)

    table = quote(model._meta.db_table)
    selected, params = _select_list(model, computed)
    names = ", ".join(quote(column) for column in layout.columns)
    tracked = [quote(history_model._meta.get_field(field.name).column) for field in history_model.tracked_fields]
    history_columns = [*tracked, "history_id", "history_date", "history_change_reason", "history_type"]
    history_columns.append("history_user_id")
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(selected)} FROM {stage} AS {table}", params)
        cursor.execute(
            f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(history_columns)}) "
            f"SELECT {', '.join(tracked)}, {quote(HISTORY_ID)}, %s, %s, '+', %s FROM {stage}",
            [when, reason or None, user_id],
        )
    return history_ids


def _objects(model, rows: list[dict], batch_size: int) -> list:
    """``bulk_create`` (not PostgreSQL): instances from the dicts, primary keys set back in each dict."""
    objs = [model(**row) for row in rows]
    model._default_manager.bulk_create(objs, batch_size=batch_size)
    pk = model._meta.pk.attname
    for row, obj in zip(rows, objs, strict=True):
        row[pk] = obj.pk
    return objs


def insert(model, rows: list[dict], batch_size: int = 1000, now=None) -> None:
    """Insert ``rows`` (dicts of field attname -> value; link tables, without history); sets each ``id``."""
    if not rows:
        return
    if is_postgres():
        values = _values(model, rows, now or datetime.datetime.now(datetime.UTC))
        copy_rows(model, _layout(model).columns, values)
    else:
        _objects(model, rows, batch_size)


def insert_with_history(
    model, rows: list[dict], *, user=None, reason: str = "", now=None, batch_size: int = 1000, computed=None
) -> list[int]:
    """Insert ``rows`` (dicts of attname -> value) and one "+" history row each; returns the history ids, in order.

    Each dict gets its new primary key. Fields the dicts leave out take their defaults, as in ``Model(**row)``.
    ``computed`` (PostgreSQL only: field name -> expression) fills those columns in SQL, in the table only (the
    history rows hold what the dicts give).
    """
    if not rows:
        return []
    if not is_postgres():
        objs = _objects(model, rows, batch_size)
        created = model.history.bulk_history_create(
            objs, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
        return [row.history_id for row in created]
    return _staged(
        model,
        rows,
        when=now or datetime.datetime.now(datetime.UTC),
        user_id=user.pk if user is not None else None,
        reason=reason,
        computed=computed,
    )
