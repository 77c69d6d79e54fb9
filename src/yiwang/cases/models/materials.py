from django.db import models

from yiwang.accounts.models import User
from yiwang.cases.models.case import Case
from yiwang.catalog.models import Material, MaterialSource


class SupplementRequest(models.Model):
    """A 补正 notice: everything missing, told at once (一次性告知).

    `items` is a list of {"material_key": str | None, "name": str, "note": str}.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supplements", verbose_name="办件")
    before_acceptance = models.BooleanField("受理前补正")
    items = models.JSONField("补正清单", default=list)
    message = models.TextField("补正说明", blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="告知人")
    requested_at = models.DateTimeField("告知时间")
    answered_at = models.DateTimeField("补正时间", null=True, blank=True)
    answer_note = models.TextField("补正说明（申请人）", blank=True)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"
        ordering = ["case", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} 补正 {self.requested_at:%Y-%m-%d}"


class CaseMaterial(models.Model):
    """One uploaded file, checked by content and stored under MEDIA_ROOT by its SHA-256.

    Never served by a public URL: only `selectors.material_file_for` opens it, after a
    permission check and (for staff) an access-log row. A newer upload for the same
    material supersedes the older one, which is kept.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials", verbose_name="办件")
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="材料目录项"
    )
    material_key = models.CharField("材料标识", max_length=40)
    material_name = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    storage_name = models.CharField("存储位置", max_length=255)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间")
    supplement = models.ForeignKey(
        SupplementRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="materials",
        verbose_name="对应补正",
    )
    superseded_at = models.DateTimeField("被替换时间", null=True, blank=True)

    class Meta:
        verbose_name = "申请材料文件"
        verbose_name_plural = "申请材料文件"
        ordering = ["case", "material_key", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.material_name}: {self.original_name}"


class EvidenceFailure(models.TextChoices):
    """Why a 免提交 material could not be fetched (the applicant is asked to upload it)."""

    NOT_FOUND = "not_found", "未找到"
    SUSPENDED = "suspended", "已暂停"
    REVOKED = "revoked", "已撤销"
    CANCELLED = "cancelled", "已注销"
    EXPIRED = "expired", "已过期"
    NOT_YET_VALID = "not_yet_valid", "尚未生效"
    UNAVAILABLE = "unavailable", "提供方暂不可用"
    INVALID = "invalid", "提供方应答有误"


class CaseEvidence(models.Model):
    """A 免提交 material the platform fetched for a case (or tried to): one row per material
    and fetch, written by the submission service (cases.evidence has the providers).

    A fetched one names its source record (`reference`: for an e-license its identifier,
    with `license` linking the row so the window sees its *current* status; for shared data
    the resource code, with the granted fields in `record` and the read in `data_read`), the
    SHA-256 of the signed record (an e-license's QR note; shared data: its canonical JSON)
    and when it was fetched. A failed one says why (`failure`); the applicant then uploads the
    material as a CaseMaterial. Written once, never edited.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence", verbose_name="办件")
    material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="材料目录项"
    )
    material_key = models.CharField("材料标识", max_length=40)
    material_name = models.CharField("材料名称", max_length=200)
    source = models.CharField("来源渠道", max_length=12, choices=MaterialSource.choices)
    failure = models.CharField("未能调取的原因", max_length=16, choices=EvidenceFailure.choices, blank=True)
    message = models.CharField("告知申请人的说明", max_length=300)
    reference = models.CharField("来源标识（电子证照标识）", max_length=120, blank=True)
    number = models.CharField("证照编号", max_length=40, blank=True)
    title = models.CharField("证照名称", max_length=100, blank=True)
    issuer_name = models.CharField("发证机关", max_length=200, blank=True)
    license = models.ForeignKey(
        "licenses.License", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="电子证照"
    )
    sha256 = models.CharField("SHA-256（签名载荷）", max_length=64, blank=True)
    record = models.JSONField(
        "共享数据", default=dict, blank=True, help_text="数据共享调取到的信息项（仅授权范围内），电子证照为空"
    )
    # No database constraint: exchange_dataread is partitioned by month (key (id, at), ADR 0034);
    # the fetch writes the read and this row in one transaction.
    data_read = models.ForeignKey(
        "exchange.DataRead",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="共享数据读取记录",
        db_constraint=False,
    )
    fetched_at = models.DateTimeField("调取时间")

    class Meta:
        verbose_name = "免提交材料调取记录"
        verbose_name_plural = "免提交材料调取记录"
        ordering = ["case", "material_key", "fetched_at", "id"]

    def __str__(self) -> str:
        return f"{self.material_name}: {self.reference or self.get_failure_display()}"

    @property
    def fetched(self) -> bool:
        return not self.failure
