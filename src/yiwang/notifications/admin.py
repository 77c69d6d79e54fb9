from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from yiwang.notifications.models import Message, NotificationEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only (the outbox, the event trail): the admin just lists them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "channel", "subject", "status", "attempts", "next_attempt_at", "receipt"]
    list_filter = ["channel", "status"]
    search_fields = ["reference", "subject"]
    exclude = ["body"]  # a live one-time code (帮办代办) must not be readable here


@admin.register(NotificationEvent)
class NotificationEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "verb", "subject", "actor"]
    list_filter = ["verb"]
