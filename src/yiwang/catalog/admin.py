"""The catalog in the back office: read-only.

Every change goes through the catalog services (drafts, four-eyes review, publication with
its event and ledger entry) on the workbench pages (/workbench/catalog/) or the API; an
admin form that saved a published version directly would break the promise that published
versions never change and that cases see the version they pinned.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.catalog.models import (
    CatalogEvent,
    Implementation,
    ImplementationVersion,
    ItemVersion,
    Material,
    SearchDocument,
    ServiceItem,
)


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaterialInline(ReadOnly, admin.TabularInline):  # type: ignore[misc]
    model = Material
    fields = ["sort_order", "key", "name", "necessity", "condition", "form", "paper_copies", "source"]
    extra = 0


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["basic_code", "parent", "variant", "created_at"]
    search_fields = ["basic_code"]


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["item", "number", "name", "status", "valid_from", "valid_until", "drafted_by", "reviewed_by"]
    list_filter = ["status", "item_type"]
    search_fields = ["name", "item__basic_code", "keywords"]


@admin.register(Implementation)
class ImplementationAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["code", "item", "region", "department"]
    search_fields = ["code", "item__basic_code"]


@admin.register(ImplementationVersion)
class ImplementationVersionAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["implementation", "number", "status", "valid_from", "valid_until", "committed_limit_days"]
    list_filter = ["status"]
    search_fields = ["implementation__code", "item_version__name"]
    inlines = [MaterialInline]


@admin.register(CatalogEvent)
class CatalogEventAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["at", "verb", "label", "subject", "actor", "ledger_entry_id"]
    list_filter = ["verb"]
    search_fields = ["subject"]


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["name", "region_name", "department_name", "basic_code"]
    search_fields = ["name", "basic_code"]
