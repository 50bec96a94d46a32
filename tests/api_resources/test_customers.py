"""/api/v1/customers/: list, fuzzy search, ordering, create, PATCH; no delete."""

from __future__ import annotations

from decimal import Decimal

import pytest

from customers.models import Customer
from ledger.services import credit_add
from tests.api_resources.helpers import rows
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def test_list_shows_the_shops_customers_by_name(owner_api, shop, other_shop):
    # given customers in two shops
    make_customer(shop, "Suresh")
    make_customer(shop, "Anita")
    make_customer(other_shop, "Bharat")

    response = owner_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [row["name"] for row in body["results"]] == ["Anita", "Suresh"]


def test_search_ranks_the_best_match_first(owner_api, shop, other_shop):
    # given a Ramesh, a Ramu and someone else, and a Ramesh of another shop
    make_customer(shop, "Ramu Yadav")
    ramesh = make_customer(shop, "Ramesh Kumar", aliases=["रमेश"])
    make_customer(shop, "Anita")
    make_customer(other_shop, "Ramesh Gupta")

    # when searching by a misspelling, and in Devanagari
    typo = owner_api.get(URL, {"search": "Ramesh Kumaar"}).json()["results"]
    hindi = owner_api.get(URL, {"search": "रमेश"}).json()["results"]

    # then Ramesh of this shop comes first, and never the other shop's
    assert typo[0]["id"] == ramesh.pk
    assert hindi[0]["id"] == ramesh.pk
    assert all(row["name"] != "Ramesh Gupta" for row in typo + hindi)
    assert "Anita" not in {row["name"] for row in typo}


def test_search_by_the_last_digits_of_a_phone(owner_api, shop):
    target = make_customer(shop, "Ramesh", phone="9876543210")
    make_customer(shop, "Suresh", phone="9123456789")

    results = owner_api.get(URL, {"search": "3210"}).json()["results"]

    assert [row["id"] for row in results] == [target.pk]


def test_a_search_with_no_match_is_an_empty_page(owner_api, shop):
    make_customer(shop, "Ramesh")

    response = owner_api.get(URL, {"search": "Zzyzx Qwerty"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_ordering_by_balance_puts_who_owes_most_first(owner_api, shop):
    small, big = make_customer(shop, "Anita"), make_customer(shop, "Bharat")
    credit_add(business=shop, customer_id=small.pk, amount="100")
    credit_add(business=shop, customer_id=big.pk, amount="900")
    make_customer(shop, "Chetan")

    results = owner_api.get(URL, {"ordering": "-balance"}).json()["results"]

    assert [(row["name"], row["balance"]) for row in results] == [
        ("Bharat", "900.00"),
        ("Anita", "100.00"),
        ("Chetan", "0.00"),
    ]


def test_create_normalises_and_stores_a_customer(owner_api, shop):
    response = owner_api.post(
        URL,
        {
            "name": "  Ramesh   Kumar ",
            "phone": "+91 98765-43210",
            "aliases": ["Ramesh bhaiya"],
            "gstin": "27aapfu0939f1zv",
            "credit_limit": "5000.00",
            "preferred_language": "hi",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.business == shop
    assert (customer.name, customer.phone, customer.gstin, customer.state_code) == (
        "Ramesh Kumar",
        "9876543210",
        "27AAPFU0939F1ZV",
        "27",
    )
    assert customer.credit_limit == Decimal("5000.00")
    assert body["balance"] == "0.00"
    assert body["credit_limit"] == "5000.00"
    assert body["aliases"] == ["Ramesh bhaiya"]


def test_create_refuses_a_phone_another_customer_has(owner_api, shop):
    make_customer(shop, "Ramesh", phone="9876543210")
    before = rows()

    response = owner_api.post(URL, {"name": "Suresh", "phone": "98765 43210"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_phone"
    assert "phone" in response.json()["errors"]
    assert rows() == before


def test_create_refuses_a_balance(owner_api, shop):
    response = owner_api.post(URL, {"name": "Suresh", "balance": "500.00"}, format="json")

    assert response.status_code == 400
    assert "opening-balance" in response.json()["errors"]["balance"][0]
    assert not Customer.objects.exists()


def test_patch_changes_only_the_fields_sent(owner_api, shop):
    customer = make_customer(shop, "Ramesh", phone="9876543210", address="Gandhi Chowk")

    response = owner_api.patch(
        f"{URL}{customer.pk}/", {"credit_limit": "2000", "name": "Ramesh K"}, format="json"
    )

    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.address) == (
        "Ramesh K",
        "9876543210",
        "Gandhi Chowk",
    )
    assert customer.credit_limit == Decimal("2000.00")
    assert response.json()["credit_limit"] == "2000.00"


def test_patch_can_clear_the_credit_limit(owner_api, shop):
    customer = make_customer(shop, "Ramesh", credit_limit="100")

    response = owner_api.patch(f"{URL}{customer.pk}/", {"credit_limit": None}, format="json")

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.credit_limit is None


def test_patch_refuses_the_balance_and_leaves_it(owner_api, shop):
    customer = make_customer(shop, "Ramesh")
    credit_add(business=shop, customer_id=customer.pk, amount="250")

    response = owner_api.patch(f"{URL}{customer.pk}/", {"balance": "0.00"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["balance"]
    customer.refresh_from_db()
    assert customer.balance == Decimal("250.00")


def test_a_customer_is_never_deleted(owner_api, shop):
    customer = make_customer(shop, "Ramesh")

    response = owner_api.delete(f"{URL}{customer.pk}/")

    assert response.status_code == 405
    assert response.json()["detail"] == 'Method "DELETE" not allowed.'
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_retrieve_shows_the_balance_as_a_string(owner_api, shop):
    customer = make_customer(shop, "Ramesh")
    credit_add(business=shop, customer_id=customer.pk, amount="1250.5")

    body = owner_api.get(f"{URL}{customer.pk}/").json()

    assert body["balance"] == "1250.50"
    assert body["name"] == "Ramesh"


@pytest.mark.parametrize("pk", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_impossible_ids_are_404(owner_api, shop, pk):
    response = owner_api.get(f"{URL}{pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
