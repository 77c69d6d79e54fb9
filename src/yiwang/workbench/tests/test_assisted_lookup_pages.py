"""The person search of 新建帮办 through the pages: one search per new name and number (the
item filter and 开始帮办 reuse it), the limit as a Chinese error, the log on the supervisor's
workbench and on the person's 我的数据使用记录."""

import datetime as dt
from typing import Any

import pytest

from yiwang.cases.models import AssistedLookup
from yiwang.cases.tests.factories import ImplementationVersionFactory, user
from yiwang.core import clock
from yiwang.workbench.tests.html_checks import assert_sound_html

pytestmark = pytest.mark.django_db
NEW = "/workbench/assisted/new/"


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_finding_filtering_and_starting_is_one_search(login_as: Any) -> None:
    version = ImplementationVersionFactory()
    clerk = login_as("jn_window")
    number = user("zhangsan").person.id_number
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)):
        form = {"real_name": "张三", "id_number": number}
        assert clerk.post(NEW, {**form, "action": "find"}).status_code == 200
        assert clerk.post(NEW, {**form, "action": "find", "q": "餐"}).status_code == 200
        started = clerk.post(NEW, {**form, "action": "start", "version": version.pk})
    assert started.status_code == 302
    assert AssistedLookup.objects.count() == 1
    # Another name with the same number is a new search (and a miss).
    missed = clerk.post(NEW, {"real_name": "李四", "id_number": number, "action": "find"})
    assert missed.status_code == 422 and "未找到姓名与证件号码都相符" in missed.content.decode()
    assert AssistedLookup.objects.count() == 2


def test_past_the_limit_the_clerk_reads_why_and_nothing_is_searched(login_as: Any, settings: Any) -> None:
    settings.ASSISTED_LOOKUP_LIMIT = 1
    clerk = login_as("jn_window")
    number = user("zhangsan").person.id_number
    clerk.post(NEW, {"real_name": "李四", "id_number": number, "action": "find"})
    refused = clerk.post(NEW, {"real_name": "张三", "id_number": number, "action": "find"})
    html = refused.content.decode()
    assert refused.status_code == 429 and "最多查询 1 次，已达上限" in html and "已找到申请人" not in html
    assert_sound_html(html)
    assert AssistedLookup.objects.count() == 1


def test_the_supervisor_and_the_person_read_the_searches(login_as: Any) -> None:
    clerk = login_as("jn_window")
    number = user("zhangsan").person.id_number
    clerk.post(NEW, {"real_name": "张三", "id_number": number, "action": "find"})
    clerk.post(NEW, {"real_name": "王五", "id_number": number, "action": "find"})
    assert clerk.get("/workbench/assisted/lookups/").status_code == 403
    supervisor = login_as("jn_supervisor")
    assert "帮办查询记录" in supervisor.get("/workbench/").content.decode()
    page = supervisor.get("/workbench/assisted/lookups/")
    html = page.content.decode()
    assert page.status_code == 200 and "找到：张*" in html and "未找到" in html and "赵敏" in html
    assert number not in html
    assert_sound_html(html)
    person = login_as("zhangsan").get("/me/data-reads/").content.decode()
    assert "帮办查询记录" in person and "找到您本人" in person and "姓名与您的证件号码不符" in person
    assert "赵敏" not in person  # the department and the post, not the clerk's name
    other = login_as("lisi").get("/me/data-reads/").content.decode()
    assert "还没有工作人员为帮办查找过您的证件号码" in other
