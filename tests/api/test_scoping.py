"""Shop scoping and roles, through a test viewset built on ShopScopedModelViewSet."""

from __future__ import annotations

import pytest

from execora.models import Membership
from tests.api.conftest import token_client
from tests.factories import UserFactory, member

pytestmark = [pytest.mark.urls("tests.api.urls"), pytest.mark.usefixtures("generous_rates")]

URL = "/api/v1/test/memberships/"


def test_list_shows_only_the_callers_shop(owner_api, owner, staff, other_shop):
    # given a member of another shop
    member(other_shop, "owner", username="gupta")

    response = owner_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {row["user"] for row in body["results"]} == {owner.pk, staff.pk}


def test_another_shops_object_is_404(owner_api, other_shop):
    theirs = Membership.objects.get(user=member(other_shop, "owner", username="gupta"))

    assert owner_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert owner_api.patch(f"{URL}{theirs.pk}/", {"role": "staff"}).status_code == 404
    assert owner_api.post(f"{URL}{theirs.pk}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "owner"


def test_create_takes_the_shop_from_the_caller_not_the_body(owner_api, shop, other_shop):
    newcomer = UserFactory(username="newcomer")

    response = owner_api.post(
        URL, {"user": newcomer.pk, "role": "staff", "business": other_shop.pk}
    )

    assert response.status_code == 201
    assert response.json()["business"] == shop.pk
    assert Membership.objects.get(user=newcomer).business == shop


def test_staff_may_not_run_owner_only_actions(staff_api, owner):
    mine = Membership.objects.get(user=owner)

    response = staff_api.post(f"{URL}{mine.pk}/cancel/")

    assert response.status_code == 403
    assert response.json()["code"] == "owner_only"
    assert response.json()["detail"] == "Only the shop owner can do this."


def test_the_owner_may_run_owner_only_actions(owner_api, staff):
    theirs = Membership.objects.get(user=staff)

    response = owner_api.post(f"{URL}{theirs.pk}/cancel/")

    assert response.status_code == 200
    assert response.json() == {"cancelled": theirs.pk}


def test_the_owner_only_decorator_refuses_staff(staff_api, owner_api, staff):
    theirs = Membership.objects.get(user=staff)

    assert staff_api.post(f"{URL}{theirs.pk}/promote/").status_code == 403
    assert owner_api.post(f"{URL}{theirs.pk}/promote/").json() == {"promoted": theirs.pk}


def test_staff_may_run_the_other_actions(staff_api, staff):
    assert staff_api.get(URL).status_code == 200


@pytest.mark.django_db
def test_a_user_without_a_shop_is_refused_on_every_action():
    api = token_client(UserFactory(username="lonely"))

    response = api.get(URL)

    assert response.status_code == 403
    assert response.json()["detail"] == "You are not a member of any shop."


def test_unauthenticated_is_401_on_scoped_viewsets(api, db):
    assert api.get(URL).status_code == 401
    assert api.post(f"{URL}1/cancel/").status_code == 401


def test_page_size_is_capped(owner_api, shop, monkeypatch):
    from execora.api.pagination import PageNumberPagination

    monkeypatch.setattr(PageNumberPagination, "max_page_size", 3)
    for i in range(3):
        member(shop, "staff", username=f"s{i}")

    first = owner_api.get(URL, {"page_size": 2})
    capped = owner_api.get(URL, {"page_size": 10_000})
    past_the_end = owner_api.get(URL, {"page": 99})

    assert len(first.json()["results"]) == 2
    assert first.json()["next"] is not None
    assert len(capped.json()["results"]) == 3
    assert past_the_end.status_code == 404
    assert past_the_end.json()["code"] == "not_found"


def test_ordering_parameter_orders(owner_api, owner, staff):
    response = owner_api.get(URL, {"ordering": "-id"})

    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted(ids, reverse=True)


def test_a_nul_character_in_the_query_is_400(owner_api):
    response = owner_api.get(URL, {"ordering": "id\x00"})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "query": ["Query parameters may not contain NUL characters."]
    }


def test_a_related_id_from_another_shop_does_not_exist(shop, other_shop, owner):
    # given a serializer field scoped to the caller's shop
    from rest_framework import serializers

    from execora.api.serializers import ShopScopedPrimaryKeyRelatedField

    class PickMember(serializers.Serializer):
        membership = ShopScopedPrimaryKeyRelatedField(queryset=Membership.objects.all())

    theirs = Membership.objects.get(user=member(other_shop, "owner", username="gupta"))
    mine = Membership.objects.get(user=owner)

    foreign = PickMember(data={"membership": theirs.pk}, context={"business": shop})
    own = PickMember(data={"membership": mine.pk}, context={"business": shop})

    assert not foreign.is_valid()
    assert "does not exist" in str(foreign.errors["membership"][0])
    assert own.is_valid()
    assert own.validated_data["membership"] == mine
