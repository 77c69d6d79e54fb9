"""City brands (城市品牌): one platform, each city's portal under its own name.

A brand is presentation only — name, short name, tagline, local hotline, logo, two colours
and the host names it answers on — for one region (a city). Its rows are versions: an
administrator drafts and edits one, a second administrator publishes it (four eyes, like
catalog versions); publishing supersedes the region's previous published version. At most
one draft and one published version per region; the public sees only the published one.
"""

from django.conf import settings
from django.db import models

from yiwang.accounts.models import Region
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class BrandStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已替代"
    DISCARDED = "discarded", "已废弃"


class Brand(models.Model):
    """One version of a region's brand."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="brands", verbose_name="区划")
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=BrandStatus.choices, default=BrandStatus.DRAFT)
    name = models.CharField("品牌名称", max_length=30)
    short_name = models.CharField("简称", max_length=12)
    tagline = models.CharField("口号", max_length=40, blank=True)
    hotline = models.CharField("本地服务热线", max_length=20, blank=True)
    hosts = models.JSONField("主机名", default=list)
    primary_colour = models.CharField("主色", max_length=7)
    accent_colour = models.CharField("强调色", max_length=7)
    logo_png = models.BinaryField("标志（PNG）", blank=True, default=b"")
    logo_sha256 = models.CharField("标志摘要", max_length=64, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="最后修改人"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发布人",
    )
    created_at = models.DateTimeField("起草时间")
    updated_at = models.DateTimeField("修改时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "城市品牌"
        verbose_name_plural = "城市品牌"
        ordering = ["region__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["region", "number"], name="brand_unique_number"),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(status="published"), name="brand_one_published_per_region"
            ),
            models.UniqueConstraint(
                fields=["region"], condition=models.Q(status="draft"), name="brand_one_draft_per_region"
            ),
        ]
        indexes = [models.Index(fields=["status"], name="brand_status")]

    def __str__(self) -> str:
        return f"{self.name}（{self.region} v{self.number}）"

    @property
    def region_code(self) -> str:
        return self.region.code

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_sha256)


class BrandEvent(DomainEvent):
    """The audit trail of a brand's versions (mirrored into the ledger)."""

    domain = Domain.BRANDS
    subject_field = "brand"

    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="events", verbose_name="品牌版本")

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "品牌事件"
