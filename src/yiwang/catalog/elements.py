"""The element specification of each versioned catalog document, declared once.

A document kind (item version: 基本要素; implementation version: 实施要素; later bundles or
license types) is a list of elements. Each element says its name, its Chinese label, its
type, its bounds, whether publication needs it, and which change kinds may touch it. From
this list come:

- the model columns (`DocumentSpec.columns`: an abstract model the version model inherits);
- the services' validation and apply (`elements_check`, `catalog.services.versions`);
- the reviewer's diff (`catalog.diff`);
- the API schemas (`yiwang.api.catalog`, pydantic models built from the elements);
- the workbench forms (`catalog.forms`).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import models
from pydantic import BaseModel

from yiwang.catalog.choices import (
    ChangeKind,
    CrossRegionMode,
    CrossRegionScope,
    ExerciseLevel,
    HandlingForm,
    ItemType,
    MaterialForm,
    MaterialSource,
    Necessity,
    ServiceObject,
)
from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.process import ProcessDefinition
from yiwang.catalog.themes import THEMES
from yiwang.core.text import control_char_error

Kind = Literal["line", "text", "int", "bool", "choice", "choices", "entries", "document"]
ANY_CHANGE = frozenset(ChangeKind.values)
TEXT_MAX = 4000  # a text element without a column length (legal bases, conditions) is still bounded


@dataclass(frozen=True)
class Element:
    """One element of a document. `kind` says how it is typed, edited and compared:
    line/text (a string; text is multi-line), int, bool, choice (one value of `choices`),
    choices (a list of values of `choices`), entries (a list of objects, e.g. fees, FAQ),
    document (an object checked against `document`, e.g. the application form)."""

    name: str
    kind: Kind
    label: str
    required: bool = False  # publication needs it (the forms ask for it; rules.py refuses without)
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[tuple[Any, str], ...] = ()
    help: str = ""
    column_help: str = ""  # the column's help text (for the admin site)
    changed_by: frozenset[str] = ANY_CHANGE  # the change kinds that may set it
    document: type[BaseModel] | None = None
    compared: bool = True  # listed value by value in the diff (documents have their own diff)
    public: bool = True  # shown in the public API (remarks are the administrators' notes)
    default: Any = None  # the column's default, when it has one
    column: str = ""  # the Django field class when the kind's usual one does not fit

    def model_field(self) -> models.Field[Any, Any]:
        """The storage column of this element."""
        options: dict[str, Any] = {"help_text": self.column_help} if self.column_help else {}
        if self.default is not None:
            options["default"] = self.default
        if self.kind in ("line", "choice"):
            if self.kind == "choice":
                options["choices"] = list(self.choices)
            column = getattr(models, self.column or "CharField")
            return column(self.label, max_length=self.max_length, blank=not self.required, **options)  # type: ignore[no-any-return]
        if self.kind == "text":
            return models.TextField(self.label, blank=not self.required, **options)
        if self.kind == "int":
            return getattr(models, self.column or "PositiveIntegerField")(self.label, **options)  # type: ignore[no-any-return]
        if self.kind == "bool":
            return models.BooleanField(self.label, default=False, **options)
        return models.JSONField(self.label, default=dict if self.kind == "document" else list, **options)

    @property
    def values(self) -> list[Any]:
        return [value for value, _ in self.choices]

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value` as this element's value, in Chinese; None when it fits.

        Shape and bounds only: whether a draft is complete is rules.py's business at submission.
        """
        wrong = f"{self.label}：{_SHAPE[self.kind]}"
        if self.kind in ("line", "text", "choice"):
            if not isinstance(value, str):
                return wrong
            if self.max_length is not None and len(value) > self.max_length:
                return f"{self.label}：最多 {self.max_length} 个字符"
            control = control_char_error(self.label, value, multiline=self.kind == "text")
            if control is not None:
                return control
            if self.kind == "choice" and value and value not in self.values:
                return f"{self.label}：请从给定选项中选择"
        elif self.kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                return wrong
            if self.choices and value not in self.values:
                return f"{self.label}：应为 {'、'.join(str(v) for v in self.values)} 之一"
            if (self.minimum is not None and value < self.minimum) or (
                self.maximum is not None and value > self.maximum
            ):
                return f"{self.label}：应在 {self.minimum} 到 {self.maximum} 之间"
        elif self.kind == "bool":
            return None if isinstance(value, bool) else wrong
        elif self.kind == "choices":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return wrong
            unknown = [v for v in value if v not in self.values]
            if unknown:
                return f"{self.label}：不认识的取值 {'、'.join(unknown)}"
        elif self.kind == "entries":
            if not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                return wrong
            if len(value) > MAX_ENTRIES:
                return f"{self.label}：最多 {MAX_ENTRIES} 项"
            return _nested_text_problem(self.label, value)
        elif not isinstance(value, dict):
            return wrong
        else:
            return _nested_text_problem(self.label, value)
        return None


