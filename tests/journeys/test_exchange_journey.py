"""Issue 13's "Done when", the applicant's and the window's part: lisi applies for 食品经营许可
without uploading the business license (the platform reads it from 市场监管's register, the
stand-in process the demo run started); the window sees the fetched license with its
source; lisi sees the read in 我的数据使用记录. With the register stopped (SIGSTOP: it
accepts connections and never answers, like a hung system), the same application still goes
through by upload, after a message that says why.
"""

import json
import os
import re
import signal

import pytest
from playwright.sync_api import expect
from test_case_journeys import (
    apply_for_food,
    case_page_opened,
    fill_food_form,
    material_input,
    receipt_number,
    upload_food_materials,
)

pytestmark = pytest.mark.browser

SOURCE = "济南市市场监督管理局·市场主体登记信息"


def _registry_pid(platform) -> int:
    if platform.data_dir is None:
        pytest.skip("an external platform: its provider system is not ours to stop")
    found = json.loads((platform.data_dir / "exchange" / "registry.json").read_text())
    return int(found["pid"])


def test_lisis_business_license_is_fetched_the_window_sees_its_source_and_she_sees_the_read(
    page, new_page, check_a11y, login, files
):
    number = apply_for_food(page, check_a11y, login, files, from_guide=False)
    expect(page.locator("article.receipt")).not_to_contain_text("营业执照.pdf")  # nothing uploaded

    window = new_page()
    login(window, "jn_window")
    window.goto(f"/workbench/cases/{number}/")
    case_page_opened(window, number)
    link = window.get_by_role("link", name=f"数据共享：{SOURCE}")
    expect(link).to_be_visible()
    link.click()
    expect(window.get_by_role("heading", level=1)).to_have_text("营业执照")
    shared = window.locator("section", has=window.get_by_role("heading", name=re.compile("调取的数据")))
    expect(shared).to_contain_text("统一社会信用代码")
    expect(shared).to_contain_text("济南泉城餐饮管理有限公司")
    expect(shared).not_to_contain_text("法定代表人身份证号")  # not granted
    check_a11y(window, "shared-evidence")

    page.goto("/me/data-reads/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("数据使用记录")
    row = page.locator("main").get_by_text(number).first
    expect(row).to_be_visible()
    expect(page.locator("main")).to_contain_text("市场主体登记信息")
    expect(page.locator("main")).to_contain_text("济南市行政审批服务局")
    check_a11y(page, "data-reads")


def test_with_the_register_stopped_the_application_goes_through_by_upload(platform, page, check_a11y, login, files):
    pid = _registry_pid(platform)
    login(page, "lisi")
    page.goto("/guide/000136019000/")
    page.get_by_role("link", name="在线办理").first.click()
    page.wait_for_url(re.compile(r"/apply/"))
    fill_food_form(page, name="泉城餐饮经十路店", address="济南市历下区经十路88号")
    upload_food_materials(page, files)
    os.kill(pid, signal.SIGSTOP)
    try:
        page.get_by_role("button", name="提交申请").click()
        notice = page.get_by_text(re.compile("暂未能从济南市市场监督管理局“市场主体登记信息”调取“营业执照”")).first
        expect(notice).to_be_visible(timeout=20_000)
        check_a11y(page, "shared-fetch-failed")
        # what was typed and uploaded is kept; the 营业执照 is now asked for
        expect(page.get_by_label(re.compile("^经营者名称"))).to_have_value("泉城餐饮经十路店")
        material_input(page, "营业执照").set_input_files(files.pdf("营业执照.pdf"))
        page.get_by_role("button", name="提交申请").click()
        number = receipt_number(page)
    finally:
        os.kill(pid, signal.SIGCONT)
    expect(page.locator("article.receipt")).to_contain_text("营业执照.pdf")
    assert number
