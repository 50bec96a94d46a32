from decimal import Decimal

import pytest

from customers.models import Customer
from customers.search import parse_search_key
from customers.services import customer_create, customer_search_keys_refresh, customer_update
from execora.exceptions import ApplicationError, NotFound
from tests.customers.factories import make_customer


def test_create_strips_text_and_normalises_the_phone(shop, owner):
    # when a customer is added with untidy input
    customer = customer_create(
        business=shop,
        name="  Ramesh   Kumar ",
        phone="+91 98765-43210",
        aliases=[" Ramesh bhaiya ", "रमेश", "", "ramesh BHAIYA"],
        address="  12 Gandhi Road ",
        credit_limit="5000",
        preferred_language="hi",
        user=owner,
    )
    # then it is stored tidy
    customer.refresh_from_db()
    assert customer.name == "Ramesh Kumar"
    assert customer.phone == "9876543210"
    assert customer.aliases == ["Ramesh bhaiya", "रमेश"]
    assert customer.address == "12 Gandhi Road"
    assert customer.credit_limit == Decimal("5000.00")
    assert customer.balance == Decimal("0.00")
    assert customer.business == shop


def test_create_keeps_search_keys_of_name_and_aliases(shop):
    customer = make_customer(shop, "Mohammad Irfan", aliases=["मोहम्मद इरफ़ान", "Pappu"])
    assert parse_search_key(customer.search_key) == ["mohamad irfan", "mohamad irfan", "papu"]


def test_create_takes_the_state_code_from_the_gstin(shop):
    customer = make_customer(shop, "Gupta Traders", gstin=" 27aapfu0939f1zv ")
    assert customer.gstin == "27AAPFU0939F1ZV"
    assert customer.state_code == "27"


def test_duplicate_phone_in_the_same_shop_is_refused(shop):
    # given a customer with a phone
    first = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    # when another is added with the same number, written differently
    with pytest.raises(ApplicationError) as caught:
        make_customer(shop, "Suresh Patel", phone="098765 43210")
    # then it is refused, naming the customer who has it, and nothing is written
    assert caught.value.code == "duplicate_phone"
    assert caught.value.field == "phone"
    assert caught.value.extra == {"customer_id": first.pk}
    assert "Ramesh Kumar" in caught.value.message
    assert Customer.objects.filter(business=shop).count() == 1


def test_the_same_phone_in_another_shop_is_allowed(shop, other_shop):
    make_customer(shop, "Ramesh Kumar", phone="9876543210")
    other = make_customer(other_shop, "Ramesh Kumar", phone="9876543210")
    assert other.business == other_shop


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"phone": "12345"}, "phone", "invalid_phone"),
        ({"phone": "5876543210"}, "phone", "invalid_phone"),
        ({"phone": "call me"}, "phone", "invalid_phone"),
        ({"gstin": "27AAPFU0939F1ZA"}, "gstin", "invalid_gstin"),  # bad checksum
        ({"state_code": "45"}, "state_code", "invalid_state_code"),
        ({"credit_limit": "-1"}, "credit_limit", "invalid_credit_limit"),
        ({"credit_limit": "lots"}, "credit_limit", "invalid_credit_limit"),
        ({"credit_limit": 10.5}, "credit_limit", "invalid_credit_limit"),  # floats refused
        ({"preferred_language": "fr"}, "preferred_language", "invalid_preferred_language"),
        ({"aliases": [1, 2]}, "aliases", "invalid_aliases"),
        ({"name": "   "}, "name", "invalid_name"),
    ],
)
def test_invalid_input_is_refused_with_its_field_and_nothing_written(shop, fields, field, code):
    values = {"name": "Ramesh Kumar", **fields}
    with pytest.raises(ApplicationError) as caught:
        customer_create(business=shop, **values)
    assert caught.value.field == field
    assert caught.value.code == code
    assert caught.value.message
    assert caught.value.message_hi != caught.value.message
    assert not Customer.objects.filter(business=shop).exists()


