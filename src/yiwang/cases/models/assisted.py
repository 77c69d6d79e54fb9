import uuid

from django.db import models

from yiwang.accounts.models import Department, User
from yiwang.cases.assisted_workflow import AssistedStatus
from yiwang.cases.models.case import Case


class AssistedApplication(models.Model):
    """An application a window clerk or a 帮办员 fills in for a person (帮办代办, ADR 0029).

    The application itself is an ordinary draft `case` whose applicant is the person; this row
    says who helps, where, and holds the person's confirmation: a one-time code sent by SMS to
    the phone on file, stored only as an HMAC (`code_hash`), valid until `code_expires_at`,
    with `code_attempts` wrong entries allowed up to a limit and `codes_sent` sends in all.
    `content_digest` is the SHA-256 of what the code confirms (form, delivery, files): a change
    after the code was sent is refused at confirmation. Status moves only through
    `cases.assisted_workflow.assisted_next_status`.
    """

    ref = models.UUIDField("帮办编号", default=uuid.uuid4, unique=True, editable=False)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="assisted", verbose_name="办件")
    person = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="assisted_applications", verbose_name="申请人"
    )
    helper = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assisted_helped", verbose_name="帮办人员")
    helper_role = models.CharField("帮办岗位", max_length=20)
    helper_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assisted_applications", verbose_name="帮办部门"
    )
    status = models.CharField(
        "状态", max_length=24, choices=AssistedStatus.choices, default=AssistedStatus.DRAFTING, db_index=True
    )
    code_hash = models.CharField("验证码摘要", max_length=64, blank=True)
    code_sent_at = models.DateTimeField("验证码发送时间", null=True, blank=True)
    code_expires_at = models.DateTimeField("验证码失效时间", null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField("验证码错误次数", default=0)
    codes_sent = models.PositiveSmallIntegerField("验证码发送次数", default=0)
    content_digest = models.CharField("确认内容摘要", max_length=64, blank=True)
    created_at = models.DateTimeField("开始时间")
    updated_at = models.DateTimeField("更新时间")
    confirmed_at = models.DateTimeField("本人确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "帮办申请"
        verbose_name_plural = "帮办申请"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["helper", "status", "-updated_at"], name="assisted_helper_open")]

    def __str__(self) -> str:
        return f"帮办 {self.ref}"


class AssistedLookup(models.Model):
    """One search for a person by a helper (帮办 step 1: exact name + 证件号码), hit or miss.

    Written with its ledger entry (`cases.assisted_lookup`: the helper's department and
    whether someone was found in public; the typed name and number as salted commitments) by
    `services.assisted_lookup.person_lookup`, never changed. `number_digest` is an HMAC of the
    number typed (keyed by SECRET_KEY), so the number's holder finds every search for it on
    我的数据使用记录 — also a miss under another name — without the table keeping numbers of
    people who are not users. Supervisors and auditors of the region read the list (policy
    `lookup_log_scope`); `person` is set only on a hit.
    """

    helper = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="查询人")
    helper_role = models.CharField("查询岗位", max_length=20)
    helper_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name="查询部门"
    )
    at = models.DateTimeField("查询时间")
    found = models.BooleanField("是否找到")
    person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assisted_lookups",
        verbose_name="找到的申请人",
    )
    number_digest = models.CharField("证件号码摘要", max_length=64)
    ledger_entry_id = models.BigIntegerField("账本条目")

    class Meta:
        verbose_name = verbose_name_plural = "帮办身份查询记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["number_digest", "-at"], name="assisted_lookup_number"),
            models.Index(fields=["helper_department", "-at"], name="assisted_lookup_department"),
            models.Index(fields=["helper", "-at"], name="assisted_lookup_helper"),  # the limit's count
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.helper} {'找到' if self.found else '未找到'}"
