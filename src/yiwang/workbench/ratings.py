"""好差评 in the workbench: the ratings a department's heads and window clerks answer and the
region's supervisors oversee (docs/ratings.md).

Thin views over `ratings.services` (one call per action; the service checks who, the state
and the text, and says what is wrong in Chinese) and `ratings.selectors` / `ratings.policy`
(what the user may see, and which forms the page offers). A refused form comes back with
what was typed and each message next to its field; a done action redirects with a message.
The rater is shown masked (张*): staff answer the service, not the person. The 12345 hotline
form and the hall tablet's link are in ratings_intake.py.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from yiwang.ledger.events import Domain, event_type
from yiwang.ratings import policy, rules, selectors, services
from yiwang.ratings.checks import rating_problems
from yiwang.ratings.models import Grade, Rating
from yiwang.ratings.workflow import AppealStatus, Handling
from yiwang.workbench import cases
from yiwang.workbench.forms import ActionForm

GENERAL = "__all__"
PER_PAGE = 25
FILTERS = [("", "全部"), (Handling.PENDING.value, Handling.PENDING.label), (Handling.RECTIFYING.value, "整改中")]
WAYS = [("phone", "电话"), ("visit", "上门"), ("online", "在线")]
VERDICTS = [("uphold", "申诉成立（不计入统计）"), ("dismiss", "驳回申诉")]


def ratings_staff_of(request: HttpRequest) -> User:
    """A staff member whose posts answer or supervise ratings; everyone else gets 403."""
    user = request.user
    if not isinstance(user, User) or not user.is_staff_member or not policy.sees_ratings(user):
        raise PermissionDenied("好差评仅对机关负责人、窗口人员和监督人员开放。")
    return user


def rating_url(rating_id: int) -> str:
    return reverse("workbench:rating", args=[rating_id])


def masked_rater(rating: Rating) -> str:
    person = getattr(rating.rater, "person", None)
    return person.masked_name if person else "评价人"


def deadline(rating: Rating, today: dt.date) -> dict[str, Any]:
    """The running (or last) deadline of a bad review: 核实处理 while pending, then the
    rectification's; 已超期 when a running one is past."""
    rectification = getattr(rating, "rectification", None)
    if rating.handling == Handling.PENDING:
        due, running, kind = rating.response_due, True, "核实处理"
    elif rectification is not None:
        due, running, kind = rectification.due_on, rectification.closed_at is None, "整改"
    else:
        return {"date": None, "overdue": False, "kind": ""}
    return {"date": due, "overdue": running and due is not None and today > due, "kind": kind}


# --- the list --------------------------------------------------------------------------------


@login_required
def rating_list(request: HttpRequest) -> HttpResponse:
    """The ratings the user may see, bad reviews first (soonest deadline first)."""
    user = ratings_staff_of(request)
    chosen = request.GET.get("handling", "")
    chosen = chosen if chosen in dict(FILTERS) else ""
    bad_only = request.GET.get("bad") == "1"
    page = Paginator(selectors.ratings_for_staff(user, handling=chosen, bad_only=bad_only), PER_PAGE).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    rows = [
        {
            "rating": r,
            "item_name": r.implementation_version.item_version.name,
            "case_url": cases.case_url(r.case.number),
            "url": rating_url(r.pk),
            "due": deadline(r, today),
        }
        for r in page.object_list
    ]
    context = {
        "nav_links": cases.nav_links(user),
        "rows": rows,
        "page": page,
        "filters": FILTERS,
        "chosen": chosen,
        "bad_only": bad_only,
        "may_record_hotline": policy.may_record_hotline(user),
    }
    return render(request, "workbench/ratings/list.html", context)


# --- the rating page ---------------------------------------------------------------------------


def _actor_label(event: Any, rating: Rating) -> str:
    if event.actor_id is None:
        return "系统"
    if event.actor_id == rating.rater_id:
        return f"评价人（{masked_rater(rating)}）"
    return str(event.actor)


