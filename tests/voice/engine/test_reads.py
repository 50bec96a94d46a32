"""The day's figures, who owes, help, and adding customers by command."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from tests.customers.factories import make_customer
from tests.voice.engine.conftest import books

pytestmark = pytest.mark.django_db


def test_the_days_sales_are_summed(say, shop, ramesh, suresh, sugar):
    # given today: a bill of 90 for Ramesh, a cash bill of 45, a payment of 200, udhaar of 300
    # (Ramesh's 750 opening udhaar is today's too)
    say("Ramesh ka bill banao 2 kilo cheeni")
    say("1 kilo cheeni ka bill banao")
    say("Suresh ne 200 diye")
    say("Suresh ko 300 udhaar")
    before = books(shop)
    # when asked
    result = say("aaj ki bikri kitni hui")
    # then the figures are the books' own, and nothing is written
    assert result.status == "answered"
    assert result.data["bills"] == 2
    assert result.data["sales"] == "135.00"
    assert result.data["received"] == "200.00"
    assert result.data["credit"] == "1050.00"
    # with the whole day in the data: money in by mode (the counter's 45 and Suresh's 200
    # in cash), new dues (Ramesh's 90 bill on khata, 300 + 750 udhaar), GST (cheeni is 0%)
    assert result.data["collections"]["cash"] == "245.00"
    assert result.data["new_dues"] == "1140.00"
    assert result.data["gst"]["total"] == "0.00"
    assert result.reply == (
        "Aaj 2 bill bane, bikri 135 rupaye. 200 rupaye jama hue, 1,050 rupaye udhaar gaya."
    )
    assert books(shop) == before


def test_a_cancelled_bill_is_not_a_sale(say, shop, ramesh, sugar):
    say("Ramesh ka bill banao 2 kilo cheeni")
    asked = say("last bill cancel karo")
    say("haan", conversation=asked.conversation_id)
    result = say("today's sales")
    assert result.data["bills"] == 0
    assert result.reply.startswith("Today: 0 bills, sales 0 rupees.")


def test_who_owes_what(say, shop, ramesh, suresh):
    make_customer(shop, "Geeta Devi")
    say("Suresh ko 1500 udhaar")
    say("Geeta ko 20000 udhaar")  # waits for a yes that never comes
    say("haan")  # a new conversation: no question open, nothing happens
    result = say("kis kis ka paisa baaki hai")
    assert result.data["count"] == 2
    assert result.data["total"] == "2250.00"
    assert result.reply == (
        "2 logon ka kul 2,250 rupaye baaki hai. Sabse zyada: Suresh Patel 1,500, Ramesh Kumar 750."
    )


def test_nobody_owing_is_said(say, shop, suresh):
    assert say("who owes money").reply == "Nobody owes anything."


def test_help_says_what_the_engine_can_do(say, shop):
    result = say("tum kya kya kar sakte ho")
    assert result.status == "answered"
    assert result.reply.startswith("Main udhaar aur jama likh sakta hoon")
    assert say("what can you do").reply.startswith("I can write udhaar and payments")


def test_a_new_customer_is_added_with_their_phone(say, shop):
    result = say("naya customer Mohan Lal number 98765 43210")
    customer = Customer.objects.get(business=shop)
    assert (customer.name, customer.phone) == ("Mohan Lal", "9876543210")
    assert result.reply == "Naya customer Mohan Lal jod diya."


def test_a_new_customer_like_an_existing_one_is_asked_about(say, shop, ramesh):
    asked = say("naya customer Ramesh")
    assert asked.status == "confirm"
    assert asked.reply == (
        "Ramesh Kumar pehle se customer hain. Phir bhi naya customer Ramesh jod doon?"
    )
    assert Customer.objects.filter(business=shop).count() == 1
    say("haan", conversation=asked.conversation_id)
    assert Customer.objects.filter(business=shop, name="Ramesh").exists()


def test_a_phone_another_customer_has_is_refused(say, shop, ramesh):
    before = books(shop)
    result = say("new customer Geeta 9876543210")
    assert result.status == "refused"
    assert result.data["code"] == "duplicate_phone"
    assert result.reply == "Ramesh Kumar already has this phone number."
    assert books(shop) == before
    assert Customer.objects.get(pk=ramesh.pk).balance == Decimal("750.00")
