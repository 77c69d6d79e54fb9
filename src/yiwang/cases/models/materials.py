from django.db import models

from yiwang.accounts.models import User
from yiwang.cases.models.case import Case
from yiwang.catalog.models import Material


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
