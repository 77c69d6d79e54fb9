"""办件查询 at scale: one page of a staff member's whole case list, the merged branches
(cases.case_list) against the one ORed filter they replaced, on the case bench's database.

    .venv/bin/python bench/cases_bench.py ...   # makes yiwang_cases_bench (1,000,000 cases)
    PYTHONPATH=src .venv/bin/python bench/case_list_probe.py [--repeat 5]

Each figure is the best of --repeat warm runs (wall ms, Django + PostgreSQL, one process), with
the SQL time beside it; `or` is the old path (Paginator over the ORed filter: the page and its
count), `merged` the new one (the page and whether there is more; page 40 is read from page 39's
下一页 key, as the link does). Written to
bench/results/cases-lists-<date>.txt.
"""

import argparse
import datetime as dt
import os
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yiwang_cases_bench")
os.environ.setdefault("YIWANG_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.config.settings")

import django

django.setup()

from django.core.paginator import Paginator  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from yiwang.accounts.models import User  # noqa: E402
from yiwang.cases.case_list import parse_cursor, staff_case_page  # noqa: E402
from yiwang.cases.models import Case  # noqa: E402
from yiwang.cases.policy import staff_case_filter  # noqa: E402
from yiwang.cases.workflow import CaseStatus  # noqa: E402

PERSONAS = ("jn_window", "jn_planning_rev", "jn_fire_rev", "jn_supervisor", "sd_supervisor")
QUERIES = (("page 1", {}), ("in_review", {"statuses": ["in_review"]}), ("revoked", {"statuses": ["revoked"]}),
           ("a day's numbers", {"number": "370100-20261001"}), ("page 40", {"page": 40}))  # fmt: skip


def _old(user: User, statuses: list[str] | None = None, number: str = "", page: int = 1) -> int:
    cases = (
        Case.objects.filter(staff_case_filter(user)).exclude(status=CaseStatus.DRAFT).order_by("-submitted_at", "-id")
    )
    if statuses:
        cases = cases.filter(status__in=statuses)
    if number:
        cases = cases.filter(number__startswith=number)
    shown = Paginator(cases.select_related("department", "region", "applicant"), 25).get_page(page)
    return len(list(shown.object_list))


def _best(repeat: int, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            run()
            took = (time.perf_counter() - started) * 1000
        best = min(best, (took, sum(float(q["time"]) for q in ctx.captured_queries) * 1000))
    return best


def _cursor_before(user: User, page: int, kw: dict) -> tuple[dt.datetime, int] | None:
    """The 下一页 link's key on page - 1 (None for the first page), walked there page by page."""
    after = None
    for _ in range(page - 1):
        got = staff_case_page(user, after=after, **kw)
        if not got.has_next:
            break
        after = parse_cursor(got.next_cursor)
    return after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-or", action="store_true", help="skip the old ORed path (tens of seconds at 10M)")
    args = parser.parse_args()
    total = Case.objects.count()
    lines = [f"办件查询 at {total:,} cases, {dt.datetime.now():%Y-%m-%d %H:%M}, load {os.getloadavg()[0]:.1f}",
             f"{'persona':16} {'query':16} {'or ms':>9} {'sql':>8} {'merged ms':>10} {'sql':>8} {'×':>7}"]  # fmt: skip
    for name in PERSONAS:
        user = User.objects.get(username=name)
        for label, kw in QUERIES:
            old = (float("nan"), float("nan")) if args.no_or else _best(args.repeat, lambda: _old(user, **kw))  # noqa: B023
            page, rest = int(kw.get("page", 1)), {k: v for k, v in kw.items() if k != "page"}
            after = _cursor_before(user, page, rest)  # 下一页 from page - 1, untimed
            new = _best(args.repeat, lambda: staff_case_page(user, after=after, page=page, **rest))  # noqa: B023
            lines.append(
                f"{name:16} {label:16} {old[0]:9.1f} {old[1]:8.1f} {new[0]:10.1f} {new[1]:8.1f} {old[0] / new[0]:7.1f}"
            )
            print(lines[-1], flush=True)
    out = Path(__file__).parent / "results" / f"cases-lists-{dt.date.today():%Y%m%d}.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
