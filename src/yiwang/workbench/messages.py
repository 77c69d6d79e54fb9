"""The workbench's message centre (我的消息, 通知设置) and, for the platform operator only,
消息发送状态: every e-mail and SMS with its status, attempts, last error, next attempt, and
"retry now" for failed ones (recipients masked).

The message centre is the shared notifications.centre pages, entered by staff (and the
operator), linking to the workbench case page of cases the staff member may open. The
delivery page reads through notifications.selectors (which check the operator policy) and
retries through notifications.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.cases import case_links
from yiwang.core.errors import Conflict
from yiwang.notifications import selectors, services
from yiwang.notifications.centre import MessageCentre
from yiwang.notifications.models import Channel, MessageStatus
from yiwang.workbench.views import staff_or_operator

CENTRE = MessageCentre(
    namespace="workbench",
    user_of=staff_or_operator,
    case_url_name="workbench:case",
    visible=case_links.case_numbers_visible_to,
    list_template="workbench/messages.html",
    settings_template="workbench/messages_settings.html",
)


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
