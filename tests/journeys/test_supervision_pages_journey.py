"""The supervision pages added after issue 15, in the browser (docs/supervision.md):

- 新建规则: jn_supervisor drafts a rule of a kind from the catalogue with typed params; he sees
  the draft and no 发布 for himself (four eyes); sd_supervisor publishes it; the rule is in force.
- 发出督办 (free-standing): from a case row of the dashboard's drill-down to that case's
  department, whose approver finds it among the 督办 sent to it.
- 考评方案: sd_supervisor publishes jn_supervisor's draft of KP-DEPT v2 (the demo's); the
  evaluation's 按区划排名 lists the regions.
- /data/: a published month names its ledger entry, which opens.

Each new page is checked with axe; the new forms also at phone width (nothing scrolls
sideways), by keyboard (Tab reaches the submit button) and for a label on every field.
"""

import re
import secrets

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEALTH = "济南市卫生健康委员会"  # the demo's department with cases past their committed date
HEALTH_APPROVER = "jn_health_app"  # 卫生健康委员会 审批决定: answers the 督办 sent to it
TAB_LIMIT = 60  # more Tab presses than any of these forms has stops


def unlabelled_fields(page, form: str) -> list[str]:
    """The visible fields of `form` that no <label> names (a legend alone names no radio)."""
    return list(
        page.evaluate(
            """(form) => [...document.querySelectorAll(`${form} input, ${form} select, ${form} textarea`)]
                .filter(el => el.type !== "hidden" && (!el.labels || el.labels.length === 0))
                .map(el => el.name || el.id)""",
            form,
        )
    )


def tab_to_submit(page, form: str) -> None:
    """From the form's first field, Tab (never the mouse) reaches its submit button."""
    page.locator(f"{form} :is(input:not([type=hidden]), select, textarea)").first.focus()
    for _ in range(TAB_LIMIT):
        if page.evaluate(
            "(form) => document.activeElement === document.querySelector(`${form} button[type=submit]`)", form
        ):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab from the first field of {form} did not reach its submit button in {TAB_LIMIT} presses")


def check_form(page, form: str) -> None:
    assert unlabelled_fields(page, form) == []
    tab_to_submit(page, form)


def check_phone(new_page, login, scroll_width, username: str, path: str, form: str) -> None:
    phone = new_page(phone=True)
    login(phone, username)
    phone.goto(path)
    expect(phone.locator(f"{form} button[type=submit]")).to_be_visible()
    width, viewport = scroll_width(phone)
    assert width <= viewport, f"{path} scrolls sideways on a phone ({width} > {viewport})"


def test_a_new_rule_is_drafted_by_one_supervisor_and_published_by_another(
    page, new_page, check_a11y, login, scroll_width
):
    code = f"JT-{secrets.token_hex(2).upper()}"  # the journeys' platform may be reused
    login(page, "jn_supervisor")
    page.goto("/workbench/supervision/rules/")
    page.get_by_role("link", name="新建规则").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新建监察规则")
    check_a11y(page, "rule-new-kinds")
    check_form(page, "#form-rule")
    page.get_by_role("radio", name=re.compile("不予受理率翻番")).check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("不予受理率翻番"))).to_be_visible()
    expect(page.get_by_label(re.compile("^倍数"))).to_have_value("200")  # the kind's defaults
    expect(page.get_by_label(re.compile("^最小件数"))).to_have_value("5")
    check_a11y(page, "rule-new-form")
    check_form(page, "#form-rule")
    check_phone(new_page, login, scroll_width, "jn_supervisor", page.url, "#form-rule")

    page.get_by_label(re.compile("^规则编号")).fill(code)
    page.get_by_label(re.compile("^规则名称")).fill("不予受理率骤升（旅程）")
    page.get_by_label("监察范围").select_option(label="济南市")
    page.get_by_label(re.compile("^倍数")).fill("1e3")  # a number written as no one should
    page.get_by_label(re.compile("^最小件数")).fill("10000")
    page.get_by_role("radio", name="红色").check()
    page.get_by_role("button", name="保存为草稿").click()
    factor = page.get_by_label(re.compile("^倍数"))
    expect(factor).to_have_attribute("aria-invalid", "true")
    expect(factor).to_have_value("1e3")  # what was typed is kept
    expect(page.get_by_label(re.compile("^规则编号"))).to_have_value(code)
    expect(page.locator("#form-rule .field--error")).to_contain_text("应为整数")  # named by its field
    check_a11y(page, "rule-new-refused")

    factor.fill("300")
    page.get_by_role("button", name="保存为草稿").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)
    versions = page.locator("table tbody tr")
    expect(versions).to_have_count(1)
    expect(versions.first.locator('td[data-label="状态"]')).to_have_text("草稿")
    expect(versions.first.locator('td[data-label="参数"]')).to_contain_text("factor_percent=300")
    expect(versions.first).to_contain_text("待起草人以外的监督人员发布")
    expect(versions.first.get_by_role("button", name="发布")).to_have_count(0)  # not for the drafter
    expect(page.locator("main")).to_contain_text("济南市及其下级区划")
    rule_url = page.url
    check_a11y(page, "rule-draft")

    province = new_page()
    login(province, "sd_supervisor")
    province.goto(rule_url)
    province.locator("table tbody tr").first.get_by_role("button", name="发布").click()
    expect(province.locator('table tbody tr td[data-label="状态"]').first).to_have_text("生效")

    page.reload()
    expect(versions.first.locator('td[data-label="状态"]')).to_have_text("生效")
    expect(versions.first.locator('td[data-label="发布"]')).to_contain_text("账本条目")
    expect(page.get_by_role("button", name="发布")).to_have_count(0)
    page.goto("/workbench/supervision/rules/")
    expect(page.locator("table tbody tr", has_text=code)).to_be_visible()


