"""The one catalogue of event verbs: what each means, who sees it, whether it is disclosed.

Every domain event (a `CaseEvent`, `CatalogEvent` or `AccountEvent` row, and the ledger
entry that mirrors it as kind ``<domain>.<verb>``) is written by a verb from here:
services name it by enum member (`CaseVerb.ACCEPT`), a verb built at run time goes
through the enum constructor (`CaseVerb(f"task_{outcome}")`), so an unknown verb fails
loudly (`ValueError`) before anything is written. The portal and workbench timelines, the
applicant's ledger list and 阳光审批公示 ask the catalogue instead of keeping lists.

For each verb: its Chinese label, who sees it on the applicant's side (`Audience`),
whether the applicant also sees its reason (internal review opinions stay inside), and
whether it is publicly disclosed. It lives in the ledger app, the lowest app every
domain may import (import-linter ladder), and imports nothing of Django.

Why `CaseEvent` has no stored ``public`` flag any more: the only verb that was sometimes
internal is ``upload_material`` — hidden while the case is still the applicant's draft,
shown once it was submitted (补正 uploads). That depends on the event's own
``from_status``, which the row keeps, so the catalogue decides alone
(`Audience.ONCE_SUBMITTED`) and there is no second authority to drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Domain(StrEnum):
    CASES = "cases"
    CATALOG = "catalog"
    ACCOUNTS = "accounts"
    CALENDAR = "calendar"
    NOTIFICATIONS = "notifications"
    LICENSES = "licenses"
    EXCHANGE = "exchange"
    RATINGS = "ratings"
    SUPERVISION = "supervision"
    BRANDS = "brands"
    REVIEWS = "reviews"
    LEDGER = "ledger"


class Audience(StrEnum):
    """Who sees an event on the applicant's side (staff see every event of their case)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    ONCE_SUBMITTED = "once_submitted"  # staff-only while the case is a draft


class CaseVerb(StrEnum):
    # The case's own transitions (cases.workflow.CaseAction has the same values).
    SAVE_DRAFT = "save_draft"
    UPLOAD_MATERIAL = "upload_material"
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    DEEM_ACCEPT = "deem_accept"
    REFUSE = "refuse"
    REQUEST_SUPPLEMENT = "request_supplement"
    ANSWER_SUPPLEMENT = "answer_supplement"
    WORK_TASK = "work_task"
    SUSPEND = "suspend"
    RESUME = "resume"
    EXTEND = "extend"
    APPROVE = "approve"
    DENY = "deny"
    CONCLUDE = "conclude"
    CHECK_COMMITMENT = "check_commitment"
    REVOKE = "revoke"
    # 异地代收代办 / 收受分离 (cases.workflow; docs/cross-region.md).
    SUBMIT_ELSEWHERE = "submit_elsewhere"
    HAND_OVER = "hand_over"
    RECEIVE_HANDOVER = "receive_handover"
    # Steps inside the process.
    DRAFT_CREATED = "draft_created"
    FETCH_EVIDENCE = "fetch_evidence"  # a 免提交 material fetched (or not) at submission
    STAGE_STARTED = "stage_started"
    STAGE_COMPLETED = "stage_completed"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    TASK_APPROVE = "task_approve"
    TASK_REJECT = "task_reject"
    TASK_PASS = "task_pass"  # noqa: S105 - a verb, not a password
    TASK_FAIL = "task_fail"
    INSPECTION_CREATED = "inspection_created"
    COMMITMENT_CHECKED = "commitment_checked"
    DEADLINE_WARNING = "deadline_warning"
    DEADLINE_OVERDUE = "deadline_overdue"
    TASK_DEADLINE_WARNING = "task_deadline_warning"
    TASK_DEADLINE_OVERDUE = "task_deadline_overdue"
    # A bundle (一件事) application: its own events (cases.models.bundle.BundleCaseEvent).
    BUNDLE_DRAFT_SAVED = "bundle_draft_saved"
    BUNDLE_MATERIAL_UPLOADED = "bundle_material_uploaded"
    BUNDLE_SUBMITTED = "bundle_submitted"
    BUNDLE_PART_RELEASED = "bundle_part_released"  # a part waiting on another submitted once it is approved
    BUNDLE_STATUS_CHANGED = "bundle_status_changed"
    BUNDLE_DELIVERED = "bundle_delivered"
    # 帮办代办: an application a window clerk or 帮办员 fills in for a person (cases.assisted_workflow).
    ASSISTED_STARTED = "assisted_started"
    ASSISTED_CODE_SENT = "assisted_code_sent"
    ASSISTED_CODE_REJECTED = "assisted_code_rejected"
    ASSISTED_CODE_LOCKED = "assisted_code_locked"
    ASSISTED_CONFIRMED = "assisted_confirmed"
    ASSISTED_SUBMITTED_BY_PERSON = "assisted_submitted_by_person"
    ASSISTED_CANCELLED = "assisted_cancelled"
    ASSISTED_EXPIRED = "assisted_expired"
    ASSISTED_LOOKUP = "assisted_lookup"  # a helper's search for a person (no case: AssistedLookup)


