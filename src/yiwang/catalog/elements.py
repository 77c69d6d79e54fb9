"""The element specification of each versioned catalog document, declared once.

A document kind (item version: 基本要素; implementation version: 实施要素; later bundles or
license types) is a list of elements. Each element says its name, its Chinese label, its
type, its bounds, whether publication needs it, and which change kinds may touch it. The
storage column is the model field of the same name: label, length, choices and help text
are read from it, so nothing is written twice. From this list come:

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

from yiwang.catalog.formschema import FormSchema
from yiwang.catalog.models import ChangeKind, HandlingForm, ImplementationVersion, ItemVersion, Material, ServiceObject
from yiwang.catalog.process import ProcessDefinition
from yiwang.catalog.themes import THEMES

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
    changed_by: frozenset[str] = ANY_CHANGE  # the change kinds that may set it
    document: type[BaseModel] | None = None
    compared: bool = True  # listed value by value in the diff (documents have their own diff)
    public: bool = True  # shown in the public API (remarks are the administrators' notes)

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
            return None if isinstance(value, list) and all(isinstance(v, dict) for v in value) else wrong
        elif not isinstance(value, dict):
            return wrong
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
    model: type[models.Model]
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


def _element(model: type[models.Model], name: str, kind: Kind, **declared: Any) -> Element:
    """An element over the model field `name`: label, length, choices and help come from it."""
    column = model._meta.get_field(name)
    assert isinstance(column, models.Field)
    derived: dict[str, Any] = {
        "label": str(column.verbose_name),
        "max_length": (column.max_length or TEXT_MAX) if kind in ("line", "text", "choice") else None,
        "choices": tuple(column.choices or ()),
        "help": str(column.help_text or ""),
        "required": kind in ("line", "text", "choice", "int") and not column.blank,
    }
    return Element(name=name, kind=kind, **{**derived, **declared})


_I, _V, _M = ItemVersion, ImplementationVersion, Material
_THEMES = tuple((t["slug"], t["name"]) for t in THEMES)
DEPTHS = ((1, "Ⅰ级"), (2, "Ⅱ级"), (3, "Ⅲ级"), (4, "Ⅳ级（全程网办）"))

ITEM_VERSION = DocumentSpec(
    key="item",
    label="基本要素",
    model=ItemVersion,
    elements=(
        _element(_I, "name", "line"),
        _element(_I, "item_type", "choice"),
        _element(_I, "competent_department", "line"),
        _element(_I, "implementing_organ_kind", "line"),
        _element(_I, "legal_basis", "text"),
        _element(_I, "service_objects", "choices", required=True, choices=tuple(ServiceObject.choices), help=""),
        _element(_I, "themes", "choices", choices=_THEMES),
        _element(_I, "keywords", "line"),
        _element(_I, "suspended", "bool", changed_by=frozenset({ChangeKind.SUSPEND, ChangeKind.AMEND})),
        _element(_I, "remarks", "text", compared=False, public=False),
    ),
)

IMPLEMENTATION_VERSION = DocumentSpec(
    key="implementation",
    label="实施要素",
    model=ImplementationVersion,
    elements=(
        _element(_V, "exercise_level", "choice"),
        _element(_V, "acceptance_conditions", "text"),
        _element(_V, "statutory_limit_days", "int", minimum=0, maximum=3650),
        _element(_V, "statutory_limit_note", "line"),
        _element(_V, "committed_limit_days", "int", minimum=0, maximum=3650),
        _element(_V, "required_visits", "int", minimum=0, maximum=20),
        _element(_V, "visits_reason", "line"),
        _element(_V, "handling_forms", "choices", required=True, choices=tuple(HandlingForm.choices), help=""),
        _element(_V, "online_depth", "int", choices=DEPTHS, help="Ⅳ级为全程网办"),
        _element(_V, "fee_required", "bool"),
        _element(_V, "fee_items", "entries", help='如 [{"name": "工本费", "amount": "10元"}]'),
        _element(_V, "fee_basis", "text"),
        _element(_V, "cross_region_scope", "line"),
        _element(_V, "result_name", "line"),
        _element(_V, "result_sample", "line"),
        _element(_V, "consultation_phone", "line"),
        _element(_V, "complaint_phone", "line"),
        _element(_V, "address", "line"),
        _element(_V, "office_hours", "line"),
        _element(_V, "faq", "entries", help='如 [{"q": "问题", "a": "解答"}]'),
        _element(_V, "form_schema", "document", document=FormSchema, compared=False),
        _element(_V, "process", "document", document=ProcessDefinition, compared=False),
        _element(_V, "remarks", "text", compared=False, public=False),
    ),
)

MATERIAL = DocumentSpec(
    key="material",
    label="申请材料",
    model=Material,
    elements=(
        _element(_M, "key", "line", compared=False),
        _element(_M, "name", "line"),
        _element(_M, "necessity", "choice"),
        _element(_M, "condition", "line"),
        _element(_M, "condition_field", "line"),
        _element(_M, "form", "choice"),
        _element(_M, "paper_copies", "int", minimum=0, maximum=99),
        _element(_M, "source", "choice"),
        _element(_M, "source_reference", "line"),
        _element(_M, "blank_form", "line"),
        _element(_M, "sample", "line"),
        _element(_M, "acceptance_standard", "text"),
        _element(_M, "legal_basis", "text"),
    ),
)
# What a material row gets when the drafter does not say.
MATERIAL_DEFAULTS = {"necessity": "required", "form": "electronic", "source": "applicant"}
