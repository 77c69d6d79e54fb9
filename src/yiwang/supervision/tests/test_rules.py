"""Each monitoring rule kind fires on a scene made through the case services, and not on a
clean case; a hit names the version in force; publishing writes the ledger and retires the
previous version; params are bounded; the observer stays quiet for events no rule watches."""

import datetime as dt
import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import Role
from yiwang.accounts.services import staff_create, staff_role_grant
from yiwang.cases import hooks, services
from yiwang.cases.models import Case, CaseEvent
from yiwang.cases.tests import flows
from yiwang.cases.tests.factories import ImplementationVersionFactory, dept, user
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.models import Entry
from yiwang.supervision import rollup
from yiwang.supervision import rules as monitoring
from yiwang.supervision.rule_models import MonitoringRule, RuleHit, RuleVersion, SupervisionEvent
from yiwang.supervision.rule_sweep import rules_daily_sweep
from yiwang.supervision.rule_workflow import (
    VERSION_TRANSITIONS,
    VersionAction,
    VersionStatus,
    version_next_status,
)
from yiwang.supervision.tests.scene import D, clean_case, decided, hits, rules, version, window_also_decides

pytestmark = pytest.mark.django_db


def test_the_default_rules_are_published_once_each_with_their_ledger_entry(world: None) -> None:
    published = monitoring.ensure_default_rules(None)
    assert [v.rule.code for v in published] == list(monitoring.DEFAULT_RULES)
    assert monitoring.ensure_default_rules(None) == []  # idempotent
    entry = Entry.objects.get(pk=published[0].ledger_entry_id)
    assert entry.kind == "supervision.rule_version_published" and entry.subject == "rule:JC-01/v1"
    leaf = json.loads(entry.leaf)["payload"]
    assert leaf["rule"] == "JC-01" and leaf["version"] == 1
    assert json.loads(leaf["params"]) == {"skip_instant": 1}


def test_a_new_version_retires_the_one_in_force_and_hits_name_the_version_that_fired(world: None) -> None:
    rules()
    supervisor = user("jn_supervisor")
    draft = monitoring.rule_version_draft(
        actor=supervisor, rule_code="JC-02", params={"nth": 3}, severity="red", response_days=5, note="放宽"
    )
    assert draft.number == 2 and draft.status == VersionStatus.DRAFT
    with pytest.raises(PermissionDenied):  # four eyes: not the drafter
        monitoring.rule_version_publish(actor=supervisor, version_id=draft.pk)
    monitoring.rule_version_publish(actor=user("sd_supervisor"), version_id=draft.pk)
    statuses = dict(RuleVersion.objects.filter(rule__code="JC-02").values_list("number", "status"))
    assert statuses == {1: "retired", 2: "published"}
    assert SupervisionEvent.objects.filter(verb="rule_version_retired", rule_version__number=1).exists()
    with pytest.raises(Conflict):
        monitoring.rule_version_publish(actor=user("sd_supervisor"), version_id=draft.pk)
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
        for _ in range(3):
            services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "补充说明"}])
            services.case_supplement_answer(actor=user("zhangsan"), case=case, note="已说明")
    found = hits("JC-02", case)
    assert len(found) == 1 and found[0].rule_version.number == 2 and found[0].facts["requests"] == 3


def test_params_are_checked_against_the_kind_and_only_supervisors_manage_rules(world: None) -> None:
    rules()
    with pytest.raises(PermissionDenied):
        monitoring.rule_version_draft(actor=user("jn_head"), rule_code="JC-02", params={}, severity="red")
    with pytest.raises(ValidationFailed) as info:
        monitoring.rule_version_draft(
            actor=user("jn_supervisor"), rule_code="JC-02", params={"nth": 1, "x": 2}, severity="green"
        )
    assert info.value.errors["params.nth"] == ["第几次补正起命中（nth）：应在 2 到 10 之间"]
    assert "不认识的参数" in info.value.errors["params"][0] and "severity" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        monitoring.rule_version_draft(
            actor=user("jn_supervisor"), rule_code="JC-03", params={"start_hour": 18, "end_hour": 9}, severity="red"
        )
    assert "应晚于" in info.value.errors["params.end_hour"][0]
    with pytest.raises(ValidationFailed):
        monitoring.rule_version_draft(
            actor=user("jn_supervisor"), rule_code="JC-02", params={"nth": True}, severity="red"
        )


