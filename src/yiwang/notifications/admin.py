from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by services and sent by the outbox worker."""

    list_display = ["created_at", "recipient", "channel", "subject", "status", "attempts", "next_attempt_at", "receipt"]
    list_filter = ["channel", "status"]
    search_fields = ["reference", "subject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
