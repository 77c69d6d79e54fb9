"""The stand-in identity platform (yiwang.accounts.devoidc) as a real process, and the
browser's part of its login page, for the OIDC tests (ADR 0031)."""

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client

from yiwang.core.identifiers import resident_id_check_char
from yiwang.core.localproc import start, stop

CLIENT_ID, CLIENT_SECRET = "yiwang-test", "-test-secret-at-the-platform"
ZHANGSAN_ID = "37010219900307123" + resident_id_check_char("37010219900307123")  # the demo world's 张三
ZHAOXIN_ID = "37010219950815234" + resident_id_check_char("37010219950815234")  # nobody here yet
PLATFORM_USERS = [
    {"username": "zhangsan", "password": "pw-zs", "sub": "tyrz-0001", "name": "张三", "id_number": ZHANGSAN_ID},
    {
        "username": "zhaoxin",
        "password": "pw-zx",
        "sub": "tyrz-0002",
        "name": "赵新",
        "phone_number": "13912345678",
        "id_number": ZHAOXIN_ID,
    },
    {"username": "anon", "password": "pw-an", "sub": "tyrz-0003", "name": "无证件"},
]


@dataclass
class Platform:
    url: str

    def control(self, **order: object) -> dict[str, Any]:
        answer = requests.post(f"{self.url}/_control", json=order, timeout=5)
        answer.raise_for_status()
        return dict(answer.json())


def start_platform(settings: Any, tmp_path: Path, *args: str) -> tuple[Any, Platform]:
    users = tmp_path / "platform-users.json"
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": ["http://testserver/accounts/oidc/callback/"],
            "post_logout_redirect_uris": ["http://testserver/"],
        }
    ]
    users.write_text(json.dumps({"users": PLATFORM_USERS, "clients": clients}, ensure_ascii=False), encoding="utf-8")
    proc, port = start("yiwang.accounts.devoidc", "--users", str(users), *args)
    url = f"http://127.0.0.1:{port}"
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = url, CLIENT_ID, CLIENT_SECRET
    settings.OIDC_ENABLED, settings.OIDC_ORIGIN = True, url
    settings.OIDC_TIMEOUT = 2.0
    return proc, Platform(url)


@pytest.fixture
def platform(settings: Any, tmp_path: Path) -> Iterator[Platform]:
    proc, found = start_platform(settings, tmp_path)
    try:
        yield found
    finally:
        stop(proc)


def at_platform(client: Client, username: str, password: str, *, action: str = "login") -> str:
    """Click 统一身份认证登录 and sign in (or cancel) at the platform's page: the callback
    address (path and query) the platform sends the browser back to."""
    begun = client.get("/accounts/oidc/login/")
    assert begun.status_code == 302, begun.content.decode()[:500]
    authorize = begun["Location"]
    page = requests.get(authorize, timeout=5)
    assert page.status_code == 200 and "统一身份认证平台" in page.text
    form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    form.update(username=username, password=password, action=action)
    answer = requests.post(authorize.split("?")[0], data=form, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text[:500]
    back = urllib.parse.urlsplit(answer.headers["Location"])
    assert back.netloc == "testserver"
    return f"{back.path}?{back.query}"
