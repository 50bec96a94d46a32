import datetime
from decimal import Decimal as D

import pytest

from execora.exceptions import ApplicationError, NotFound
from invoices.models import Invoice, InvoiceItem, InvoiceSequence
from invoices.services import MAX_ITEMS, InvoiceItemInput, invoice_create
from ledger.models import JournalEntry
from ledger.selectors import ledger_discrepancies, trial_balance
from ledger.services import opening_balance_set, shop_today
from products.models import StockMovement
from products.selectors import stock_discrepancies
from tests.invoices.factories import SALE_DAY, CustomerFactory, free_item, make_product

pytestmark = pytest.mark.django_db


def lines_of(entry: JournalEntry) -> list[tuple[str, D, D, int | None]]:
    return [
        (line.account.key, line.debit, line.credit, line.customer_id)
        for line in entry.lines.select_related("account").order_by("pk")
    ]


def stock_of(product) -> D:
    product.refresh_from_db()
    return product.stock_quantity


def balance_of(customer) -> D:
    customer.refresh_from_db()
    return customer.balance


def assert_nothing_written(shop) -> None:
    assert not Invoice.objects.filter(business=shop).exists()
    assert not InvoiceItem.objects.filter(business=shop).exists()
    assert not JournalEntry.objects.filter(business=shop).exists()
    assert not StockMovement.objects.filter(business=shop).exclude(kind="opening").exists()
    # no number was used either
    assert not InvoiceSequence.objects.filter(business=shop, last_number__gt=0).exists()


def test_walk_in_cash_sale_takes_stock_out_and_posts_cash(shop, owner):
    # given: sugar at ₹45/kg MRP with 5% GST inside, 10 kg in stock
    sugar = make_product(shop, "Sugar", selling_price="45.00", gst_rate="5", opening_stock="10")
    # when: 2 kg, paid ₹90 cash
    invoice = invoice_create(
        business=shop,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="2")],
        amount_paid=D("90"),
        invoice_date=SALE_DAY,
        user=owner,
    )
    # then: 90/1.05 = 85.714 -> 85.71; 2.5% = 2.14275 -> 2.14 each; 89.99 -> 90
    invoice.refresh_from_db()
    assert invoice.number == "INV/25-26/0001"
    assert (invoice.financial_year, invoice.sequence_number) == (2025, 1)
    assert invoice.customer is None
    assert (invoice.place_of_supply, invoice.is_interstate) == ("27", False)
    assert (invoice.subtotal, invoice.discount_total, invoice.taxable_total) == (
        D("85.71"),
        D("0.00"),
        D("85.71"),
    )
    assert (invoice.cgst_total, invoice.sgst_total, invoice.igst_total) == (
        D("2.14"),
        D("2.14"),
        D("0.00"),
    )
    assert (invoice.round_off, invoice.grand_total) == (D("0.01"), D("90.00"))
    assert (invoice.amount_paid, invoice.payment_mode, invoice.amount_due) == (
        D("90.00"),
        "cash",
        D("0.00"),
    )
    assert invoice.created_by == owner
    (item,) = invoice.items.all()
    assert (item.line_no, item.product_id, item.description, item.unit) == (
        1,
        sugar.pk,
        "Sugar",
        "kg",
    )
    assert (item.quantity, item.unit_price, item.gst_rate, item.price_includes_tax) == (
        D("2.000"),
        D("45.00"),
        D("5.00"),
        True,
    )
    assert (item.taxable_value, item.cgst, item.sgst, item.line_total) == (
        D("85.71"),
        D("2.14"),
        D("2.14"),
        D("89.99"),
    )
    assert stock_of(sugar) == D("8.000")
    movement = sugar.movements.get(kind="sale")
    assert (movement.quantity, movement.reference, movement.source_id) == (
        D("-2.000"),
        "INV/25-26/0001",
        invoice.pk,
    )
    entry = invoice.journal_entry
    assert (entry.date, entry.source_type, entry.reference) == (SALE_DAY, "invoice", invoice.number)
    assert lines_of(entry) == [
        ("cash", D("90.00"), D("0.00"), None),
        ("sales", D("0.00"), D("85.71"), None),
        ("output_cgst", D("0.00"), D("2.14"), None),
        ("output_sgst", D("0.00"), D("2.14"), None),
        ("round_off", D("0.00"), D("0.01"), None),
    ]
    assert ledger_discrepancies(business=shop) == []
    assert stock_discrepancies(business=shop) == []