def test_a_clean_case_fires_no_rule(world: None) -> None:
    rules()
    case = clean_case()
    assert case.status == "concluded"
    assert RuleHit.objects.count() == 0


def test_decided_by_the_person_who_accepted(world: None) -> None:
    rules()
    window_also_decides()
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 5)):
        case = decided(case, by="jn_window")
    (hit,) = hits("JC-01", case)
    assert hit.facts["actor"] == user("jn_window").pk and hit.trigger is not None and hit.trigger.verb == "approve"
    assert hit.department == case.department and hit.rule_version.status == "published"
    entry = Entry.objects.get(pk=hit.ledger_entry_id)
    assert entry.kind == "supervision.rule_hit" and "facts" in json.loads(entry.leaf)["commitments"]


def test_an_instant_case_decided_at_the_window_is_not_a_hit(world: None) -> None:
    from yiwang.cases.tests.factories import ImplementationVersionFactory

    rules()
    with flows.on(D(2026, 3, 3)):
        flows.accepted(ImplementationVersionFactory(instant=True))
    assert hits("JC-01") == []


def test_second_supplement_request(world: None) -> None:
    rules()
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "补充说明"}])
        assert hits("JC-02") == []
        services.case_supplement_answer(actor=user("zhangsan"), case=case, note="已说明")
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "再补充"}])
    (hit,) = hits("JC-02", case)
    assert hit.facts == {"requests": 2, "nth": 2}


def test_a_rule_scoped_to_a_region_watches_only_its_cases(world: None) -> None:
    supervisor = user("sd_supervisor")
    other = staff_create(actor=None, username="sd_supervisor2", password="Yiwang-demo-2026", display_name="省监二")
    staff_role_grant(actor=None, user=other, role=Role.SUPERVISOR, department=dept("sd_approval"))
    for code, region in (("JN-02", "370100000000"), ("TA-02", "370900000000")):
        draft = monitoring.rule_create_with_draft(
            actor=supervisor,
            code=code,
            name="多次补正",
            kind="repeated_supplement",
            region_code=region,
            params={"nth": 2},
            severity="yellow",
        )
        published = monitoring.rule_version_publish(actor=other, version_id=draft.pk)
        leaf = json.loads(Entry.objects.get(pk=published.ledger_entry_id).leaf)["payload"]
        assert leaf["region"] == region  # the ledger says where the rule watches
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())  # a case of 济南市
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "补充说明"}])
        services.case_supplement_answer(actor=user("zhangsan"), case=case, note="已说明")
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "再补充"}])
    assert len(hits("JN-02", case)) == 1 and hits("TA-02") == []


def test_a_rule_for_a_region_is_made_by_its_supervisor_only(world: None) -> None:
    with pytest.raises(PermissionDenied):
        monitoring.rule_create(
            actor=user("jn_supervisor"),
            code="TA-01",
            name="泰安",
            kind="repeated_supplement",
            region_code="370900000000",
        )
    with pytest.raises(ValidationFailed) as caught:  # a bad version leaves no rule behind
        monitoring.rule_create_with_draft(
            actor=user("jn_supervisor"),
            code="JN-01",
            name="济南",
            kind="repeated_supplement",
            params={"nth": 1},
            severity="red",
        )
    assert set(caught.value.errors) == {"params.nth"}
    assert not MonitoringRule.objects.filter(code__in=["TA-01", "JN-01"]).exists()


def test_a_rule_of_a_region_gets_new_versions_only_from_that_regions_supervisors(world: None) -> None:
    """A supervisor elsewhere may not draft the next version of 济南's rule (a 济南 supervisor
    would then be the "second person" of a change no one of 济南 proposed)."""
    monitoring.rule_create_with_draft(
        actor=user("jn_supervisor"),
        code="JN-02",
        name="济南补正",
        kind="repeated_supplement",
        region_code="370100000000",
        params={"nth": 2},
        severity="red",
    )
    taian = staff_create(actor=None, username="ta_supervisor", password="Yiwang-demo-2026", display_name="泰监")
    staff_role_grant(actor=None, user=taian, role=Role.SUPERVISOR, department=dept("ta_approval"))
    with pytest.raises(PermissionDenied, match="济南市"):
        monitoring.rule_version_draft(actor=taian, rule_code="JN-02", params={"nth": 10}, severity="red")
    assert RuleVersion.objects.filter(rule__code="JN-02").count() == 1


