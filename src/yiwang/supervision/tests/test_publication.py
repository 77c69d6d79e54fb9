"""A closed month's public figures go into the ledger once; the audit recomputes them; a
change after publication is reported until a reasoned correction; /data/ names the entry."""

import datetime as dt
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client

from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.core.text import canonical
from yiwang.ledger.models import Entry
from yiwang.supervision import publication, tasks
from yiwang.supervision.audit import supervision_audit
from yiwang.supervision.models import ALL_ITEMS, DailyFigures, MonthlyFigures
from yiwang.supervision.rule_models import SupervisionEvent
from yiwang.supervision.tests.test_rollup import scene
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
D = dt.date
FEBRUARY = D(2026, 2, 1)


def text(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_closed_month_is_published_once_with_what_the_page_shows(world: None) -> None:
    scene()
    published = publication.publish_month(FEBRUARY)
    assert published is not None and published.month == "2026-02" and not published.corrected
    assert publication.publish_month(FEBRUARY) is None  # idempotent
    assert SupervisionEvent.objects.filter(subject="figures:2026-02").count() == 1
    leaf = json.loads(Entry.objects.get(pk=published.entry_id).leaf)
    assert leaf["kind"] == "supervision.figures_published" and leaf["subject"] == "figures:2026-02"
    figures = leaf["payload"]["figures"]
    assert leaf["payload"]["sha256"] == publication.digest(figures)
    assert len(leaf["payload"]["sha256"]) == 64 and canonical(figures)  # the canonical JSON it hashes
    [department] = figures["by_department"]
    assert department["name"] == "济南市行政审批服务局" and department["submitted"] == 5
    assert figures["totals"]["on_time_rate"] == "100.0"  # February: the one decided case was on time
    assert len(figures["daily"]["submitted"]) == 28 and figures["daily"]["submitted"][9] == 5
    page = Client().get("/data/", {"since": "2026-02-01", "until": "2026-02-28"})
    assert_sound_html(page.content.decode())
    shown = text(page)
    assert f"账本条目 #{published.entry_id}" in shown and leaf["payload"]["sha256"] in shown
    assert f'href="/ledger/entries/{published.entry_id}/"' in page.content.decode()
    assert "按期办结率 100.0%" in shown and re.search(r"2026-02 的数据已于 [\d-]+ [\d:]+ 上链公开", shown)
    filtered = text(Client().get("/data/", {"since": "2026-02-01", "until": "2026-02-27"}))
    assert "的数据已于" not in filtered and "已上链公开的月度数据" in filtered  # listed, not claimed
    assert supervision_audit().problems == []


def test_a_month_not_over_is_refused_and_the_worker_publishes_the_last_one(world: None) -> None:
    with pytest.raises(ValidationFailed, match="尚未结束"):
        publication.publish_month(clock.today())
    # February is due 10 working days after it ended (its bad reviews answered, appeals heard):
    # 2026-03-13, a Friday (the demo calendar has no holiday in early March).
    with clock.frozen(D(2026, 3, 12)):  # the first run publishes the two months before, long due
        assert not publication.publishable(FEBRUARY) and tasks.publish_figures.call() == 2
    with clock.frozen(D(2026, 3, 13)):
        assert tasks.publish_figures.call() == 1  # February, on the first run once due
        assert tasks.publish_figures.call() == 0
    assert [p.month for p in publication.publications()] == ["2026-02", "2026-01", "2025-12"]
    with clock.frozen(D(2026, 5, 4)):  # a worker down since March: March is caught up
        assert tasks.publish_figures.call() == 1  # (April is due only on 2026-05-15)
    assert [p.month for p in publication.publications()][:2] == ["2026-03", "2026-02"]


def test_an_edited_month_is_reported_and_corrected_only_with_a_reason(world: None) -> None:
    scene()
    published = publication.publish_month(FEBRUARY)
    assert published is not None
    # A consistent forgery: the day's row of all items and its month's row (whole months are
    # read from the latter), so only the published month and the recount can tell.
    DailyFigures.objects.filter(day=D(2026, 2, 10), item_code=ALL_ITEMS).update(submitted=F("submitted") + 1)
    MonthlyFigures.objects.filter(month=FEBRUARY).update(submitted=F("submitted") + 1)
    found = supervision_audit().problems
    where = f"2026-02 公开的政务服务数据（账本条目 #{published.entry_id}）"
    assert any(where in p and "按部门 济南市行政审批服务局 申请件数（submitted）公开为 5，现为 6" in p for p in found)
    assert any("每日 2026-02-10 申请件数（submitted）公开为 5，现为 6" in p for p in found)
    with pytest.raises(CommandError):
        call_command("ledger", "audit")
    # The stored copy of the publication edited: the leaf has the last word.
    event = SupervisionEvent.objects.get(pk=published.event_id)
    event.payload["figures"]["totals"]["submitted"] = 50
    event.save()
    assert any("事件记录与账本条目内容不一致" in p for p in supervision_audit().problems)


def test_a_later_change_to_a_closed_month_needs_a_reasoned_correction(world: None) -> None:
    scene()
    published = publication.publish_month(FEBRUARY)
    assert published is not None
    with pytest.raises(Conflict, match="无需更正"):
        publication.publish_month(FEBRUARY, reason="核对无误")  # nothing changed
    with flows.on(D(2026, 2, 20)):  # e.g. a submission recorded late, dated in February
        flows.submit(ImplementationVersionFactory())
    assert any("公开后数字有变" in p for p in supervision_audit().problems)
    with pytest.raises(CommandError, match="更正理由"):
        call_command("supervision", "publish", "--month", "2026-02", "--reason", "补录\x00")
    call_command("supervision", "publish", "--month", "2026-02", "--reason", "补录 2 月 20 日窗口收件一件")
    corrected = publication.latest(FEBRUARY)
    assert corrected is not None and corrected.corrected and corrected.entry_id != published.entry_id
    assert corrected.payload["replaces"] == published.entry_id
    assert supervision_audit().problems == []
    page = text(Client().get("/data/", {"since": "2026-02-01", "until": "2026-02-28"}))
    assert "更正并上链公开" in page and "更正理由：补录 2 月 20 日窗口收件一件" in page
