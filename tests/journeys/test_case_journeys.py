"""The journeys of issue 6: from the guide to a decision, in the browser, as each person.

1. A visitor searches the guide for “开饭店”, opens 食品经营许可, reads the materials and
   the time limits, logs in as lisi (agent of the demo enterprise), applies with uploads and
   gets a receipt.
2. jn_window asks for a supplement (一次性告知); lisi supplies it; jn_window accepts;
   jn_reviewer and jn_approver decide; lisi sees the result and why the due date is what it is.
3. 建设工程规划许可证核发: four departments each approve their branch of the joint review;
   a special procedure (专家评审) suspends and resumes the clock; the planning bureau decides.
4. 阳光审批公示 lists the decision and its proof verifies in the browser.
5. Bad input — a wrong ID number, a missing required field, a “.pdf” that is text, an
   oversize file — each gets a clear Chinese message and nothing entered is lost.

Every page visited gets check_a11y. The journeys create their own cases, so they do not
depend on each other (journey 4 reuses journey 2's decided case when it ran first).
Skipped (module-wide, at run time) only while the guide or the application page is missing.
"""

import re

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import resident_id_check_char

pytestmark = pytest.mark.browser

FOOD = "000136019000"  # 食品经营许可 (yiwang.demo.items)
PLANNING = "000112012000"  # 建设工程规划许可证核发
ENTERPRISE = "济南泉城餐饮管理有限公司"
FOOD_MATERIALS = {
    "application": "食品经营许可申请书",
    "layout": "与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
    "rules": "食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度目录",
    "authorisation": "授权委托书及代理人身份证明",
}
PLANNING_BRANCHES = [  # (persona, task, department): the joint review of the demo catalog
    ("jn_planning_rev", "规划审查", "济南市自然资源和规划局"),
    ("jn_fire_rev", "消防审查", "济南市消防救援支队"),
    ("jn_airdef_rev", "人防审查", "济南市人民防空办公室"),
    ("jn_transport_rev", "交通影响审查", "济南市交通运输局"),
]


def _resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


WANGWU_ID = _resident_id("370112", "19750612", "318")  # the enterprise's legal representative
BAD_ID = WANGWU_ID[:-1] + ("0" if WANGWU_ID[-1] != "0" else "1")  # right length, wrong check character


# --- the guard: run as soon as the guide and the application page exist ---------------------------


@pytest.fixture(scope="module", autouse=True)
def _pages_exist(platform):
    status, _ = platform.get("/guide/")
    if status == 404:
        pytest.skip("waiting for the catalog guide: /guide/ is not there yet")
    status, body = platform.get(f"/guide/{FOOD}/")
    match = re.search(rb'href="(/apply/\d+/)"', body) if status == 200 else None
    if match is None:
        pytest.skip(f"waiting for the guide item page with its 在线办理 link (/guide/{FOOD}/ -> {status})")
    status, _ = platform.get(match.group(1).decode())  # anonymous: the login page (after a redirect) if it exists
    if status == 404:
        pytest.skip("waiting for the application page: /apply/<version>/ is not there yet")


# --- applicant side ------------------------------------------------------------------------------


CITY_OFFICE = "济南市行政审批服务局"  # the demo also has 历下区's office implementing 食品经营许可


