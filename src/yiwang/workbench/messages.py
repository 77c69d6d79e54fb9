"""The workbench's message centre (我的消息, 通知设置) and, for the platform operator only,
消息发送状态: every e-mail and SMS with its status, attempts, last error, next attempt, and
"retry now" for failed ones (recipients masked).

Thin: reads through notifications.selectors (which check the operator policy), links only to
cases the staff member may open (cases.selectors), writes through notifications.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.cases import selectors as cases
from yiwang.core.errors import Conflict
from yiwang.core.identifiers import mask_phone
from yiwang.notifications import selectors, services
from yiwang.notifications.channels import mask_email
from yiwang.notifications.forms import ChannelPreferencesForm
from yiwang.notifications.models import Channel, MessageStatus
from yiwang.workbench.views import staff_or_operator


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    user = staff_or_operator(request)
    page, rows = selectors.inbox_page(user, request.GET.get("page"))
    linked = cases.case_numbers_visible_to(user, [row.case_number for row in rows])
    context = {
        "page": page,
        "items": [
            {
                "row": row,
                "case_url": reverse("workbench:case", args=[row.case_number]) if row.case_number in linked else "",
                "open_url": reverse("workbench:message_open", args=[row.id]),
            }
            for row in rows
        ],
        "read_all_url": reverse("workbench:messages_read_all"),
    }
    return render(request, "workbench/messages.html", context)


@login_required
@require_POST
def message_open(request: HttpRequest, message_id: int) -> HttpResponse:
    user = staff_or_operator(request)
    services.message_mark_read(actor=user, message_id=message_id)
    number = selectors.case_number_of(user, message_id)
    if number and cases.case_numbers_visible_to(user, [number]):
        return redirect("workbench:case", number)
    return redirect(f"{reverse('workbench:messages')}#message-{message_id}")


@login_required
@require_POST
def messages_read_all(request: HttpRequest) -> HttpResponse:
    count = services.messages_mark_all_read(actor=staff_or_operator(request))
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("workbench:messages")


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = staff_or_operator(request)
    form = ChannelPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"email": user.notify_by_email, "sms": user.notify_by_sms},
    )
    if request.method == "POST" and form.is_valid():
        services.channel_preferences_set(actor=user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"])
        messages.success(request, "通知设置已保存。")
        return redirect("workbench:notification_settings")
    context = {
        "form": form,
        "email": mask_email(user.email) if user.email else "",
        "phone": mask_phone(user.phone) if user.phone else "",
    }
    return render(request, "workbench/messages_settings.html", context)


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    user = staff_or_operator(request)
    status, channel = request.GET.get("status", ""), request.GET.get("channel", "")
    page = Paginator(selectors.outbound_for(user, status=status, channel=channel), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": [selectors.delivery_row(m) for m in page.object_list],
        "status": status,
        "channel": channel,
        "statuses": MessageStatus.choices,
        "channels": [(Channel.EMAIL.value, Channel.EMAIL.label), (Channel.SMS.value, Channel.SMS.label)],
    }
    return render(request, "workbench/messages_deliveries.html", context)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, message_id: int) -> HttpResponse:
    user = staff_or_operator(request)
    try:
        services.message_retry(actor=user, message_id=message_id)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"消息 {message_id} 已重新排队发送。")
    back = request.POST.get("back", "")
    return redirect(back if back.startswith(reverse("workbench:deliveries")) else "workbench:deliveries")
