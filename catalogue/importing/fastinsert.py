"""Inserting many rows with their history rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Why: ``bulk_create`` compiles every value of every row through the ORM (and
simple-history's ``bulk_history_create`` builds a model instance per history
row); for a quarter of a million treaties with their parts that compiling,
not the database, is most of the time. On PostgreSQL the rows are streamed
with ``COPY ... FROM STDIN`` instead, with primary keys taken from the
tables' own sequences beforehand (``nextval``), so that the parts can point
to their treaty and the history rows to their record. The rows come straight
from the import's checked dicts (no model instances: building one per row
was a large part of the time): fields left out take their defaults, the EDTF
bounds and ``auto_now`` are filled as ``pre_save`` would, and each history row
holds what ``bulk_history_create`` would write: the tracked fields, the date,
the user, the reason and the type "+".

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


def _copy(model, rows: list[dict], now, computed=None) -> list[list]:
    """COPY ``rows`` into ``model``'s table with fresh primary keys (set in each dict); returns the column values.

    ``computed`` (field name -> expression) fills those columns in SQL as the rows go in.
    """
    layout = _layout(model)
    pk = model._meta.pk
    ids = next_ids(model, pk.column, len(rows))
    now = now or datetime.datetime.now(datetime.UTC)
    values = []
    for row, pk_value in zip(rows, ids, strict=True):
        row[pk.attname] = pk_value
        values.append(layout.row(row, pk_value, now))
    if computed:
        _copy_computing(model, layout.columns, values, computed)
    else:
        copy_rows(model, layout.columns, values)
    return values


def _copy_computing(model, columns: list[str], values: list[list], computed: dict) -> None:
    """COPY into a temporary table like ``model``'s, then INSERT ... SELECT with ``computed`` columns evaluated.

    Why: the search vector is computed by PostgreSQL (``to_tsvector``); an UPDATE after the COPY wrote every
    treaty row twice, with a second entry in each of its indexes. The staging table is aliased as the real
    table, so the expression compiles exactly as Django writes it for the table itself.
    """
    quote = connection.ops.quote_name
    table = model._meta.db_table
    stage = f"import_stage_{table}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(stage)} (LIKE {quote(table)}) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {quote(stage)}")
    copy_rows(model, columns, values, table=stage)
    query = Query(model)
    compiler = query.get_compiler(connection=connection)
    selected, params = [], []
    for field in model._meta.concrete_fields:
        if field.name in computed:
            sql, expression_params = compiler.compile(
                computed[field.name].resolve_expression(query, allow_joins=False, for_save=True)
            )
            selected.append(sql)
            params += expression_params
        else:
            selected.append(f"{quote(table)}.{quote(field.column)}")
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({names}) SELECT {', '.join(selected)} FROM {quote(stage)} AS {quote(table)}",
            params,
        )


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
        _copy(model, rows, now)
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
    history = model.history
    if not is_postgres():
        objs = _objects(model, rows, batch_size)
        created = history.bulk_history_create(
            objs, batch_size=batch_size, default_user=user, default_change_reason=reason
        )
        return [row.history_id for row in created]

    when = now or datetime.datetime.now(datetime.UTC)
    values = _copy(model, rows, when, computed)

    history_model = history.model
    tracked = history_model.tracked_fields
    index = _layout(model).index
    positions = [index[field.attname] for field in tracked]
    history_ids = next_ids(history_model, "history_id", len(rows))
    user_id = user.pk if user is not None else None
    columns = [history_model._meta.get_field(field.name).column for field in tracked]
    columns += ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"]
    tail = [when, reason or None, "+", user_id]
    copy_rows(
        history_model,
        columns,
        (
            [row[n] for n in positions] + [history_id, *tail]
            for row, history_id in zip(values, history_ids, strict=True)
        ),
    )
    return history_ids
