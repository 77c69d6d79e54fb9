"""A bundle (一件事) as a versioned document: its elements, its three documents, their checks.

A bundle version names its member implementations by code (identities, not versions: each
part case pins the implementation version in force when the bundle is submitted), and says

- `members`: which implementations, optional under which merged-form condition, which must
  be approved before another is submitted (`after`), and how the merged form's fields map to
  each member's form fields (`fields`: merged name → member name);
- `form`: the merged form, a `FormSchema` (each shared field asked once);
- `materials`: the deduplicated materials, each serving one or more members' material keys
  (one upload reaches every part that needs it).

`bundle_problems` is pure: given the documents and what the catalog says of each member's
version in force (`MemberFacts`), it names every problem by its path, in Chinese.
`included_members` and `member_form_data` are what the cases use at submission.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from yiwang.catalog.choices import ServiceObject
from yiwang.catalog.elements import TEXT, DocumentSpec, Element, _choices
from yiwang.catalog.formschema import FieldSpec, FormSchema

_KEY = r"^[a-z][a-z0-9_]{0,39}$"
MAX_MEMBERS = 12


class BundleMember(BaseModel):
    """One member implementation of a bundle."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_KEY)
    implementation: str = Field(min_length=1, max_length=60)
    label: str = Field(min_length=1, max_length=60)
    optional: bool = False
    # An optional member is included when this merged-form field holds one of `when` (a
    # boolean field: [true]; a choice: its values). A required member has no condition.
    condition_field: str = ""
    when: list[str | bool] = []
    after: list[str] = []  # member keys whose part must be approved before this one is submitted
    fields: dict[str, str] = {}  # merged-form field name -> this member's form field name
    fixed: dict[str, str | bool | int] = {}  # member form values the bundle sets (e.g. a venue type)


class BundleMembers(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    members: list[BundleMember] = Field(default=[], max_length=MAX_MEMBERS)

    def member(self, key: str) -> BundleMember | None:
        return next((m for m in self.members if m.key == key), None)


class BundleMaterial(BaseModel):
    """One deduplicated material: uploaded once, serving `serves` (member key -> material key)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=_KEY)
    name: str = Field(min_length=1, max_length=200)
    serves: dict[str, str]


class BundleMaterials(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    materials: list[BundleMaterial] = []

    def material(self, key: str) -> BundleMaterial | None:
        return next((m for m in self.materials if m.key == key), None)


DELIVERY_MODES = (("together", "统一送达（全部办结后一并送达）"), ("as_ready", "分别送达（各部分办结即送达）"))

BUNDLE_VERSION = DocumentSpec(
    key="bundle",
    label="一件事要素",
    elements=(
        Element("name", "line", "一件事名称", required=True, max_length=200),
        Element("description", "text", "一件事说明", required=True, max_length=TEXT),
        Element(
            "service_objects",
            "choices",
            "服务对象",
            required=True,
            choices=_choices(ServiceObject.choices),
            column_help="person / enterprise / …",
        ),
        Element("delivery", "choice", "结果送达", required=True, max_length=12, choices=DELIVERY_MODES),
        Element("members", "document", "包含事项", document=BundleMembers, compared=False),
        Element("form", "document", "合并申请表", document=FormSchema, compared=False),
        Element("materials", "document", "合并材料清单", document=BundleMaterials, compared=False),
        Element("remarks", "text", "备注", max_length=TEXT, compared=False, public=False),
    ),
)


@dataclass(frozen=True)
class MemberFacts:
    """What the catalog says of one member implementation's version in force (None: no version)."""

    name: str
    form: FormSchema
    material_keys: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class ParsedBundle:
    members: BundleMembers
    form: FormSchema
    materials: BundleMaterials


def parse(
    members: Mapping[str, Any], form: Mapping[str, Any], materials: Mapping[str, Any]
) -> tuple[ParsedBundle | None, dict[str, list[str]]]:
    """The three documents, validated; or the problems of their shapes by element name."""
    problems: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for name, model, value in (
        ("members", BundleMembers, members),
        ("form", FormSchema, form),
        ("materials", BundleMaterials, materials),
    ):
        try:
            parsed[name] = model.model_validate(value or {})
        except ValidationError as exc:
            label = BUNDLE_VERSION[name].label
            problems[name] = [f"{label}：{_message(e)}" for e in exc.errors()]
    if problems:
        return None, problems
    return ParsedBundle(**parsed), {}


def _message(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()))
    text = str(error.get("msg", "")).removeprefix("Value error, ")
    return f"{where} {text}".strip()


# Which merged-form field types may feed which member field types (same type, or text into text-like).
_COMPATIBLE: dict[str, frozenset[str]] = {
    "textarea": frozenset({"text", "textarea"}),
    "text": frozenset({"text", "textarea"}),
}


def _compatible(merged: FieldSpec, target: FieldSpec) -> bool:
    if merged.type == target.type:
        if merged.type in ("choice", "multichoice"):
            return {o.value for o in merged.options} <= {o.value for o in target.options}
        return True
    return target.type in _COMPATIBLE.get(merged.type, frozenset()) or (
        target.type in ("text", "textarea") and merged.type not in ("boolean", "multichoice")
    )


