import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from execora.exceptions import ApplicationError
from invoices.models import Invoice, InvoiceSequence
from invoices.numbering import (
    financial_year_of,
    invoice_number_allocate,
    invoice_number_format,
)
from tests.factories import BusinessFactory
from tests.invoices.factories import walk_in_sale


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (datetime.date(2027, 3, 31), 2026),
        (datetime.date(2027, 4, 1), 2027),
        (datetime.date(2026, 12, 31), 2026),
        (datetime.date(2027, 1, 1), 2026),
        (datetime.date(2099, 4, 1), 2099),
    ],
)
def test_financial_year_runs_april_to_march(day, year):
    assert financial_year_of(day) == year


def test_invoice_number_has_prefix_year_and_four_digit_serial():
    assert invoice_number_format("INV", 2026, 1) == "INV/26-27/0001"
    assert invoice_number_format("INV", 2099, 42) == "INV/99-00/0042"
    assert invoice_number_format("SK", 2025, 12345) == "SK/25-26/12345"


def test_invoice_number_is_refused_beyond_16_characters():
    # given: a five-letter prefix leaves room for exactly four digits
    assert len(invoice_number_format("ABCDE", 2026, 9999)) == 16
    # when / then
    with pytest.raises(ApplicationError) as caught:
        invoice_number_format("ABCDE", 2026, 10000)
    assert caught.value.code == "invoice_number_too_long"
    assert len(invoice_number_format("INV", 2026, 10000)) == 15


def test_invoice_number_serials_start_at_one():
    with pytest.raises(ValueError):
        invoice_number_format("INV", 2026, 0)


@pytest.mark.django_db
def test_allocate_counts_per_shop_per_financial_year(shop, other_shop):
    # when
    with transaction.atomic():
        got = [
            invoice_number_allocate(business=shop, on_date=datetime.date(2026, 3, 31)),
            invoice_number_allocate(business=shop, on_date=datetime.date(2026, 4, 1)),
            invoice_number_allocate(business=shop, on_date=datetime.date(2026, 3, 1)),
            invoice_number_allocate(business=other_shop, on_date=datetime.date(2026, 3, 1)),
            invoice_number_allocate(business=shop, on_date=datetime.date(2027, 3, 31)),
        ]
    # then
    assert got == [
        (2025, 1, "INV/25-26/0001"),
        (2026, 1, "INV/26-27/0001"),
        (2025, 2, "INV/25-26/0002"),
        (2025, 1, "INV/25-26/0001"),
        (2026, 2, "INV/26-27/0002"),
    ]
    assert dict(
        InvoiceSequence.objects.filter(business=shop).values_list("financial_year", "last_number")
    ) == {2025: 2, 2026: 2}


@pytest.mark.django_db
def test_allocate_uses_the_shops_prefix():
    # given
    shop = BusinessFactory(invoice_prefix="SKS")
    # when
    with transaction.atomic():
        _, _, number = invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    # then
    assert number == "SKS/26-27/0001"


@pytest.mark.django_db
def test_a_rolled_back_allocation_gives_its_number_back(shop):
    # given
    with pytest.raises(RuntimeError), transaction.atomic():
        invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
        raise RuntimeError("the invoice failed after taking a number")
    # when
    with transaction.atomic():
        got = invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    # then
    assert got == (2026, 1, "INV/26-27/0001")


@pytest.mark.django_db(transaction=True)
def test_allocate_refuses_to_run_outside_a_transaction():
    # given: autocommit, where the number would be used even if the invoice failed
    shop = BusinessFactory()
    # when / then
    with pytest.raises(transaction.TransactionManagementError):
        invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    assert not InvoiceSequence.objects.exists()


@pytest.mark.django_db
def test_invoices_of_a_new_financial_year_start_again_at_one(shop):
    # when
    march = walk_in_sale(shop, invoice_date=datetime.date(2025, 3, 31))
    april = walk_in_sale(shop, invoice_date=datetime.date(2025, 4, 1))
    april_2 = walk_in_sale(shop, invoice_date=datetime.date(2025, 4, 2))
    # then
    assert [march.number, april.number, april_2.number] == [
        "INV/24-25/0001",
        "INV/25-26/0001",
        "INV/25-26/0002",
    ]
    assert [(i.financial_year, i.sequence_number) for i in (march, april, april_2)] == [
        (2024, 1),
        (2025, 1),
        (2025, 2),
    ]
    assert Invoice.objects.filter(business=shop).count() == 3


@pytest.mark.django_db
def test_allocate_on_an_existing_series_is_one_update(shop):
    # given: the year's series exists
    with transaction.atomic():
        invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        got = invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 2))
    # then: the bump and the read are one locking statement
    sql = [q["sql"] for q in queries.captured_queries if "invoices_invoicesequence" in q["sql"]]
    assert len(sql) == 1
    assert sql[0].startswith("UPDATE") and "RETURNING" in sql[0]
    assert got == (2026, 2, "INV/26-27/0002")


@pytest.mark.django_db
def test_allocate_creates_a_new_years_series_then_bumps_it(shop):
    # when
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        got = invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    # then: an UPDATE that found nothing, the INSERT, the UPDATE that numbered it
    sql = [q["sql"] for q in queries.captured_queries if "invoices_invoicesequence" in q["sql"]]
    assert [statement.split()[0] for statement in sql] == ["UPDATE", "INSERT", "UPDATE"]
    assert got == (2026, 1, "INV/26-27/0001")
    assert InvoiceSequence.objects.get(business=shop, financial_year=2026).last_number == 1


@pytest.mark.django_db
def test_a_number_too_long_is_refused_and_given_back_even_if_the_caller_goes_on():
    # given: a five-letter prefix whose series is at 9999, the last four-digit number
    shop = BusinessFactory(invoice_prefix="ABCDE")
    InvoiceSequence.objects.create(business=shop, financial_year=2026, last_number=9999)
    # when: the caller catches the refusal inside its transaction and commits the rest
    with transaction.atomic(), pytest.raises(ApplicationError) as caught:
        invoice_number_allocate(business=shop, on_date=datetime.date(2026, 6, 1))
    # then
    assert caught.value.code == "invoice_number_too_long"
    assert InvoiceSequence.objects.get(business=shop, financial_year=2026).last_number == 9999
