"""Customers are created and edited through customers.services; money moves through the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from ledger.models import JournalEntry, Payment
from ledger.selectors import ledger_discrepancies
from ledger.services import payment_record
from tests.admin.helpers import (
    apply_action,
    change_url,
    changelist_url,
    messages_of,
    operation_url,
    start_action,
)
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/customers/customer/add/"


def customer_form(**values: str) -> dict[str, str]:
    form = {
        "name": "",
        "phone": "",
        "aliases": "",
        "address": "",
        "preferred_language": "",
        "gstin": "",
        "state_code": "",
        "credit_limit": "",
    }
    form.update(values)
    return form


def test_add_goes_through_the_service(owner_client, shop):
    # when: the owner adds a customer with a formatted phone and aliases
    response = owner_client.post(
        ADD_URL,
        customer_form(name="  Suresh   Yadav ", phone="+91 98765-43210", aliases="Sureshji, सुरेश"),
    )

    # then: saved in the owner's shop, cleaned and indexed as the service does it
    assert response.status_code == 302, response.content.decode()[-2000:]
    customer = Customer.objects.get()
    assert customer.business == shop
    assert (customer.name, customer.phone) == ("Suresh Yadav", "9876543210")
    assert customer.aliases == ["Sureshji", "सुरेश"]
    assert customer.search_key  # written by customer_create, never by a raw save
    assert customer.balance == 0


def test_add_refused_by_the_service_shows_the_reason_and_saves_nothing(owner_client, books_a):
    # given: Ramesh has 9876543210

    # when: another customer is added with the same number
    response = owner_client.post(ADD_URL, customer_form(name="Ramesh Two", phone="9876543210"))

    # then: the form comes back with the reason; no second customer
    assert response.status_code == 200
    assert "Ramesh Kumar already has this phone number." in response.content.decode()
    assert list(Customer.objects.filter(business=books_a.shop).values_list("name", flat=True)) == [
        "Ramesh Kumar"
    ]


def test_edit_refused_by_the_service_changes_nothing(owner_client, books_a, shop):
    # given: a second customer
    suresh = make_customer(shop, "Suresh", phone="9822222222")

    # when: Suresh is edited to take Ramesh's number (the form cannot see the shop's
    # other phones; the service can)
    response = owner_client.post(
        change_url(suresh), customer_form(name="Suresh", phone="9876543210")
    )

    # then: the reason is on the form, Suresh is unchanged
    assert response.status_code == 200
    assert "Ramesh Kumar already has this phone number." in response.content.decode()
    suresh.refresh_from_db()
    assert suresh.phone == "9822222222"


def test_edit_updates_details_and_search_key_but_never_the_balance(owner_client, books_a):
    customer = books_a.customer
    old_key = customer.search_key

    # when: renamed, with a balance smuggled into the POST
    response = owner_client.post(
        change_url(customer),
        customer_form(name="Ramesh Sharma", phone="9876543210", credit_limit="5000", balance="0"),
    )

    # then
    assert response.status_code == 302, response.content.decode()[-2000:]
    customer.refresh_from_db()
    assert customer.name == "Ramesh Sharma" and customer.credit_limit == Decimal("5000.00")
    assert customer.search_key != old_key
    assert customer.balance == Decimal("70.00")


def test_record_payment_from_the_change_page(owner_client, books_a):
    customer = books_a.customer

    # given: the change page offers the operation
    page = owner_client.get(change_url(customer)).content.decode()
    assert operation_url(customer, "record-payment") in page
    form_page = owner_client.get(operation_url(customer, "record-payment"))
    assert form_page.status_code == 200 and 'name="amount"' in form_page.content.decode()

    # when: ₹50 by UPI is recorded
    response = owner_client.post(
        operation_url(customer, "record-payment"),
        {"amount": "50", "mode": "upi", "reference": "UPI123", "note": "", "apply": "1"},
    )

    # then: through payment_record: a payment, an entry, a lower balance
    assert response.status_code == 302 and response.url == change_url(customer)
    customer.refresh_from_db()
    assert customer.balance == Decimal("20.00")
    payment = Payment.objects.filter(customer=customer).order_by("-pk").first()
    assert (payment.amount, payment.mode, payment.reference) == (Decimal("50.00"), "upi", "UPI123")
    assert payment.journal_entry.source_type == JournalEntry.SourceType.PAYMENT
    assert any("balance now ₹20.00" in message for message in messages_of(response))
    assert ledger_discrepancies(business=books_a.shop) == []


def test_record_payment_as_a_changelist_action_with_its_form(staff_client, books_a):
    customer = books_a.customer

    # when: staff choose the action: the intermediate form is shown
    response = start_action(staff_client, Customer, "record_payment", [customer])
    assert response.status_code == 200
    assert (
        "Record payment" in response.content.decode() and 'name="mode"' in response.content.decode()
    )

    # and submit it
    response = apply_action(
        staff_client, Customer, "record_payment", [customer], amount="70", mode="cash"
    )

    # then
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")


def test_invalid_payment_amount_is_asked_again_and_nothing_is_written(owner_client, books_a):
    customer = books_a.customer
    payments = Payment.objects.count()

    response = owner_client.post(
        operation_url(customer, "record-payment"), {"amount": "0", "mode": "cash", "apply": "1"}
    )

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Payment.objects.count() == payments
    customer.refresh_from_db()
    assert customer.balance == Decimal("70.00")


def test_payment_is_for_one_customer_at_a_time(owner_client, books_a, shop):
    other = make_customer(shop, "Sunita")

    response = start_action(owner_client, Customer, "record_payment", [books_a.customer, other])

    assert response.status_code == 302
    assert any("one customer at a time" in message for message in messages_of(response))
    assert not Payment.objects.filter(customer=other).exists()


def test_udhaar_over_the_credit_limit_is_refused_with_a_message(owner_client, shop):
    # given: a customer with a ₹100 limit
    customer = make_customer(shop, "Mohammed Irfan", credit_limit="100")

    # when: ₹150 udhaar is added
    response = owner_client.post(
        operation_url(customer, "add-udhaar"), {"amount": "150", "note": "", "apply": "1"}
    )

    # then: an error message, nothing posted
    assert response.status_code == 302
    assert any("credit limit is ₹100.00" in message for message in messages_of(response))
    customer.refresh_from_db()
    assert customer.balance == 0
    assert not JournalEntry.objects.filter(business=shop).exists()


def test_udhaar_goes_on_the_khata(owner_client, shop):
    customer = make_customer(shop, "Mohammed Irfan")

    owner_client.post(
        operation_url(customer, "add-udhaar"), {"amount": "250.50", "note": "Rice", "apply": "1"}
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("250.50")
    entry = JournalEntry.objects.get(business=shop)
    assert (entry.source_type, entry.memo) == (JournalEntry.SourceType.CREDIT, "Rice")


def test_opening_balance_through_the_service(owner_client, shop):
    customer = make_customer(shop, "Sunita")

    owner_client.post(
        operation_url(customer, "set-opening-balance"), {"amount": "-40", "apply": "1"}
    )
    response = owner_client.post(
        operation_url(customer, "set-opening-balance"), {"amount": "100", "apply": "1"}
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("-40.00")  # an advance; the second one was refused
    assert any("already has an opening balance" in m for m in messages_of(response))


def test_change_page_shows_the_running_khata_escaped(owner_client, books_a):
    # given: a payment whose note carries markup
    payment_record(
        business=books_a.shop,
        customer_id=books_a.customer.pk,
        amount="20",
        note="<script>alert(1)</script>",
    )

    page = owner_client.get(change_url(books_a.customer)).content.decode()

    # then: each row with its running balance: 100 owed, 30 paid, 20 paid
    assert "Khata (running ledger)" in page
    assert books_a.invoice.number in page
    for amount in ("₹100.00", "₹70.00", "₹50.00"):
        assert amount in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_search_finds_a_customer_by_devanagari_name(staff_client, books_a, shop):
    # given: Ramesh Kumar and Suresh
    suresh = make_customer(shop, "Suresh")

    # when: the staff search in Devanagari
    page = staff_client.get(changelist_url(Customer), {"q": "रमेश"}).content.decode()

    # then: the fuzzy search of the voice console finds Ramesh, only him
    assert "1 result" in page and change_url(books_a.customer) in page
    assert change_url(suresh) not in page


def test_balance_filter(owner_client, books_a, shop):
    make_customer(shop, "Sunita")

    owes = owner_client.get(changelist_url(Customer), {"balance": "owes"}).content.decode()
    settled = owner_client.get(changelist_url(Customer), {"balance": "settled"}).content.decode()

    assert "Ramesh Kumar" in owes and "Sunita" not in owes
    assert "Sunita" in settled and "Ramesh Kumar" not in settled


def test_customers_cannot_be_deleted_from_the_admin(owner_client, books_a):
    response = owner_client.post(
        f"{changelist_url(Customer)}{books_a.customer.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Customer.objects.filter(pk=books_a.customer.pk).exists()
