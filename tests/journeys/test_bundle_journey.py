"""一件事 in the browser (issue 16): lisi applies once for 开办餐饮店一件事 with one form and one
set of uploads; each department sees and decides its part in the workbench; the bundle page
shows every part's progress; the results arrive together in one notice, and the parts' own
routine notices are not sent.

The journey creates its own bundle application (a new shop), so it depends on no other.
"""

import re

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import resident_id_check_char

pytestmark = pytest.mark.browser

ENTERPRISE = "济南泉城餐饮管理有限公司"
UPLOADS = {
    "公司登记（备案）申请书": "公司登记申请书.pdf",
    "全体股东/发起人主体资格证明": "股东身份证明.pdf",
    "经营场所使用证明（租赁合同或产权证明）": "租赁合同.pdf",
    "公司章程": "公司章程.pdf",
    "食品经营许可申请书": "食品经营许可申请书.pdf",
    "经营场所平面布局图（含设备设施、卫生设施布局）": "平面布局图.pdf",
    "食品安全管理制度目录": "食品安全制度.pdf",
    "授权委托书及代理人身份证明": "授权委托书.pdf",
    "公共场所卫生许可申请表": "卫生许可申请表.pdf",
    "公共场所卫生检测或者评价报告": "卫生检测报告.pdf",
    "公共场所卫生管理制度": "卫生管理制度.pdf",
    "营业执照（已领取电子营业执照的免交）": "营业执照.pdf",
    "户外广告设置申请表": "广告设置申请表.pdf",
    "广告设施设计效果图及尺寸说明": "广告效果图.pdf",
}


def _resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


WANGWU_ID = _resident_id("370112", "19750612", "318")


@pytest.fixture(scope="module", autouse=True)
def _bundle_exists(platform):
    status, _ = platform.get("/bundles/kaiban-canyindian/")
    if status != 200:
        pytest.skip("the demo bundle 开办餐饮店一件事 is not published on this platform")


def _open(page, number: str) -> None:
    page.goto(f"/workbench/cases/{number}/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^(查看办件|办件) {re.escape(number)}$"))
    if heading.inner_text().startswith("查看办件"):
        page.get_by_role("radio", name="办理审查任务").check()
        page.get_by_role("button", name="查看办件").click()
    expect(heading).to_have_text(f"办件 {number}")


def _form(page, number: str, action: str):
    panel = page.locator(f"details#form-{action}")
    if panel.count() and panel.get_attribute("open") is None:
        panel.locator("summary").first.click()
    form = page.locator(f'form[action="/workbench/cases/{number}/actions/{action}/"]')
    expect(form).to_be_visible()
    return form


def _accept(page, number: str) -> None:
    _open(page, number)
    expect(page.get_by_role("heading", name=re.compile("^属于一件事：开办餐饮店一件事"))).to_be_visible()
    _form(page, number, "accept").get_by_role("button", name="受理").click()
    expect(page.get_by_role("status").filter(has_text="受理")).to_be_visible()


def _review(page, number: str) -> None:
    _open(page, number)
    task = page.locator("li.task").filter(has=page.get_by_text("材料审查", exact=True))
    form = task.locator('form[action$="/complete/"]')
    form.get_by_role("radio", name="审查通过").check()
    form.get_by_label("办理意见").fill("材料齐全，符合法定条件。")
    form.get_by_role("button", name=re.compile("提交审查意见")).click()
    expect(page.get_by_role("status").filter(has_text="已办结")).to_be_visible()


def _decide(page, number: str) -> None:
    _open(page, number)
    form = _form(page, number, "decide")
    form.get_by_role("radio", name="准予许可").check()
    form.get_by_label("决定意见 / 理由").fill("经审查，符合法定条件，准予许可。")
    form.get_by_label(re.compile("^决定依据")).fill("相关法律法规")
    form.get_by_role("button", name="作出决定").click()
    expect(page.get_by_role("status").filter(has_text="已作出准予许可决定")).to_be_visible()


def _parts(page) -> dict[str, str]:
    """Each part's case number on the bundle page, by its label."""
    numbers = {}
    for row in page.locator("tr[data-part]").all():
        cells = row.locator("td").all_inner_texts()
        numbers[cells[0].strip()] = cells[2].strip()
    return numbers


