"""The demo's months of history: about four months of cases, made through the services.

Run after the demo cases and ratings (yiwang.demo.cases, yiwang.demo.ratings), on the same
working-day anchor and inside the stand-in registry (the 免提交 reads). Every step is a
service call with the clock frozen at its moment (`Script.at`), so the cases carry their
events, clock ledgers, ledger entries, notices, licenses and disclosure rows, and the
supervision roll-ups see them as they happened.

The plan (`plan()`) is deterministic (a seeded random.Random over working days): the regular
cases come from `SPAN_DAYS` to a few working days before the anchor, the volume of each item
varying by week; most are accepted, reviewed and decided within the committed limit; some are
refused (不予受理), answered after a 补正, denied or withdrawn; some are decided late — the 卫健委
(公共场所卫生许可) clearly more often, and one of its weeks has a burst of refusals. 食品经营许可 is
also implemented by 历下区行政审批服务局 (published here, 区级承接), worked by lx_window, lx_reviewer
and lx_approver, so the figures have a district next to the city. Applicants are the three
personas and `CITIZENS`, eight more residents of 济南's districts (not in the login list).

The stories the monitoring rules and the tour look for, one case each (key "demo-hist-<story>"):

| story              | item             | what happened                                                   |
|--------------------|------------------|-----------------------------------------------------------------|
| two-supplements    | 食品经营许可     | two 补正 requests after acceptance, answered, approved           |
| long-suspension    | 户外广告设置许可 | 专家评审 announced for 5 working days, lasted 12                 |
| same-person        | 食品经营许可 历下区 | lx_window accepted and decided (she holds both posts)         |
| late-night         | 食品经营许可     | decided at 21:30 on a working day                                |
| open-submitted     | 户外广告设置许可 | submitted, waiting at the window                                 |
| open-requested     | 公共场所卫生许可 | 补正 asked before acceptance                                     |
| open-normal        | 食品经营许可     | in review, clock normal                                          |
| open-warning       | 食品经营许可     | in review, 预警 (yellow)                                         |
| open-overdue       | 公共场所卫生许可 | in review, past its committed date (red)                         |
| open-pending       | 户外广告设置许可 | 补正 pending after acceptance (clock paused)                     |
| open-suspended     | 建设工程规划许可 | suspended (检测)                                                 |
| open-decided       | 户外广告设置许可 | approved, the result waiting at the window                       |

Loading is idempotent: a planned case whose key exists is skipped whole, as in the demo cases.
"""

import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from yiwang.accounts import services as accounts
from yiwang.accounts.models import Department, NaturalPerson, Region, User
from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.cases.workflow import CaseStatus
from yiwang.catalog import services as catalog
from yiwang.catalog.models import ImplementationVersion, VersionStatus
from yiwang.core import clock
from yiwang.core.calendar import working_calendar
from yiwang.core.errors import ValidationFailed
from yiwang.demo.cases import KEY_PREFIX, Script, _upload, demo_anchor, open_task
from yiwang.demo.history_plan import (
    CITIZENS,
    KINDS,
    MATERIAL_NAMES,
    PERSONAS,
    REGULAR_STORIES,
    SEED,
    SPAN_DAYS,
    Kind,
    Plan,
    form_of,
    plan,
)
from yiwang.demo.items import FOOD, _m, _review_decide
from yiwang.demo.world import DEMO_PASSWORD, resident_id

VOLUME = 1.0  # share of the regular cases loaded (the demo's own tests load fewer)
PREFIX = KEY_PREFIX + "hist-"
DISTRICT = "370102000000"  # 历下区
DISTRICT_OFFICE = "济南市历下区行政审批服务局"
REVIEWED = "经审查，材料齐全，符合法定条件。"
REJECTED = "不符合设置规划或许可条件，建议不予许可。"

# --- running a plan ----------------------------------------------------------------------------


class NotYet(Exception):
    """A step would fall on or after the anchor: the case stays where it is."""


