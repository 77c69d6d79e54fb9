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

from django.db import models
from django.db.models import F, Q

from yiwang.accounts.models import Department, Region, User
from yiwang.ledger.events import Domain
from yiwang.ledger.models import DomainEvent


class ItemType(models.TextChoices):
    LICENSE = "license", "行政许可"
    PENALTY = "penalty", "行政处罚"
    ENFORCEMENT = "enforcement", "行政强制"
    LEVY = "levy", "行政征收"
    PAYMENT = "payment", "行政给付"
    INSPECTION = "inspection", "行政检查"
    CONFIRMATION = "confirmation", "行政确认"
    REWARD = "reward", "行政奖励"
    ADJUDICATION = "adjudication", "行政裁决"
    OTHER_POWER = "other_power", "其他行政权力"
    FILING = "filing", "行政备案"
    PUBLIC_SERVICE = "public_service", "公共服务"


class Variant(models.TextChoices):
    NONE = "", "—"
    NEW = "new", "新设"
    CHANGE = "change", "变更"
    RENEW = "renew", "延续"
    CANCEL = "cancel", "注销"


class ChangeKind(models.TextChoices):
    ADD = "add", "新增"
    AMEND = "amend", "变更"
    SPLIT = "split", "拆分"
    MERGE = "merge", "合并"
    SUSPEND = "suspend", "暂停"
    CANCEL = "cancel", "取消"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本替代"
    REJECTED = "rejected", "审核退回"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.REJECTED)


class ExerciseLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    MUNICIPAL = "municipal", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "镇（乡、街道）级"
    VILLAGE = "village", "村（社区）级"
    GRADED = "graded", "分级管理"


class ServiceObject(models.TextChoices):
    PERSON = "person", "自然人"
    ENTERPRISE = "enterprise", "企业法人"
    INSTITUTION = "institution", "事业法人"
    SOCIAL_ORG = "social_org", "社会组织法人"
    GOVERNMENT = "government", "行政机关"
    OTHER_ORG = "other_org", "其他组织"


LEGAL_ENTITY_OBJECTS = frozenset({"enterprise", "institution", "social_org", "government", "other_org"})


class HandlingForm(models.TextChoices):
    WINDOW = "window", "窗口办理"
    PC = "pc", "电脑端网上办理"
    MOBILE = "mobile", "移动端网上申请"
    MAIL = "mail", "快递申请"
    OTHER = "other", "其他"


ONLINE_FORMS = frozenset({"pc", "mobile"})


def _version_constraints(prefix: str, owner: str) -> list[models.BaseConstraint]:
    """At most one published and one open version per owner; windows are well-formed.

    With one published version at a time and publication closing the previous window at the
    same instant it opens the new one, validity windows of one owner never overlap.
    """
    return [
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
    remarks = models.TextField("备注", blank=True, help_text="数据来源、简化之处等说明（不对外承诺）")

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        """Still a draft (draft, in review or sent back): editable by its drafter."""
        return self.status in OPEN_STATUSES


class ItemVersion(VersionFields):
    """Basic elements (基本要素) of one version of an item."""

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions", verbose_name="事项")
    name = models.CharField("事项名称", max_length=200)
    item_type = models.CharField("事项类型", max_length=20, choices=ItemType.choices)
    competent_department = models.CharField("主管部门", max_length=100)
    implementing_organ_kind = models.CharField("实施主体性质", max_length=40, default="法定机关")
    legal_basis = models.TextField("设定依据")
    service_objects = models.JSONField("服务对象", default=list, help_text="person / enterprise / …")
    themes = models.JSONField("主题分类", default=list)
    keywords = models.CharField("检索关键词", max_length=300, blank=True, help_text="俗称、别名，便于群众搜索")
    suspended = models.BooleanField("暂停办理", default=False)

    class Meta:
        verbose_name = "事项版本（基本要素）"
        verbose_name_plural = "事项版本（基本要素）"
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_unique_number"),
            *_version_constraints("item_version", "item"),
        ]
        indexes = [models.Index(fields=["item", "status"], name="item_version_status")]

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


