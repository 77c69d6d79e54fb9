"""The catalog's closed lists of values (GB/T 39046 codes with their Chinese names)."""

from django.db import models


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

# Changes that retire an item: its implementations leave force at once and the guide drops them.
RETIRING_KINDS = frozenset({"cancel", "split", "merge"})


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REPLACED = "replaced", "已被更新的调整取代"


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


class CrossRegionScope(models.TextChoices):
    """How far 通办 reaches (国办发〔2020〕35号 跨省通办; provinces' 省内通办)."""

    NONE = "", "不通办"
    NATIONAL = "national", "全国通办"
    INTERPROVINCIAL = "interprovincial", "跨省通办"
    PROVINCE = "province", "省内通办（跨市）"
    CITY = "city", "市内通办（跨县）"


class CrossRegionMode(models.TextChoices):
    """The three ways of 通办 (国办发〔2020〕35号)."""

    ONLINE = "online", "全程网办"
    PROXY = "proxy", "异地代收代办"
    JOINT = "joint", "多地联办"


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
