"""统一身份认证登录 over HTTP against the stand-in platform started as a real process: the
code flow with PKCE, state and nonce, the ID token checked against the platform's keys, and
a Chinese page (never a 500) for each way it can go wrong."""

import html
import re
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import AccountEvent, ExternalIdentity, StaffRole, User
from yiwang.accounts.tests.conftest import CLIENT_ID, ZHAOXIN_ID, Platform, at_platform, start_platform
from yiwang.accounts.views import OIDC_ID_TOKEN_KEY
from yiwang.core.localproc import stop

pytestmark = pytest.mark.django_db


def signed_in_as(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_the_login_page_offers_the_platform_only_when_it_is_configured(world: None, settings: Any) -> None:
    settings.OIDC_ENABLED = False
    assert "统一身份认证登录" not in Client().get("/accounts/login/").content.decode()
    settings.OIDC_ENABLED = True
    page = Client().get("/accounts/login/?next=/portal/my/").content.decode()
    assert "统一身份认证登录" in page and "/accounts/oidc/login/?next=/portal/my/" in page


def test_zhangsan_signs_in_at_the_platform_and_lands_in_his_space(world: None, platform: Platform) -> None:
    client = Client()
    landed = client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert landed.status_code == 302 and landed["Location"] == "/accounts/home/"
    assert client.get("/accounts/home/")["Location"] == reverse("portal:my_space")
    user = signed_in_as(client)
    assert user is not None and user.username == "zhangsan"
    link = ExternalIdentity.objects.get(user=user)
    assert (link.issuer, link.subject) == (platform.url, "tyrz-0001")
    event = AccountEvent.objects.get(verb="external_identity_linked")
    assert event.payload["matched_by"] == "id_number" and event.ledger_entry_id

    client.post("/accounts/logout/")  # and again: the link is used, nothing new is recorded
    again = Client()
    again.get(at_platform(again, "zhangsan", "pw-zs"))
    assert signed_in_as(again) == user
    assert AccountEvent.objects.filter(verb="external_identity_linked").count() == 1


def test_a_new_person_gets_a_citizen_account_with_the_claimed_name_and_phone(world: None, platform: Platform) -> None:
    client = Client()
    client.get(at_platform(client, "zhaoxin", "pw-zx"))
    user = signed_in_as(client)
    assert user is not None and user.is_applicant and not user.has_usable_password()
    assert (user.display_name, user.phone, user.person.id_number) == ("赵新", "13912345678", ZHAOXIN_ID)
    assert not StaffRole.objects.filter(user=user).exists()
    verbs = set(AccountEvent.objects.filter(subject=f"user:{user.pk}").values_list("verb", flat=True))
    assert verbs == {"person_registered", "external_identity_linked"}
    assert "赵*" in client.get(reverse("portal:my_space")).content.decode()


def test_without_an_asserted_id_number_nobody_is_signed_in(world: None, platform: Platform) -> None:
    client = Client()
    answer = client.get(at_platform(client, "anon", "pw-an"))
    assert answer.status_code == 403 and "未提供已核验的居民身份证号" in answer.content.decode()
    assert signed_in_as(client) is None and not ExternalIdentity.objects.exists()


def test_a_callback_with_another_state_is_refused(world: None, platform: Platform) -> None:
    client = Client()
    back = at_platform(client, "zhangsan", "pw-zs")
    query = dict(urllib.parse.parse_qsl(back.split("?", 1)[1]))
    forged = client.get("/accounts/oidc/callback/", {"code": query["code"], "state": "forged-state"})
    assert forged.status_code == 400 and "登录请求已失效" in forged.content.decode()
    assert signed_in_as(client) is None


def test_a_code_used_once_is_refused_the_second_time(world: None, platform: Platform) -> None:
    client = Client()
    back = at_platform(client, "zhangsan", "pw-zs")
    code = dict(urllib.parse.parse_qsl(back.split("?", 1)[1]))["code"]
    assert client.get(back).status_code == 302
    other = Client()  # an attacker who saw the code starts a login of their own and replays it
    begun = other.get("/accounts/oidc/login/")
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begun["Location"]).query))["state"]
    replay = other.get("/accounts/oidc/callback/", {"code": code, "state": state})
    assert replay.status_code == 400 and "未接受本次登录凭证" in replay.content.decode()
    assert signed_in_as(other) is None


def test_an_id_token_signed_with_another_key_is_refused(world: None, platform: Platform) -> None:
    platform.control(rogue_key=True)
    client = Client()
    answer = client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert answer.status_code == 502 and "未通过校验" in answer.content.decode()
    assert signed_in_as(client) is None and not ExternalIdentity.objects.exists()


def test_an_expired_id_token_is_refused(world: None, platform: Platform) -> None:
    platform.control(id_token_ttl=-600)
    client = Client()
    answer = client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert answer.status_code == 502 and "已过期" in answer.content.decode()
    assert signed_in_as(client) is None


def test_cancelling_at_the_platform_says_so(world: None, platform: Platform) -> None:
    client = Client()
    answer = client.get(at_platform(client, "zhangsan", "", action="deny"))
    assert answer.status_code == 403 and "取消了登录" in answer.content.decode()
    assert signed_in_as(client) is None


