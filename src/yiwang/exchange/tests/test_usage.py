"""我的数据使用记录 (exchange.usage): whose reads a person sees, each row checked against its
ledger entry, and the ledger's count of reads of the person's data against the rows — so a
row edited, moved to someone else or left out behind the platform's back shows."""

import datetime as dt
from typing import Any

import pytest

from yiwang.accounts.models import EnterpriseAgent, User
from yiwang.core import clock
from yiwang.core.errors import ValidationFailed
from yiwang.exchange import usage
from yiwang.exchange.models import DataRead
from yiwang.exchange.tests.conftest import Registry
from yiwang.exchange.tests.helpers import department
from yiwang.exchange.tests.usage_scene import grants, read_enterprise, read_person, records
from yiwang.ledger.models import EntrySalt

pytestmark = pytest.mark.django_db(transaction=True)
ALL = usage.UsageFilter()


@pytest.fixture
def registry_records() -> dict[str, Any]:
    return records()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_each_row_is_confirmed_by_its_entry_and_the_ledger_counts_the_same(world: None, registry: Registry) -> None:
    grants()
    own = read_person("lisi", reference="370100-2026-000123")
    company = read_enterprise()
    read_person("zhangsan")
    lisi = _user("lisi")
    listed = list(usage.reads_of(lisi, ALL))
    assert listed == [company, own]  # newest first; zhangsan's read is not lisi's
    checks = usage.checked(listed)
    assert [c.problems for c in checks] == [(), ()]
    assert usage.field_labels(own) == ["姓名", "住址"]
    tally = usage.ledger_tally(lisi, ALL)
    assert (tally.in_ledger, tally.listed, tally.unlisted, tally.agrees) == (2, 2, [], True)
    zhangsan = usage.ledger_tally(_user("zhangsan"), ALL)
    assert (zhangsan.in_ledger, zhangsan.listed, zhangsan.agrees) == (1, 1, True)
    assert usage.ledger_tally(_user("wangwu"), ALL).in_ledger == 1  # the company's legal representative


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"fields": ["name", "id_number", "address"]}, "信息项"),
        ({"purpose": "核验住址"}, "用途"),
        ({"reference": "370100-2026-999999"}, "关联办件"),
        ({"outcome": "failed"}, "结果"),
        ({"digest": "0" * 64}, "内容摘要"),
        ({"at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}, "读取时间"),
    ],
)
def test_a_row_edited_behind_the_platforms_back_is_flagged(
    world: None, registry: Registry, change: dict[str, Any], problem: str
) -> None:
    grants()
    read = read_person("zhangsan")
    DataRead.objects.filter(pk=read.pk).update(**change)
    [check] = usage.checked(list(usage.reads_of(_user("zhangsan"), ALL)))
    assert not check.consistent and problem in check.problems


def test_a_row_moved_to_another_person_is_flagged_and_missing_from_the_owners_count(
    world: None, registry: Registry
) -> None:
    grants()
    read = read_person("lisi")
    DataRead.objects.filter(pk=read.pk).update(subject_user=_user("zhangsan"))
    [check] = usage.checked(list(usage.reads_of(_user("zhangsan"), ALL)))
    assert check.problems == ("数据主体",)
    zhangsan = usage.ledger_tally(_user("zhangsan"), ALL)
    assert (zhangsan.in_ledger, zhangsan.listed, zhangsan.unconfirmed, zhangsan.agrees) == (0, 1, 1, False)
    lisi = usage.ledger_tally(_user("lisi"), ALL)
    assert (lisi.in_ledger, lisi.listed, lisi.unlisted, lisi.agrees) == (1, 0, [read.ledger_entry_id], False)


def test_a_read_left_out_of_the_table_still_counts_from_the_ledger(world: None, registry: Registry) -> None:
    grants()
    kept = read_person("zhangsan")
    dropped = read_person("zhangsan")
    DataRead.objects.filter(pk=dropped.pk).delete()
    tally = usage.ledger_tally(_user("zhangsan"), ALL)
    assert (tally.in_ledger, tally.listed, tally.unlisted) == (2, 1, [dropped.ledger_entry_id])
    assert list(usage.reads_of(_user("zhangsan"), ALL)) == [kept]


def test_a_former_agent_no_longer_sees_the_enterprises_reads(world: None, registry: Registry) -> None:
    grants()
    read_enterprise()
    lisi = _user("lisi")
    assert usage.ledger_tally(lisi, ALL).in_ledger == 1 and usage.reads_of(lisi, ALL).count() == 1
    EnterpriseAgent.objects.filter(person__user=lisi).update(revoked_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    assert not usage.reads_of(lisi, ALL).exists()
    tally = usage.ledger_tally(lisi, ALL)
    assert (tally.in_ledger, tally.listed, tally.agrees) == (0, 0, True)
    assert list(usage.reading_departments(lisi)) == []


def test_the_period_and_department_narrow_rows_and_count_alike(world: None, registry: Registry) -> None:
    grants()
    read_person("zhangsan")
    zhangsan = _user("zhangsan")
    today = clock.today()
    approval = department("approval")
    assert list(usage.reading_departments(zhangsan)) == [approval]
    for chosen, expected in [
        (usage.UsageFilter(since=today - dt.timedelta(days=1), until=today + dt.timedelta(days=1)), 1),
        (usage.UsageFilter(until=today - dt.timedelta(days=1)), 0),
        (usage.UsageFilter(since=today + dt.timedelta(days=1)), 0),
        (usage.UsageFilter(department=approval), 1),
        (usage.UsageFilter(department=department("health")), 0),
    ]:
        tally = usage.ledger_tally(zhangsan, chosen)
        assert (tally.in_ledger, tally.listed, usage.reads_of(zhangsan, chosen).count()) == (expected,) * 3, chosen


def test_too_many_entries_to_look_at_says_so_instead_of_counting(
    world: None, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    grants()
    read_person("zhangsan")
    read_person("lisi")
    monkeypatch.setattr(usage, "LEDGER_SCAN_MAX", 1)
    tally = usage.ledger_tally(_user("zhangsan"), ALL)
    assert (tally.in_ledger, tally.listed, tally.agrees) == (None, 1, False)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"since": "2026-13-01"}, "since", "起始日期：日期格式应为 年-月-日，如 2026-03-01"),
        ({"until": "昨天"}, "until", "截止日期：日期格式应为 年-月-日，如 2026-03-01"),
        ({"since": "2026-03-02\x00"}, "since", "起始日期：日期格式应为 年-月-日，如 2026-03-01"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "until", "截止日期：不能早于起始日期"),
        ({"department": "99999"}, "department", "读取部门：请从列表中选择"),
        ({"department": "1e999"}, "department", "读取部门：请从列表中选择"),
    ],
)
def test_bad_filter_input_names_the_field(world: None, raw: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        usage.usage_filter(raw, [department("approval")])
    assert refused.value.errors == {field: [message]}


def test_without_the_salts_the_commitments_cannot_be_confirmed(world: None, registry: Registry) -> None:
    """Erasing an entry's salts (ledger.EntrySalt) unlinks it from the person: the row can no
    longer be confirmed and the ledger no longer counts it as theirs."""
    grants()
    read = read_person("zhangsan")
    EntrySalt.objects.filter(entry_id=read.ledger_entry_id).delete()
    [check] = usage.checked([read])
    assert check.problems == ("数据主体", "用途")
    assert usage.ledger_tally(_user("zhangsan"), ALL).in_ledger == 0
