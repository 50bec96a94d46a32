"""Issued invoices are posted documents: the database refuses to rewrite them.

Invoice lines refuse any UPDATE or DELETE (execora.append_only). An invoice
refuses DELETE, refuses UPDATE once cancelled, and otherwise allows only the
cancel fields to change (invoices.models.CANCEL_FIELDS), so even raw SQL
cannot edit an issued invoice's amounts, number or lines.
"""

from django.db import migrations

from execora.append_only import protect_tables

items_forward, items_backward = protect_tables("invoices_invoiceitem")

# Database columns of invoices.models.CANCEL_FIELDS at the time of this migration.
CANCEL_COLUMNS = ("status", "cancel_entry_id", "cancelled_at", "cancelled_by_id", "cancel_reason")
# Every other column of invoices_invoice at the time of this migration (for SQLite,
# which cannot compare whole rows).
FIXED_COLUMNS = (
    "id",
    "business_id",
    "number",
    "financial_year",
    "sequence_number",
    "customer_id",
    "invoice_date",
    "place_of_supply",
    "is_interstate",
    "subtotal",
    "discount_total",
    "taxable_total",
    "cgst_total",
    "sgst_total",
    "igst_total",
    "tax_total",
    "round_off",
    "grand_total",
    "amount_paid",
    "payment_mode",
    "amount_due",
    "notes",
    "journal_entry_id",
    "created_by_id",
    "created_at",
)

_removed = " - ".join(f"'{column}'" for column in CANCEL_COLUMNS)

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION invoices_invoice_refuse_edit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is a posted document: DELETE refused', OLD.number
            USING ERRCODE = 'restrict_violation', HINT = 'Cancel the invoice instead.';
    END IF;
    IF OLD.status = 'cancelled' THEN
        RAISE EXCEPTION 'invoice % is cancelled: UPDATE refused', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(OLD) - {_removed}) IS DISTINCT FROM (to_jsonb(NEW) - {_removed}) THEN
        RAISE EXCEPTION 'invoice % is issued: only cancelling may change it', OLD.number
            USING ERRCODE = 'restrict_violation', HINT = 'Cancel the invoice instead.';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER invoices_invoice_immutable
BEFORE UPDATE OR DELETE ON invoices_invoice
FOR EACH ROW EXECUTE FUNCTION invoices_invoice_refuse_edit();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS invoices_invoice_immutable ON invoices_invoice;
DROP FUNCTION IF EXISTS invoices_invoice_refuse_edit();
"""

_changed = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in FIXED_COLUMNS)
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER invoices_invoice_no_edit BEFORE UPDATE ON invoices_invoice
    WHEN OLD.status = 'cancelled' OR {_changed}
    BEGIN SELECT RAISE(ABORT, 'invoices_invoice: only cancelling may change an issued invoice'); END;
    """,
    """
    CREATE TRIGGER invoices_invoice_no_delete BEFORE DELETE ON invoices_invoice
    BEGIN SELECT RAISE(ABORT, 'invoices_invoice is a posted document: DELETE refused'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS invoices_invoice_no_edit;",
    "DROP TRIGGER IF EXISTS invoices_invoice_no_delete;",
]


def forward(apps, schema_editor):
    items_forward(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)
    items_backward(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
    ]
