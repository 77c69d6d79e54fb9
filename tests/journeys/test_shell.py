"""The shell every journey walks through: portal home, region, search, login, logout,
keyboard, phone, API docs. Runs against the platform as `make demo` starts it."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from yiwang.core.identifiers import mask_resident_id, resident_id_check_char

pytestmark = pytest.mark.browser


def _resident_id(region6: str, birth: str, seq: str) -> str:
    body = f"{region6}{birth}{seq}"
    return body + resident_id_check_char(body)


ZHANGSAN_ID = _resident_id("370102", "19900307", "123")  # as yiwang.demo.world makes it
ENTERPRISE = "济南泉城餐饮管理有限公司"


def platform_fonts(page, selector):
    """The fonts Chromium actually used to draw the text of `selector` (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()


def test_home_renders_chinese_in_a_cjk_font(page, check_a11y):
    page.goto("/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("政务服务")
    expect(page).to_have_title(re.compile("首页"))
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    fonts = platform_fonts(page, "h1")
    cjk = [f for f in fonts if "CJK" in f["familyName"]]
    assert cjk, f"the Chinese heading is not drawn in a CJK font (fonts-noto-cjk missing?): {fonts}"
    drawn = sum(f["glyphCount"] for f in fonts)
    assert sum(f["glyphCount"] for f in cjk) >= drawn - 2, f"some Chinese glyphs fell back to another font: {fonts}"
    assert page.evaluate("""document.fonts.check('16px "Noto Sans CJK SC"', '政务服务')""")
    check_a11y(page, "home")


def test_visitor_switches_region_and_searches_the_guide(page, check_a11y):
    page.goto("/")
    check_a11y(page, "home")
    region = page.get_by_label("当前区划")
    region.select_option(label="济南市")  # data-autosubmit: the change submits the form
    page.wait_for_url(re.compile(r"region=370100000000"))
    expect(page.get_by_role("heading", level=1)).to_have_text("济南市政务服务")
    expect(page.get_by_label("当前区划")).to_have_value("370100000000")
    check_a11y(page, "home-jinan")

    # The region is remembered when the visitor comes back without a parameter.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("济南市政务服务")

    search = page.get_by_role("search").get_by_role("searchbox", name="搜索办事事项")
    search.fill("开饭店")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/guide/\?q="))
    expect(page.get_by_role("heading", name=re.compile("“开饭店”的搜索结果"))).to_be_visible()
    expect(page.get_by_text("当前区划：")).to_contain_text("济南市")
    city = page.locator("#guide-results li", has_text="济南市行政审批服务局 ·")  # 历下区 implements it too
    expect(city.get_by_role("link", name="食品经营许可")).to_be_visible()
    check_a11y(page, "guide-results")


@pytest.mark.parametrize(
    ("username", "landing", "heading", "expected"),
    [
        ("zhangsan", "/me/", "我的空间", ["实名信息", mask_resident_id(ZHANGSAN_ID)]),
        ("lisi", "/me/", "我的空间", ["我代办的企业", ENTERPRISE]),
        ("jn_window", "/workbench/", "待办收件箱", ["收件箱", "窗口受理", "济南市行政审批服务局"]),
    ],
    ids=["natural-person", "enterprise-agent", "window-clerk"],
)
def test_each_kind_of_persona_logs_in_and_out(page, login, logout, check_a11y, username, landing, heading, expected):
    page.goto("/")
    page.get_by_role("link", name="登录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("用户登录")
    check_a11y(page, "login")
    login(page, username)
    page.wait_for_url(re.compile(re.escape(landing) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    main = page.get_by_role("main")
    for text in expected:
        expect(main).to_contain_text(text)
    if username == "zhangsan":
        # The ID number is shown masked, never in full.
        expect(main).not_to_contain_text(ZHANGSAN_ID)
        assert re.fullmatch(r"370\*{11}\d{3}[\dX]", mask_resident_id(ZHANGSAN_ID))
        expect(page.get_by_role("link", name="我的办件")).to_have_attribute("aria-current", "page")
    if username == "jn_window":
        expect(page.get_by_role("navigation", name="工作台导航")).to_contain_text("待办收件箱")
        expect(page.get_by_role("link", name="工作台", exact=True)).to_have_attribute("aria-current", "page")
    check_a11y(page, f"home-{username}")
    logout(page)
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("status")).to_contain_text("您已安全退出")
    check_a11y(page, "logged-out")
    # Logged out means logged out: the private page sends the visitor to the login form.
    page.goto(landing)
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))


def test_wrong_password_says_so_in_chinese_and_keeps_the_username(page, check_a11y):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("zhangsan")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("登录失败")
    expect(alert).to_contain_text("用户名或密码不正确")
    expect(page.get_by_label("用户名")).to_have_value("zhangsan")
    expect(page.get_by_label("密码")).to_have_value("")
    assert "/accounts/login/" in page.url
    check_a11y(page, "login-failed")


@pytest.mark.parametrize("path", ["/", "/guide/", "/disclosure/"])
def test_keyboard_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(page, check_a11y, path):
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(), href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "跳到主要内容", "href": "#main"}, f"first Tab stop on {path}: {focused}"
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_in_viewport()  # visible when focused, not only to screen readers
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('main')"), "Tab after the skip link left <main>"
    check_a11y(page, f"keyboard-{path.strip('/') or 'home'}")


PHONE_PAGES = [
    ("/", "home"),
    ("/guide/?q=开饭店", "guide"),
    ("/guide/000136019000/", "guide-item"),
    ("/accounts/login/", "login"),
    ("/disclosure/", "disclosure"),
    ("/ledger/entries/1/", "ledger-entry"),
]


def test_phone_viewport_has_no_horizontal_scroll(phone_page, check_a11y, scroll_width):
    page = phone_page
    for path, name in PHONE_PAGES:
        page.goto(path)
        width, viewport = scroll_width(page)
        assert width <= viewport, f"{path} scrolls sideways on a phone: content {width}px in a {viewport}px viewport"
        check_a11y(page, f"phone-{name}")
    # The navigation folds into a menu button on a phone, and opens with it.
    page.goto("/")
    menu = page.get_by_role("button", name="菜单")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="办事指南")).to_be_visible()
    width, viewport = scroll_width(page)
    assert width <= viewport
    check_a11y(page, "phone-menu-open")