def test_walk_in_sale_not_paid_in_full_is_refused_and_writes_nothing(shop):
    # given
    sugar = make_product(shop, "Sugar", selling_price="45.00", opening_stock="10")
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_create(
            business=shop,
            items=[InvoiceItemInput(product_id=sugar.pk, quantity="2")],
            amount_paid=D("50"),
            invoice_date=SALE_DAY,
        )
    # then
    assert caught.value.code == "walk_in_must_pay"
    assert caught.value.field == "amount_paid"
    assert stock_of(sugar) == D("10.000")
    assert_nothing_written(shop)


def test_sale_on_khata_moves_the_customers_balance_by_what_is_left_to_pay(shop):
    # given: a customer who already owes ₹200
    customer = CustomerFactory(business=shop)
    opening_balance_set(business=shop, customer_id=customer.pk, amount="200", entry_date=SALE_DAY)
    rice = make_product(
        shop, "Rice", selling_price="60.00", gst_rate="0", opening_stock="50", hsn_code="1006"
    )
    # when: 5 kg of rice (₹300), ₹100 paid by UPI
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=rice.pk, quantity="5")],
        amount_paid="100",
        payment_mode="upi",
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.grand_total, invoice.amount_paid, invoice.amount_due) == (
        D("300.00"),
        D("100.00"),
        D("200.00"),
    )
    assert invoice.payment_mode == "upi"
    assert invoice.items.get().hsn_code == "1006"
    assert balance_of(customer) == D("400.00")
    assert stock_of(rice) == D("45.000")
    assert lines_of(invoice.journal_entry) == [
        ("receivables", D("300.00"), D("0.00"), customer.pk),
        ("sales", D("0.00"), D("300.00"), None),
        ("bank", D("100.00"), D("0.00"), None),
        ("receivables", D("0.00"), D("100.00"), customer.pk),
    ]
    assert ledger_discrepancies(business=shop) == []


def test_unpaid_sale_to_a_customer_records_no_payment_mode(shop):
    # given
    customer = CustomerFactory(business=shop)
    # when
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[free_item(unit_price="250")],
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.amount_paid, invoice.payment_mode, invoice.amount_due) == (
        D("0.00"),
        "",
        D("250.00"),
    )
    assert balance_of(customer) == D("250.00")


def test_free_text_items_need_no_product_and_move_no_stock(shop):
    # given
    customer = CustomerFactory(business=shop)
    oil = make_product(shop, "Oil", unit="l", selling_price="150", gst_rate="5", opening_stock="5")
    # when: a catalogue item next to two free-text ones
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[
            InvoiceItemInput(product_id=oil.pk, quantity="1", description="Oil (1 l pouch)"),
            InvoiceItemInput(description="  Home   delivery ", quantity="1", unit_price="20"),
            InvoiceItemInput(
                description="Gift box",
                quantity="2",
                unit="box",
                unit_price="50",
                gst_rate="12",
                price_includes_tax=False,
                hsn_code="4819",
            ),
        ],
        invoice_date=SALE_DAY,
    )
    # then
    items = list(invoice.items.order_by("line_no"))
    assert [(i.line_no, i.product_id, i.description, i.unit) for i in items] == [
        (1, oil.pk, "Oil (1 l pouch)", "l"),
        (2, None, "Home delivery", "pcs"),
        (3, None, "Gift box", "box"),
    ]
    assert [(i.gst_rate, i.price_includes_tax, i.hsn_code) for i in items[1:]] == [
        (D("0"), True, ""),
        (D("12"), False, "4819"),
    ]
    # 150/1.05 = 142.857 -> 142.86, 3.57 each; 20; 100 + 6.00 + 6.00
    assert [i.line_total for i in items] == [D("150.00"), D("20.00"), D("112.00")]
    assert invoice.grand_total == D("282.00")
    assert stock_of(oil) == D("4.000")
    assert StockMovement.objects.filter(business=shop, kind="sale").count() == 1


