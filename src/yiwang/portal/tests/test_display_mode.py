"""长辈版 (ADR 0030): the header's switch, the cookie, the account's choice, the safe way back."""

import re

import pytest
from django.test import Client

from yiwang.accounts.models import AccountEvent, PortalMode, User
from yiwang.accounts.services import portal_mode_set
from yiwang.core.errors import ValidationFailed
from yiwang.demo.world import DEMO_PASSWORD
from yiwang.ledger.models import Entry
from yiwang.portal.display import MODE_COOKIE

ELDER_HTML = re.compile(r'<html lang="zh-CN" class="no-js mode-elder">')


def _is_elder(html: str) -> bool:
    return bool(ELDER_HTML.search(html))


def _switch(client: Client, mode: str, next_url: str = "/guide/") -> object:
    return client.post("/display/", {"mode": mode, "next": next_url})


@pytest.mark.django_db
def test_a_visitor_switches_to_elder_mode_and_the_cookie_keeps_it(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    home = client.get("/").content.decode()
    assert not _is_elder(home)
    assert 'aria-label="切换到长辈版" aria-describedby="mode-now">长辈版</button>' in home and "当前：标准版" in home

    answer = client.post("/display/", {"mode": "elder", "next": "/guide/?q=%E7%A4%BE%E4%BF%9D"})
    assert answer.status_code == 303 and answer["Location"] == "/guide/?q=%E7%A4%BE%E4%BF%9D"
    cookie = answer.cookies[MODE_COOKIE]
    assert cookie.value == "elder"
    assert cookie["samesite"] == "Lax" and cookie["httponly"] and cookie["max-age"] == 365 * 24 * 3600

    guide = client.get("/guide/").content.decode()
    assert _is_elder(guide) and "当前：长辈版" in guide
    assert 'aria-label="切换到标准版" aria-describedby="mode-now">标准版</button>' in guide
    home = client.get("/").content.decode()
    assert _is_elder(home) and "常用服务" in home and "需要帮助" in home and 'href="tel:12345"' in home
    assert "登录后查看我的办件" in home  # 我的办件 from the first screen, through the login

    back = client.post("/display/", {"mode": "standard", "next": "/"})
    assert back.cookies[MODE_COOKIE].value == "standard"
    assert not _is_elder(client.get("/").content.decode())


@pytest.mark.django_db
def test_the_login_page_and_a_404_follow_the_cookie_the_workbench_does_not(login_as) -> None:  # type: ignore[no-untyped-def]
    visitor = Client()
    visitor.cookies[MODE_COOKIE] = "elder"
    assert _is_elder(visitor.get("/accounts/login/").content.decode())
    assert _is_elder(visitor.get("/guide/no-such-item-000/").content.decode())

    staff = login_as("jn_window")
    staff.cookies[MODE_COOKIE] = "elder"
    workbench = staff.get("/workbench/").content.decode()
    assert not _is_elder(workbench) and "mode-switch" not in workbench and "elder.css" not in workbench


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
        "/guide/\n",
        "",
    ],
)
def test_the_switch_goes_back_only_to_a_local_page(world, next_url: str) -> None:  # type: ignore[no-untyped-def]
    answer = _switch(Client(), "elder", next_url)
    assert answer.status_code == 303 and answer["Location"] == "/"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_switch_is_a_post_with_a_csrf_token(world) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    assert client.get("/display/").status_code == 405
    refused = client.post("/display/", {"mode": "elder", "next": "/"})
    assert refused.status_code == 403 and MODE_COOKIE not in refused.cookies
    page = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    accepted = client.post("/display/", {"mode": "elder", "next": "/", "csrfmiddlewaretoken": token})
    assert accepted.status_code == 303 and accepted.cookies[MODE_COOKIE].value == "elder"


@pytest.mark.django_db
def test_an_unknown_mode_changes_nothing(login_as) -> None:  # type: ignore[no-untyped-def]
    zhangsan = login_as("zhangsan")
    answer = zhangsan.post("/display/", {"mode": "huge", "next": "/me/"})
    assert answer.status_code == 303 and answer["Location"] == "/me/" and MODE_COOKIE not in answer.cookies
    assert User.objects.get(username="zhangsan").portal_mode == ""
    with pytest.raises(ValidationFailed):
        portal_mode_set(actor=User.objects.get(username="zhangsan"), mode="huge")


