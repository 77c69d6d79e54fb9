"""证照核验 (/licenses/verify) in the browser: a visitor checks a demo license's QR without
trusting the server — the issuer's signature (WebCrypto Ed25519), the current status, and the
ledger's inclusion proof of that status — from pasted text, an uploaded photo of the QR, or a
shared link whose note is only in the URL fragment.

The QR texts are the holders' own (GET /api/v1/licenses/mine as zhangsan / wangwu, the demo's
holders: zhangsan's 营业执照 is valid, 泉城餐饮's 公共场所卫生许可证 revoked).
"""

import base64
import re

import pytest
from playwright.sync_api import expect

from yiwang.ledger.note import generate_key
from yiwang.licenses.render import qr_png

pytestmark = pytest.mark.browser

URL = "/licenses/verify"


def _licenses_of(new_page, login, username: str) -> list[dict]:
    holder = new_page()
    login(holder, username)
    response = holder.request.get("/api/v1/licenses/mine?limit=100")
    assert response.ok, response.text()
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    holder.context.close()
    return items


def _license(new_page, login, platform, username: str, *, status: str, type_name: str | None = None) -> dict:
    for item in _licenses_of(new_page, login, username):
        if item["status"] == status and (type_name is None or item["type_name"] == type_name):
            platform.wait_integrated(item["ledger_entry_id"])  # its status event is under a checkpoint
            return item
    pytest.fail(f"the demo has no {status} license {type_name or ''} of {username}")


def _verify_text(page, note: str) -> None:
    page.get_by_label("二维码内容").fill(note)
    page.get_by_role("button", name="核验", exact=True).click()


def verdict(page):
    return page.locator("[data-result] .license-verdict")


def _expect_valid(page, item: dict) -> None:
    expect(verdict(page)).to_have_attribute("data-verdict", "valid")
    expect(verdict(page)).to_contain_text("证照有效")
    result = page.locator("[data-result]")
    expect(result).to_contain_text("签名有效")
    expect(result).to_contain_text("账本证明已验证")
    expect(result).to_contain_text("当前状态：有效")
    facts = page.locator("[data-facts]")
    expect(facts).to_contain_text(item["type_name"])
    expect(facts).to_contain_text(item["issuer_name"])
    expect(facts).to_contain_text(item["identifier"])
    until = item["valid_until"] or "长期"
    expect(facts).to_contain_text(f"{item['valid_from']} 至 {until}")


def _change_one(note: str, line: int) -> str:
    """`note` with one character of body line `line` (0-based) changed, still well-formed."""
    lines = note.split("\n")
    text = lines[line]
    i = len(text) // 2
    while not text[i].isalnum():
        i += 1
    swap = "B" if text[i] == "A" else "A"
    lines[line] = text[:i] + swap + text[i + 1 :]
    return "\n".join(lines)


def test_a_valid_license_verifies_and_one_changed_character_fails(new_page, login, platform, check_a11y):
    item = _license(new_page, login, platform, "zhangsan", status="valid", type_name="营业执照")
    page = new_page()  # a visitor: no login
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="证照核验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("电子证照核验")
    check_a11y(page, "verify-empty")

    _verify_text(page, item["note"])
    _expect_valid(page, item)
    check_a11y(page, "verify-valid")

    # One character of any line of the signed body changed: the signature fails, nothing
    # about the license is shown as established.
    lines = item["note"].split("\n")
    for line in (n for n in range(8) if any(c.isalnum() for c in lines[n])):
        _verify_text(page, _change_one(item["note"], line))
        expect(verdict(page)).to_have_attribute("data-verdict", "signature")
        expect(verdict(page)).to_contain_text("签名无效")
        expect(verdict(page)).to_have_class(re.compile("license-verdict--fail"))
        expect(page.locator("[data-result]")).not_to_contain_text("当前状态")
        expect(page.locator("[data-result]")).not_to_contain_text("账本证明已验证")
        expect(page.get_by_role("button", name="重新核验状态")).to_be_hidden()
    check_a11y(page, "verify-tampered")

    # The signature line broken (no em dash): a format error, named.
    _verify_text(page, item["note"].replace("\u2014 ", "- "))
    expect(verdict(page)).to_have_attribute("data-verdict", "format")
    expect(verdict(page)).to_contain_text("格式错误")
    expect(verdict(page)).to_contain_text("签名行")

    # Re-check asks the server again each time (no cache) and still proves the status.
    _verify_text(page, item["note"])
    _expect_valid(page, item)
    with page.expect_response(re.compile(r"/api/v1/licenses/status/")) as answer:
        page.get_by_role("button", name="重新核验状态").click()
    assert "no-store" in answer.value.headers["cache-control"]
    _expect_valid(page, item)


def test_a_revoked_license_shows_its_status_not_valid(new_page, login, platform, check_a11y):
    item = _license(new_page, login, platform, "wangwu", status="revoked")
    page = new_page()
    page.goto(URL)
    _verify_text(page, item["note"])
    expect(verdict(page)).to_have_attribute("data-verdict", "not-valid")
    expect(verdict(page)).to_contain_text("✕ 已撤销")
    expect(verdict(page)).to_contain_text("不能作为有效证照使用")
    expect(verdict(page)).to_have_class(re.compile("license-verdict--fail"))
    result = page.locator("[data-result]")
    expect(result).to_contain_text("签名有效")
    expect(result).to_contain_text("当前状态：已撤销（自 ")
    expect(result).to_contain_text("账本证明已验证")  # the revocation itself is proven
    expect(result).not_to_contain_text("证照有效")
    check_a11y(page, "verify-revoked")


