"""Reads of 电子监察 rules, hits and 督办 for the pages (what the user may see: policy)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from yiwang.accounts.models import Department, User
from yiwang.core.errors import NotFound
from yiwang.supervision import policy
from yiwang.supervision.rule_models import MonitoringRule, RuleHit, RuleVersion, SupervisionEvent, SupervisionNotice
from yiwang.supervision.rule_workflow import NoticeStatus, VersionStatus


def rules_in_force() -> list[tuple[MonitoringRule, RuleVersion | None]]:
    in_force = {v.rule_id: v for v in RuleVersion.objects.filter(status=VersionStatus.PUBLISHED)}
    return [(r, in_force.get(r.pk)) for r in MonitoringRule.objects.all()]


def rule_codes() -> list[tuple[str, str]]:
    return list(MonitoringRule.objects.values_list("code", "name"))


@dataclass(frozen=True)
class RuleDetail:
    rule: MonitoringRule
    versions: list[RuleVersion]

    @property
    def in_force(self) -> RuleVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.PUBLISHED), None)


def rule_detail(code: str) -> RuleDetail:
    rule = MonitoringRule.objects.filter(code=code).first()
    if rule is None:
        raise NotFound("监察规则不存在。")
    versions = list(rule.versions.select_related("published_by", "drafted_by").order_by("-number"))
    return RuleDetail(rule, versions)


def rule_version(code: str, number: int) -> RuleVersion:
    found = RuleVersion.objects.filter(rule__code=code, number=number).first()
    if found is None:
        raise NotFound("规则版本不存在。")
    return found


def hits_for(user: User, *, rule_code: str = "", department_id: int | None = None) -> QuerySet[RuleHit]:
    found = RuleHit.objects.filter(policy.hit_filter(user)).select_related("rule", "rule_version", "case", "department")
    if rule_code:
        found = found.filter(rule__code=rule_code)
    if department_id is not None:
        found = found.filter(department_id=department_id)
    return found


def hit_departments(user: User) -> list[Department]:
    return list(Department.objects.filter(pk__in=hits_for(user).values("department_id")).order_by("name"))


def hit_for(user: User, hit_id: int) -> RuleHit:
    found = hits_for(user).filter(pk=hit_id).first()
    if found is None:
        raise NotFound("规则命中不存在。")
    return found


def notices_for(user: User, *, status: str = "") -> QuerySet[SupervisionNotice]:
    found = SupervisionNotice.objects.filter(policy.notice_filter(user)).select_related(
        "department", "region", "case", "hit__rule", "hit__rule_version", "escalated_to", "sent_by", "answered_by"
    )
    return found.filter(status=status) if status in NoticeStatus.values else found


def notice_for(user: User, notice_id: int) -> SupervisionNotice:
    found = notices_for(user).filter(pk=notice_id).first()
    if found is None:
        raise NotFound("督办不存在。")
    return found


def notice_timeline(notice: SupervisionNotice) -> list[SupervisionEvent]:
    return list(notice.events.select_related("actor").order_by("at", "id"))