@dataclass
class Runner:
    s: Script
    versions: dict[str, ImplementationVersion]
    ids: dict[str, str]
    made: dict[str, int] = field(default_factory=dict)

    def at(self, days_ago: int, hhmm: str, step: Callable[[], Any]) -> Any:
        if days_ago < 1:
            raise NotYet
        with self.s.at(days_ago, hhmm):
            return step()

    def user(self, username: str) -> User:
        return self.s.user(username)

    def file(self, p: Plan) -> Case:
        applicant = self.user(p.applicant)
        version = self.versions[p.kind]
        key = PREFIX + p.key

        def submit() -> Case:
            draft = services.case_draft_save(
                actor=applicant,
                implementation_version=version,
                form_data=form_of(p, self.ids[p.applicant]),
                enterprise=self.s.enterprise if p.kind == "planning" else None,
                delivery_method="pickup" if p.pickup else "electronic",
            )
            for material_key, name in MATERIAL_NAMES[p.kind].items():
                self.upload(applicant, draft, material_key, name)
            try:
                return services.case_submit(actor=applicant, draft=draft, idempotency_key=key)
            except ValidationFailed as missing:  # a 免提交 read that found nothing: upload it
                for field_name in missing.errors:
                    if not field_name.startswith("materials."):
                        raise
                    self.upload(applicant, draft, field_name.removeprefix("materials."), "补充上传材料")
                return services.case_submit(actor=applicant, draft=draft, idempotency_key=key)

        return self.at(p.filed, p.hhmm, submit)

    def upload(self, actor: User, case: Case, material_key: str, name: str) -> None:
        services.case_material_upload(
            actor=actor, case=case, material_key=material_key, upload=_upload(name, material_key)
        )

    def accept(self, case: Case, kind: Kind, days_ago: int, hhmm: str = "10:15") -> Case:
        return self.at(
            days_ago,
            hhmm,
            lambda: services.case_accept(actor=self.user(kind.window), case=case, opinion="材料齐全，符合法定形式"),
        )

    def review(self, case: Case, kind: Kind, days_ago: int, *, reject: bool = False, only: str = "") -> None:
        for task_key, reviewer in kind.reviews:
            if only and task_key != only:
                continue
            self.at(days_ago, "15:00", partial(self.complete, case, task_key, reviewer, reject))

    def complete(self, case: Case, task_key: str, reviewer: str, reject: bool) -> None:
        services.task_complete(
            actor=self.user(reviewer),
            task=open_task(case, task_key),
            outcome="reject" if reject else "approve",
            opinion=REJECTED if reject else REVIEWED,
        )

    def decide(self, case: Case, username: str, days_ago: int, *, approve: bool = True, hhmm: str = "16:20") -> None:
        opinion = "" if approve else "经审查，申请不符合法定条件，不予许可。"
        basis = "" if approve else "《中华人民共和国行政许可法》第三十八条第二款"
        self.at(
            days_ago,
            hhmm,
            lambda: services.case_decide(
                actor=self.user(username),
                case=case,
                outcome="approve" if approve else "deny",
                opinion=opinion,
                legal_basis=basis,
            ),
        )

    def supplement(self, case: Case, username: str, days_ago: int, material_key: str, note: str) -> None:
        items = [{"material_key": material_key, "note": note}]
        self.at(
            days_ago,
            "11:00",
            lambda: services.case_supplement_request(actor=self.user(username), case=case, items=items),
        )

    def answer(self, case: Case, p: Plan, days_ago: int, material_key: str) -> None:
        applicant = self.user(p.applicant)

        def answer() -> None:
            self.upload(applicant, case, material_key, "补正材料")
            services.case_supplement_answer(actor=applicant, case=case, note="已按要求补正。")

        self.at(days_ago, "19:30", answer)

    def conclude(self, case: Case, kind: Kind, days_ago: int) -> None:
        self.at(
            days_ago,
            "10:30",
            lambda: services.case_conclude(
                actor=self.user(kind.window), case=case, reference="窗口领取，申请人本人签收"
            ),
        )

    def warn(self, case: Case, days_ago: int) -> None:
        """The daily deadline job, as it ran that morning."""
        self.at(days_ago, "07:30", lambda: services.case_deadline_check(case=case))