def test_a_supervisor_sends_a_notice_from_a_drilled_case_and_its_department_sees_it(
    page, new_page, check_a11y, login, scroll_width
):
    login(page, "jn_supervisor")
    page.goto("/workbench/supervision/notices/")
    expect(page.get_by_role("link", name="发出督办")).to_be_visible()  # the list offers the page
    page.goto("/workbench/supervision/")
    page.locator("table tbody tr", has_text=HEALTH).locator('td[data-label="当前超承诺时限"] a').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("红牌")
    row = page.locator("table tbody tr").first
    number = row.locator('td[data-label="办件编号"]').inner_text().strip()
    row.get_by_role("link", name=f"督办办件 {number}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("发出督办")
    expect(page.get_by_label(re.compile("^办件编号"))).to_have_value(number)
    check_a11y(page, "notice-new")
    check_form(page, "#form-notice")
    check_phone(new_page, login, scroll_width, "jn_supervisor", page.url, "#form-notice")

    subject = f"超期未办结（旅程 {secrets.token_hex(2)}）"
    page.get_by_label(re.compile("^督办主题")).fill(subject)
    page.get_by_label(re.compile("^督办事项")).fill("该办件已超过承诺办结时限，请说明原因并于期限内办结。")
    page.get_by_role("button", name="发出督办").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("督办")
    main = page.locator("main")
    expect(main).to_contain_text("待答复")
    expect(main).to_contain_text(HEALTH)
    expect(main).to_contain_text(number)
    code = page.locator("h1 .num").inner_text()
    check_a11y(page, "notice-sent")

    department = new_page()
    login(department, HEALTH_APPROVER)
    department.goto("/workbench/supervision/notices/")
    listed = department.locator("table tbody tr", has_text=code)
    expect(listed).to_contain_text(subject)
    listed.get_by_role("link", name=code).click()
    expect(department.locator("main")).to_contain_text("该办件已超过承诺办结时限")
    expect(department.get_by_role("button", name="提交答复")).to_be_visible()  # the department may answer


def test_a_second_supervisor_publishes_the_drafted_scheme_and_the_evaluation_ranks_regions(
    page, new_page, check_a11y, login, scroll_width
):
    drafter = new_page()
    login(drafter, "jn_supervisor")
    drafter.goto("/workbench/supervision/evaluation/schemes/KP-DEPT/")
    draft = drafter.locator("table tbody tr", has_text="第 2 版")
    expect(draft.locator('td[data-label="状态"]')).to_have_text("草稿")
    expect(draft).to_contain_text("待另一位监督人员发布")
    expect(draft.get_by_role("button")).to_have_count(0)  # the drafter may not publish it

    login(page, "sd_supervisor")
    page.goto("/workbench/supervision/evaluation/")
    page.get_by_role("link", name="考评方案").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("考评方案")
    check_a11y(page, "schemes")
    page.get_by_role("link", name="KP-DEPT").click()
    check_a11y(page, "scheme-kp-dept")
    check_form(page, "#form-version")
    check_phone(new_page, login, scroll_width, "sd_supervisor", page.url, "#form-version")
    draft = page.locator("table tbody tr", has_text="第 2 版")
    expect(draft).to_contain_text("好评率 30")
    draft.get_by_role("button", name="发布第 2 版").click()
    expect(draft.locator('td[data-label="状态"]')).to_have_text("生效")
    expect(draft.locator('td[data-label="发布"]')).to_contain_text("账本条目")

    page.goto("/workbench/supervision/evaluation/")
    page.get_by_role("link", name="按区划排名").click()
    expect(page.get_by_role("heading", level=2, name="区划排名")).to_be_visible()
    regions = page.locator("table tbody tr")
    expect(regions.first).to_be_visible()
    jinan = page.locator("table tbody tr", has_text="济南市").get_by_role("link", name="济南市")
    expect(jinan).to_be_visible()
    check_a11y(page, "evaluation-regions")
    width, viewport = scroll_width(page)
    assert width <= viewport
    jinan.click()  # the region's departments, whose inputs add up to its row
    expect(page.get_by_role("heading", level=2, name="济南市的部门")).to_be_visible()
    expect(page.locator("table tbody tr").first).to_be_visible()


def test_the_public_data_page_names_a_published_month_in_the_ledger(new_page, check_a11y):
    public = new_page()
    public.goto("/data/")
    published = public.locator("section", has=public.get_by_role("heading", name="已上链公开的月度数据"))
    expect(published).to_be_visible()
    month = published.locator("li").first
    month_name = month.get_by_role("link").first.inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}", month_name), month_name
    month.get_by_role("link", name=month_name).click()
    reference = public.locator("#published-reference")
    expect(reference).to_contain_text(f"{month_name} 的数据")
    expect(reference).to_contain_text("SHA-256")
    check_a11y(public, "data-published-month")
    reference.get_by_role("link", name=re.compile("^账本条目 #")).click()
    expect(public.get_by_role("heading", level=1)).to_contain_text("账本记录")
    expect(public.locator("main")).to_contain_text("supervision.figures_published")
    check_a11y(public, "ledger-figures-published")
