"""The catalog at every level in the browser (docs/catalog-levels.md):

ta_catalog (泰安市事项管理员) claims 户外广告设置许可 for 泰安市行政审批服务局 on 事项认领与调整,
fills in the city's own window and submits; sd_catalog (the province: a second pair of eyes)
publishes it; the 泰安 guide then lists it together with the demo's town claim (满庄镇's 生育登记),
each result naming the body and level that offers it; the chooser goes down to the town.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TAIAN = "370900000000"
SIGN = "户外广告设置许可"


def test_a_city_claims_an_item_a_second_administrator_publishes_and_the_city_guide_lists_it(
    page, login, logout, check_a11y, scroll_width, new_page
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # 发布 asks to confirm
    login(page, "ta_catalog")
    page.goto("/workbench/catalog/levels/")
    expect(page.get_by_role("heading", name="事项认领与调整 · 泰安市")).to_be_visible()
    expect(page.locator("#claims")).to_contain_text("满庄镇便民服务中心")  # the demo's town claim
    check_a11y(page, "levels")
    row = page.locator("#claimable tr", has_text=SIGN)
    row.get_by_label("实施主体").select_option(label="泰安市行政审批服务局")
    row.get_by_role("button", name=f"认领 {SIGN}").click()
    expect(page.get_by_text("已认领，实施清单草稿")).to_be_visible()
    version_url = page.url
    page.get_by_label("办理地点").fill("泰安市政务服务中心三楼城市管理窗口（旅程测试）")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.locator(".page-header")).to_contain_text("待审核")
    logout(page)

    login(page, "sd_catalog")
    page.goto(version_url)
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".page-header")).to_contain_text("已发布")

    page.goto(f"/guide/?region={TAIAN}")
    results = page.locator("#guide-results")
    expect(results).to_contain_text(SIGN)
    expect(results).to_contain_text("泰安市行政审批服务局 · 泰安市（市级）")
    expect(results).to_contain_text("满庄镇便民服务中心 · 满庄镇（镇（乡、街道）级）")
    expect(results).not_to_contain_text("济南市")
    check_a11y(page, "guide-taian")
    chooser = page.get_by_role("navigation", name="选择区划")
    chooser.get_by_role("link", name="岱岳区").click()
    page.get_by_role("navigation", name="选择区划").get_by_role("link", name="满庄镇").click()
    expect(page.locator(".page-header")).to_contain_text("满庄镇")
    expect(page.locator("#guide-results")).to_contain_text("生育登记")
    page.locator("#guide-results").get_by_role("link", name="生育登记").click()
    expect(page.locator("#implementing-body")).to_contain_text("在满庄镇由满庄镇便民服务中心")

    phone = new_page(phone=True)
    phone.goto(f"/guide/?region={TAIAN}")
    width, viewport = scroll_width(phone)
    assert width <= viewport
