"""The portal's and the workbench's own Chinese error pages (issue 10, "Errors")."""

import re
from collections.abc import Callable

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _page(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-CN"' in html
    assert 'name="viewport"' in html  # works on a phone
    assert "http://" not in html and "https://" not in html  # loads nothing from outside
    assert "<script>" not in html and " on" + "click=" not in html  # the CSP allows no inline script
    return html


def test_unknown_page_is_the_chinese_404_with_a_way_back() -> None:
    html = _page(Client().get("/no-such-page/"), 404)
    assert "您访问的页面不存在" in html
    assert "返回上一页" in html and "返回首页" in html


def test_workbench_404_offers_the_way_back_to_the_workbench(login_as: Callable[[str], Client]) -> None:
    html = _page(login_as("jn_window").get("/workbench/no-such-page/"), 404)
    assert "返回工作台" in html


def test_csrf_failure_is_a_chinese_page_not_djangos_english_one(world: None) -> None:
    client = Client(enforce_csrf_checks=True)
    html = _page(client.post("/accounts/login/", {"username": "zhangsan", "password": "x"}), 403)
    assert "安全校验未通过" in html
    assert "CSRF verification failed" not in html
    assert "data-history-back" in html


def test_bad_request_is_a_chinese_400_page() -> None:
    # A Host header Django refuses raises SuspiciousOperation -> handler400.
    html = _page(Client().get("/", HTTP_HOST="bad host"), 400)
    assert "请求有误" in html
    assert "Bad Request" not in html


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_oversized_form_gets_a_413_page_that_names_the_limit_and_goes_back(
    login_as: Callable[[str], Client],
) -> None:
    from yiwang.catalog.models import ImplementationVersion, VersionStatus

    version = ImplementationVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    assert version is not None
    client = login_as("zhangsan")
    html = _page(client.post(f"/apply/{version.pk}/", {"action": "save", "note": "字" * 4000}), 413)
    assert "2 KB" in html
    assert "返回修改" in html
    assert "data-history-back" in html  # history.back() keeps what was typed
    assert "yiwang/js/keep-form.js" in html


def test_server_error_page_is_chinese_and_needs_no_database(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Callable[..., object]
) -> None:
    from django.test import RequestFactory

    from yiwang.config.errors import server_error

    request = RequestFactory().get("/guide/")
    with django_assert_num_queries(0):  # type: ignore[operator]
        response = server_error(request)
    html = _page(response, 500)
    assert "系统繁忙" in html


def test_an_exception_in_a_page_gives_the_500_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from yiwang.portal import views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "render", broken)
    html = _page(Client(raise_request_exception=False).get("/"), 500)
    assert "系统繁忙" in html and "boom" not in html


def test_apply_form_keeps_what_was_typed(login_as: Callable[[str], Client]) -> None:
    """The apply form is marked for keep-form.js (the browser journeys run the script)."""
    from yiwang.catalog.models import ImplementationVersion, VersionStatus

    version = ImplementationVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    assert version is not None
    response = login_as("zhangsan").get(f"/apply/{version.pk}/")
    html = response.content.decode()
    assert f'data-keep-form="apply-{version.pk}"' in html
    assert "yiwang/js/keep-form.js" in html


@pytest.mark.parametrize(
    "path",
    [
        "/ledger/entries/99999999999999999999999999/",
        "/me/materials/99999999999999999999999999/",
        "/apply/99999999999999999999999999/",
        "/workbench/tasks/99999999999999999999999999/claim/",
        "/workbench/catalog/item-versions/99999999999999999999999999/",
    ],
)
def test_a_huge_id_in_a_page_address_is_no_page(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() or "不存在" in response.content.decode()