def test_one_failed_token_call_is_retried_and_a_down_platform_is_explained(world: None, platform: Platform) -> None:
    platform.control(fail_next=1, status=503)
    client = Client()
    client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert signed_in_as(client) is not None

    platform.control(fail_next=5, status=503)
    client = Client()
    answer = client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert answer.status_code == 503 and "暂时无法访问" in answer.content.decode()
    assert signed_in_as(client) is None


def test_a_platform_that_is_not_running_is_explained(world: None, settings: Any, tmp_path: Path) -> None:
    proc, _ = start_platform(settings, tmp_path)
    stop(proc)
    answer = Client().get("/accounts/oidc/login/")
    assert answer.status_code == 503 and "暂时无法访问" in answer.content.decode()
    assert "统一身份认证登录" in Client().get("/accounts/login/").content.decode()  # the page itself still works


def logout_form(answer: Any) -> tuple[str, dict[str, str]]:
    """The form our logout page posts to the platform: its action and hidden fields."""
    page = answer.content.decode()
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"].replace(" ", "").split(",")
    assert "Location" not in answer and "继续退出" in page  # the button for a browser without script
    [form] = re.findall(r'<form method="post" action="([^"]+)" data-auto-submit>(.*?)</form>', page, re.S)
    action, inner = html.unescape(form[0]), form[1]
    fields = {html.unescape(n): html.unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', inner)}
    assert "auto-submit.js" in page  # submitted by our own script (the CSP allows no inline one)
    return action, fields


def test_logout_also_ends_the_session_at_the_platform(world: None, platform: Platform) -> None:
    client = Client()
    client.get(at_platform(client, "zhangsan", "pw-zs"))
    id_token = client.session[OIDC_ID_TOKEN_KEY]  # kept server-side, in the session row
    assert id_token.count(".") == 2
    out = client.post("/accounts/logout/")
    action, fields = logout_form(out)  # a form POSTed to the platform: the token in no URL
    assert action == f"{platform.url}/logout" and id_token not in action
    assert fields == {
        "id_token_hint": id_token,
        "client_id": CLIENT_ID,
        "post_logout_redirect_uri": "http://testserver/",
    }
    assert signed_in_as(client) is None
    assert OIDC_ID_TOKEN_KEY not in client.session  # the token left with the session
    back = requests.post(action, data=fields, allow_redirects=False, timeout=5)
    assert back.status_code == 302 and back.headers["Location"] == "http://testserver/"
    assert platform.control()["ended_sessions"] == ["tyrz-0001"]


def test_the_platform_sends_nobody_back_without_a_hint_it_signed(world: None, platform: Platform) -> None:
    client = Client()
    client.get(at_platform(client, "zhangsan", "pw-zs"))
    session = client.session
    del session[OIDC_ID_TOKEN_KEY]  # a session begun before ID tokens were kept
    session.save()
    action, fields = logout_form(client.post("/accounts/logout/"))
    assert "id_token_hint" not in fields and "post_logout_redirect_uri" in fields
    asked = requests.post(action, data=fields, allow_redirects=False, timeout=5)
    assert asked.status_code == 200 and "确定退出统一身份认证平台" in asked.text  # it asks, it does not redirect
    assert platform.control()["ended_sessions"] == []
    forged = {**fields, "id_token_hint": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"}
    refused = requests.post(action, data=forged, allow_redirects=False, timeout=5)
    assert refused.status_code == 400 and "Location" not in refused.headers
    assert platform.control()["ended_sessions"] == []
    confirmed = requests.post(action, data={**fields, "confirm": "1"}, allow_redirects=False, timeout=5)
    assert confirmed.status_code == 200 and "您已退出统一身份认证平台" in confirmed.text  # and stays there


def test_a_password_login_logs_out_locally_only(login_as: Any, platform: Platform) -> None:
    client = login_as("zhangsan")
    out = client.post("/accounts/logout/")
    assert out["Location"] == "/"


def test_es256_signed_id_tokens_are_checked_too(world: None, settings: Any, tmp_path: Path) -> None:
    proc, _ = start_platform(settings, tmp_path, "--alg", "ES256")
    try:
        client = Client()
        client.get(at_platform(client, "zhaoxin", "pw-zx"))
        assert signed_in_as(client) is not None
    finally:
        stop(proc)


def test_the_password_form_stays_throttled_beside_the_platform(world: None, settings: Any) -> None:
    settings.OIDC_ENABLED = True
    client = Client()
    answers = [
        client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}).status_code
        for _ in range(settings.LOGIN_MAX_FAILURES + 1)
    ]
    assert answers[-1] == 429 and answers[0] == 401


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 200, "html": True},  # a gateway's page instead of the token: it was a 500
        {"status": 307, "html": True, "location": "/token"},  # the code is not re-posted elsewhere
    ],
)
def test_a_token_answer_that_is_not_json_is_explained_and_not_followed(
    world: None, platform: Platform, answer: dict[str, object]
) -> None:
    if "location" in answer:
        answer = {**answer, "location": f"{platform.url}{answer['location']}"}
    platform.control(fail_next=1, **answer)
    client = Client()
    callback = client.get(at_platform(client, "zhangsan", "pw-zs"))
    assert callback.status_code == 503 and "暂时无法访问" in callback.content.decode()
    assert signed_in_as(client) is None
