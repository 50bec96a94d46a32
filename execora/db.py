"""The statements on the books' hot path, written out (docs/books.md).

Billing an invoice locks products and a customer, then inserts an entry, its
lines, the invoice, its items and stock movements. Through the ORM, building
each of those statements costs several times what running it costs (see
benchmarks/invoice_create.py). These helpers issue the same SQL, built once
per model from the model's own metadata rather than by the query compiler,
so they stay right when a model gains a field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import Col
from django.db.models.fields import NOT_PROVIDED

from execora.models import Business

M = TypeVar("M", bound=models.Model)


def _connection() -> Any:
    # The connection itself, not django.db.connection: every attribute read through
    # that proxy costs a thread-local lookup, and the loops below read it per value.
    return connections[DEFAULT_DB_ALIAS]


class _SelectPlan(NamedTuple):
    head: str  # SELECT <every column> FROM <table> WHERE <shop> = %s AND <key> IN
    order: str  # ORDER BY <key>
    attnames: list[str]  # the model's concrete fields, in column order
    # (position, column, converters) for each column the ORM would convert (JSON, ...)
    converters: list[tuple[int, Col, list[Callable[..., Any]]]]


_select_plans: dict[type[models.Model], _SelectPlan] = {}


def _select_plan(model: type[models.Model], connection: Any) -> _SelectPlan:
    plan = _select_plans.get(model)
    if plan is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = meta.concrete_fields
        converters = []
        for index, field in enumerate(fields):
            column = Col(meta.db_table, field)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        key = quote(meta.pk.column)
        plan = _SelectPlan(
            head=(
                f"SELECT {', '.join(quote(field.column) for field in fields)} "  # noqa: S608
                f"FROM {quote(meta.db_table)} "
                f"WHERE {quote(meta.get_field('business').column)} = %s AND {key} IN "
            ),
            order=f" ORDER BY {key}",
            attnames=[field.attname for field in fields],
            converters=converters,
        )
        _select_plans[model] = plan
    return plan


def shop_rows_lock(model: type[M], *, business: Business, ids: Sequence[int]) -> list[M]:
    """The shop's rows of `model` with these ids, locked FOR UPDATE in primary-key order.

    What `model.objects.select_for_update().filter(business=business,
    pk__in=ids).order_by("pk")` returns, for the caller's transaction. Ids of
    another shop (or of no row) are simply absent; the caller decides that
    this is NotFound. ORDER BY the key makes PostgreSQL lock the rows in that
    order, so transactions locking overlapping sets cannot deadlock. SQLite
    has no row locks (its IMMEDIATE transactions lock the whole file), so
    there the statement has no FOR UPDATE, as the ORM's would not.
    """
    if not ids:
        return []
    connection = _connection()
    plan = _select_plan(model, connection)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            plan.head + "(" + ", ".join(["%s"] * len(ids)) + ")" + plan.order + lock,
            [business.pk, *ids],
        )
        rows = cursor.fetchall()
    instances = []
    for row in rows:
        if plan.converters:
            row = list(row)
            for index, column, converters in plan.converters:
                for converter in converters:
                    row[index] = converter(row[index], column, connection)
        instances.append(model.from_db(connection.alias, plan.attnames, row))
    return instances


class _InsertPlan(NamedTuple):
    head: str  # INSERT INTO <table> (<columns but the key>) VALUES
    row: str  # one row's placeholders
    tail: str  # RETURNING <key>
    fields: list[models.Field]


# None: the model needs what only bulk_create handles (database defaults, generated fields).
_insert_plans: dict[type[models.Model], _InsertPlan | None] = {}


def _insert_plan(model: type[models.Model], connection: Any) -> _InsertPlan | None:
    if model in _insert_plans:
        return _insert_plans[model]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk]
    plan = None
    if meta.pk.db_returning and not any(
        getattr(field, "generated", False) or field.db_default is not NOT_PROVIDED
        for field in fields
    ):
        quote = connection.ops.quote_name
        plan = _InsertPlan(
            head=(
                f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
                f"({', '.join(quote(field.column) for field in fields)}) VALUES "
            ),
            row="(" + ", ".join(["%s"] * len(fields)) + ")",
            tail=f" RETURNING {quote(meta.pk.column)}",
            fields=fields,
        )
    _insert_plans[model] = plan
    return plan


def rows_insert(objs: Sequence[M]) -> list[M]:
    """INSERT new instances of one model in one statement and set their primary keys.

    What `bulk_create` (or `save()` of a new row) writes, with Django's own
    per-field preparation (`pre_save`, so auto_now_add is filled, then
    `get_db_prep_save`) but without the query compiler: one
    `INSERT ... VALUES ... RETURNING id`. Like bulk_create it sends no signals
    and calls no `save()`. Rows already saved, mixed models, unsaved related
    rows (ValueError) and expressions as values (TypeError) are refused. A
    model or database it cannot serve goes through bulk_create.
    """
    if not objs:
        return []
    model = type(objs[0])
    connection = _connection()
    plan = _insert_plan(model, connection)
    if plan is None or not connection.features.can_return_rows_from_bulk_insert:
        return model._default_manager.bulk_create(objs)
    params: list[Any] = []
    for obj in objs:
        if type(obj) is not model or not obj._state.adding or obj.pk is not None:
            raise ValueError("rows_insert takes new instances of one model")
        obj._prepare_related_fields_for_save(operation_name="rows_insert")
        for field in plan.fields:
            value = field.pre_save(obj, add=True)
            if hasattr(value, "as_sql"):
                raise TypeError(f"rows_insert does not take expressions ({field.name})")
            params.append(field.get_db_prep_save(value, connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(plan.head + ", ".join([plan.row] * len(objs)) + plan.tail, params)
        keys = cursor.fetchall()
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)
