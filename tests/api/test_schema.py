"""The OpenAPI document, its validation, and Swagger UI without a CDN."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

SCHEMA = "/api/v1/schema/"


def test_schema_endpoint_serves_openapi_to_anyone(api, db):
    response = api.get(SCHEMA, {"format": "json"})

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/"} <= set(document["paths"])
    assert document["components"]["schemas"]["Error"]["required"] == ["code", "detail", "errors"]


def test_schema_validates_with_no_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert "/api/v1/auth/token/" in (tmp_path / "schema.yml").read_text()


def test_every_operation_documents_its_error_responses(api, db):
    document = api.get(SCHEMA, {"format": "json"}).json()

    me = document["paths"]["/api/v1/me/"]["get"]["responses"]
    token = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"200", "401", "403", "429"} <= set(me)
    assert me["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "Retry-After" in me["429"]["headers"]
    assert {"200", "400", "429"} <= set(token)
    assert "401" not in token  # anyone may ask for a token


@pytest.mark.urls("tests.api.urls")
def test_idempotent_operations_document_the_key_409_and_422():
    # given the test URLconf, whose rows view is @idempotent
    generator = SchemaGenerator()
    document = generator.get_schema(request=None, public=True)
    validate_schema(document)

    operation = document["paths"]["/api/v1/test/rows/"]["post"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= operation["parameters"][0].items()
    assert {"201", "400", "401", "403", "409", "422", "429"} <= set(operation["responses"])
    cancel = document["paths"]["/api/v1/test/memberships/{id}/cancel/"]["post"]["responses"]
    assert {"403", "404"} <= set(cancel)


def test_swagger_ui_is_served_from_local_assets(api, db):
    response = api.get("/api/v1/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "unpkg" not in page


def test_swagger_ui_assets_are_served(api, db):
    response = api.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    assert response.status_code == 200