def test_lisi_applies_once_three_parts_are_decided_and_the_results_arrive_together(
    page, new_page, check_a11y, login, files
):
    # lisi: from the home page's 一件事 entry to the guide, then one form and one set of uploads.
    login(page, "lisi")
    page.goto("/")
    page.get_by_role("link", name="开办餐饮店一件事").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开办餐饮店一件事")
    check_a11y(page, "bundle-guide")
    page.get_by_role("link", name="在线办理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开办餐饮店一件事 · 在线申请")
    page.get_by_role("radio", name=re.compile(ENTERPRISE)).check()
    page.get_by_label(re.compile("^企业（门店）名称")).fill("济南泉城小馆餐饮有限公司")
    page.get_by_label(re.compile("^经营场所地址")).fill("济南市历下区泉城路200号")
    page.get_by_label(re.compile("^注册资本")).fill("50")
    page.get_by_label(re.compile("^法定代表人（负责人）身份证号")).fill(WANGWU_ID)
    page.get_by_label(re.compile("^经营范围")).fill("餐饮服务；食品销售。")
    page.get_by_role("checkbox", name="热食类食品制售").check()
    page.get_by_role("checkbox", name=re.compile("^由代理人办理")).check()
    page.get_by_role("checkbox", name=re.compile("^营业面积较大")).check()
    page.get_by_label(re.compile("^营业面积（平方米）")).fill("180")
    page.get_by_role("checkbox", name=re.compile("^设置户外招牌或广告")).check()
    page.get_by_label(re.compile("^招牌设置位置")).fill("泉城路200号门头")
    page.get_by_label(re.compile("^招牌面积")).fill("6")
    for name, filename in UPLOADS.items():
        page.get_by_label(re.compile(f"选择文件：{re.escape(name)}$")).set_input_files(files.pdf(filename))
    check_a11y(page, "bundle-apply")
    page.get_by_role("button", name="一次提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开办餐饮店一件事")
    expect(page.locator("[data-bundle-status]")).to_have_text("办理中")
    parts = _parts(page)
    assert set(parts) == {"公司设立登记（营业执照）", "食品经营许可", "公共场所卫生许可", "户外广告设置许可"}
    expect(page.locator('tr[data-part="sign"]')).to_contain_text("准予后自动提交")
    check_a11y(page, "bundle-submitted")

    # The window of 济南市 accepts each submitted part; 公司设立登记 is registered at once.
    window = new_page()
    login(window, "jn_window")
    for label in ("公司设立登记（营业执照）", "食品经营许可", "公共场所卫生许可"):
        _accept(window, parts[label])
    check_a11y(window, "window-part")

    # The sign permit was submitted by itself once the company was registered.
    page.reload()
    parts = _parts(page)
    assert parts["户外广告设置许可"] not in ("", "—")
    _accept(window, parts["户外广告设置许可"])

    # Three departments, each its own part: 行政审批服务局 the food permit, 城市管理局 the sign
    # permit, 卫生健康委员会 the hygiene permit.
    reviewer, approver = new_page(), new_page()
    login(reviewer, "jn_reviewer")
    login(approver, "jn_approver")
    _review(reviewer, parts["食品经营许可"])
    _decide(approver, parts["食品经营许可"])
    urban_reviewer, urban_approver = new_page(), new_page()
    login(urban_reviewer, "jn_urban_rev")
    login(urban_approver, "jn_urban_app")
    _review(urban_reviewer, parts["户外广告设置许可"])
    check_a11y(urban_reviewer, "urban-part")
    _decide(urban_approver, parts["户外广告设置许可"])
    page.reload()
    expect(page.locator("[data-bundle-status]")).to_have_text("办理中")  # one part still under review

    health_reviewer, health_approver = new_page(), new_page()
    login(health_reviewer, "jn_health_rev")
    login(health_approver, "jn_health_app")
    _review(health_reviewer, parts["公共场所卫生许可"])
    check_a11y(health_reviewer, "health-part")
    _decide(health_approver, parts["公共场所卫生许可"])

    # lisi: every part decided, the results delivered together, one notice.
    page.reload()
    expect(page.locator("[data-bundle-status]")).to_have_text("已办结（结果已送达）")
    expect(page.get_by_role("status").filter(has_text="统一送达")).to_be_visible()
    check_a11y(page, "bundle-delivered")
    notice = page.get_by_role("heading", name=re.compile("【开办餐饮店一件事】办理结果统一送达"))
    for _ in range(30):  # the worker delivers the outbox after the decision's commit
        page.goto("/me/messages/")
        if notice.count():
            break
        page.wait_for_timeout(2000)
    expect(notice).to_have_count(1)
    # none of the parts' own receipts, acceptances, decisions or conclusions (newest first)
    for number in parts.values():
        own = page.locator(".message-list__body").filter(has_text=re.compile(f"^办件编号 {re.escape(number)}："))
        expect(own).to_have_count(0)
