"""Every error has one body: {"detail", "code", "errors"}."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = [pytest.mark.urls("tests.api.urls"), pytest.mark.usefixtures("generous_rates")]


def raised(api, kind: str):
    return api.get(f"/api/v1/test/raise/{kind}/")


def test_application_error_maps_status_code_message_and_field(owner_api):
    response = raised(owner_api, "application")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Ramesh has no khata here.",
        "detail_hi": "रमेश का खाता नहीं है।",
        "code": "no_khata",
        "errors": {"customer": ["Ramesh has no khata here."]},
    }


def test_application_error_without_a_field_has_empty_errors(owner_api):
    response = raised(owner_api, "application_no_field")

    assert response.status_code == 400
    assert response.json()["errors"] == {}
    assert response.json()["code"] == "closed"


def test_domain_not_found_is_404_with_its_message(owner_api):
    response = raised(owner_api, "domain_not_found")

    assert response.status_code == 404
    assert response.json()["detail"] == "No such customer in your shop."
    assert response.json()["code"] == "customer_not_found"


def test_drf_validation_error_is_invalid_input_with_a_flat_field_map(owner_api):
    response = raised(owner_api, "drf_validation")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input.",
        "code": "invalid",
        "errors": {"amount": ["A valid number is required."], "items.1.quantity": ["Bad."]},
    }


def test_a_validation_error_without_fields_is_its_own_message(owner_api):
    response = raised(owner_api, "drf_validation_plain")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Pick a customer or say walk-in.",
        "code": "invalid",
        "errors": {},
    }


def test_django_validation_error_is_400_with_fields(owner_api):
    response = raised(owner_api, "django_validation")

    assert response.status_code == 400
    assert response.json()["errors"] == {"gstin": ["Enter a valid GSTIN."]}


@pytest.mark.parametrize("kind", ["http404", "drf_not_found"])
def test_not_found_is_404_without_naming_the_model(owner_api, kind):
    response = raised(owner_api, kind)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "errors": {}}


def test_permission_denied_is_403_with_its_message(owner_api):
    response = raised(owner_api, "permission")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Staff cannot do this.",
        "code": "permission_denied",
        "errors": {},
    }


def test_throttled_is_429_with_retry_after(owner_api):
    response = raised(owner_api, "throttled")

    assert response.status_code == 429
    assert response["Retry-After"] == "7"
    assert response.json()["code"] == "throttled"


def test_malformed_json_is_400(owner_api):
    response = owner_api.post(
        "/api/v1/test/rows/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_wrong_method_is_405_in_the_same_shape(owner_api):
    response = owner_api.delete("/api/v1/me/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.json()["errors"] == {}


def test_a_real_bug_is_still_a_500(owner):
    # given a client that reports server errors instead of raising them
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(owner)

    assert raised(api, "bug").status_code == 500
