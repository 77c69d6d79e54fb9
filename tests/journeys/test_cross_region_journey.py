"""跨域通办 in the browser (docs/cross-region.md): lisi applies for 济南's 食品经营许可 choosing
收件地 泰安; the 泰安 window (ta_window) checks and hands it over; jn_window confirms receipt and
accepts; the 济南 reviewer and approver decide; ta_window follows the decided case."""

import re

import pytest
from playwright.sync_api import expect
from test_case_journeys import (
    action_form,
    case_page_opened,
    complete_task,
    expect_done,
    fill_food_form,
    open_guide_item,
    receipt_number,
    upload_food_materials,
)

pytestmark = pytest.mark.browser

TAIAN = "泰安市行政审批服务局"


def test_a_taian_window_receives_a_jinan_application_and_hands_it_over(page, new_page, check_a11y, login, files):
    # lisi: applies online, choosing to hand in at the 泰安 window.
    open_guide_item(page, check_a11y, "开饭店", "食品经营许可")  # 济南市's (历下区 has one too)
    expect(page.get_by_text(re.compile("异地代收代办：可在山东省的政务服务窗口递交申请材料"))).to_be_visible()
    page.get_by_role("link", name="在线办理").first.click()
    if "/accounts/login/" in page.url:
        login(page, "lisi", goto=False)
    page.wait_for_url(re.compile(r"/apply/"))
    fill_food_form(page, name="泉城餐饮泰山分店")
    upload_food_materials(page, files)
    page.get_by_label(re.compile("^收件地")).select_option(label=TAIAN)
    check_a11y(page, "apply-intake")
    page.get_by_role("button", name="提交申请").click()
    number = receipt_number(page)
    expect(page.get_by_text(re.compile(f"收件窗口（{TAIAN}）将于"))).to_be_visible()

    # ta_window: finds it in the inbox, checks it and hands it over.
    taian = new_page()
    login(taian, "ta_window")
    taian.goto("/workbench/")
    expect(taian.get_by_role("row").filter(has_text=number)).to_contain_text("异地收件：核对后移交")
    taian.get_by_role("link", name=number, exact=True).click()
    case_page_opened(taian, number)
    check_a11y(taian, "taian-case")
    expect(taian.get_by_role("button", name="受理")).to_have_count(0)  # not theirs to accept
    form = action_form(taian, number, "hand_over")
    form.get_by_label(re.compile("^原件寄递单号")).fill("EMS9988776655")
    form.get_by_role("button", name="确认移交").click()
    expect_done(taian, "已移交济南市行政审批服务局")

    # jn_window: sees it arriving, confirms receipt, accepts.
    window = new_page()
    login(window, "jn_window")
    window.goto("/workbench/")
    expect(window.get_by_role("row").filter(has_text=number)).to_contain_text(f"待接收：{TAIAN}移交的申请")
    window.get_by_role("link", name=number, exact=True).click()
    case_page_opened(window, number)
    record = window.locator("section", has=window.get_by_role("heading", name="异地收件移交记录"))
    expect(record).to_contain_text("EMS9988776655")
    expect(record).to_contain_text("SHA-256")
    action_form(window, number, "receive_handover").get_by_role("button", name="确认接收").click()
    expect_done(window, "已确认接收移交")
    action_form(window, number, "accept").get_by_role("button", name="受理").click()
    expect_done(window, "已受理")
    check_a11y(window, "jinan-case-accepted")

    # 济南's reviewer and approver decide.
    reviewer = new_page()
    login(reviewer, "jn_reviewer")
    reviewer.goto(f"/workbench/cases/{number}/")
    case_page_opened(reviewer, number)
    complete_task(reviewer, "材料审查", "材料齐全，符合法定形式")
    approver = new_page()
    login(approver, "jn_approver")
    approver.goto(f"/workbench/cases/{number}/")
    case_page_opened(approver, number)
    form = action_form(approver, number, "decide")
    form.get_by_role("radio", name="准予许可").check()
    form.get_by_label("决定意见 / 理由").fill("经审查，申请符合条件，准予许可。")
    form.get_by_role("button", name="作出决定").click()
    expect_done(approver, "已作出准予许可决定")

    # ta_window: follows the decided case (reads it; no action of theirs is offered).
    taian.goto(f"/workbench/cases/{number}/")
    case_page_opened(taian, number)
    expect(taian.locator("main")).to_contain_text("准予许可")
    expect(taian.get_by_role("heading", name="办理操作")).to_have_count(0)
    check_a11y(taian, "taian-case-decided")
