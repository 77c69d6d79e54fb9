"""Ratings the workbench takes in for the applicant: a supervisor records a 12345 hotline
rating; a window clerk shows the hall tablet a one-time link and its QR code."""

import re

import pytest

from yiwang.ratings import services
from yiwang.ratings.models import Channel, Rating
from yiwang.ratings.tests.scene import concluded, person
from yiwang.workbench.tests.html_checks import assert_sound_html
from yiwang.workbench.tests.test_ratings_pages import Login, _today, text  # noqa: F401 - _today is autouse

pytestmark = pytest.mark.django_db
HOTLINE = "/workbench/ratings/hotline/"


def test_a_supervisor_records_a_hotline_rating_and_a_refusal_keeps_what_was_typed(login_as: Login) -> None:
    case = concluded()
    supervisor = login_as("jn_supervisor")
    form = supervisor.get(HOTLINE)
    assert form.status_code == 200 and "代录 12345 热线评价" in text(form)
    assert_sound_html(form.content.decode())
    unknown = supervisor.post(HOTLINE, {"case_number": "370100-20990101-000001", "grade": "2", "text": "等太久"})
    assert unknown.status_code == 422 and "办件编号：办件 370100-20990101-000001 不存在" in text(unknown)
    no_grade = supervisor.post(HOTLINE, {"case_number": case.number, "tags": ["efficiency"], "text": "等太久"})
    assert no_grade.status_code == 422 and "评价等级：请选择" in text(no_grade)
    assert "等太久" in text(no_grade) and 'value="efficiency" checked' in no_grade.content.decode()
    nul = supervisor.post(HOTLINE, {"case_number": f"{case.number}\x00", "grade": "2"})
    assert nul.status_code == 422 and "办件编号" in text(nul) and not Rating.objects.exists()

    done = supervisor.post(
        HOTLINE, {"case_number": case.number, "grade": "2", "tags": ["efficiency"], "text": "等太久"}
    )
    rating = Rating.objects.get(case=case)
    assert done.status_code == 302 and done["Location"] == f"/workbench/ratings/{rating.pk}/"
    assert rating.channel == Channel.HOTLINE and rating.recorded_by == person("jn_supervisor")
    assert rating.rater == case.applicant and rating.grade == 2 and rating.tags == ["efficiency"]
    page = text(supervisor.get(done["Location"]))
    assert "12345 热线" in page and "卫监 代录" in page and "已代录" in page
    again = supervisor.post(HOTLINE, {"case_number": case.number, "grade": "5"})
    assert again.status_code == 409 and "已经评价过" in text(again)
    assert login_as("jn_head").get(HOTLINE).status_code == 403


def test_the_window_clerk_shows_the_hall_tablet_a_link_that_works(login_as: Login) -> None:
    case = concluded()
    clerk = login_as("jn_window")
    case_page = clerk.get(f"/workbench/cases/{case.number}/", {"reason": "答复申请人咨询"}, follow=True)
    assert "生成现场评价码" in text(case_page)
    shown = clerk.post(f"/workbench/ratings/hall/{case.number}/")
    html = shown.content.decode()
    assert shown.status_code == 200 and "<svg" in html
    assert_sound_html(html)
    token = re.search(r"/rate/([A-Za-z0-9_-]+)", text(shown))
    assert token, text(shown)
    link = services.case_of_link(token.group(1))
    assert link.case == case and link.channel == Channel.HALL_TABLET
    services.rating_give_by_link(token=token.group(1), grade=5, tags=[], text="")
    assert "生成现场评价码" not in text(clerk.get(f"/workbench/cases/{case.number}/"))  # 一次一评: rated
    assert login_as("jn_reviewer").post(f"/workbench/ratings/hall/{concluded().number}/").status_code == 403
