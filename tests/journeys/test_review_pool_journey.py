"""Issue 17 follow-up in the browser: jn_planning_app (审批决定 of 自然资源和规划局) keeps the
expert pool — 专家入库 with a wrong check character is refused by name and keeps what was
typed, the corrected entry is saved, edited and paused. The new expert's specialty (给排水) is
one no demo panel asks for, so the other review journeys draw from the same pool as before."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

GOOD = "91370100MA3C7Q8K29"  # check character 9 (GB 32100)
BAD = "91370100MA3C7Q8K20"


def test_a_pool_keeper_adds_edits_and_pauses_an_expert(page, check_a11y, login, platform):
    login(page, "jn_planning_app")
    page.goto("/workbench/reviews/")
    check_a11y(page, "review-pool-home")
    page.get_by_role("link", name="专家入库").click()
    expect(page.get_by_role("heading", level=1, name="专家入库")).to_be_visible()
    page.get_by_label(re.compile("^专家编号")).fill("ZJ-0901")
    page.get_by_label(re.compile("^姓名")).fill("林水")
    page.get_by_label(re.compile("^专业")).fill("给排水")
    page.get_by_label(re.compile("^工作单位 ")).fill("济南市水务设计院")
    page.get_by_label(re.compile("^工作单位统一社会信用代码")).fill(BAD)
    page.get_by_label(re.compile("^职称")).fill("高级工程师")
    page.get_by_role("button", name="入库").click()
    expect(page.get_by_role("alert")).to_contain_text("工作单位统一社会信用代码：校验码应为9")
    expect(page.get_by_label(re.compile("^姓名"))).to_have_value("林水")
    check_a11y(page, "review-pool-refused")
    page.get_by_label(re.compile("^工作单位统一社会信用代码")).fill(GOOD)
    page.get_by_role("button", name="入库").click()
    expect(page.get_by_role("status").or_(page.locator(".alert--success"))).to_contain_text("ZJ-0901")
    page.get_by_role("link", name="修改专家 ZJ-0901 的信息").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ZJ-0901")
    check_a11y(page, "review-pool-edit")
    page.get_by_label(re.compile("^职称")).fill("正高级工程师")
    page.get_by_role("button", name="保存修改").click()
    row = page.locator("tr", has_text="ZJ-0901")
    expect(row).to_contain_text("正高级工程师")
    row.get_by_role("button", name="暂停专家 ZJ-0901 参加评审").click()
    expect(page.locator("tr", has_text="ZJ-0901")).to_contain_text("暂停")
    expect(page.get_by_role("button", name="恢复专家 ZJ-0901 参加评审")).to_be_visible()
