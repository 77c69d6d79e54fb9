"""统一身份认证登录 in the browser (issue 18, ADR 0031): the demo run started the stand-in
identity platform (`yiwang.accounts.devoidc`, a separate process with its own login page)
and registered yiwang as its client. zhangsan clicks 统一身份认证登录, signs in at the
platform and lands in his space here, linked by the 居民身份证号 the platform asserts; he
finds 我的办件, and logging out ends his session at the platform too. zhaoxin, whom the
platform knows but yiwang does not, gets a new citizen account at first login, masked
where it is shown. Nothing is mocked.
"""

import re

import pytest
from playwright.sync_api import expect

from yiwang.demo.run import DEMO_PLATFORM_PASSWORD

pytestmark = pytest.mark.browser


def _sign_in_at_platform(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()
    expect(page.get_by_role("heading", name="统一身份认证平台 · 登录")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PLATFORM_PASSWORD)
    page.get_by_role("button", name="登录并授权").click()
    page.wait_for_url(re.compile(r"/me/$"))


def test_zhangsan_signs_in_through_the_identity_platform_and_finds_his_cases(page, check_a11y, platform, base_url):
    if platform.data_dir is None:
        pytest.skip("an external platform (YIWANG_E2E_BASE_URL): its identity platform is not ours")
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="统一身份认证登录")).to_be_visible()
    check_a11y(page, "login-offers-the-platform")

    _sign_in_at_platform(page, "zhangsan")  # lands in 我的办件 (his space), as a password login does
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的办件")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("heading", name="我的空间")).to_be_visible()
    expect(page.get_by_text("张*", exact=True)).to_be_visible()
    expect(page.get_by_text("户外广告设置许可").first).to_be_visible()  # his cases from the demo world
    check_a11y(page, "space-after-platform-login")

    page.get_by_role("button", name="退出登录").click()  # ends the platform's session too, then back here
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_role("link", name="登录", exact=True)).to_be_visible()


def test_a_person_new_to_yiwang_gets_a_citizen_account_at_first_login(page, check_a11y, platform):
    if platform.data_dir is None:
        pytest.skip("an external platform (YIWANG_E2E_BASE_URL): its identity platform is not ours")
    _sign_in_at_platform(page, "zhaoxin")
    expect(page.get_by_role("heading", name="我的空间")).to_be_visible()
    expect(page.get_by_text("赵*", exact=True)).to_be_visible()  # the real-name profile the platform vouched for
    expect(page.get_by_text(re.compile(r"^370\*+\d{3}[0-9X]$"))).to_be_visible()
    check_a11y(page, "new-citizen-space")
