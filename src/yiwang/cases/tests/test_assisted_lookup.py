"""帮办 step 1 is counted and logged (ADR 0029, 2026-12-06): every search for a person by name and
证件号码 — hit or miss — leaves a record the person and the region's supervisors and auditors
read, with its ledger entry; a helper's searches are limited per ten minutes."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from yiwang.cases import assisted_selectors
from yiwang.cases.models import AssistedLookup
from yiwang.cases.services.assisted_lookup import LOOKUP_WINDOW_SECONDS, person_lookup
from yiwang.cases.tests.factories import user
from yiwang.core import clock
from yiwang.core.errors import PermissionDenied, TooManyAttempts
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db
START = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
NOBODY = "110101199003070011"  # 18 digits nobody here holds


def find(name: str, number: str, clerk: str = "jn_window"):  # type: ignore[no-untyped-def]
    return person_lookup(actor=user(clerk), real_name=name, id_number=number)


def test_a_hit_and_a_miss_each_leave_a_record_and_a_ledger_entry_without_the_name_or_number(world: None) -> None:
    number = user("zhangsan").person.id_number
    with clock.frozen(START):
        assert find("张三", number) is not None
        assert find("李四", number) is None
    hit, miss = AssistedLookup.objects.order_by("id")
    assert (hit.found, hit.person, hit.helper) == (True, user("zhangsan"), user("jn_window"))
    assert (miss.found, miss.person) == (False, None)
    for row in (hit, miss):
        entry = Entry.objects.get(pk=row.ledger_entry_id)
        assert entry.kind == "cases.assisted_lookup"
        assert number not in entry.leaf and "张三" not in entry.leaf and "李四" not in entry.leaf
        leaf = json.loads(entry.leaf)
        assert set(leaf["commitments"]) == {"real_name", "id_number"}
        assert leaf["payload"]["found"] is row.found and leaf["payload"]["helper_role"] == "window_clerk"


def test_a_miss_under_another_name_looks_like_a_miss_for_a_number_nobody_holds(world: None) -> None:
    """The helper learns nothing about whether the number exists: same answer, same record."""
    number = user("zhangsan").person.id_number
    with clock.frozen(START):
        assert find("李四", number) is None
        assert find("李四", NOBODY) is None
    rows = list(AssistedLookup.objects.order_by("id").values("found", "person"))
    assert rows == [{"found": False, "person": None}, {"found": False, "person": None}]


def test_the_person_sees_every_search_for_their_number_and_nobody_elses(world: None) -> None:
    number = user("zhangsan").person.id_number
    with clock.frozen(START):
        find("张三", number)
        find("王五", number)  # someone tried zhangsan's number under another name
        find("李四", user("lisi").person.id_number)
    mine = list(assisted_selectors.lookups_about(user("zhangsan")))
    assert [row.found for row in mine] == [False, True]  # newest first
    assert [row.found for row in assisted_selectors.lookups_about(user("lisi"))] == [True]
    assert not assisted_selectors.lookups_about(user("wangwu")).exists()


def test_supervisors_and_auditors_of_the_region_read_the_searches_and_nobody_else(world: None) -> None:
    with clock.frozen(START):
        find("张三", user("zhangsan").person.id_number)
    assert assisted_selectors.lookups_visible_to(user("jn_supervisor")).count() == 1
    assert assisted_selectors.lookups_visible_to(user("auditor_han")).count() == 1  # the province, below it
    for username in ("jn_window", "jn_reviewer", "jn_head"):
        with pytest.raises(PermissionDenied):
            assisted_selectors.lookups_visible_to(user(username))


def test_searches_are_limited_per_helper_and_a_refused_search_searches_nothing(world: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ASSISTED_LOOKUP_LIMIT = 2
    number = user("zhangsan").person.id_number
    with clock.frozen(START):
        find("张三", number)
        find("李四", number)
        with pytest.raises(TooManyAttempts) as info:
            find("张三", number)
        assert "每 10 分钟最多查询 2 次" in info.value.message and info.value.status == 429
    assert AssistedLookup.objects.count() == 2  # the refused one read nothing
    with clock.frozen(START + dt.timedelta(seconds=LOOKUP_WINDOW_SECONDS)):
        assert find("张三", number) is not None  # the next window
    # The limit is per helper.
    settings.ASSISTED_LOOKUP_LIMIT = 1
    with clock.frozen(START + dt.timedelta(seconds=LOOKUP_WINDOW_SECONDS)):
        assert find("张三", number, clerk="jn_assistant") is not None
