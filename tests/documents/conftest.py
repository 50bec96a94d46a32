"""GST shops, their customers and invoices; PDF text and QR tools; a local media folder."""

from __future__ import annotations

import datetime
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from execora.models import Business
from execora.validators import gstin_check_character
from invoices.services import InvoiceItemInput, invoice_create
from tests.customers.factories import make_customer
from tests.factories import BusinessFactory
from tests.reminders.conftest import cloud, standin  # noqa: F401  (fixtures used here too)

# A fixed day in the financial year 2025-26, so numbers and dates never follow the clock.
SALE_DAY = datetime.date(2025, 5, 10)


def gstin(state: str, pan: str = "AAPFU0939F") -> str:
    first14 = f"{state}{pan}1Z"
    return first14 + gstin_check_character(first14)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test's documents in its own folder (local storage, the default)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def gst_shop(db) -> Business:
    return BusinessFactory(
        name="Sharma Kirana",
        address="12 MG Road, Pune 411001",
        phone="9822000011",
        gstin=gstin("27"),
        state_code="27",
        upi_id="sharma@okicici",
    )


@pytest.fixture
def small_shop(db) -> Business:
    """Not GST-registered: its bills are bills of supply."""
    return BusinessFactory(name="Gupta Stores", address="Lane 4, Nashik", state_code="27", gstin="")


@pytest.fixture
def local_buyer(gst_shop):
    return make_customer(
        gst_shop,
        "Ramesh Traders",
        phone="9876543210",
        gstin=gstin("27", "BBBFR1234K"),
        address="5 Station Road, Pune",
    )


@pytest.fixture
def karnataka_buyer(gst_shop):
    return make_customer(
        gst_shop, "Bengaluru Mart", phone="9811111111", gstin=gstin("29", "CCCFB5678L")
    )


def ghee(quantity: str = "2", gst_rate: str = "12") -> InvoiceItemInput:
    """A Hindi-named line at 12% GST, MRP inclusive: 550 a kg."""
    return InvoiceItemInput(
        description="शुद्ध घी",
        quantity=quantity,
        unit="kg",
        unit_price="550.00",
        gst_rate=gst_rate,
        hsn_code="0405",
    )


def sugar(quantity: str = "5") -> InvoiceItemInput:
    return InvoiceItemInput(
        description="चीनी (Sugar)",
        quantity=quantity,
        unit="kg",
        unit_price="46.00",
        gst_rate="5",
        hsn_code="1701",
    )


def bill(business, customer=None, items=None, paid: str = "0", mode: str = "cash", **extra):
    return invoice_create(
        business=business,
        customer_id=customer.pk if customer else None,
        items=items or [ghee(), sugar()],
        amount_paid=Decimal(paid),
        payment_mode=mode if Decimal(paid) else "",
        invoice_date=extra.pop("invoice_date", SALE_DAY),
        **extra,
    )


def pdf_text(data: bytes, *, layout: bool = False) -> str:
    """The PDF's text as poppler's pdftotext reads it (reading order, or rows with `layout`)."""
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pdf_qr_codes(data: bytes) -> list[str]:
    """Every QR code in the PDF's images, decoded by zbarimg."""
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "doc.pdf"
        pdf.write_bytes(data)
        subprocess.run(["pdfimages", "-png", str(pdf), f"{folder}/img"], check=True)
        codes = []
        for image in sorted(Path(folder).glob("img-*.png")):
            found = subprocess.run(
                ["zbarimg", "--quiet", "--raw", "-Sqrcode.enable", str(image)],
                capture_output=True,
            )
            codes += [line for line in found.stdout.decode().splitlines() if line]
        return codes
