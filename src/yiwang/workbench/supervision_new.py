"""电子监察 in the workbench, the two "new" pages: a new monitoring rule (a kind from the
catalogue, its params as typed fields with their bounds, the region it watches) saved as the
draft of version 1, and a free-standing 督办 to a department of the supervisor's regions (from
the 督办 list, or from a case of the dashboard's drill-down) (docs/supervision.md).

Thin views over `supervision.rules.rule_create_with_draft` and `supervision.notices.notice_send`
(the services check who, the input and the scope) and `supervision.policy` (what the forms
offer). A refused form comes back with what was typed and the messages by field, as a 4xx.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.supervision import notices, policy, rules
from yiwang.supervision.rule_kinds import KINDS, Kind
from yiwang.supervision.rule_models import Severity
from yiwang.workbench import cases
from yiwang.workbench.forms import ActionForm
from yiwang.workbench.ratings import GENERAL, refusal
from yiwang.workbench.supervision_rules import TEXT_KEPT, notice_url, number_or_text, supervisor_of

RULE_FIELDS = ("code", "name", "kind", "region", "severity", "response_days", "note")
NOTICE_FIELDS = ("subject", "text", "case", "department", "response_days")


def _kept(post: QueryDict, names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """What was typed, each field cut at TEXT_KEPT (the services allow less and say so)."""
    return {name: post.get(name, "")[:TEXT_KEPT] for name in names}


def _messages(errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "general_errors": errors.get(GENERAL, []),
        "field_errors": [m for k, ms in errors.items() if k != GENERAL for m in ms],
    }


# --- a new monitoring rule ---------------------------------------------------------------------


def _param_rows(kind: Kind, form: ActionForm) -> list[dict[str, Any]]:
    return [
        {
            "spec": spec,
            "input": f"param-{name}",
            "field": form[f"param-{name}"],
            "help": f"整数，{spec.low} 至 {spec.high}，默认 {spec.default}（参数 {name}）",
        }
        for name, spec in kind.params.items()
    ]


def _rule_form(
    request: HttpRequest,
    user: User,
    kind: Kind | None,
    *,
    data: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    if data is None:  # a fresh form: the kind's defaults
        data = {"severity": Severity.YELLOW, "response_days": str(notices.DEFAULT_RESPONSE_DAYS)}
        if kind is not None:
            data |= {f"param-{name}": str(spec.default) for name, spec in kind.params.items()}
    form = ActionForm("rule", data, {k.replace("params.", "param-"): v for k, v in errors.items()})
    context = {
        "nav_links": cases.nav_links(user),
        "kinds": list(KINDS.values()),
        "kind": kind,
        "form": form,
        "params": _param_rows(kind, form) if kind else [],
        "regions": policy.supervised_regions(user),
        "severities": Severity.choices,
        "failed": "rule",
        **_messages(errors),
    }
    return render(request, "workbench/supervision/rule_new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    """GET: choose a kind (?kind=…), then the form; POST: the rule and its draft version 1."""
    user = supervisor_of(request)
    if request.method == "GET":
        chosen = request.GET.get("kind", "")
        return _rule_form(request, user, KINDS.get(chosen) if chosen in KINDS else None)
    kind = KINDS.get(request.POST.get("kind", ""))
    names = [*RULE_FIELDS, *(f"param-{name}" for name in (kind.params if kind else {}))]
    kept = _kept(request.POST, names)
    params = {name: number_or_text(kept[f"param-{name}"]) for name in (kind.params if kind else {})}
    try:
        version = rules.rule_create_with_draft(
            actor=user,
            code=kept["code"].strip(),
            name=kept["name"],
            kind=kept["kind"],
            region_code=kept["region"],
            params=params,
            severity=kept["severity"],
            response_days=number_or_text(kept["response_days"]),
            note=kept["note"],
        )
    except DomainError as exc:
        found, status = refusal(exc, "新建规则")
        return _rule_form(request, user, kind, data=kept, errors=found, status=status)
    code = version.rule.code
    messages.success(request, f"已新建规则 {code}，第 1 版为草稿：核对后发布即生效。")
    return redirect(reverse("workbench:supervision_rule", args=[code]))


# --- a free-standing 督办 -----------------------------------------------------------------------


def _notice_form(
    request: HttpRequest,
    user: User,
    data: dict[str, str],
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    context = {
        "nav_links": cases.nav_links(user),
        "form": ActionForm("notice", data, errors),
        "departments": policy.supervised_departments(user),
        "failed": "notice",
        **_messages(errors),
    }
    response = render(request, "workbench/supervision/notice_new.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    """GET (?case=number or ?department=id to start from): the form; POST: the 督办."""
    user = supervisor_of(request)
    if request.method == "GET":
        start = {key: request.GET.get(key, "").strip()[:40] for key in ("case", "department")}
        start["response_days"] = str(notices.DEFAULT_RESPONSE_DAYS)
        return _notice_form(request, user, start)
    kept = _kept(request.POST, NOTICE_FIELDS)
    try:
        notice = notices.notice_send(
            actor=user,
            subject=kept["subject"],
            text=kept["text"],
            case_number=kept["case"].strip() or None,
            department_id=number_or_text(kept["department"]),
            response_days=number_or_text(kept["response_days"]),
        )
    except DomainError as exc:
        found, status = refusal(exc, "发出督办")
        return _notice_form(request, user, kept, errors=found, status=status)
    messages.success(request, f"督办 {notice.code} 已发出，答复期限 {notice.deadline:%Y-%m-%d}。")
    return redirect(notice_url(notice.pk))