def test_a_photo_of_the_qr_is_decoded_in_the_browser(new_page, login, platform, tmp_path, check_a11y):
    item = _license(new_page, login, platform, "zhangsan", status="valid", type_name="营业执照")
    photo = tmp_path / "license-qr.png"
    photo.write_bytes(qr_png(item["note"]))
    page = new_page()
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.method != "GET" else None)
    page.goto(URL)
    page.get_by_label("或上传二维码照片").set_input_files(str(photo))
    expect(page.get_by_label("二维码内容")).to_have_value(item["note"])
    _expect_valid(page, item)
    assert uploads == [], uploads  # the photo never left the browser
    check_a11y(page, "verify-photo")


def test_a_shared_link_carries_the_note_in_the_fragment_only(new_page, login, platform, scroll_width, check_a11y):
    item = _license(new_page, login, platform, "zhangsan", status="valid", type_name="营业执照")
    fragment = base64.urlsafe_b64encode(item["note"].encode()).decode().rstrip("=")
    phone = new_page(phone=True)
    requested: list[str] = []
    phone.on("request", lambda r: requested.append(r.url))
    phone.goto(f"{URL}#{fragment}")
    _expect_valid(phone, item)
    width, viewport = scroll_width(phone)
    assert width <= viewport, f"the phone page scrolls sideways ({width} > {viewport})"
    digest = item["note"].split("\n")[7]
    assert not any(digest in r or fragment[:40] in r for r in requested), requested
    if platform.log is not None:  # the server's own log (access lines included) never saw it
        log = platform.log.read_text(encoding="utf-8", errors="replace")
        assert fragment[:40] not in log and digest not in log
    expect(phone.get_by_role("link", name="核验链接")).to_have_attribute("href", f"#{fragment}")
    check_a11y(phone, "verify-phone")


def test_an_sm2_issuer_key_is_named_and_sent_to_the_offline_verifier(new_page, login, platform, check_a11y):
    item = _license(new_page, login, platform, "zhangsan", status="valid", type_name="营业执照")
    _, sm2_vkey = generate_key("yiwang.local/license", "sm2")
    page = new_page()
    answer = {"body": sm2_vkey + "\n", "content_type": "text/plain"}
    page.route(re.compile(r"/api/v1/licenses/key$"), lambda r: r.fulfill(**answer))
    page.goto(URL)
    _verify_text(page, item["note"])
    expect(verdict(page)).to_have_attribute("data-verdict", "sm2")
    expect(verdict(page)).to_contain_text("浏览器无法在此验证国密签名")
    expect(verdict(page)).to_contain_text("yiwang-verify license")
    expect(page.locator("[data-result]")).not_to_contain_text("证照有效")
    check_a11y(page, "verify-sm2")


# A camera whose picture is the license's QR: getUserMedia answers a canvas's stream (the
# journeys' Chromium has no camera), so the page's own scanning loop, jsQR and stopping run.
_FAKE_CAMERA = """
(() => {
  window.__cameraStopped = false;
  const fake = async () => {
    const img = window.__qrDataUrl ? new Image() : null;  // no picture: a blank scene
    if (img) { img.src = window.__qrDataUrl; await img.decode(); }
    const canvas = document.createElement("canvas");
    canvas.width = 640; canvas.height = 640;
    const ctx = canvas.getContext("2d");
    const draw = () => {
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 640, 640);
      if (img) ctx.drawImage(img, 40, 40, 560, 560);
    };
    draw(); setInterval(draw, 100);
    const stream = canvas.captureStream(10);
    stream.getTracks().forEach((t) => {
      const stop = t.stop.bind(t);
      t.stop = () => { window.__cameraStopped = true; stop(); };
    });
    return stream;
  };
  if (!navigator.mediaDevices) Object.defineProperty(navigator, "mediaDevices", { value: {} });
  navigator.mediaDevices.getUserMedia = fake;
})();
"""


def test_the_camera_reads_the_qr_and_is_stopped_afterwards(new_page, login, platform, check_a11y):
    item = _license(new_page, login, platform, "zhangsan", status="valid", type_name="营业执照")
    png = base64.b64encode(qr_png(item["note"], scale=4)).decode()
    page = new_page(phone=True)
    page.add_init_script(f"window.__qrDataUrl = 'data:image/png;base64,{png}';" + _FAKE_CAMERA)
    page.goto(URL)
    page.get_by_role("button", name="用摄像头扫码").click()
    _expect_valid(page, item)
    expect(page.get_by_label("二维码内容")).to_have_value(item["note"])
    assert page.evaluate("window.__cameraStopped"), "the camera stream was not stopped after the QR was read"
    expect(page.locator("[data-camera-panel]")).to_be_hidden()
    expect(page.get_by_role("button", name="用摄像头扫码")).to_be_visible()
    check_a11y(page, "verify-camera")


def test_scanning_can_be_stopped_by_the_visitor(new_page, check_a11y):
    page = new_page()
    page.add_init_script("window.__qrDataUrl = '';" + _FAKE_CAMERA)  # nothing to read in the picture
    page.goto(URL)
    page.get_by_role("button", name="用摄像头扫码").click()
    stop = page.get_by_role("button", name="停止扫码")
    expect(stop).to_be_focused()
    check_a11y(page, "verify-camera-open")
    stop.click()
    expect(page.locator("[data-progress]")).to_have_text("已停止扫码。")
    assert page.evaluate("window.__cameraStopped")
    expect(page.locator("[data-camera-panel]")).to_be_hidden()