def open_guide_item(page, check_a11y, query: str, item_name: str, department: str = CITY_OFFICE) -> None:
    page.goto("/")
    check_a11y(page, "home")
    search = page.get_by_role("search").get_by_role("searchbox", name="搜索办事事项")
    search.fill(query)
    search.press("Enter")
    page.wait_for_url(re.compile(r"/guide/\?"))
    expect(page.get_by_role("heading", name=re.compile(f"“{query}”的搜索结果"))).to_be_visible()
    check_a11y(page, f"guide-{query}")
    result = page.locator("#guide-results li", has_text=f"{department} ·")
    result.get_by_role("link", name=item_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(item_name)
    check_a11y(page, f"guide-item-{item_name}")


def fill_food_form(page, *, name: str = "泉城餐饮泉城路店", address: str = "济南市历下区泉城路188号一层") -> None:
    """The 食品经营许可 form, applying for the demo enterprise with lisi as its agent."""
    page.get_by_role("radio", name=re.compile(ENTERPRISE)).check()
    page.get_by_label(re.compile("^经营者名称")).fill(name)
    page.get_by_label(re.compile("^经营场所")).fill(address)
    page.get_by_role("checkbox", name="热食类食品制售").check()
    page.get_by_role("checkbox", name="自制饮品制售").check()
    page.get_by_label(re.compile("^负责人身份证号")).fill(WANGWU_ID)
    page.get_by_role("checkbox", name=re.compile("^委托代理人办理")).check()


def material_input(scope, name: str):
    """The file input of one material, by its accessible name (选择文件：<material>)."""
    return scope.get_by_label(re.compile(f"(选择文件|重新选择文件以替换)：{re.escape(name)}$"))


def upload_food_materials(page, files) -> None:
    material_input(page, FOOD_MATERIALS["application"]).set_input_files(files.pdf("食品经营许可申请书.pdf"))
    material_input(page, FOOD_MATERIALS["layout"]).set_input_files(files.png("经营布局图.png"))
    material_input(page, FOOD_MATERIALS["rules"]).set_input_files(files.pdf("食品安全规章制度目录.pdf"))
    # 委托代理人办理 is ticked: the 授权委托书 is now asked for (a conditional material).
    expect(material_input(page, FOOD_MATERIALS["authorisation"])).to_be_visible()
    material_input(page, FOOD_MATERIALS["authorisation"]).set_input_files(files.pdf("授权委托书.pdf"))


def receipt_number(page) -> str:
    expect(page.get_by_role("heading", name="申请回执")).to_be_visible()
    number = page.locator(".receipt__number .num").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z\-]{8,32}", number), number
    return number


