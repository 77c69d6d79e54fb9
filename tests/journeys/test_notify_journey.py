"""The journey of issue 11: a notice reaches zhangsan in the portal and in his mailbox.

zhangsan applies online for 生育登记 (a 秒批 item: accepted and decided at once), which
notifies him. The worker delivers the outbox: the in-app notice shows in the header's unread
count and in 我的消息; opening it marks it read and leads to his case; the e-mail arrived on
the real local SMTP server the demo run started (`yiwang.notifications.devsmtp`, aiosmtpd,
mail filed under <data dir>/mail), where the test reads it back decoded; the SMS reached
the stand-in gateway (<data dir>/sms.jsonl), and the platform operator sees it delivered on
消息发送状态 with the number masked. Nothing is mocked.
"""

import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import resident_id_check_char
from yiwang.notifications.devsmtp import StoredMail, read_maildir

pytestmark = pytest.mark.browser

BIRTH = "000117021000"  # 生育登记 (yiwang.catalog.demo_items), 秒批 for 本市户籍 and up to 3 children
ZHANGSAN_MAIL = "zhangsan@demo.yiwang.test"
ZHANGSAN_PHONE = "13900000001"


def _resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


def _wait_for(what: str, probe, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def _mail_about(data_dir: Path, number: str) -> list[StoredMail]:
    return [m for m in read_maildir(data_dir / "mail") if number in m.body and "申请已提交" in m.subject]


def test_zhangsan_sees_his_notice_in_the_message_centre_and_receives_the_email(
    page, new_page, check_a11y, login, platform, scroll_width
):
    if platform.data_dir is None:
        pytest.skip("an external platform (YIWANG_E2E_BASE_URL): its mail server is not ours to read")
    login(page, "zhangsan")
    page.goto(f"/guide/{BIRTH}/")
    page.get_by_role("link", name="在线办理").first.click()
    page.wait_for_url(re.compile(r"/apply/"))
    page.get_by_label(re.compile("^女方身份证号")).fill(_resident_id("370102", "19920415", "226"))
    page.get_by_label(re.compile("^男方身份证号")).fill(_resident_id("370102", "19900307", "123"))
    page.get_by_label(re.compile("^本次生育为第几孩")).fill("1")
    # no 户籍 checkbox: the platform reads zhangsan's 户籍 (数据共享) and 秒批 decides on it
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请回执")).to_be_visible()
    number = page.locator(".receipt__number .num").inner_text().strip()

    # The worker delivers the outbox every 2 s: wait until the notice is in his inbox.
    notice = page.locator("li.message-list__item").filter(has_text="申请已提交").filter(has_text=number)

    def delivered() -> bool:
        page.goto("/me/messages/")
        return notice.count() > 0

    _wait_for("the in-app notice", delivered)
    page.goto("/me/")
    unread = page.get_by_role("link", name=re.compile(r"消息.*条未读"))
    before = int(re.search(r"（(\d+) 条未读）", unread.inner_text()).group(1))  # type: ignore[union-attr]
    unread.click()
    expect(page.get_by_role("heading", level=1, name="我的消息")).to_be_visible()
    check_a11y(page, "message-centre")
    expect(notice).to_have_count(1)
    expect(notice.get_by_text("未读", exact=True)).to_be_visible()
    notice.get_by_role("button", name=f"查看办件 {number}").click()
    page.wait_for_url(re.compile(rf"/me/cases/{re.escape(number)}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("生育登记")
    expect(page.get_by_text(number).first).to_be_visible()
    after = page.get_by_role("link", name=re.compile(r"消息.*条未读"))
    if before == 1:
        expect(after).to_have_count(0)
    else:
        expect(after).to_contain_text(f"（{before - 1} 条未读）")
    page.goto("/me/messages/")
    opened = page.locator("li.message-list__item").filter(has_text="申请已提交").filter(has_text=number)
    expect(opened.get_by_text("未读", exact=True)).to_have_count(0)

    # The e-mail on the real local SMTP server: recipient, Chinese subject, decoded body.
    [mail] = _wait_for("the e-mail on the local SMTP server", lambda: _mail_about(platform.data_dir, number))
    assert mail.to == [ZHANGSAN_MAIL]
    assert mail.subject == "【生育登记】申请已提交"
    assert f"办件编号 {number}" in mail.body and "请凭办件编号查询办理进度" in mail.body

    # And the SMS on the stand-in gateway.
    record = platform.data_dir / "sms.jsonl"

    def texts() -> list[dict[str, str]]:
        lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
        return [m for m in map(json.loads, lines) if number in m["text"] and "申请已提交" in m["text"]]

    [sms] = _wait_for("the SMS on the stand-in gateway", texts)
    assert sms["phone"] == ZHANGSAN_PHONE

    # 通知设置: he turns e-mail off; the page shows his addresses masked.
    page.get_by_role("link", name="通知设置").click()
    expect(page.get_by_text("z***@demo.yiwang.test")).to_be_visible()
    check_a11y(page, "notification-settings")
    page.get_by_role("checkbox", name=re.compile("^电子邮件")).uncheck()
    page.get_by_role("button", name="保存设置").click()
    expect(page.get_by_role("status").filter(has_text="通知设置已保存")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("^电子邮件"))).not_to_be_checked()

    # The platform operator sees the delivery status of that SMS, the number masked.
    operator = new_page()
    login(operator, "admin")
    operator.goto("/workbench/")
    operator.get_by_role("link", name="消息发送状态").click()
    operator.get_by_label("渠道").select_option("sms")
    operator.get_by_role("button", name="筛选").click()
    row = operator.locator("tbody tr").filter(has=operator.get_by_text(f"回执 {sms['id']}", exact=True))
    expect(row).to_contain_text("【生育登记】申请已提交")
    expect(row).to_contain_text("139****0001")
    expect(row).to_contain_text("已发送")
    expect(operator.get_by_text(ZHANGSAN_PHONE)).to_have_count(0)
    check_a11y(operator, "deliveries")

    # On a phone the message centre fits the screen and the menu reaches it.
    phone = new_page(phone=True)
    login(phone, "zhangsan")
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name=re.compile("^消息")).click()
    expect(phone.get_by_role("heading", level=1, name="我的消息")).to_be_visible()
    width, viewport = scroll_width(phone)
    assert width <= viewport, f"the message centre scrolls sideways on a phone ({width} > {viewport})"
    check_a11y(phone, "message-centre-phone")
