"""A readable difference between two versions, element by element, in Chinese.

What a reviewer reads before publishing and what the publication event records: "承诺办结时限
（工作日）：10 → 5", "申请材料 新增：营业执照", "办理流程 环节“审查”：时限 5 → 3". Values are shown
with their labels (行政许可, not license); documents (form, process) are compared by their
named parts so a moved comma in the JSON is not a change.
"""

from dataclasses import asdict, dataclass
from typing import Any

from yiwang.catalog.bundledoc import BUNDLE_VERSION
from yiwang.catalog.docerrors import KEY_LABELS
from yiwang.catalog.elements import IMPLEMENTATION_VERSION, ITEM_VERSION, MATERIAL, DocumentSpec
from yiwang.catalog.models import BundleVersion, ImplementationVersion, ItemVersion, Material

_CHOICES: dict[str, dict[str, str]] = {
    **{
        e.name: {str(v): label for v, label in e.choices}
        for spec in (ITEM_VERSION, IMPLEMENTATION_VERSION, MATERIAL)
        for e in spec
        if e.choices
    },
    "case_kind": {"instant": "即办件", "committed": "承诺件"},
    "role": {"reviewer": "审查", "approver": "审批决定", "expert": "评审专家"},
    "join": {"all": "全部通过", "any": "任一通过", "quorum": "达到法定人数"},
}


@dataclass(frozen=True)
class Change:
    element: str
    kind: str  # "changed" | "added" | "removed"
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        if self.kind == "added":
            return f"{self.element} 新增：{self.new}"
        if self.kind == "removed":
            return f"{self.element} 删除：{self.old}"
        return f"{self.element}：{self.old or '（空）'} → {self.new or '（空）'}"


def show(field: str, value: Any) -> str:
    """A value as a person reads it."""
    labels = _CHOICES.get(field, {})
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    if isinstance(value, list):
        return "；".join(_show_entry(v) for v in value)
    if value is None:
        return ""
    return labels.get(str(value), str(value))


def _show_entry(entry: Any) -> str:
    if isinstance(entry, dict):
        if "q" in entry:
            return f"问：{entry.get('q')} 答：{entry.get('a')}"
        return "，".join(f"{v}" for v in entry.values() if v not in ("", None))
    return str(entry)


def _compare(spec: DocumentSpec, old: Any, new: Any, prefix: str = "") -> list[Change]:
    """The compared elements of `spec` whose values differ, with their labels and shown values."""
    changes = []
    for element in spec:
        before, after = getattr(old, element.name), getattr(new, element.name)
        if element.compared and before != after:
            changes.append(
                Change(prefix + element.label, "changed", show(element.name, before), show(element.name, after))
            )
    return changes


def item_version_diff(old: ItemVersion | None, new: ItemVersion) -> list[Change]:
    if old is None:
        return [Change("事项", "added", "", f"{new.name}（{new.get_item_type_display()}）")]
    return _compare(ITEM_VERSION, old, new)


def implementation_version_diff(
    old: ImplementationVersion | None,
    new: ImplementationVersion,
    old_materials: list[Material] | None = None,
    new_materials: list[Material] | None = None,
) -> list[Change]:
    if old is None:
        return [Change("实施清单", "added", "", f"{new.implementation.department} · {new.result_name}")]
    changes = _compare(IMPLEMENTATION_VERSION, old, new)
    if old.item_version_id != new.item_version_id:
        changes.append(
            Change("继承的基本要素版本", "changed", f"v{old.item_version.number}", f"v{new.item_version.number}")
        )
    changes += _materials_diff(old_materials or [], new_materials or [])
    changes += _form_diff(old.form_schema, new.form_schema)
    changes += _process_diff(old.process, new.process)
    return changes


def _materials_diff(old: list[Material], new: list[Material]) -> list[Change]:
    before, after = {m.key: m for m in old}, {m.key: m for m in new}
    changes = []
    for key, m in after.items():
        if key not in before:
            changes.append(Change("申请材料", "added", "", f"{m.name}（{m.get_necessity_display()}）"))
        else:
            changes += _compare(MATERIAL, before[key], m, prefix=f"申请材料“{m.name}”的")
    changes += [Change("申请材料", "removed", m.name, "") for key, m in before.items() if key not in after]
    if [k for k in before if k in after] != [k for k in after if k in before]:
        changes.append(Change("申请材料顺序", "changed", "、".join(before), "、".join(after)))
    return changes


def _named(doc: Any, collection: str, key: str) -> dict[str, dict[str, Any]]:
    entries = doc.get(collection, []) if isinstance(doc, dict) else []
    return {str(e.get(key)): e for e in entries if isinstance(e, dict)}


def _parts_diff(element: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> list[Change]:
    changes = []
    for key, entry in new.items():
        title = entry.get("label") or entry.get("name") or key
        if key not in old:
            changes.append(Change(element, "added", "", str(title)))
            continue
        for attr in sorted(set(old[key]) | set(entry)):
            before, after = old[key].get(attr), entry.get(attr)
            if before == after:
                continue
            if attr == "tasks":
                changes += _parts_diff(
                    f"{element}“{title}”的任务", _named(old[key], attr, "key"), _named(entry, attr, "key")
                )
            else:
                changes.append(
                    Change(
                        f"{element}“{title}”的{KEY_LABELS.get(attr, attr)}",
                        "changed",
                        _doc_value(before, attr),
                        _doc_value(after, attr),
                    )
                )
    for key, entry in old.items():
        if key not in new:
            changes.append(Change(element, "removed", str(entry.get("label") or entry.get("name") or key), ""))
    return changes


def _doc_value(value: Any, attr: str = "") -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "；".join(str(v.get("name") or v.get("label") or v.get("value") or v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{KEY_LABELS.get(k, k)} {_doc_value(v)}" for k, v in value.items())
    return show(attr, value)


def _form_diff(old: Any, new: Any) -> list[Change]:
    return _parts_diff("申请表字段", _named(old, "fields", "name"), _named(new, "fields", "name"))


def _process_diff(old: Any, new: Any) -> list[Change]:
    changes = _parts_diff("办理流程环节", _named(old, "stages", "key"), _named(new, "stages", "key"))
    old_doc, new_doc = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
    for attr, label in (
        ("case_kind", "办件类型"),
        ("commitment_allowed", "告知承诺"),
        ("commitment_text", "承诺书文本"),
        ("auto_approval", "秒批规则"),
    ):
        if old_doc.get(attr) != new_doc.get(attr):
            before, after = _doc_value(old_doc.get(attr), attr), _doc_value(new_doc.get(attr), attr)
            changes.append(Change(label, "changed", before, after))
    return changes


def bundle_version_diff(old: BundleVersion | None, new: BundleVersion) -> list[Change]:
    """A bundle version against the one before it: its elements, members, merged form and materials."""
    if old is None:
        return [Change("一件事", "added", "", new.name)]
    changes = _compare(BUNDLE_VERSION, old, new)
    for label, element, collection, key in (
        ("包含事项", "members", "members", "key"),
        ("合并申请表字段", "form", "fields", "name"),
        ("合并材料", "materials", "materials", "key"),
    ):
        before, after = getattr(old, element), getattr(new, element)
        changes += _parts_diff(label, _named(before, collection, key), _named(after, collection, key))
    return changes
