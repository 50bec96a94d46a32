"""History that is only ever added to: journal entries and lines, payments, stock movements.

A posted row is never changed or removed; a mistake is corrected by a new row
(a reversing entry, an adjusting movement). The ORM refuses here, and a
database trigger (installed by each app's migration) refuses even raw SQL.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(Exception):
    """Someone tried to change or delete a row of append-only history."""


def _refuse(model: type[models.Model], action: str) -> NoReturn:
    raise AppendOnlyError(
        f"{model._meta.label} is append-only history: {action} is refused. "
        "Correct a mistake with a new reversing row instead."
    )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "update()")

    def delete(self) -> NoReturn:
        _refuse(self.model, "delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> NoReturn:
        _refuse(self.model, "bulk_update()")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(self.model, "update_or_create()")

    # The async variants call the sync ones above, so they refuse too.


class AppendOnlyModel(models.Model):
    """Abstract base: `save()` inserts once, never updates; `delete()` refuses."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse(type(self), "saving an existing row")
        # Force an INSERT: with a pk already set Django would otherwise try UPDATE first.
        kwargs["force_insert"] = True
        kwargs.pop("update_fields", None)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(type(self), "delete()")


def refuse_changes_sql(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """Forward and backward SQL for triggers that make `table` refuse UPDATE and DELETE.

    TRUNCATE is left alone: test runners empty tables with it, and the
    application never issues it.
    """
    if vendor == "postgresql":
        forward = [
            f"""
            CREATE TRIGGER {table}_append_only
            BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION execora_refuse_history_change();
            """
        ]
        backward = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
        return forward, backward
    if vendor == "sqlite":
        forward = [
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END;
            """,
            f"""
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END;
            """,
        ]
        backward = [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ]
        return forward, backward
    return [], []


# One shared PL/pgSQL function; CREATE OR REPLACE so each app's migration may install it.
POSTGRES_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION execora_refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only history: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Correct a mistake with a new reversing row instead.';
END;
$$;
"""


def protect_tables(*tables: str):
    """A pair of RunPython callables installing/removing the triggers for `tables`.

    Vendor-dependent, so they run as Python rather than a fixed RunSQL.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(POSTGRES_FUNCTION_SQL, params=None)
        for table in tables:
            for statement in refuse_changes_sql(vendor, table)[0]:
                schema_editor.execute(statement, params=None)

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        for table in tables:
            for statement in refuse_changes_sql(vendor, table)[1]:
                schema_editor.execute(statement, params=None)

    return forward, backward