@pytest.mark.parametrize(
    ("moment", "fires"),
    [
        (dt.datetime(2026, 3, 5, 20, 30), True),  # Thursday evening
        (dt.datetime(2026, 3, 7, 10, 0), True),  # Saturday
        (dt.datetime(2026, 3, 5, 10, 0), False),
    ],
)
def test_decision_outside_working_hours(world: None, moment: dt.datetime, fires: bool) -> None:
    rules()
    with flows.on(D(2026, 3, 3)):
        case = flows.accepted(version())
    with flows.on(moment):
        decided(case)
    assert bool(hits("JC-03", case)) is fires


def test_a_秒批_at_night_is_not_a_hit(world: None) -> None:
    """The applicant files when they like; a decision by rule is nobody's working time."""
    rules()
    auto = ImplementationVersionFactory(auto=True)
    with flows.on(dt.datetime(2026, 3, 7, 23, 10)):  # Saturday night
        case = flows.submit(auto, data={"shop_name": "小小茶铺", "area": "60", "has_kitchen": False})
    assert case.status == "concluded" and case.decided_by is None
    assert not hits("JC-03", case)


def _suspended(expected_days: int) -> Case:
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 4)):
        services.case_suspend(
            actor=user("jn_reviewer"), case=case, procedure="testing", reason="送检", expected_days=expected_days
        )
    return case


def test_suspension_longer_than_announced_found_at_resumption(world: None) -> None:
    rules()
    case = _suspended(3)
    with flows.on(D(2026, 3, 12)):  # 6 working days after 3/4
        services.case_resume(actor=user("jn_reviewer"), case=case)
    (hit,) = hits("JC-04", case)
    assert hit.facts["expected_days"] == 3 and hit.facts["working_days"] == 6


def test_suspension_within_its_announced_time_is_no_hit(world: None) -> None:
    rules()
    case = _suspended(5)
    with flows.on(D(2026, 3, 9)):
        services.case_resume(actor=user("jn_reviewer"), case=case)
    assert hits("JC-04") == []


def test_the_daily_sweep_finds_an_open_suspension_once(world: None) -> None:
    rules()
    case = _suspended(2)
    with flows.on(D(2026, 3, 5)):
        assert rules_daily_sweep() == 0
    with flows.on(D(2026, 3, 10)):
        assert rules_daily_sweep() == 1
        assert rules_daily_sweep() == 0
    with flows.on(D(2026, 3, 11)):
        services.case_resume(actor=user("jn_reviewer"), case=case)
    assert len(hits("JC-04", case)) == 1  # the resumption does not fire the same suspension again


def test_a_due_date_moved_without_an_extension(world: None) -> None:
    rules()
    with flows.on(D(2026, 3, 2)):
        case = flows.accepted(version())
    with flows.on(D(2026, 3, 20)):
        case = services.case_extend(actor=user("jn_head"), case=case, reason="需现场核查")
        flows.review_done(case)  # the lawful extension moved it: no hit
    assert hits("JC-05") == []
    moved = flows.reload(case).due_date + dt.timedelta(days=7)  # type: ignore[operator]
    Case.objects.filter(pk=case.pk).update(due_date=moved)  # behind the engine's back
    with flows.on(D(2026, 3, 23)):
        services.case_decide(actor=user("jn_approver"), case=case, outcome="approve", opinion="符合条件")
    (hit,) = hits("JC-05", case)
    assert hit.facts["after"] == moved.isoformat()


def test_supplements_and_special_procedures_move_due_dates_lawfully(world: None) -> None:
    rules()
    case = _suspended(10)
    with flows.on(D(2026, 3, 9)):
        services.case_resume(actor=user("jn_reviewer"), case=case)
        services.case_supplement_request(actor=user("jn_reviewer"), case=case, items=[{"name": "补充说明"}])
    with flows.on(D(2026, 3, 12)):
        services.case_supplement_answer(actor=user("zhangsan"), case=case, note="已说明")
        decided(case)
    assert hits("JC-05") == []