class CatalogVerb(StrEnum):
    CATALOG_IMPORTED = "catalog_imported"
    ITEM_VERSION_DRAFTED = "item_version_drafted"
    ITEM_VERSION_UPDATED = "item_version_updated"
    ITEM_VERSION_SUBMITTED = "item_version_submitted"
    ITEM_VERSION_REJECTED = "item_version_rejected"
    ITEM_VERSION_PUBLISHED = "item_version_published"
    ITEM_VERSION_WITHDRAWN = "item_version_withdrawn"
    IMPLEMENTATION_VERSION_DRAFTED = "implementation_version_drafted"
    IMPLEMENTATION_VERSION_UPDATED = "implementation_version_updated"
    IMPLEMENTATION_VERSION_SUBMITTED = "implementation_version_submitted"
    IMPLEMENTATION_VERSION_REJECTED = "implementation_version_rejected"
    IMPLEMENTATION_VERSION_PUBLISHED = "implementation_version_published"
    IMPLEMENTATION_VERSION_WITHDRAWN = "implementation_version_withdrawn"
    BUNDLE_VERSION_DRAFTED = "bundle_version_drafted"
    BUNDLE_VERSION_UPDATED = "bundle_version_updated"
    BUNDLE_VERSION_SUBMITTED = "bundle_version_submitted"
    BUNDLE_VERSION_REJECTED = "bundle_version_rejected"
    BUNDLE_VERSION_PUBLISHED = "bundle_version_published"
    BUNDLE_VERSION_WITHDRAWN = "bundle_version_withdrawn"
    IMPLEMENTATION_CLAIMED = "implementation_claimed"
    AMENDMENT_CONFIRMED = "amendment_confirmed"


class AccountVerb(StrEnum):
    REGION_CREATED = "region_created"
    DEPARTMENT_CREATED = "department_created"
    PERSON_REGISTERED = "person_registered"
    ENTERPRISE_REGISTERED = "enterprise_registered"
    AGENT_AUTHORISED = "agent_authorised"
    STAFF_CREATED = "staff_created"
    STAFF_ROLE_GRANTED = "staff_role_granted"
    EXTERNAL_IDENTITY_LINKED = "external_identity_linked"
    PORTAL_MODE_SET = "portal_mode_set"


class CalendarVerb(StrEnum):
    YEAR_ADD = "year_add"
    DAY_SET = "day_set"
    DAY_CLEAR = "day_clear"
    YEAR_PUBLISH = "year_publish"
    YEAR_REMOVE = "year_remove"
    YEAR_SEED = "year_seed"


class NotificationVerb(StrEnum):
    CHANNELS_SET = "channels_set"
    MESSAGE_RETRIED = "message_retried"


class LedgerVerb(StrEnum):
    # Monthly partitions moved to archive storage and back (ledger.archive, ADR 0034).
    PARTITION_ARCHIVED = "partition_archived"
    PARTITION_RESTORED = "partition_restored"


