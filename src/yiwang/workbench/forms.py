"""The shapes of the workbench case page's forms: what was typed and the messages for each
field, so a refused action comes back with its values and its errors in place.

No rules here: the services check everything (and say what is wrong in Chinese); this only
carries values and messages between the POST and the template, and reads the rows of the
补正 list form.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from yiwang.cases.selectors import MaterialNeed
from yiwang.catalog.models import Material

SUPPLEMENT_ROWS = 10  # rows of the 一次性告知 list form (apply.js folds the empty ones)

# Why a staff member opens a case (logged with every read); "其他" asks for the words.
VIEW_REASONS = [
    "受理审查申请材料",
    "办理审查任务",
    "作出审批决定",
    "送达审批结果",
    "答复申请人咨询",
    "监督检查",
]
OTHER_REASON = "其他"


@dataclass(frozen=True)
class FieldState:
    id: str
    value: str
    errors: list[str]

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"


@dataclass
class ActionForm:
    """One action form of the case page (accept, refuse, decide…): values and errors by field."""

    action: str
    data: Mapping[str, str] = field(default_factory=dict)
    errors: Mapping[str, list[str]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FieldState:
        return FieldState(f"{self.action}-{name}", str(self.data.get(name, "")), list(self.errors.get(name, [])))

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


@dataclass(frozen=True)
class SupplementRow:
    index: int
    material_key: str
    name: str
    note: str
    errors: list[str]

    @property
    def id(self) -> str:
        return f"items-{self.index}"


def supplement_items(post: QueryDict) -> tuple[list[dict[str, Any]], list[int]]:
    """The filled rows of the 补正 list as the service takes them, and each one's row number
    on the page (the service reports errors by position in the list it was given)."""
    items: list[dict[str, Any]] = []
    positions: list[int] = []
    for index in range(SUPPLEMENT_ROWS):
        key = post.get(f"items-{index}-material_key", "").strip()
        name = post.get(f"items-{index}-name", "").strip()
        note = post.get(f"items-{index}-note", "").strip()
        if not (key or name or note):
            continue
        items.append({"material_key": key or None, "name": name, "note": note})
        positions.append(index)
    return items, positions


def supplement_rows(
    post: QueryDict | None, errors: Mapping[str, list[str]], positions: list[int]
) -> list[SupplementRow]:
    """Every row of the form, with what was typed and the errors of the service mapped back."""
    by_row: dict[int, list[str]] = {}
    for key, messages in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit() and int(parts[1]) < len(positions):
            by_row.setdefault(positions[int(parts[1])], []).extend(messages)
    post = post or QueryDict()
    return [
        SupplementRow(
            index,
            post.get(f"items-{index}-material_key", ""),
            post.get(f"items-{index}-name", ""),
            post.get(f"items-{index}-note", ""),
            by_row.get(index, []),
        )
        for index in range(SUPPLEMENT_ROWS)
    ]


def askable(needs: list[MaterialNeed]) -> list[Material]:
    """Materials a 补正 may ask for: never those the department obtains itself (data sharing,
    a fetched e-license) — unless the platform could not fetch it and the applicant uploaded it."""
    return [n.material for n in needs if n.material.asked_of_applicant or (n.supply and not n.supply.supplied)]


def view_reason(get: QueryDict) -> str:
    chosen = get.get("reason", "").strip()
    if chosen == OTHER_REASON:
        return get.get("reason_other", "").strip()
    return chosen
