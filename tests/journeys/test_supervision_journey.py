"""Issue 15's "Done when" in the browser: jn_supervisor opens the monitoring dashboard on the
demo's months of history, drills from a department's overdue count to its cases, finds a rule
hit the demo produced and sends a 督办, which the department answers and the supervisor closes;
the monthly evaluation ranks the demo's departments with 好评率 among its indicators; the public
data page shows the same on-time rate as the dashboard for the same period."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEALTH = "济南市卫生健康委员会"  # the demo's department with the worst record (yiwang.demo.history)
APPROVAL = "济南市行政审批服务局"  # where the demo's decision at 21:30 was made


def test_a_supervisor_follows_the_figures_to_cases_and_a_rule_hit_to_an_answered_notice(
    page, new_page, check_a11y, login, scroll_width
):
    login(page, "jn_supervisor")
    page.goto("/workbench/supervision/")
    main = page.locator("main")
    expect(main).to_contain_text("红牌：超承诺时限")
    expect(main).to_contain_text("按期办结率")
    check_a11y(page, "supervision-board")
    period = page.locator("#filter-since").input_value(), page.locator("#filter-until").input_value()
    rate = re.search(r"按期办结率\s*([\d.]+)%", main.inner_text())
    assert rate, main.inner_text()

    row = page.locator("table tbody tr", has_text=HEALTH)
    overdue = row.locator('td[data-label="当前超承诺时限"] a')
    count = int(overdue.inner_text())
    assert count > 0  # the demo leaves some of 卫健委's cases past their committed date
    overdue.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("红牌")
    listed = page.locator("table tbody tr")
    expect(listed).to_have_count(count)
    expect(listed.first).to_contain_text(HEALTH)
    check_a11y(page, "supervision-drill")

    phone = new_page(phone=True)
    login(phone, "jn_supervisor")
    phone.goto("/workbench/supervision/")
    width, viewport = scroll_width(phone)
    assert width <= viewport  # the dashboard does not scroll sideways on a phone

    page.goto("/workbench/supervision/hits/")
    page.get_by_label("部门").select_option(label=APPROVAL)
    page.get_by_role("button", name="筛选").click()
    # The demo's decision at night; other journeys may add hits (they decide cases at any hour).
    hit = page.locator("table tbody tr", has_text="非工作时间作出决定").first
    expect(hit).to_be_visible()
    check_a11y(page, "supervision-hits")
    hit.locator("summary", has_text="发出督办").click()
    hit.get_by_label(re.compile("^督办事项")).fill("非工作时间作出审批决定，请说明原因并规范审批时间。")
    hit.get_by_role("button", name="发出督办").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("督办")
    expect(page.locator("main")).to_contain_text("待答复")
    notice_url = page.url
    code = page.locator("h1 .num").inner_text()

    department = new_page()
    login(department, "jn_approver")  # an approver of the department answers 督办
    department.goto("/workbench/supervision/notices/")
    department.locator("table tbody tr", has_text=code).get_by_role("link", name=code).click()
    department.get_by_label(re.compile("^答复")).fill("系系统批量处理延迟所致，已改为工作时间内人工确认后作出决定。")
    department.get_by_role("button", name="提交答复").click()
    expect(department.locator("main")).to_contain_text("已答复")
    check_a11y(department, "supervision-notice-answered")

    page.goto(notice_url)
    expect(page.locator("main")).to_contain_text("已改为工作时间内人工确认")
    page.get_by_role("button", name="同意答复，办结").click()
    expect(page.locator("main")).to_contain_text("已办结")

    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    page.goto(f"/workbench/supervision/evaluation/?month={month}")
    ranking = page.locator("table tbody tr")
    expect(ranking.first).to_be_visible()
    assert ranking.count() >= 2
    expect(page.locator("table thead")).to_contain_text("好评率")
    expect(ranking.first.locator('td[data-label="名次"]')).to_have_text("1")
    check_a11y(page, "supervision-evaluation")

    public = new_page()
    public.goto(f"/data/?since={period[0]}&until={period[1]}")
    expect(public.locator("main")).to_contain_text(f"{rate.group(1)}%")
    expect(public.locator("main")).to_contain_text(HEALTH)
    check_a11y(public, "public-data")
