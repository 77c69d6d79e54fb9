"""Every API error is problem+json with a Chinese detail (issue 10, "Errors" and "Huge integers")."""

from collections.abc import Callable

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert not body["detail"].isascii(), body["detail"]  # Chinese, not Django's or pydantic's English
    return body


def test_unknown_api_route_is_a_problem_not_an_html_page() -> None:
    body = _problem(Client().get("/api/v1/no-such-thing"), 404)
    assert "/api/v1/no-such-thing" in body["detail"]


def test_wrong_method_is_a_problem_and_keeps_the_allow_header() -> None:
    response = Client().delete("/api/v1/health")
    _problem(response, 405)
    assert "GET" in response["Allow"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_oversized_body_is_413_problem_naming_the_limit(login_as: Callable[[str], Client]) -> None:
    client = login_as("zhangsan")
    response = client.post(
        "/api/v1/cases/drafts", data=b'{"form_data": {"x": "' + b"a" * 4096 + b'"}}', content_type="application/json"
    )
    body = _problem(response, 413)
    assert "1 KB" in body["detail"]


def test_unhandled_exception_is_a_500_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from yiwang.ledger import selectors

    def broken() -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "verifier_key", broken)
    response = Client(raise_request_exception=False).get("/api/v1/ledger/key")
    body = _problem(response, 500)
    assert "boom" not in body["detail"]


def test_missing_field_message_is_chinese_and_names_the_field(login_as: Callable[[str], Client]) -> None:
    response = login_as("jn_window").post(
        "/api/v1/cases/X/refuse", {"reason": "材料不全"}, content_type="application/json"
    )
    body = _problem(response, 422)
    assert body["errors"] == [{"field": "legal_basis", "message": "legal_basis：必须填写"}]


def test_range_and_choice_messages_are_chinese(login_as: Callable[[str], Client]) -> None:
    client = login_as("jn_window")
    body = _problem(
        client.post(
            "/api/v1/cases/X/suspend",
            {"procedure": "party", "reason": "听证", "expected_days": 0},
            content_type="application/json",
        ),
        422,
    )
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["expected_days"] == "expected_days：不能小于 1"
    assert messages["procedure"].startswith("procedure：只能是以下之一：hearing、auction")


def test_anonymous_unsafe_call_is_401_not_403() -> None:
    client = Client(enforce_csrf_checks=True)  # as a browser or script would: no token
    body = _problem(client.post("/api/v1/cases/drafts", {}, content_type="application/json"), 401)
    assert body["detail"] == "请先登录或提供有效的接口凭证。"


def test_session_without_csrf_token_is_403_in_chinese(world: None) -> None:
    from yiwang.accounts.models import User

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="zhangsan"))
    body = _problem(client.post("/api/v1/cases/drafts", {}, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]
    assert "Failed" not in body["detail"]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/cases?offset=100000000000000000000000", "offset"),
        ("/api/v1/cases?limit=100000000000000000000000", "limit"),
        ("/api/v1/cases?offset=" + "9" * 5000, "offset"),
        ("/api/v1/cases/tasks?offset=9223372036854775808", "offset"),
        ("/api/v1/cases/tasks/99999999999999999999999/claim", "task_id"),
        ("/api/v1/catalog/items?department=100000000000000000000000", "department"),
        ("/api/v1/catalog/items?page=100000000000000000000000", "page"),
        ("/api/v1/catalog/implementation-versions/99999999999999999999", "version_id"),
        ("/api/v1/ledger/entries/99999999999999999999999", "entry_id"),
        ("/api/v1/ledger/entries/1/proof?tree_size=99999999999999999999999", "tree_size"),
        ("/api/v1/ledger/checkpoints/99999999999999999999999", "size"),
        ("/api/v1/ledger/consistency?old_size=1&new_size=99999999999999999999999", "new_size"),
    ],
)
def test_huge_integers_are_a_422_naming_the_parameter(login_as: Callable[[str], Client], url: str, field: str) -> None:
    client = login_as("jn_window")
    response = client.post(url, content_type="application/json") if url.endswith("/claim") else client.get(url)
    body = _problem(response, 422)
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"].startswith(f"{field}：")


def test_huge_integer_in_a_body_is_a_422(login_as: Callable[[str], Client]) -> None:
    response = login_as("zhangsan").post(
        "/api/v1/cases/drafts", {"implementation_version_id": 10**30}, content_type="application/json"
    )
    assert _problem(response, 422)["errors"][0]["field"] == "implementation_version_id"