@pytest.mark.django_db
def test_a_logged_in_persons_choice_is_kept_on_the_account_and_follows_them(login_as) -> None:  # type: ignore[no-untyped-def]
    zhangsan = login_as("zhangsan")
    events = AccountEvent.objects.filter(verb="portal_mode_set").count()
    entries = Entry.objects.count()
    answer = zhangsan.post("/display/", {"mode": "elder", "next": "/me/"})
    assert answer.status_code == 303 and answer["Location"] == "/me/"
    assert User.objects.get(username="zhangsan").portal_mode == PortalMode.ELDER
    [event] = AccountEvent.objects.filter(verb="portal_mode_set")[events:]
    assert event.payload == {"mode": "elder"} and event.ledger_entry_id is not None
    assert Entry.objects.count() == entries + 1
    zhangsan.post("/display/", {"mode": "elder", "next": "/me/"})  # the same choice again: nothing recorded
    assert AccountEvent.objects.filter(verb="portal_mode_set").count() == events + 1

    other_device = login_as("zhangsan")  # no cookie there
    assert MODE_COOKIE not in other_device.cookies
    assert _is_elder(other_device.get("/me/").content.decode())
    assert _is_elder(other_device.get("/me/cases/").content.decode())
    # Logged in, the account's choice wins over an old cookie on the device.
    other_device.cookies[MODE_COOKIE] = "standard"
    assert _is_elder(other_device.get("/").content.decode())
    # Logged out, the device's cookie decides again.
    other_device.post("/accounts/logout/")
    assert not _is_elder(other_device.get("/").content.decode())


@pytest.mark.django_db
def test_a_choice_made_before_logging_in_becomes_the_accounts_if_it_has_none(world) -> None:  # type: ignore[no-untyped-def]
    device = Client()
    device.post("/display/", {"mode": "elder", "next": "/"})
    answer = device.post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    assert User.objects.get(username="zhangsan").portal_mode == PortalMode.ELDER
    assert AccountEvent.objects.filter(verb="portal_mode_set").count() == 1

    # An account's own choice is not overwritten by an old cookie on a shared device …
    portal_mode_set(actor=User.objects.get(username="zhangsan"), mode=PortalMode.STANDARD)
    shared = Client()
    shared.cookies[MODE_COOKIE] = "elder"
    shared.post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert User.objects.get(username="zhangsan").portal_mode == PortalMode.STANDARD
    assert not _is_elder(shared.get("/me/").content.decode())

    # … but the switch used just before logging in is his latest choice.
    shared.post("/accounts/logout/")
    shared.post("/display/", {"mode": "elder", "next": "/accounts/login/"})
    shared.post("/accounts/login/", {"username": "zhangsan", "password": DEMO_PASSWORD})
    assert User.objects.get(username="zhangsan").portal_mode == PortalMode.ELDER
    assert _is_elder(shared.get("/me/").content.decode())


@pytest.mark.django_db
def test_without_an_account_choice_the_cookie_decides(login_as) -> None:  # type: ignore[no-untyped-def]
    lisi = login_as("lisi")
    assert not _is_elder(lisi.get("/me/").content.decode())
    lisi.cookies[MODE_COOKIE] = "elder"  # chosen on this device before logging in
    assert _is_elder(lisi.get("/me/").content.decode())
    lisi.cookies[MODE_COOKIE] = "giant"  # anything else: the standard portal
    assert not _is_elder(lisi.get("/me/").content.decode())


@pytest.mark.django_db(transaction=True)
def test_the_rating_link_of_a_notice_opens_in_the_mode_its_person_chose(world) -> None:  # type: ignore[no-untyped-def]
    from yiwang.ratings.tests.scene import concluded, notice_token

    case = concluded()
    token = notice_token(case)
    assert not _is_elder(Client().get(f"/rate/{token}").content.decode())
    portal_mode_set(actor=User.objects.get(username="zhangsan"), mode=PortalMode.ELDER)
    phone = Client()  # the SMS opened on a phone never used for the portal: no login, no cookie
    page = phone.get(f"/rate/{token}").content.decode()
    assert _is_elder(page) and "请为本次服务评价" in page
    phone.cookies[MODE_COOKIE] = "standard"  # the device's own choice comes first
    assert not _is_elder(phone.get(f"/rate/{token}").content.decode())


@pytest.mark.django_db
def test_on_the_application_form_the_switch_asks_before_reloading_the_page(login_as) -> None:  # type: ignore[no-untyped-def]
    from yiwang.catalog.models import ImplementationVersion

    version = ImplementationVersion.objects.filter(
        status="published", item_version__name="生育登记", implementation__region__code="370100000000"
    ).first()
    assert version is not None
    zhangsan = login_as("zhangsan")
    form_page = zhangsan.get(f"/apply/{version.pk}/", follow=True).content.decode()
    assert 'class="mode-switch"' in form_page and "data-confirm=" in form_page.split('class="mode-switch"')[1][:400]
    home = zhangsan.get("/").content.decode()
    assert "data-confirm=" not in home.split('class="mode-switch"')[1][:400]
