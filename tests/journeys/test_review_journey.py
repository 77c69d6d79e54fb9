"""Issue 17's "Done when" in the browser: jn_planning_rev requests an expert panel on a
建设工程规划许可证核发 case in review; the draw is shown with its seed and the recused experts
once the worker has signed the checkpoint holding the request (the page polls); expert_shen
accepts, reads the chosen material and signs an opinion; jn_planning_rev concludes and the
case resumes with its due date right; the offline verifier reproduces the draw from the
public record downloaded from the public page.

The demo pool (yiwang.demo.reviews) leaves expert_shen the only 城乡规划 expert not recused
for the demo enterprise's cases, so a panel of one is his whatever the seed."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_case_journeys import case_page_opened

pytestmark = pytest.mark.browser

VERIFY_CLI = Path(sys.executable).with_name("yiwang-verify")
SRC = Path(__file__).resolve().parents[2] / "src"  # this checkout's verifier, not an installed one
ITEM = "建设工程规划许可证核发"


def _planning_case_offering_a_review(page) -> str:  # type: ignore[no-untyped-def]
    """A planning case in jn_planning_rev's inbox whose page offers 申请专家评审."""
    page.goto("/workbench/")
    numbers = [
        re.search(r"\d{6}-\d{8}-\d{6}", text).group(0)  # type: ignore[union-attr]
        for text in page.locator("tr", has_text=ITEM).all_inner_texts()
        if re.search(r"\d{6}-\d{8}-\d{6}", text)
    ]
    for number in dict.fromkeys(numbers):
        page.goto(f"/workbench/cases/{number}/")
        case_page_opened(page, number)
        if page.get_by_role("link", name="申请专家评审（随机抽取）").count():
            return number
    pytest.fail(f"no {ITEM} case in jn_planning_rev's inbox offers an expert review ({numbers})")


def test_a_panel_is_drawn_verifiably_reviews_online_and_the_case_resumes(
    page, new_page, check_a11y, login, platform, tmp_path
):
    rev = page
    login(rev, "jn_planning_rev")
    number = _planning_case_offering_a_review(rev)
    due_before = rev.locator("dt:text-is('法定办结') + dd .num").inner_text()
    rev.get_by_role("link", name="申请专家评审（随机抽取）").click()
    expect(rev.get_by_role("heading", level=1, name="申请专家评审")).to_be_visible()
    check_a11y(rev, "review-request")
    rev.get_by_label(re.compile("^专家人数")).fill("1")
    rev.get_by_label(re.compile("^专业要求")).fill("城乡规划")
    rev.locator("#req-materials input[type=checkbox]").first.check()
    rev.get_by_label(re.compile("^案情摘要")).fill("中央厨房及配送中心项目设计方案，需评审与控规的符合性。")
    rev.get_by_label(re.compile("^评审事由")).fill("建设工程设计方案需组织专家评审")
    rev.get_by_role("button", name="申请并中止计时").click()
    expect(rev.get_by_role("heading", level=1)).to_contain_text("专家评审")
    # The worker signs a checkpoint every 2 s; the page polls until the draw shows (bounded).
    expect(rev.locator("#seed")).to_be_visible(timeout=30_000)
    seed = rev.locator("#seed").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", seed)
    excluded = rev.locator("#excluded")
    for reason in ("与申请人或其代理机构为同一单位", "申报与申请人有利害关系", "暂不能参加评审"):
        expect(excluded).to_contain_text(reason)
    expect(rev.locator("main")).to_contain_text("沈建国")  # the requester's side sees who is invited
    check_a11y(rev, "review-panel-drawn")
    ref = rev.locator("h1 .num").inner_text()

    # The applicant's side: a review is under way, when it should end, never who.
    public = new_page()
    public.goto(f"/reviews/draws/{ref}/")
    expect(public.locator("#seed")).to_have_text(seed)
    expect(public.locator("main")).not_to_contain_text("沈建国")
    check_a11y(public, "review-draw-public")

    shen = new_page()
    login(shen, "expert_shen")
    shen.goto("/workbench/reviews/")
    shen.get_by_role("link", name=ref).click()
    expect(shen.locator("#invitation-status")).to_have_text("待答复")
    check_a11y(shen, "review-invitation")
    shen.get_by_role("button", name="接受邀请").click()
    expect(shen.locator("#materials li")).to_have_count(1)  # only what the requester chose
    expect(shen.locator("#summary")).to_contain_text("控规的符合性")
    shen.get_by_label(re.compile("^评分")).fill("85")
    shen.get_by_label("同意", exact=True).check()
    shen.get_by_label(re.compile("^意见与理由")).fill("设计方案符合控制性详细规划和规划条件，同意。")
    shen.get_by_role("button", name="签名并提交").click()
    expect(shen.locator("#opinion")).to_contain_text("Ed25519")
    check_a11y(shen, "review-opinion-signed")

    rev.goto(f"/workbench/reviews/panels/{ref}/")
    rev.get_by_role("button", name="形成结论并恢复计时").click()
    expect(rev.locator("#conclusion")).to_contain_text("同意 1 票")
    rev.goto(f"/workbench/cases/{number}/")
    case_page_opened(rev, number)
    expect(rev.locator("main")).to_contain_text("特别程序结束，恢复计时")
    # Requested and concluded on the same working day: no working day was suspended.
    expect(rev.locator("dt:text-is('法定办结') + dd .num")).to_have_text(due_before)
    shen.reload()
    expect(shen.locator("#conclusion")).to_contain_text("同意 1 票")

    # Offline: the public record, the seeding checkpoint and the log key reproduce the draw.
    public.goto(f"/reviews/draws/{ref}/")
    saved = tmp_path / "draw"
    saved.mkdir()
    for link, name in (("#download-record", "draw.json"), ("#download-checkpoint", "checkpoint.txt")):
        with public.expect_download() as download:
            public.locator(link).click()
        download.value.save_as(saved / name)
    (saved / "log.vkey").write_bytes(platform.get("/reviews/draws/log.vkey")[1])
    command = [str(VERIFY_CLI), "draw", "--vkey-file", "log.vkey", "--checkpoint", "checkpoint.txt", "draw.json"]
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run(command, cwd=saved, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert f"draw {ref} reproduced" in done.stdout and "1 signed opinions verified" in done.stdout