MAX_ENTRIES = 200  # FAQ entries, fee items …: far beyond any real guide


def _nested_text_problem(label: str, value: Any) -> str | None:
    """A control character anywhere inside a structured element (PostgreSQL's JSON refuses
    NUL outright; the others are invisible in the guide)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            control = control_char_error(label, item, multiline=True)
            if control is not None:
                return control
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


_SHAPE: dict[Kind, str] = {
    "line": "应为文字",
    "text": "应为文字",
    "choice": "应为文字",
    "int": "应为整数",
    "bool": "应为是或否",
    "choices": "应为取值列表",
    "entries": "应为对象列表 [ { … } ]",
    "document": "应为对象 { … }",
}


@dataclass(frozen=True)
class DocumentSpec:
    """The elements of one document kind, in the order people read them."""

    key: str
    label: str
    elements: tuple[Element, ...]
    by_name: Mapping[str, Element] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {e.name: e for e in self.elements})

    def __iter__(self) -> Iterator[Element]:
        return iter(self.elements)

    def __getitem__(self, name: str) -> Element:
        return self.by_name[name]

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.elements]

    def columns(self, module: str) -> type[models.Model]:
        """An abstract model with a column per element, for the document's model to inherit."""
        meta = type("Meta", (), {"abstract": True})
        attrs = {"__module__": module, "Meta": meta, **{e.name: e.model_field() for e in self.elements}}
        return type(f"{self.key.title()}Elements", (models.Model,), attrs)

    def problems(self, values: Mapping[str, Any], *, change_kind: str | None = None) -> dict[str, list[str]]:
        """Every problem of `values` (a partial set of elements), keyed by element name."""
        problems: dict[str, list[str]] = {}
        for name, value in values.items():
            element = self.by_name.get(name)
            if element is None:
                problems.setdefault(name, []).append(f"{self.label}中没有“{name}”这一项，不能修改")
                continue
            found = element.problem(value)
            if found is None and change_kind is not None and change_kind not in element.changed_by:
                kinds = "、".join(f"“{ChangeKind(k).label}”" for k in ChangeKind.values if k in element.changed_by)
                found = f"{element.label}：只能通过{kinds}调整"
            if found is not None:
                problems.setdefault(name, []).append(found)
        return problems


def _choices(choices: Any) -> tuple[tuple[Any, str], ...]:
    return tuple(choices)


TEXT = TEXT_MAX
DEPTHS = ((1, "Ⅰ级"), (2, "Ⅱ级"), (3, "Ⅲ级"), (4, "Ⅳ级（全程网办）"))
_REMARKS = Element(
    "remarks",
    "text",
    "备注",
    max_length=TEXT,
    compared=False,
    public=False,
    help="数据来源、简化之处等说明（不对外承诺）",
    column_help="数据来源、简化之处等说明（不对外承诺）",
)

ITEM_VERSION = DocumentSpec(
    key="item",
    label="基本要素",
    elements=(
        Element("name", "line", "事项名称", required=True, max_length=200),
        Element("item_type", "choice", "事项类型", required=True, max_length=20, choices=_choices(ItemType.choices)),
        Element("competent_department", "line", "主管部门", required=True, max_length=100),
        Element("implementing_organ_kind", "line", "实施主体性质", required=True, max_length=40, default="法定机关"),
        Element("legal_basis", "text", "设定依据", required=True, max_length=TEXT),
        Element(
            "service_objects",
            "choices",
            "服务对象",
            required=True,
            choices=_choices(ServiceObject.choices),
            column_help="person / enterprise / …",
        ),
        Element("themes", "choices", "主题分类", choices=tuple((t["slug"], t["name"]) for t in THEMES)),
        Element(
            "keywords",
            "line",
            "检索关键词",
            max_length=300,
            help="俗称、别名，便于群众搜索",
            column_help="俗称、别名，便于群众搜索",
        ),
        Element("suspended", "bool", "暂停办理", changed_by=frozenset({ChangeKind.SUSPEND, ChangeKind.AMEND})),
        Element(
            "exercise_levels",
            "choices",
            "可认领层级",
            choices=_choices(ExerciseLevel.choices),
            help="哪些层级可以认领并实施本事项；不选则不限",
            column_help="municipal / county / township / village …",
        ),
        Element(
            "successor_codes",
            "line",
            "拆分/合并后的事项",
            max_length=200,
            changed_by=frozenset({ChangeKind.SPLIT, ChangeKind.MERGE}),
            help="拆分或合并为哪些事项（基本编码，以空格分隔）",
            column_help="基本编码，以空格分隔",
        ),
        _REMARKS,
    ),
)

