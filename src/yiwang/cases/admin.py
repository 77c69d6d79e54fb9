"""Read-only admin: every change of a case goes through cases.services (architecture rule 1;
an admin screen that edits a status field would bypass the workflow, the clock and the ledger)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.cases.models import (
    AssistedLookup,
    Case,
    CaseAccessLog,
    CaseEvent,
    CaseMaterial,
    ClockEvent,
    Stage,
    SupplementRequest,
    Task,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ("at", "verb", "summary", "actor", "from_status", "to_status")
    readonly_fields = ("at", "verb", "summary", "actor", "from_status", "to_status")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "department", "region", "submitted_at", "due_date"]
    list_filter = ["status", "department"]
    search_fields = ["number"]
    inlines = [CaseEventInline]
    exclude = ["form_data"]  # personal data: read it through the workbench, which logs the read


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "name", "kind", "department", "role", "status", "assignee", "due_date"]
    list_filter = ["kind", "status", "department"]


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    list_display = ["case", "position", "name", "join", "status"]


@admin.register(ClockEvent)
class ClockEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "task", "kind", "on", "days", "cause"]


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "reason", "target"]


@admin.register(AssistedLookup)
class AssistedLookupAdmin(ReadOnlyAdmin):
    list_display = ["at", "helper", "helper_department", "found", "ledger_entry_id"]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "before_acceptance", "requested_at", "answered_at"]


@admin.register(CaseMaterial)
class CaseMaterialAdmin(ReadOnlyAdmin):
    list_display = ["case", "material_name", "content_type", "size", "uploaded_at", "superseded_at"]
    exclude = ["storage_name"]
