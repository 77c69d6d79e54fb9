"""The supervision audit: the roll-ups recomputed from the events, the events tied to their
ledger leaves, the published months recomputed; an edit behind the platform's back is
reported, in Chinese, and `yiwang ledger audit` fails on it."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from yiwang.cases import services as case_services
from yiwang.cases.models import CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.ratings import services
from yiwang.ratings.models import Rating
from yiwang.ratings.tests.scene import concluded, notice_token, person
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, DailyRatings, MonthlyFigures, StatusCount
from yiwang.supervision.rollup import COUNTED
from yiwang.supervision.tests.test_rollup import scene

pytestmark = pytest.mark.django_db


def rated(grade: int) -> Rating:
    return services.rating_give_by_link(token=notice_token(concluded()), grade=grade, tags=["guide"], text="评价")


def history() -> None:
    """Cases through every counted verb, ratings good and bad, one put right, one appealed away."""
    scene()
    rated(5)
    fixed, appealed = rated(1), rated(2)
    services.rating_fix(actor=person("jn_head"), rating_id=fixed.pk, how="当场补充了指南说明")
    appeal = services.appeal_file(actor=person("jn_head"), rating_id=appealed.pk, reason="恶意差评")
    services.appeal_decide(actor=person("jn_supervisor"), appeal_id=appeal.pk, uphold=True, decision="属实")


def problems() -> list[str]:
    return supervision_audit().problems


def test_a_history_made_by_the_services_audits_clean(world: None, capsys: pytest.CaptureFixture[str]) -> None:
    history()
    found = supervision_audit(chunk=3)  # chunks smaller than the history: every boundary crossed
    assert found.problems == []
    stored = [DailyFigures, MonthlyFigures, StatusCount, DailyRatings]
    assert found.rows == sum(model.objects.count() for model in stored)
    assert found.events == CaseEvent.objects.filter(verb__in=list(COUNTED)).count() > 20
    assert found.ratings == 4  # two counted ratings, the fix, the upheld appeal
    call_command("ledger", "audit")
    out = capsys.readouterr().out
    assert "ledger audit clean" in out and "电子监察统计审计" in out and "全部一致" in out


def test_an_edited_counter_is_reported_with_its_row_and_both_values(world: None) -> None:
    history()
    row = DailyFigures.objects.exclude(item_code=ALL_ITEMS).filter(accepted__gt=0).first()
    assert row is not None
    DailyFigures.objects.filter(pk=row.pk).update(accepted=F("accepted") + 7)
    [problem] = problems()
    assert str(row.day) in problem and f"事项 {row.item_code}" in problem and "济南市" in problem
    assert f"受理（accepted）存储为 {row.accepted + 7}，由事件重算为 {row.accepted}" in problem
    with pytest.raises(CommandError, match="ledger audit FAILED: 1 problem"):
        call_command("ledger", "audit")


def test_an_edited_month_row_is_reported_though_its_days_are_right(world: None) -> None:
    """The boards read whole months from MonthlyFigures: an edit there alone changes what a
    supervisor and the public see, so the audit recounts the months too."""
    history()
    row = MonthlyFigures.objects.filter(concluded__gt=0).first()
    assert row is not None
    MonthlyFigures.objects.filter(pk=row.pk).update(concluded_on_time=F("concluded_on_time") + 3)
    [problem] = [p for p in problems() if "每月办件统计" in p]
    assert f"{row.month:%Y-%m} 月" in problem and "全部事项" in problem
    assert f"存储为 {row.concluded_on_time + 3}，由事件重算为 {row.concluded_on_time}" in problem


def test_a_deleted_status_row_and_an_edited_histogram_are_reported(world: None) -> None:
    history()
    StatusCount.objects.filter(state="in_review").delete()
    edited = DailyFigures.objects.filter(concluded__gt=0, item_code=ALL_ITEMS).update(days_histogram={"99": 2})
    found = problems()
    assert any("状态 in_review：缺少这一行（被删除），由事件重算为 办件数 1" in p for p in found)
    assert sum("用时分布（days_histogram）存储为 {'99': 2}" in p for p in found) == edited >= 2


def test_an_edited_rating_row_and_an_edited_rating_are_reported(world: None) -> None:
    history()
    DailyRatings.objects.filter(item_code=ALL_ITEMS).update(bad=0)
    assert any("差评数（bad）存储为 0，由事件重算为 1" in p for p in problems())
    call_command("supervision", "rebuild")
    assert problems() == []
    # A bad review quietly graded up, or dropped from the figures without an upheld appeal:
    # the roll-up follows the row, the ledger does not.
    bad = Rating.objects.filter(excluded=False, grade=1).get()
    Rating.objects.filter(pk=bad.pk).update(grade=5)
    Rating.objects.filter(excluded=False, grade=5).exclude(pk=bad.pk).update(excluded=True)
    call_command("supervision", "rebuild")
    found = problems()
    assert any(f"评价 #{bad.pk}" in p and "grade 为“1”，事件为“5”" in p for p in found)
    assert any("因申诉成立不计入统计的评价" in p and "appeal_upheld" in p for p in found)


def test_an_edited_case_event_no_longer_matches_its_leaf(world: None) -> None:
    """Rebuilt from an edited event, the roll-up agrees with the event: the leaf does not."""
    history()
    event = CaseEvent.objects.filter(verb="refuse").get()
    CaseEvent.objects.filter(pk=event.pk).update(verb="accept")
    call_command("supervision", "rebuild")
    found = problems()
    assert all(f"事件 #{event.pk}" in p for p in found)
    assert any("事件类型为“cases.refuse”，事件为“cases.accept”" in p for p in found)
    assert any("verb 为“refuse”，事件为“accept”" in p for p in found)
    with pytest.raises(CommandError, match="supervision audit FAILED"):
        call_command("supervision", "audit")


def test_a_deleted_event_is_found_by_its_entry_though_the_rebuilt_roll_up_agrees(world: None) -> None:
    """Delete a counted event row and rebuild: figures and events agree, the log does not."""
    cases = scene()
    case_services.case_withdraw(actor=user("zhangsan"), case=cases["supplement"], reason="不办了")
    rated(5)
    assert problems() == []
    event = CaseEvent.objects.filter(verb="refuse").get()
    withdrawn = CaseEvent.objects.filter(verb="withdraw").first()
    rating = Rating.objects.filter(excluded=False).order_by("pk").first()
    assert withdrawn is not None and rating is not None
    CaseEvent.objects.filter(pk__in=[event.pk, withdrawn.pk]).delete()
    Rating.objects.filter(pk=rating.pk).delete()
    call_command("supervision", "rebuild")
    found = problems()
    assert len(found) == 3, found
    refused, rating_problem, withdrawal = found
    assert refused.startswith(f"账本条目 #{event.ledger_entry_id}（不予受理")
    assert refused.endswith("没有计入统计的办件事件与之对应（事件行被删除）")
    assert rating_problem.startswith(f"账本条目 #{rating.ledger_entry_id}（") and "没有计入统计的评价" in rating_problem
    assert withdrawal.startswith(f"账本条目 #{withdrawn.ledger_entry_id}（")


def test_a_discarded_draft_has_an_entry_and_no_figure_and_is_no_problem(world: None) -> None:
    version = ImplementationVersionFactory()
    case_services.case_withdraw(actor=user("zhangsan"), case=flows.draft(version), reason="")
    assert CaseEvent.objects.filter(verb="withdraw", from_status="draft").count() == 1
    assert problems() == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_audit_reads_one_read_only_snapshot() -> None:
    """On PostgreSQL it sets REPEATABLE READ, READ ONLY first (a query before would refuse it)."""
    assert supervision_audit().report().problems == []
