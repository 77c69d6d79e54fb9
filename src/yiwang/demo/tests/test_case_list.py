"""办件查询's merged branches (cases.case_list) list exactly what the policy's one filter lets a
staff member see, in the same order, on the demo world's cases of every state and place."""

import datetime as dt

import pytest
from django.core.management import call_command

from yiwang.accounts.models import User
from yiwang.cases import case_list
from yiwang.cases.models import Case
from yiwang.cases.policy import staff_case_filter
from yiwang.cases.workflow import CaseStatus

pytestmark = pytest.mark.django_db

PERSONAS = ("jn_window", "jn_planning_rev", "jn_fire_rev", "jn_head", "jn_urban_rev", "jn_supervisor",
            "sd_supervisor", "ta_window", "ta_handler", "expert_shen", "jn_lixia_window")  # fmt: skip


def _reference(user: User, *, status: str = "", number: str = "") -> list[int]:
    cases = Case.objects.filter(staff_case_filter(user)).exclude(status=CaseStatus.DRAFT)
    if status:
        cases = cases.filter(status=status)
    if number:
        cases = cases.filter(number__startswith=number)
    order = ("-number",) if number else ("-submitted_at", "-id")  # a number search lists by number
    return list(cases.order_by(*order).values_list("id", flat=True))


def _walked(user: User, **kw: object) -> tuple[list[int], list[int | None]]:
    """Every page by 下一页, then back to the first by 上一页: the pages must be the same both ways."""
    pages: list[list[int]] = []
    totals: list[int | None] = []
    got = case_list.staff_case_page(user, **kw)  # type: ignore[arg-type]
    while True:
        pages.append([c.pk for c in got.cases])
        totals.append(got.total)
        assert got.number == len(pages) and got.has_previous == (len(pages) > 1)
        if not got.has_next:
            break
        after = case_list.parse_cursor(got.next_cursor)
        got = case_list.staff_case_page(user, after=after, page=got.next_page_number, **kw)  # type: ignore[arg-type]
    for back in range(len(pages) - 2, -1, -1):
        before = case_list.parse_cursor(got.previous_cursor)
        got = case_list.staff_case_page(user, before=before, page=got.previous_page_number, **kw)  # type: ignore[arg-type]
        assert [c.pk for c in got.cases] == pages[back] and got.has_next and got.number == back + 1
    return [pk for page in pages for pk in page], totals


def test_the_merged_pages_are_the_policy_filter_in_submission_order(monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("load_demo")
    monkeypatch.setattr(case_list, "PAGE_SIZE", 7)
    checked = 0
    for name in PERSONAS:
        user = User.objects.filter(username=name).first()
        if user is None:
            continue
        expected = _reference(user)
        seen, totals = _walked(user)
        assert seen == expected, name
        assert totals[0] == (len(expected) if len(expected) <= 7 else None)  # counted when page 1 read it all
        for status in (CaseStatus.IN_REVIEW, CaseStatus.CONCLUDED, CaseStatus.SUSPENDED):
            assert _walked(user, statuses=[status])[0] == _reference(user, status=status), (name, status)
        if expected:
            day = Case.objects.get(pk=expected[0]).number[:15]  # region-date: a whole day's cases
            assert _walked(user, number=day)[0] == _reference(user, number=day), name
        checked += bool(expected)
    assert checked >= 8


def test_a_deep_page_reads_no_more_rows_than_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyset page reads PAGE_SIZE + 1 rows per branch wherever it is (an offset read them all)."""
    call_command("load_demo")
    monkeypatch.setattr(case_list, "PAGE_SIZE", 3)
    window = User.objects.get(username="jn_window")
    first = case_list.staff_case_page(window)
    assert first.total is None and first.has_next and not first.has_previous and len(first.cases) == 3
    sliced: list[int] = []
    real = case_list._read

    def counting(*args: object, **kwargs: object) -> list[case_list.Key]:
        rows = real(*args, **kwargs)  # type: ignore[arg-type]
        sliced.append(len(rows))
        return rows

    monkeypatch.setattr(case_list, "_read", counting)
    page, number = first, 1
    while page.has_next:
        page = case_list.staff_case_page(window, after=case_list.parse_cursor(page.next_cursor), page=number + 1)
        number += 1
    assert number > 3 and max(sliced) <= 4
    assert page.number == number and page.total is None and not page.has_next


def test_a_cursor_goes_round_and_anything_else_is_the_first_page() -> None:
    key = (dt.datetime(2026, 4, 1, 8, 30, 15, 123456, tzinfo=dt.UTC), 987654321)
    assert case_list.parse_cursor(case_list.cursor_text(key)) == key
    for raw in (None, "", "x", "1.2.3", "-1.5", "１２.3", "9" * 18 + ".1", "1." + "9" * 19, "1.2\x00"):
        assert case_list.parse_cursor(raw) is None, raw


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("370100-20260401-000001", True), ("370100-20260401", True), (" 370100-20260401-00 ", True), ("", True),
     ("370100", False), ("20260401", False), ("%", False), ("370100-2026040", False), ("abc\x00", False),
     ("370100-20261399", False), ("370100-20260230-000001", False), ("３７０１００-20260401", False)],
)  # fmt: skip
def test_a_number_search_is_a_whole_number_or_a_prefix_down_to_the_day(typed: str, kept: bool) -> None:
    if kept:
        assert case_list.number_prefix(typed) == typed.strip()
    else:
        with pytest.raises(case_list.ValidationFailed) as refused:
            case_list.number_prefix(typed)
        assert "办件编号" in refused.value.errors["q"][0]


@pytest.mark.parametrize(("raw", "page"), [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-2", 1), ("x", 1),
                                           ("１２", 1), ("9999999", 1), ("100", 100)])  # fmt: skip
def test_the_page_asked_for_is_bounded(raw: str | None, page: int) -> None:
    assert case_list.page_number(raw) == page


def test_the_staff_api_list_pages_the_same_branches_and_counts_only_what_it_read() -> None:
    """GET /api/v1/cases for staff (api.case_pages): the policy filter's cases in submission
    order, `count` given once a page's reads held them all, null with `has_more` before; an
    offset past the newest 1,000 is refused naming the rule."""
    from django.test import Client

    call_command("load_demo")
    checked = 0
    for name in ("jn_window", "jn_planning_rev", "sd_supervisor", "expert_shen"):
        user = User.objects.filter(username=name).first()
        if user is None:
            continue
        api = Client()
        api.force_login(user)
        seen: list[str] = []
        offset = 0
        while True:
            body = api.get("/api/v1/cases", {"limit": 7, "offset": offset}).json()
            seen += [c["number"] for c in body["items"]]
            if not body["has_more"]:
                break
            assert body["count"] is None or body["count"] > offset + 7
            offset += 7
        expected = list(Case.objects.filter(pk__in=_reference(user)).order_by("-submitted_at", "-id"))
        assert seen == [c.number for c in expected], name
        assert body["count"] == len(expected)  # the last page read everything
        checked += len(expected) > 7
        in_review = api.get("/api/v1/cases", {"status": "in_review", "limit": 100}).json()
        assert [c["number"] for c in in_review["items"]] == [c.number for c in expected if c.status == "in_review"]
    assert checked >= 2
    refused = api.get("/api/v1/cases", {"offset": 990, "limit": 20})
    assert refused.status_code == 422 and "1000" in refused.json()["errors"][0]["message"]