class LicenseVerb(StrEnum):
    ISSUED = "issued"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    REVOKED = "revoked"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    # 用证授权 (licenses.sharing): the holder's authorisations and each use of one.
    AUTHORISATION_GRANTED = "authorisation_granted"
    AUTHORISATION_USED = "authorisation_used"
    AUTHORISATION_WITHDRAWN = "authorisation_withdrawn"
    AUTHORISATION_EXPIRED = "authorisation_expired"


class ExchangeVerb(StrEnum):
    RESOURCE_PUBLISHED = "resource_published"
    RESOURCE_AMENDED = "resource_amended"
    RESOURCE_RETIRED = "resource_retired"
    DEMAND_FILED = "demand_filed"
    DEMAND_APPROVED = "demand_approved"
    DEMAND_REFUSED = "demand_refused"
    DEMAND_LAPSED = "demand_lapsed"
    DEMAND_WITHDRAWN = "demand_withdrawn"
    GRANT_SUSPENDED = "grant_suspended"
    GRANT_RESUMED = "grant_resumed"
    GRANT_REVOKED = "grant_revoked"
    GRANT_EXPIRED = "grant_expired"
    DATA_READ = "data_read"
    CLIENT_REGISTERED = "client_registered"
    CLIENT_SUSPENDED = "client_suspended"
    CLIENT_RESUMED = "client_resumed"
    SUBSCRIPTION_CREATED = "subscription_created"
    SUBSCRIPTION_CANCELLED = "subscription_cancelled"


class RatingVerb(StrEnum):
    RATED = "rated"
    ADDED = "added"
    FIXED = "fixed"
    RECTIFICATION_OPENED = "rectification_opened"
    RECTIFIED = "rectified"
    EXPLAINED = "explained"
    REVISITED = "revisited"
    RECTIFICATION_RATED = "rectification_rated"
    APPEAL_FILED = "appeal_filed"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_DISMISSED = "appeal_dismissed"
    RESPONSE_OVERDUE = "response_overdue"
    RECTIFICATION_OVERDUE = "rectification_overdue"
    IMPROVEMENT_OPENED = "improvement_opened"
    IMPROVEMENT_ANSWERED = "improvement_answered"
    IMPROVEMENT_DROPPED = "improvement_dropped"


class SupervisionVerb(StrEnum):
    RULE_VERSION_DRAFTED = "rule_version_drafted"
    RULE_VERSION_PUBLISHED = "rule_version_published"
    RULE_VERSION_RETIRED = "rule_version_retired"
    RULE_HIT = "rule_hit"
    NOTICE_SENT = "notice_sent"
    NOTICE_ANSWERED = "notice_answered"
    NOTICE_CLOSED = "notice_closed"
    NOTICE_REOPENED = "notice_reopened"
    NOTICE_ESCALATED = "notice_escalated"
    FIGURES_PUBLISHED = "figures_published"  # a closed month's public figures (publication.py)
    FIGURES_CORRECTED = "figures_corrected"  # the same month again, with the reason
    SCHEME_VERSION_DRAFTED = "scheme_version_drafted"
    SCHEME_VERSION_PUBLISHED = "scheme_version_published"
    SCHEME_VERSION_RETIRED = "scheme_version_retired"


class BrandVerb(StrEnum):
    DRAFTED = "drafted"
    UPDATED = "updated"
    DISCARDED = "discarded"
    PUBLISHED = "published"


class ReviewVerb(StrEnum):
    EXPERT_ADDED = "expert_added"
    EXPERT_UPDATED = "expert_updated"
    PANEL_REQUESTED = "panel_requested"
    PANEL_DRAWN = "panel_drawn"
    INVITATION_SENT = "invitation_sent"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_DECLINED = "invitation_declined"
    INVITATION_EXPIRED = "invitation_expired"
    OPINION_SIGNED = "opinion_signed"
    PANEL_CONCLUDED = "panel_concluded"
    PANEL_CANCELLED = "panel_cancelled"


