"""我的消息 (the applicant's message centre) and 通知设置 (channel choice).

Thin: the inbox through notifications.selectors, the links to cases only for cases the
applicant may open (cases.selectors), every write through one notifications service. All
writes are plain POST forms (CSRF), so the pages work without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.cases import selectors as cases
from yiwang.core.identifiers import mask_phone
from yiwang.notifications import selectors, services
from yiwang.notifications.channels import mask_email
from yiwang.notifications.forms import ChannelPreferencesForm
from yiwang.portal.apply import applicant_of


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    user = applicant_of(request)
    page, rows = selectors.inbox_page(user, request.GET.get("page"))
    linked = cases.case_numbers_visible_to(user, [row.case_number for row in rows])
    context = {
        "page": page,
        "items": [
            {
                "row": row,
                "case_url": reverse("portal:my_case", args=[row.case_number]) if row.case_number in linked else "",
                "open_url": reverse("portal:message_open", args=[row.id]),
            }
            for row in rows
        ],
        "read_all_url": reverse("portal:messages_read_all"),
        "settings_url": reverse("portal:notification_settings"),
    }
    return render(request, "portal/messages.html", context)


@login_required
@require_POST
def message_open(request: HttpRequest, message_id: int) -> HttpResponse:
    """Mark the message read, then go to its case (if the applicant may see it) or back."""
    user = applicant_of(request)
    services.message_mark_read(actor=user, message_id=message_id)
    number = selectors.case_number_of(user, message_id)
    if number and cases.case_numbers_visible_to(user, [number]):
        return redirect("portal:my_case", number)
    return redirect(f"{reverse('portal:messages')}#message-{message_id}")


@login_required
@require_POST
def messages_read_all(request: HttpRequest) -> HttpResponse:
    count = services.messages_mark_all_read(actor=applicant_of(request))
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("portal:messages")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = applicant_of(request)
    form = ChannelPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"email": user.notify_by_email, "sms": user.notify_by_sms},
    )
    if request.method == "POST" and form.is_valid():
        services.channel_preferences_set(actor=user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"])
        messages.success(request, "通知设置已保存。")
        return redirect("portal:notification_settings")
    context = {
        "form": form,
        "email": mask_email(user.email) if user.email else "",
        "phone": mask_phone(user.phone) if user.phone else "",
        "messages_url": reverse("portal:messages"),
    }
    return render(request, "portal/messages_settings.html", context)