_numbers = itertools.count(1)


def _refused(day: dt.date, count: int) -> None:
    for _ in range(count):
        with flows.on(day):
            case = flows.submit(version())
            services.case_refuse(
                actor=user("jn_window"), case=case, reason="不属于本机关职权范围", legal_basis="行政许可法第三十二条"
            )


def test_refusal_rate_doubled_week_on_week(world: None) -> None:
    rules()
    supervisor = user("jn_supervisor")
    lower = monitoring.rule_version_draft(
        actor=supervisor, rule_code="JC-06", params={"min_count": 2}, severity="yellow"
    )
    monitoring.rule_version_publish(actor=user("sd_supervisor"), version_id=lower.pk)
    with flows.on(D(2026, 3, 3)):
        flows.accepted(version())
    _refused(D(2026, 3, 4), 1)  # last week: 1 of 2 refused (50%)
    _refused(D(2026, 3, 10), 2)  # this week: 2 of 2 refused (100%)
    with flows.on(D(2026, 3, 12)):
        assert rules_daily_sweep() == 1
        assert rules_daily_sweep() == 0
    (hit,) = hits("JC-06")
    assert hit.case is None and hit.department.name == "济南市行政审批服务局"
    assert hit.facts["this_rate"] == "100.0" and hit.facts["last_rate"] == "50.0"
    assert hit.key.startswith(f"department:{hit.department_id}/week:2026-W11")


def test_the_observer_reads_nothing_for_events_no_rule_watches(world: None) -> None:
    rules()
    with flows.on(D(2026, 3, 3)):
        case = flows.draft(version())
    event = case.events.latest("id")
    with CaptureQueriesContext(connection) as queries:
        monitoring.observe(case, event)
    assert len(queries) == 0


def test_the_observer_costs_a_few_statements_per_action(world: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 18: which versions are in force is one raw read per watched event (their content
    is kept per process), JC-05's row one raw read and a write only when it changes, and no
    savepoint unless a rule fires."""
    rules()
    seen: list[str] = []

    def counted(case: Case, event: CaseEvent) -> None:
        with CaptureQueriesContext(connection) as queries:
            monitoring.observe(case, event)
        seen.extend(query["sql"] for query in queries.captured_queries)

    monkeypatch.setattr(hooks, "_EVENT_OBSERVERS", [rollup.observe, counted])
    with flows.on(D(2026, 3, 3)):
        flows.accepted(version())  # the versions in force are read once for the process
        case = flows.submit(version())
        seen.clear()
        case = services.case_accept(actor=user("jn_window"), case=case)
        # accept: in force, JC-05's row, its insert; the review stage starts: in force, the
        # row, the due date now known
        assert len(seen) == 6, seen
    seen.clear()
    with flows.on(D(2026, 3, 5)):
        decided(case)
    # the review's task, its stage completing, the decision stage starting, the approval (and
    # JC-01's look at the acceptance), the conclusion: in force and the unchanged row each
    assert len(seen) == 11, seen
    assert not any("SAVEPOINT" in sql for sql in seen)
    assert RuleHit.objects.count() == 0


def test_the_version_transition_table_walked() -> None:
    states: list[VersionStatus | None] = [None, *VersionStatus]
    for state, action in itertools.product(states, VersionAction):
        target = VERSION_TRANSITIONS.get((state, action))
        if target is None:
            with pytest.raises(Conflict):
                version_next_status(state, action)
        else:
            assert version_next_status(state, action) == target


def test_rule_codes_are_unique(world: None) -> None:
    rules()
    with pytest.raises(ValidationFailed) as caught:
        monitoring.rule_create(actor=user("jn_supervisor"), code="JC-01", name="重复", kind="repeated_supplement")
    assert caught.value.errors == {"code": ["规则编号：JC-01 已被使用，请换一个"]}
    assert MonitoringRule.objects.count() == len(monitoring.DEFAULT_RULES)
