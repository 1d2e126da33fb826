"""Inserting many rows with their history rows: COPY on PostgreSQL, ``bulk_create`` elsewhere.

Why: ``bulk_create`` compiles every value of every row through the ORM (and
simple-history's ``bulk_history_create`` builds a model instance per history
row); for a quarter of a million treaties with their parts that compiling,
not the database, is most of the time. On PostgreSQL the rows are streamed
with ``COPY ... FROM STDIN`` instead, with primary keys taken from the
tables' own sequences beforehand (``nextval``), so that the parts can point
to their treaty and the history rows to their record. Field ``pre_save`` runs
as in ``bulk_create`` (the EDTF bounds, ``auto_now``), and each history row
holds what ``bulk_history_create`` would write: the tracked fields, the date,
the user, the reason and the type "+".

Other databases (SQLite in development and tests) use ``bulk_create`` and
``bulk_history_create``; both paths are tested.
"""

from __future__ import annotations

import datetime
import decimal

from django.db import connection
from django.db.models import DateField, DateTimeField

from ..dates import EDTFField

PLAIN = (str, int, float, bool, datetime.date, datetime.datetime, decimal.Decimal)


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def next_ids(model, column: str, count: int) -> list[int]:
    """``count`` fresh values of the sequence behind ``model``'s ``column``."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns: list[str], rows) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:  # psycopg 3's COPY
            copy.write_row(row)


def _needs_pre_save(field) -> bool:
    return isinstance(field, EDTFField) or (
        isinstance(field, DateField | DateTimeField) and (field.auto_now or field.auto_now_add)
    )


def _db_value(field, value):
    if value is None or isinstance(value, PLAIN):
        return value
    return field.get_db_prep_save(value, connection)


def _copy_objects(objs: list) -> None:
    model = type(objs[0])
    pk = model._meta.pk
    for obj, value in zip(objs, next_ids(model, pk.column, len(objs)), strict=True):
        setattr(obj, pk.attname, value)
    fields = model._meta.concrete_fields
    special = [field for field in fields if _needs_pre_save(field)]
    for obj in objs:
        for field in special:
            field.pre_save(obj, True)
        obj._state.adding = False
        obj._state.db = connection.alias
    copy_rows(
        model,
        [field.column for field in fields],
        ([_db_value(field, getattr(obj, field.attname)) for field in fields] for obj in objs),
    )


def insert(objs: list, batch_size: int = 1000) -> None:
    """Insert ``objs`` (all of one model, without history: link tables); primary keys are set."""
    if not objs:
        return
    if is_postgres():
        _copy_objects(objs)
    else:
        type(objs[0])._default_manager.bulk_create(objs, batch_size=batch_size)


def insert_with_history(objs: list, *, user=None, reason: str = "", now=None, batch_size: int = 1000) -> list[int]:
    """Insert ``objs`` (all of one model) and one "+" history row each; returns the history ids, in order."""
    if not objs:
        return []
    model = type(objs[0])
    history = model.history
    if not is_postgres():
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        rows = history.bulk_history_create(objs, batch_size=batch_size, default_user=user, default_change_reason=reason)
        return [row.history_id for row in rows]

    _copy_objects(objs)

    history_model = history.model
    tracked = history_model.tracked_fields
    history_ids = next_ids(history_model, "history_id", len(objs))
    when = now or datetime.datetime.now(datetime.UTC)
    user_id = user.pk if user is not None else None
    columns = [history_model._meta.get_field(field.name).column for field in tracked]
    columns += ["history_id", "history_date", "history_change_reason", "history_type", "history_user_id"]
    copy_rows(
        history_model,
        columns,
        (
            [_db_value(field, getattr(obj, field.attname)) for field in tracked]
            + [history_id, when, reason or None, "+", user_id]
            for obj, history_id in zip(objs, history_ids, strict=True)
        ),
    )
    return history_ids
