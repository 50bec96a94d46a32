"""Benchmark: invoice PDF generation (GST tax invoice, Devanagari names, UPI QR).

Makes a GST-registered shop with customers and `--invoices` issued invoices of
1–12 lines (a third of the item names in Hindi, some buyers in another state
so IGST bills are in the mix, most with an amount due so the UPI QR is drawn),
then times, per invoice:

- render: `invoices.documents.invoice_pdf` alone (fpdf2 + HarfBuzz shaping,
  font subsetting, the QR), in this one process;
- first request: `invoice_document` as the API's first GET runs it — render,
  save to the default storage (local files under a temporary MEDIA_ROOT),
  write the Document row;
- cached: `invoice_document` again (the stored file's row found, no render).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/execora_bench \\
        .venv/bin/python benchmarks/invoice_pdf.py [--invoices 200]

Prints p50/p95/max milliseconds and documents per second for each (goal: render
p95 < 150 ms), and the render's CPU time in this process ("render, cpu": what
a document costs, without the waiting a busy machine adds to the wall clock).
One process, one core: documents/s scales with worker processes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/execora_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "execora.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "execora-benchmark-only")
os.environ.setdefault("LOG_LEVEL", "warning")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from customers.services import customer_create  # noqa: E402
from execora.models import Business  # noqa: E402
from execora.validators import gstin_check_character  # noqa: E402
from invoices.documents import invoice_pdf  # noqa: E402
from invoices.models import Invoice  # noqa: E402
from invoices.services import InvoiceItemInput, invoice_create, invoice_document  # noqa: E402

ITEMS = [
    ("Sugar", "1701", "46.00", "5"),
    ("चीनी", "1701", "46.00", "5"),
    ("Basmati Rice", "1006", "120.00", "5"),
    ("शुद्ध घी", "0405", "550.00", "12"),
    ("Toor Dal", "0713", "160.00", "0"),
    ("सरसों का तेल", "1514", "180.00", "5"),
    ("Bath Soap", "3401", "35.00", "18"),
    ("हल्दी पाउडर", "0910", "40.00", "5"),
    ("Tea 250 g", "0902", "140.00", "5"),
    ("Biscuits", "1905", "30.00", "18"),
    ("नमकीन", "2106", "50.00", "12"),
    ("Shampoo sachet", "3305", "2.00", "18"),
]


def _gstin(state: str, pan: str) -> str:
    first14 = f"{state}{pan}1Z"
    return first14 + gstin_check_character(first14)


def _shop(count: int) -> Business:
    stamp = time.time_ns()
    business = Business.objects.create(
        name=f"Bench Kirana {stamp}",
        address="12 MG Road, Pune 411001",
        gstin=_gstin("27", "AAPFU0939F"),
        state_code="27",
        upi_id="benchkirana@okicici",
    )
    local = customer_create(business=business, name="Ramesh Traders", phone="9876543210")
    far = customer_create(
        business=business, name="Bengaluru Mart", gstin=_gstin("29", "CCCFB5678L")
    )
    day = datetime.date(2025, 5, 10)
    for n in range(count):
        lines = 1 + (n * 7) % 12
        items = [
            InvoiceItemInput(
                description=name,
                quantity=str(1 + (n + i) % 4),
                unit="pcs",
                unit_price=price,
                gst_rate=rate,
                hsn_code=hsn,
            )
            for i, (name, hsn, price, rate) in enumerate(ITEMS[:lines])
        ]
        invoice_create(
            business=business,
            customer_id=(far if n % 5 == 0 else local).pk,
            items=items,
            amount_paid=Decimal("0") if n % 3 else Decimal("10"),
            payment_mode="" if n % 3 else "cash",
            invoice_date=day,
        )
    return business


def _figures(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(
        f"{name:<16} n={len(samples):<4} p50 {statistics.median(samples):6.1f} ms   "
        f"p95 {p95:6.1f} ms   max {ordered[-1]:6.1f} ms   "
        f"{1000 * len(samples) / sum(samples):6.1f} documents/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as media:
        settings.MEDIA_ROOT = media
        business = _shop(args.invoices)
        invoices = list(
            Invoice.objects.filter(business=business)
            .select_related("business", "customer")
            .prefetch_related("items")
            .order_by("pk")
        )
        invoice_pdf(invoices[0])  # warm-up: fonts cut and loaded, HarfBuzz ready
        render, render_cpu, first, cached, sizes = [], [], [], [], []
        for invoice in invoices:
            items = sorted(invoice.items.all(), key=lambda item: item.line_no)
            started, cpu = time.perf_counter(), time.process_time()
            data = invoice_pdf(invoice, items)
            render.append((time.perf_counter() - started) * 1000)
            render_cpu.append((time.process_time() - cpu) * 1000)
            sizes.append(len(data))
        for invoice in invoices:
            started = time.perf_counter()
            invoice_document(business=business, invoice_id=invoice.pk)
            first.append((time.perf_counter() - started) * 1000)
        for invoice in invoices:
            started = time.perf_counter()
            invoice_document(business=business, invoice_id=invoice.pk)
            cached.append((time.perf_counter() - started) * 1000)
    lines = [invoice.items.count() for invoice in invoices]
    print(
        f"invoice PDFs: {len(invoices)} invoices of {min(lines)}-{max(lines)} lines, "
        f"mean size {statistics.mean(sizes) / 1024:.1f} KiB"
    )
    _figures("render", render)
    _figures("render, cpu", render_cpu)
    _figures("first request", first)
    _figures("cached", cached)


if __name__ == "__main__":
    main()