def test_buyer_from_another_state_pays_igst(shop):
    # given: the shop is in Maharashtra (27), the buyer in Karnataka (29)
    customer = CustomerFactory(business=shop, state_code="29")
    # when
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[free_item(unit_price="10.10", gst_rate="5", price_includes_tax=False)],
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.place_of_supply, invoice.is_interstate) == ("29", True)
    assert (invoice.cgst_total, invoice.sgst_total, invoice.igst_total) == (
        D("0.00"),
        D("0.00"),
        D("0.51"),
    )
    assert ("output_igst", D("0.00"), D("0.51"), None) in lines_of(invoice.journal_entry)


def test_buyer_in_the_shops_state_pays_cgst_and_sgst(shop):
    # given
    customer = CustomerFactory(business=shop, state_code="27")
    # when
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[free_item(unit_price="10.10", gst_rate="5", price_includes_tax=False)],
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.place_of_supply, invoice.is_interstate) == ("27", False)
    assert (invoice.cgst_total, invoice.sgst_total, invoice.igst_total) == (
        D("0.25"),
        D("0.25"),
        D("0.00"),
    )


def test_discounts_post_sales_at_gross_and_the_discount_allowed(shop):
    # given
    customer = CustomerFactory(business=shop)
    atta = make_product(shop, "Atta", selling_price="50.00", gst_rate="5", opening_stock="10")
    # when: 2 kg at ₹50 MRP, ₹5 off
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=atta.pk, quantity="2", discount="5")],
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.subtotal, invoice.discount_total, invoice.taxable_total) == (
        D("95.24"),
        D("4.76"),
        D("90.48"),
    )
    assert invoice.grand_total == D("95.00")
    assert lines_of(invoice.journal_entry) == [
        ("receivables", D("95.00"), D("0.00"), customer.pk),
        ("discounts", D("4.76"), D("0.00"), None),
        ("sales", D("0.00"), D("95.24"), None),
        ("output_cgst", D("0.00"), D("2.26"), None),
        ("output_sgst", D("0.00"), D("2.26"), None),
    ]
    assert trial_balance(business=shop)["discounts"] == D("4.76")


def test_rounding_down_posts_the_round_off_as_a_debit(shop):
    # given
    customer = CustomerFactory(business=shop)
    # when: 0.25 kg at ₹48.50 with 5% inside = 12.13, billed as 12
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[free_item(quantity="0.25", unit="kg", unit_price="48.50", gst_rate="5")],
        invoice_date=SALE_DAY,
    )
    # then
    assert (invoice.round_off, invoice.grand_total) == (D("-0.13"), D("12.00"))
    assert lines_of(invoice.journal_entry) == [
        ("receivables", D("12.00"), D("0.00"), customer.pk),
        ("sales", D("0.00"), D("11.55"), None),
        ("output_cgst", D("0.00"), D("0.29"), None),
        ("output_sgst", D("0.00"), D("0.29"), None),
        ("round_off", D("0.13"), D("0.00"), None),
    ]
    assert balance_of(customer) == D("12.00")


def test_invoice_date_defaults_to_today_in_the_shops_time_zone(shop):
    # when
    invoice = invoice_create(business=shop, items=[free_item()], amount_paid="10")
    # then
    assert invoice.invoice_date == shop_today(shop)
    assert invoice.journal_entry.date == shop_today(shop)


def test_other_shops_product_is_not_found_and_nothing_is_written(shop, other_shop):
    # given
    mine = make_product(shop, "Sugar", opening_stock="10")
    theirs = make_product(other_shop, "Sugar", opening_stock="10")
    # when
    with pytest.raises(NotFound) as caught:
        invoice_create(
            business=shop,
            items=[
                InvoiceItemInput(product_id=mine.pk, quantity="1"),
                InvoiceItemInput(product_id=theirs.pk, quantity="1"),
            ],
            amount_paid="45",
            invoice_date=SALE_DAY,
        )
    # then
    assert caught.value.field == "product_id"
    assert (stock_of(mine), stock_of(theirs)) == (D("10.000"), D("10.000"))
    assert_nothing_written(shop)
    assert not Invoice.objects.exists()


