"""帮办代办 in the browser (ADR 0029, issue 17 part 2).

jn_window (赵敏, the 济南 综合受理窗口) opens 工作台 → 帮办代办, finds 张三 by name and 证件号码,
picks 户外广告设置许可, fills the form with him and scans his three papers, then sends the code.
The SMS reached the stand-in gateway the demo run started (<data dir>/sms.jsonl): the journey
reads it as 张三 reads his phone, a wrong code is refused first, then the right one is entered
on the clerk's screen and the application is submitted in 张三's name. 张三 logs in and finds it
in 我的办件 marked "由窗口工作人员 赵敏 帮办". Nothing is mocked.
"""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import resident_id_check_char

pytestmark = pytest.mark.browser

ZHANGSAN_PHONE = "13900000001"
SIGN = "户外广告设置许可"
PAPERS = {
    "户外广告设置申请表": "户外广告设置申请表.pdf",
    "广告设施设计效果图及尺寸说明": "效果图.pdf",
    "设置场地使用权证明": "场地租赁合同.pdf",
}


def _zhangsan_id() -> str:
    body = "370102" + "19900307" + "123"
    return body + resident_id_check_char(body)


def _codes(record: Path) -> list[str]:
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    found = []
    for message in map(json.loads, lines):
        match = re.search(r"验证码 (\d{6})", message["text"])
        if match and message["phone"] == ZHANGSAN_PHONE and SIGN in message["text"]:
            found.append(match.group(1))
    return found


def _wait_for_new_code(record: Path, before: int, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        codes = _codes(record)
        if len(codes) > before:
            return codes[-1]
        time.sleep(0.5)
    pytest.fail(f"the code SMS did not reach the stand-in gateway within {timeout:.0f} s")


def test_a_window_clerk_applies_for_zhangsan_who_confirms_with_the_sms_code(
    page, new_page, login, logout, check_a11y, platform, files, scroll_width
) -> None:
    if platform.data_dir is None:
        pytest.skip("an external platform (YIWANG_E2E_BASE_URL): its SMS gateway is not ours to read")
    record = platform.data_dir / "sms.jsonl"
    login(page, "jn_window")
    page.goto("/workbench/")
    page.get_by_role("navigation", name="工作台导航").get_by_role("link", name="帮办代办").click()
    expect(page.get_by_role("heading", level=1, name="帮办代办")).to_be_visible()
    check_a11y(page, "assisted-list")
    page.get_by_role("link", name="新建帮办").click()
    page.get_by_label(re.compile("^姓名")).fill("张三")
    page.get_by_label(re.compile("^证件号码")).fill(_zhangsan_id())
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_role("status")).to_contain_text("已找到申请人")
    expect(page.get_by_role("status")).to_contain_text("139****0001")
    check_a11y(page, "assisted-found")
    items = page.get_by_label(re.compile("^办理事项"))
    items.select_option(value=items.locator("option", has_text=SIGN).first.get_attribute("value"))
    page.get_by_role("button", name="开始帮办").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{SIGN} · 帮办填写")

    # Fill it in with him; a first save keeps it (a draft that survives).
    page.get_by_label(re.compile("^设置地点")).fill("济南市历下区解放路66号门店上方（旅程测试）")
    page.get_by_label(re.compile("^面积")).fill("3.5")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.get_by_label(re.compile("^设置地点"))).to_have_value("济南市历下区解放路66号门店上方（旅程测试）")
    for material, name in PAPERS.items():
        page.get_by_label(re.compile(f"(扫描或选择文件|重新扫描或选择文件以替换)：{material}$")).set_input_files(
            files.pdf(name)
        )
    check_a11y(page, "assisted-fill")
    before = len(_codes(record))
    page.get_by_role("button", name="保存并发送验证码").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("本人确认")
    expect(page.get_by_text("139****0001").first).to_be_visible()
    expect(page.get_by_text(ZHANGSAN_PHONE)).to_have_count(0)
    check_a11y(page, "assisted-confirm")

    # 张三 reads the code on his phone; a wrong one first.
    code = _wait_for_new_code(record, before)
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label(re.compile("^短信验证码")).fill(wrong)
    page.get_by_role("button", name="确认并提交").click()
    expect(page.get_by_text(re.compile("验证码：不正确，还可以再试 \\d 次")).first).to_be_visible()
    page.get_by_label(re.compile("^短信验证码")).fill(code)
    page.get_by_role("button", name="确认并提交").click()
    expect(page.get_by_role("heading", level=1, name="申请已提交")).to_be_visible()
    expect(page.get_by_text("由窗口工作人员 赵敏 帮办")).to_be_visible()
    number = page.locator("[data-case-number]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z\-]{8,32}", number), number
    check_a11y(page, "assisted-done")
    logout(page)

    # 张三 follows it like any other case.
    login(page, "zhangsan")
    page.goto("/me/cases/")
    row = page.locator("tbody tr").filter(has_text=number)
    expect(row).to_contain_text(SIGN)
    expect(row).to_contain_text("由窗口工作人员 赵敏 帮办")
    check_a11y(page, "my-cases-assisted")
    row.get_by_role("link", name=number).click()
    expect(page.locator(".page-header")).to_contain_text("帮办")

    # The clerk's list fits a phone.
    phone = new_page(phone=True)
    login(phone, "jn_window")
    phone.goto("/workbench/assisted/")
    width, viewport = scroll_width(phone)
    assert width <= viewport
