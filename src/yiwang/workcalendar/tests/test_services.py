"""Calendar edits: services with an event and a ledger entry; the admin uses nothing else."""

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import NotFound, PermissionDenied, ValidationFailed
from yiwang.core.models import CalendarDay, CalendarYear
from yiwang.ledger.models import Entry
from yiwang.workcalendar import services
from yiwang.workcalendar.models import CalendarEvent

pytestmark = pytest.mark.django_db

D = dt.date
NOTICE = "国办发明电〔2026〕X号 关于2027年部分节假日安排的通知"


def admin() -> User:
    return User.objects.get(username="admin")


def leaf(event: CalendarEvent) -> dict[str, Any]:
    entry = Entry.objects.get(pk=event.ledger_entry_id)
    assert entry.kind == f"calendar.{event.verb}" and entry.subject == f"calendar:{event.year}"
    document = json.loads(entry.leaf)
    assert set(document["commitments"]) == {"actor"} and "admin" not in entry.leaf  # who, as a commitment
    return dict(document["payload"])


def test_every_edit_writes_an_event_and_a_ledger_entry(world: None) -> None:
    services.calendar_year_add(actor=admin(), year=2027, source=NOTICE)
    services.calendar_day_set(actor=admin(), day=D(2027, 2, 8), is_working_day=False, name="春节")
    services.calendar_day_set(actor=admin(), day=D(2027, 2, 20), is_working_day=True, name="春节调休上班")
    services.calendar_day_clear(actor=admin(), day=D(2027, 2, 20))
    services.calendar_year_publish(actor=admin(), year=2027)
    events = list(CalendarEvent.objects.order_by("id"))
    assert [e.verb for e in events] == ["year_add", "day_set", "day_set", "day_clear", "year_publish"]
    assert all(e.actor == admin() and e.source == NOTICE for e in events)
    assert leaf(events[1]) == {
        "year": 2027,
        "source": NOTICE,
        "by": "staff",
        "dates": ["2027-02-08"],
        "is_working_day": False,
        "name": "春节",
    }
    assert leaf(events[3])["dates"] == ["2027-02-20"]
    assert leaf(events[4])["holidays"] == ["2027-02-08"] and leaf(events[4])["working_weekends"] == []
    assert CalendarYear.objects.get(year=2027).published_at is not None
    services.calendar_year_remove(actor=admin(), year=2027)
    removed = CalendarEvent.objects.order_by("id").last()
    assert removed is not None and leaf(removed)["dates"] == ["2027-02-08"] and leaf(removed)["was_published"]
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_rules_are_named_in_chinese(world: None) -> None:
    with pytest.raises(ValidationFailed) as info:
        services.calendar_year_add(actor=admin(), year=2027, source=" ")
    assert "依据" in info.value.errors["source"][0]
    with pytest.raises(ValidationFailed) as info:
        services.calendar_year_add(actor=admin(), year=2026, source=NOTICE)
    assert "2026 年已存在" in info.value.errors["year"][0]
    with pytest.raises(NotFound, match="没有 2027 年度"):
        services.calendar_day_set(actor=admin(), day=D(2027, 1, 1), is_working_day=False, name="元旦")
    with pytest.raises(ValidationFailed) as info:
        services.calendar_day_set(actor=admin(), day=D(2026, 3, 4), is_working_day=True)
    assert "只有调休上班的周末需要录入" in info.value.errors["is_working_day"][0]
    with pytest.raises(PermissionDenied):
        services.calendar_year_add(actor=User.objects.get(username="jn_window"), year=2027, source=NOTICE)
    assert not CalendarEvent.objects.exists()