def bundle_problems(bundle: ParsedBundle, facts: Mapping[str, MemberFacts | None]) -> dict[str, list[str]]:
    """Every publication problem of a bundle version, by path (`members.<key>.…`).

    `facts` maps each member's implementation code to its version in force (None: none).
    """
    problems: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        problems.setdefault(path, []).append(message)

    members = bundle.members.members
    if len(members) < 2:
        add("members", "包含事项：一件事至少包含两个事项")
    keys = [m.key for m in members]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        add(f"members.{key}", f"包含事项：标识 {key} 重复")
    codes = [m.implementation for m in members]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        add("members", f"包含事项：实施清单 {code} 出现了两次")
    merged = {f.name: f for f in bundle.form.fields}
    for member in members:
        path = f"members.{member.key}"
        fact = facts.get(member.implementation)
        if fact is None:
            add(f"{path}.implementation", f"“{member.label}”：实施清单 {member.implementation} 没有生效的版本")
        if member.optional:
            _condition_problems(member, merged, lambda m, where=f"{path}.condition_field": add(where, m))
        elif member.condition_field:
            add(f"{path}.condition_field", f"“{member.label}”：必办事项不设办理条件（条件只用于可选事项）")
        for other in member.after:
            if other == member.key or other not in keys:
                add(f"{path}.after", f"“{member.label}”：前置事项 {other} 不是本一件事的其他事项")
        if fact is not None:
            _mapping_problems(member, merged, fact, lambda m, where=f"{path}.fields": add(where, m))
    cycle = _cycle(bundle.members)
    if cycle:
        add("members", f"包含事项：办理顺序成环（{' → '.join(cycle)}）")
    _material_problems(bundle, facts, add)
    return problems


def _condition_problems(member: BundleMember, merged: Mapping[str, FieldSpec], add: Any) -> None:
    if not member.condition_field:
        add(f"“{member.label}”：可选事项须指定合并申请表中的条件字段")
        return
    spec = merged.get(member.condition_field)
    if spec is None:
        add(f"“{member.label}”：条件字段 {member.condition_field} 不在合并申请表中")
        return
    if spec.type == "boolean":
        if member.when and member.when != [True]:
            add(f"“{member.label}”：是否题的条件只能是“是”")
    elif spec.type in ("choice", "multichoice"):
        allowed = {o.value for o in spec.options}
        if not member.when or any(str(v) not in allowed for v in member.when):
            add(f"“{member.label}”：条件取值须为字段“{spec.label}”的选项")
    else:
        add(f"“{member.label}”：条件字段“{spec.label}”须为是否题或选择题")


def _mapping_problems(member: BundleMember, merged: Mapping[str, FieldSpec], fact: MemberFacts, add: Any) -> None:
    targets = {f.name: f for f in fact.form.fields}
    for source, target in member.fields.items():
        spec = merged.get(source)
        if spec is None:
            add(f"“{member.label}”：合并申请表没有字段 {source}")
            continue
        wanted = targets.get(target)
        if wanted is None:
            add(f"“{member.label}”：{fact.name}的申请表没有字段 {target}")
        elif not _compatible(spec, wanted):
            add(
                f"“{member.label}”：字段“{spec.label}”（{spec.type}）不能填入{fact.name}的“{wanted.label}”（{wanted.type}）"
            )
    for name in member.fixed:
        if name not in targets:
            add(f"“{member.label}”：{fact.name}的申请表没有字段 {name}")
    mapped = set(member.fields.values()) | set(member.fixed)
    for needed in fact.form.fields:
        if needed.required and needed.condition is None and needed.name not in mapped:
            add(f"“{member.label}”：{fact.name}的必填字段“{needed.label}”没有对应的合并申请表字段")


def _material_problems(bundle: ParsedBundle, facts: Mapping[str, MemberFacts | None], add: Any) -> None:
    keys = [m.key for m in bundle.materials.materials]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        add(f"materials.{key}", f"合并材料清单：标识 {key} 重复")
    served: dict[tuple[str, str], str] = {}
    for material in bundle.materials.materials:
        path = f"materials.{material.key}"
        if not material.serves:
            add(path, f"材料“{material.name}”：未对应任何事项的材料")
        for member_key, material_key in material.serves.items():
            member = bundle.members.member(member_key)
            if member is None:
                add(path, f"材料“{material.name}”：{member_key} 不是本一件事的事项")
                continue
            fact = facts.get(member.implementation)
            if fact is not None and material_key not in fact.material_keys:
                add(path, f"材料“{material.name}”：{fact.name}没有标识为 {material_key} 的材料")
            earlier = served.get((member_key, material_key))
            if earlier is not None:
                add(path, f"材料“{material.name}”：“{member.label}”的材料 {material_key} 已由“{earlier}”提供")
            served[(member_key, material_key)] = material.name


def _cycle(members: BundleMembers) -> list[str]:
    """A cycle of `after` (as member keys, first repeated at the end), or [] when there is none."""
    graph = {m.key: [a for a in m.after if members.member(a) is not None] for m in members.members}
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(key: str) -> list[str]:
        state[key] = 1
        path.append(key)
        for nxt in graph.get(key, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[key] = 2
        return []

    for key in graph:
        if state.get(key) is None:
            found = visit(key)
            if found:
                return found
    return []


def member_included(member: BundleMember, form_data: Mapping[str, Any]) -> bool:
    """Whether an (optional) member applies to this application's merged form."""
    if not member.optional:
        return True
    value = form_data.get(member.condition_field)
    wanted = member.when or [True]
    values = value if isinstance(value, list) else [value]
    return any(v in wanted or (isinstance(v, str) and v in map(str, wanted)) for v in values)


def included_members(members: BundleMembers, form_data: Mapping[str, Any]) -> list[BundleMember]:
    return [m for m in members.members if member_included(m, form_data)]


def member_form_data(member: BundleMember, form_data: Mapping[str, Any]) -> dict[str, Any]:
    """The member's own form, filled from the merged form by the member's field map."""
    mapped = {target: form_data[source] for source, target in member.fields.items() if source in form_data}
    return {**member.fixed, **mapped}