def _regular(run: Runner, p: Plan, case: Case) -> None:
    kind, rng = KINDS[p.kind], random.Random(SEED + p.serial)
    if p.story == "refused":
        reason = "申请事项依法不属于本机关职权范围或不符合法定受理条件，不予受理。"
        run.at(
            p.filed - 1,
            "10:40",
            lambda: services.case_refuse(
                actor=run.user(kind.window),
                case=case,
                reason=reason,
                legal_basis="《中华人民共和国行政许可法》第三十二条",
            ),
        )
        return
    accepted = p.filed - 1
    run.accept(case, kind, accepted)
    pause = 0
    first = next(iter(MATERIAL_NAMES[p.kind]), "")
    if p.story == "supplement" and first:
        reviewer = kind.reviews[0][1]
        run.supplement(case, reviewer, accepted - 1, first, "材料内容不完整，请补充完整后重新上传")
        pause = 1 + rng.randint(1, 3)
        run.answer(case, p, accepted - pause, first)
    if p.story == "withdrawn":
        run.at(
            accepted - 2,
            "14:10",
            lambda: services.case_withdraw(actor=run.user(p.applicant), case=case, reason="经营计划调整，撤回申请。"),
        )
        return
    if kind.committed <= 1:
        decided = accepted - 1
    elif p.story == "late":
        extra = rng.randint(2, 12) if kind.key == "hygiene" else rng.randint(1, 4)
        decided = accepted - pause - kind.committed - extra
    else:
        decided = accepted - pause - rng.randint(max(1, kind.committed // 2), kind.committed - 1)
    if kind.reviews:
        reviewed = decided + 1 if decided + 1 <= accepted - pause - 1 else decided
        run.review(case, kind, reviewed, reject=p.story == "denied")
    if p.story == "late":
        run.warn(case, decided)
    run.decide(case, kind.approver, decided, approve=p.story != "denied")
    if p.pickup:
        run.conclude(case, kind, decided - rng.randint(1, 2))


def _story(run: Runner, p: Plan, case: Case) -> None:
    kind = KINDS[p.kind]
    t = p.filed
    if p.story == "two-supplements":
        run.accept(case, kind, t - 1)
        run.supplement(case, "jn_reviewer", t - 2, "application", "申请书未签字，请签字后重新上传")
        run.answer(case, p, t - 4, "application")
        run.supplement(case, "jn_reviewer", t - 6, "layout", "布局图未标明生熟分区，请补充标注后重新上传")
        run.answer(case, p, t - 7, "layout")
        run.review(case, kind, t - 8)
        run.decide(case, kind.approver, t - 9)
    elif p.story == "long-suspension":
        run.accept(case, kind, t - 1)
        run.at(
            t - 3,
            "14:30",
            lambda: services.case_suspend(
                actor=run.user("jn_urban_rev"),
                case=case,
                procedure="expert_review",
                reason="大型户外广告设施位于主干道，需组织结构安全专家评审",
                expected_days=5,
            ),
        )
        run.at(
            t - 15,
            "16:00",
            lambda: services.case_resume(
                actor=run.user("jn_urban_rev"), case=case, note="专家评审结束：结构安全，同意设置。"
            ),
        )
        run.review(case, kind, t - 17)
        run.decide(case, kind.approver, t - 18)
    elif p.story == "same-person":
        run.accept(case, kind, t, "10:00")
        run.review(case, kind, t - 2)
        run.decide(case, "lx_window", t - 3)  # lx_approver on leave: the window clerk signs
    elif p.story == "late-night":
        run.accept(case, kind, t - 1)
        run.review(case, kind, t - 2)
        run.decide(case, kind.approver, t - 3, hhmm="21:30")
    elif p.story == "open-requested":
        run.supplement(case, kind.window, t - 1, "report", "检测报告缺少检测机构资质认定（CMA）标志页，请上传完整报告")
    elif p.story in ("open-normal", "open-warning", "open-overdue"):
        run.accept(case, kind, t - 1)
        if p.story == "open-overdue":
            run.at(
                t - 2,
                "09:50",
                lambda: services.task_claim(actor=run.user("jn_health_rev"), task=open_task(case, "review")),
            )
    elif p.story == "open-pending":
        run.accept(case, kind, t - 1)
        run.supplement(case, "jn_urban_rev", t - 3, "design", "效果图未标注尺寸和安装方式，请补充后重新上传")
    elif p.story == "open-suspended":
        run.accept(case, kind, t - 1)
        run.review(case, kind, t - 3, only="planning")
        run.at(
            t - 6,
            "14:00",
            lambda: services.case_suspend(
                actor=run.user("jn_planning_rev"),
                case=case,
                procedure="detection",
                reason="需对既有建筑结构进行安全检测",
                expected_days=15,
            ),
        )
    elif p.story == "open-decided":
        run.accept(case, kind, t - 1)
        run.review(case, kind, t - 3)
        run.decide(case, kind.approver, t - 5)


# --- loading -----------------------------------------------------------------------------------


def _citizens() -> int:
    made = 0
    for username, name, region6, birth, seq in CITIZENS:
        if User.objects.filter(username=username).exists():
            continue
        accounts.person_register(
            username=username,
            password=DEMO_PASSWORD,
            real_name=name,
            id_number=resident_id(region6, birth, seq),
            region=Region.objects.get(code=f"{region6}000000"),
        )
        made += 1
    return made


def _district_food(s: Script) -> ImplementationVersion:
    """食品经营许可 in 历下区 (区级承接), published before the history begins."""
    region = Region.objects.get(code=DISTRICT)
    department = Department.objects.get(region=region, name=DISTRICT_OFFICE)
    found = ImplementationVersion.objects.filter(
        implementation__department=department,
        implementation__item__basic_code=FOOD.basic_code,
        status=VersionStatus.PUBLISHED,
    ).first()
    if found is not None:
        return found
    elements = {
        **FOOD.implementation,
        "exercise_level": "county",
        "committed_limit_days": 5,
        "consultation_phone": "0531-86081234",
        "address": "济南市历下区政务服务中心（演示地址）",
        "process": {"case_kind": "committed", "stages": _review_decide(department.credit_code, 3, 2)},
    }
    materials = [
        m if m["key"] != "business_license" else _m("business_license", "营业执照", form="copy") for m in FOOD.materials
    ]
    with s.at(SPAN_DAYS + 5, "09:00"):
        draft = catalog.implementation_version_draft(
            actor=s.user("sd_catalog"),
            basic_code=FOOD.basic_code,
            region=region,
            department=department,
            change_kind="add",
            change_reason="区级承接：食品经营许可（小型餐饮）由历下区行政审批服务局实施（演示数据）",
            elements=elements,
            materials=materials,
        )
        catalog.implementation_version_submit(actor=s.user("sd_catalog"), version=draft)
        return catalog.implementation_version_publish(actor=s.user("jn_catalog"), version=draft, note="同意承接")


def load_history(volume: float | None = None) -> dict[str, Any]:
    """Add whatever of the history is missing; returns {"cases": created, "skipped": reason}."""
    calendar = working_calendar()
    if not calendar.years or not Case.objects.filter(idempotency_key=KEY_PREFIX + "company-instant").exists():
        return {"cases": 0, "skipped": "演示办件未加载"}
    anchor = demo_anchor(calendar, clock.today())
    citizens = _citizens()
    s = Script(anchor, calendar)
    oldest = s.moment(SPAN_DAYS + 5, "08:00")
    if any(
        v.valid_from is None or v.valid_from > oldest
        for v in s.versions.values()
        if v.implementation.item.basic_code != "000136001000"
    ):
        return {"cases": 0, "skipped": "事项发布时间晚于演示历史办件日期，请重建演示数据库"}
    versions = {key: s.versions[kind.basic_code] for key, kind in KINDS.items() if not kind.district}
    versions["lx_food"] = _district_food(s)
    ids = dict(
        NaturalPerson.objects.filter(user__username__in=[*PERSONAS, *(c[0] for c in CITIZENS)]).values_list(
            "user__username", "id_number"
        )
    )
    run = Runner(s, versions, ids)
    existing = set(Case.objects.filter(idempotency_key__startswith=PREFIX).values_list("idempotency_key", flat=True))
    created = 0
    for p in plan(VOLUME if volume is None else volume):
        if PREFIX + p.key in existing:
            continue
        case = run.file(p)
        created += 1
        if case.status != CaseStatus.SUBMITTED:
            continue  # 秒批: done at once
        with contextlib.suppress(NotYet):
            (_regular if p.story in REGULAR_STORIES else _story)(run, p, case)
    for case in Case.objects.filter(idempotency_key__startswith=PREFIX, status=CaseStatus.IN_REVIEW):
        services.case_deadline_check(case=case)  # today's run of the daily job
    return {"cases": created, "citizens": citizens, "skipped": ""}
