"""阳光审批公示: published decisions, each verifiable against the signed ledger.

What the page shows is the ledger leaf itself (public by construction: personal data in a
leaf is only ever a salted commitment), so the reader verifies exactly what they read;
kind, subject and time come from the leaf too (ledger.selectors.PublicEntry), never from
the entry's query columns.

Filters (issue 15): item, department, region (and below), decision day from/to, and a search
by 办件编号 or enterprise name. With no filter the page lists the ledger's disclosed entries
as before (ledger.selectors.disclosed_entries). With one, cases.disclosure selects the
decision events of the matching cases in SQL and the ledger serves their entries, still each
read and checked from its leaf (kind disclosed, subject the case's). A bad filter is a 400
page naming the field; nothing is guessed.
"""

import json
import re
import unicodedata
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.accounts import selectors as accounts
from yiwang.cases import disclosure as selection
from yiwang.catalog import selectors as catalog
from yiwang.core.dates import parse_day
from yiwang.ledger import selectors as ledger
from yiwang.ledger.events import label_of_kind
from yiwang.portal import forms
from yiwang.supervision.dashboard import published_items

FILTER_KEYS = ["q", "item", "department", "region", "since", "until"]
Q_MAX = 40
# 办件编号: region (6 digits) - day (8) - sequence (6 or more); cases.numbering
CASE_NUMBER = re.compile(r"[0-9]{6}-[0-9]{8}-[0-9]{6,10}")


def _row(entry: ledger.PublicEntry) -> dict[str, Any]:
    leaf = json.loads(entry.leaf)
    return {"entry": entry, "leaf": leaf, "payload": leaf.get("payload", {}), "label": label_of_kind(entry.kind)}


def _search(raw: str, errors: dict[str, list[str]]) -> dict[str, str]:
    """A whole 办件编号, or part of an enterprise's name."""
    if not raw:
        return {}
    if len(raw) > Q_MAX:
        errors["q"] = [f"办件编号或企业名称：最多 {Q_MAX} 个字"]
    elif any(unicodedata.category(ch) in ("Cc", "Cf") for ch in raw):
        errors["q"] = ["办件编号或企业名称：含有不可见的控制字符，请重新输入"]
    elif CASE_NUMBER.fullmatch(raw):
        return {"number": raw}
    elif len(raw) < 2:
        errors["q"] = ["办件编号或企业名称：请输入完整的办件编号，或企业名称中至少 2 个字"]
    else:
        return {"holder": raw}
    return {}


def filters_from(
    values: dict[str, str], items: dict[str, str]
) -> tuple[selection.DisclosureFilters | None, dict[str, list[str]], dict[str, str]]:
    """The filters in `values` (query parameters), or the errors naming each bad one; and
    the names of what they chose, for the heading."""
    errors: dict[str, list[str]] = {}
    named: dict[str, str] = {}
    chosen: dict[str, Any] = _search(values["q"], errors)
    if code := values["item"]:
        item = catalog.item_by_code(code) if code in items else None
        if item is None:
            errors["item"] = ["事项：没有这个已发布的事项，请从列表中选择"]
        else:
            chosen["item_id"], named["item"] = item.pk, items[code]
    if credit_code := values["department"]:
        ok = credit_code.isascii() and credit_code.isalnum() and len(credit_code) <= 18
        department = accounts.department_by_credit_code(credit_code) if ok else None
        if department is None:
            errors["department"] = ["部门：没有这个部门，请从列表中选择"]
        else:
            chosen["department_id"], named["department"] = department.pk, department.name
    if region_code := values["region"]:
        ok = region_code.isascii() and region_code.isdigit() and len(region_code) <= 12
        region = accounts.region_by_code(region_code) if ok else None
        if region is None:
            errors["region"] = ["区划：没有这个区划，请从列表中选择"]
        else:
            chosen["region_prefix"], named["region"] = region.code_prefix, region.name
    since = parse_day(values["since"], key="since", label="决定日期（起）", errors=errors)
    until = parse_day(values["until"], key="until", label="决定日期（止）", errors=errors)
    if since and until and until < since:
        errors["until"] = ["决定日期（止）：不能早于决定日期（起）"]
    chosen |= {"since": since, "until": until}
    return (None if errors else selection.DisclosureFilters(**chosen)), errors, named


@require_GET
def disclosure(request: HttpRequest) -> HttpResponse:
    # Bounded before anything reads them: a longer value is refused below, not cut silently.
    values = {key: request.GET.get(key, "").strip()[: Q_MAX + 1] for key in FILTER_KEYS}
    items = dict(published_items())
    filters, errors, named = filters_from(values, items)
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "named": named,
        "summary": forms.error_summary(errors, {key: f"filter-{key}" for key in FILTER_KEYS}),
        "items": list(items.items()),
        "departments": catalog.guide_departments(),
        "regions": accounts.region_switch_choices(),
        "q_max": Q_MAX,
        "other_kinds": [label_of_kind(kind) for kind in selection.disclosed_kinds_outside_cases()],
    }
    if filters is None:
        return render(request, "portal/disclosure.html", context, status=400)
    if filters.any:
        page, expected = selection.disclosed_decisions_page(filters, request.GET.get("page"))
        entries = ledger.disclosed_entries_in(expected)
    else:
        page, entries = ledger.disclosed_entries(request.GET.get("page"))
    context.update(listed=True, page=page, rows=[_row(e) for e in entries], filtered=filters.any)
    return render(request, "portal/disclosure.html", context)


def ledger_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = ledger.entry_get(entry_id)
    return render(
        request,
        "portal/ledger_entry.html",
        {"row": _row(entry), "leaf_pretty": json.dumps(json.loads(entry.leaf), ensure_ascii=False, indent=2)},
    )