def apply_for_food(page, check_a11y, login, files, *, from_guide: bool) -> str:
    """lisi applies for 食品经营许可 for the enterprise; returns the case number."""
    if from_guide:
        open_guide_item(page, check_a11y, "开饭店", "食品经营许可")
    else:
        page.goto(f"/guide/{FOOD}/")
    page.get_by_role("link", name="在线办理").first.click()
    if "/accounts/login/" in page.url:  # login_required: the form, then back to the application
        check_a11y(page, "login-for-apply")
        login(page, "lisi", goto=False)
    page.wait_for_url(re.compile(r"/apply/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可 · 在线申请")
    check_a11y(page, "apply")
    fill_food_form(page)
    upload_food_materials(page, files)
    page.get_by_role("button", name="提交申请").click()
    number = receipt_number(page)
    check_a11y(page, "receipt")
    return number


# --- staff side ----------------------------------------------------------------------------------


def open_case(page, number: str) -> None:
    page.goto(f"/workbench/cases/{number}/")
    case_page_opened(page, number)


def case_page_opened(page, number: str) -> None:
    """The workbench case page is shown — after 查看事由 when the case is not in one's own
    queue (staff say why they open a case; the read is logged)."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^(查看办件|办件) {re.escape(number)}$"))
    if heading.inner_text().startswith("查看办件"):
        page.get_by_role("radio", name="办理审查任务").check()
        page.get_by_role("button", name="查看办件").click()
    expect(heading).to_have_text(f"办件 {number}")


def action_form(page, number: str, action: str):
    """The form of one action of the workbench case page (its panel opened if folded)."""
    panel = page.locator(f"details#form-{action}")
    if panel.count() and panel.get_attribute("open") is None:
        panel.locator("summary").first.click()
    form = page.locator(f'form[action="/workbench/cases/{number}/actions/{action}/"]')
    expect(form).to_be_visible()
    return form


def expect_done(page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()
    expect(page.locator("[data-error-summary]")).to_have_count(0)


def complete_task(page, task_name: str, opinion: str) -> None:
    """Approve one review task of the case page, as the person holding its role."""
    task = page.locator("li.task").filter(has=page.get_by_text(task_name, exact=True))
    form = task.locator('form[action$="/complete/"]')
    expect(form).to_have_count(1)
    form.get_by_role("radio", name="审查通过").check()
    form.get_by_label("办理意见").fill(opinion)
    form.get_by_role("button", name=re.compile("提交审查意见")).click()
    expect_done(page, f"任务“{task_name}”已办结")


# --- shared state: journey 4 reuses journey 2's decided case -------------------------------------

DECIDED: dict[str, str] = {}


# --- 1. search, read, apply, receipt -------------------------------------------------------------


def test_1_visitor_finds_food_licence_reads_it_and_lisi_applies(page, check_a11y, login, files):
    open_guide_item(page, check_a11y, "开饭店", "食品经营许可")
    # Reads the materials: what to upload, what the department fetches itself.
    materials = page.get_by_role("table", name=re.compile("申请材料清单"))
    for name in (FOOD_MATERIALS["application"], FOOD_MATERIALS["layout"], "营业执照"):
        expect(materials).to_contain_text(name)
    licence_row = materials.get_by_role("row").filter(has_text="营业执照")
    expect(licence_row).to_contain_text("免提交")
    # Reads the limits: statutory 10 working days; committed 5 after the revision.
    facts = page.locator("section", has=page.get_by_role("heading", name="办理要点"))
    expect(facts).to_contain_text("法定办结时限")
    expect(facts).to_contain_text("10 个工作日")
    expect(facts).to_contain_text("5 个工作日")
    expect(facts).to_contain_text("零跑腿")

    number = apply_for_food(page, check_a11y, login, files, from_guide=False)
    receipt = page.locator("article.receipt")
    expect(receipt).to_contain_text("食品经营许可")
    expect(receipt).to_contain_text(ENTERPRISE)
    expect(receipt).to_contain_text("法定 10 个工作日")
    for file_name in ("食品经营许可申请书.pdf", "经营布局图.png", "食品安全规章制度目录.pdf", "授权委托书.pdf"):
        expect(receipt).to_contain_text(file_name)
    # The case is in 我的办件, for the enterprise.
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    expect(page.get_by_text(f"申请人：{ENTERPRISE}")).to_be_visible()
    check_a11y(page, "my-case")
    page.goto("/me/cases/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    check_a11y(page, "my-cases")


# --- 2. supplement, acceptance, review, decision ---------------------------------------------------


def test_2_supplement_accept_review_decide_and_lisi_sees_why(page, new_page, check_a11y, login, files):
    number = apply_for_food(page, check_a11y, login, files, from_guide=True)
    lisi = page

    # jn_window: asks once for everything missing (一次性告知).
    window = new_page()
    login(window, "jn_window")
    window.goto("/workbench/")
    expect(window.get_by_role("heading", level=1)).to_have_text("待办收件箱")
    check_a11y(window, "window-inbox")
    window.get_by_role("link", name=number, exact=True).click()
    case_page_opened(window, number)
    check_a11y(window, "window-case")
    form = action_form(window, number, "supplement")
    form.get_by_label("材料").first.select_option(label=FOOD_MATERIALS["layout"])
    form.get_by_label("问题说明").first.fill("布局图未标明食品处理区与就餐区，请补充标注后重新上传")
    form.get_by_label(re.compile("^补正说明")).fill("其余材料齐全。")
    form.get_by_role("button", name="发送补正告知").click()
    expect_done(window, "已一次性告知申请人补正 1 项")
    expect(window.get_by_role("heading", name=re.compile("补正告知"))).to_be_visible()
    check_a11y(window, "window-case-supplement-requested")

    # lisi: sees exactly what to fix, uploads it, answers.
    lisi.goto(f"/me/cases/{number}/")
    supplement = lisi.locator("#supplement")
    expect(supplement.get_by_role("heading", name=re.compile("请补正材料"))).to_be_visible()
    expect(supplement).to_contain_text("布局图未标明食品处理区与就餐区")
    expect(supplement).to_contain_text("其余材料齐全")
    check_a11y(lisi, "my-case-supplement")
    material_input(supplement, FOOD_MATERIALS["layout"]).set_input_files(files.png("经营布局图（补正）.png"))
    supplement.get_by_role("button", name="提交补正").click()
    expect_done(lisi, "补正材料已提交")
    check_a11y(lisi, "my-case-supplied")

    # jn_window: accepts.
    window.reload()
    case_page_opened(window, number)
    expect(window.locator("#materials-title").locator("xpath=ancestor::section")).to_contain_text(
        "经营布局图（补正）.png"
    )
    form = action_form(window, number, "accept")
    form.get_by_role("button", name="受理").click()
    expect_done(window, "已受理")
    check_a11y(window, "window-case-accepted")

    # jn_reviewer: the review task is in the inbox; approves it.
    reviewer = new_page()
    login(reviewer, "jn_reviewer")
    reviewer.goto("/workbench/")
    expect(reviewer.get_by_role("row").filter(has_text=number)).to_contain_text("材料审查")
    check_a11y(reviewer, "reviewer-inbox")
    reviewer.get_by_role("link", name=number, exact=True).click()
    case_page_opened(reviewer, number)
    check_a11y(reviewer, "reviewer-case")
    complete_task(reviewer, "材料审查", "材料齐全，符合法定形式，经营场所布局合理")
    check_a11y(reviewer, "reviewer-case-done")

    # jn_approver: decides.
    approver = new_page()
    login(approver, "jn_approver")
    approver.goto("/workbench/")
    approver.get_by_role("link", name=number, exact=True).click()
    case_page_opened(approver, number)
    check_a11y(approver, "approver-case")
    form = action_form(approver, number, "decide")
    form.get_by_role("radio", name="准予许可").check()
    form.get_by_label("决定意见 / 理由").fill("经审查，申请符合《食品经营许可和备案管理办法》规定的条件，准予许可。")
    form.get_by_label(re.compile("^决定依据")).fill("《中华人民共和国食品安全法》第三十五条")
    form.get_by_role("button", name="作出决定").click()
    expect_done(approver, "已作出准予许可决定")
    check_a11y(approver, "approver-case-decided")

    # lisi: the result, and why the due date is what it is.
    lisi.goto(f"/me/cases/{number}/")
    expect(lisi.get_by_role("heading", name=re.compile("办理结果：准予许可"))).to_be_visible()
    time_card = lisi.locator("section", has=lisi.get_by_role("heading", name="办理时限"))
    expect(time_card).to_contain_text("为什么是这个日期")
    explanation = time_card.locator(".clock-explain").first.inner_text()
    assert "工作日" in explanation, explanation
    timeline = lisi.locator("section", has=lisi.get_by_role("heading", name="办理过程"))
    for event in ("一次性告知", "受理", "准予许可"):
        expect(timeline).to_contain_text(event)
    check_a11y(lisi, "my-case-decided")
    DECIDED["food"] = number


# --- 3. joint review with a special procedure -----------------------------------------------------


def test_3_planning_permit_joint_review_with_a_special_procedure(page, new_page, check_a11y, login, files):
    lisi = page
    lisi.goto(f"/guide/{PLANNING}/")
    expect(lisi.get_by_role("heading", level=1)).to_have_text("建设工程规划许可证核发")
    steps = lisi.locator("section", has=lisi.get_by_role("heading", name="办理流程"))
    for _, task, department in PLANNING_BRANCHES:
        expect(steps).to_contain_text(f"{task}：{department}")
    check_a11y(lisi, "guide-planning")
    lisi.get_by_role("link", name="在线办理").first.click()
    login(lisi, "lisi", goto=False)
    expect(lisi.get_by_role("heading", level=1)).to_have_text("建设工程规划许可证核发 · 在线申请")
    lisi.get_by_role("radio", name=re.compile(ENTERPRISE)).check()
    lisi.get_by_label(re.compile("^项目名称")).fill("泉城餐饮中央厨房项目")
    lisi.get_by_label(re.compile("^建设地点")).fill("济南市历城区唐王镇工业园8号")
    lisi.get_by_label(re.compile("^总建筑面积")).fill("3200")
    material_input(lisi, "建设工程规划许可证申请表").set_input_files(files.pdf("规划许可申请表.pdf"))
    material_input(lisi, "建设工程设计方案（总平面图及建筑单体设计图）").set_input_files(files.pdf("设计方案.pdf"))
    check_a11y(lisi, "apply-planning")
    lisi.get_by_role("button", name="提交申请").click()
    number = receipt_number(lisi)
    check_a11y(lisi, "receipt-planning")

    window = new_page()
    login(window, "jn_window")
    window.goto("/workbench/")
    window.get_by_role("link", name=number, exact=True).click()
    case_page_opened(window, number)
    check_a11y(window, "window-case-planning")
    action_form(window, number, "accept").get_by_role("button", name="受理").click()
    expect_done(window, "已受理")
    # The joint review starts: one task per department, each with its own deadline.
    stages = window.locator("section", has=window.get_by_role("heading", name="办理环节"))
    for _, task, department in PLANNING_BRANCHES:
        expect(stages.locator("li.task").filter(has_text=task)).to_contain_text(department)
    check_a11y(window, "window-case-planning-accepted")

    # The planning bureau starts 专家评审: the clock stops, lisi is told why and for how long.
    planning = new_page()
    login(planning, "jn_planning_rev")
    planning.goto("/workbench/")
    expect(planning.get_by_role("row").filter(has_text=number)).to_contain_text("规划审查")
    planning.get_by_role("link", name=number, exact=True).first.click()
    case_page_opened(planning, number)
    check_a11y(planning, "planning-case")
    clock_card = planning.locator("section", has=planning.get_by_role("heading", name="办理时限"))
    form = action_form(planning, number, "suspend")
    form.get_by_label(re.compile("^程序类型")).select_option(label="专家评审")
    form.get_by_label(re.compile("^理由")).fill("建筑高度接近控规上限，需组织专家评审")
    form.get_by_label(re.compile("^预计所需时间")).fill("5")
    form.get_by_role("button", name="启动特别程序").click()
    expect_done(planning, "已启动特别程序")
    expect(clock_card.get_by_text("暂停计时", exact=True)).to_be_visible()  # the clock's badge
    check_a11y(planning, "planning-case-suspended")

    lisi.goto(f"/me/cases/{number}/")
    lisi_clock = lisi.locator("section", has=lisi.get_by_role("heading", name="办理时限"))
    expect(lisi_clock.get_by_text("暂停计时", exact=True)).to_be_visible()
    expect(lisi.locator("section", has=lisi.get_by_role("heading", name="办理过程"))).to_contain_text("专家评审")
    check_a11y(lisi, "my-case-suspended")

    planning.reload()
    case_page_opened(planning, number)
    form = action_form(planning, number, "resume")
    form.get_by_label(re.compile("^结果说明")).fill("专家评审通过")
    form.get_by_role("button", name="恢复计时").click()
    expect_done(planning, "恢复计时")
    expect(clock_card.get_by_text("暂停计时", exact=True)).to_have_count(0)
    # The explanation of the due date names the procedure and the working days not counted.
    expect(clock_card).to_contain_text(
        re.compile(r"专家评审 \d{4}-\d{2}-\d{2} 至 \d{4}-\d{2}-\d{2} 暂停计时（\d+ 个工作日不计入）")
    )

    # Each department approves its own branch of the joint review.
    for persona, task, _department in PLANNING_BRANCHES:
        reviewer = planning if persona == "jn_planning_rev" else new_page()
        if reviewer is not planning:
            login(reviewer, persona)
        reviewer.goto("/workbench/")
        row = reviewer.get_by_role("row").filter(has_text=number)
        expect(row).to_contain_text(task)
        check_a11y(reviewer, f"{persona}-inbox")
        row.get_by_role("link", name=number, exact=True).click()
        case_page_opened(reviewer, number)
        complete_task(reviewer, task, f"{task}通过")
        check_a11y(reviewer, f"{persona}-case-done")

    # The planning bureau decides — by another of its approvers: whoever reviewed the planning
    # branch may not decide (一审一核), so the reviewer is offered no decision form.
    open_case(planning, number)
    expect(planning.locator(f'form[action="/workbench/cases/{number}/actions/decide/"]')).to_have_count(0)
    approver = new_page()
    login(approver, "jn_planning_app")
    open_case(approver, number)
    form = action_form(approver, number, "decide")
    form.get_by_role("radio", name="准予许可").check()
    form.get_by_label("决定意见 / 理由").fill("联合审查通过，准予许可。")
    form.get_by_role("button", name="作出决定").click()
    expect_done(approver, "已作出准予许可决定")
    check_a11y(approver, "planning-case-decided")

    lisi.goto(f"/me/cases/{number}/")
    expect(lisi.get_by_role("heading", name=re.compile("办理结果：准予许可"))).to_be_visible()
    progress = lisi.locator("section", has=lisi.get_by_role("heading", name="办理进度"))
    for _, task, department in PLANNING_BRANCHES:
        expect(progress).to_contain_text(f"{department} · {task}")
    timeline = lisi.locator("section", has=lisi.get_by_role("heading", name="办理过程"))
    expect(timeline).to_contain_text("专家评审")
    expect(timeline).to_contain_text("恢复计时")
    check_a11y(lisi, "my-case-planning-decided")


# --- 4. the decision is disclosed and verifies ------------------------------------------------------


def test_4_disclosure_shows_the_decision_and_its_proof_verifies(page, new_page, check_a11y, login, files, platform):
    number = DECIDED.get("food")
    if number is None:  # journey 2 did not run first: make a decided case here
        lisi = new_page()
        number = apply_for_food(lisi, check_a11y, login, files, from_guide=False)
        window = new_page()
        login(window, "jn_window")
        open_case(window, number)
        action_form(window, number, "accept").get_by_role("button", name="受理").click()
        expect_done(window, "已受理")
        reviewer = new_page()
        login(reviewer, "jn_reviewer")
        open_case(reviewer, number)
        complete_task(reviewer, "材料审查", "符合条件")
        approver = new_page()
        login(approver, "jn_approver")
        open_case(approver, number)
        form = action_form(approver, number, "decide")
        form.get_by_role("radio", name="准予许可").check()
        form.get_by_role("button", name="作出决定").click()
        expect_done(approver, "已作出准予许可决定")

    page.goto("/disclosure/")
    expect(page.get_by_role("heading", level=1)).to_have_text("阳光审批公示")
    row = page.get_by_role("row").filter(has_text=number)
    expect(row, f"decision of {number} is not listed on /disclosure/").to_have_count(1)
    expect(row).to_contain_text("食品经营许可")
    expect(row).to_contain_text("准予许可")
    # The person's name never appears; the enterprise (a public holder) may.
    expect(row).not_to_contain_text("李四")
    check_a11y(page, "disclosure")
    entry_id = int(row.locator("[data-verify-entry]").get_attribute("data-verify-entry"))
    platform.wait_integrated(entry_id)
    page.reload()
    row = page.get_by_role("row").filter(has_text=number)
    row.get_by_role("button", name="验证").click()
    expect(page.locator(f"#verify-{entry_id}")).to_contain_text("验证通过")
    check_a11y(page, "disclosure-verified")


# --- 5. bad input ------------------------------------------------------------------------------------


def test_5_bad_input_gets_clear_chinese_messages_and_nothing_is_lost(page, check_a11y, login, files):
    login(page, "lisi")
    page.goto(f"/guide/{FOOD}/")
    page.get_by_role("link", name="在线办理").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可 · 在线申请")
    fill_food_form(page)
    page.get_by_label(re.compile("^经营场所")).fill("")  # a required field left empty
    page.get_by_label(re.compile("^负责人身份证号")).fill(BAD_ID)  # a wrong check character
    material_input(page, FOOD_MATERIALS["application"]).set_input_files(files.pdf("食品经营许可申请书.pdf"))
    material_input(page, FOOD_MATERIALS["layout"]).set_input_files(files.fake_pdf("经营布局图.pdf"))
    material_input(page, FOOD_MATERIALS["rules"]).set_input_files(files.oversize_pdf("规章制度目录.pdf"))
    page.get_by_role("button", name="提交申请").click()

    summary = page.get_by_role("alert").filter(has_text="请修改以下问题")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # announced by screen readers, the first thing keyboard users meet
    expect(summary).to_contain_text("保留")  # says that nothing was lost
    check_a11y(page, "apply-errors")

    def field_error(label: str, *needles: str) -> None:
        control = page.get_by_label(re.compile(f"^{label}"))
        expect(control).to_have_attribute("aria-invalid", "true")
        message = page.locator(f"#{control.get_attribute('id')}-error")
        for needle in needles:
            expect(message).to_contain_text(needle)
            expect(summary).to_contain_text(needle)

    field_error("负责人身份证号", "负责人身份证号")
    field_error("经营场所", "经营场所")

    def material_error(name: str, *needles: str) -> None:
        item = page.locator("li.material").filter(has=page.get_by_text(name, exact=True))
        for needle in needles:
            expect(item.locator(".field__error").first).to_contain_text(needle)
            expect(summary).to_contain_text(needle)
        expect(item).to_contain_text(re.compile("未保存.*请重新选择"))  # the bad file is not kept: choose again

    material_error(FOOD_MATERIALS["layout"], "经营布局图.pdf", "不是真正的 PDF 文件")
    material_error(FOOD_MATERIALS["rules"], "规章制度目录.pdf", "超过大小上限")

    # Nothing entered is lost: every value as typed, the good file stored.
    expect(page.get_by_role("radio", name=re.compile(ENTERPRISE))).to_be_checked()
    expect(page.get_by_label(re.compile("^经营者名称"))).to_have_value("泉城餐饮泉城路店")
    expect(page.get_by_label(re.compile("^负责人身份证号"))).to_have_value(BAD_ID)
    expect(page.get_by_role("checkbox", name="热食类食品制售")).to_be_checked()
    expect(page.get_by_role("checkbox", name="自制饮品制售")).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("^委托代理人办理"))).to_be_checked()
    application = page.locator("li.material").filter(has=page.get_by_text(FOOD_MATERIALS["application"], exact=True))
    expect(application).to_contain_text("已上传：食品经营许可申请书.pdf")

    # Fixing only what was wrong is enough.
    page.get_by_label(re.compile("^经营场所")).fill("济南市历下区泉城路188号一层")
    page.get_by_label(re.compile("^负责人身份证号")).fill(WANGWU_ID)
    material_input(page, FOOD_MATERIALS["layout"]).set_input_files(files.png("经营布局图.png"))
    material_input(page, FOOD_MATERIALS["rules"]).set_input_files(files.pdf("规章制度目录.pdf"))
    material_input(page, FOOD_MATERIALS["authorisation"]).set_input_files(files.pdf("授权委托书.pdf"))
    page.get_by_role("button", name="提交申请").click()
    receipt_number(page)
    receipt = page.locator("article.receipt")
    expect(receipt).to_contain_text("食品经营许可申请书.pdf")  # the file kept from the first attempt
    expect(receipt).to_contain_text("经营布局图.png")
    check_a11y(page, "receipt-after-errors")


# --- 6. the same from a phone --------------------------------------------------------------------


def test_6_lisi_applies_from_a_phone_and_nothing_scrolls_sideways(phone_page, check_a11y, login, files, scroll_width):
    page = phone_page

    def fits(name: str) -> None:
        width, viewport = scroll_width(page)
        assert width <= viewport, f"{name} scrolls sideways on a phone: content {width}px in a {viewport}px viewport"
        check_a11y(page, f"phone-{name}")

    login(page, "lisi")
    fits("my-space")
    page.goto(f"/guide/{FOOD}/")
    fits("guide-item")
    page.get_by_role("link", name="在线办理").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可 · 在线申请")
    fits("apply")
    fill_food_form(page)
    upload_food_materials(page, files)
    page.get_by_role("button", name="提交申请").click()
    number = receipt_number(page)
    fits("receipt")
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    fits("my-case")
    page.goto("/me/cases/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    fits("my-cases")
