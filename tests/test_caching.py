"""Cache-Control: responses with personal data are `no-store, private`; public pages keep
their caching (yiwang.core.caching)."""

from typing import Any

import pytest
from django.test import Client

from yiwang.portal.tests.test_apply import _pages, submitted_food_case  # noqa: F401 - _pages is an autouse fixture

pytestmark = pytest.mark.django_db


def no_store(response: Any) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_personal_pages_and_responses_are_not_stored(login_as: Any) -> None:
    applicant = login_as("zhangsan")
    case = submitted_food_case(applicant)
    material = case.materials.get(material_key="layout")
    for path in (
        "/me/",
        "/me/cases/",
        f"/me/cases/{case.number}/",
        f"/me/cases/{case.number}/receipt/",
        "/me/drafts/",
        "/accounts/home/",
        f"/me/materials/{material.pk}/",
        "/api/v1/cases",
        "/",  # a public page, but answered to a logged-in person (their name is on it)
    ):
        response = applicant.get(path, follow=path == "/accounts/home/")
        assert response.status_code == 200, path
        assert no_store(response), (path, response.get("Cache-Control"))
    clerk = login_as("jn_window")
    for path in ("/workbench/", "/workbench/cases/", f"/workbench/cases/{case.number}/"):
        response = clerk.get(path)
        assert response.status_code == 200, path
        assert no_store(response), (path, response.get("Cache-Control"))


def test_an_authenticated_api_call_is_not_stored_even_when_refused(login_as: Any) -> None:
    response = login_as("zhangsan").get("/api/v1/cases/000000-20260101-999999")
    assert response.status_code == 404 and no_store(response)
    assert no_store(Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer anything"))


def test_the_login_response_is_not_stored(world: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from yiwang.demo.world import DEMO_PASSWORD

    response = Client().post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and no_store(response)


def test_public_pages_keep_their_caching(world: None) -> None:
    visitor = Client()
    for path in ("/", "/guide/", "/disclosure/", "/api/v1/catalog/items"):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path
