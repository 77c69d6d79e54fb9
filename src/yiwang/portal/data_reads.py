"""我的数据使用记录: every read of the signed-in person's data, and of the enterprises they
currently act for — which department read which resource and fields, for which case and
purpose, when, and how it went — each row with its ledger entry and whether the ledger
confirms it, and the ledger's own count of such reads against the rows listed. Below them, the
searches window staff made for the person's own 证件号码 to help them apply (帮办代办), found
or not, each with its ledger entry.

Thin: reads through exchange.usage (which decides what is the person's and does the ledger
checks); the case link only where cases.selectors lets the person open the case. A personal
page: the no-store middleware (core/caching.py) keeps it out of caches.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from yiwang.cases import assisted_selectors, case_links
from yiwang.cases.services.assisted import HELPER_LABELS
from yiwang.core.errors import ValidationFailed
from yiwang.exchange import usage
from yiwang.exchange.models import ReadOutcome
from yiwang.portal import forms
from yiwang.portal.apply import applicant_of

FILTER_FIELDS = ("since", "until", "department")
ANCHORS = {"since": "since", "until": "until", "department": "department"}
MAX_UNLISTED_LINKS = 20
MAX_LOOKUPS = 50  # the newest searches for the person's own 证件号码 (帮办代办)


def _row(checked: usage.CheckedRead, visible_cases: dict[str, str]) -> dict[str, Any]:
    read, entry = checked.read, checked.entry
    return {
        "at": read.at,
        "department": read.consumer.name,
        "resource": read.resource.name,
        "provider": read.resource.provider.name,
        "fields": usage.field_labels(read),
        "purpose": read.purpose,
        "subject": read.subject_enterprise.name if read.subject_enterprise is not None else "本人",
        "reference": visible_cases.get(read.reference)
        or ("提交前的申请" if read.reference.startswith("draft:") else read.reference),
        "case_url": reverse("portal:my_case", args=[visible_cases[read.reference]])
        if read.reference in visible_cases
        else "",
        "ok": read.outcome == ReadOutcome.OK,
        "outcome_label": ReadOutcome(read.outcome).label,
        "failure": read.failure,
        "ledger_id": read.ledger_entry_id,
        "leaf_index": entry.leaf_index if entry is not None else None,
        "ledger_url": reverse("portal:ledger_entry", args=[read.ledger_entry_id]) if entry is not None else "",
        "consistent": checked.consistent,
        "problems": checked.problems,
    }


@login_required
def data_reads(request: HttpRequest) -> HttpResponse:
    user = applicant_of(request)
    departments = list(usage.reading_departments(user))
    raw = {name: request.GET.get(name, "")[:40] for name in FILTER_FIELDS}
    context: dict[str, Any] = {"departments": departments, "raw": raw, "page_size": usage.PAGE_SIZE}
    try:
        chosen = usage.usage_filter(raw, departments)
    except ValidationFailed as exc:
        context |= {"errors": exc.errors, "summary": forms.error_summary(exc.errors, ANCHORS)}
        return render(request, "portal/data_reads.html", context, status=400)
    page = Paginator(usage.reads_of(user, chosen), usage.PAGE_SIZE).get_page(request.GET.get("page"))
    checks = usage.checked(list(page.object_list))
    visible = case_links.case_numbers_of_references(user, [c.read.reference for c in checks])
    tally = usage.ledger_tally(user, chosen)
    lookups = [
        {
            "at": row.at,
            "department": row.helper_department.name,
            "post": HELPER_LABELS.get(row.helper_role, "工作人员"),  # type: ignore[call-overload]
            "found": row.found,
            "ledger_url": reverse("portal:ledger_entry", args=[row.ledger_entry_id]),
        }
        for row in assisted_selectors.lookups_about(user)[:MAX_LOOKUPS]
    ]
    context |= {
        "listing": True,
        "page": page,
        "rows": [_row(c, visible) for c in checks],
        "tally": tally,
        "inconsistent_here": sum(1 for c in checks if not c.consistent),
        "unlisted": [
            {"id": entry_id, "url": reverse("portal:ledger_entry", args=[entry_id])}
            for entry_id in tally.unlisted[:MAX_UNLISTED_LINKS]
        ],
        "filtered": any(raw.values()),
        "lookups": lookups,
        "max_lookups": MAX_LOOKUPS,
    }
    return render(request, "portal/data_reads.html", context)
