"""Real races: threads, each on its own database connection, all released at once."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connections

from execora.exceptions import ApplicationError
from invoices.models import Invoice, InvoiceItem, InvoiceSequence
from invoices.services import InvoiceItemInput, invoice_create
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies
from products.models import StockMovement
from products.selectors import stock_discrepancies
from tests.factories import BusinessFactory
from tests.invoices.factories import (
    SALE_DAY,
    CustomerFactory,
    free_item,
    make_product,
    walk_in_sale,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count: int, work) -> list[tuple[str, object]]:
    """Run work(i) in `count` threads released by one barrier; ("ok", result) or ("error", exc)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object]] = [("missing", None)] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as exc:  # collected and asserted on by the test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_twenty_buyers_of_the_last_ten_units_make_exactly_ten_invoices():
    # given: 10 packets left
    shop = BusinessFactory()
    maggi = make_product(
        shop, "Maggi", unit="packet", selling_price="14.00", gst_rate="18", opening_stock="10"
    )

    # when: 20 walk-in buyers each take one packet at the same moment
    def buy(i: int) -> Invoice:
        return invoice_create(
            business=shop,
            items=[InvoiceItemInput(product_id=maggi.pk, quantity="1")],
            amount_paid="14",
            invoice_date=SALE_DAY,
        )

    results = run_together(20, buy)

    # then
    sold = [value for status, value in results if status == "ok"]
    refused = [value for status, value in results if status == "error"]
    assert len(sold) == 10
    assert len(refused) == 10
    assert all(isinstance(exc, ApplicationError) for exc in refused), refused
    assert {exc.code for exc in refused} == {"insufficient_stock"}
    maggi.refresh_from_db()
    assert maggi.stock_quantity == D("0.000")
    sales = StockMovement.objects.filter(product=maggi, kind="sale")
    assert sales.count() == 10
    assert min(sales.values_list("stock_after", flat=True)) == D("0.000")
    # the refused ones left no rows and used no numbers
    assert Invoice.objects.filter(business=shop).count() == 10
    assert InvoiceItem.objects.filter(business=shop).count() == 10
    assert JournalEntry.objects.filter(business=shop).count() == 10
    assert sorted(Invoice.objects.values_list("sequence_number", flat=True)) == list(range(1, 11))
    assert InvoiceSequence.objects.get(business=shop).last_number == 10
    assert stock_discrepancies(business=shop) == []
    assert ledger_discrepancies(business=shop) == []


def test_thirty_concurrent_invoices_get_unique_gapless_numbers():
    # given: a shop's first invoices of the year, so even the sequence row is raced for
    shop = BusinessFactory()

    # when
    def sell(i: int) -> Invoice:
        return invoice_create(
            business=shop,
            items=[free_item(description=f"Item {i}", unit_price=f"{i + 1}.00")],
            amount_paid=f"{i + 1}",
            invoice_date=SALE_DAY,
        )

    results = run_together(30, sell)

    # then
    assert [status for status, _ in results] == ["ok"] * 30, results
    numbers = [invoice.number for _, invoice in results]
    assert len(set(numbers)) == 30
    assert sorted(numbers) == [f"INV/25-26/{n:04d}" for n in range(1, 31)]
    assert sorted(Invoice.objects.values_list("sequence_number", flat=True)) == list(range(1, 31))
    assert InvoiceSequence.objects.get(business=shop, financial_year=2025).last_number == 30
    # each number went with its own sale
    assert {(invoice.number, invoice.grand_total) for _, invoice in results} == set(
        Invoice.objects.values_list("number", "grand_total")
    )
    assert ledger_discrepancies(business=shop) == []


def test_concurrent_khata_invoices_on_a_running_series_stay_gapless_and_never_deadlock():
    # given: a series already running (the one-statement numbering path), two products
    # and three customers shared by every buyer, so their locks overlap in every order
    shop = BusinessFactory()
    walk_in_sale(shop, invoice_date=SALE_DAY)
    sugar = make_product(shop, "Sugar", selling_price="46.00", gst_rate="5", opening_stock="100")
    rice = make_product(shop, "Rice", selling_price="60.00", gst_rate="0", opening_stock="100")
    customers = [CustomerFactory(business=shop) for _ in range(3)]

    # when: 30 buyers, half listing rice first, each on a customer's khata
    def sell(i: int) -> Invoice:
        lines = [
            InvoiceItemInput(product_id=sugar.pk, quantity="1"),
            InvoiceItemInput(product_id=rice.pk, quantity="0.5"),
        ]
        return invoice_create(
            business=shop,
            customer_id=customers[i % 3].pk,
            items=lines if i % 2 else lines[::-1],
            invoice_date=SALE_DAY,
        )

    results = run_together(30, sell)

    # then
    assert [status for status, _ in results] == ["ok"] * 30, results
    assert sorted(invoice.sequence_number for _, invoice in results) == list(range(2, 32))
    assert InvoiceSequence.objects.get(business=shop, financial_year=2025).last_number == 31
    sugar.refresh_from_db()
    rice.refresh_from_db()
    assert (sugar.stock_quantity, rice.stock_quantity) == (D("70.000"), D("85.000"))
    # every sale's stock_after is distinct: each saw the stock the previous one left
    assert sorted(
        StockMovement.objects.filter(product=sugar, kind="sale").values_list(
            "stock_after", flat=True
        )
    ) == [D(n) for n in range(70, 100)]
    for customer in customers:
        customer.refresh_from_db()
        # ten bills of 1 kg sugar (46) and 0.5 kg rice (30) each
        assert customer.balance == D("760.00")
    assert stock_discrepancies(business=shop) == []
    assert ledger_discrepancies(business=shop) == []
