"""Login throttling (django-axes): every login path, per account and client address, proxy-aware."""

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import User, UserKind

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-9"
WRONG = "Tr0ub4dor&3-not-it"
PROXY = "10.0.0.2"


@pytest.fixture
def people() -> None:
    User.objects.create_user(username="alice", password=PASSWORD)
    User.objects.create_user(username="bob", password=PASSWORD)
    User.objects.create_superuser(username="root", password=PASSWORD, kind=UserKind.STAFF)


def _portal_login(client: Client, username: str, password: str, **meta: str) -> object:
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


def _admin_login(client: Client, username: str, password: str, **meta: str) -> object:
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **meta)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _locked(response: object) -> bool:
    return response.status_code == 429 and "登录失败次数过多" in response.content.decode()  # type: ignore[attr-defined]


def test_admin_login_is_throttled_like_the_portal(people: None, settings: Any) -> None:
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        response = _admin_login(client, "root", WRONG)
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    assert _locked(_admin_login(client, "root", WRONG))
    response = _admin_login(client, "root", PASSWORD)  # even the right password waits
    assert _locked(response) and not _logged_in(client)


def test_the_lockout_page_says_when_to_try_again(people: None, settings: Any) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert settings.AXES_COOLOFF_TIME.total_seconds() == window
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = _portal_login(client, "alice", WRONG)
    assert _locked(response)
    html = response.content.decode()  # type: ignore[attr-defined]
    when = re.search(r"请于 <strong>\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}</strong>（约 (\d+) 分钟后）再试", html)
    assert when is not None and int(when.group(1)) == window // 60
    retry_at = timezone.localtime(AccessAttempt.objects.get(username="alice").attempt_time + settings.AXES_COOLOFF_TIME)
    assert f"{retry_at.year}年{retry_at.month}月{retry_at.day}日 {retry_at:%H:%M}" in html
    assert window - 10 <= int(response["Retry-After"]) <= window  # type: ignore[index]
    assert WRONG not in html and PASSWORD not in html


def test_one_accounts_failures_do_not_lock_another_account_at_the_same_address(people: None) -> None:
    attacker = Client()
    for _ in range(10):
        _portal_login(attacker, "alice", WRONG)
    assert _locked(_portal_login(attacker, "alice", PASSWORD))
    colleague = Client()  # same office, same address (127.0.0.1)
    response = _portal_login(colleague, "bob", PASSWORD)
    assert response.status_code == 302 and _logged_in(colleague)
    assert _admin_login(Client(), "root", PASSWORD).status_code == 302


def test_a_success_clears_the_accounts_failures(people: None, settings: Any) -> None:
    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        assert _portal_login(client, "alice", WRONG).status_code == 401
    assert _portal_login(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):  # a fresh allowance, not one more try
        assert _portal_login(client, "alice", WRONG).status_code == 401
    assert _locked(_portal_login(client, "alice", WRONG))


def test_behind_a_trusted_proxy_two_clients_are_counted_apart(people: None, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ("10.0.0.0/8",)
    one = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = _portal_login(Client(), "alice", WRONG, **one)
    assert _locked(response)
    assert _locked(_portal_login(Client(), "alice", PASSWORD, **one))
    assert _portal_login(Client(), "alice", PASSWORD, **other).status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.1"}


def test_behind_a_trusted_proxy_what_the_client_wrote_to_the_left_is_ignored(people: None, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ("10.0.0.0/8",)
    for i in range(settings.LOGIN_MAX_FAILURES):  # nginx appends the real address to a forged header
        forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.{i}, 198.51.100.1"}
        response = _portal_login(Client(), "alice", WRONG, **forged)
    assert _locked(response)


def test_a_forged_forwarded_for_from_an_untrusted_client_is_ignored(people: None, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ("10.0.0.0/8",)
    for i in range(settings.LOGIN_MAX_FAILURES):
        forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"}
        response = _portal_login(Client(), "alice", WRONG, **forged)
    assert _locked(response)
    fresh = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.200"}
    assert _locked(_portal_login(Client(), "alice", PASSWORD, **fresh))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_without_trusted_proxies_forwarded_for_is_never_read(people: None, settings: Any) -> None:
    assert settings.TRUSTED_PROXIES == ()  # the default
    for i in range(settings.LOGIN_MAX_FAILURES):
        response = _portal_login(Client(), "alice", WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert _locked(response)


def test_the_admin_pages_of_recorded_attempts_show_no_password(people: None) -> None:
    _portal_login(Client(), "alice", WRONG)
    attempt = AccessAttempt.objects.get(username="alice")
    admin = Client()
    admin.force_login(User.objects.get(username="root"))
    for url in ("/admin/axes/accessattempt/", f"/admin/axes/accessattempt/{attempt.pk}/change/"):
        response = admin.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert WRONG not in html
        assert "登录防护" in html and "登录失败计数" in html  # axes' pages, in Chinese
    assert WRONG not in attempt.post_data


def test_a_peer_without_a_readable_address_is_still_throttled(people: None, settings: Any) -> None:
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = _portal_login(Client(), "alice", WRONG, REMOTE_ADDR="")
    assert _locked(response)
    assert _portal_login(Client(), "bob", PASSWORD, REMOTE_ADDR="").status_code == 302