class ImplementationVersion(VersionFields):
    """Implementation elements (实施要素) of one version of an implementation."""

    implementation = models.ForeignKey(
        Implementation, on_delete=models.PROTECT, related_name="versions", verbose_name="实施清单"
    )
    item_version = models.ForeignKey(
        ItemVersion, on_delete=models.PROTECT, related_name="implementation_versions", verbose_name="继承的基本要素版本"
    )
    exercise_level = models.CharField("行使层级", max_length=20, choices=ExerciseLevel.choices)
    acceptance_conditions = models.TextField("受理条件")
    statutory_limit_days = models.PositiveIntegerField("法定办结时限（工作日）")
    statutory_limit_note = models.CharField("法定时限说明", max_length=300, blank=True)
    committed_limit_days = models.PositiveIntegerField("承诺办结时限（工作日）")
    required_visits = models.PositiveSmallIntegerField("到办事现场次数")
    visits_reason = models.CharField("必须到现场原因", max_length=300, blank=True)
    handling_forms = models.JSONField("办理形式", default=list, help_text="window / pc / mobile / mail")
    online_depth = models.PositiveSmallIntegerField("网上办理深度", help_text="1–4，4 为全程网办")
    fee_required = models.BooleanField("是否收费", default=False)
    fee_items = models.JSONField("收费项目", default=list)
    fee_basis = models.TextField("收费依据", blank=True)
    cross_region_scope = models.CharField("通办范围", max_length=20, blank=True)
    result_name = models.CharField("审批结果名称", max_length=200)
    result_sample = models.CharField("审批结果样本", max_length=300, blank=True)
    consultation_phone = models.CharField("咨询电话", max_length=40)
    complaint_phone = models.CharField("监督投诉电话", max_length=40)
    address = models.CharField("办理地点", max_length=300)
    office_hours = models.CharField("办理时间", max_length=200)
    faq = models.JSONField("常见问题", default=list)
    form_schema = models.JSONField("申请表", default=dict)
    process = models.JSONField("办理流程", default=dict)

    class Meta:
        verbose_name = "实施清单版本（实施要素）"
        verbose_name_plural = "实施清单版本（实施要素）"
        ordering = ["implementation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["implementation", "number"], name="implementation_version_unique_number"),
            *_version_constraints("implementation_version", "implementation"),
        ]
        indexes = [models.Index(fields=["implementation", "status"], name="impl_version_status")]

    def __str__(self) -> str:
        return f"{self.implementation} v{self.number}"


class Necessity(models.TextChoices):
    REQUIRED = "required", "必要"
    CONDITIONAL = "conditional", "容缺/情形必要"
    OPTIONAL = "optional", "非必要"


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", "原件"
    COPY = "copy", "复印件"
    ELECTRONIC = "electronic", "电子件"


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", "申请人自备"
    GOVERNMENT = "government", "政府部门核发"
    SHARING = "sharing", "数据共享获取"
    LICENSE = "license", "电子证照"


class Material(models.Model):
    version = models.ForeignKey(
        ImplementationVersion, on_delete=models.CASCADE, related_name="materials", verbose_name="实施清单版本"
    )
    key = models.SlugField("材料标识", max_length=40)
    name = models.CharField("材料名称", max_length=200)
    necessity = models.CharField("必要性", max_length=12, choices=Necessity.choices)
    condition = models.CharField("情形说明", max_length=300, blank=True)
    condition_field = models.CharField("情形对应表单字段", max_length=40, blank=True)
    form = models.CharField("材料形式", max_length=12, choices=MaterialForm.choices)
    paper_copies = models.PositiveSmallIntegerField("纸质份数", default=0)
    source = models.CharField("来源渠道", max_length=12, choices=MaterialSource.choices)
    source_reference = models.CharField("共享资源/证照类型", max_length=120, blank=True)
    blank_form = models.CharField("空白表格", max_length=300, blank=True)
    sample = models.CharField("示例样表", max_length=300, blank=True)
    acceptance_standard = models.TextField("受理标准", blank=True)
    legal_basis = models.TextField("要求提供的依据", blank=True)
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


class SearchToken(models.Model):
    """One distinct bigram (or short word) of a document, with its weight (search.py)."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=24)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["token", "document", "weight"], name="search_token_lookup")]

    def __str__(self) -> str:
        return f"{self.token}×{self.weight}"