def _page(
    request: HttpRequest,
    user: User,
    rating_id: int,
    *,
    failed: str = "",
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    rating = selectors.rating_for_staff(user, rating_id)
    errors = errors or {}
    data = {name: post.get(name, "") for name in post} if post is not None else {}
    allowed = policy.actions_for(user, rating)
    problems = rating_problems([rating])[rating.pk]
    events = sorted(rating.events.all(), key=lambda e: (e.at, e.pk))
    appeals = list(rating.appeals.all())
    context = {
        "nav_links": cases.nav_links(user),
        "rating": rating,
        "item_name": rating.implementation_version.item_version.name,
        "case_url": cases.case_url(rating.case.number),
        "rater": masked_rater(rating),
        "tags": [rules.TAGS.get(tag, tag) for tag in rating.tags],
        "second_grade": Grade(rating.second_grade).label if rating.second_grade else "",
        "due": deadline(rating, clock.today()),
        "rectification": getattr(rating, "rectification", None),
        "revisits": list(rating.revisits.all()),
        "appeals": appeals,
        "open_appeal": next((a for a in appeals if a.status == AppealStatus.FILED), None),
        "problems": problems,
        "timeline": [
            {
                "at": e.at,
                "summary": event_type(Domain.RATINGS, e.verb).label,
                "actor_label": _actor_label(e, rating),
                "reason": e.reason,
            }
            for e in events
        ],
        "actions": allowed,
        "forms": {name: ActionForm(name, data, errors) if name == failed else ActionForm(name) for name in ACTIONS},
        "failed": failed,
        "days_choices": rules.RECTIFICATION_DAYS,
        "ways": WAYS,
        "verdicts": VERDICTS,
        "general_errors": [m for key, ms in errors.items() if key == GENERAL for m in ms],
        "field_errors": [m for key, ms in errors.items() if key != GENERAL for m in ms],
    }
    return render(request, "workbench/ratings/detail.html", context, status=status)


@login_required
def rating_page(request: HttpRequest, rating_id: int) -> HttpResponse:
    user = ratings_staff_of(request)
    return _page(request, user, rating_id)


# --- actions: one service each ----------------------------------------------------------------


def _number(raw: str, field: str, message: str) -> int:
    """A small whole number typed or chosen on the page; else the field's message."""
    raw = raw.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 3:
        return int(raw)
    raise ValidationFailed({field: [message]})


def _fix(user: User, rating: Rating, post: QueryDict) -> str:
    services.rating_fix(actor=user, rating_id=rating.pk, how=post.get("how", ""))
    return "已立行立改，处理情况已告知评价人。"


def _rectify(user: User, rating: Rating, post: QueryDict) -> str:
    days = _number(post.get("days", ""), "days", "整改期限：请选择 5、7 或 15 个工作日")
    opened = services.rating_rectify(actor=user, rating_id=rating.pk, plan=post.get("plan", ""), days=days)
    return f"已启动整改，整改期限为 {opened.due_on:%Y-%m-%d}（{opened.days} 个工作日）。"


def _explain(user: User, rating: Rating, post: QueryDict) -> str:
    services.rating_explain(actor=user, rating_id=rating.pk, explanation=post.get("explanation", ""))
    return "已解释说明，说明已告知评价人。"


def _close(user: User, rating: Rating, post: QueryDict) -> str:
    services.rectification_close(actor=user, rating_id=rating.pk, result=post.get("result", ""))
    return "整改已完成，已请评价人评价整改结果。"


def _revisit(user: User, rating: Rating, post: QueryDict) -> str:
    services.rating_revisit(actor=user, rating_id=rating.pk, way=post.get("way", ""), outcome=post.get("outcome", ""))
    return "回访已记录。"


def _appeal(user: User, rating: Rating, post: QueryDict) -> str:
    services.appeal_file(actor=user, rating_id=rating.pk, reason=post.get("reason", ""))
    return "申诉已提出，等待监督人员复核。"


def _decide(user: User, rating: Rating, post: QueryDict) -> str:
    verdict = post.get("verdict", "")
    if verdict not in dict(VERDICTS):
        raise ValidationFailed({"verdict": ["复核结论：请选择 申诉成立 或 驳回申诉"]})
    appeal = next((a for a in rating.appeals.all() if a.status == AppealStatus.FILED), None)
    if appeal is None:
        raise Conflict("该评价没有待复核的申诉。")
    services.appeal_decide(
        actor=user, appeal_id=appeal.pk, uphold=verdict == "uphold", decision=post.get("decision", "")
    )
    return "申诉成立：该评价保留，不再计入统计。" if verdict == "uphold" else "已驳回申诉：该评价照常计入统计。"


ACTIONS: dict[str, tuple[str, Callable[[User, Rating, QueryDict], str]]] = {
    "fix": ("立行立改", _fix),
    "rectify": ("启动整改", _rectify),
    "explain": ("解释说明", _explain),
    "close": ("完成整改", _close),
    "revisit": ("回访", _revisit),
    "appeal": ("提出申诉", _appeal),
    "decide": ("复核申诉", _decide),
}


def refusal(exc: DomainError, label: str) -> tuple[dict[str, list[str]], int]:
    """A refused action as messages by field and the page's status; NotFound stays a 404."""
    if isinstance(exc, NotFound):
        raise exc
    if isinstance(exc, ValidationFailed):
        return dict(exc.errors), 422
    if isinstance(exc, Conflict):
        return {GENERAL: [f"{label}未完成：{exc.message} 页面已显示最新状态。"]}, 409
    if isinstance(exc, PermissionDenied):
        return {GENERAL: [exc.message]}, 403
    return {GENERAL: [exc.message]}, 422


@login_required
@require_POST
def rating_action(request: HttpRequest, rating_id: int, action: str) -> HttpResponse:
    user = ratings_staff_of(request)
    if action not in ACTIONS:
        raise Http404("没有这个处理动作。")
    label, handler = ACTIONS[action]
    rating = selectors.rating_for_staff(user, rating_id)  # 404 for a rating the user may not see
    try:
        message = handler(user, rating, request.POST)
    except DomainError as exc:
        errors, status = refusal(exc, label)
        return _page(request, user, rating_id, failed=action, post=request.POST, errors=errors, status=status)
    messages.success(request, message)
    return redirect(rating_url(rating_id))
