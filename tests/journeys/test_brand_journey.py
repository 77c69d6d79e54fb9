"""The journey of issue 16's city brands: the same platform opened as 泰安 (its host name,
taian.localhost: browsers resolve *.localhost to the loopback address) shows 泰好办 with its
logo, colours and local hotline; 济南 chosen by its path (/city/370100/) shows 在泉城全办成
until the visitor goes back to the platform's own brand; on a phone the branded header fits.
The demo (yiwang.demo.brands) published both brands."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _on_host(base_url: str, host: str) -> str:
    return f"http://{host}:{urlsplit(base_url).port}"


def test_taian_by_host_and_jinan_by_path(page, new_page, base_url, check_a11y, scroll_width):
    page.goto(_on_host(base_url, "taian.localhost") + "/")
    expect(page).to_have_title("首页 - 泰好办")
    header = page.locator("header.site-header")
    expect(header.locator(".brand__name")).to_have_text("泰好办")
    expect(header).to_contain_text("泰山脚下 事事好办")
    expect(header).to_contain_text("0538-12345")
    expect(page.locator("footer")).to_contain_text("0538-12345")
    expect(page.get_by_role("heading", level=1)).to_have_text("泰安市政务服务")
    logo = header.locator("img.brand__logo")
    assert logo.evaluate("img => img.complete && img.naturalWidth") == 128  # our PNG, not the platform's SVG
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(46, 107, 52)"
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_focused()
    page.keyboard.press("Tab")
    expect(header.get_by_role("link", name="泰好办")).to_be_focused()
    check_a11y(page, "taian-home")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="办事指南").click()
    expect(page).to_have_title(re.compile(r"- 泰好办$"))

    jinan = new_page()
    jinan.goto("/city/370100/")
    expect(jinan.locator("header .brand__name")).to_have_text("在泉城全办成")
    expect(jinan.locator("footer")).to_contain_text("0531-12345")
    check_a11y(jinan, "jinan-by-path")
    jinan.get_by_role("link", name="返回山东省一网通办政务服务平台").click()
    expect(jinan.locator("header .brand__name")).to_have_text("山东省一网通办政务服务平台")

    phone = new_page(phone=True)
    phone.goto(_on_host(base_url, "taian.localhost") + "/")
    expect(phone.locator("header .brand__name")).to_have_text("泰好办")
    width, viewport = scroll_width(phone)
    assert width <= viewport, f"the branded home page scrolls sideways on a phone ({width} > {viewport})"
    check_a11y(phone, "taian-phone")
