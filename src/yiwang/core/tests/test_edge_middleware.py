"""The edge middlewares: control characters refused, the request-time budget (issue 10)."""

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/catalog/items?q=%00", "q"),
        ("/api/v1/catalog/items?q=a%01b", "q"),
        ("/api/v1/catalog/items/%00abc", "path"),
        ("/api/v1/cases?status=%00", "status"),
    ],
)
def test_control_characters_in_an_api_url_are_a_400_problem_naming_the_parameter(url: str, field: str) -> None:
    response = Client().get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert "控制字符" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"department_credit_code": "\\u0000:", "basic_code": "x"}', "department_credit_code"),
        ('{"materials": [{"name": "ok"}, {"name": "\\u001b"}]}', "materials.1.name"),
        ('{"elements": {"address": "\\udb1c"}}', "elements.address"),
        ('{"\\u0007key": 1}', "body"),
    ],
)
def test_control_characters_in_an_api_json_body_are_a_400_problem_naming_the_json_path(
    login_as: Callable[[str], Client], body: str, field: str
) -> None:
    """Refused before any view or query (PostgreSQL refuses NUL in text: a 500 otherwise)."""
    client = login_as("jn_catalog")
    response = client.post("/api/v1/catalog/implementation-versions", body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field
    assert "控制字符" in response.json()["detail"]


def test_nul_in_the_guide_search_is_a_chinese_400_page_for_anonymous_visitors() -> None:
    response = Client().get("/guide/?q=%E5%BC%80%00%E9%A5%AD%E5%BA%97")
    assert response.status_code == 400
    html = response.content.decode()
    assert "查询参数 q" in html and "控制字符" in html
    assert "返回首页" in html


def test_nul_in_a_page_path_is_refused() -> None:
    response = Client().get("/guide/ab%00c/")
    assert response.status_code == 400
    assert "网址路径" in response.content.decode()


def test_ordinary_text_with_line_breaks_passes(world: None) -> None:
    assert Client().get("/guide/?q=%E5%BC%80%E9%A5%AD%E5%BA%97%0A").status_code == 200


def test_form_bodies_are_not_refused_at_the_edge(login_as: Callable[[str], Client]) -> None:
    """A NUL in a form field is the form's to re-show with a message, not the edge's to refuse."""
    response = login_as("zhangsan").post("/accounts/logout/", {"note": "a\x00b"})
    assert response.status_code != 400


# ── request-time budget ───────────────────────────────────────────────────────────────
# A deliberately slow query: counting a recursive series takes tens of seconds on either
# backend; the budget must stop it within a fraction of a second.
SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT count(*) FROM c"


def _slow(*args: object, **kwargs: object) -> str:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint: the test's transaction survives
        cursor.execute(SLOW)
    return "never"


@pytest.fixture
def tiny_budget() -> object:
    from yiwang.core import middleware

    middleware._pg_budget_applied.clear()
    with override_settings(DATABASE_STATEMENT_TIMEOUT_MS=200):
        yield
    middleware._pg_budget_applied.clear()


def test_a_slow_api_query_is_stopped_with_a_503_problem(monkeypatch: pytest.MonkeyPatch, tiny_budget: None) -> None:
    from yiwang.ledger import selectors

    monkeypatch.setattr(selectors, "verifier_key", _slow)
    response = Client().get("/api/v1/ledger/key")
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM
    assert "处理时限" in response.json()["detail"]
    assert response["Retry-After"]


def test_a_slow_page_query_is_stopped_with_a_chinese_503_page(
    monkeypatch: pytest.MonkeyPatch, tiny_budget: None
) -> None:
    from yiwang.portal import views

    monkeypatch.setattr(views, "render", _slow)
    response = Client().get("/")
    assert response.status_code == 503
    assert "处理时限" in response.content.decode()


def test_the_budget_does_not_stop_ordinary_requests(world: None, tiny_budget: None) -> None:
    assert Client().get("/api/v1/catalog/items").status_code == 200


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_connections_of_web_requests_get_both_timeouts(tiny_budget: None) -> None:
    from django.test import RequestFactory

    from yiwang.core.middleware import RequestBudgetMiddleware

    def view(request: object) -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')"
            )
            return cursor.fetchone()

    with override_settings(DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS=10000):
        settings_seen = RequestBudgetMiddleware(view)(RequestFactory().get("/"))  # type: ignore[arg-type]
    assert settings_seen == ("200ms", "10s")
