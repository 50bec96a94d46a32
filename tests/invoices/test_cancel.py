import datetime
from decimal import Decimal as D

import pytest

from execora.exceptions import ApplicationError, NotFound
from invoices.models import Invoice
from invoices.services import InvoiceItemInput, invoice_cancel, invoice_create
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies, trial_balance
from ledger.services import opening_balance_set, shop_today
from products.selectors import stock_discrepancies
from tests.invoices.factories import SALE_DAY, CustomerFactory, make_product, walk_in_sale

pytestmark = pytest.mark.django_db

CANCEL_DAY = SALE_DAY + datetime.timedelta(days=3)


def lines_of(entry: JournalEntry) -> list[tuple[str, D, D, int | None]]:
    return [
        (line.account.key, line.debit, line.credit, line.customer_id)
        for line in entry.lines.select_related("account").order_by("pk")
    ]


@pytest.fixture
def khata_sale(shop):
    """A customer owing ₹150 buys 2 kg sugar and 1 l oil, pays ₹100 at the counter."""
    customer = CustomerFactory(business=shop)
    opening_balance_set(business=shop, customer_id=customer.pk, amount="150", entry_date=SALE_DAY)
    sugar = make_product(shop, "Sugar", selling_price="45.00", gst_rate="5", opening_stock="10")
    oil = make_product(shop, "Oil", unit="l", selling_price="150", gst_rate="5", opening_stock="4")
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[
            InvoiceItemInput(product_id=sugar.pk, quantity="2"),
            InvoiceItemInput(product_id=oil.pk, quantity="1"),
            InvoiceItemInput(description="Delivery", quantity="1", unit_price="20"),
        ],
        amount_paid="100",
        payment_mode="upi",
        invoice_date=SALE_DAY,
    )
    return customer, sugar, oil, invoice


def test_cancel_restores_stock_and_balance_exactly_and_keeps_the_number(shop, owner, khata_sale):
    # given
    customer, sugar, oil, invoice = khata_sale
    customer.refresh_from_db()
    assert customer.balance == D("310.00")  # 150 + 260 - 100
    # when
    cancelled = invoice_cancel(
        business=shop,
        invoice_id=invoice.pk,
        user=owner,
        reason="wrong customer",
        on_date=CANCEL_DAY,
    )
    # then
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"
    assert cancelled.number == "INV/25-26/0001"
    assert (cancelled.cancelled_by, cancelled.cancel_reason) == (owner, "wrong customer")
    assert cancelled.cancelled_at is not None
    assert cancelled.grand_total == D("260.00")  # amounts untouched
    customer.refresh_from_db()
    sugar.refresh_from_db()
    oil.refresh_from_db()
    assert customer.balance == D("150.00")
    assert (sugar.stock_quantity, oil.stock_quantity) == (D("10.000"), D("4.000"))
    assert [(m.kind, m.quantity, m.reference) for m in sugar.movements.order_by("pk")][1:] == [
        ("sale", D("-2.000"), "INV/25-26/0001"),
        ("cancellation", D("2.000"), "INV/25-26/0001"),
    ]
    reversal = cancelled.cancel_entry
    assert (reversal.date, reversal.source_type, reversal.reverses) == (
        CANCEL_DAY,
        "invoice_cancel",
        invoice.journal_entry,
    )
    assert lines_of(reversal) == [
        (key, credit, debit, customer_id)
        for key, debit, credit, customer_id in lines_of(invoice.journal_entry)
    ]
    # the books net out to the opening balance alone
    balances = trial_balance(business=shop)
    assert {key: amount for key, amount in balances.items() if amount} == {
        "receivables": D("150.00"),
        "opening_balances": D("-150.00"),
    }
    assert ledger_discrepancies(business=shop) == []
    assert stock_discrepancies(business=shop) == []


def test_second_cancel_is_refused_and_changes_nothing(shop, khata_sale):
    # given
    customer, sugar, _, invoice = khata_sale
    invoice_cancel(business=shop, invoice_id=invoice.pk, on_date=CANCEL_DAY)
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_cancel(business=shop, invoice_id=invoice.pk, on_date=CANCEL_DAY)
    # then
    assert caught.value.code == "already_cancelled"
    assert "INV/25-26/0001" in caught.value.message
    customer.refresh_from_db()
    sugar.refresh_from_db()
    assert customer.balance == D("150.00")
    assert sugar.stock_quantity == D("10.000")
    assert sugar.movements.filter(kind="cancellation").count() == 1
    assert JournalEntry.objects.filter(source_type="invoice_cancel").count() == 1


def test_cancelled_number_is_not_reused(shop):
    # given
    first = walk_in_sale(shop)
    invoice_cancel(business=shop, invoice_id=first.pk, on_date=SALE_DAY)
    # when
    second = walk_in_sale(shop)
    # then
    assert (first.number, second.number) == ("INV/25-26/0001", "INV/25-26/0002")


def test_cancelling_a_walk_in_sale_refunds_the_cash(shop):
    # given
    invoice = walk_in_sale(shop, unit_price="70.00")
    # when
    invoice_cancel(business=shop, invoice_id=invoice.pk, on_date=SALE_DAY)
    # then
    assert not any(trial_balance(business=shop).values())


def test_cancel_defaults_to_today_in_the_shops_time_zone(shop):
    # given
    invoice = walk_in_sale(shop)
    # when
    cancelled = invoice_cancel(business=shop, invoice_id=invoice.pk)
    # then
    assert cancelled.cancel_entry.date == shop_today(shop)


def test_other_shops_invoice_cannot_be_cancelled(shop, other_shop):
    # given
    theirs = walk_in_sale(other_shop)
    # when
    with pytest.raises(NotFound):
        invoice_cancel(business=shop, invoice_id=theirs.pk, on_date=SALE_DAY)
    # then
    theirs.refresh_from_db()
    assert theirs.status == "issued"
    assert not JournalEntry.objects.filter(source_type="invoice_cancel").exists()


@pytest.mark.parametrize("invoice_id", [10**9, "abc", None])
def test_cancel_of_no_such_invoice_is_not_found(shop, invoice_id):
    with pytest.raises(NotFound):
        invoice_cancel(business=shop, invoice_id=invoice_id)


def test_cancel_dated_before_the_invoice_is_refused(shop):
    # given
    invoice = walk_in_sale(shop)
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_cancel(
            business=shop, invoice_id=invoice.pk, on_date=SALE_DAY - datetime.timedelta(days=1)
        )
    # then
    assert caught.value.field == "on_date"
    invoice.refresh_from_db()
    assert invoice.status == "issued"


def test_cancel_puts_stock_back_even_when_the_rest_has_been_sold_since(shop):
    # given: the 2 kg sold, then the remaining 8 kg sold too
    sugar = make_product(shop, "Sugar", selling_price="45.00", gst_rate="0", opening_stock="10")
    first = invoice_create(
        business=shop,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="2")],
        amount_paid="90",
        invoice_date=SALE_DAY,
    )
    invoice_create(
        business=shop,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="8")],
        amount_paid="360",
        invoice_date=SALE_DAY,
    )
    # when
    invoice_cancel(business=shop, invoice_id=first.pk, on_date=SALE_DAY)
    # then
    sugar.refresh_from_db()
    assert sugar.stock_quantity == D("2.000")
    assert Invoice.objects.filter(business=shop, status="issued").count() == 1
