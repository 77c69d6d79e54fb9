"""E-licenses (电子证照): the types a decision may issue, the licenses, their events.

A license type is declared here (ADR 0014) and named by an implementation version's
`license_type_code`. A license belongs to its holder (the applicant, and the enterprise
when the case was filed for one), is issued by the case's department and carries the signed
QR note (docs/licenses.md). The holder commitment's salt stays here, off the ledger.
"""

from django.db import models

from yiwang.accounts.models import Department, Enterprise, User
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent
from yiwang.licenses.workflow import LicenseStatus


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

    code = models.CharField("证照类型代码", max_length=21, unique=True)
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

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "电子证照事件"
