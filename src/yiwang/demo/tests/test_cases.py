import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from yiwang.accounts.models import User
from yiwang.cases.deadlines import case_clock_state
from yiwang.cases.models import Case, CaseEvent, CaseMaterial, Task
from yiwang.cases.workflow import INTAKE_STATES, CaseStatus
from yiwang.core import clock
from yiwang.core.calendar import calendar_seed, working_calendar
from yiwang.demo.cases import HORIZON_DAYS, KEY_PREFIX, demo_anchor, load_cases
from yiwang.demo.world import load_world
from yiwang.ledger.audit import ledger_audit
from yiwang.ledger.integrator import ledger_integrate
from yiwang.ledger.models import Entry

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 3, 10, 0)  # a Thursday; the demo's limits end in 2026


def _load(at: dt.datetime) -> dict[str, object]:
    with clock.frozen(at):
        calendar_seed(years=settings.CALENDAR_SEED_YEARS)
        load_world()
        return load_cases()


def _case(key: str) -> Case:
    return Case.objects.get(idempotency_key=KEY_PREFIX + key)


def _counts() -> tuple[int, ...]:
    return (Case.objects.count(), CaseEvent.objects.count(), Task.objects.count(), CaseMaterial.objects.count())


def test_every_state_exists_once_loaded_and_a_second_load_changes_nothing() -> None:
    assert _load(TODAY) == {"cases": 17, "skipped": ""}
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses == set(CaseStatus.values) - INTAKE_STATES  # 异地代收代办's: demo.crossregion
    applicants = set(Case.objects.values_list("applicant__username", flat=True))
    assert applicants == {"zhangsan", "lisi", "wangwu"}
    assert Case.objects.values("implementation_version__implementation__item").distinct().count() == 6
    first, entries = _counts(), Entry.objects.count()
    with clock.frozen(TODAY + dt.timedelta(hours=2)):
        assert load_cases() == {"cases": 0, "skipped": ""}
    assert (_counts(), Entry.objects.count()) == (first, entries)

    ledger_integrate()
    report = ledger_audit()
    assert report.clean, report.problems
    assert report.entries == Entry.objects.count()


def test_the_cases_look_like_real_work_in_progress() -> None:
    _load(TODAY)
    with clock.frozen(TODAY):
        assert case_clock_state(_case("food-warning"), committed=True).level == "warning"
        assert case_clock_state(_case("sign-overdue"), committed=True).level == "overdue"
    planning = _case("planning-parallel")
    branches = dict(Task.objects.filter(case=planning, kind="review").values_list("key", "status"))
    assert branches == {"planning": "approved", "air_defence": "approved", "fire": "claimed", "transport": "open"}
    assert Task.objects.get(case=planning, key="fire").assignee.username == "jn_fire_rev"
    suspended = _case("sign-suspended")
    announced = "启动专家评审程序，中止计时，预计需要 10 个工作日"
    assert CaseEvent.objects.filter(case=suspended, summary__contains=announced).exists()
    # 一审一核: nobody decided a case whose review they completed.
    for case in Case.objects.exclude(decided_by=None):
        reviewers = set(Task.objects.filter(case=case, kind="review").values_list("assignee_id", flat=True))
        assert case.decided_by_id not in reviewers
    revoked = _case("hygiene-revoked")
    assert revoked.status == CaseStatus.REVOKED and revoked.commitment_signed_at is not None
    draft = Case.objects.get(status=CaseStatus.DRAFT)
    assert draft.form_data and draft.materials.count() == 1  # type: ignore[attr-defined]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_pages_a_newcomer_opens_first_are_not_empty() -> None:
    _load(TODAY)
    with clock.frozen(TODAY):
        mine = _client("zhangsan").get("/me/cases/").content.decode()
        intake = _client("jn_window").get("/workbench/").content.decode()
        fire = _client("jn_fire_rev").get("/workbench/").content.decode()
    for key in ("birth-auto", "sign-denied", "food-warning", "hygiene-supplement"):
        assert _case(key).number in mine
    for key in ("food-submitted", "sign-submitted"):
        assert _case(key).number in intake
    assert _case("planning-parallel").number in fire and "消防审查" in fire


def test_late_in_the_year_the_demo_fits_the_configured_calendar() -> None:
    """On 28 December the open limits run into next year: without that year's calendar the
    steps move back so that they still end in a configured year; with it, nothing moves."""
    late = dt.datetime(2026, 12, 28, 10, 0)
    assert _load(late)["cases"] == 17
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values) - INTAKE_STATES
    calendar = working_calendar()
    anchor = demo_anchor(calendar, late.date())
    calendar.add_working_days(anchor, HORIZON_DAYS)  # does not raise YearNotConfigured
    assert anchor <= late.date()
    assert all(c.due_date is None or c.due_date.year in calendar.years for c in Case.objects.all())


def test_zhangsan_and_the_enterprise_hold_licenses_one_revoked_one_expired() -> None:
    from yiwang.licenses.models import License

    _load(TODAY)
    held = {(lic.license_type.name, lic.enterprise is not None, lic.status) for lic in License.objects.all()}
    assert held == {
        ("营业执照", False, "valid"),  # company-instant: zhangsan
        ("营业执照", True, "valid"),  # 泉城餐饮's, fetched by its 食品经营许可 applications (免提交)
        ("食品经营许可证", True, "valid"),  # food-concluded: 泉城餐饮
        ("公共场所卫生许可证", True, "revoked"),  # hygiene-revoked: the decision on the promise was revoked
        ("食品经营许可证", True, "expired"),  # the earlier shop's, from before the platform
    }
    assert License.objects.get(case=_case("company-instant")).holder.username == "zhangsan"
    assert _load(TODAY)["cases"] == 0 and License.objects.count() == 5