def test_update_changes_fields_and_refreshes_search_keys(shop):
    # given a customer
    customer = make_customer(shop, "Ramesh Kumar", phone="9876543210")
    # when renamed and given an alias
    updated = customer_update(
        business=shop, customer_id=customer.pk, name="Ramesh Yadav", aliases=["Pappu"]
    )
    # then the row and its search keys follow
    updated.refresh_from_db()
    assert updated.name == "Ramesh Yadav"
    assert updated.aliases == ["Pappu"]
    assert updated.phone == "9876543210"
    assert parse_search_key(updated.search_key) == ["ramesh yadav", "papu"]


def test_update_does_not_overwrite_a_balance_posted_meanwhile(shop):
    # given a customer whose balance the ledger moved after we loaded them
    customer = make_customer(shop, "Ramesh Kumar")
    Customer.objects.filter(pk=customer.pk).update(balance=Decimal("250.00"))
    # when their address changes
    customer_update(business=shop, customer_id=customer.pk, address="Shop 4, Main Bazaar")
    # then the balance is untouched
    customer.refresh_from_db()
    assert customer.balance == Decimal("250.00")
    assert customer.address == "Shop 4, Main Bazaar"


def test_update_refuses_the_balance(shop):
    customer = make_customer(shop, "Ramesh Kumar")
    with pytest.raises(ApplicationError) as caught:
        customer_update(business=shop, customer_id=customer.pk, balance="0")
    assert caught.value.code == "balance_read_only"
    assert caught.value.field == "balance"


def test_update_refuses_fields_that_are_not_editable(shop, other_shop):
    customer = make_customer(shop, "Ramesh Kumar")
    with pytest.raises(ApplicationError) as caught:
        customer_update(business=shop, customer_id=customer.pk, business_id=other_shop.pk)
    assert caught.value.code == "read_only_field"
    customer.refresh_from_db()
    assert customer.business == shop


def test_update_validates_like_create_and_writes_nothing_on_error(shop):
    # given two customers
    make_customer(shop, "Ramesh Kumar", phone="9876543210")
    suresh = make_customer(shop, "Suresh Patel", phone="9123456780")
    # when one is given the other's phone, or a bad GSTIN
    with pytest.raises(ApplicationError) as duplicate:
        customer_update(business=shop, customer_id=suresh.pk, name="S", phone="9876543210")
    with pytest.raises(ApplicationError) as bad_gstin:
        customer_update(business=shop, customer_id=suresh.pk, gstin="27AAPFU0939F1ZA")
    # then both are refused and the row is as it was
    assert duplicate.value.code == "duplicate_phone"
    assert bad_gstin.value.field == "gstin"
    suresh.refresh_from_db()
    assert (suresh.name, suresh.phone, suresh.gstin) == ("Suresh Patel", "9123456780", "")


def test_update_of_another_shops_customer_is_not_found(shop, other_shop):
    theirs = make_customer(other_shop, "Ramesh Kumar")
    with pytest.raises(NotFound):
        customer_update(business=shop, customer_id=theirs.pk, name="Mine now")
    theirs.refresh_from_db()
    assert theirs.name == "Ramesh Kumar"


def test_refresh_rewrites_keys_written_around_the_services(shop):
    # given customers bulk-created without search keys
    Customer.objects.bulk_create(
        [Customer(business=shop, name="Ramesh Kumar"), Customer(business=shop, name="गीता")]
    )
    # when refreshed
    changed = customer_search_keys_refresh(business=shop)
    # then each has its keys, and a second run changes nothing
    assert changed == 2
    keys = sorted(parse_search_key(c.search_key)[0] for c in Customer.objects.filter(business=shop))
    assert keys == ["gita", "ramesh kumar"]
    assert customer_search_keys_refresh(business=shop) == 0
