import datetime

import pytest

from execora.exceptions import NotFound
from invoices.selectors import invoice_get, invoice_last, invoice_list
from invoices.services import invoice_cancel, invoice_create
from tests.invoices.factories import SALE_DAY, CustomerFactory, free_item, walk_in_sale

pytestmark = pytest.mark.django_db


def test_invoice_get_returns_the_shops_invoice_and_hides_others(shop, other_shop):
    # given
    mine = walk_in_sale(shop)
    theirs = walk_in_sale(other_shop)
    # when
    got = invoice_get(business=shop, invoice_id=mine.pk)
    # then
    assert got == mine
    assert [item.description for item in got.items.all()] == ["Packing"]
    for wrong in (theirs.pk, "nope", None):
        with pytest.raises(NotFound):
            invoice_get(business=shop, invoice_id=wrong)


def test_invoice_list_filters_by_customer_status_and_dates(shop, other_shop):
    # given
    ramesh = CustomerFactory(business=shop, name="Ramesh")
    day_1, day_2, day_3 = (
        SALE_DAY,
        SALE_DAY + datetime.timedelta(days=1),
        SALE_DAY + datetime.timedelta(days=2),
    )
    a = walk_in_sale(shop, invoice_date=day_1)
    b = invoice_create(
        business=shop, customer_id=ramesh.pk, items=[free_item()], invoice_date=day_2
    )
    c = invoice_create(
        business=shop, customer_id=ramesh.pk, items=[free_item()], invoice_date=day_3
    )
    walk_in_sale(other_shop, invoice_date=day_2)
    invoice_cancel(business=shop, invoice_id=c.pk, on_date=day_3)
    # when / then
    assert list(invoice_list(business=shop)) == [c, b, a]
    assert list(invoice_list(business=shop, customer_id=ramesh.pk)) == [c, b]
    assert list(invoice_list(business=shop, status="issued")) == [b, a]
    assert list(invoice_list(business=shop, status="cancelled")) == [c]
    assert list(invoice_list(business=shop, status="nonsense")) == []
    assert list(invoice_list(business=shop, date_from=day_2)) == [c, b]
    assert list(invoice_list(business=shop, date_to=day_2)) == [b, a]
    assert list(invoice_list(business=shop, date_from=day_2, date_to=day_2)) == [b]


def test_invoice_last_is_the_latest_issued_for_the_shop_or_customer(shop, other_shop):
    # given: the later invoice is back-dated, the last one belongs to another shop
    ramesh = CustomerFactory(business=shop, name="Ramesh")
    assert invoice_last(business=shop) is None
    first = invoice_create(
        business=shop, customer_id=ramesh.pk, items=[free_item()], invoice_date=SALE_DAY
    )
    second = walk_in_sale(shop, invoice_date=SALE_DAY - datetime.timedelta(days=5))
    walk_in_sale(other_shop)
    # when / then
    assert invoice_last(business=shop) == second
    assert invoice_last(business=shop, customer_id=ramesh.pk) == first
    invoice_cancel(business=shop, invoice_id=second.pk, on_date=SALE_DAY)
    assert invoice_last(business=shop) == second
    assert invoice_last(business=shop, status="issued") == first
