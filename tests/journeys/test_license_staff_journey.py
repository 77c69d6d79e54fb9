"""An approver of 济南市行政审批服务局 suspends, resumes and revokes one of the department's
e-licenses in the workbench, and anyone's status check follows at once; a window clerk of the
same department reads the license on a phone and is offered no action."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def expect_done(page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_have_count(0)


def open_panel(page, action: str):
    panel = page.locator(f"details#form-{action}")
    if panel.get_attribute("open") is None:
        panel.locator("summary").first.click()
    return panel.locator("form")


def public_status(page, identifier: str) -> str:
    return page.request.get(f"/api/v1/licenses/status/{identifier}").json()["status"]


def test_an_approver_suspends_resumes_and_revokes_a_license(page, new_page, check_a11y, login, scroll_width):
    login(page, "jn_approver")
    page.goto("/workbench/")
    page.get_by_role("navigation", name="工作台导航").get_by_role("link", name="电子证照").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("电子证照")
    # A 食品经营许可证 of 泉城餐饮 (the demo's, or one a case journey decided): no other journey
    # reads those, while zhangsan's 营业执照 is the verify and share journeys'.
    page.get_by_label("状态").select_option(label="有效")
    page.get_by_label("证照类型").select_option(label="食品经营许可证")
    page.get_by_role("button", name="查询").click()
    check_a11y(page, "licenses-valid")
    page.locator("table tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="证照操作")).to_be_visible()
    url = page.url
    identifier = url.rstrip("/").rsplit("/", 1)[1]
    assert public_status(page, identifier) == "valid"
    check_a11y(page, "license-valid")

    # 暂停 without a reason: the message names the field; then with one.
    form = open_panel(page, "suspend")
    form.get_by_role("button", name="暂停证照").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("理由：必填")
    check_a11y(page, "license-suspend-refused")
    form = open_panel(page, "suspend")
    form.get_by_label(re.compile("^暂停理由")).fill("现场检查发现超范围经营，责令整改")
    form.get_by_role("button", name="暂停证照").click()
    expect_done(page, "电子证照已暂停")
    assert public_status(page, identifier) == "suspended"
    expect(page.get_by_role("heading", name="状态记录").locator("xpath=../..")).to_contain_text("责令整改")

    form = open_panel(page, "resume")
    form.get_by_label(re.compile("^恢复理由")).fill("整改完成，复查合格")
    form.get_by_role("button", name="恢复有效").click()
    expect_done(page, "电子证照已恢复有效")
    assert public_status(page, identifier) == "valid"

    # 撤销: reason and legal basis, then a confirmation page; only its button revokes.
    form = open_panel(page, "revoke")
    form.get_by_label(re.compile("^撤销理由")).fill("以欺骗手段取得许可")
    form.get_by_label(re.compile("^法律依据")).fill("《中华人民共和国行政许可法》第六十九条第二款")
    form.get_by_role("button", name="撤销证照…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认撤销电子证照")
    check_a11y(page, "license-revoke-confirm")
    assert public_status(page, identifier) == "valid"
    page.get_by_role("button", name="确认撤销").click()
    expect_done(page, "电子证照已撤销")
    assert public_status(page, identifier) == "revoked"
    expect(page.get_by_role("heading", name="证照操作")).to_have_count(0)
    check_a11y(page, "license-revoked")

    # The department's window clerk reads it on a phone: no sideways scroll, no actions.
    clerk = new_page(phone=True)
    login(clerk, "jn_window")
    clerk.goto("/workbench/licenses/")
    width, viewport = scroll_width(clerk)
    assert width <= viewport, f"the license list scrolls sideways on a phone: {width}px in {viewport}px"
    check_a11y(clerk, "phone-licenses")
    clerk.goto(url)
    expect(clerk.locator(".badge--large")).to_have_text("已撤销")
    expect(clerk.get_by_text("法律依据：《中华人民共和国行政许可法》第六十九条第二款")).to_be_visible()
    width, viewport = scroll_width(clerk)
    assert width <= viewport, f"the license page scrolls sideways on a phone: {width}px in {viewport}px"
    check_a11y(clerk, "phone-license")


def test_an_approver_reissues_a_license_with_a_changed_fact(page, check_a11y, login):
    login(page, "jn_approver")
    # 泉城餐饮's 营业执照: a re-issue keeps it valid (the 免提交 of food applications still finds
    # it), and the verify and share journeys read zhangsan's, not this one.
    page.goto("/workbench/licenses/")
    page.get_by_label("证照编号 / 持证主体 / 标识").fill("泉城餐饮")
    page.get_by_label("状态").select_option(label="有效")
    page.get_by_label("证照类型").select_option(label="营业执照")
    page.get_by_role("button", name="查询").click()
    page.locator("table tbody tr").last.get_by_role("link").click()
    form = open_panel(page, "reissue")
    field = form.locator("input[name^='fact-'], textarea[name^='fact-']").first
    field.fill(field.input_value() + "（变更）")
    form.get_by_label(re.compile("^变更理由")).press("Tab")  # reachable from the keyboard
    form.get_by_label(re.compile("^变更理由")).fill("登记事项变更")
    form.get_by_role("button", name="换发新版本").press("Enter")
    expect_done(page, "已换发第 2 版电子证照")
    expect(page.get_by_text("（变更）").first).to_be_visible()
    check_a11y(page, "license-reissued")
    page.get_by_role("link", name="第 1 版").click()
    expect(page.get_by_role("note").filter(has_text="本版本已被替代")).to_be_visible()
