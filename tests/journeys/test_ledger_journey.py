"""The public ledger in the browser: a reader verifies an entry with WebCrypto (Ed25519 +
SHA-256) without trusting the server; a tampered answer is caught; disclosed decisions
verify the same way."""

import base64
import hashlib
import json
import re

import pytest
from playwright.sync_api import expect

from yiwang.ledger.note import Checkpoint, NoteSigner, sign_checkpoint
from yiwang.ledger.suite import Ed25519Signer

pytestmark = pytest.mark.browser


def wait_integrated(platform, entry_id: int) -> dict:
    return platform.wait_integrated(entry_id, timeout=30.0)


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
    assert entry["kind"].startswith("cases."), entry  # a decision of a case, as the ledger recorded it
    page.reload()
    row = page.get_by_role("row").filter(has=page.locator(f'[data-verify-entry="{entry_id}"]'))
    expect(row.get_by_role("link", name=f"第 {entry['leaf_index']} 号记录")).to_be_visible()
    row.get_by_role("button", name="验证").click()
    result = page.locator(f"#verify-{entry_id}")
    expect(result).to_contain_text("验证通过")
    check_a11y(page, "disclosure-verified")


# --- the in-browser verifier against a log signed here, with chosen keys ---------------------------


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _mth(hashes: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 Merkle tree hash over leaf hashes."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return _sha256(b"\x01" + _mth(hashes[:k]) + _mth(hashes[k:]))


def _path(m: int, hashes: list[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 inclusion path of leaf m."""
    if len(hashes) == 1:
        return []
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m < k:
        return [*_path(m, hashes[:k]), _mth(hashes[k:])]
    return [*_path(m - k, hashes[k:]), _mth(hashes[:k])]


def _signer(plus_in_key: bool) -> NoteSigner:
    """A deterministic Ed25519 log key whose base64 part does / does not contain '+'."""
    for i in range(10_000):
        signer = NoteSigner.from_signer(ORIGIN, Ed25519Signer(_sha256(f"journey-key-{i}".encode())))
        if ("+" in signer.vkey().split("+", 2)[2]) == plus_in_key:
            return signer
    raise AssertionError("no such key")


ORIGIN = "yiwang.local/ledger"


def _crafted_log(signer: NoteSigner, index: int = 4, size: int = 7) -> dict[str, object]:
    leaves = [
        json.dumps(
            {
                "at": f"2026-01-0{i + 1}T00:00:00+00:00",
                "kind": "journey.test",
                "payload": {"n": i},
                "subject": f"journey:{i}",
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        for i in range(size)
    ]
    hashes = [_sha256(b"\x00" + leaf.encode()) for leaf in leaves]
    note = sign_checkpoint(Checkpoint(ORIGIN, size, _mth(hashes)), signer)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {
        "entry": {
            "id": 1,
            "kind": "journey.test",
            "subject": f"journey:{index}",
            "leaf": leaves[index],
            "leaf_index": index,
        },
        "proof": {
            "leaf_index": index,
            "tree_size": size,
            "leaf": json.loads(leaves[index]),
            "leaf_hash": b64(hashes[index]),
            "proof": [b64(h) for h in _path(index, hashes)],
            "checkpoint": note,
        },
        "key": signer.vkey() + "\n",
    }


@pytest.mark.parametrize("plus_in_key", [False, True], ids=["key-without-plus", "key-with-plus"])
def test_the_browser_verifier_accepts_every_valid_ed25519_key(page, check_a11y, plus_in_key):
    """The platform generates a fresh key per installation; about half of all Ed25519 vkeys
    have a '+' in their base64 part (44 characters, 1/64 each). Serve the real page and
    script with a log signed here, once with each kind of key."""
    signer = _signer(plus_in_key)
    log = _crafted_log(signer)
    page.route(re.compile(r"/api/v1/ledger/entries/1$"), lambda r: r.fulfill(json=log["entry"]))
    page.route(re.compile(r"/api/v1/ledger/entries/1/proof"), lambda r: r.fulfill(json=log["proof"]))
    page.route(re.compile(r"/api/v1/ledger/key$"), lambda r: r.fulfill(body=log["key"], content_type="text/plain"))
    page.goto("/ledger/entries/1/")
    page.get_by_role("button", name="在浏览器中验证").click()
    result = verify_result(page)
    expect(result).to_have_attribute("data-verified", re.compile("true|false"))
    expect(result).to_contain_text("验证通过")  # fails with "公钥格式不正确" when the '+' is mishandled
    expect(result).to_contain_text("第 4 号叶子")
    check_a11y(page, "crafted-log-verified")
