"""The journey of issue 12's 证照夹: zhangsan finds his 营业执照 (issued by a demo case) under
我的证照, opens it, shows its QR full screen, downloads the PDF, and starts a 注销 that the
form refuses without a reason; on a phone the license page fits the screen with the QR first.

The demo license is not cancelled here (journeys share one platform; the cancel itself is
covered by src/yiwang/portal/tests/test_licenses_wallet.py).
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_zhangsan_opens_his_license_shows_the_qr_and_downloads_the_pdf(page, new_page, check_a11y, login, scroll_width):
    login(page, "zhangsan")
    page.goto("/me/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的证照").click()
    expect(page.get_by_role("heading", level=1, name="我的证照")).to_be_visible()
    card = page.locator("li.license-card").filter(has_text="营业执照").first
    expect(card).to_contain_text("有效")
    check_a11y(page, "wallet")

    card.get_by_role("link", name="营业执照", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="营业执照")).to_be_visible()
    expect(page.locator(".license-qr__code svg")).to_be_visible()
    page.get_by_role("link", name="查看存证").first.wait_for()
    check_a11y(page, "license")

    toggle = page.get_by_role("button", name="全屏显示")
    toggle.click()
    expect(page.locator("figure.license-qr--fullscreen")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("figure.license-qr--fullscreen")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").first.click()
    assert re.fullmatch(r"营业执照-.+\.pdf", download.value.suggested_filename)
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    page.get_by_role("link", name="注销", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="申请注销电子证照")).to_be_visible()
    page.get_by_role("button", name="确认注销").click()
    expect(page.locator("#error-summary")).to_contain_text("注销理由")
    check_a11y(page, "license-cancel-refused")
    page.get_by_role("link", name="返回，不注销").click()
    expect(page.get_by_role("heading", level=1, name="营业执照")).to_be_visible()

    phone = new_page(phone=True)
    login(phone, "zhangsan")
    phone.goto("/me/licenses/")
    phone_card = phone.locator("li.license-card").filter(has_text="营业执照").first
    phone_card.get_by_role("link", name="营业执照", exact=True).click()
    expect(phone.locator(".license-qr__code svg")).to_be_in_viewport()
    width, viewport = scroll_width(phone)
    assert width <= viewport, f"the license page scrolls sideways on a phone ({width} > {viewport})"
    check_a11y(phone, "license-phone")
