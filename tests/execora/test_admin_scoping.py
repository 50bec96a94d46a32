"""A staff member of shop A never sees or changes shop B's rows in the admin."""

from __future__ import annotations

import pytest

from execora.models import Business, Membership
from tests.factories import BusinessFactory, UserFactory, member


@pytest.fixture
def shop_b(db):
    return BusinessFactory(name="Bansal Provision Store", phone="9811111111")


@pytest.fixture
def staff_client(client, shop, shop_b):
    member(shop_b, "owner", username="bansal")
    user = member(shop, "staff", username="anil")
    client.force_login(user)
    return client


def test_changelist_lists_only_the_users_shop(staff_client, shop, shop_b):
    page = staff_client.get("/admin/execora/business/").content.decode()
    assert shop.name in page and shop_b.name not in page

    memberships = staff_client.get("/admin/execora/membership/").content.decode()
    assert "anil" in memberships and "bansal" not in memberships


def test_search_never_reaches_another_shop(staff_client, shop_b):
    page = staff_client.get("/admin/execora/business/", {"q": "Bansal"}).content.decode()
    assert "0 shops" in page and shop_b.phone not in page


def test_change_view_of_another_shop_by_id_is_refused(staff_client, shop_b):
    response = staff_client.get(f"/admin/execora/business/{shop_b.pk}/change/")
    # Django's admin answers a missing object with a redirect and "doesn't exist".
    assert response.status_code == 302
    assert response.url == "/admin/"

    # when: a crafted POST tries to rename it anyway
    staff_client.post(f"/admin/execora/business/{shop_b.pk}/change/", {"name": "Hacked"})

    # then: nothing changed
    shop_b.refresh_from_db()
    assert shop_b.name == "Bansal Provision Store"


def test_owner_edits_their_own_shop(client, shop):
    owner = member(shop, "owner", username="rajesh")
    client.force_login(owner)
    form = {
        "name": "Sharma Kirana & Sons",
        "address": "",
        "phone": "",
        "gstin": "",
        "state_code": "27",
        "upi_id": "",
        "invoice_prefix": "SK",
        "timezone": "Asia/Kolkata",
        "language": "hi",
        "confirm_above_amount": "2000.00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(Membership.objects.get(user=owner).pk),
        "memberships-0-business": str(shop.pk),
    }
    response = client.post(f"/admin/execora/business/{shop.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    shop.refresh_from_db()
    assert (shop.name, shop.invoice_prefix) == ("Sharma Kirana & Sons", "SK")


def test_staff_cannot_add_shops_or_grant_access(staff_client):
    assert staff_client.get("/admin/execora/business/add/").status_code == 403
    assert staff_client.get("/admin/execora/membership/add/").status_code == 403


def test_superuser_sees_every_shop(client, shop, shop_b):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get("/admin/execora/business/").content.decode()
    assert shop.name in page and shop_b.name in page
    assert Business.objects.count() == 2
