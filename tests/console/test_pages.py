"""The console page and its side panel, through Django's test client (no browser)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from execora.models import Membership
from ledger.services import credit_add, payment_record
from tests.customers.factories import make_customer
from tests.factories import UserFactory
from tests.products.factories import make_product

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_member_gets_the_console_with_the_shop_and_a_back_office_link(client, shop, owner):
    client.force_login(owner)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert shop.name in html
    assert 'id="ptt"' in html and 'id="text-form"' in html
    assert 'aria-live="polite"' in html and 'id="transcript"' in html
    assert reverse("admin:index") in html
    assert "voice/console/console.js" in html


def test_login_without_a_shop_gets_a_note_not_the_console(client):
    client.force_login(UserFactory(username="loner"))
    html = client.get("/").content.decode()
    assert "not a member of any shop" in html
    assert 'id="ptt"' not in html


def test_side_panel_shows_the_days_money_dues_activity_and_low_stock(client, shop, owner):
    # given: udhaar to two customers, one payment, one product under its warning level
    ramesh = make_customer(shop, "Ramesh Kumar")
    suresh = make_customer(shop, "Suresh Patel")
    credit_add(business=shop, customer_id=ramesh.pk, amount="750", note="", user=owner)
    credit_add(business=shop, customer_id=suresh.pk, amount="1200", note="", user=owner)
    payment_record(business=shop, customer_id=ramesh.pk, amount="250", mode="upi", user=owner)
    make_product(shop, "Sugar", unit="kg", selling_price="45.00", opening_stock="3",
                 low_stock_level="5")  # fmt: skip
    make_product(shop, "Rice", unit="kg", selling_price="60.00", opening_stock="50",
                 low_stock_level="5")  # fmt: skip
    client.force_login(owner)

    # when
    html = client.get(reverse("console-dashboard")).content.decode()

    # then: collections and udhaar of today, Suresh first among dues, Sugar low, Rice not
    assert 'id="fig-received">₹250.00' in html
    assert 'id="fig-credit">₹1,950.00' in html
    assert html.index("Suresh Patel") < html.index("Ramesh Kumar")
    assert "₹1,200.00" in html and "₹500.00" in html
    low = html[html.index('id="low-stock-list"') :]
    assert "Sugar" in low and "Rice" not in low
    recent = html[html.index('id="recent-list"') : html.index('id="low-stock-list"')]
    assert recent.count("<li>") == 3
    assert reverse("admin:customers_customer_change", args=[suresh.pk]) in html
    # and the day's summary: new dues (udhaar) and money in by mode
    summary = html[html.index('id="day-summary"') :]
    assert 'id="fig-new-dues">₹1,950.00' in summary
    assert 'id="fig-gst">₹0.00' in summary
    assert 'data-mode="upi">₹250.00' in summary
    assert 'data-mode="cash"' not in summary  # nothing came in cash


def test_side_panel_shows_only_the_callers_shop(client, shop, other_shop, owner):
    stranger = make_customer(other_shop, "Stranger Singh")
    credit_add(business=other_shop, customer_id=stranger.pk, amount="999", note="")
    client.force_login(owner)
    html = client.get(reverse("console-dashboard")).content.decode()
    assert "Stranger Singh" not in html and "999" not in html


def test_invoice_lines_of_another_shop_are_a_404(client, shop, other_shop, owner):
    from invoices.services import InvoiceItemInput, invoice_create

    rice = make_product(other_shop, "Rice", unit="kg", selling_price="60.00", opening_stock="9",
                        gst_rate="0")  # fmt: skip
    invoice = invoice_create(
        business=other_shop,
        items=[InvoiceItemInput(product_id=rice.pk, quantity=Decimal("2"))],
        amount_paid=Decimal("120.00"),
    )
    client.force_login(owner)
    assert client.get(reverse("console-invoice", args=[invoice.pk])).status_code == 404


def test_invoice_lines_of_own_shop_show_each_line_and_the_total(client, shop, owner):
    from invoices.services import InvoiceItemInput, invoice_create

    rice = make_product(shop, "Basmati Rice", unit="kg", selling_price="60.00", opening_stock="9",
                        gst_rate="0")  # fmt: skip
    invoice = invoice_create(
        business=shop,
        items=[InvoiceItemInput(product_id=rice.pk, quantity=Decimal("2"))],
        amount_paid=Decimal("120.00"),
    )
    client.force_login(owner)
    html = client.get(reverse("console-invoice", args=[invoice.pk])).content.decode()
    assert "Basmati Rice" in html and "₹120.00" in html and invoice.number in html


def test_member_chooses_hindi_and_the_console_speaks_it(client, shop, owner):
    client.force_login(owner)
    response = client.post(reverse("console-language"), {"language": "hi"})
    assert response.status_code == 302
    assert Membership.objects.get(user=owner, business=shop).interface_language == "hi"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="hi">' in html
    assert "बोलने के लिए दबाए रखें" in html  # "Hold to talk"
    # and back to following the browser
    client.post(reverse("console-language"), {"language": ""})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hold to talk" in html


def test_an_unknown_language_is_refused_and_nothing_changes(client, shop, owner):
    client.force_login(owner)
    response = client.post(reverse("console-language"), {"language": "fr"})
    assert response.status_code == 400
    assert Membership.objects.get(user=owner, business=shop).interface_language == ""


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "₹0.00"),
        ("999", "₹999.00"),
        ("1950", "₹1,950.00"),  # SQLite hands sums back without their paise
        ("100000", "₹1,00,000.00"),
        ("1234567.5", "₹12,34,567.50"),
        ("-500.005", "-₹500.01"),  # half up, as everywhere in the books
    ],
)
def test_money_is_shown_with_paise_grouped_the_indian_way(amount, shown):
    from execora.templatetags.rupees import rupees

    assert rupees(Decimal(amount)) == shown