Verb = (
    CaseVerb
    | CatalogVerb
    | AccountVerb
    | CalendarVerb
    | NotificationVerb
    | LicenseVerb
    | ExchangeVerb
    | RatingVerb
    | SupervisionVerb
    | BrandVerb
    | ReviewVerb
    | LedgerVerb
)


@dataclass(frozen=True)
class EventType:
    domain: Domain
    verb: Verb
    label: str
    audience: Audience = Audience.STAFF
    reason_to_applicant: bool = True
    disclosed: bool = False

    @property
    def kind(self) -> str:
        """The ledger entry kind of this event."""
        return f"{self.domain}.{self.verb}"

    def shown_to_applicant(self, *, from_status: str) -> bool:
        if self.audience == Audience.ONCE_SUBMITTED:
            return from_status != "draft"
        return self.audience == Audience.APPLICANT


_A, _S, _O = Audience.APPLICANT, Audience.STAFF, Audience.ONCE_SUBMITTED
C = CaseVerb

# verb: (label, audience, reason shown to the applicant, disclosed)
_CASES: dict[CaseVerb, tuple[str, Audience, bool, bool]] = {
    C.SAVE_DRAFT: ("保存草稿", _S, True, False),
    C.UPLOAD_MATERIAL: ("上传材料", _O, True, False),
    C.SUBMIT: ("提交申请", _A, True, False),
    C.WITHDRAW: ("撤回申请", _A, True, False),
    C.ACCEPT: ("受理", _A, True, False),
    C.DEEM_ACCEPT: ("视为受理", _A, True, False),
    C.REFUSE: ("不予受理", _A, True, False),
    C.REQUEST_SUPPLEMENT: ("一次性告知补正", _A, True, False),
    C.ANSWER_SUPPLEMENT: ("提交补正材料", _A, True, False),
    C.WORK_TASK: ("办理审查任务", _A, True, False),
    C.SUSPEND: ("启动特别程序", _A, True, False),
    C.RESUME: ("结束特别程序", _A, True, False),
    C.EXTEND: ("延长办理时限", _A, True, False),
    C.APPROVE: ("作出准予许可决定", _A, True, True),
    C.DENY: ("作出不予许可决定", _A, True, True),
    C.CONCLUDE: ("送达结果并办结", _A, True, False),
    C.CHECK_COMMITMENT: ("核查承诺", _A, True, False),
    C.REVOKE: ("撤销许可", _A, True, True),
    C.SUBMIT_ELSEWHERE: ("提交申请（异地收件）", _A, True, False),
    C.HAND_OVER: ("移交实施机关", _A, True, False),
    C.RECEIVE_HANDOVER: ("确认接收移交", _A, True, False),
    C.DRAFT_CREATED: ("开始填写申请", _A, True, False),
    C.FETCH_EVIDENCE: ("调取免提交材料", _A, True, False),
    C.STAGE_STARTED: ("进入办理环节", _A, True, False),
    C.STAGE_COMPLETED: ("办理环节结束", _A, True, False),
    C.TASK_CLAIMED: ("领取任务", _S, False, False),
    C.TASK_RELEASED: ("退回任务", _S, False, False),
    C.TASK_APPROVE: ("审查通过", _A, False, False),
    C.TASK_REJECT: ("审查不通过", _A, False, False),
    C.TASK_PASS: ("核查通过", _S, False, False),
    C.TASK_FAIL: ("核查不通过", _S, False, False),
    C.INSPECTION_CREATED: ("生成核查任务", _A, True, False),
    C.COMMITMENT_CHECKED: ("告知承诺核查通过", _A, True, False),
    C.DEADLINE_WARNING: ("临期预警", _S, True, False),
    C.DEADLINE_OVERDUE: ("超期提醒", _S, True, False),
    C.TASK_DEADLINE_WARNING: ("任务临期预警", _S, True, False),
    C.TASK_DEADLINE_OVERDUE: ("任务超期提醒", _S, True, False),
    C.BUNDLE_DRAFT_SAVED: ("保存一件事草稿", _S, True, False),
    C.BUNDLE_MATERIAL_UPLOADED: ("上传一件事材料", _O, True, False),
    C.BUNDLE_SUBMITTED: ("提交一件事申请", _A, True, False),
    C.BUNDLE_PART_RELEASED: ("前置事项准予后提交后续事项", _A, True, False),
    C.BUNDLE_STATUS_CHANGED: ("一件事办理状态变化", _A, True, False),
    C.BUNDLE_DELIVERED: ("一件事结果统一送达", _A, True, False),
    C.ASSISTED_STARTED: ("工作人员开始帮办", _A, True, False),
    C.ASSISTED_CODE_SENT: ("发送帮办确认验证码", _S, True, False),
    C.ASSISTED_CODE_REJECTED: ("帮办确认验证码未通过", _S, True, False),
    C.ASSISTED_CODE_LOCKED: ("帮办确认验证码错误次数过多", _A, True, False),
    C.ASSISTED_CONFIRMED: ("申请人确认帮办提交", _A, True, False),
    C.ASSISTED_SUBMITTED_BY_PERSON: ("申请人自行提交帮办草稿", _A, True, False),
    C.ASSISTED_CANCELLED: ("取消帮办", _A, True, False),
    C.ASSISTED_EXPIRED: ("帮办草稿过期", _A, True, False),
    C.ASSISTED_LOOKUP: ("帮办查询申请人身份", _S, False, False),
}
_CATALOG: dict[CatalogVerb, str] = {
    CatalogVerb.CATALOG_IMPORTED: "导入事项库",
    CatalogVerb.ITEM_VERSION_DRAFTED: "起草事项版本",
    CatalogVerb.ITEM_VERSION_UPDATED: "修改事项版本",
    CatalogVerb.ITEM_VERSION_SUBMITTED: "提交事项版本审核",
    CatalogVerb.ITEM_VERSION_REJECTED: "退回事项版本",
    CatalogVerb.ITEM_VERSION_PUBLISHED: "发布事项版本",
    CatalogVerb.ITEM_VERSION_WITHDRAWN: "撤回事项版本",
    CatalogVerb.IMPLEMENTATION_VERSION_DRAFTED: "起草实施清单版本",
    CatalogVerb.IMPLEMENTATION_VERSION_UPDATED: "修改实施清单版本",
    CatalogVerb.IMPLEMENTATION_VERSION_SUBMITTED: "提交实施清单版本审核",
    CatalogVerb.IMPLEMENTATION_VERSION_REJECTED: "退回实施清单版本",
    CatalogVerb.IMPLEMENTATION_VERSION_PUBLISHED: "发布实施清单版本",
    CatalogVerb.IMPLEMENTATION_VERSION_WITHDRAWN: "撤回实施清单版本",
    CatalogVerb.BUNDLE_VERSION_DRAFTED: "起草一件事版本",
    CatalogVerb.BUNDLE_VERSION_UPDATED: "修改一件事版本",
    CatalogVerb.BUNDLE_VERSION_SUBMITTED: "提交一件事版本审核",
    CatalogVerb.BUNDLE_VERSION_REJECTED: "退回一件事版本",
    CatalogVerb.BUNDLE_VERSION_PUBLISHED: "发布一件事版本",
    CatalogVerb.BUNDLE_VERSION_WITHDRAWN: "撤回一件事版本",
    CatalogVerb.IMPLEMENTATION_CLAIMED: "认领事项",
    CatalogVerb.AMENDMENT_CONFIRMED: "确认基本要素调整",
}
_ACCOUNTS: dict[AccountVerb, str] = {
    AccountVerb.REGION_CREATED: "新建行政区划",
    AccountVerb.DEPARTMENT_CREATED: "新建部门",
    AccountVerb.PERSON_REGISTERED: "自然人注册",
    AccountVerb.ENTERPRISE_REGISTERED: "法人注册",
    AccountVerb.AGENT_AUTHORISED: "授权经办人",
    AccountVerb.STAFF_CREATED: "新建工作人员",
    AccountVerb.STAFF_ROLE_GRANTED: "授予工作人员角色",
    AccountVerb.EXTERNAL_IDENTITY_LINKED: "关联统一身份认证账号",
    AccountVerb.PORTAL_MODE_SET: "设置门户显示模式（长辈版、标准版）",
}
_CALENDAR: dict[CalendarVerb, str] = {
    CalendarVerb.YEAR_ADD: "新增工作日历年度（草稿）",
    CalendarVerb.DAY_SET: "设置工作日历日期",
    CalendarVerb.DAY_CLEAR: "清除工作日历日期设置",
    CalendarVerb.YEAR_PUBLISH: "发布工作日历年度",
    CalendarVerb.YEAR_REMOVE: "删除工作日历年度",
    CalendarVerb.YEAR_SEED: "载入官方工作日历年度",
}
_NOTIFICATIONS: dict[NotificationVerb, str] = {
    NotificationVerb.CHANNELS_SET: "设置消息接收渠道",
    NotificationVerb.MESSAGE_RETRIED: "重新发送消息",
}
_LEDGER: dict[LedgerVerb, str] = {
    LedgerVerb.PARTITION_ARCHIVED: "归档月度分区",
    LedgerVerb.PARTITION_RESTORED: "恢复已归档的月度分区",
}
_LICENSES: dict[LicenseVerb, str] = {
    LicenseVerb.ISSUED: "签发电子证照",
    LicenseVerb.SUSPENDED: "暂停电子证照",
    LicenseVerb.RESUMED: "恢复电子证照",
    LicenseVerb.REVOKED: "撤销电子证照",
    LicenseVerb.CANCELLED: "注销电子证照",
    LicenseVerb.EXPIRED: "电子证照到期失效",
    LicenseVerb.SUPERSEDED: "电子证照被新版本替代",
    LicenseVerb.AUTHORISATION_GRANTED: "授权他人使用电子证照",
    LicenseVerb.AUTHORISATION_USED: "被授权方使用电子证照",
    LicenseVerb.AUTHORISATION_WITHDRAWN: "撤回用证授权",
    LicenseVerb.AUTHORISATION_EXPIRED: "用证授权到期失效",
}
_EXCHANGE: dict[ExchangeVerb, str] = {
    ExchangeVerb.RESOURCE_PUBLISHED: "发布数据资源",
    ExchangeVerb.RESOURCE_AMENDED: "变更数据资源",
    ExchangeVerb.RESOURCE_RETIRED: "停用数据资源",
    ExchangeVerb.DEMAND_FILED: "提出共享需求",
    ExchangeVerb.DEMAND_APPROVED: "同意共享需求（授权）",
    ExchangeVerb.DEMAND_REFUSED: "拒绝共享需求",
    ExchangeVerb.DEMAND_LAPSED: "共享需求逾期未答复",
    ExchangeVerb.DEMAND_WITHDRAWN: "撤回共享需求",
    ExchangeVerb.GRANT_SUSPENDED: "暂停共享授权",
    ExchangeVerb.GRANT_RESUMED: "恢复共享授权",
    ExchangeVerb.GRANT_REVOKED: "撤销共享授权",
    ExchangeVerb.GRANT_EXPIRED: "共享授权到期",
    ExchangeVerb.DATA_READ: "读取共享数据",
    ExchangeVerb.CLIENT_REGISTERED: "登记接口客户端",
    ExchangeVerb.CLIENT_SUSPENDED: "暂停接口客户端",
    ExchangeVerb.CLIENT_RESUMED: "恢复接口客户端",
    ExchangeVerb.SUBSCRIPTION_CREATED: "订阅事件推送",
    ExchangeVerb.SUBSCRIPTION_CANCELLED: "取消事件推送订阅",
}
_RATINGS: dict[RatingVerb, str] = {
    RatingVerb.RATED: "评价办件",
    RatingVerb.ADDED: "追加评价",
    RatingVerb.FIXED: "差评立行立改",
    RatingVerb.RECTIFICATION_OPENED: "差评启动整改",
    RatingVerb.RECTIFIED: "差评整改完成",
    RatingVerb.EXPLAINED: "差评解释说明",
    RatingVerb.REVISITED: "差评回访",
    RatingVerb.RECTIFICATION_RATED: "评价整改结果",
    RatingVerb.APPEAL_FILED: "提出评价申诉",
    RatingVerb.APPEAL_UPHELD: "评价申诉成立",
    RatingVerb.APPEAL_DISMISSED: "评价申诉驳回",
    RatingVerb.RESPONSE_OVERDUE: "差评超期未处理",
    RatingVerb.RECTIFICATION_OVERDUE: "整改超期",
    RatingVerb.IMPROVEMENT_OPENED: "提出服务改进",
    RatingVerb.IMPROVEMENT_ANSWERED: "服务改进关联新版本",
    RatingVerb.IMPROVEMENT_DROPPED: "服务改进不予改进",
}
_SUPERVISION: dict[SupervisionVerb, str] = {
    SupervisionVerb.RULE_VERSION_DRAFTED: "起草监察规则版本",
    SupervisionVerb.RULE_VERSION_PUBLISHED: "发布监察规则版本",
    SupervisionVerb.RULE_VERSION_RETIRED: "停用监察规则版本",
    SupervisionVerb.RULE_HIT: "监察规则命中",
    SupervisionVerb.NOTICE_SENT: "发出督办",
    SupervisionVerb.NOTICE_ANSWERED: "答复督办",
    SupervisionVerb.NOTICE_CLOSED: "督办办结",
    SupervisionVerb.NOTICE_REOPENED: "督办重新办理",
    SupervisionVerb.NOTICE_ESCALATED: "督办逾期升级",
    SupervisionVerb.FIGURES_PUBLISHED: "公开月度政务服务数据",
    SupervisionVerb.FIGURES_CORRECTED: "更正月度政务服务数据",
    SupervisionVerb.SCHEME_VERSION_DRAFTED: "起草考评方案版本",
    SupervisionVerb.SCHEME_VERSION_PUBLISHED: "发布考评方案版本",
    SupervisionVerb.SCHEME_VERSION_RETIRED: "停用考评方案版本",
}
_BRANDS: dict[BrandVerb, str] = {
    BrandVerb.DRAFTED: "起草城市品牌",
    BrandVerb.UPDATED: "修改城市品牌草稿",
    BrandVerb.DISCARDED: "废弃城市品牌草稿",
    BrandVerb.PUBLISHED: "发布城市品牌",
}
_REVIEWS: dict[ReviewVerb, str] = {
    ReviewVerb.EXPERT_ADDED: "专家入库",
    ReviewVerb.EXPERT_UPDATED: "更新专家信息",
    ReviewVerb.PANEL_REQUESTED: "申请抽取评审专家",
    ReviewVerb.PANEL_DRAWN: "随机抽取评审专家",
    ReviewVerb.INVITATION_SENT: "邀请评审专家",
    ReviewVerb.INVITATION_ACCEPTED: "专家接受邀请",
    ReviewVerb.INVITATION_DECLINED: "专家拒绝邀请",
    ReviewVerb.INVITATION_EXPIRED: "专家邀请超时",
    ReviewVerb.OPINION_SIGNED: "专家签署评审意见",
    ReviewVerb.PANEL_CONCLUDED: "形成专家评审结论",
    ReviewVerb.PANEL_CANCELLED: "取消专家评审",
}

