"""用证授权 through the pages: the holder grants, the third party uses the code or the link,
the holder sees who used it for what and withdraws."""

import html
import re
from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from yiwang.licenses.models import License
from yiwang.licenses.tests.helpers import issue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle() -> None:
    cache.clear()


def share_url(license: License) -> str:
    return f"/me/licenses/{license.identifier}/share/"


def grant(client: Client, license: License, **fields: str) -> tuple[str, str]:
    """Grant through the form; returns the code and the link the page shows once."""
    data = {"recipient": "中国银行济南分行", "purpose": "办理经营贷款", "days": "7", "max_uses": "1", **fields}
    response = client.post(share_url(license), data)
    assert response.status_code == 201, response.content.decode()[:2000]
    page = response.content.decode()
    code = re.search(r'class="share-code num"[^>]*>([0-9A-Z]{5}-[0-9A-Z]{5})<', page)
    link = re.search(r'<a href="(http://testserver/licenses/use/[A-Za-z0-9_-]+/)"', page)
    assert code and link and "只显示这一次" in page and "<svg" in page
    assert "no-store" in response["Cache-Control"]
    return code.group(1), link.group(1)


def test_grant_use_once_see_the_use_withdraw(login_as: Callable[[str], Client]) -> None:
    license = issue()
    holder = login_as("zhangsan")
    page = holder.get(share_url(license))
    assert page.status_code == 200 and "暂无授权" in page.content.decode()
    code, _link = grant(holder, license)
    assert code not in holder.get(share_url(license)).content.decode()  # shown once only

    bank = Client()
    form = bank.get("/licenses/use/")
    assert form.status_code == 200 and "授权码" in form.content.decode()
    shown = bank.post("/licenses/use/", {"code": code, "organisation": "中国银行济南分行", "purpose": "贷前核验"})
    body = shown.content.decode()
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    assert "食品经营许可证" in body and "张三" in body and "泉城小馆" in body and "有效" in body
    assert "用证记录编号" in body and 'href="/licenses/verify"' in body and "yiwang-license/1" in body
    assert "身份证" not in body and "证件号码</th>" not in body  # not disclosed by default

    again = bank.post("/licenses/use/", {"code": code, "organisation": "中国银行济南分行", "purpose": "贷前核验"})
    assert again.status_code == 409 and "已全部用完" in again.content.decode()

    listed = holder.get(share_url(license)).content.decode()
    assert "中国银行济南分行" in listed and "贷前核验" in listed and "已用完" in listed and "授权码" in listed

    _code2, link2 = grant(holder, license, recipient="房东李先生", purpose="租赁商铺", max_uses="3")
    path = link2.removeprefix("http://testserver")
    opened = Client().get(path)
    assert opened.status_code == 200 and opened["Referrer-Policy"] == "same-origin"  # token stays here
    assert "张三" not in opened.content.decode()  # opening the link shows nothing yet
    seen = Client().post(path, {"organisation": "李某", "purpose": "签租赁合同"})
    assert seen.status_code == 200 and "泉城小馆" in seen.content.decode()

    listed = holder.get(share_url(license)).content.decode()
    withdraw = re.search(r'action="(/me/licenses/[^"]+/share/(\d+)/withdraw/)"', listed)
    assert withdraw
    done = holder.post(withdraw.group(1), follow=True)
    assert "已撤回对“房东李先生”的用证授权" in done.content.decode()
    refused = Client().post(path, {"organisation": "李某", "purpose": "再看一次"})
    assert refused.status_code == 409 and "已被持证人撤回" in refused.content.decode()
    listed = html.unescape(holder.get(share_url(license)).content.decode())
    assert "已撤回" in listed and "签租赁合同" in listed and "授权链接" in listed


def test_form_errors_name_the_field_and_keep_what_was_typed(login_as: Callable[[str], Client]) -> None:
    license = issue()
    holder = login_as("zhangsan")
    response = holder.post(share_url(license), {"recipient": "", "purpose": "核验", "days": "99", "max_uses": "x"})
    body = response.content.decode()
    assert response.status_code == 422
    assert "被授权方：必填" in body and "授权期限（天）：请填写 1–30 之间的整数" in body
    assert "可使用次数：请填写 1–20 之间的整数" in body and 'value="核验"' in body
    use = Client().post("/licenses/use/", {"code": "ABCDE-23456", "organisation": "某银行", "purpose": ""})
    assert use.status_code == 422 and "用证事由：必填" in use.content.decode()
    assert 'value="某银行"' in use.content.decode()


def test_a_wrong_code_says_nothing_and_many_are_throttled(login_as: Callable[[str], Client]) -> None:
    license = issue()
    code, _link = grant(login_as("zhangsan"), license)
    near = code[:-1] + ("2" if code[-1] != "2" else "3")
    bank = Client()
    answers = set()
    for wrong in (near, "ZZZZZ-ZZZZZ", "hello"):
        response = bank.post("/licenses/use/", {"code": wrong, "organisation": "某银行", "purpose": "核验"})
        assert response.status_code == 404
        answers.add(re.sub(r'value="[^"]*"', "", response.content.decode()).count("授权码或授权链接无效"))
    assert answers == {2}  # the same page for a near miss and for nonsense (summary + field)
    for _ in range(7):
        bank.post("/licenses/use/", {"code": "YYYYY-YYYYY", "organisation": "某银行", "purpose": "核验"})
    throttled = bank.post("/licenses/use/", {"code": code, "organisation": "某银行", "purpose": "核验"})
    assert throttled.status_code == 429 and "错误次数过多" in throttled.content.decode()


def test_only_the_holder_sees_and_withdraws(login_as: Callable[[str], Client]) -> None:
    license = issue()
    grant(login_as("zhangsan"), license)
    stranger = login_as("lisi")
    assert stranger.get(share_url(license)).status_code == 404
    assert (
        stranger.post(share_url(license), {"recipient": "x", "purpose": "y", "days": "7", "max_uses": "1"}).status_code
        == 404
    )
    authorisation = license.authorisations.get()
    response = stranger.post(f"{share_url(license)}{authorisation.pk}/withdraw/")
    assert response.status_code == 404
    assert license.authorisations.get().status == "active"
    assert Client().get(share_url(license)).status_code == 302  # to the login page