def test_other_shops_customer_is_not_found_and_nothing_is_written(shop, other_shop):
    # given
    mine = make_product(shop, "Sugar", opening_stock="10")
    theirs = CustomerFactory(business=other_shop)
    # when
    with pytest.raises(NotFound):
        invoice_create(
            business=shop,
            customer_id=theirs.pk,
            items=[InvoiceItemInput(product_id=mine.pk, quantity="1")],
            invoice_date=SALE_DAY,
        )
    # then
    assert stock_of(mine) == D("10.000")
    assert balance_of(theirs) == D("0.00")
    assert_nothing_written(shop)


def test_credit_limit_refusal_writes_nothing_and_burns_no_number(shop):
    # given: a ₹500 limit, ₹400 already owed
    customer = CustomerFactory(business=shop, credit_limit=D("500"))
    opening_balance_set(business=shop, customer_id=customer.pk, amount="400", entry_date=SALE_DAY)
    sugar = make_product(shop, "Sugar", selling_price="45.00", opening_stock="10")
    # when: ₹180 more on khata, ₹30 paid
    with pytest.raises(ApplicationError) as caught:
        invoice_create(
            business=shop,
            customer_id=customer.pk,
            items=[InvoiceItemInput(product_id=sugar.pk, quantity="4")],
            amount_paid="30",
            invoice_date=SALE_DAY,
        )
    # then
    assert caught.value.code == "credit_limit_exceeded"
    assert caught.value.extra["would_be"] == "550.00"
    assert balance_of(customer) == D("400.00")
    assert stock_of(sugar) == D("10.000")
    assert not Invoice.objects.exists()
    assert not StockMovement.objects.filter(kind="sale").exists()
    # when: paying enough at the counter keeps the khata inside the limit
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[InvoiceItemInput(product_id=sugar.pk, quantity="4")],
        amount_paid="80",
        invoice_date=SALE_DAY,
    )
    # then: the first number was not used up by the refusal
    assert invoice.number == "INV/25-26/0001"
    assert balance_of(customer) == D("500.00")


def test_insufficient_stock_refusal_writes_nothing_and_burns_no_number(shop):
    # given
    sugar = make_product(shop, "Sugar", selling_price="45.00", opening_stock="1.5")
    salt = make_product(shop, "Salt", selling_price="20.00", gst_rate="0", opening_stock="10")
    # when: the salt line is fine, the sugar line is not
    with pytest.raises(ApplicationError) as caught:
        invoice_create(
            business=shop,
            items=[
                InvoiceItemInput(product_id=salt.pk, quantity="1"),
                InvoiceItemInput(product_id=sugar.pk, quantity="2"),
            ],
            amount_paid="110",
            invoice_date=SALE_DAY,
        )
    # then
    assert caught.value.code == "insufficient_stock"
    assert (stock_of(sugar), stock_of(salt)) == (D("1.500"), D("10.000"))
    assert_nothing_written(shop)


def test_the_same_product_on_two_lines_is_taken_out_twice(shop):
    # given
    sugar = make_product(shop, "Sugar", selling_price="40.00", gst_rate="0", opening_stock="3")
    # when
    invoice = invoice_create(
        business=shop,
        items=[
            InvoiceItemInput(product_id=sugar.pk, quantity="1"),
            InvoiceItemInput(product_id=sugar.pk, quantity="1.5"),
        ],
        amount_paid="100",
        invoice_date=SALE_DAY,
    )
    # then
    assert invoice.grand_total == D("100.00")
    assert stock_of(sugar) == D("0.500")
    assert stock_discrepancies(business=shop) == []


def test_line_values_override_the_catalogue(shop):
    # given
    customer = CustomerFactory(business=shop)
    sugar = make_product(shop, "Sugar", selling_price="45.00", gst_rate="5", opening_stock="5")
    # when: sold at a special price, before tax
    invoice = invoice_create(
        business=shop,
        customer_id=customer.pk,
        items=[
            InvoiceItemInput(
                product_id=sugar.pk,
                quantity="1",
                unit="kg",
                unit_price="40",
                price_includes_tax=False,
                gst_rate="5",
            )
        ],
        invoice_date=SALE_DAY,
    )
    # then
    item = invoice.items.get()
    assert (item.unit_price, item.price_includes_tax, item.taxable_value, item.line_total) == (
        D("40.00"),
        False,
        D("40.00"),
        D("42.00"),
    )