CATALOGUE: dict[str, EventType] = {
    **{
        f"cases.{verb}": EventType(Domain.CASES, verb, label, audience, reason, disclosed)
        for verb, (label, audience, reason, disclosed) in _CASES.items()
    },
    **{f"catalog.{verb}": EventType(Domain.CATALOG, verb, label) for verb, label in _CATALOG.items()},
    **{f"accounts.{verb}": EventType(Domain.ACCOUNTS, verb, label) for verb, label in _ACCOUNTS.items()},
    **{f"calendar.{verb}": EventType(Domain.CALENDAR, verb, label) for verb, label in _CALENDAR.items()},
    **{f"notifications.{verb}": EventType(Domain.NOTIFICATIONS, verb, label) for verb, label in _NOTIFICATIONS.items()},
    **{f"licenses.{verb}": EventType(Domain.LICENSES, verb, label) for verb, label in _LICENSES.items()},
    **{f"exchange.{verb}": EventType(Domain.EXCHANGE, verb, label) for verb, label in _EXCHANGE.items()},
    **{f"ratings.{verb}": EventType(Domain.RATINGS, verb, label) for verb, label in _RATINGS.items()},
    **{f"supervision.{verb}": EventType(Domain.SUPERVISION, verb, label) for verb, label in _SUPERVISION.items()},
    **{f"brands.{verb}": EventType(Domain.BRANDS, verb, label) for verb, label in _BRANDS.items()},
    **{f"reviews.{verb}": EventType(Domain.REVIEWS, verb, label) for verb, label in _REVIEWS.items()},
    **{f"ledger.{verb}": EventType(Domain.LEDGER, verb, label) for verb, label in _LEDGER.items()},
}
"""Every event type by its ledger kind (``<domain>.<verb>``)."""