def test_a_draft_changes_nothing_until_published(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_add(actor=admin(), year=2027, source=NOTICE)
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_day_set(actor=admin(), day=D(2027, 3, 1), is_working_day=False, name="测试")
    assert working_calendar(fresh=True).is_working_day(D(2027, 3, 1))
    assert working_calendar().is_provisional(D(2027, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_publish(actor=admin(), year=2027)
    working = working_calendar(fresh=True)
    assert not working.is_working_day(D(2027, 3, 1)) and not working.is_provisional(D(2027, 3, 1))
    with pytest.raises(ValidationFailed, match="已经发布"):
        services.calendar_year_publish(actor=admin(), year=2027)


def test_a_change_in_force_enqueues_the_re_derivation(
    world: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as draft_callbacks:
        services.calendar_year_add(actor=admin(), year=2027, source=NOTICE)
    with django_capture_on_commit_callbacks() as callbacks:
        services.calendar_day_set(actor=admin(), day=D(2026, 12, 10), is_working_day=False, name="临时休假")
    names = [getattr(c, "args", ("",))[0] for c in callbacks]
    assert "yiwang.cases.tasks.calendar_rederive" in names
    assert "yiwang.cases.tasks.calendar_rederive" not in [getattr(c, "args", ("",))[0] for c in draft_callbacks]


# The admin pages


def test_admin_bulk_delete_goes_through_the_service(login_as: Callable[[str], Client]) -> None:
    client = login_as("admin")
    services.calendar_year_add(actor=admin(), year=2027, source=NOTICE)
    services.calendar_day_set(actor=admin(), day=D(2027, 1, 1), is_working_day=False, name="元旦")
    services.calendar_day_set(actor=admin(), day=D(2027, 1, 4), is_working_day=False, name="元旦")
    pks = list(CalendarDay.objects.filter(date__year=2027).values_list("pk", flat=True))
    response = client.post(
        "/admin/core/calendarday/", {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    cleared = CalendarEvent.objects.filter(verb="day_clear").order_by("id")
    assert [e.payload["dates"] for e in cleared] == [["2027-01-01"], ["2027-01-04"]]
    assert all(e.ledger_entry_id for e in cleared)

    year = CalendarYear.objects.get(year=2027)
    response = client.post(
        "/admin/core/calendaryear/", {"action": "delete_selected", "_selected_action": [year.pk], "post": "yes"}
    )
    assert response.status_code == 302 and not CalendarYear.objects.filter(year=2027).exists()
    assert CalendarEvent.objects.filter(verb="year_remove", year=2027).count() == 1


def test_admin_adds_a_year_with_its_days_and_publishes_it(
    login_as: Callable[[str], Client], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = login_as("admin")
    form = {
        "year": "2027",
        "source": NOTICE,
        "note": "",
        "days-TOTAL_FORMS": "2",
        "days-INITIAL_FORMS": "0",
        "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000",
        "days-0-date": "2027-02-08",
        "days-0-is_working_day": "",
        "days-0-name": "春节",
        "days-1-date": "2027-02-20",
        "days-1-is_working_day": "on",
        "days-1-name": "春节调休上班",
    }
    response = client.post("/admin/core/calendaryear/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [e.verb for e in CalendarEvent.objects.order_by("id")] == ["year_add", "day_set", "day_set"]
    year = CalendarYear.objects.get(year=2027)
    assert year.published_at is None
    page = client.get("/admin/core/calendaryear/").content.decode()
    assert "草稿（未生效，按暂定日历计算）" in page
    assert "2027 年：尚无已发布的国务院办公厅节假日安排，平台按暂定日历计算" in page
    assert "春节假期 2027-02-04 至 2027-02-09" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/core/calendaryear/", {"action": "publish_selected", "_selected_action": [year.pk]}, follow=True
        )
    assert "2027 年工作日历已发布" in response.content.decode()
    assert CalendarYear.objects.get(year=2027).published_at is not None
    page = client.get("/admin/core/calendaryear/").content.decode()
    assert "2027 年：尚无" not in page and "2029 年：尚无" in page
    assert "国庆节、中秋假期 2028-09-30 至 2028-10-05" in page  # 2028: 中秋 on 3 October


def test_admin_rejects_a_weekday_marked_as_working(login_as: Callable[[str], Client]) -> None:
    client = login_as("admin")
    response = client.post("/admin/core/calendarday/add/", {"date": "2026-03-04", "is_working_day": "on", "name": "x"})
    assert response.status_code == 200
    assert "只有调休上班的周末需要录入" in response.content.decode()
    assert not CalendarEvent.objects.exists()
