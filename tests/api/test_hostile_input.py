"""Input a client can send never makes a 500."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.urls("tests.api.urls"), pytest.mark.usefixtures("generous_rates")]

URL = "/api/v1/test/memberships/"


@pytest.mark.parametrize("pk", ["99999999999999999999999", "-1", "abc", "1e5"])
def test_impossible_ids_are_404(owner_api, pk):
    response = owner_api.get(f"{URL}{pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_impossible_related_id_is_400(owner_api):
    response = owner_api.post(URL, {"user": 99999999999999999999999, "role": "staff"})

    assert response.status_code == 400
    assert "user" in response.json()["errors"]


def test_a_megabyte_string_is_400_not_500(owner_api):
    response = owner_api.post("/api/v1/test/rows/", {"name": "x" * 1_000_000})

    assert response.status_code == 400
    assert response.json()["errors"]["name"] == [
        "Ensure this field has no more than 100 characters."
    ]
