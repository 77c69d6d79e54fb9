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
