"""E-licenses (电子证照): the types a decision may issue, the licenses, their events.

A license type is declared here (ADR 0014) and named by an implementation version's
`license_type_code`. A license belongs to its holder (the applicant, and the enterprise
when the case was filed for one), is issued by the case's department and carries the signed
QR note (docs/licenses.md). The holder commitment's salt stays here, off the ledger.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.core import clock
from yiwang.core.identifiers import IdentifierError, validate_license_type_code
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent
from yiwang.licenses.workflow import LicenseStatus, effective_status


def license_type_code_validator(value: str) -> None:
    """21 characters of 0-9 and A-Z as typed (domain.md §5), e.g. in the admin site."""
    try:
        normalised = validate_license_type_code(value)
    except IdentifierError as exc:
        raise ValidationError(exc.message, code=exc.rule) from exc
    if normalised != value:
        raise ValidationError("证照类型代码：应为21位数字或大写字母，不含空格（GB/T 36904）", code="charset")


class TrustLevel(models.TextChoices):
    """domain.md §7: how far a license can be trusted."""

    A = "A", "A级（加盖电子印章签发）"
    B = "B", "B级（窗口核验原件）"
    C = "C", "C级（申请人上传，待核验原件）"
    D = "D", "D级（申请人承诺）"


class LicenseType(models.Model):
    """What a license of this kind says and how long it lasts.

    `fields` lists the licensed facts: `[{"key": ..., "label": ..., "source": ...}]`, the
    source being `form:<field>` (the case's application form), or one of the case facts
    `case:number`, `case:decided_on`, `holder:name`, `department:name`.
    """

    code = models.CharField(
        "证照类型代码",
        max_length=21,
        unique=True,
        validators=[license_type_code_validator],
        help_text="21位数字或大写字母",
    )
    name = models.CharField("证照名称", max_length=100)
    validity_years = models.PositiveSmallIntegerField("有效期（年）", default=0, help_text="0 为长期有效")
    trust_level = models.CharField("可信等级", max_length=1, choices=TrustLevel.choices, default=TrustLevel.A)
    fields = models.JSONField("证照字段", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class License(models.Model):
    identifier = models.CharField("电子证照标识", max_length=120, unique=True)
    number = models.CharField("证照编号", max_length=40, db_index=True)
    serial = models.CharField("序号", max_length=12)
    version = models.PositiveSmallIntegerField("版本", default=1)
    license_type = models.ForeignKey(LicenseType, on_delete=models.PROTECT, related_name="+", verbose_name="证照类型")
    holder = models.ForeignKey(User, on_delete=models.PROTECT, related_name="licenses", verbose_name="持证人")
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="licenses", verbose_name="持证企业"
    )
    holder_name = models.CharField("持证人名称", max_length=200)
    issuer = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licenses", verbose_name="发证机关")
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="licenses", verbose_name="办件"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by", verbose_name="替代"
    )
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="空为长期")
    facts = models.JSONField("证照内容", default=dict)
    holder_salt = models.CharField("持证人承诺盐值", max_length=64, editable=False)
    note = models.TextField("签名载荷（二维码文本）")
    status = models.CharField("状态", max_length=12, choices=LicenseStatus.choices)
    status_since = models.DateTimeField("状态变更时间")
    status_reason = models.CharField("状态变更理由", max_length=500, blank=True)
    status_entry_id = models.BigIntegerField("状态账本条目", null=True, blank=True)
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = verbose_name_plural = "电子证照"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="license_status_until")]

    def __str__(self) -> str:
        return f"{self.license_type} {self.number}"

    @property
    def effective_status(self) -> LicenseStatus:
        """The status as of today (Asia/Shanghai): a valid or suspended license past its last
        valid day reads 已过期 before the hourly job records it (workflow.effective_status)."""
        return effective_status(self.status, self.valid_until, clock.today())

    @property
    def effective_status_label(self) -> str:
        return str(self.effective_status.label)

    @property
    def effective_since(self) -> dt.datetime:
        """Since when the effective status holds: for an expiry not yet recorded, the start of
        the day after the last valid day (platform time zone)."""
        if self.valid_until is not None and self.effective_status != self.status:
            after = dt.datetime.combine(self.valid_until + dt.timedelta(days=1), dt.time.min)
            return timezone.make_aware(after)
        return self.status_since


class LicenseSerial(models.Model):
    """The last serial used per license type and issuer (row-locked while issuing)."""

    key = models.CharField("类型与发证机关", max_length=40, unique=True)
    last_value = models.PositiveIntegerField("已用序号", default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last_value}"


class LicenseEvent(DomainEvent):
    """One status event of a license (mirrored into the ledger)."""

    domain = Domain.LICENSES
    subject_field = "license"

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="events", verbose_name="电子证照")
    reason = models.CharField("理由", max_length=500, blank=True)
    legal_basis = models.CharField("法律依据", max_length=500, blank=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "电子证照事件"


# 用证授权 (authorisations and their uses) live in their own module; imported here so Django
# registers them with the licenses app.
from yiwang.licenses.sharing_models import LicenseAuthorisation, LicenseUse, UseChannel  # noqa: E402

__all__ = [
    "License",
    "LicenseAuthorisation",
    "LicenseEvent",
    "LicenseSerial",
    "LicenseType",
    "LicenseUse",
    "TrustLevel",
    "UseChannel",
]