@pytest.mark.parametrize(
    ("item", "field", "code"),
    [
        ({"quantity": 1.5, "description": "x", "unit_price": "1"}, "items[0].quantity", "invalid"),
        ({"quantity": "0", "description": "x", "unit_price": "1"}, "items[0].quantity", "invalid"),
        ({"quantity": "-1", "description": "x", "unit_price": "1"}, "items[0].quantity", "invalid"),
        (
            {"quantity": "0.0005", "description": "x", "unit_price": "1"},
            "items[0].quantity",
            "invalid",
        ),
        (
            {"quantity": "abc", "description": "x", "unit_price": "1"},
            "items[0].quantity",
            "invalid",
        ),
        (
            {"quantity": "NaN", "description": "x", "unit_price": "1"},
            "items[0].quantity",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": 9.99},
            "items[0].unit_price",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "-1"},
            "items[0].unit_price",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "1.001"},
            "items[0].unit_price",
            "invalid",
        ),
        ({"quantity": "1", "description": "x"}, "items[0].unit_price", "invalid"),
        ({"quantity": "1", "unit_price": "10"}, "items[0].description", "invalid"),
        (
            {"quantity": "1", "description": "   ", "unit_price": "10"},
            "items[0].description",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "10", "discount": "10.01"},
            "items[0].discount",
            "discount_too_large",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "10", "gst_rate": "7"},
            "items[0].gst_rate",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "10", "unit": "tonne"},
            "items[0].unit",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x", "unit_price": "10", "hsn_code": "12"},
            "items[0].hsn_code",
            "invalid",
        ),
        (
            {"quantity": "1", "description": "x" * 201, "unit_price": "10"},
            "items[0].description",
            "invalid",
        ),
        ({"quantity": "1", "description": "x", "unit_price": "0"}, "items", "zero_total"),
        ({"quantity": "1", "colour": "red"}, "items[0]", "invalid"),
    ],
)
def test_invalid_lines_are_refused_before_anything_is_written(shop, item, field, code):
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_create(business=shop, items=[item], amount_paid="10", invoice_date=SALE_DAY)
    # then
    assert (caught.value.field, caught.value.code) == (field, code)
    assert caught.value.message and caught.value.message_hi
    assert_nothing_written(shop)


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"items": []}, "items", "no_items"),
        ({"items": [free_item()] * (MAX_ITEMS + 1)}, "items", "too_many_items"),
        ({"items": "sugar"}, "items", "invalid"),
        ({"amount_paid": 10.0}, "amount_paid", "invalid"),
        ({"amount_paid": "-1"}, "amount_paid", "invalid"),
        ({"amount_paid": "11"}, "amount_paid", "overpaid"),
        ({"payment_mode": "barter"}, "payment_mode", "invalid"),
        ({"invoice_date": datetime.date(2999, 1, 1)}, "invoice_date", "future_date"),
        ({"invoice_date": "2025-05-10"}, "invoice_date", "invalid"),
    ],
)
def test_invalid_invoices_are_refused_before_anything_is_written(shop, kwargs, field, code):
    # given
    arguments = {"items": [free_item()], "amount_paid": "10", "invoice_date": SALE_DAY}
    arguments.update(kwargs)
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_create(business=shop, **arguments)
    # then
    assert (caught.value.field, caught.value.code) == (field, code)
    assert_nothing_written(shop)


def test_a_product_line_in_another_unit_is_refused(shop):
    # given: sugar is stocked by the kg
    sugar = make_product(shop, "Sugar", unit="kg", opening_stock="5")
    # when
    with pytest.raises(ApplicationError) as caught:
        invoice_create(
            business=shop,
            items=[InvoiceItemInput(product_id=sugar.pk, quantity="250", unit="g")],
            amount_paid="0",
            invoice_date=SALE_DAY,
        )
    # then
    assert caught.value.code == "unit_mismatch"
    assert stock_of(sugar) == D("5.000")
    assert_nothing_written(shop)


def test_500_lines_make_one_invoice(shop):
    # when
    invoice = invoice_create(
        business=shop,
        items=[free_item(unit_price="1.00")] * MAX_ITEMS,
        amount_paid="500",
        invoice_date=SALE_DAY,
    )
    # then
    assert invoice.items.count() == MAX_ITEMS
    assert invoice.grand_total == D("500.00")
