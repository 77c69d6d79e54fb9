"""The standard service-item library (标准事项库).

Two version streams, both immutable once published:

- `ItemVersion` carries an item's **basic elements** (GB/T 39046): identical everywhere the
  item is implemented, maintained once at the catalog level.
- `ImplementationVersion` carries one region + department's **implementation elements**
  (实施清单): limits, materials, form, process, fees, phones… It points at the item version
  whose basic elements it inherits (read-only).

A change is a draft version; a second administrator reviews and publishes it (four eyes).
Publishing sets the validity window, which never overlaps another version of the same
item (or implementation). Cases pin the ImplementationVersion they were filed under.
Status fields change only through catalog.services.
"""

from typing import Any

from django.db import models
from django.db.models import F, Q

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog.choices import (
    LEGAL_ENTITY_OBJECTS as LEGAL_ENTITY_OBJECTS,
)
from yiwang.catalog.choices import (
    ONLINE_FORMS as ONLINE_FORMS,
)
from yiwang.catalog.choices import (
    OPEN_STATUSES as OPEN_STATUSES,
)
from yiwang.catalog.choices import (
    AmendmentStatus as AmendmentStatus,
)
from yiwang.catalog.choices import (
    ChangeKind as ChangeKind,
)
from yiwang.catalog.choices import (
    CrossRegionMode as CrossRegionMode,
)
from yiwang.catalog.choices import (
    CrossRegionScope as CrossRegionScope,
)
from yiwang.catalog.choices import (
    ExerciseLevel as ExerciseLevel,
)
from yiwang.catalog.choices import (
    HandlingForm as HandlingForm,
)
from yiwang.catalog.choices import (
    ItemType as ItemType,
)
from yiwang.catalog.choices import (
    MaterialForm as MaterialForm,
)
from yiwang.catalog.choices import (
    MaterialSource as MaterialSource,
)
from yiwang.catalog.choices import (
    Necessity as Necessity,
)
from yiwang.catalog.choices import (
    ServiceObject as ServiceObject,
)
from yiwang.catalog.choices import (
    Variant as Variant,
)
from yiwang.catalog.choices import (
    VersionStatus as VersionStatus,
)
from yiwang.catalog.elements import IMPLEMENTATION_VERSION, ITEM_VERSION, MATERIAL
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


def _version_meta(prefix: str, owner: str, label: str, *, index: str) -> Any:
    """The Meta of a version model: numbered per owner, at most one published and one open
    version per owner, well-formed windows.

    With one published version at a time and publication closing the previous window at the
    same instant it opens the new one, validity windows of one owner never overlap.
    """
    constraints = [
        models.UniqueConstraint(fields=[owner, "number"], name=f"{prefix}_unique_number"),
        models.UniqueConstraint(
            fields=[owner], condition=Q(status=VersionStatus.PUBLISHED), name=f"{prefix}_one_published"
        ),
        models.UniqueConstraint(fields=[owner], condition=Q(status__in=OPEN_STATUSES), name=f"{prefix}_one_open"),
        models.CheckConstraint(
            condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=False, valid_until__gte=F("valid_from")),
            name=f"{prefix}_window_ordered",
        ),
        models.CheckConstraint(
            condition=~Q(status=VersionStatus.PUBLISHED) | Q(valid_from__isnull=False, valid_until__isnull=True),
            name=f"{prefix}_published_is_open_ended",
        ),
        models.CheckConstraint(
            condition=~Q(status=VersionStatus.SUPERSEDED) | Q(valid_from__isnull=False, valid_until__isnull=False),
            name=f"{prefix}_superseded_is_closed",
        ),
    ]
    meta = {
        "verbose_name": label,
        "verbose_name_plural": label,
        "ordering": [owner, "-number"],
        "constraints": constraints,
        "indexes": [models.Index(fields=[owner, "status"], name=index)],
    }
    return type("Meta", (), meta)


class ServiceItem(models.Model):
    """The stable identity of an item (主项 / 子项 / 业务办理项) across its versions."""

    basic_code = models.CharField("基本编码", max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级事项"
    )
    variant = models.CharField("业务办理项类型", max_length=10, choices=Variant.choices, blank=True, default="")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "政务服务事项"
        verbose_name_plural = "政务服务事项"
        ordering = ["basic_code"]

    def __str__(self) -> str:
        return self.basic_code


class VersionFields(models.Model):
    """What both version streams share: number, status, validity window, four-eyes trail."""

    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    change_kind = models.CharField("调整类型", max_length=10, choices=ChangeKind.choices)
    change_reason = models.TextField("调整理由")
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_until = models.DateTimeField("失效时间", null=True, blank=True)
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="起草人")
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="审核人"
    )
    review_note = models.TextField("审核意见", blank=True)
    created_at = models.DateTimeField("创建时间")
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        """Still a draft (draft, in review or sent back): editable by its drafter."""
        return self.status in OPEN_STATUSES


_ItemElements: Any = ITEM_VERSION.columns(__name__)
_ImplementationElements: Any = IMPLEMENTATION_VERSION.columns(__name__)
_MaterialElements: Any = MATERIAL.columns(__name__)


