"""What a visitor, an applicant and a staff member see: logins, homes, security headers."""

import re

import pytest
from django.test import Client

from yiwang.demo.world import APPLICANTS, DEMO_PASSWORD, STAFF

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str = DEMO_PASSWORD, **extra: str) -> object:
    client.get("/accounts/login/")
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("persona", [p.username for p in STAFF])
def test_each_staff_persona_lands_on_the_workbench(world: None, persona: str) -> None:
    client = Client()
    response = _login(client, persona)
    assert response.status_code == 302
    page = client.get(client.get(response["Location"])["Location"])
    assert page.status_code == 200
    assert "收件箱" in page.content.decode()


@pytest.mark.parametrize("persona", [a.username for a in APPLICANTS])
def test_each_applicant_persona_lands_on_their_space(world: None, persona: str) -> None:
    client = Client()
    response = _login(client, persona)
    page = client.get(client.get(response["Location"])["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "我的空间" in html
    person = next(a for a in APPLICANTS if a.username == persona)
    assert person.id_number not in html  # shown masked only
    assert person.id_number[-4:] in html


def test_agent_sees_the_enterprise_they_act_for(login_as) -> None:  # type: ignore[no-untyped-def]
    html = login_as("lisi").get("/me/").content.decode()
    assert "济南泉城餐饮管理有限公司" in html


def test_wrong_password_is_refused_and_then_throttled(world: None) -> None:
    client = Client()
    for _ in range(4):
        response = _login(client, "zhangsan", "wrong-password")
        assert response.status_code == 401
        assert "用户名或密码不正确" in response.content.decode()
    response = _login(client, "zhangsan", "wrong-password")  # the fifth failure locks
    assert response.status_code == 429
    response = _login(client, "zhangsan")  # even the right password waits out the window
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_login_requires_csrf(world: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert response.status_code == 403


def test_logout_is_a_post(login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as("zhangsan")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/me/").status_code == 302


def test_applicant_cannot_open_the_workbench(login_as) -> None:  # type: ignore[no-untyped-def]
    assert login_as("zhangsan").get("/workbench/").status_code == 403


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/disclosure/", "/api/v1/docs"])
def test_pages_load_nothing_from_outside_and_send_a_strict_csp(world: None, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html), "page references an outside asset"
    assert "<script>" not in html and " style=" not in html  # the CSP forbids inline code and styles
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"


def test_portal_home_has_region_switcher_and_search(world: None) -> None:
    client = Client()
    html = client.get("/", {"region": "370100000000"}).content.decode()
    assert 'name="region"' in html and 'name="q"' in html
    assert "济南市" in html and "个人办事" in html and "法人办事" in html
    assert client.session["region_code"] == "370100000000"
