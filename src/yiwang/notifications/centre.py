"""The message centre's pages, shared by the portal (applicants) and the workbench (staff).

The two interfaces may not import each other, and their message centres differ only in who
may enter, where a case link leads and which templates frame the page; each builds one
`MessageCentre` with those and routes its URLs to the bound views. The views stay thin:
reads through notifications.selectors, one notifications service per write, and a case
link only for a case the reader may open (`visible`, the interface's case selector).
All writes are plain POST forms (CSRF), so the pages work without JavaScript.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.identifiers import mask_phone
from yiwang.notifications import selectors, services
from yiwang.notifications.channels import mask_email
from yiwang.notifications.forms import ChannelPreferencesForm


@dataclass(frozen=True)
class MessageCentre:
    namespace: (
        str  # URL namespace: <ns>:messages, <ns>:message_open, <ns>:messages_read_all, <ns>:notification_settings
    )
    user_of: Callable[[HttpRequest], User]  # who may enter (raises PermissionDenied otherwise)
    case_url_name: str  # the reader's case page, reversed with the case number
    visible: Callable[[User, Iterable[str]], set[str]]  # which case numbers the reader may open
    list_template: str
    settings_template: str
    # The reader's e-license page (reversed with the identifier) and which identifiers the
    # reader holds; a centre without them links no license (the workbench).
    license_url_name: str = ""
    license_visible: Callable[[User, Iterable[str]], set[str]] | None = None

    def urlpatterns(self, messages_prefix: str, settings_path: str) -> list[URLPattern]:
        """The centre's routes (login required; writes POST only) under the interface's prefixes."""
        return [
            path(messages_prefix, login_required(self.message_list), name="messages"),
            path(
                f"{messages_prefix}<id:message_id>/open/",
                login_required(require_POST(self.message_open)),
                name="message_open",
            ),
            path(
                f"{messages_prefix}read-all/",
                login_required(require_POST(self.messages_read_all)),
                name="messages_read_all",
            ),
            path(settings_path, login_required(self.notification_settings), name="notification_settings"),
        ]

    def _url(self, name: str, *args: Any) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    def message_list(self, request: HttpRequest) -> HttpResponse:
        user = self.user_of(request)
        page, rows = selectors.inbox_page(user, request.GET.get("page"))
        linked = self.visible(user, [row.case_number for row in rows])
        held = self._licenses_held(user, [row.license_identifier for row in rows])
        items = [
            {
                "row": row,
                "case_url": reverse(self.case_url_name, args=[row.case_number]) if row.case_number in linked else "",
                "license_url": reverse(self.license_url_name, args=[row.license_identifier])
                if row.license_identifier in held
                else "",
                "open_url": self._url("message_open", row.id),
            }
            for row in rows
        ]
        context = {
            "page": page,
            "items": items,
            "read_all_url": self._url("messages_read_all"),
            "settings_url": self._url("notification_settings"),
        }
        return render(request, self.list_template, context)

    def message_open(self, request: HttpRequest, message_id: int) -> HttpResponse:
        """Mark the message read, then go to its case (if the reader may open it) or back."""
        user = self.user_of(request)
        services.message_mark_read(actor=user, message_id=message_id)
        number = selectors.case_number_of(user, message_id)
        if number and self.visible(user, [number]):
            return redirect(self.case_url_name, number)
        identifier = selectors.license_identifier_of(user, message_id)
        if identifier and self._licenses_held(user, [identifier]):
            return redirect(self.license_url_name, identifier)
        return redirect(f"{self._url('messages')}#message-{message_id}")

    def _licenses_held(self, user: User, identifiers: Iterable[str]) -> set[str]:
        wanted = [i for i in identifiers if i]
        if not wanted or self.license_visible is None or not self.license_url_name:
            return set()
        return self.license_visible(user, wanted)

    def messages_read_all(self, request: HttpRequest) -> HttpResponse:
        count = services.messages_mark_all_read(actor=self.user_of(request))
        messages.success(request, f"已将 {count} 条消息标为已读。")
        return redirect(self._url("messages"))

    def notification_settings(self, request: HttpRequest) -> HttpResponse:
        user = self.user_of(request)
        initial = {"email": user.notify_by_email, "sms": user.notify_by_sms}
        form = ChannelPreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.channel_preferences_set(actor=user, email=data["email"], sms=data["sms"])
            messages.success(request, "通知设置已保存。")
            return redirect(self._url("notification_settings"))
        context = {
            "form": form,
            "email": mask_email(user.email) if user.email else "",
            "phone": mask_phone(user.phone) if user.phone else "",
            "action": self._url("notification_settings"),
            "messages_url": self._url("messages"),
        }
        return render(request, self.settings_template, context)
