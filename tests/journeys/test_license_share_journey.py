"""用证授权 in the browser: zhangsan shares his 营业执照 with a bank; the bank's clerk, on a
phone, enters the code with the bank's name and purpose and sees the license; zhangsan sees
that use (who, why, when) and withdraws, after which the link no longer opens it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _valid_business_license(page) -> str:  # type: ignore[no-untyped-def]
    """zhangsan's valid 营业执照 (the demo issues it through the services), via his own API."""
    licenses = page.request.get("/api/v1/licenses/mine?limit=100").json()["items"]
    found = [item for item in licenses if item["type_name"] == "营业执照" and item["status"] == "valid"]
    assert found, licenses
    return found[0]["identifier"]


def test_zhangsan_shares_a_license_the_bank_uses_it_once_and_he_withdraws(
    page, new_page, check_a11y, login, scroll_width
):
    login(page, "zhangsan")
    identifier = _valid_business_license(page)
    page.goto(f"/me/licenses/{identifier}/share/")
    expect(page.get_by_role("heading", level=1)).to_have_text("用证授权")
    check_a11y(page, "share-empty")

    page.get_by_label(re.compile("^被授权方")).fill("中国银行济南分行")
    page.get_by_label(re.compile("^用途")).fill("办理经营贷款")
    page.get_by_label("授权期限").select_option("3")
    page.get_by_label("可使用次数").fill("2")
    page.get_by_role("button", name="生成授权码和链接").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("授权已生成")
    code = page.locator(".share-code").inner_text().strip()
    link = page.locator(".share-link a").get_attribute("href") or ""
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code) and "/licenses/use/" in link
    expect(page.locator(".share-qr svg")).to_be_visible()
    check_a11y(page, "share-created")

    bank = new_page(phone=True)
    bank.goto("/licenses/use/")
    bank.get_by_label(re.compile("^授权码")).fill(code.lower().replace("-", ""))
    bank.get_by_label(re.compile("^用证单位")).fill("中国银行济南分行")
    bank.get_by_label(re.compile("^用证事由")).fill("贷前核验营业执照")
    bank.get_by_role("button", name="登记并查看证照").click()
    expect(bank.get_by_role("heading", level=1)).to_have_text("营业执照")
    expect(bank.locator(".license-facts")).to_contain_text("张三")
    expect(bank.get_by_role("link", name="电子证照核验")).to_have_attribute("href", "/licenses/verify")
    width, viewport = scroll_width(bank)
    assert width <= viewport, f"the disclosed license scrolls sideways on a phone ({width} > {viewport})"
    check_a11y(bank, "use-shown-phone")

    page.goto(f"/me/licenses/{identifier}/share/")
    item = page.locator(".share-item").first
    expect(item).to_contain_text("贷前核验营业执照")
    expect(item).to_contain_text("已用 1 次 / 共 2 次")
    page.get_by_role("button", name=re.compile("撤回授权")).first.click()
    expect(page.get_by_role("status").first).to_contain_text("已撤回对“中国银行济南分行”的用证授权")
    expect(page.locator(".share-item").first).to_contain_text("已撤回")

    other = new_page(phone=True)
    other.goto(link)
    other.get_by_label(re.compile("^用证单位")).fill("某担保公司")
    other.get_by_label(re.compile("^用证事由")).fill("再次查看")
    other.get_by_role("button", name="登记并查看证照").click()
    expect(other.get_by_role("alert")).to_contain_text("已被持证人撤回")
    check_a11y(other, "use-refused-phone")
