"""Importing a catalog document (transfer.py) into an empty catalog, in one transaction."""

import hashlib
from typing import Any

from django.db import transaction

from yiwang.accounts.models import Department, Region, User
from yiwang.catalog.models import Implementation, ImplementationVersion, ItemVersion, Material, ServiceItem
from yiwang.catalog.search import search_rebuild
from yiwang.catalog.services.common import record
from yiwang.catalog.transfer import TABLES, columns, document_json, parse_datetime
from yiwang.core.errors import Conflict, PermissionDenied, ValidationFailed
from yiwang.ledger.events import CatalogVerb


def _own(table_key: str, row: dict[str, Any]) -> dict[str, Any]:
    table = next(t for t in TABLES if t.key == table_key)
    values = {}
    for column in columns(table):
        if column in table.references or column.key in ("drafted_by", "reviewed_by"):
            continue
        value = row.get(column.key)
        values[column.key] = parse_datetime(value) if column.kind == "datetime" else value
    return values


def _lookups(document: dict[str, Any]) -> tuple[dict[str, User], dict[str, Region], dict[str, Department]]:
    versions = [*document.get("item_versions", []), *document.get("implementation_versions", [])]
    usernames = {v[k] for v in versions for k in ("drafted_by", "reviewed_by") if v.get(k)}
    implementations = document.get("implementations", [])
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    regions = {r.code: r for r in Region.objects.filter(code__in={i["region"] for i in implementations})}
    departments = {
        d.credit_code: d for d in Department.objects.filter(credit_code__in={i["department"] for i in implementations})
    }
    errors: dict[str, list[str]] = {}
    if missing := sorted(usernames - set(users)):
        errors["users"] = [f"起草人/审核人账号不存在：{'、'.join(missing)}"]
    if missing := sorted({i["region"] for i in implementations} - set(regions)):
        errors["regions"] = [f"实施区划不存在：{'、'.join(missing)}"]
    if missing := sorted({i["department"] for i in implementations} - set(departments)):
        errors["departments"] = [f"实施主体（信用代码）不存在：{'、'.join(missing)}"]
    if errors:
        raise ValidationFailed(errors)
    return users, regions, departments


def catalog_import(*, actor: User | None, document: dict[str, Any]) -> dict[str, int]:
    """Load `document` into an empty catalog; rebuild the guide. Writes a CatalogEvent and a ledger entry.

    `actor` None is the system (the management command); otherwise a platform administrator.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied("只有平台管理员可以导入事项库。")
    digest = hashlib.sha256(document_json(document)).hexdigest()
    with transaction.atomic(durable=True):
        if ServiceItem.objects.exists():
            raise Conflict("事项库不为空：导入只能在空的事项库中进行（避免覆盖已发布的版本）。")
        users, regions, departments = _lookups(document)
        items: dict[str, ServiceItem] = {}
        for row in document.get("items", []):
            own = _own("items", row)
            item = ServiceItem.objects.create(**own)
            ServiceItem.objects.filter(pk=item.pk).update(created_at=own["created_at"])  # auto_now_add on create
            items[item.basic_code] = item
        for row in document.get("items", []):
            if row.get("parent"):
                ServiceItem.objects.filter(pk=items[row["basic_code"]].pk).update(parent=items[row["parent"]])
        item_versions: dict[tuple[str, int], ItemVersion] = {}
        for row in document.get("item_versions", []):
            item_version = ItemVersion.objects.create(
                item=items[row["basic_code"]],
                drafted_by=users[row["drafted_by"]],
                reviewed_by=users.get(row.get("reviewed_by") or ""),
                **_own("item_versions", row),
            )
            item_versions[(row["basic_code"], item_version.number)] = item_version
        implementations: dict[str, Implementation] = {}
        for row in document.get("implementations", []):
            implementations[row["code"]] = Implementation.objects.create(
                item=items[row["basic_code"]],
                region=regions[row["region"]],
                department=departments[row["department"]],
                **_own("implementations", row),
            )
        impl_versions: dict[tuple[str, int], ImplementationVersion] = {}
        for row in document.get("implementation_versions", []):
            implementation = implementations[row["implementation"]]
            version = ImplementationVersion.objects.create(
                implementation=implementation,
                item_version=item_versions[(implementation.item.basic_code, row["item_version"])],
                drafted_by=users[row["drafted_by"]],
                reviewed_by=users.get(row.get("reviewed_by") or ""),
                **_own("implementation_versions", row),
            )
            impl_versions[(row["implementation"], version.number)] = version
        Material.objects.bulk_create(
            Material(version=impl_versions[(row["implementation"], row["version"])], **_own("materials", row))
            for row in document.get("materials", [])
        )
        counts = {t.key: len(document.get(t.key, [])) for t in TABLES}
        counts["search_documents"] = search_rebuild()
        record(verb=CatalogVerb.CATALOG_IMPORTED, actor=actor, subject="catalog", payload={**counts, "sha256": digest})
    return counts
