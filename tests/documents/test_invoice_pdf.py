"""The invoice PDF: every field of CGST Rule 46, the totals, Hindi names, words, QR, cancel."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest

from invoices.documents import amount_in_words, indian_grouping, invoice_upi_link
from invoices.models import Document
from invoices.services import document_read, invoice_cancel, invoice_document
from tests.documents.conftest import bill, ghee, pdf_qr_codes, pdf_text, sugar


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_a_tax_invoice_within_the_state_has_every_rule_46_field_and_cgst_sgst_totals(
    gst_shop, local_buyer
):
    # given a bill to a registered buyer in the shop's own state, part paid
    invoice = bill(gst_shop, local_buyer, paid="100")
    # when its PDF is made
    text = pdf_text(document_read(invoice_document(business=gst_shop, invoice_id=invoice.pk)))
    lines = _lines(text)
    # then the supplier: name, address, GSTIN, state
    assert "TAX INVOICE" in lines
    for field in (
        "Sharma Kirana",
        "12 MG Road, Pune 411001",
        f"GSTIN: {gst_shop.gstin}",
        "State: Maharashtra (27)",
    ):
        assert field in lines
    # the number and date, place of supply, and the recipient with GSTIN and state
    assert "Invoice No.: INV/25-26/0001" in lines
    assert "Date: 10-05-2025" in lines
    assert "Place of supply: Maharashtra (27)" in lines
    assert "Reverse charge: No" in lines
    assert "Ramesh Traders" in lines
    assert f"GSTIN: {local_buyer.gstin}" in lines
    # each line: HSN, description, quantity and unit, rate, taxable value, CGST/SGST rate and amount
    # (ghee: 2 × 550 with 12% inside = 982.14 + 58.93 + 58.93; sugar: 5 × 46 with 5% inside)
    ghee_row = ["1", "0405", "शुद्ध घी", "2 kg", "550.00", "982.14", "6%", "58.93", "6%"]
    sugar_row = ["2", "1701", "चीनी (Sugar)", "5 kg", "46.00", "219.05", "2.5%", "5.48"]
    joined = "\n".join(lines)
    assert "\n".join(ghee_row) in joined
    assert "\n".join(sugar_row) in joined
    assert "1,100.00" in lines and "230.01" in lines
    assert "IGST" not in lines
    # totals in figures: taxable, CGST, SGST, round-off, grand total; then in words
    assert "Taxable value\n1,201.19" in joined
    assert "CGST\n64.41\nSGST\n64.41" in joined
    assert "Round-off\n-0.01" in joined
    assert "Grand total (₹)\n1,330.00" in joined
    assert "Paid (Cash)\n100.00" in joined and "Due\n1,230.00" in joined
    assert "Amount in words: One thousand three hundred thirty rupees only" in lines
    # and the supplier's signature
    assert "For Sharma Kirana" in lines and "Authorised signatory" in lines
    # the figures printed are the invoice's own stored totals
    assert invoice.taxable_total + invoice.tax_total + invoice.round_off == invoice.grand_total
    assert indian_grouping(invoice.grand_total) == "1,330.00"


def test_a_bill_to_another_state_charges_igst_with_the_buyers_place_of_supply(
    gst_shop, karnataka_buyer
):
    invoice = bill(gst_shop, karnataka_buyer)
    text = pdf_text(document_read(invoice_document(business=gst_shop, invoice_id=invoice.pk)))
    lines = _lines(text)
    joined = "\n".join(lines)
    assert "Place of supply: Karnataka (29)" in lines
    assert "State: Karnataka (29)" in lines
    # IGST at the full rate per line, no CGST or SGST anywhere
    assert "\n".join(["1", "0405", "शुद्ध घी", "2 kg", "550.00", "982.14", "12%", "117.86"]) in joined
    assert (
        "\n".join(["2", "1701", "चीनी (Sugar)", "5 kg", "46.00", "219.05", "5%", "10.95"]) in joined
    )
    assert "CGST" not in joined and "SGST" not in joined
    assert "IGST\n128.81" in joined
    assert "Round-off\n0.00" in joined
    assert "Grand total (₹)\n1,330.00" in joined
    assert invoice.igst_total == Decimal("128.81")


def test_a_shop_without_gstin_issues_a_bill_of_supply_without_tax(small_shop):
    # given an unregistered shop's cash sale (it charges no GST: rate 0)
    invoice = bill(small_shop, items=[ghee("1", gst_rate="0")], paid="550")
    lines = _lines(
        pdf_text(document_read(invoice_document(business=small_shop, invoice_id=invoice.pk)))
    )
    assert "BILL OF SUPPLY" in lines and "TAX INVOICE" not in lines
    assert "Not registered for GST" in lines
    assert not any(line.startswith("GSTIN") for line in lines)
    assert not any(word in lines for word in ("CGST", "SGST", "IGST", "CGST %"))
    assert "Value of supply\n550.00" in "\n".join(lines)
    assert "Cash sale (walk-in customer)" in lines
    assert "Amount in words: Five hundred fifty rupees only" in lines


def test_a_shop_without_gstin_charges_no_tax_even_on_a_taxed_product(small_shop):
    # given an unregistered shop selling a product that carries a 12% rate
    invoice = bill(small_shop, items=[ghee("1", gst_rate="12")], paid="550")
    # then the bill is its price with no tax in it, and the ledger posts no output GST
    assert (invoice.cgst_total, invoice.sgst_total, invoice.igst_total) == (0, 0, 0)
    assert invoice.taxable_total == invoice.grand_total
    assert {item.gst_rate for item in invoice.items.all()} == {0}
    lines = invoice.journal_entry.lines.select_related("account")
    assert not [line for line in lines if line.account.key.startswith("output_")]


def test_a_hindi_item_name_survives_in_the_pdf_with_the_devanagari_font_embedded(
    gst_shop, local_buyer
):
    invoice = bill(gst_shop, local_buyer, items=[ghee(), sugar()])
    data = document_read(invoice_document(business=gst_shop, invoice_id=invoice.pk))
    text = pdf_text(data)
    assert "शुद्ध घी" in text  # a conjunct (द्ध) shaped by HarfBuzz and mapped back to Unicode
    assert "चीनी (Sugar)" in text
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    if not fonts:  # older poppler reads only files
        fonts = "NotoSansDevanagari" if b"NotoSansDevanagari" in data else ""
    assert "NotoSansDevanagari" in fonts


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0.50", "Fifty paise only"),
        ("1250", "One thousand two hundred fifty rupees only"),
        ("100000", "One lakh rupees only"),
        (
            "1234567.89",
            "Twelve lakh thirty-four thousand five hundred sixty-seven rupees "
            "and eighty-nine paise only",
        ),
        ("1", "One rupee only"),
        ("250000000", "Twenty-five crore rupees only"),
        ("0", "Zero rupees only"),
    ],
)
def test_amounts_are_written_in_words_in_the_indian_system(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_indian_grouping_puts_lakh_and_crore_commas():
    assert indian_grouping(Decimal("1234567.89")) == "12,34,567.89"
    assert indian_grouping(Decimal("100000")) == "1,00,000.00"
    assert indian_grouping(Decimal("999")) == "999.00"
    assert indian_grouping(Decimal("-0.01")) == "-0.01"


def test_the_qr_code_decodes_to_the_exact_upi_link_for_the_amount_due(gst_shop, local_buyer):
    # given a bill of 1,330 with 100 paid: 1,230 due
    invoice = bill(gst_shop, local_buyer, paid="100")
    data = document_read(invoice_document(business=gst_shop, invoice_id=invoice.pk))
    # then the one QR in the PDF is this link, to the character
    expected = (
        "upi://pay?pa=sharma%40okicici&pn=Sharma%20Kirana&am=1230.00&cu=INR"
        "&tn=Bill%20INV%2F25-26%2F0001"
    )
    assert invoice_upi_link(invoice) == expected
    assert pdf_qr_codes(data) == [expected]


def test_no_qr_when_nothing_is_due(gst_shop, local_buyer):
    invoice = bill(gst_shop, local_buyer, paid="1330")
    data = document_read(invoice_document(business=gst_shop, invoice_id=invoice.pk))
    assert pdf_qr_codes(data) == []
    assert "upi://" not in pdf_text(data)


def test_the_pdf_is_made_once_and_a_cancel_makes_a_new_one_stamped_cancelled(
    gst_shop, local_buyer, owner
):
    # given an invoice whose PDF was made
    invoice = bill(gst_shop, local_buyer)
    first = invoice_document(business=gst_shop, invoice_id=invoice.pk)
    # when it is asked for again, the same stored file comes back, not a new render
    assert invoice_document(business=gst_shop, invoice_id=invoice.pk).pk == first.pk
    assert Document.objects.filter(invoice=invoice).count() == 1
    assert "CANCELLED" not in pdf_text(document_read(first))
    # when the invoice is cancelled
    invoice_cancel(business=gst_shop, invoice_id=invoice.pk, user=owner, reason="Wrong buyer")
    cancelled = invoice_document(business=gst_shop, invoice_id=invoice.pk)
    # then a new PDF is made, stamped, and the QR is gone (nothing is due on a cancelled bill)
    assert cancelled.pk != first.pk and cancelled.file.name != first.file.name
    assert cancelled.filename == "INV-25-26-0001-cancelled.pdf"
    data = document_read(cancelled)
    text = pdf_text(data)
    assert re.search(r"CANCELLED on \d\d-\d\d-\d{4}: Wrong buyer", text)
    # the note and the stamp across the page (diagonal text: pdftotext reads it only raw)
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True)
    assert raw.stdout.decode().count("CANCELLED") == 2
    assert pdf_qr_codes(data) == []
    # and the cancelled copy is kept too
    assert invoice_document(business=gst_shop, invoice_id=invoice.pk).pk == cancelled.pk
    assert Document.objects.filter(invoice=invoice).count() == 2
