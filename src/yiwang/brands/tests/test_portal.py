"""The portal under a city brand: chosen by host name or by /city/<code>/, else the platform's."""

import pytest
from django.test import Client
from django.urls import reverse

from yiwang.brands.selection import CITY_COOKIE
from yiwang.brands.tests.conftest import JINAN, JINAN_VALUES, png


def _html(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def both(publish):  # type: ignore[no-untyped-def]
    return publish(logo=png()), publish(JINAN, JINAN_VALUES)


def test_the_host_name_chooses_the_brand_and_the_portal_region(both) -> None:
    response = Client(HTTP_HOST="taian.localhost").get("/")
    html = _html(response)
    assert "<title>首页 - 泰好办</title>" in html
    assert '<span class="brand__name">泰好办</span>' in html
    assert "泰山脚下 事事好办" in html and "0538-12345" in html
    assert "欢迎来到“泰好办”" in html
    assert '<h1 id="hero-title" class="hero__title">泰安市政务服务</h1>' in html  # the brand's region by default
    assert response.wsgi_request.portal_region.code == "370900000000"
    assert 'href="/brand/370900.css?v=1-' in html and 'src="/brand/370900/logo.png?v=1-' in html
    assert "返回山东省一网通办政务服务平台" not in html  # the host's own portal: nothing to go back to
    jinan = _html(Client(HTTP_HOST="jinan.localhost:8000").get("/guide/"))
    assert "在泉城全办成" in jinan and "yiwang/img/logo.svg" in jinan  # no logo uploaded: the platform's


def test_the_platform_host_shows_the_platform_brand(both) -> None:
    response = Client().get("/")
    html = _html(response)
    assert "<title>首页 - 山东省一网通办政务服务平台</title>" in html
    assert "/brand/" not in html and "泰好办" not in html
    assert response.wsgi_request.portal_region is None


def test_an_unknown_host_is_refused_by_allowed_hosts_and_a_localhost_without_a_brand_is_the_platform(both) -> None:
    assert Client(HTTP_HOST="evil.example.com").get("/").status_code == 400
    html = _html(Client(HTTP_HOST="zibo.localhost").get("/"))
    assert "山东省一网通办政务服务平台" in html and "/brand/" not in html


def test_city_path_sets_a_host_only_cookie_and_brands_every_page_until_cleared(both) -> None:
    client = Client()
    response = client.get("/city/370900/")
    assert response.status_code == 302 and response["Location"] == "/"
    cookie = response.cookies[CITY_COOKIE]
    assert cookie.value == "370900" and not cookie["domain"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    guide = client.get("/guide/")
    assert "泰好办" in _html(guide) and guide.wsgi_request.portal_region.code == "370900000000"
    assert "返回山东省一网通办政务服务平台" in _html(client.get("/"))
    client.get(reverse("portal:city_default"))
    assert "泰好办" not in _html(client.get("/"))
    assert client.get("/city/370200/").status_code == 404  # 青岛 has no published brand


def test_the_host_wins_over_a_chosen_city(both) -> None:
    client = Client(HTTP_HOST="jinan.localhost")
    client.cookies[CITY_COOKIE] = "370900"
    assert "在泉城全办成" in _html(client.get("/"))


def test_the_stylesheet_is_served_from_our_origin_with_etag_and_cache(both) -> None:
    response = Client().get("/brand/370900.css")
    assert response.status_code == 200 and response["Content-Type"] == "text/css; charset=utf-8"
    css = response.content.decode()
    assert ".site-header { background-color: #2e6b34;" in css and "--blue-700: #2e6b34" in css
    assert response["Cache-Control"] == "public, max-age=86400"
    again = Client().get("/brand/370900.css", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert Client().get("/brand/370200.css").status_code == 404


def test_the_logo_is_a_png_from_our_origin_under_its_own_csp(both) -> None:
    response = Client().get("/brand/370900/logo.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert Client().get("/brand/370100/logo.png").status_code == 404  # 济南's brand has no logo


def test_the_workbench_stays_the_platforms_on_a_city_host(both, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("jn_window")
    html = _html(client.get("/workbench/", HTTP_HOST="taian.localhost"))
    assert "山东省一网通办政务服务平台" in html and "泰好办" not in html


def test_pages_carry_no_inline_style(both) -> None:
    html = _html(Client(HTTP_HOST="taian.localhost").get("/"))
    assert "style=" not in html and "<style" not in html
