"""Benchmark: `invoice_create` through the service layer vs the same writes in raw SQL.

Eight processes (forked, each with its own database connection, as each
daphne or Celery worker is in production) issue invoices (3 items: 2 stocked
products locked and moved, 1 free-text line; a customer on khata) for a fixed
time. Every worker has its own shop, customer and products ("spread rows"),
because invoice numbers are gapless per shop and so serialise one shop's
invoices by design. The raw side replays, with psycopg in one transaction and
the same processes' layout, exactly the rows the service wrote for a sample
invoice: the same locks, sequence bump, journal entry and lines, balance and
stock updates, invoice, items and movements.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        .venv/bin/python benchmarks/invoice_create.py [--seconds 10] [--workers 8]

Prints invoices/s for both and their ratio (goal: service >= 50% of raw).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
# Production shape: with DEBUG on, Django keeps every query's SQL in memory.
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")

import django

django.setup()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from invoices.models import Invoice  # noqa: E402
from invoices.services import InvoiceItemInput, invoice_create  # noqa: E402
from products.services import product_create  # noqa: E402


def _shops(workers: int) -> list[dict]:
    """One shop per worker with a customer and two well-stocked products."""
    shops = []
    for n in range(workers):
        business = Business.objects.create(
            name=f"Bench shop {time.time_ns()}-{n}",
            gstin="27AAPFU0939F1ZV",  # charges GST
        )
        customer = customer_create(business=business, name=f"Bench customer {n}")
        products = [
            product_create(
                business=business,
                name=name,
                unit="kg",
                selling_price=price,
                gst_rate=rate,
                opening_stock=D("1000000"),
            )
            for name, price, rate in (("Sugar", "46.00", "5"), ("Maggi", "14.00", "18"))
        ]
        shops.append({"business": business, "customer": customer, "products": products})
    return shops


def _items(shop: dict) -> list[InvoiceItemInput]:
    sugar, maggi = shop["products"]
    return [
        InvoiceItemInput(product_id=sugar.pk, quantity=D("2")),
        InvoiceItemInput(product_id=maggi.pk, quantity=D("3")),
        InvoiceItemInput(description="Carry bag", quantity=D("1"), unit_price=D("5.00")),
    ]


def _run(
    workers: int,
    seconds: float,
    work: Callable[[int], None],
    close: Callable[[], None] = lambda: None,
) -> float:
    """Invoices per second from `workers` forked processes calling `work(index)`.

    Processes, not threads: in production every daphne/Celery worker is its own
    process, and threads in one interpreter would measure the GIL. Each child
    opens its own database connection after the fork; the parent closes its
    connections before forking so that no socket is shared.
    """
    context = multiprocessing.get_context("fork")
    counts = context.Array("q", workers)
    start = context.Barrier(workers + 1, timeout=120)

    def child(index: int) -> None:
        # Nothing inherited is used: drop whatever the fork copied, then connect anew.
        connections.close_all()
        try:
            work(index)  # one unmeasured invoice: connects and warms this process
        except BaseException:
            start.abort()  # release the others and the parent instead of hanging
            raise
        start.wait()
        stop_at = time.monotonic() + seconds
        done = 0
        while time.monotonic() < stop_at:
            work(index)
            done += 1
        counts[index] = done
        close()
        connections.close_all()

    connections.close_all()
    processes = [context.Process(target=child, args=(i,)) for i in range(workers)]
    for process in processes:
        process.start()
    start.wait()
    began = time.monotonic()
    for process in processes:
        process.join()
    elapsed = time.monotonic() - began
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        sys.exit(f"{len(failed)} benchmark worker(s) failed (exit codes {failed}).")
    return sum(counts) / elapsed


def _raw_template(shop: dict) -> dict:
    """The rows the service wrote for one invoice, to be replayed by raw SQL."""
    invoice = invoice_create(
        business=shop["business"], customer_id=shop["customer"].pk, items=_items(shop)
    )
    invoice = Invoice.objects.select_related("journal_entry").get(pk=invoice.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, customer_id, debit, credit FROM ledger_journalline "
            "WHERE entry_id = %s ORDER BY id",
            [invoice.journal_entry_id],
        )
        lines = cursor.fetchall()
        cursor.execute(
            "SELECT line_no, description, hsn_code, quantity, unit, unit_price, "
            "price_includes_tax, discount, gst_rate, taxable_discount, taxable_value, cgst, sgst, "
            "igst, line_total, product_id FROM invoices_invoiceitem WHERE invoice_id = %s "
            "ORDER BY line_no",
            [invoice.pk],
        )
        items = cursor.fetchall()
    return {"invoice": invoice, "lines": lines, "items": items}


def _raw_invoice(conn: psycopg.Connection, shop: dict, template: dict) -> None:
    invoice = template["invoice"]
    business_id = shop["business"].pk
    customer_id = shop["customer"].pk
    product_ids = sorted(p.pk for p in shop["products"])
    moved = {row[15]: row[3] for row in template["items"] if row[15] is not None}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "SELECT id, stock_quantity FROM products_product WHERE id = ANY(%s) "
            "ORDER BY id FOR UPDATE",
            [product_ids],
        )
        cur.execute(
            "SELECT balance FROM customers_customer WHERE id = %s FOR UPDATE", [customer_id]
        )
        cur.execute(
            "UPDATE invoices_invoicesequence SET last_number = last_number + 1 "
            "WHERE business_id = %s AND financial_year = %s RETURNING last_number",
            [business_id, invoice.financial_year],
        )
        serial = cur.fetchone()[0]
        number = f"INV/{invoice.number.split('/')[1]}/{serial:04d}"
        cur.execute(
            "INSERT INTO ledger_journalentry (date, source_type, reference, memo, created_at, "
            "business_id) VALUES (%s, 'invoice', %s, '', now(), %s) RETURNING id",
            [invoice.invoice_date, number, business_id],
        )
        entry_id = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO ledger_journalline (entry_id, business_id, account_id, customer_id, "
            "debit, credit, memo) VALUES (%s, %s, %s, %s, %s, %s, '')",
            [(entry_id, business_id, *line) for line in template["lines"]],
        )
        cur.execute(
            "UPDATE customers_customer SET balance = balance + %s WHERE id = %s",
            [invoice.amount_due, customer_id],
        )
        cur.execute(
            "INSERT INTO invoices_invoice (number, financial_year, sequence_number, invoice_date, "
            "status, place_of_supply, is_interstate, subtotal, discount_total, taxable_total, "
            "cgst_total, sgst_total, igst_total, tax_total, round_off, grand_total, amount_paid, "
            "payment_mode, amount_due, notes, cancel_reason, created_at, business_id, "
            "customer_id, journal_entry_id) VALUES (%s, %s, %s, %s, 'issued', %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', now(), %s, %s, %s) RETURNING id",
            [
                number, invoice.financial_year, serial, invoice.invoice_date,
                invoice.place_of_supply, invoice.is_interstate, invoice.subtotal,
                invoice.discount_total, invoice.taxable_total, invoice.cgst_total,
                invoice.sgst_total, invoice.igst_total, invoice.tax_total, invoice.round_off,
                invoice.grand_total, invoice.amount_paid, invoice.payment_mode,
                invoice.amount_due, business_id, customer_id, entry_id,
            ],
        )  # fmt: skip
        invoice_id = cur.fetchone()[0]
        cur.executemany(
            "INSERT INTO invoices_invoiceitem (line_no, description, hsn_code, quantity, unit, "
            "unit_price, price_includes_tax, discount, gst_rate, taxable_discount, taxable_value, "
            "cgst, sgst, igst, line_total, product_id, business_id, invoice_id) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(*item, business_id, invoice_id) for item in template["items"]],
        )
        for product_id in product_ids:
            cur.execute(
                "UPDATE products_product SET stock_quantity = stock_quantity - %s WHERE id = %s "
                "RETURNING stock_quantity",
                [moved[product_id], product_id],
            )
            stock_after = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO products_stockmovement (kind, quantity, stock_after, reference, "
                "source_type, source_id, note, created_at, business_id, product_id) VALUES "
                "('sale', %s, %s, %s, 'invoice', %s, '', now(), %s, %s)",
                [-moved[product_id], stock_after, number, invoice_id, business_id, product_id],
            )


def _analyze() -> None:
    """Fresh planner statistics: servers run with autovacuum off (as test clusters often
    do) would otherwise plan verify_ledger over a database that grows every run as if
    it were empty, and take minutes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)

    shops = _shops(args.workers)
    templates = [_raw_template(shop) for shop in shops]  # also warms every code path
    _analyze()

    def service(index: int) -> None:
        shop = shops[index]
        invoice_create(
            business=shop["business"], customer_id=shop["customer"].pk, items=_items(shop)
        )

    service_rate = _run(args.workers, args.seconds, service)

    dsn = os.environ["DATABASE_URL"]
    raw_connections: dict[int, psycopg.Connection] = {}

    def raw(index: int) -> None:
        # Opened in the child process, after the fork, on its first call.
        if index not in raw_connections:
            raw_connections[index] = psycopg.connect(dsn)
        _raw_invoice(raw_connections[index], shops[index], templates[index])

    def raw_close() -> None:
        for conn in raw_connections.values():
            conn.close()

    raw_rate = _run(args.workers, args.seconds, raw, raw_close)

    _analyze()
    call_command("verify_ledger", verbosity=0)  # the raw rows must be as right as the service's
    print(f"workers: {args.workers}, seconds: {args.seconds:g} each")
    print(f"service layer invoice_create: {service_rate:8.1f} invoices/s")
    print(f"raw psycopg, same writes:     {raw_rate:8.1f} invoices/s")
    print(f"service / raw:                {service_rate / raw_rate:8.1%}")


if __name__ == "__main__":
    main()
