"""长辈版 in the browser (ADR 0030, docs/accessibility.md).

On a phone, a visitor switches the home page to 长辈版 with the keyboard; the main portal
pages are checked in that mode (axe, a screenshot, nothing scrolls sideways, base text
≥ 20px, body text at WCAG AAA contrast, buttons and fields ≥ 48px): home, an item's guide,
the login page, the application form, the receipt, 我的办件 and the case page, 我的消息, a
一件事 guide and the public 好差评 page. zhangsan submits an application in the mode, logs
out (the login page stays in 长辈版: the cookie) and back in; on another device his account
brings the mode with it; he switches back to 标准版.
"""

import re

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import resident_id_check_char

pytestmark = pytest.mark.browser

BIRTH = "000117021000"  # 生育登记 (yiwang.catalog.demo_items), 秒批 on zhangsan's 户籍
BUNDLE = "xinshenger-chusheng"  # 新生儿出生一件事 (yiwang.demo)
ELDER = re.compile(r"\bmode-elder\b")
SITE_NAME = re.compile(r"一网通办政务服务平台$")  # the platform's name in the header (no city brand here)


def _resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


def _aaa_contrast_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe's WCAG AAA text contrast rule (7:1; 4.5:1 for large text), off in the default run."""
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: ["color-contrast-enhanced"], resultTypes: ["violations"]});
            return r.violations.flatMap(v => v.nodes.map(n => n.target.join(" ") + " :: " + (n.failureSummary || "")
                .split("\\n").slice(-1)[0]));
        }"""
    )
    return list(result)


def _small_targets(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible buttons, text fields and selects in the page under 48px high."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll(
                    "button, .btn, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio])")]
                .filter(el => el.offsetParent !== null && !el.closest(".visually-hidden"))
                .filter(el => el.getBoundingClientRect().height < 47.5)
                .map(el => el.outerHTML.slice(0, 120) + " " + Math.round(el.getBoundingClientRect().height) + "px")"""
        )
    )


@pytest.fixture
def elder_check(check_a11y, scroll_width):  # type: ignore[no-untyped-def]
    def check(page, name: str) -> None:  # type: ignore[no-untyped-def]
        expect(page.locator("html")).to_have_class(ELDER)
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("button", name="切换到标准版")).to_be_visible()
        check_a11y(page, f"elder-{name}")
        width, viewport = scroll_width(page)
        assert width <= viewport, f"{name} scrolls sideways in 长辈版: {width}px in a {viewport}px viewport"
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
        assert _aaa_contrast_violations(page) == [], f"{name}: text under 7:1 in 长辈版"
        assert _small_targets(page) == [], f"{name}: targets under 48px in 长辈版"

    return check


def test_zhangsan_uses_the_portal_in_elder_mode_on_a_phone(new_page, elder_check, check_a11y, login):  # type: ignore[no-untyped-def]
    page = new_page(phone=True)
    page.goto("/")
    expect(page.locator("html")).not_to_have_class(ELDER)
    switch = page.get_by_role("button", name="切换到长辈版")
    expect(switch).to_be_visible()  # in the header, not folded into the phone's menu
    expect(switch).to_have_accessible_description("当前：标准版")
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="常用服务")).to_be_visible()
    expect(page.get_by_role("button", name="切换到标准版")).to_have_accessible_description("当前：长辈版")
    elder_check(page, "home")
    expect(page.get_by_role("main").get_by_role("link", name="12345")).to_have_attribute("href", "tel:12345")
    # The keyboard's first stops: skip link, the portal's name, the switch — each with a visible ring.
    page.locator("body").focus()
    for name in ("跳到主要内容", SITE_NAME, "切换到标准版"):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_accessible_name(name)
        assert focused.evaluate("e => getComputedStyle(e).outlineStyle") != "none", f"{name}: no visible focus"

    # The guide of an item, found from the big search box.
    search = page.get_by_role("searchbox", name="搜索办事事项")
    search.fill("生育登记")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/guide/\?"))
    elder_check(page, "guide-results")
    page.goto(f"/guide/{BIRTH}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("生育登记")
    elder_check(page, "guide-item")

    # 在线办理 asks for the login, in 长辈版 too; then the long form.
    page.get_by_role("link", name="在线办理").first.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    elder_check(page, "login")
    login(page, "zhangsan", goto=False)
    page.wait_for_url(re.compile(r"/apply/"))
    elder_check(page, "apply")
    page.get_by_label(re.compile("^女方身份证号")).fill(_resident_id("370102", "19930521", "428"))
    page.get_by_label(re.compile("^男方身份证号")).fill(_resident_id("370102", "19910811", "135"))
    page.get_by_label(re.compile("^本次生育为第几孩")).fill("1")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("heading", name="申请回执")).to_be_visible()
    number = page.locator(".receipt__number .num").inner_text().strip()
    elder_check(page, "receipt")
    page.get_by_role("link", name="查看办理进度").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("生育登记")
    elder_check(page, "my-case")

    page.goto("/")
    page.get_by_role("link", name="我的办件").first.click()
    page.wait_for_url(re.compile(r"/me/$"))
    elder_check(page, "my-space")
    page.goto("/me/cases/")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    elder_check(page, "my-cases")
    page.goto("/")
    page.get_by_role("link", name=re.compile("^我的消息")).click()
    expect(page.get_by_role("heading", level=1, name="我的消息")).to_be_visible()
    elder_check(page, "messages")
    page.goto(f"/bundles/{BUNDLE}/")
    elder_check(page, "bundle")
    page.goto("/ratings/")
    elder_check(page, "ratings")

    # Logged out, the device remembers (the cookie); logged in again, still 长辈版.
    page.get_by_role("button", name="菜单").click()  # a phone: the navigation is folded
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status").filter(has_text="您已安全退出")).to_be_visible()
    expect(page.locator("html")).to_have_class(ELDER)
    check_a11y(page, "elder-logged-out")
    login(page, "zhangsan")
    expect(page.locator("html")).to_have_class(ELDER)

    # Another device: his account brings the mode with it.
    desktop = new_page()
    desktop.goto("/")
    expect(desktop.locator("html")).not_to_have_class(ELDER)
    login(desktop, "zhangsan")
    desktop.goto("/me/cases/")
    expect(desktop.locator("html")).to_have_class(ELDER)
    check_a11y(desktop, "elder-desktop-my-cases")

    # Back to 标准版, from where he is; the page he was on comes back.
    page.goto("/me/cases/")
    page.get_by_role("button", name="切换到标准版").click()
    page.wait_for_url(re.compile(r"/me/cases/$"))
    expect(page.locator("html")).not_to_have_class(ELDER)
    expect(page.get_by_role("button", name="切换到长辈版")).to_have_accessible_description("当前：标准版")
    check_a11y(page, "standard-my-cases")
    desktop.reload()
    expect(desktop.locator("html")).not_to_have_class(ELDER)
