"""Issue 12's "Done when", in one story: lisi's 食品经营许可 is decided and the license is in
her 证照夹; its PDF opens with Chinese text; its QR verifies on /licenses/verify in the
browser and fails after one changed character; the department revokes it in the workbench
and the verification page shows 已撤销 within a second; `yiwang-verify license` agrees offline,
before and after the revocation. The case is this journey's own (journeys share a platform).
"""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from test_case_journeys import action_form, apply_for_food, case_page_opened, complete_task, expect_done
from test_license_verify_journey import _change_one, _expect_valid, _verify_text, verdict

pytestmark = pytest.mark.browser

ENTERPRISE = "济南泉城餐饮管理有限公司"
VERIFY_CLI = Path(sys.executable).with_name("yiwang-verify")


def decide_food_case(new_page, login, number: str) -> None:
    """jn_window accepts, jn_reviewer approves the review, jn_approver grants the license."""
    window = new_page()
    login(window, "jn_window")
    window.goto(f"/workbench/cases/{number}/")
    case_page_opened(window, number)
    action_form(window, number, "accept").get_by_role("button", name="受理").click()
    expect_done(window, "已受理")

    reviewer = new_page()
    login(reviewer, "jn_reviewer")
    reviewer.goto(f"/workbench/cases/{number}/")
    case_page_opened(reviewer, number)
    complete_task(reviewer, "材料审查", "材料齐全，符合法定形式")

    approver = new_page()
    login(approver, "jn_approver")
    approver.goto(f"/workbench/cases/{number}/")
    case_page_opened(approver, number)
    form = action_form(approver, number, "decide")
    form.get_by_role("radio", name="准予许可").check()
    form.get_by_label("决定意见 / 理由").fill("经审查，申请符合规定条件，准予许可。")
    form.get_by_label(re.compile("^决定依据")).fill("《中华人民共和国食品安全法》第三十五条")
    form.get_by_role("button", name="作出决定").click()
    expect_done(approver, "已作出准予许可决定")


def offline_verify(platform, tmp_path: Path, item: dict, name: str) -> subprocess.CompletedProcess[str]:
    """What a bank does without calling anyone later: save the issuer key, the status answer,
    its ledger proof and the log key once, then run the offline verifier on the QR text."""
    status = platform.get_json(f"/api/v1/licenses/status/{item['identifier']}")
    platform.wait_integrated(status["ledger_entry_id"])
    saved = tmp_path / name
    saved.mkdir()
    (saved / "qr.txt").write_text(item["note"], encoding="utf-8")
    (saved / "issuer.vkey").write_bytes(platform.get("/api/v1/licenses/key")[1])
    (saved / "log.vkey").write_bytes(platform.get("/api/v1/ledger/key")[1])
    (saved / "status.json").write_text(json.dumps(status), encoding="utf-8")
    proof = platform.get_json(f"/api/v1/ledger/entries/{status['ledger_entry_id']}/proof")
    (saved / "proof.json").write_text(json.dumps(proof), encoding="utf-8")
    command = [str(VERIFY_CLI), "license", "--vkey-file", "issuer.vkey", "--status-file", "status.json"]
    command += ["--proof-file", "proof.json", "--log-vkey-file", "log.vkey", "qr.txt"]
    return subprocess.run(command, cwd=saved, capture_output=True, text=True, timeout=60, check=False)


def test_lisi_gets_her_food_license_anyone_verifies_it_and_sees_its_revocation(
    page, new_page, check_a11y, login, files, platform, tmp_path
):
    number = apply_for_food(page, check_a11y, login, files, from_guide=False)
    lisi = page
    decide_food_case(new_page, login, number)

    # The license is in lisi's 证照夹, with the case it came from.
    lisi.goto("/me/licenses/")
    card = lisi.locator("li.license-card").filter(has_text=number)
    expect(card).to_contain_text("食品经营许可证")
    expect(card).to_contain_text(ENTERPRISE)
    expect(card).to_contain_text("有效")
    check_a11y(lisi, "wallet-with-new-license")
    card.get_by_role("link", name="食品经营许可证", exact=True).click()
    expect(lisi.get_by_role("heading", level=1, name="食品经营许可证")).to_be_visible()
    identifier = lisi.url.rstrip("/").rsplit("/", 1)[1]
    check_a11y(lisi, "new-license")

    # The PDF: Chinese text from the embedded font, the holder and the license's number.
    with lisi.expect_download() as download:
        lisi.get_by_role("link", name="下载 PDF").first.click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    # Without whitespace and NULs (pypdf reads fpdf2's two-byte Identity encoding with a NUL
    # before each character; pdftotext reads the same file cleanly).
    text = re.sub(r"[\s\x00]+", "", reader.pages[0].extract_text())
    item = lisi.request.get(f"/api/v1/licenses/mine/{identifier}").json()
    for expected in ("食品经营许可证", ENTERPRISE, item["number"], "济南市行政审批服务局"):
        assert expected in text, (expected, text)
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        for descendant in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]

    # Anyone checks the QR text in the browser; one changed character fails.
    visitor = new_page()
    platform.wait_integrated(item["ledger_entry_id"])
    visitor.goto("/licenses/verify")
    _verify_text(visitor, item["note"])
    _expect_valid(visitor, item)
    _verify_text(visitor, _change_one(item["note"], 1))
    expect(verdict(visitor)).to_contain_text("签名无效")
    _verify_text(visitor, item["note"])
    _expect_valid(visitor, item)
    check_a11y(visitor, "verify-new-license")

    # Offline, from saved files: valid.
    before = offline_verify(platform, tmp_path, item, "before")
    assert before.returncode == 0 and before.stdout.startswith("OK"), before.stdout + before.stderr

    # The issuing department revokes it in the workbench (reason, legal basis, confirmation).
    approver = new_page()
    login(approver, "jn_approver")
    approver.goto(f"/workbench/licenses/{identifier}/")
    panel = approver.locator("details#form-revoke")
    panel.locator("summary").first.click()
    form = panel.locator("form")
    form.get_by_label(re.compile("^撤销理由")).fill("告知承诺核查发现经营场所与承诺不符")
    form.get_by_label(re.compile("^法律依据")).fill("《中华人民共和国行政许可法》第六十九条")
    form.get_by_role("button", name="撤销证照…").click()
    approver.get_by_role("button", name="确认撤销").click()
    expect(approver.get_by_role("status").filter(has_text="电子证照已撤销")).to_be_visible()

    # The visitor's page, re-checked at once, says 已撤销 within a second.
    visitor.get_by_role("button", name="重新核验状态").click()
    expect(verdict(visitor)).to_contain_text("已撤销", timeout=1000)
    expect(visitor.locator("[data-result]")).not_to_contain_text("证照有效")
    check_a11y(visitor, "verify-revoked")

    # lisi's wallet says so too, and the offline verifier agrees from fresh files.
    lisi.reload()
    expect(lisi.locator(".badge--large")).to_have_text("已撤销")
    after = offline_verify(platform, tmp_path, item, "after")
    assert after.returncode == 1 and "已撤销" in after.stderr, after.stdout + after.stderr
