"""The API root: health, problem+json errors and the locally served docs page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_the_database() -> None:
    response = Client().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_schema_errors_are_problem_json_naming_the_field() -> None:
    response = Client().get("/api/v1/ledger/consistency", {"old_size": "abc", "new_size": 3})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422
    assert body["errors"][0]["field"] == "old_size"


def test_not_found_is_problem_json_in_chinese() -> None:
    response = Client().get("/api/v1/ledger/entries/999999")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "不存在" in response.json()["detail"]


def test_docs_page_uses_vendored_swagger_ui() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert "/static/yiwang/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "一网通办开放接口"


def test_the_platform_ships_no_benchmark_endpoints() -> None:
    """The bench's baseline table and endpoints (bench/benchapp) exist only under its own
    settings, `benchapp.settings`: the platform has neither the app nor the routes."""
    from django.apps import apps

    assert not apps.is_installed("benchapp")
    response = Client().post("/api/v1/bench/two-rows", '{"value": 1}', content_type="application/json")
    assert response.status_code == 404
    assert "/bench/" not in str(Client().get("/api/v1/openapi.json").json()["paths"])