_VERB_ENUMS: dict[Domain, type[StrEnum]] = {
    Domain.CASES: CaseVerb,
    Domain.CATALOG: CatalogVerb,
    Domain.ACCOUNTS: AccountVerb,
    Domain.CALENDAR: CalendarVerb,
    Domain.NOTIFICATIONS: NotificationVerb,
    Domain.LICENSES: LicenseVerb,
    Domain.EXCHANGE: ExchangeVerb,
    Domain.RATINGS: RatingVerb,
    Domain.SUPERVISION: SupervisionVerb,
    Domain.BRANDS: BrandVerb,
    Domain.REVIEWS: ReviewVerb,
    Domain.LEDGER: LedgerVerb,
}
_missing = [
    f"{domain}.{verb}" for domain, enum in _VERB_ENUMS.items() for verb in enum if f"{domain}.{verb}" not in CATALOGUE
]
if _missing:  # pragma: no cover - a verb without its row is a programming error
    raise RuntimeError(f"event verbs without a catalogue row: {_missing}")


class UnknownEventVerb(LookupError):
    """A verb the catalogue does not know: a programming error, never user input."""


def event_type(domain: Domain | str, verb: str) -> EventType:
    """The catalogue row of `verb` in `domain`; raises `UnknownEventVerb` for an unknown verb."""
    found = CATALOGUE.get(f"{domain}.{verb}")
    if found is None:
        raise UnknownEventVerb(f"event verb {verb!r} is not in the {domain} catalogue (yiwang.ledger.events)")
    return found


def label_of_kind(kind: str) -> str:
    """The Chinese label of a ledger entry kind (the kind itself if not catalogued)."""
    found = CATALOGUE.get(kind)
    return found.label if found is not None else kind


def disclosed_kinds() -> list[str]:
    """Ledger kinds 阳光审批公示 publishes."""
    return sorted(kind for kind, ev in CATALOGUE.items() if ev.disclosed)


def applicant_verbs(domain: Domain = Domain.CASES) -> dict[Audience, list[str]]:
    """The verbs of `domain` the applicant sees, by audience rule (for a query filter)."""
    found: dict[Audience, list[str]] = {Audience.APPLICANT: [], Audience.ONCE_SUBMITTED: []}
    for ev in CATALOGUE.values():
        if ev.domain == domain and ev.audience in found:
            found[ev.audience].append(str(ev.verb))
    return found


def reason_hidden_from_applicant(domain: Domain = Domain.CASES) -> frozenset[str]:
    """Verbs of `domain` whose reason (an internal opinion) the applicant does not see."""
    return frozenset(str(ev.verb) for ev in CATALOGUE.values() if ev.domain == domain and not ev.reason_to_applicant)
