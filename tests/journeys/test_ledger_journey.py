"""The public ledger in the browser: a reader verifies an entry with WebCrypto (Ed25519 +
SHA-256) without trusting the server; a tampered answer is caught; disclosed decisions
verify the same way."""

import json
import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INTEGRATION_TIMEOUT = 30.0  # the worker integrates every 2 s


def wait_integrated(platform, entry_id: int, timeout: float = INTEGRATION_TIMEOUT) -> dict:
    """Wait until the worker has integrated entry `entry_id` under a signed checkpoint."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        status, body = platform.get("/api/v1/ledger/checkpoint")
        if status == 200:
            size = int(body.decode().split("\n")[1])
            entry_status, entry_body = platform.get(f"/api/v1/ledger/entries/{entry_id}")
            if entry_status == 200:
                entry = json.loads(entry_body)
                if entry["leaf_index"] is not None and entry["leaf_index"] < size:
                    return entry
                last = f"entry {entry_id}: leaf_index {entry['leaf_index']}, checkpoint size {size}"
            else:
                last = f"entry {entry_id}: HTTP {entry_status}"
        else:
            last = f"no checkpoint yet (HTTP {status})"
        time.sleep(0.5)
    pytest.fail(f"the worker did not integrate ledger entry {entry_id} within {timeout:.0f} s ({last})")


def _bump_digit(text: str) -> str:
    """`text` with exactly one character changed: its first digit, plus one (mod 10)."""
    match = re.search(r"\d", text)
    assert match, text
    i = match.start()
    return text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]


def _flip_base64(text: str) -> str:
    """A base64 string with one character changed (still valid base64, other bytes)."""
    i = len(text) // 2
    while text[i] in "=+/":
        i += 1
    return text[:i] + ("B" if text[i] == "A" else "A") + text[i + 1 :]


def verify_result(page):
    return page.locator("#verify-result")


def test_a_ledger_entry_verifies_in_the_browser(page, platform, check_a11y):
    entry = wait_integrated(platform, 1)
    page.goto("/ledger/entries/1/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"账本记录 第 {entry['leaf_index']} 号")
    expect(page.locator("pre")).to_contain_text(entry["kind"])
    check_a11y(page, "ledger-entry")
    page.get_by_role("button", name="在浏览器中验证").click()
    result = verify_result(page)
    expect(result).to_contain_text("验证通过")
    expect(result).to_have_attribute("data-verified", "true")
    expect(result).to_contain_text(f"第 {entry['leaf_index']} 号叶子")
    check_a11y(page, "ledger-entry-verified")


def _tamper_leaf(route) -> None:
    response = route.fetch()
    body = response.json()
    body["leaf"] = _bump_digit(body["leaf"])
    route.fulfill(response=response, body=json.dumps(body), content_type="application/json")


def _tamper_proof(route) -> None:
    response = route.fetch()
    body = response.json()
    assert body["proof"], "entry 1 should have a non-empty inclusion proof"
    body["proof"][0] = _flip_base64(body["proof"][0])
    route.fulfill(response=response, body=json.dumps(body), content_type="application/json")


def _tamper_checkpoint_root(route) -> None:
    response = route.fetch()
    body = response.json()
    lines = body["checkpoint"].split("\n")
    lines[2] = _flip_base64(lines[2])  # origin, size, root, "", signature
    body["checkpoint"] = "\n".join(lines)
    route.fulfill(response=response, body=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("url", "tamper", "reason"),
    [
        (r"/api/v1/ledger/entries/1$", _tamper_leaf, "条目内容与其哈希不符"),
        (r"/api/v1/ledger/entries/1/proof", _tamper_proof, "根哈希与签名检查点不一致"),
        (r"/api/v1/ledger/entries/1/proof", _tamper_checkpoint_root, "检查点签名无效"),
    ],
    ids=["leaf", "proof-path", "checkpoint-root"],
)
def test_a_tampered_answer_fails_verification(page, platform, check_a11y, url, tamper, reason):
    wait_integrated(platform, 1)
    tampered: list[str] = []

    def handler(route) -> None:
        tampered.append(route.request.url)
        tamper(route)

    page.route(re.compile(url), handler)
    page.goto("/ledger/entries/1/")
    page.get_by_role("button", name="在浏览器中验证").click()
    result = verify_result(page)
    expect(result).to_contain_text("验证失败")
    expect(result).to_contain_text(reason)
    expect(result).to_have_attribute("data-verified", "false")
    assert tampered, "the tampering route was never hit"
    check_a11y(page, "ledger-entry-tampered")


def test_disclosure_lists_decisions_and_the_first_verifies(page, platform, check_a11y):
    page.goto("/disclosure/")
    expect(page.get_by_role("heading", level=1)).to_have_text("阳光审批公示")
    check_a11y(page, "disclosure")
    buttons = page.locator("[data-verify-entry]")
    if buttons.count() == 0:
        expect(page.get_by_text("暂无公示的审批决定")).to_be_visible()
        return
    entry_id = int(buttons.first.get_attribute("data-verify-entry"))
    entry = wait_integrated(platform, entry_id)
    assert entry["kind"] in ("cases.decided", "cases.revoked"), entry
    page.reload()
    row = page.get_by_role("row").filter(has=page.locator(f'[data-verify-entry="{entry_id}"]'))
    expect(row.get_by_role("link", name=f"第 {entry['leaf_index']} 号记录")).to_be_visible()
    row.get_by_role("button", name="验证").click()
    result = page.locator(f"#verify-{entry_id}")
    expect(result).to_contain_text("验证通过")
    check_a11y(page, "disclosure-verified")