IMPLEMENTATION_VERSION = DocumentSpec(
    key="implementation",
    label="实施要素",
    elements=(
        Element(
            "exercise_level",
            "choice",
            "行使层级",
            required=True,
            max_length=20,
            choices=_choices(ExerciseLevel.choices),
        ),
        Element("acceptance_conditions", "text", "受理条件", required=True, max_length=TEXT),
        Element("statutory_limit_days", "int", "法定办结时限（工作日）", required=True, minimum=0, maximum=3650),
        Element("statutory_limit_note", "line", "法定时限说明", max_length=300),
        Element("committed_limit_days", "int", "承诺办结时限（工作日）", required=True, minimum=0, maximum=3650),
        Element(
            "required_visits",
            "int",
            "到办事现场次数",
            required=True,
            minimum=0,
            maximum=20,
            column="PositiveSmallIntegerField",
        ),
        Element("visits_reason", "line", "必须到现场原因", max_length=300),
        Element(
            "handling_forms",
            "choices",
            "办理形式",
            required=True,
            choices=_choices(HandlingForm.choices),
            column_help="window / pc / mobile / mail",
        ),
        Element(
            "online_depth",
            "int",
            "网上办理深度",
            required=True,
            choices=DEPTHS,
            help="Ⅳ级为全程网办",
            column="PositiveSmallIntegerField",
            column_help="1–4，4 为全程网办",
        ),
        Element("fee_required", "bool", "是否收费"),
        Element("fee_items", "entries", "收费项目", help='如 [{"name": "工本费", "amount": "10元"}]'),
        Element("fee_basis", "text", "收费依据", max_length=TEXT),
        Element(
            "cross_region_scope",
            "choice",
            "通办范围",
            max_length=20,
            choices=_choices(CrossRegionScope.choices),
            help="不通办的留空",
        ),
        Element(
            "cross_region_modes",
            "choices",
            "通办方式",
            choices=_choices(CrossRegionMode.choices),
            help="全程网办：各地申请人均可网上申请；异地代收代办：下列地区的窗口可代收申请材料并移交；"
            "多地联办：办理流程中的环节可由其他地区的部门办理",
            column_help="online / proxy / joint",
        ),
        Element(
            "cross_region_intake",
            "line",
            "异地代收地区",
            max_length=300,
            help="可代收申请的地区的区划代码（6 位，空格分隔），如 370000 表示全省各地的政务服务窗口",
            column_help="6-digit region codes, space-separated; the windows of these regions and below may receive",
        ),
        Element("result_name", "line", "审批结果名称", required=True, max_length=200),
        Element("result_sample", "line", "审批结果样本", max_length=300),
        Element(
            "license_type_code",
            "line",
            "电子证照类型代码",
            max_length=21,
            help="准予许可时签发的电子证照类型（21位代码）；不签发证照的留空",
        ),
        Element("consultation_phone", "line", "咨询电话", required=True, max_length=40),
        Element("complaint_phone", "line", "监督投诉电话", required=True, max_length=40),
        Element("address", "line", "办理地点", required=True, max_length=300),
        Element("office_hours", "line", "办理时间", required=True, max_length=200),
        Element("faq", "entries", "常见问题", help='如 [{"q": "问题", "a": "解答"}]'),
        Element("form_schema", "document", "申请表", document=FormSchema, compared=False),
        Element("process", "document", "办理流程", document=ProcessDefinition, compared=False),
        _REMARKS,
    ),
)

MATERIAL = DocumentSpec(
    key="material",
    label="申请材料",
    elements=(
        Element("key", "line", "材料标识", required=True, max_length=40, compared=False, column="SlugField"),
        Element("name", "line", "材料名称", required=True, max_length=200),
        Element("necessity", "choice", "必要性", required=True, max_length=12, choices=_choices(Necessity.choices)),
        Element("condition", "line", "情形说明", max_length=300),
        Element("condition_field", "line", "情形对应表单字段", max_length=40),
        Element("form", "choice", "材料形式", required=True, max_length=12, choices=_choices(MaterialForm.choices)),
        Element(
            "paper_copies",
            "int",
            "纸质份数",
            required=True,
            minimum=0,
            maximum=99,
            default=0,
            column="PositiveSmallIntegerField",
        ),
        Element("source", "choice", "来源渠道", required=True, max_length=12, choices=_choices(MaterialSource.choices)),
        Element("source_reference", "line", "共享资源/证照类型", max_length=120),
        Element("blank_form", "line", "空白表格", max_length=300),
        Element("sample", "line", "示例样表", max_length=300),
        Element("acceptance_standard", "text", "受理标准", max_length=TEXT),
        Element("legal_basis", "text", "要求提供的依据", max_length=TEXT),
    ),
)
# What a material row gets when the drafter does not say.
MATERIAL_DEFAULTS = {"necessity": "required", "form": "electronic", "source": "applicant"}