SWAGGER_UI_KNOWN = {
    "nested-interactive": "Swagger UI upstream: links/buttons nested in the operation summary button "
    "(swagger-api/swagger-ui#9570, #7350)",
    "color-contrast": "Swagger UI upstream palette (e.g. the green Authorize button, 2.0:1); "
    "fixable by a site.css override (swagger-api/swagger-ui#7350)",
}


def test_api_docs_load_the_vendored_swagger_ui_from_this_host_only(page, base_url, check_a11y):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="开放接口文档")).to_be_visible()
    # Swagger UI has rendered the document: its title and an operation of the ledger.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("一网通办开放接口")
    expect(page.locator(".swagger-ui .opblock-tag-section").first).to_be_visible()
    expect(page.get_by_text("/api/v1/ledger/checkpoint", exact=True).first).to_be_attached()
    page.wait_for_load_state("networkidle")
    host = urlsplit(base_url).netloc
    outside = [u for u in requested if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host]
    assert requested, "no request recorded"
    assert not outside, "the API docs page reached outside hosts:\n" + "\n".join(outside)
    assert any("/static/yiwang/vendor/swagger-ui/" in u for u in requested), requested
    # Our own chrome is checked strictly; inside the vendored Swagger UI widget only these
    # known upstream issues are tolerated (printed in the output, reported to the lead).
    check_a11y(page, "api-docs", within="#swagger-ui", tolerate=SWAGGER_UI_KNOWN)
