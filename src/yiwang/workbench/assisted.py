"""帮办代办 in the workbench (ADR 0029): a window clerk or a 帮办员 applies for a person at the
window or on the phone.

我的帮办 (the open assisted applications of the helper's departments) → 新建帮办 (find the person
by name and 证件号码, pick the item) → 填写 (the portal's form and materials, from the same
`cases.applyform` machinery and checked by the same services; every POST saves what was typed,
then stores each file chosen) → 发送验证码 (an SMS to the person's phone on file) → 输入验证码
(the person reads it out or types it; submitted in their name) → the receipt. Only staff the
policy lets help see the menu; every page is `no-store` and shows personal data masked.
"""

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases import applyform as forms
from yiwang.cases import assisted_selectors as selectors
from yiwang.cases.assisted_workflow import AssistedStatus
from yiwang.cases.models import AssistedApplication
from yiwang.cases.policy import may_assist
from yiwang.cases.services import assisted as services
from yiwang.cases.services import assisted_lookup as lookup
from yiwang.catalog.formschema import FormSchema
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from yiwang.core.identifiers import mask_phone
from yiwang.workbench import cases as workbench_cases

GENERAL = "__all__"


def helper_of(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not may_assist(user):
        raise PermissionDenied("帮办代办仅对窗口受理和帮办员岗位开放。")
    return user


def nav_links(user: User) -> list[dict[str, str]]:
    return [*workbench_cases.nav_links(user)]


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _page(request: HttpRequest, template: str, user: User, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return _no_store(render(request, template, {"nav_links": nav_links(user), **context}, status=status))


def _url(assisted: AssistedApplication, name: str = "assisted") -> str:
    return reverse(f"workbench:{name}", args=[assisted.ref])


def _person_line(assisted: AssistedApplication) -> dict[str, str]:
    person = assisted.person.person
    phone = assisted.person.phone
    return {
        "name": person.masked_name,
        "id_number": person.masked_id_number,
        "phone": mask_phone(phone) if phone else "未登记",
    }


@login_required
def assisted_list(request: HttpRequest) -> HttpResponse:
    """我的帮办: open assisted applications of the helper's departments."""
    user = helper_of(request)
    rows = [
        {
            "url": _url(a) if a.status == AssistedStatus.DRAFTING else _url(a, "assisted_confirm"),
            "item_name": a.case.implementation_version.item_version.name,
            "person": a.person.person.masked_name,
            "status": AssistedStatus(a.status).label,
            "helper": str(a.helper),
            "updated_at": a.updated_at,
        }
        for a in selectors.assisted_open_of(user)
    ]
    ended = [
        {
            "url": _url(a, "assisted_done")
            if a.status in (AssistedStatus.SUBMITTED, AssistedStatus.SELF_SUBMITTED)
            else "",
            "item_name": a.case.implementation_version.item_version.name,
            "person": a.person.person.masked_name,
            "status": AssistedStatus(a.status).label,
            "number": a.case.number or "",
            "updated_at": a.updated_at,
        }
        for a in selectors.assisted_ended_of(user)
    ]
    context = {"rows": rows, "ended": ended, "ended_days": selectors.ENDED_DAYS}
    return _page(request, "workbench/assisted_list.html", user, context)


@login_required
def assisted_new(request: HttpRequest) -> HttpResponse:
    """新建帮办: find the person (name + 证件号码, both exact), then pick the item and start."""
    user = helper_of(request)
    post = request.POST if request.method == "POST" else None
    source = request.POST if post is not None else QueryDict()
    values = {name: source.get(name, "") for name in ("real_name", "id_number", "version")}
    values["q"] = (post if post is not None else request.GET).get("q", "")
    errors: dict[str, list[str]] = {}
    found = None
    status, throttled = 200, 0
    if post is not None:
        try:
            found = _find(request, user, values["real_name"], values["id_number"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
        except TooManyAttempts as exc:
            errors[GENERAL], throttled = [exc.message], exc.status
        if found is None and not errors:
            errors[GENERAL] = [
                "未找到姓名与证件号码都相符的实名注册用户。请核对后重试；"
                "尚未注册的群众请先协助其在平台完成实名注册并登记手机号（本功能不代为注册）。"
            ]
        if found is not None and post.get("action") == "start":
            try:
                version = selectors.version_to_help(user, values["version"])
            except NotFound:
                errors["version"] = ["办理事项：请从列表中选择您可帮办的事项"]
            else:
                try:
                    assisted = services.assisted_start(actor=user, person=found.user, implementation_version=version)
                except ValidationFailed as exc:
                    errors.update(exc.errors)
                except (Conflict, PermissionDenied) as exc:
                    errors[GENERAL] = [exc.message]
                else:
                    messages.success(request, "已开始帮办，请与申请人一起填写申请表并上传材料。")
                    return redirect(_url(assisted))
        status = throttled or (422 if errors else 200)
    versions = selectors.versions_to_help(user, values["q"]) if found is not None else []
    more = len(versions) >= selectors.HELP_LIST_LIMIT
    summary = [(anchor, m) for key, anchor in _NEW_ANCHORS.items() for m in errors.get(key, [])]
    context = {
        "values": values,
        "errors": errors,
        "found": found,
        "versions": versions,
        "more": more,
        "summary": summary,
    }
    return _page(request, "workbench/assisted_new.html", user, context, status=status)


_FOUND_KEY = "assisted_found"
_FOUND_SECONDS = 600


def _find(request: HttpRequest, user: User, real_name: str, id_number: str) -> lookup.PersonFound | None:
    """The person for this name and number: searched (counted and logged by the service), or —
    when this session found them with the same name and number in the last ten minutes (the
    item filter and 开始帮办 post the form again) — the one found then, without a new search."""
    key = lookup.search_key(real_name, id_number)
    kept = request.session.get(_FOUND_KEY) or {}
    if kept.get("key") == key and time.time() - float(kept.get("at", 0)) < _FOUND_SECONDS:
        person = selectors.applicant_found_before(int(kept.get("user") or 0))
        if person is not None:
            return lookup.shown(person)
    found = lookup.person_lookup(actor=user, real_name=real_name, id_number=id_number)
    if found is not None:
        request.session[_FOUND_KEY] = {"key": key, "user": found.user.pk, "at": time.time()}
    return found


_NEW_ANCHORS = {
    GENERAL: "",
    "real_name": "f-real_name",
    "id_number": "f-id_number",
    "version": "f-version",
    "person": "",
}


def _assisted(request: HttpRequest, ref: str) -> tuple[User, AssistedApplication]:
    user = helper_of(request)
    return user, selectors.assisted_get(user, ref)


@login_required
def assisted_fill(request: HttpRequest, ref: str) -> HttpResponse:
    """填写: the application form and the materials, saved as a draft on every POST. Also
    reached from the confirmation page's 返回修改 while a code is out: saving then voids it."""
    user, assisted = _assisted(request, ref)
    if assisted.status not in (AssistedStatus.DRAFTING, AssistedStatus.AWAITING_CONFIRMATION):
        return redirect(_url(assisted, "assisted_confirm"))
    case = assisted.case
    version = case.implementation_version
    schema = FormSchema.model_validate(version.form_schema)
    if request.method != "POST":
        return _fill_page(request, user, assisted, schema, data=case.form_data)
    data = forms.form_data_from(schema, request.POST)
    method = request.POST.get("delivery_method") or None
    address = request.POST.get("delivery_address", "")
    errors: dict[str, list[str]] = {}
    failed: list[str] = []
    try:
        services.assisted_save(
            actor=user, assisted=assisted, form_data=data, delivery_method=method, delivery_address=address
        )
    except ValidationFailed as exc:
        errors.update(exc.errors)
    except (Conflict, PermissionDenied) as exc:
        errors[GENERAL] = [exc.message]
    if not errors:
        for material in version.materials.all():
            upload = request.FILES.get(forms.MATERIAL_PREFIX + material.key)
            if upload is None:
                continue
            try:
                services.assisted_upload(actor=user, assisted=assisted, material_key=material.key, upload=upload)
            except ValidationFailed as exc:
                errors[f"materials.{material.key}"] = forms.flatten(exc.errors)
                failed.append(material.key)
            except (Conflict, PermissionDenied) as exc:
                errors[f"materials.{material.key}"] = [exc.message]
                failed.append(material.key)
    if not errors and request.POST.get("action") == "send":
        try:
            services.assisted_code_send(actor=user, assisted=selectors.assisted_get(user, ref))
        except ValidationFailed as exc:
            errors.update(exc.errors)
        except (Conflict, PermissionDenied) as exc:
            errors[GENERAL] = [exc.message]
        else:
            messages.success(request, "验证码已发送到申请人手机，请申请人告知验证码后输入。")
            return redirect(_url(assisted, "assisted_confirm"))
    if errors:
        assisted = selectors.assisted_get(user, ref)
        status = 409 if GENERAL in errors else 422
        return _fill_page(request, user, assisted, schema, data=data, errors=errors, failed=failed, status=status)
    messages.success(request, "草稿已保存。")
    return redirect(_url(assisted))


def _fill_page(
    request: HttpRequest,
    user: User,
    assisted: AssistedApplication,
    schema: FormSchema,
    *,
    data: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    failed: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    case = assisted.case
    needs = selectors.assisted_materials(user, assisted)
    uploaded = {n.material.key: n.uploaded for n in needs if n.uploaded is not None}
    supplies = {n.material.key: n.supply for n in needs if n.supply is not None}
    fields = forms.field_views(schema, data, errors)
    materials = forms.material_views([n.material for n in needs], uploaded, errors, failed or [], supplies)
    anchors: dict[str, str] = {f.name: f.anchor for f in fields}
    anchors.update({f"materials.{m.key}": m.id for m in materials})
    anchors.update({"delivery_method": "delivery-electronic", "delivery_address": "delivery_address"})
    context = {
        "assisted": assisted,
        "person": _person_line(assisted),
        "item_name": case.implementation_version.item_version.name,
        "department_name": case.implementation_version.implementation.department.name,
        "fields": fields,
        "materials": materials,
        "upload_hint": forms.upload_hint(),
        "accept": forms.ACCEPT_ATTR,
        "deliveries": forms.delivery_choices(
            case.delivery_method if not errors else request.POST.get("delivery_method", "")
        ),
        "delivery_address": case.delivery_address if not errors else request.POST.get("delivery_address", ""),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
        "summary": forms.error_summary({k: v for k, v in errors.items() if k != GENERAL}, anchors),
    }
    return _page(request, "workbench/assisted_fill.html", user, context, status=status)


@login_required
def assisted_confirm(request: HttpRequest, ref: str) -> HttpResponse:
    """输入验证码: the person's code submits the application in their name; 重新发送 resends."""
    user, assisted = _assisted(request, ref)
    if assisted.status in (AssistedStatus.SUBMITTED, AssistedStatus.SELF_SUBMITTED):
        return redirect(_url(assisted, "assisted_done"))
    if assisted.status == AssistedStatus.DRAFTING:
        return redirect(_url(assisted))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "confirm")
        try:
            if action == "resend":
                services.assisted_code_send(actor=user, assisted=assisted)
                messages.success(request, "验证码已重新发送。")
                return redirect(_url(assisted, "assisted_confirm"))
            services.assisted_confirm(actor=user, assisted=assisted, code=request.POST.get("code", ""))
        except ValidationFailed as exc:
            errors.update(exc.errors)
            status = 422
        except (Conflict, PermissionDenied) as exc:
            errors[GENERAL] = [exc.message]
            status = 409
        else:
            messages.success(request, "申请人已确认，申请已以申请人名义提交。")
            return redirect(_url(assisted, "assisted_done"))
        assisted = selectors.assisted_get(user, ref)
    context = {
        "assisted": assisted,
        "person": _person_line(assisted),
        "item_name": assisted.case.implementation_version.item_version.name,
        "minutes": services.code_minutes(),
        "errors": errors,
        "general_errors": errors.get(GENERAL, []),
    }
    return _page(request, "workbench/assisted_confirm.html", user, context, status=status)


@login_required
def assisted_done(request: HttpRequest, ref: str) -> HttpResponse:
    """The receipt of an assisted application: its number, in whose name, who helped."""
    user, assisted = _assisted(request, ref)
    if assisted.status not in (AssistedStatus.SUBMITTED, AssistedStatus.SELF_SUBMITTED):
        raise NotFound("这份帮办申请尚未提交。")
    case = assisted.case
    context = {
        "assisted": assisted,
        "person": _person_line(assisted),
        "case": case,
        "item_name": case.implementation_version.item_version.name,
        "helped_by": selectors.assisted_label(case),
        "self_submitted": assisted.status == AssistedStatus.SELF_SUBMITTED,
    }
    return _page(request, "workbench/assisted_done.html", user, context)


@login_required
@require_POST
def assisted_cancel(request: HttpRequest, ref: str) -> HttpResponse:
    """取消帮办: the draft is given up (withdrawn)."""
    user, assisted = _assisted(request, ref)
    try:
        services.assisted_cancel(actor=user, assisted=assisted, reason=request.POST.get("reason", "")[:200])
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, exc.message)
        return redirect(_url(assisted))
    messages.success(request, "已取消这份帮办申请。")
    return redirect("workbench:assisted_list")


LOOKUPS_PAGE_SIZE = 50


@login_required
def assisted_lookups(request: HttpRequest) -> HttpResponse:
    """帮办查询记录: every search for a person by a helper of the supervisor's or auditor's
    region and below (hit or miss), newest first, each with its ledger entry."""
    user = workbench_cases.staff_of(request)
    page = Paginator(selectors.lookups_visible_to(user), LOOKUPS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "at": row.at,
            "department": row.helper_department.name,
            "post": services.HELPER_LABELS.get(row.helper_role, "工作人员"),  # type: ignore[call-overload]
            "helper": str(row.helper),
            "found": row.person.person.masked_name if row.person is not None else "",
            "ledger_id": row.ledger_entry_id,
        }
        for row in page.object_list
    ]
    return _page(request, "workbench/assisted_lookups.html", user, {"rows": rows, "page": page})