class ItemVersion(VersionFields, _ItemElements):
    """Basic elements (基本要素) of one version of an item: columns from catalog.elements."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name="事项")

    Meta = _version_meta("item_version", "item", "事项版本（基本要素）", index="item_version_status")

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Implementation(models.Model):
    """The stable identity of one region + department's implementation of an item."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="implementations", verbose_name="事项")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="implementations", verbose_name="实施区划"
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="implementations", verbose_name="实施主体"
    )
    code = models.CharField("实施编码", max_length=60, unique=True)

    class Meta:
        verbose_name = "实施清单"
        verbose_name_plural = "实施清单"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "region", "department"], name="implementation_unique_place")
        ]

    def __str__(self) -> str:
        return self.code


class ImplementationVersion(VersionFields, _ImplementationElements):
    """Implementation elements (实施要素) of one version of an implementation: columns from catalog.elements."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="versions", verbose_name="实施清单"
    )
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="implementation_versions", verbose_name="继承的基本要素版本"
    )

    Meta = _version_meta(
        "implementation_version", "implementation", "实施清单版本（实施要素）", index="impl_version_status"
    )

    def __str__(self) -> str:
        return f"{self.implementation} v{self.number}"


class Material(_MaterialElements, models.Model):
    """One material an implementation version asks for: columns from catalog.elements."""

    version = models.ForeignKey(
        ImplementationVersion, on_delete=models.CASCADE, related_name="materials", verbose_name="实施清单版本"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["version", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="material_unique_key")]

    def __str__(self) -> str:
        return self.name

    @property
    def asked_of_applicant(self) -> bool:
        """Data the government already holds is not collected again (domain.md §7)."""
        return self.source in (MaterialSource.APPLICANT, MaterialSource.GOVERNMENT)


class PendingAmendment(models.Model):
    """动态调整: a new basic-elements version that one implementation (claim) has yet to confirm.

    Written for every implementation of an item when an amendment of its basic elements is
    published; the implementation's level confirms it (catalog.services.levels), or publishes a
    version of its own, which moves it onto the basic elements in force. A newer amendment
    replaces an unconfirmed one; `waiting_since` keeps when the implementation first fell behind.
    """

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="amendments", verbose_name="实施清单"
    )
    from_item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="+", verbose_name="原基本要素版本"
    )
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="amendments", verbose_name="应调整至的基本要素版本"
    )
    status = models.CharField("状态", max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    arrived_at = models.DateTimeField("下达时间")
    waiting_since = models.DateTimeField("未落实起始时间")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="确认人"
    )
    resolved_version = models.ForeignKey(
        ImplementationVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="落实后的实施清单版本",
    )

    class Meta:
        verbose_name = verbose_name_plural = "待确认的调整"
        ordering = ["waiting_since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["implementation"], condition=Q(status="pending"), name="amendment_one_pending"
            )
        ]
        indexes = [models.Index(fields=["status", "waiting_since"], name="amendment_pending")]

    def __str__(self) -> str:
        return f"{self.implementation} → {self.item_version}"


class ItemLineage(models.Model):
    """拆分/合并: `predecessor` was split into (or merged into) `successor` by `item_version`."""

    predecessor = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="successor_links", verbose_name="原事项"
    )
    successor = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="predecessor_links", verbose_name="新事项"
    )
    kind = models.CharField("调整类型", max_length=10, choices=ChangeKind.choices)
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="+", verbose_name="发布拆分/合并的版本"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "事项沿革"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="lineage_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.kind})"


class CatalogEvent(DomainEvent):
    """The catalog's history: drafts, reviews, publications (mirrored into the ledger)."""

    domain = Domain.CATALOG

    subject = models.CharField("对象", max_length=80, db_index=True)

    class Meta(DomainEvent.Meta):
        verbose_name = verbose_name_plural = "事项库事件"


class SearchDocument(models.Model):
    """The public guide's row for one implementation in force, rebuilt on every publication.

    Denormalised on purpose: the guide lists and filters without joins, and `SearchToken`
    rows (character bigrams with field weights) rank free-text queries (ADR 0004).
    """

    implementation = models.OneToOneField(Implementation, on_delete=models.CASCADE, related_name="search_document")
    implementation_version = models.ForeignKey(ImplementationVersion, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    basic_code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    item_type = models.CharField(max_length=20)
    region_code = models.CharField(max_length=12, db_index=True)
    region_name = models.CharField(max_length=60)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    department_name = models.CharField(max_length=100)
    exercise_level = models.CharField(max_length=20)
    themes = models.CharField(max_length=300, help_text=",slug,slug,")
    for_person = models.BooleanField()
    for_legal_entity = models.BooleanField()
    committed_limit_days = models.PositiveIntegerField()
    required_visits = models.PositiveSmallIntegerField()
    online_depth = models.PositiveSmallIntegerField()
    online = models.BooleanField()
    suspended = models.BooleanField()
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "办事指南检索文档"
        verbose_name_plural = "办事指南检索文档"
        ordering = ["basic_code", "region_code"]
        indexes = [models.Index(fields=["basic_code", "region_code"], name="search_doc_order")]

    def __str__(self) -> str:
        return f"{self.name} · {self.region_name}"

    @property
    def exercise_level_label(self) -> str:
        """The level of the body that offers it (市级, 镇（乡、街道）级…), for the guide's results."""
        return ExerciseLevel(self.exercise_level).label if self.exercise_level in ExerciseLevel.values else ""


class SearchToken(models.Model):
    """One distinct bigram (or short word) of a document, with its weight (search.py)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=24)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["token", "document", "weight"], name="search_token_lookup")]

    def __str__(self) -> str:
        return f"{self.token}×{self.weight}"


from yiwang.catalog.bundle_models import Bundle as Bundle, BundleVersion as BundleVersion  # noqa: E402, I001
