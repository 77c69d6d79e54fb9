"""用证授权 through the API: the holder's list, grant and withdraw; a system's use by code or token."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def post(client: Client, url: str, body: dict[str, object]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def use(**body: object) -> Any:
    """A third party's system posts to the public endpoint (a fresh client each time)."""
    return post(Client(), "/api/v1/licenses/authorised", {"organisation": "某银行", "purpose": "核验", **body})


def test_grant_use_list_withdraw(login_as: Callable[[str], Client]) -> None:
    license = issue()
    holder = login_as("zhangsan")
    base = f"/api/v1/licenses/mine/{license.identifier}/authorisations"
    created = post(holder, base, {"recipient": "中国银行济南分行", "purpose": "办理经营贷款", "max_uses": 2})
    assert created.status_code == 201
    granted = created.json()
    assert granted["link"].startswith("http://testserver/licenses/use/") and len(granted["code"]) == 11
    assert granted["authorisation"]["status"] == "active" and granted["authorisation"]["max_uses"] == 2

    used = post(
        Client(),
        "/api/v1/licenses/authorised",
        {"code": granted["code"], "organisation": "中国银行", "purpose": "贷前核验"},
    )
    assert used.status_code == 200
    shown = used.json()
    assert shown["holder_name"] == "张三" and shown["status"] == "valid" and shown["holder_id"] is None
    assert {"label": "经营者名称", "value": "泉城小馆"} in shown["facts"] and shown["note"] == license.note

    [listed] = holder.get(base).json()
    assert listed["use_count"] == 1 and listed["uses"][0]["purpose"] == "贷前核验"
    assert listed["uses"][0]["channel"] == "api" and listed["uses"][0]["client_ip"] == "127.0.0.*"
    assert "code" not in listed and "code_hash" not in listed and "token_hash" not in listed

    withdrawn = post(holder, f"{base}/{listed['id']}/withdraw", {})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    refused = post(
        Client(),
        "/api/v1/licenses/authorised",
        {"token": granted["token"], "organisation": "中国银行", "purpose": "再看"},
    )
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("application/problem+json")
    assert "撤回" in refused.json()["detail"]


def test_problems_for_strangers_wrong_codes_and_bad_input(login_as: Callable[[str], Client]) -> None:
    license = issue()
    base = f"/api/v1/licenses/mine/{license.identifier}/authorisations"
    granted = post(login_as("zhangsan"), base, {"recipient": "某银行", "purpose": "核验"}).json()
    stranger = login_as("lisi")
    assert stranger.get(base).status_code == 404
    assert post(stranger, base, {"recipient": "x", "purpose": "y"}).status_code == 404
    withdraw = post(stranger, f"{base}/{granted['authorisation']['id']}/withdraw", {})
    assert withdraw.status_code == 404
    assert Client().get(base).status_code == 401

    bad = post(login_as("zhangsan"), base, {"recipient": "某银行", "purpose": "核验", "max_uses": 21})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "max_uses"
    wrong = post(
        Client(), "/api/v1/licenses/authorised", {"code": "ZZZZZ-ZZZZZ", "organisation": "某银行", "purpose": "核验"}
    )
    assert wrong.status_code == 404 and "无效" in wrong.json()["detail"]
    missing = post(
        Client(), "/api/v1/licenses/authorised", {"code": granted["code"], "organisation": "某银行", "purpose": ""}
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "purpose"
    for _ in range(10):
        post(
            Client(),
            "/api/v1/licenses/authorised",
            {"code": "YYYYY-YYYYY", "organisation": "某银行", "purpose": "核验"},
        )
    throttled = post(
        Client(), "/api/v1/licenses/authorised", {"code": granted["code"], "organisation": "某银行", "purpose": "核验"}
    )
    assert throttled.status_code == 429 and "错误次数过多" in throttled.json()["detail"]
