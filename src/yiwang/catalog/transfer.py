"""Catalog import/export: one lossless document, written as JSON or as an Excel workbook.

The document has five tables (事项, 事项版本, 实施清单, 实施清单版本, 申请材料) whose rows hold
every element of every version. Rows refer to each other and to the rest of the platform by
natural keys (basic code, implementation code, version number, region code, department
credit code, username), never by database ids, so a document moves between databases and a
round trip (export → import into an empty catalog → export) gives the same bytes.
Importing is a service (services/transfer.py): one transaction, an event, a ledger entry.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import models

from yiwang.catalog.models import Implementation, ImplementationVersion, ItemVersion, Material, ServiceItem

FORMAT = "yiwang-catalog"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "value"  # value | datetime | json
    blank_text: bool = False  # a NOT NULL text column: an empty cell means ""


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    model: type[models.Model]
    references: tuple[Column, ...]  # natural keys of the rows this one points at


def _own_columns(model: type[models.Model], skip: set[str]) -> tuple[Column, ...]:
    columns = []
    for field in model._meta.concrete_fields:
        if field.name in skip or field.is_relation or field.primary_key:
            continue
        kind = "value"
        if isinstance(field, models.DateTimeField):
            kind = "datetime"
        elif isinstance(field, models.JSONField):
            kind = "json"
        text = isinstance(field, models.CharField | models.TextField) and not field.null
        columns.append(Column(field.name, str(field.verbose_name), kind, blank_text=text))
    return tuple(columns)


TABLES = (
    Table("items", "事项", ServiceItem, (Column("parent", "上级事项基本编码"),)),
    Table("item_versions", "事项版本", ItemVersion, (Column("basic_code", "事项基本编码"),)),
    Table(
        "implementations",
        "实施清单",
        Implementation,
        (
            Column("basic_code", "事项基本编码"),
            Column("region", "实施区划代码"),
            Column("department", "实施主体信用代码"),
        ),
    ),
    Table(
        "implementation_versions",
        "实施清单版本",
        ImplementationVersion,
        (Column("implementation", "实施编码"), Column("item_version", "继承的事项版本号")),
    ),
    Table(
        "materials",
        "申请材料",
        Material,
        (Column("implementation", "实施编码"), Column("version", "实施清单版本号")),
    ),
)
_PEOPLE = (Column("drafted_by", "起草人账号"), Column("reviewed_by", "审核人账号"))


def columns(table: Table) -> tuple[Column, ...]:
    """Every column of a table, in a fixed order: references, own fields, people."""
    people = _PEOPLE if issubclass(table.model, ItemVersion | ImplementationVersion) else ()
    return (*table.references, *_own_columns(table.model, skip=set()), *people)


def _value(column: Column, value: Any) -> Any:
    if column.kind == "datetime" and value is not None:
        return value.astimezone(dt.UTC).isoformat()
    return value


def _rows(table: Table, objects: Any, refs: Any) -> list[dict[str, Any]]:
    own = [c for c in columns(table) if c not in table.references and c not in _PEOPLE]
    rows = []
    for obj in objects:
        row = {c.key: _value(c, getattr(obj, c.key)) for c in own}
        row.update(refs(obj))
        rows.append(row)
    return rows


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


def catalog_document() -> dict[str, Any]:
    """The whole catalog as one document (plain JSON values, deterministic order)."""
    items = ServiceItem.objects.select_related("parent").order_by("basic_code")
    item_versions = ItemVersion.objects.select_related("item", "drafted_by", "reviewed_by").order_by(
        "item__basic_code", "number"
    )
    implementations = Implementation.objects.select_related("item", "region", "department").order_by("code")
    implementation_versions = ImplementationVersion.objects.select_related(
        "implementation", "item_version", "drafted_by", "reviewed_by"
    ).order_by("implementation__code", "number")
    materials = Material.objects.select_related("version__implementation").order_by(
        "version__implementation__code", "version__number", "sort_order", "key"
    )
    people = lambda v: {"drafted_by": _username(v.drafted_by), "reviewed_by": _username(v.reviewed_by)}  # noqa: E731
    tables = dict(zip([t.key for t in TABLES], TABLES, strict=True))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "items": _rows(tables["items"], items, lambda i: {"parent": i.parent.basic_code if i.parent else None}),
        "item_versions": _rows(
            tables["item_versions"], item_versions, lambda v: {"basic_code": v.item.basic_code, **people(v)}
        ),
        "implementations": _rows(
            tables["implementations"],
            implementations,
            lambda i: {
                "basic_code": i.item.basic_code,
                "region": i.region.code,
                "department": i.department.credit_code,
            },
        ),
        "implementation_versions": _rows(
            tables["implementation_versions"],
            implementation_versions,
            lambda v: {"implementation": v.implementation.code, "item_version": v.item_version.number, **people(v)},
        ),
        "materials": _rows(
            tables["materials"],
            materials,
            lambda m: {"implementation": m.version.implementation.code, "version": m.version.number},
        ),
    }


def document_json(document: dict[str, Any]) -> bytes:
    """Canonical JSON text: sorted keys, readable Chinese, one trailing newline."""
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def document_from_json(data: bytes) -> dict[str, Any]:
    document = json.loads(data.decode("utf-8"))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"不是事项库导出文件（format 应为 {FORMAT}）")
    return document


def parse_datetime(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None
