"""考评 in the workbench: the monthly ranking per department or per region with its Excel file,
and the schemes (versions, drafting, publication by a second supervisor, retirement)
(docs/supervision.md "考评").

Thin views over `supervision.evaluation` / `eval_regions` (the scores) and
`supervision.eval_schemes` (one service call per action; the service checks who, the state
and the input); `supervision.policy` decides who sees it and which buttons the page offers.
A refused form comes back with what was typed and the messages next to their fields (4xx).
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from yiwang.accounts.models import User
from yiwang.core import clock
from yiwang.core.dates import next_month
from yiwang.core.errors import DomainError, NotFound
from yiwang.supervision import eval_regions, eval_schemes, evaluation, policy
from yiwang.supervision.eval_models import SchemeVersion
from yiwang.workbench import cases
from yiwang.workbench.forms import ActionForm
from yiwang.workbench.ratings import GENERAL, refusal
from yiwang.workbench.supervision import _supervisor
from yiwang.workbench.supervision_rules import TEXT_KEPT

BY = {"department": "部门", "region": "区划"}


# --- the monthly ranking -------------------------------------------------------------------------


def _choice(
    request: HttpRequest, prefixes: list[str]
) -> tuple[str, str, eval_regions.Unit | None, dict[str, list[str]]]:
    """The month, per department or region, and the region unit the department list is
    limited to (none: all), with the messages by field."""
    errors: dict[str, list[str]] = {}
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)
    month = request.GET.get("month", "").strip()[:7] or last_month.strftime("%Y-%m")
    try:
        evaluation.month_bounds(month)
    except ValueError:
        errors["month"] = ["考评月份：请按 年-月 选择，例如 2026-11"]
    by = request.GET.get("by", "department")
    by = by if by in BY else "department"
    code = request.GET.get("unit", "").strip()[:12]
    found = (eval_regions.unit_of(code, prefix) for prefix in prefixes) if code and by == "department" else ()
    unit = next((u for u in found if u is not None), None)
    if code and by == "department" and unit is None:
        errors["unit"] = ["区划：请从区划排名进入"]
    return month, by, unit, errors


def _scores(scheme: evaluation.Scheme, month: str, by: str, prefixes: list[str], unit: Any) -> list[evaluation.Score]:
    """Ranked together over every region the supervisor covers (the prefixes are apart: a
    department or region is under one of them at most)."""
    if by == "region":
        return evaluation.ranked([s for p in prefixes for s in eval_regions.region_ranking(scheme, month, prefix=p)])
    if unit is not None:
        return evaluation.ranking(scheme, month, **unit.scope)
    return evaluation.ranked([s for p in prefixes for s in evaluation.ranking(scheme, month, region_prefix=p)])


@login_required
@require_GET
def evaluation_report(request: HttpRequest) -> HttpResponse:
    user, prefixes = _supervisor(request)
    month, by, unit, errors = _choice(request, prefixes)
    context: dict[str, Any] = {
        "nav_links": cases.nav_links(user),
        "month": month,
        "by": by,
        "unit": unit,
        "errors": errors,
        "tabs": [
            {"key": key, "label": label, "url": "?" + urlencode({"month": month, "by": key})}
            for key, label in BY.items()
        ],
    }
    if errors:
        return render(request, "workbench/supervision/evaluation.html", context, status=400)
    scheme = eval_schemes.scheme_for(by, month)
    if scheme is not None:
        query = {"month": month, "by": by, **({"unit": unit.code} if unit else {})}
        context.update(
            scheme=scheme,
            indicators=[(w, evaluation.INDICATORS[w.key]) for w in scheme.indicators],
            scores=_scores(scheme, month, by, prefixes, unit),
            export_url=f"{reverse('workbench:supervision_evaluation_export')}?{urlencode(query)}",
            unit_url="?" + urlencode({"month": month, "by": "department"}) + "&unit=",
        )
    return render(request, "workbench/supervision/evaluation.html", context)


@login_required
@require_GET
def evaluation_export(request: HttpRequest) -> HttpResponse:
    _user, prefixes = _supervisor(request)
    month, by, unit, errors = _choice(request, prefixes)
    if errors:
        raise NotFound("；".join(message for messages in errors.values() for message in messages))
    scheme = eval_schemes.scheme_for(by, month)
    if scheme is None:
        raise NotFound(f"{month} 没有生效的考评方案。")
    response = HttpResponse(
        evaluation.ranking_xlsx(scheme, month, _scores(scheme, month, by, prefixes, unit)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"kaoping-{month}{'-region' if by == 'region' else ''}{f'-{unit.code}' if unit else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- schemes ---------------------------------------------------------------------------------------


def _manager(request: HttpRequest) -> User:
    user, _prefixes = _supervisor(request)
    policy.require_scheme_manager(user)
    return user


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    rows = [{"scheme": s, "versions": versions} for s, versions in eval_schemes.schemes_with_versions()]
    context = {"nav_links": cases.nav_links(user), "rows": rows}
    return render(request, "workbench/supervision/evaluation_schemes.html", context)


def _initial(versions: list[SchemeVersion]) -> dict[str, str]:
    """The draft form's values: the newest published version's weights, from next month."""
    source = next((v for v in versions if v.status == "published"), versions[0] if versions else None)
    data: dict[str, str] = {}
    for row in source.indicators if source else []:
        data[f"weight-{row['key']}"] = str(row["weight"])
        if row.get("target") is not None:
            data[f"target-{row['key']}"] = str(row["target"])
    data["valid_from"] = f"{next_month(clock.today()):%Y-%m}"
    return data


def _scheme_page(
    request: HttpRequest,
    user: User,
    code: str,
    *,
    post: QueryDict | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    scheme, versions = eval_schemes.scheme_detail(code)
    errors = errors or {}
    data = {name: post.get(name, "")[:TEXT_KEPT] for name in post} if post is not None else _initial(versions)
    form = ActionForm("version", data, errors)
    labels = {key: indicator.label for key, indicator in evaluation.INDICATORS.items()}
    context = {
        "nav_links": cases.nav_links(user),
        "scheme": scheme,
        "versions": [
            {
                "version": v,
                "indicators": [(labels.get(w["key"], w["key"]), w["weight"], w.get("target")) for w in v.indicators],
                "actions": policy.scheme_actions_for(user, v),
            }
            for v in versions
        ],
        "rows": [
            {
                "indicator": indicator,
                "weight": form[f"weight-{key}"],
                "weight_name": f"weight-{key}",
                "target": form[f"target-{key}"] if indicator.capped_target else None,
                "target_name": f"target-{key}",
            }
            for key, indicator in evaluation.INDICATORS.items()
        ],
        "form": form,
        "weights_errors": errors.get("weights", []),
        "general_errors": errors.get(GENERAL, []),
        "field_errors": [m for k, ms in errors.items() if k != GENERAL for m in ms],
    }
    return render(request, "workbench/supervision/evaluation_scheme.html", context, status=status)


@login_required
@require_GET
def scheme_page(request: HttpRequest, code: str) -> HttpResponse:
    return _scheme_page(request, _manager(request), code)


@login_required
@require_POST
def scheme_version_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _manager(request)
    eval_schemes.scheme_detail(code)  # 404 before anything else
    indicators = {
        key: {"weight": request.POST.get(f"weight-{key}", ""), "target": request.POST.get(f"target-{key}", "")}
        for key in evaluation.INDICATORS
    }
    try:
        version = eval_schemes.scheme_version_draft(
            actor=user,
            scheme_code=code,
            indicators=indicators,
            valid_from=request.POST.get("valid_from", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        errors, status = refusal(exc, "起草新版本")
        return _scheme_page(request, user, code, post=request.POST, errors=errors, status=status)
    messages.success(request, f"已起草 {code} 第 {version.number} 版，须由另一位监督人员发布后生效。")
    return redirect(reverse("workbench:supervision_scheme", args=[code]))


def _act(request: HttpRequest, code: str, number: int, action: str) -> HttpResponse:
    user = _manager(request)
    version = eval_schemes.scheme_version(code, number)
    service = eval_schemes.scheme_version_publish if action == "publish" else eval_schemes.scheme_version_retire
    try:
        service(actor=user, version_id=version.pk)
    except DomainError as exc:
        errors, status = refusal(exc, "发布" if action == "publish" else "停用")
        return _scheme_page(request, user, code, errors=errors, status=status)
    done = "已发布并写入账本" if action == "publish" else "已停用"
    messages.success(request, f"{code} 第 {number} 版{done}。")
    return redirect(reverse("workbench:supervision_scheme", args=[code]))


@login_required
@require_POST
def scheme_version_publish(request: HttpRequest, code: str, number: int) -> HttpResponse:
    return _act(request, code, number, "publish")


@login_required
@require_POST
def scheme_version_retire(request: HttpRequest, code: str, number: int) -> HttpResponse:
    return _act(request, code, number, "retire")
